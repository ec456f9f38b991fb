#include "train/trainer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <map>
#include <set>

#include "core/error.h"
#include "core/time.h"
#include "detector/pretrained.h"
#include "imageio/image_file.h"
#include "train/audit.h"
#include "train/evaluate.h"
#include "train/model_source.h"
#include "train/pseudo_labels.h"
#include "train/run_state.h"
#include "train/schedule.h"
#include "train/validation.h"
#include "train/weight_average.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

// Randomness of epoch e (and of its step s) depends only on (seed, e, s), so a resumed run
// draws the same crops and order as an uninterrupted one.
std::uint64_t stream_seed(std::uint64_t seed, int epoch, int step) {
  return splitmix64(splitmix64(splitmix64(seed) ^ static_cast<std::uint64_t>(epoch)) ^
                    static_cast<std::uint64_t>(step));
}

torch::Device choose_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda") {
    if (!torch::cuda::is_available()) {
      throw Error{ErrorCode::kUnsupported,
                  "--device cuda: this LibTorch has no CUDA (Debian's libtorch is CPU-only) or no "
                  "GPU is visible; rebuild boxloop against a CUDA LibTorch (cmake "
                  "-DCMAKE_PREFIX_PATH=<python site-packages>/torch/share/cmake) on a machine with "
                  "an NVIDIA driver, or train with --device cpu"};
    }
    return torch::kCUDA;
  }
  throw Error{ErrorCode::kInvalidArgument, "unknown device '" + name + "' (cpu or cuda)"};
}

void check_categories(Store& store, const std::vector<Sample>& samples, bool allow_empty) {
  const auto categories = store.categories();
  if (categories.empty()) {
    throw Error{ErrorCode::kInvalidArgument, "the project has no categories to train on"};
  }
  std::vector<int> boxes(categories.size(), 0);
  int total = 0;
  for (const Sample& s : samples) {
    for (int64_t l : s.labels) {
      ++boxes[static_cast<std::size_t>(l)];
      ++total;
    }
  }
  if (total == 0) {
    throw Error{ErrorCode::kInvalidArgument,
                "the labeled images hold no boxes: draw boxes on some images before training"};
  }
  std::vector<std::string> empty;
  for (std::size_t i = 0; i < categories.size(); ++i) {
    if (boxes[i] == 0) empty.push_back(categories[i].name);
  }
  if (empty.empty()) return;
  std::string names;
  for (const auto& n : empty) names += (names.empty() ? "" : ", ") + n;
  if (!allow_empty) {
    throw Error{ErrorCode::kInvalidArgument,
                "no labeled box of category " + names +
                    ": label at least one, remove the category, or allow it explicitly "
                    "(--allow-empty-categories)"};
  }
  spdlog::warn("training without any box of {}: the model will not learn to find it", names);
}

// Batch-norm layers in eval mode normalise with their running statistics and leave them as they
// are; their weight and bias still receive gradients.
void freeze_batchnorm_statistics(torch::nn::Module& module) {
  for (const auto& child : module.modules(/*include_self=*/false)) {
    if (child->as<torch::nn::BatchNorm2d>()) child->eval();
  }
}

// `pseudo_labeled`: the images the run reads pseudo-labels of (TrainOptions::pseudo_labels).
std::string run_key(Store& store, const TrainOptions& o, const std::vector<Id>& pseudo_labeled) {
  Json images = Json::array();
  for (const Image& image : store.images_with_status(ImageStatus::kLabeled)) {
    images.push_back({image.id, image.version, image.audit});
  }
  Json key{{"arch", o.arch},
           {"epochs", o.epochs},
           {"batch", o.batch},
           {"lr", o.lr},
           {"momentum", o.momentum},
           {"wd", o.weight_decay},
           {"warmup", o.warmup_steps},
           {"size", o.input_size},
           {"val", o.val_fraction},
           {"from", o.from},
           {"pretrained", o.pretrained.string()},
           {"seed", o.seed},
           {"min_steps", o.min_steps},
           {"steps", o.steps},
           {"include_audit", o.include_audit},
           {"flip", o.augment.flip},
           {"crop", o.augment.crop},
           {"mosaic", o.augment.mosaic},
           {"average_weights", o.average_weights},
           {"freeze_batchnorm", o.freeze_batchnorm},
           {"images", images}};
  // Only when on, so the runs without pseudo-labels keep their keys. Their boxes are the queue's
  // proposals, which each new queue replaces: a run resumes only on the same queue's.
  if (o.pseudo_labels.threshold > 0) {
    key["pseudo_labels"] = {{"threshold", o.pseudo_labels.threshold},
                            {"share", o.pseudo_labels.share},
                            {"max_images", o.pseudo_labels.max_images},
                            {"queue", store.queue_info()},
                            {"images", pseudo_labeled}};
  }
  return sha256_hex(key.dump()).substr(0, 16);
}

