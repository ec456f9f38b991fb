// The options of a training run, as a job's params, the project settings' "train" object or the
// CLI give them. Free of LibTorch, so the server can validate a train job's params when the job is
// created with the same code the worker later reads them with (POST /api/jobs answers 400 at once
// instead of a job that fails when it runs).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/json.h"

namespace boxloop {

struct AugmentOptions {
  // Horizontal flip. On by default: a mirrored card is still the same rank (identity does not
  // depend on handedness, unlike e.g. left/right arrows), and real photos show cards at any
  // angle. Turn it off for categories that a mirror changes.
  bool flip = true;
  // Random crop that keeps every box whole: the crop window lies between the union of the boxes
  // and the image border, with at most this fraction of each margin kept at random.
  bool crop = true;
  // Brightness / contrast / saturation jitter (multiplicative ranges +- these fractions).
  double brightness = 0.25;
  double contrast = 0.25;
  double saturation = 0.3;
  // After any geometric change, a box that keeps less than this fraction of its area is dropped.
  double min_kept_area = 0.4;
  // Probability that a training image is a mosaic: four labeled images (this one and three drawn
  // from the training set), each augmented as above, tiled 2 x 2 around a random centre. With few
  // labels it shows the network more boxes per step, at more scales and beside other
  // backgrounds (YOLOv4's mosaic, Bochkovskiy et al. 2020). 0 turns it off. Half the images: on
  // the cards simulation (5 seeds, random order, rounds of 20) 0.5 raised the round models'
  // mAP@0.5 by 0.07-0.11 at 20-60 labeled images, paired on the same images; 1.0 gained less
  // (README "The loop").
  double mosaic = 0.5;
};

// Semi-supervised training on confident detections (AL-SSL, Elezi et al. CVPR 2022): unlabeled
// pool images whose stored proposals (the detections of the model that ordered the queue) reach
// `threshold` train as if those boxes were labels. Their weight is lower than a label's by
// sampling, not by the loss: a batch takes at most `share` of its images from them, the rest from
// the human labels as without them, so a model's own mistakes never outweigh what people drew.
struct PseudoLabelOptions {
  // 0 (the default): off. Else in (0, 1]: proposals scoring at least this become boxes. An image
  // without such a proposal is left out rather than trained as an empty image: a missed object
  // there would be taught as background.
  double threshold = 0;
  // In (0, 1]: the most of a batch that pseudo-labeled images take (rounded; at least one slot
  // always stays with the human labels, and epochs count passes over those alone).
  double share = 0.25;
  // The most pseudo-labeled images a run reads, a seeded random sample of the eligible ones: it
  // bounds the reading time and memory on a large pool. A loop round (120 steps, 2 of 8 slots)
  // draws about 240 of them. 0: no cap.
  int max_images = 200;
};

struct TrainOptions {
  std::string arch = "fastestdet";
  // With mosaics and the weight average, 60 epochs left the cards fine-tune still climbing
  // (final mAP@0.5 0.909 on the fixed 20 %); 100 reached 0.931 (README "Figures").
  int epochs = 100;
  int batch = 16;
  double lr = 0.01;
  double momentum = 0.937;
  double weight_decay = 5e-4;
  int warmup_steps = 100;
  int input_size = 352;
  // 0 (the default): every label trains and nothing is validated during the run; the model's
  // figure is the audit set's (train/audit.h). > 0: that share of the labeled images is held out
  // and scored each `eval_every` epochs; the final epoch's weights are kept either way, and the
  // best epoch is reported beside the final one, never instead of it.
  double val_fraction = 0;
  // Audit images (drawn at random for unbiased curves) train no round model. A final model may
  // include them (`boxloop train --include-audit`); it then has no unbiased figure.
  bool include_audit = false;
  // "pretrained" | "scratch" | "last" | a model id of the project | a checkpoint file.
  std::string from = "pretrained";
  std::filesystem::path pretrained;  // explicit weights file for from = "pretrained"
  std::vector<std::filesystem::path> pretrained_fallbacks;  // searched after project and env
  std::string device = "cpu";                               // "cpu" | "cuda"
  std::uint64_t seed = 1;
  int min_steps = 0;
  // When > 0, the run lasts exactly this many optimiser steps (epochs and min_steps ignored): a
  // loop round's fixed budget, the same whatever the number of labels.
  int steps = 0;
  // When > 0, a wall-clock budget in seconds for the whole run (reading the images included): the
  // run stops after the optimiser step during which it ran out and keeps the weights it has, so a
  // loop round on a slow or busy machine still publishes a queue in time. `steps` (or the epochs)
  // stays the cap; the model's metrics record the steps done (`steps`) and the budget. Steps are
  // timed as the run goes, and when the budget cannot hold the cap the learning-rate schedule is
  // shortened to the steps that fit (`steps_fitted`), so the run still ends with a decayed rate
  // rather than being cut mid-schedule. 0: no budget.
  double time_budget_seconds = 0;
  // Keep (and score) an exponential moving average of the weights over about the last tenth of
  // the run instead of the last step's weights (train/weight_average.h).
  bool average_weights = true;
  // Keep the batch-norm statistics the run starts from (pretrained or the last round's) instead of
  // re-estimating them from small, heavily augmented batches; the layers' scale and shift still
  // train. torchvision's detection models freeze them for the same reason (FrozenBatchNorm2d).
  bool freeze_batchnorm = false;
  int patience = 0;    // evaluations without improvement before stopping; 0: never stop early
  int eval_every = 0;  // epochs between validations; 0: about 40 evaluations per run
  int workers = 1;     // 1+: the next batch is prepared while the current one trains
  bool resume = false;
  // A category without any box on the labeled images makes training fail by default: the model
  // would learn that class never occurs. The loop sets this for early rounds.
  bool allow_empty_categories = false;
  AugmentOptions augment;
  PseudoLabelOptions pseudo_labels;
};

// The architectures `make_detector` knows (detector/registry.cpp).
const std::vector<std::string>& known_architectures();

// Reads a "train" job's params / the project settings' "train" object over `defaults`. Unknown
// keys, wrong types and out-of-range values are kInvalidArgument naming the key, so a typo does
// not silently train defaults and a bad value fails when it is given, not when the job runs.
TrainOptions train_options_from_json(const Json& params, TrainOptions defaults = {});
Json to_json(const TrainOptions& options);

// The ranges every run must satisfy (train_options_from_json applies them to what it reads; the
// trainer checks options built in code). Throws kInvalidArgument naming the option.
void check_train_options(const TrainOptions& options);

}  // namespace boxloop
