// The real-cards figures of the README: fine-tune a detector on 80% of the card photos
// (../shared/data/cards/train, Pascal VOC) and score it on the other 20%, from the COCO weights
// and from random initialisation. Builds a throw-away project in a temp folder with the same
// library calls the CLI makes (import images, import labels, train). Prints one JSON line per run.
//
//   bench_cards_train [--data DIR] [--epochs N] [--from pretrained,scratch] [--input-size S]
//                     [--batch B] [--lr L] [--pretrained FILE] [--keep DIR]
//                     [--train JSON]   (any training option over these, as a train job takes them)
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <thread>

#include "project/project_ops.h"
#include "store/store.h"
#include "synth/synth.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
using namespace boxloop;

int main(int argc, char** argv) {
  fs::path data = fs::path(BOXLOOP_SOURCE_DIR) / "../shared/data/cards/train";
  fs::path pretrained =
      fs::path(BOXLOOP_SOURCE_DIR) / "../shared/models/fastestdet-coco/fastestdet_coco_cpu.pth";
  fs::path keep;
  std::string froms = "pretrained,scratch";
  TrainOptions o;
  o.epochs = 60;
  o.batch = 16;
  o.lr = 0.01;
  o.input_size = 352;
  o.val_fraction = 0.2;
  o.warmup_steps = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--data")
      data = v;
    else if (k == "--epochs")
      o.epochs = std::stoi(v);
    else if (k == "--from")
      froms = v;
    else if (k == "--input-size")
      o.input_size = std::stoi(v);
    else if (k == "--batch")
      o.batch = std::stoi(v);
    else if (k == "--lr")
      o.lr = std::stod(v);
    else if (k == "--pretrained")
      pretrained = v;
    else if (k == "--keep")
      keep = v;
    else if (k == "--train")
      o = train_options_from_json(Json::parse(v), o);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  if (!fs::exists(data)) {
    std::cerr << "no card photos at " << data << "\n";
    return 1;
  }
  std::stringstream list(froms);
  std::string from;
  while (std::getline(list, from, ',')) {
    const fs::path dir = !keep.empty()
                             ? keep / from
                             : fs::temp_directory_path() /
                                   ("boxloop-bench-cards-" + std::to_string(getpid()) + "-" + from);
    fs::remove_all(dir);
    std::vector<Category> categories;
    for (const std::string& name : card_ranks()) categories.push_back(Category{0, name, "", "", 0});
    auto store = Store::create(dir, "cards", categories);
    const auto imported = import_images(*store, {data});
    const auto labels = import_labels(*store, data, "voc");
    spdlog::info("{} images imported, {} labeled ({} boxes, {} problems)", imported.size(),
                 labels.images_labeled, labels.boxes, labels.problems.size());
    TrainOptions run = o;
    run.from = from;
    run.pretrained = from == "pretrained" ? pretrained : fs::path();
    const auto start = std::chrono::steady_clock::now();
    const TrainResult r = train_detector(*store, run);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const Json& epochs = r.metrics["epochs"];
    Json line{{"figure", "cards_train_" + from},
              {"arch", run.arch},
              {"from", from},
              {"val_map50_final", r.metrics["val_map50"]},
              {"val_map_final", r.metrics["val_map"]},
              {"val_map50_best", r.metrics["best_val_map50"]},
              {"val_map_best", r.metrics["best_val_map"]},
              {"best_epoch", r.metrics["best_epoch"]},
              {"per_class_ap50_best", r.metrics["best_per_class_ap50"]},
              {"epochs", epochs.size()},
              {"steps", epochs.back()["step"]},
              {"batch", run.batch},
              {"input_size", run.input_size},
              {"train_images", r.metrics["train_images"]},
              {"val_images", r.metrics["val_images"]},
              {"wall_seconds", wall},
              {"options", to_json(run)},
              {"cores", std::thread::hardware_concurrency()},
              {"note", "machine shared with other jobs while measured"}};
    std::cout << line.dump() << std::endl;
    if (keep.empty()) fs::remove_all(dir);
  }
  return 0;
}
