// boxloop train | evaluate | detect | model download|import|list: thin parsers over train/.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <opencv2/imgcodecs.hpp>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/project_store.h"
#include "cli/shared_paths.h"
#include "core/error.h"
#include "formats/formats.h"
#include "imageio/image_file.h"
#include "loop/annotated_set.h"
#include "loop/job_runner.h"
#include "loop/train_lock.h"
#include "loop/worker.h"
#include "store/store.h"
#include "train/detect.h"
#include "train/download.h"
#include "train/evaluate.h"
#include "train/model_source.h"
#include "train/trainer.h"

namespace boxloop::cli {

namespace fs = std::filesystem;

namespace {

std::string pct(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// ---- train ----------------------------------------------------------------------------------

struct TrainArgs {
  std::string project, database;
  TrainOptions options;
  std::string pretrained;
};

void run_train(const TrainArgs& args) {
  auto store = open_store(args.project, args.database);
  TrainOptions options = args.options;
  options.pretrained = args.pretrained;
  options.pretrained_fallbacks = shared_pretrained_fallbacks();
  // Held while this process trains: a `running` train job whose lock is free was abandoned by a
  // killed run (and would otherwise block every later `boxloop train`, resuming included).
  const loop::TrainLock lock(*store);
  if (!lock.held()) {
    throw Error{ErrorCode::kConflict,
                "another process is training this project; wait for it to finish (or stop it)"};
  }
  // We hold the lock, so a train job still running is nobody's: its process was killed. It goes
  // back to the queue as a dead worker's job would (loop/worker.h); rerunning the same command
  // then runs it again, resuming from its checkpoints.
  if (const int n = store->requeue_abandoned_jobs(loop::kDefaultStaleAfter, true); n > 0) {
    spdlog::warn("{} job(s) left running by a process that ended are queued again", n);
  }
  const Json params = to_json(options);
  std::optional<Job> job;
  for (const Job& queued : store->jobs()) {
    if (queued.kind != JobKind::kTrain || queued.state != JobState::kQueued) continue;
    if (queued.params != params) {
      // Another run's (the page's, the loop's, or a stopped `boxloop train` with other options).
      throw Error{ErrorCode::kConflict,
                  "train job " + std::to_string(queued.id) +
                      " is queued for this project; let a worker run it (boxloop serve or boxloop "
                      "worker) or cancel it in the page first"};
    }
    job = queued;  // this very command, stopped before: run its job again
  }
  if (!job) job = store->create_job(JobKind::kTrain, params);
  const auto claimed = store->claim_next_job({JobKind::kTrain});
  if (!claimed || claimed->id != job->id) {
    throw Error{ErrorCode::kConflict,
                "another process claimed train job " + std::to_string(job->id)};
  }
  ProgressBar bar("train");
  loop::JobRunnerOptions runner;
  runner.pretrained_fallbacks = options.pretrained_fallbacks;
  runner.score_after_training = false;  // the loop scores when it runs; see `boxloop score`
  const TrainResult result = *loop::run_job(*store, *claimed, runner, bar.callback());
  bar.finish("model " + std::to_string(result.model.id));
  const Json& m = result.metrics;
  std::cout << "model " << result.model.id << " (" << result.model.weights_path << ")\n"
            << "trained on " << m["train_images"] << " images"
            << (m["val_images"].get<int>() > 0
                    ? ", validated on " + m["val_images"].dump() + " held-out images"
                    : "")
            << (result.resumed_from_epoch > 0
                    ? ", resumed after epoch " + std::to_string(result.resumed_from_epoch)
                    : "")
            << " (" << static_cast<int>(m["seconds"].get<double>()) << " s)\n";
  if (m["val_map50"].is_number()) {
    // The final epoch's figure: the model kept. The best epoch only beside it.
    std::cout << "held-out mAP@0.5 " << pct(m["val_map50"].get<double>()) << "  mAP@0.5:0.95 "
              << pct(m["val_map"].get<double>()) << " (final epoch; best "
              << pct(m["best_val_map50"].get<double>()) << " at epoch " << m["best_epoch"] << ")\n";
  }
  if (m["audit"].is_object()) {
    const Json& a = m["audit"];
    std::cout << "audit set (" << a["images"] << " images drawn at random, never trained on): "
              << "mAP@0.5 " << pct(a["map50"].get<double>()) << " ["
              << pct(a["map50_low"].get<double>()) << ", " << pct(a["map50_high"].get<double>())
              << "] (95 % bootstrap)\n";
  } else if (!m["val_map50"].is_number()) {
    std::cout << (options.include_audit
                      ? "no unbiased figure: it trained on the audit images too\n"
                      : "no unbiased figure: the project has no labeled audit images (label more "
                        "through the page, or hold out images with --val-fraction)\n");
  }
}

void add_train(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  TrainOptions& o = args->options;
  auto* cmd = app.add_subcommand("train", "Train a detector on the project's labels");
  cmd->add_option("project", args->project, "Project folder")->required();
  add_database_option(*cmd, args->database);
  cmd->add_option("--arch", o.arch, "Architecture (fastestdet, retinanet)")->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "Epochs (at least; see --min-steps)")
      ->capture_default_str();
  cmd->add_option("--batch", o.batch, "Images per step")->capture_default_str();
  cmd->add_option("--lr", o.lr, "Peak learning rate (SGD)")->capture_default_str();
  cmd->add_option("--input-size", o.input_size, "Network input size (multiple of 32)")
      ->capture_default_str();
  cmd->add_option("--val-fraction", o.val_fraction,
                  "Hold out this fraction for validation (0: every label trains and the audit "
                  "set gives the figure; otherwise the final epoch's figure is reported, the best "
                  "epoch beside it)")
      ->capture_default_str();
  cmd->add_flag("--include-audit", o.include_audit,
                "Train on the audit images too (a final model; it then has no unbiased figure)");
  cmd->add_option("--steps", o.steps, "Exactly this many optimiser steps (0: by epochs)")
      ->capture_default_str();
  cmd->add_option("--from", o.from, "pretrained | scratch | last | MODEL id | checkpoint file")
      ->capture_default_str();
  cmd->add_option("--pretrained", args->pretrained, "Pretrained weights file (.pth)");
  cmd->add_option("--device", o.device, "cpu or cuda")->capture_default_str();
  cmd->add_option("--min-steps", o.min_steps, "Floor of optimiser steps for the run")
      ->capture_default_str();
  cmd->add_option("--patience", o.patience,
                  "Stop after N evaluations without a better mAP (0: off)")
      ->capture_default_str();
  cmd->add_option("--eval-every", o.eval_every, "Epochs between validations (0: automatic)");
  cmd->add_option("--seed", o.seed, "Seed of the split and the augmentation")
      ->capture_default_str();
  cmd->add_option("--workers", o.workers, "Batch preparation ahead of training (0: inline)")
      ->capture_default_str();
  cmd->add_flag(
      "--no-flip", [&o](std::int64_t) { o.augment.flip = false; },
      "No horizontal flips (for categories a mirror changes)");
  cmd->add_flag("--allow-empty-categories", o.allow_empty_categories,
                "Train even when a category has no labeled box");
  cmd->add_flag("--resume", o.resume,
                "Require an unfinished run of the same parameters to resume (an unfinished run "
                "is always resumed when there is one)");
  cmd->callback([args] { run_train(*args); });
}

// ---- evaluate -------------------------------------------------------------------------------

struct EvaluateArgs {
  std::string project, model, images, annotations, database;
  bool json = false;
};

void run_evaluate(const EvaluateArgs& args) {
  auto store = open_store(args.project, args.database);
  const LoadedCheckpoint model = load_checkpoint(resolve_model_path(store.get(), args.model));
  std::vector<EvalImage> eval;
  ProgressBar bar("evaluate");
  const std::map<std::string, int> unknown = loop::read_annotated_images(
      args.images, args.annotations, model.category_names,
      [&](loop::AnnotatedImage&& image, std::size_t i, std::size_t count) {
        EvalImage e;
        e.detections = detect_image(*model.detector, image.bgr);
        e.truths = std::move(image.truths);
        eval.push_back(std::move(e));
        bar.update(static_cast<double>(i + 1) / count, image.file);
      });
  bar.finish();
  for (const auto& [name, n] : unknown) {
    spdlog::warn("{} boxes of category '{}' which the model does not know: not scored", n, name);
  }
  const EvalResult r = evaluate_detections(eval, static_cast<int>(model.category_names.size()));
  Json j = eval_result_json(r, model.category_names);
  j["images"] = eval.size();
  if (args.json) {
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << "images " << eval.size() << "\nmAP@0.5      " << pct(r.map50) << "\nmAP@0.5:0.95 "
            << pct(r.map) << "\nper class (AP@0.5, AP@0.5:0.95, boxes):\n";
  for (std::size_t c = 0; c < model.category_names.size(); ++c) {
    std::cout << "  " << model.category_names[c] << "  ";
    if (r.ap50[c]) {
      std::cout << pct(*r.ap50[c]) << "  " << pct(*r.ap[c]);
    } else {
      std::cout << "-      -    ";
    }
    std::cout << "  " << r.truth_counts[c] << "\n";
  }
  std::cout << "(classes without ground truth are left out of the means)\n";
}

void add_evaluate(CLI::App& app) {
  auto args = std::make_shared<EvaluateArgs>();
  auto* cmd = app.add_subcommand("evaluate", "Score a model on an annotated image set (mAP)");
  cmd->add_option("project", args->project, "Project folder")->required();
  add_database_option(*cmd, args->database);
  cmd->add_option("--model", args->model, "Model id, last, or checkpoint file")
      ->default_val("last");
  cmd->add_option("--images", args->images, "Folder of the images")->required();
  cmd->add_option("--annotations", args->annotations, "VOC folder, COCO .json or .csv")->required();
  cmd->add_flag("--json", args->json, "Print one JSON object");
  cmd->callback([args] { run_evaluate(*args); });
}

// ---- detect ---------------------------------------------------------------------------------

struct DetectArgs {
  std::vector<std::string> inputs;
  std::string database;
  std::string model;
  std::string out = "detections";
  bool draw = false;
  float threshold = 0.25f;
};

std::vector<fs::path> image_files(const fs::path& input) {
  std::vector<fs::path> files;
  if (fs::is_directory(input)) {
    for (const auto& e : fs::recursive_directory_iterator(input)) {
      if (e.is_regular_file() && has_image_extension(e.path())) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(input);
  }
  return files;
}

void run_detect(const DetectArgs& args) {
  if (args.inputs.empty()) throw Error{ErrorCode::kInvalidArgument, "give a project or images"};
  std::unique_ptr<Store> store;
  std::vector<fs::path> files;
  std::size_t first_image = 0;
  // The first input is the project when it holds one (with --db: when it is a folder).
  const fs::path first(args.inputs[0]);
  if (args.database.empty() ? fs::exists(first / Store::kDatabaseFile) : fs::is_directory(first)) {
    store = open_store(args.inputs[0], args.database);
    first_image = 1;
    if (args.inputs.size() == 1) {
      for (const Image& image : store->images()) files.push_back(store->image_dir() / image.path);
    }
  }
  for (std::size_t i = first_image; i < args.inputs.size(); ++i) {
    for (const fs::path& f : image_files(args.inputs[i])) files.push_back(f);
  }
  if (!store && args.model.empty()) {
    throw Error{ErrorCode::kInvalidArgument,
                "without a project, --model must name a checkpoint file"};
  }
  const std::string ref = args.model.empty() ? "last" : args.model;
  const LoadedCheckpoint model = load_checkpoint(resolve_model_path(store.get(), ref));
  ProgressBar bar("detect");
  std::vector<ImageDetections> results = detect_files(*model.detector, files, bar.callback());
  bar.finish();
  for (ImageDetections& r : results) r.detections = above_threshold(r.detections, args.threshold);
  const fs::path out(args.out);
  fs::create_directories(out);
  write_file_atomically(out / "detections.json",
                        detections_json(results, model.category_names).dump(2));
  write_file_atomically(out / "detections.csv", detections_csv(results, model.category_names));
  int boxes = 0;
  for (const ImageDetections& r : results) {
    boxes += static_cast<int>(r.detections.size());
    if (!args.draw) continue;
    const cv::Mat drawn =
        draw_detections(read_image_bgr(r.file), r.detections, model.category_names);
    const fs::path file = out / (fs::path(r.file).stem().string() + "_boxes.jpg");
    if (!cv::imwrite(file.string(), drawn)) {
      throw Error{ErrorCode::kIo, "cannot write " + file.string()};
    }
  }
  std::cout << results.size() << " images, " << boxes << " boxes (score >= " << args.threshold
            << ") -> " << (out / "detections.json").string() << ", detections.csv"
            << (args.draw ? ", *_boxes.jpg" : "") << "\n";
}

void add_detect(CLI::App& app) {
  auto args = std::make_shared<DetectArgs>();
  auto* cmd = app.add_subcommand("detect", "Run a model on a project's images or on image files");
  cmd->add_option("inputs", args->inputs, "PROJECT [IMAGES...] or IMAGES... (files or folders)")
      ->required();
  cmd->add_option("--model", args->model, "Model id, last, or checkpoint file (default: last)");
  add_database_option(*cmd, args->database);
  cmd->add_option("--out", args->out, "Output folder")->capture_default_str();
  cmd->add_flag("--draw", args->draw, "Also write the images with boxes drawn");
  cmd->add_option("--threshold", args->threshold, "Minimum score")->capture_default_str();
  cmd->callback([args] { run_detect(*args); });
}

// ---- model ----------------------------------------------------------------------------------

// Loads `file` as pretrained weights of `arch` for the project's categories: proof the file is
// usable before it is kept.
void check_pretrained(const fs::path& file, const std::string& arch, Store& store) {
  DetectorConfig config;
  config.arch = arch;
  config.num_classes = std::max<int>(1, static_cast<int>(store.categories().size()));
  const auto loaded = make_detector(config)->load_pretrained(file);
  spdlog::info("{}: {} tensors load into {}", file.string(), loaded.size(), arch);
}

struct ModelArgs {
  std::string source, project, sha256, arch = "fastestdet";
  std::string database;
};

void run_download(const ModelArgs& args) {
  auto store = open_store(args.project, args.database);
  std::string url = args.source, arch = args.arch;
  if (const auto known = known_weights(args.source)) {
    url = known->url;
    arch = known->arch;
  }
  const fs::path target = pretrained_dir(store->dir()) / (arch + ".pth");
  const fs::path staging = target.string() + ".download";
  ProgressBar bar("download");
  const DownloadResult result = download_file(url, staging, args.sha256, bar.callback());
  bar.finish();
  try {
    check_pretrained(staging, arch, *store);
  } catch (const Error& e) {
    fs::remove(staging);
    throw Error{e.code(),
                url + " did not give usable " + arch + " weights (nothing was kept): " + e.what()};
  } catch (...) {
    fs::remove(staging);
    throw;
  }
  fs::rename(staging, target);
  std::cout << target.string() << " (" << result.bytes << " bytes, sha256 " << result.sha256
            << ")\n";
}

void run_import(const ModelArgs& args) {
  auto store = open_store(args.project, args.database);
  check_pretrained(args.source, args.arch, *store);
  const fs::path target = pretrained_dir(store->dir()) / (args.arch + ".pth");
  fs::create_directories(target.parent_path());
  write_file_atomically(target, read_file_bytes(args.source));
  std::cout << target.string() << "\n";
}

void run_list(const std::string& project, const std::string& database) {
  auto store = open_store(project, database);
  const auto models = store->models();
  if (models.empty()) {
    std::cout << "no models yet\n";
    return;
  }
  std::printf("%-4s %-11s %-7s %-9s %-9s %-24s %s\n", "id", "arch", "images", "mAP@0.5", "mAP",
              "created", "weights");
  for (const ModelRecord& m : models) {
    // The audit set's figure when there is one (unbiased), else the held-out one.
    const Json audit = m.metrics.value("audit", Json());
    const Json& source = audit.is_object() ? audit : m.metrics;
    const auto metric = [&](const char* audit_key, const char* val_key) {
      const char* key = audit.is_object() ? audit_key : val_key;
      return source.contains(key) && source[key].is_number() ? pct(source[key].get<double>())
                                                             : std::string("-");
    };
    std::printf("%-4lld %-11s %-7d %-9s %-9s %-24s %s\n", static_cast<long long>(m.id),
                m.arch.c_str(), m.trained_on, metric("map50", "val_map50").c_str(),
                metric("map", "val_map").c_str(), m.created_at.c_str(), m.weights_path.c_str());
  }
}

void add_model(CLI::App& app) {
  auto* model = app.add_subcommand("model", "Pretrained weights and trained models");
  model->require_subcommand(1);
  auto args = std::make_shared<ModelArgs>();
  auto* download = model->add_subcommand("download", "Fetch pretrained weights (HTTP/HTTPS)");
  download->add_option("source", args->source, "A known name (fastestdet-coco) or a URL")
      ->required();
  download->add_option("--project", args->project, "Project folder")->required();
  add_database_option(*download, args->database);
  download->add_option("--sha256", args->sha256, "Expected SHA-256 of the file");
  download->add_option("--arch", args->arch, "Architecture the weights are for (URLs)")
      ->capture_default_str();
  download->callback([args] { run_download(*args); });

  auto* import = model->add_subcommand("import", "Use a local .pth as the pretrained weights");
  import->add_option("file", args->source, "Weights file (.pth)")->required();
  import->add_option("--project", args->project, "Project folder")->required();
  add_database_option(*import, args->database);
  import->add_option("--arch", args->arch, "Architecture")->capture_default_str();
  import->callback([args] { run_import(*args);
});

auto* list = model->add_subcommand("list", "The project's trained models");
list->add_option("project", args->project, "Project folder")->required();
add_database_option(*list, args->database);
list->callback([args] { run_list(args->project, args->database); });
}  // namespace

}  // namespace boxloop::cli

void add_model_commands(CLI::App& app) {
  add_train(app);
  add_evaluate(app);
  add_detect(app);
  add_model(app);
}

}  // namespace boxloop::cli
