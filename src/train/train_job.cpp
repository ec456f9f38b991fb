// Training as a job of the store, and the options a job or the project settings carry.
#include <spdlog/spdlog.h>

#include <chrono>

#include "core/error.h"
#include "train/job_reporting.h"
#include "train/trainer.h"

namespace boxloop {

TrainOptions train_options_from_json(const Json& params, TrainOptions o) {
  if (params.is_null()) return o;
  if (!params.is_object()) {
    throw Error{ErrorCode::kInvalidArgument, "training parameters must be a JSON object"};
  }
  try {
    for (const auto& [key, value] : params.items()) {
      if (key == "arch")
        o.arch = value.get<std::string>();
      else if (key == "epochs")
        o.epochs = value.get<int>();
      else if (key == "batch")
        o.batch = value.get<int>();
      else if (key == "lr")
        o.lr = value.get<double>();
      else if (key == "momentum")
        o.momentum = value.get<double>();
      else if (key == "weight_decay")
        o.weight_decay = value.get<double>();
      else if (key == "warmup_steps")
        o.warmup_steps = value.get<int>();
      else if (key == "input_size")
        o.input_size = value.get<int>();
      else if (key == "val_fraction")
        o.val_fraction = value.get<double>();
      else if (key == "from")
        o.from = value.get<std::string>();
      else if (key == "pretrained")
        o.pretrained = value.get<std::string>();
      else if (key == "device")
        o.device = value.get<std::string>();
      else if (key == "seed")
        o.seed = value.get<std::uint64_t>();
      else if (key == "min_steps")
        o.min_steps = value.get<int>();
      else if (key == "patience")
        o.patience = value.get<int>();
      else if (key == "eval_every")
        o.eval_every = value.get<int>();
      else if (key == "workers")
        o.workers = value.get<int>();
      else if (key == "resume")
        o.resume = value.get<bool>();
      else if (key == "allow_empty_categories")
        o.allow_empty_categories = value.get<bool>();
      else if (key == "flip")
        o.augment.flip = value.get<bool>();
      else if (key == "crop")
        o.augment.crop = value.get<bool>();
      else
        throw Error{ErrorCode::kInvalidArgument, "unknown training parameter '" + key + "'"};
    }
  } catch (const Json::exception& e) {
    throw Error{ErrorCode::kInvalidArgument, std::string("bad training parameter: ") + e.what()};
  }
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
              {"from", o.from},
              {"pretrained", o.pretrained.string()},
              {"device", o.device},
              {"seed", o.seed},
              {"min_steps", o.min_steps},
              {"patience", o.patience},
              {"eval_every", o.eval_every},
              {"workers", o.workers},
              {"resume", o.resume},
              {"allow_empty_categories", o.allow_empty_categories},
              {"flip", o.augment.flip},
              {"crop", o.augment.crop}};
}

TrainResult run_train_job(Store& store, Id job_id, const TrainOptions& options,
                          const ProgressFn& progress) {
  // The job row is polled for a cancel request at most once a second: a step can be fast. A
  // validation result is written at once, so the page never misses an mAP.
  const CancelFn cancel = job_cancel_poller(store, job_id, std::chrono::seconds(1));
  const ProgressFn report = job_progress_writer(store, job_id, progress, [](const std::string& m) {
    return m.find("mAP") != std::string::npos;
  });
  try {
    TrainResult result = train_detector(store, options, report, cancel);
    store.update_job_progress(job_id, 1.0,
                              "model " + std::to_string(result.model.id) + " val mAP@0.5 " +
                                  std::to_string(result.metrics["val_map50"].get<double>()));
    store.finish_job(job_id, JobState::kDone);
    return result;
  } catch (const Error& e) {
    store.finish_job(job_id,
                     e.code() == ErrorCode::kCancelled ? JobState::kCancelled : JobState::kFailed,
                     e.what());
    throw;
  } catch (const std::exception& e) {
    store.finish_job(job_id, JobState::kFailed, e.what());
    throw;
  }
}

}  // namespace boxloop