// Copies the weights of a checkpoint whose tensors match by name and shape; a class layer sized
// for other categories keeps its fresh initialisation.
void warm_start(Detector& detector, const fs::path& checkpoint,
                const std::vector<std::string>& category_names) {
  const LoadedCheckpoint loaded = load_checkpoint(checkpoint);
  if (loaded.detector->config().arch != detector.config().arch) {
    throw Error{ErrorCode::kInvalidArgument,
                "model " + checkpoint.string() + " is a " + loaded.detector->config().arch +
                    "; train with --arch " + loaded.detector->config().arch + " to start from it"};
  }
  const auto report = load_state_dict_by_name(detector, module_state(*loaded.detector));
  if (loaded.category_names != category_names) {
    spdlog::warn("{} was trained on other categories: {} tensors re-initialised",
                 checkpoint.string(), report.shape_mismatch.size());
  }
  spdlog::info("warm start from {} ({} tensors)", checkpoint.string(), report.loaded.size());
}

struct Start {
  std::optional<Id> parent;
  std::optional<fs::path> checkpoint;  // warm start from this checkpoint
  std::optional<fs::path> pretrained;  // or from these pretrained weights
};

Start starting_point(Store& store, const TrainOptions& o) {
  Start start;
  if (o.from == "scratch") return start;
  if (o.from != "pretrained") {
    const bool want_last = o.from == "last" || o.from == "latest";
    if (want_last && !store.latest_model()) {
      spdlog::info("no model yet to warm-start from: starting from pretrained weights");
    } else {
      if (auto record = resolve_model_record(store, o.from)) start.parent = record->id;
      start.checkpoint = resolve_model_path(&store, o.from);
      return start;
    }
  }
  start.pretrained = find_pretrained(store.dir(), o.arch, o.pretrained, o.pretrained_fallbacks);
  return start;
}

std::string file_stamp() {
  std::string stamp = now_iso8601();  // 2026-11-25T10:03:04.123Z
  stamp.erase(std::remove_if(stamp.begin(), stamp.end(),
                             [](char c) { return c == ':' || c == '-' || c == 'Z'; }),
              stamp.end());
  std::replace(stamp.begin(), stamp.end(), '.', '-');
  return stamp;
}

std::string fmt2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

