#include "train/options/train_options.h"

#include <algorithm>

#include "core/error.h"
#include "core/json_read.h"

namespace boxloop {

namespace {

[[noreturn]] void bad(const std::string& what) { throw Error{ErrorCode::kInvalidArgument, what}; }

int read_count(const Json& value, const std::string& key, int lo, int hi) {
  return static_cast<int>(read_int(value, key, lo, hi));
}

// Paths and names are short; anything longer is a client bug or an attack on the log.
constexpr std::size_t kMaxText = 4096;

}  // namespace

const std::vector<std::string>& known_architectures() {
  static const std::vector<std::string> names{"fastestdet", "retinanet"};
  return names;
}

TrainOptions train_options_from_json(const Json& params, TrainOptions o) {
  if (params.is_null()) return o;
  if (!params.is_object()) bad("training parameters must be a JSON object");
  for (const auto& [key, value] : params.items()) {
    if (key == "arch")
      o.arch = read_string(value, key, kMaxText);
    else if (key == "epochs")
      o.epochs = read_count(value, key, 1, 100'000);
    else if (key == "batch")
      o.batch = read_count(value, key, 1, 1024);
    else if (key == "lr")
      o.lr = read_number(value, key, 1e-9, 10);
    else if (key == "momentum")
      o.momentum = read_number(value, key, 0, 0.999);
    else if (key == "weight_decay")
      o.weight_decay = read_number(value, key, 0, 1);
    else if (key == "warmup_steps")
      o.warmup_steps = read_count(value, key, 0, 10'000'000);
    else if (key == "input_size")
      o.input_size = read_count(value, key, 32, 2048);
    else if (key == "val_fraction")
      o.val_fraction = read_number(value, key, 0, 0.9);
    else if (key == "include_audit")
      o.include_audit = read_bool(value, key);
    else if (key == "from")
      o.from = read_string(value, key, kMaxText);
    else if (key == "pretrained")
      o.pretrained = read_string(value, key, kMaxText);
    else if (key == "device")
      o.device = read_string(value, key, kMaxText);
    else if (key == "seed")
      o.seed = read_uint64(value, key);
    else if (key == "min_steps")
      o.min_steps = read_count(value, key, 0, 10'000'000);
    else if (key == "steps")
      o.steps = read_count(value, key, 0, 10'000'000);
    else if (key == "time_budget_seconds")
      o.time_budget_seconds = read_number(value, key, 0, 7 * 86'400);
    else if (key == "average_weights")
      o.average_weights = read_bool(value, key);
    else if (key == "freeze_batchnorm")
      o.freeze_batchnorm = read_bool(value, key);
    else if (key == "patience")
      o.patience = read_count(value, key, 0, 1'000'000);
    else if (key == "eval_every")
      o.eval_every = read_count(value, key, 0, 1'000'000);
    else if (key == "workers")
      o.workers = read_count(value, key, 0, 64);
    else if (key == "resume")
      o.resume = read_bool(value, key);
    else if (key == "allow_empty_categories")
      o.allow_empty_categories = read_bool(value, key);
    else if (key == "flip")
      o.augment.flip = read_bool(value, key);
    else if (key == "crop")
      o.augment.crop = read_bool(value, key);
    else if (key == "mosaic")
      o.augment.mosaic = read_number(value, key, 0, 1);
    else if (key == "pseudo_label_threshold")
      o.pseudo_labels.threshold = read_number(value, key, 0, 1);
    else if (key == "pseudo_label_share")
      o.pseudo_labels.share = read_number(value, key, 0, 1);
    else if (key == "pseudo_label_images")
      o.pseudo_labels.max_images = read_count(value, key, 0, 1'000'000);
    else
      bad("unknown training parameter '" + key + "'");
  }
  check_train_options(o);
  return o;
}

Json to_json(const TrainOptions& o) {
  return Json{{"arch", o.arch},
              {"epochs", o.epochs},
              {"batch", o.batch},
              {"lr", o.lr},
              {"momentum", o.momentum},
              {"weight_decay", o.weight_decay},
              {"warmup_steps", o.warmup_steps},
              {"input_size", o.input_size},
              {"val_fraction", o.val_fraction},
              {"include_audit", o.include_audit},
              {"from", o.from},
              {"pretrained", o.pretrained.string()},
              {"device", o.device},
              {"seed", o.seed},
              {"min_steps", o.min_steps},
              {"steps", o.steps},
              {"time_budget_seconds", o.time_budget_seconds},
              {"average_weights", o.average_weights},
              {"freeze_batchnorm", o.freeze_batchnorm},
              {"patience", o.patience},
              {"eval_every", o.eval_every},
              {"workers", o.workers},
              {"resume", o.resume},
              {"allow_empty_categories", o.allow_empty_categories},
              {"flip", o.augment.flip},
              {"crop", o.augment.crop},
              {"mosaic", o.augment.mosaic},
              {"pseudo_label_threshold", o.pseudo_labels.threshold},
              {"pseudo_label_share", o.pseudo_labels.share},
              {"pseudo_label_images", o.pseudo_labels.max_images}};
}

void check_train_options(const TrainOptions& o) {
  const auto& archs = known_architectures();
  if (std::find(archs.begin(), archs.end(), o.arch) == archs.end()) {
    bad("unknown architecture '" + o.arch + "' (fastestdet or retinanet)");
  }
  if (o.epochs < 1) bad("epochs must be at least 1");
  if (o.batch < 1) bad("batch must be at least 1");
  if (!(o.lr > 0)) bad("the learning rate must be positive");
  if (o.input_size < 32 || o.input_size % 32 != 0) {
    bad("input size must be a multiple of 32, >= 32");
  }
  if (o.val_fraction < 0 || o.val_fraction >= 1) bad("the validation fraction must be in [0, 1)");
  if (o.min_steps < 0 || o.steps < 0 || o.patience < 0 || o.eval_every < 0 || o.workers < 0) {
    bad("steps, min steps, patience, eval-every and workers must not be negative");
  }
  if (!(o.augment.mosaic >= 0 && o.augment.mosaic <= 1)) bad("mosaic must be in [0, 1]");
  if (!(o.pseudo_labels.threshold >= 0 && o.pseudo_labels.threshold <= 1)) {
    bad("pseudo_label_threshold must be in [0, 1] (0: no pseudo-labels)");
  }
  if (!(o.pseudo_labels.share > 0 && o.pseudo_labels.share <= 1)) {
    bad("pseudo_label_share must be in (0, 1]");
  }
  if (o.pseudo_labels.max_images < 0) bad("pseudo_label_images must not be negative (0: no cap)");
  if (!(o.time_budget_seconds >= 0)) bad("the time budget must not be negative (0: none)");
  if (o.device != "cpu" && o.device != "cuda")
    bad("unknown device '" + o.device + "' (cpu or cuda)");
}

}  // namespace boxloop
