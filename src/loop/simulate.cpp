#include "loop/simulate.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "active/strategy.h"
#include "core/error.h"
#include "imageio/image_file.h"
#include "loop/score.h"
#include "train/dataset.h"
#include "train/trainer.h"
#include "train/validation.h"

namespace boxloop::loop {

namespace fs = std::filesystem;

namespace {

// The oracle: the source project's labels, by image content (sha256), with category names so
// they map onto a scratch project's own category ids.
struct OracleImage {
  Image image;
  std::vector<std::pair<std::string, Box>> boxes;
};

void check_options(const SimulationOptions& o, int labeled) {
  if (o.strategies.empty() || o.seeds.empty()) {
    throw Error{ErrorCode::kInvalidArgument, "give at least one strategy and one seed"};
  }
  for (const std::string& spec : o.strategies) active::parse_strategy(spec);
  if (o.start < 1 || o.step < 1 || o.rounds < 1 || o.steps < 1 || o.batch < 1) {
    throw Error{ErrorCode::kInvalidArgument,
                "start, step, rounds, steps and batch must all be at least 1"};
  }
  if (o.test_fraction <= 0 || o.test_fraction >= 1) {
    throw Error{ErrorCode::kInvalidArgument, "the test fraction must be between 0 and 1"};
  }
  const int needed = o.start + (o.rounds - 1) * o.step;
  const int pool = labeled - static_cast<int>(std::ceil(labeled * o.test_fraction));
  if (needed > pool) {
    throw Error{ErrorCode::kInvalidArgument,
                "the simulation needs " + std::to_string(needed) + " pool images (start " +
                    std::to_string(o.start) + " + " + std::to_string(o.rounds - 1) + " rounds x " +
                    std::to_string(o.step) + ") but the project has " + std::to_string(labeled) +
                    " labeled images, about " + std::to_string(pool) +
                    " after holding out the test split"};
  }
}

std::unique_ptr<Store> make_scratch_project(Store& source, const fs::path& dir,
                                            const std::vector<OracleImage>& pool) {
  fs::remove_all(dir);
  auto store = Store::create(dir, source.name() + " (simulation)", source.categories());
  store->batch([&] {
    for (const OracleImage& o : pool) {
      const fs::path from = resolve_inside(source.image_dir(), o.image.path);
      const fs::path to = store->image_dir() / fs::path(o.image.path);
      fs::create_directories(to.parent_path());
      std::error_code linked;
      fs::create_hard_link(from, to, linked);
      if (linked) fs::copy_file(from, to, fs::copy_options::overwrite_existing);
      store->add_image(o.image.path, o.image.sha256, o.image.width, o.image.height);
    }
  });
  return store;
}

// "Labels" the images: saves the oracle's boxes as a labeler would. Returns the boxes saved.
int label(Store& store, const std::vector<Id>& ids,
          const std::map<std::string, OracleImage>& oracle) {
  std::map<std::string, Id> category_id;
  for (const Category& c : store.categories()) category_id[c.name] = c.id;
  int boxes = 0;
  store.batch([&] {
    for (Id id : ids) {
      const Image image = store.image(id).value();
      LabelSave save;
      save.image_id = id;
      save.expected_version = image.version;
      save.labeler = "oracle";
      for (const auto& [name, box] : oracle.at(image.sha256).boxes) {
        Annotation a;
        a.category_id = category_id.at(name);
        a.box = box;
        save.boxes.push_back(a);
      }
      boxes += static_cast<int>(save.boxes.size());
      store.save_labels(save);
    }
  });
  return boxes;
}

Json options_json(const SimulationOptions& o) {
  return Json{{"strategies", o.strategies}, {"seeds", o.seeds},
              {"start", o.start},           {"step", o.step},
              {"rounds", o.rounds},         {"test_fraction", o.test_fraction},
              {"split_seed", o.split_seed}, {"arch", o.arch},
              {"steps", o.steps},           {"batch", o.batch},
              {"input_size", o.input_size}, {"lr", o.lr},
              {"warm_start", o.warm_start}, {"first_from", o.first_from}};
}

Json run_json(const RunResult& run) {
  Json rounds = Json::array();
  for (const RoundResult& r : run.rounds) {
    rounds.push_back({{"images", r.images},
                      {"boxes", r.boxes},
                      {"map50", r.map50},
                      {"map", r.map},
                      {"train_seconds", r.train_seconds}});
  }
  return Json{{"strategy", run.strategy}, {"seed", run.seed}, {"rounds", rounds}};
}

double mean(const std::vector<double>& v) {
  if (v.empty()) return 0;
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double stddev(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

// Mean mAP@0.5 over the rounds the strategy chose (the first round's images are random for
// every strategy, so it is left out).
double queried_auc(const Json& run) {
  std::vector<double> maps;
  const Json& rounds = run["rounds"];
  for (std::size_t i = 1; i < rounds.size(); ++i) maps.push_back(rounds[i]["map50"].get<double>());
  if (maps.empty() && !rounds.empty()) maps.push_back(rounds[0]["map50"].get<double>());
  return mean(maps);
}

}  // namespace

Json summarise(const Json& runs) {
  std::map<std::string, std::vector<const Json*>> by_strategy;
  std::vector<std::string> order;
  for (const Json& run : runs) {
    const std::string s = run["strategy"].get<std::string>();
    if (!by_strategy.count(s)) order.push_back(s);
    by_strategy[s].push_back(&run);
  }
  std::map<std::uint64_t, double> random_auc;
  std::map<std::uint64_t, int> random_boxes;
  for (const Json* run : by_strategy["random"]) {
    random_auc[(*run)["seed"].get<std::uint64_t>()] = queried_auc(*run);
    random_boxes[(*run)["seed"].get<std::uint64_t>()] = (*run)["rounds"].back()["boxes"].get<int>();
  }
  Json out = Json::array();
  for (const std::string& strategy : order) {
    const auto& list = by_strategy[strategy];
    std::size_t n_rounds = 0;
    for (const Json* run : list) n_rounds = std::max(n_rounds, (*run)["rounds"].size());
    Json rounds = Json::array();
    for (std::size_t r = 0; r < n_rounds; ++r) {
      std::vector<double> maps, boxes, images;
      for (const Json* run : list) {
        if (r >= (*run)["rounds"].size()) continue;
        const Json& p = (*run)["rounds"][r];
        maps.push_back(p["map50"].get<double>());
        boxes.push_back(p["boxes"].get<double>());
        images.push_back(p["images"].get<double>());
      }
      rounds.push_back({{"images", mean(images)},
                        {"boxes", mean(boxes)},
                        {"map50", mean(maps)},
                        {"map50_sd", stddev(maps)},
                        {"runs", maps.size()}});
    }
    std::vector<double> aucs, deltas, box_deltas;
    int wins = 0;
    for (const Json* run : list) {
      const double auc = queried_auc(*run);
      aucs.push_back(auc);
      const auto seed = (*run)["seed"].get<std::uint64_t>();
      if (strategy != "random" && random_auc.count(seed)) {
        deltas.push_back(auc - random_auc[seed]);
        box_deltas.push_back((*run)["rounds"].back()["boxes"].get<double>() - random_boxes[seed]);
        if (deltas.back() > 0) ++wins;
      }
    }
    Json entry{{"strategy", strategy},
               {"rounds", rounds},
               {"auc", mean(aucs)},
               {"auc_sd", stddev(aucs)},
               {"seeds", aucs.size()}};
    if (!deltas.empty()) {
      entry["vs_random"] = {{"auc_delta", mean(deltas)},
                            {"auc_delta_sd", stddev(deltas)},
                            {"seeds_won", wins},
                            {"seeds", deltas.size()},
                            {"final_boxes_delta", mean(box_deltas)}};
    }
    out.push_back(entry);
  }
  return out;
}

Json simulate(Store& source, const SimulationOptions& o, const ReportFn& on_report,
              const RoundFn& on_round) {
  use_all_cores();
  const std::vector<LabeledImage> labeled = source.labeled_images();
  check_options(o, static_cast<int>(labeled.size()));
  std::vector<std::string> strategies;
  for (const std::string& spec : o.strategies) {
    strategies.push_back(active::to_string(active::parse_strategy(spec)));
  }

  std::map<Id, std::string> category_name;
  for (const Category& c : source.categories()) category_name[c.id] = c.name;
  std::map<std::string, OracleImage> oracle;
  for (const LabeledImage& l : labeled) {
    OracleImage& entry = oracle[l.image.sha256];
    entry.image = l.image;
    for (const Annotation& a : l.boxes)
      entry.boxes.emplace_back(category_name.at(a.category_id), a.box);
  }

  // The test split, fixed for every run: samples decoded once, scored after every round.
  const std::vector<Sample> samples = load_samples(source, o.input_size * 2);
  const Split split = split_by_image(samples, o.test_fraction, o.split_seed);
  std::vector<OracleImage> pool;
  for (std::size_t i : split.train) {
    pool.push_back(oracle.at(source.image(samples[i].image_id).value().sha256));
  }
  spdlog::info("simulation: {} pool images, {} test images, {} strategies x {} seeds, {} rounds",
               pool.size(), split.val.size(), strategies.size(), o.seeds.size(), o.rounds);

  Json report{{"options", options_json(o)},
              {"pool_images", pool.size()},
              {"test_images", split.val.size()},
              {"runs", Json::array()}};
  if (o.previous_report.contains("options")) {
    // Mixing runs of different budgets or splits would make the curves incomparable.
    const Json now = options_json(o);
    for (const auto& [key, value] : now.items()) {
      if (key == "strategies" || key == "seeds") continue;
      if (o.previous_report["options"].value(key, Json()) != value) {
        throw Error{ErrorCode::kInvalidArgument,
                    "the existing report was made with " + key + " = " +
                        o.previous_report["options"].value(key, Json()).dump() + ", not " +
                        value.dump() + ": give another report file or start afresh"};
      }
    }
  }
  const fs::path work =
      o.work_dir.empty() ? fs::temp_directory_path() / "boxloop-simulation" : o.work_dir;
  for (std::uint64_t seed : o.seeds) {
    for (const std::string& strategy : strategies) {
      bool done = false;
      if (o.previous_report.contains("runs")) {
        for (const Json& run : o.previous_report["runs"]) {
          if (run["strategy"] == strategy && run["seed"] == seed &&
              static_cast<int>(run["rounds"].size()) == o.rounds) {
            report["runs"].push_back(run);
            done = true;
          }
        }
      }
      if (done) {
        spdlog::info("simulation: {} seed {} already in the report", strategy, seed);
        continue;
      }
      const fs::path dir = work / ("run-" + std::to_string(seed) + "-" + strategy);
      auto store = make_scratch_project(source, dir, pool);
      // The first images: a seeded random choice, the same for every strategy of this seed.
      std::vector<Image> images = store->images();
      std::mt19937_64 rng(seed);
      std::shuffle(images.begin(), images.end(), rng);
      std::vector<Id> chosen;
      for (int i = 0; i < o.start; ++i) chosen.push_back(images[i].id);

      RunResult run{strategy, seed, {}};
      int boxes = 0;
      for (int round = 0; round < o.rounds; ++round) {
        if (round > 0) {
          ScoreOptions score;
          score.strategy = strategy;
          score.seed = seed * 1000 + static_cast<std::uint64_t>(round);
          score_unlabeled(*store, score);
          chosen.clear();
          for (const QueueEntry& q : store->queue()) {
            if (static_cast<int>(chosen.size()) == o.step) break;
            chosen.push_back(q.image_id);
          }
        }
        boxes += label(*store, chosen, oracle);

        TrainOptions t;
        t.arch = o.arch;
        t.epochs = 1;
        t.min_steps = o.steps;
        t.batch = o.batch;
        t.lr = o.lr;
        t.input_size = o.input_size;
        t.val_fraction = 0;
        t.eval_every = 1 << 30;  // once, at the end: the test split is what counts here
        t.warmup_steps = std::min(100, o.steps / 4);
        t.from = round > 0 && o.warm_start ? "last" : o.first_from;
        t.pretrained = o.pretrained;
        t.pretrained_fallbacks = o.pretrained_fallbacks;
        t.allow_empty_categories = true;
        t.seed = seed * 1000 + static_cast<std::uint64_t>(round);
        const auto started = std::chrono::steady_clock::now();
        const TrainResult trained = train_detector(*store, t);
        RoundResult point;
        point.train_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const LoadedCheckpoint model = load_checkpoint(trained.weights);
        const EvalResult eval =
            evaluate_on_samples(*model.detector, samples, split.val, o.input_size, 16);
        point.images = static_cast<int>(store->image_counts().labeled);
        point.boxes = boxes;
        point.map50 = eval.map50;
        point.map = eval.map;
        run.rounds.push_back(point);
        spdlog::info("simulation: {} seed {} round {}: {} images, {} boxes, test mAP@0.5 {:.3f}",
                     strategy, seed, round + 1, point.images, point.boxes, point.map50);
        if (on_round) on_round(run);
      }
      report["runs"].push_back(run_json(run));
      report["summary"] = summarise(report["runs"]);
      if (on_report) on_report(report);
      store.reset();
      fs::remove_all(dir);
    }
  }
  report["summary"] = summarise(report["runs"]);
  return report;
}

}  // namespace boxloop::loop