TrainResult train_detector(Store& store, const TrainOptions& o, const ProgressFn& progress,
                           const CancelFn& cancel) {
  check_train_options(o);
  const torch::Device device = choose_device(o.device);
  prepare_cpu_for_torch();
  const auto started = std::chrono::steady_clock::now();
  const auto cancelled = [&] { return cancel && cancel(); };

  std::vector<std::string> category_names;
  for (const Category& c : store.categories()) category_names.push_back(c.name);
  // The labelers' cost so far (audit images included): the x axes of the loop's curve.
  int labeled_images = 0, labeled_boxes = 0;
  for (const LabeledImage& l : store.labeled_images()) {
    ++labeled_images;
    labeled_boxes += static_cast<int>(l.boxes.size());
  }
  // Keep twice the input size: room for the crop jitter without holding full-size photos. The
  // process's decode cache spares a loop round the decodes of the images earlier rounds read.
  std::vector<Sample> samples = load_samples(
      store, o.input_size * 2, o.include_audit ? LabeledSubset::kAll : LabeledSubset::kNotAudit,
      [&](double f, const std::string& m) {
        if (progress) progress(0, m);
      },
      cancel, &training_decode_cache());
  check_categories(store, samples, o.allow_empty_categories);
  // Without a held-out split nothing is validated during the run (scoring the training images
  // would only flatter the model); the audit set scores the final weights afterwards.
  const Split split = split_by_image(samples, o.val_fraction, o.seed);
  const std::vector<std::size_t>& val = split.val;
  // Pseudo-labeled images (TrainOptions::pseudo_labels) follow the labeled ones in `samples`:
  // only batches draw them; the split, validation, the audit figure and mosaic tiles never do.
  const std::size_t first_pseudo = samples.size();
  std::vector<Id> pseudo_labeled;
  int pseudo_boxes = 0;
  if (o.pseudo_labels.threshold > 0) {
    if (progress) progress(0, "reading pseudo-labeled images");
    for (Sample& s : load_pseudo_labeled_samples(store, o.pseudo_labels, o.input_size * 2, o.seed,
                                                 cancel, &training_decode_cache())) {
      pseudo_labeled.push_back(s.image_id);
      pseudo_boxes += static_cast<int>(s.boxes.size());
      samples.push_back(std::move(s));
    }
  }
  const std::size_t n_pseudo = pseudo_labeled.size();

  const int n_train = static_cast<int>(split.train.size());
  const int batch = std::min(o.batch, n_train);
  // A batch's slots: some from the pseudo-labeled images (0 when off), the rest from the human
  // labels, whose passes alone count the epochs.
  const int pseudo_slots = pseudo_label_slots(o.pseudo_labels, batch, n_pseudo);
  const int human_slots = batch - pseudo_slots;
  // The last partial batch is dropped.
  const int steps_per_epoch = std::max(1, n_train / human_slots);
  const auto ceil_div = [](int a, int b) { return (a + b - 1) / b; };
  // A fixed step budget (a loop round) or max(epochs, the step floor).
  int epochs = o.steps > 0 ? ceil_div(o.steps, steps_per_epoch)
                           : std::max(o.epochs, ceil_div(o.min_steps, steps_per_epoch));
  const int planned_steps = o.steps > 0 ? o.steps : epochs * steps_per_epoch;
  // Fewer when the time budget cannot hold the planned steps (fit_schedule_to_budget below).
  int total_steps = planned_steps;
  // The wall-clock budget (TrainOptions::time_budget_seconds) counts from the start of the run,
  // reading the images included: it bounds what a labeler waits for. Checked after every step,
  // so the run overshoots it by at most one step plus the final save and audit scoring.
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  const auto out_of_time = [&] {
    return o.time_budget_seconds > 0 && elapsed() >= o.time_budget_seconds;
  };
  bool stopped_by_budget = false;
  const int eval_every = o.eval_every > 0 ? o.eval_every : std::max(1, (epochs + 39) / 40);
  LrSchedule schedule{o.lr, o.warmup_steps, total_steps};
  // A run whose budget cannot hold its planned steps would be cut while its learning rate is
  // still high (the weights of a cut run are a mid-schedule snapshot). So the steps are timed
  // and, from the kTimedSteps-th on, whenever the rest of the budget holds fewer steps than are
  // left, the schedule (warm-up, cosine decay, the number of epochs) is shortened to the steps
  // that fit, with a 5 % margin. Re-fitted after every step, so a machine that slows down midway
  // shortens it again; the budget check still ends the run if it cannot.
  constexpr int kTimedSteps = 3;
  double timing_from = -1;  // elapsed() after this session's first step
  int timing_step = 0;
  bool announced = false;
  const auto fit_schedule_to_budget = [&](int step) {
    if (o.time_budget_seconds <= 0) return;
    if (timing_from < 0) {
      timing_from = elapsed();
      timing_step = step;
      return;
    }
    if (step - timing_step < kTimedSteps) return;
    const double per_step = (elapsed() - timing_from) / (step - timing_step);
    const double left = 0.95 * o.time_budget_seconds - elapsed();
    const int fit = step + static_cast<int>(std::max(0.0, std::floor(left / per_step)));
    if (fit >= total_steps) return;
    total_steps = std::max(step + 1, fit);
    schedule.total_steps = total_steps;
    epochs = ceil_div(total_steps, steps_per_epoch);
    if (!announced) {
      announced = true;
      spdlog::info(
          "the time budget of {:.0f} s holds about {} of the {} planned steps ({:.2f} s "
          "a step): the learning-rate schedule now ends there",
          o.time_budget_seconds, total_steps, planned_steps, per_step);
    }
  };

  DetectorConfig config;
  config.arch = o.arch;
  config.num_classes = static_cast<int>(category_names.size());
  config.input_size = o.input_size;
  torch::manual_seed(o.seed);
  std::shared_ptr<Detector> detector = make_detector(config);

  const RunFolder run(store.model_dir() / "runs" / run_key(store, o, pseudo_labeled));
  std::optional<RunState> resumed = run.load_state();
  if (o.resume && !resumed) {
    throw Error{ErrorCode::kNotFound,
                "no unfinished run with these parameters and labels to resume (looked in " +
                    run.dir().string() + ")"};
  }
  const Start start = starting_point(store, o);
  if (!resumed) {
    if (start.checkpoint) warm_start(*detector, *start.checkpoint, category_names);
    if (start.pretrained) {
      const auto loaded = detector->load_pretrained(*start.pretrained);
      spdlog::info("pretrained weights {}: {} tensors", start.pretrained->string(), loaded.size());
    }
  }
  detector->to(device);
  torch::optim::SGD optimizer(detector->parameters(), torch::optim::SGDOptions(o.lr)
                                                          .momentum(o.momentum)
                                                          .weight_decay(o.weight_decay)
                                                          .nesterov(true));
  RunState state;
  if (resumed) {
    state = *resumed;
    try {
      const LoadedCheckpoint last = load_checkpoint(run.checkpoint(state.epoch));
      load_state_dict_by_name(*detector, module_state(*last.detector));
    } catch (const std::exception& e) {
      throw Error{ErrorCode::kCorrupt, std::string(e.what()) +
                                           " (an unfinished run's checkpoint; "
                                           "delete " +
                                           run.dir().string() + " to start over)"};
    }
    run.load_optimizer(optimizer, state.epoch);
    spdlog::info("resuming the run in {} after epoch {} (step {})", run.dir().string(), state.epoch,
                 state.step);
  }
  // The weights the run keeps and scores: their moving average, or the last step's.
  std::optional<WeightAverage> average;
  if (o.average_weights) {
    average.emplace(*detector, default_average_window(total_steps));
    if (resumed) {
      const fs::path saved = run.average_checkpoint(state.epoch);
      try {
        average->resume(*load_checkpoint(saved).detector, state.step);
      } catch (const std::exception& e) {
        throw Error{ErrorCode::kCorrupt, std::string(e.what()) +
                                             " (the weight average of an unfinished run; delete " +
                                             run.dir().string() + " to start over)"};
      }
    }
  }
  Detector& kept = average ? average->model() : *detector;
  const int resumed_from = state.epoch;
  spdlog::info("training {} on {} images ({} held out), {} epochs x {} steps, batch {}, {} px, {}",
               o.arch, n_train, split.val.size(), epochs, steps_per_epoch, batch, o.input_size,
               o.device);
  if (o.pseudo_labels.threshold > 0) {
    spdlog::info(
        "pseudo-labels: {} unlabeled images with {} boxes scoring {} or more, {} of {} "
        "images a batch",
        n_pseudo, pseudo_boxes, o.pseudo_labels.threshold, pseudo_slots, batch);
  }
  // Done steps over planned, or the budget spent when that is further along (a budget-bound run
  // would otherwise sit at a low fraction and jump to done).
  const auto fraction_done = [&] {
    double f = static_cast<double>(state.step) / total_steps;
    if (o.time_budget_seconds > 0) f = std::max(f, elapsed() / o.time_budget_seconds);
    return std::min(1.0, f);
  };

  const std::vector<std::size_t> train_indices = split.train;
  const auto batch_indices = [&](int epoch, int step) {
    std::vector<std::size_t> order = train_indices;
    std::mt19937_64 rng(stream_seed(o.seed, epoch, -1));
    std::shuffle(order.begin(), order.end(), rng);
    return std::vector<std::size_t>(order.begin() + step * human_slots,
                                    order.begin() + (step + 1) * human_slots);
  };
  const auto build_batch = [&](int epoch, int step) {
    std::mt19937_64 rng(stream_seed(o.seed, epoch, step));
    std::vector<std::size_t> indices = batch_indices(epoch, step);
    // The pseudo-labeled slots come first from the step's stream; without them nothing is drawn,
    // so such a run draws exactly the crops and mosaics it always did.
    const std::vector<std::size_t> pseudo =
        draw_pseudo_labeled(first_pseudo, n_pseudo, pseudo_slots, rng);
    indices.insert(indices.end(), pseudo.begin(), pseudo.end());
    // Mosaic tiles come from the labeled training images only.
    return make_batch(samples, indices, o.input_size, &o.augment, rng, &train_indices);
  };

  std::string last_message;
  bool stopped_early = false;
  auto last_save = std::chrono::steady_clock::now();
  for (int epoch = state.epoch + 1; epoch <= epochs && !stopped_early && !stopped_by_budget;
       ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    detector->train();
    if (o.freeze_batchnorm) freeze_batchnorm_statistics(*detector);
    double loss_sum = 0;
    std::map<std::string, double> part_sums;
    std::future<Batch> next;
    if (o.workers > 0) next = std::async(std::launch::async, build_batch, epoch, 0);
    double lr = o.lr;
    // The last epoch of a fixed budget may be partial.
    const int epoch_steps = std::min(steps_per_epoch, total_steps - state.step);
    int done_steps = 0;  // fewer than epoch_steps when the budget runs out
    for (int s = 0; s < epoch_steps && state.step < total_steps; ++s) {
      if (cancelled()) throw Error{ErrorCode::kCancelled, "training cancelled"};
      Batch b = o.workers > 0 ? next.get() : build_batch(epoch, s);
      if (o.workers > 0 && s + 1 < epoch_steps) {
        next = std::async(std::launch::async, build_batch, epoch, s + 1);
      }
      lr = schedule.at(state.step);
      for (auto& group : optimizer.param_groups()) {
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      }
      optimizer.zero_grad();
      DetectionLoss loss = detector->loss(b.images.to(device), b.targets);
      const double value = loss.total.item<double>();
      if (!std::isfinite(value)) {
        throw Error{ErrorCode::kInternal, "the loss diverged (" + std::to_string(value) +
                                              ") at step " + std::to_string(state.step) +
                                              ": lower the learning rate (--lr)"};
      }
      loss.total.backward();
      torch::nn::utils::clip_grad_norm_(detector->parameters(), 10.0);
      optimizer.step();
      if (average) average->update(*detector);
      ++state.step;
      ++done_steps;
      fit_schedule_to_budget(state.step);
      loss_sum += value;
      for (const auto& [k, v] : loss.parts) part_sums[k] += v;
      if (progress) {
        progress(fraction_done(), "epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) +
                                      " loss " + fmt2(loss_sum / (s + 1)) + last_message);
      }
      if (state.step < total_steps && out_of_time()) {
        stopped_by_budget = true;
        spdlog::info("time budget of {:.0f} s spent after {} of {} steps: keeping these weights",
                     o.time_budget_seconds, state.step, total_steps);
        break;
      }
    }
    Json entry{{"epoch", epoch},
               {"step", state.step},
               {"loss", loss_sum / std::max(1, done_steps)},
               {"loss_parts", Json::object()},
               {"val_map50", nullptr},
               {"val_map", nullptr},
               {"lr", lr},
               {"seconds", 0.0}};
    for (const auto& [k, v] : part_sums) entry["loss_parts"][k] = v / std::max(1, done_steps);
    const bool last_epoch = epoch == epochs || stopped_by_budget;
    const bool evaluate_now = !val.empty() && (epoch % eval_every == 0 || last_epoch);
    if (evaluate_now) {
      const EvalResult r =
          evaluate_on_samples(kept, samples, val, o.input_size, std::max(batch, 8));
      entry["val_map50"] = r.map50;
      entry["val_map"] = r.map;
      state.final_map50 = r.map50;
      state.final_map = r.map;
      last_message = " mAP " + fmt2(r.map50);
      if (r.map50 > state.best_map50) {
        state.best_map50 = r.map50;
        state.best_map = r.map;
        state.best_epoch = epoch;
        state.evals_since_best = 0;
        state.best_per_class_ap50 = eval_result_json(r, category_names)["per_class_ap50"];
      } else {
        ++state.evals_since_best;
      }
      stopped_early = o.patience > 0 && state.evals_since_best >= o.patience;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    entry["seconds"] = seconds;
    state.seconds += seconds;
    state.epoch = epoch;
    state.epochs.push_back(entry);
    // A checkpoint costs a save of the weights and the optimizer: with few labels an epoch is a
    // step or two, so save at most every 20 s (a kill loses at most that much), when cancelled
    // (to resume from here) and at the end. Not after a budget stop: that epoch is partial (a
    // resume must not skip its other steps) and the run is about to finish anyway.
    const bool stopping = cancelled() && epoch < epochs;
    if (!stopped_by_budget &&
        (epoch == epochs || stopping ||
         std::chrono::steady_clock::now() - last_save > std::chrono::seconds(20))) {
      run.save(*detector, optimizer, category_names, state, average ? &kept : nullptr);
      last_save = std::chrono::steady_clock::now();
    }
    spdlog::info("epoch {}/{} loss {:.4f}{} lr {:.5f} ({:.1f} s)", epoch, epochs,
                 entry["loss"].get<double>(), last_message, lr, seconds);
    if (progress) {
      progress(fraction_done(), "epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) +
                                    " loss " + fmt2(entry["loss"].get<double>()) + last_message);
    }
    if (stopped_early) {
      spdlog::info("early stop: no better val mAP@0.5 in {} evaluations", o.patience);
    }
    if (stopping) throw Error{ErrorCode::kCancelled, "training cancelled"};
  }

  // The model kept is the last one (or the average of the last steps): choosing the best of N
  // evaluations on the split it is then scored on would make its figure optimistic. The best
  // epoch is reported beside it.
  std::shared_ptr<Detector> final_model = average ? average->shared() : detector;
  const bool validated = state.best_epoch > 0;
  Json metrics{{"epochs", state.epochs},
               {"val_map50", validated ? Json(state.final_map50) : Json(nullptr)},
               {"val_map", validated ? Json(state.final_map) : Json(nullptr)},
               {"best_val_map50", validated ? Json(state.best_map50) : Json(nullptr)},
               {"best_val_map", validated ? Json(state.best_map) : Json(nullptr)},
               {"best_epoch", validated ? Json(state.best_epoch) : Json(nullptr)},
               {"best_per_class_ap50", state.best_per_class_ap50},
               {"train_images", n_train},
               {"val_images", split.val.size()},
               {"labeled_images", labeled_images},
               {"labeled_boxes", labeled_boxes},
               {"steps", state.step},
               // The steps the run was planned for and its budget: `steps` < `steps_planned`
               // when the budget cut it short (a round on a slow or busy machine).
               {"steps_planned", planned_steps},
               // The steps the schedule was fitted to when the budget could not hold the plan.
               {"steps_fitted", total_steps < planned_steps ? Json(total_steps) : Json(nullptr)},
               {"time_budget_seconds",
                o.time_budget_seconds > 0 ? Json(o.time_budget_seconds) : Json(nullptr)},
               {"stopped_by_time_budget", stopped_by_budget},
               {"include_audit", o.include_audit},
               // Pseudo-labels (TrainOptions::pseudo_labels): the threshold (null: off), the
               // images and boxes read and the slots of a batch they took.
               {"pseudo_label_threshold",
                o.pseudo_labels.threshold > 0 ? Json(o.pseudo_labels.threshold) : Json(nullptr)},
               {"pseudo_labeled_images", n_pseudo},
               {"pseudo_labeled_boxes", pseudo_boxes},
               {"pseudo_label_slots", pseudo_slots},
               {"average_weights", o.average_weights},
               {"seconds", state.seconds},
               {"arch", o.arch},
               {"device", o.device}};
  // The unbiased figure: the final weights on the audit set (none when it trained on it).
  metrics["audit"] = nullptr;
  if (!o.include_audit) {
    if (const auto audit = score_on_audit(*final_model, store, o.input_size, 200, o.seed)) {
      metrics["audit"] = to_json(*audit);
    }
  }
  const std::string stem = o.arch + "-" + file_stamp();
  const fs::path weights = store.model_dir() / (stem + ".pt");
  final_model->to(torch::kCPU);
  save_checkpoint_atomically(*final_model, weights, category_names, metrics);
  write_file_atomically(store.model_dir() / (stem + ".metrics.json"), metrics.dump(2));
  ModelRecord record;
  record.arch = o.arch;
  record.weights_path = fs::relative(weights, store.dir()).generic_string();
  record.parent = start.parent;
  record.trained_on = n_train;
  record.metrics = metrics;
  record = store.add_model(record);
  run.remove();
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (validated) {
    spdlog::info(
        "model {} saved to {}: final val mAP@0.5 {:.3f} (best {:.3f} at epoch {}) ({:.0f} s)",
        record.id, weights.string(), state.final_map50, state.best_map50, state.best_epoch, wall);
  } else {
    spdlog::info("model {} saved to {} ({:.0f} s)", record.id, weights.string(), wall);
  }
  return TrainResult{record, weights, metrics, resumed_from};
}

void check_training_device(const std::string& name) { choose_device(name); }

}  // namespace boxloop
