#include "loop/simulate.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <opencv2/imgproc.hpp>
#include <set>

#include "active/strategy.h"
#include "core/error.h"
#include "core/time.h"
#include "imageio/image_file.h"
#include "loop/annotated_set.h"
#include "loop/first_batch.h"
#include "loop/round_options.h"
#include "loop/score.h"
#include "loop/state/box_query.h"
#include "loop/state/proposals.h"
#include "loop/state/rounds.h"
#include "loop/state/settings_change.h"
#include "train/dataset.h"
#include "train/trainer.h"
#include "train/validation.h"

namespace boxloop::loop {

namespace fs = std::filesystem;

namespace {

constexpr int kReportFormat = 2;

[[noreturn]] void bad(const std::string& what) { throw Error{ErrorCode::kInvalidArgument, what}; }

// The oracle: the source project's labels, by image content (sha256), with category names so
// they map onto a scratch project's own category ids.
struct OracleImage {
  Image image;
  std::vector<std::pair<std::string, Box>> boxes;
};

// The images every round is scored on, decoded once.
struct TestSet {
  std::vector<Sample> samples;
  std::vector<std::size_t> indices;  // all of samples (evaluate_on_samples takes indices)
  Json description;                  // the report's "test"
};

bool external_test_set(const SimulationOptions& o) { return !o.test_annotations.empty(); }

// How a run's rounds after the first label their images.
enum class Labeling {
  kWholeImages,
  kBoxQueries,               // kBoxQueryPrefix
  kBoxQueriesKeepSettled,    // kBoxQueryKeepSettledPrefix
  kBoxQueriesKeepProposals,  // kBoxQueryKeepProposalsPrefix
};

std::string_view prefix_of(Labeling labeling) {
  switch (labeling) {
    case Labeling::kWholeImages:
      return {};
    case Labeling::kBoxQueries:
      return kBoxQueryPrefix;
    case Labeling::kBoxQueriesKeepSettled:
      return kBoxQueryKeepSettledPrefix;
    case Labeling::kBoxQueriesKeepProposals:
      return kBoxQueryKeepProposalsPrefix;
  }
  return {};
}

// One run's plan, read from its name in SimulationOptions::strategies: how the first `start`
// images are chosen (at random, or TypiClust's typical, spread-out images under the pretrained
// detector's features), then the query order of the rounds after and how their images are
// labeled.
struct RunPlan {
  bool typical_start = false;
  Labeling labeling = Labeling::kWholeImages;
  std::string strategy;  // canonical spec
  std::string name() const {
    return std::string(typical_start ? kTypicalStartPrefix : std::string_view{}) +
           std::string(prefix_of(labeling)) + strategy;
  }
};

RunPlan parse_run_plan(const std::string& spec) {
  RunPlan plan;
  std::string rest = spec;
  if (rest.rfind(kTypicalStartPrefix, 0) == 0) {
    plan.typical_start = true;
    rest.erase(0, kTypicalStartPrefix.size());
  }
  for (Labeling labeling : {Labeling::kBoxQueries, Labeling::kBoxQueriesKeepSettled,
                            Labeling::kBoxQueriesKeepProposals}) {
    const std::string_view prefix = prefix_of(labeling);
    if (rest.rfind(prefix, 0) == 0) {
      plan.labeling = labeling;
      rest.erase(0, prefix.size());
    }
  }
  plan.strategy = active::to_string(active::parse_strategy(rest));
  return plan;
}

void check_plan(const SimulationOptions& o) {
  if (o.strategies.empty() || o.seeds.empty()) bad("give at least one strategy and one seed");
  std::set<std::string> strategies;
  for (const std::string& spec : o.strategies) {
    if (!strategies.insert(parse_run_plan(spec).name()).second) {
      bad("strategy " + spec + " is given twice");
    }
  }
  if (std::set<std::uint64_t>(o.seeds.begin(), o.seeds.end()).size() != o.seeds.size()) {
    bad("a seed is given twice: runs are paired by seed");
  }
  if (o.start < 1 || o.step < 1 || o.rounds < 1) {
    bad("start, step and rounds must all be at least 1");
  }
  if (o.test_images.empty() != o.test_annotations.empty()) {
    bad("an external test set needs both its images and its annotations");
  }
  if (!external_test_set(o) && (o.test_fraction <= 0 || o.test_fraction >= 1)) {
    bad("the test fraction must be between 0 and 1");
  }
  if (!o.train_overrides.is_object()) bad("the training overrides must be a JSON object");
  if (!o.pretrained.empty() && !fs::is_regular_file(o.pretrained)) {
    bad("no pretrained weights at " + o.pretrained.string());
  }
}

// The scratch projects' settings: the source project's model and train objects (the overrides
// and an explicit pretrained file written over "train"), and a trigger of one round per `step`
// labels (a +diverse strategy takes its batch size from it, as in the loop).
ProjectSettings scratch_settings(Store& source, const SimulationOptions& o) {
  const ProjectSettings settings = source.settings();
  Json train = settings.train;
  for (const auto& [key, value] : o.train_overrides.items()) train[key] = value;
  // A loop round also has a wall-clock budget (kRoundTimeBudgetSeconds) that stops it early on a
  // slow or busy machine; a simulation's rounds keep the step cap alone unless --train sets one,
  // or its curves would depend on the machine and its load. On 2 quiet cores the 120 steps take
  // about 25 s, inside the loop's 45 s budget, so the two train the same steps there.
  if (!o.train_overrides.contains("time_budget_seconds")) train["time_budget_seconds"] = 0;
  if (!o.pretrained.empty()) train["pretrained"] = o.pretrained.string();
  ProjectSettings out;
  out.train = train;
  out.trigger_every = o.step;
  out.model = settings.model;
  // Refuses a typo before any image is read; the rounds read the same object again.
  read_train_settings(out);
  return out;
}

std::unique_ptr<Store> make_scratch_project(Store& source, const fs::path& dir,
                                            const ProjectSettings& settings,
                                            const std::vector<OracleImage>& pool) {
  fs::remove_all(dir);
  auto store = Store::create(dir, source.name() + " (simulation)", source.categories());
  store->change_settings([&](ProjectSettings& s) { s = settings; });
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

// One round of the oracle's labeling: its actions and the boxes it saved.
struct OracleRound {
  OracleActions actions;
  int boxes = 0;
};

// An image to label: whole, or only inside regions (a box-level query).
struct Query {
  Id image_id = 0;
  std::vector<Box> regions;  // empty: the whole image
  // Saved as the model's boxes beside the labeler's (kBoxQueryKeepSettledPrefix).
  std::vector<Proposal> kept;
};

std::vector<Query> whole_images(const std::vector<Id>& ids) {
  std::vector<Query> queries;
  for (Id id : ids) queries.push_back(Query{id, {}, {}});
  return queries;
}

bool centre_in_any(const Box& box, const std::vector<Box>& regions) {
  return std::any_of(regions.begin(), regions.end(),
                     [&](const Box& region) { return centre_inside(box, region); });
}

// "Labels" the (still unlabeled) images as a labeler would: first what the oracle does with the
// proposals the page shows on each (proposals_for: the scoring model's detections at or above its
// chosen threshold, at most kMaxProposalsPerImage, as the score step stored them, so nothing is
// detected again; none before the first model scored a queue, so every box is drawn), then the
// save of its true boxes, which ends the image's proposals. A query with regions is labeled
// inside them only (label_inside), with the proposals whose centre lies in one of them.
OracleRound label(Store& store, const std::vector<Query>& queries,
                  const std::map<std::string, OracleImage>& oracle) {
  std::map<std::string, Id> category_id;
  for (const Category& c : store.categories()) category_id[c.name] = c.id;
  OracleRound round;
  store.batch([&] {
    for (const Query& query : queries) {
      const Image image = store.image(query.image_id).value();
      LabelSave save;
      save.image_id = image.id;
      save.expected_version = image.version;
      save.labeler = "oracle";
      std::vector<Annotation> truths;
      for (const auto& [name, box] : oracle.at(image.sha256).boxes) {
        Annotation a;
        a.category_id = category_id.at(name);
        a.box = box;
        truths.push_back(a);
      }
      std::vector<Proposal> shown = proposals_for(store, image).proposals;
      if (query.regions.empty()) {
        save.boxes = std::move(truths);
      } else {
        std::vector<Box> truth_boxes;
        for (const Annotation& a : truths) truth_boxes.push_back(a.box);
        const PartialLabel partial = label_inside(truth_boxes, query.regions);
        for (std::size_t i : partial.taken) save.boxes.push_back(truths[i]);
        save.regions = partial.regions;
        std::erase_if(shown,
                      [&](const Proposal& p) { return !centre_in_any(p.box, query.regions); });
      }
      // Counted before the model's boxes join: people labeled these.
      round.actions += oracle_actions(save.boxes, shown);
      round.boxes += static_cast<int>(save.boxes.size());
      for (const Proposal& p : query.kept) {
        if (centre_in_any(p.box, query.regions)) continue;  // the labeler's answer stands there
        Annotation a;
        a.category_id = p.category_id;
        a.box = p.box;
        a.source = BoxSource::kModel;
        a.score = p.score;
        a.origin = BoxOrigin::kAccepted;
        save.boxes.push_back(a);
        const Box known = with_context(p.box, image);
        if (known.w > 0 && known.h > 0) save.regions.push_back(known);
      }
      store.save_labels(save);
    }
  });
  return round;
}

// The next `count` box-level queries from the scratch project's queue (kBoxQueryPrefix): in
// queue order, each image asked about what its scoring model is unsure of, and passed over when
// there is nothing.
std::vector<Query> box_queries(Store& scratch, int count, Labeling labeling) {
  const std::optional<Id> model = scratch.queue_model();
  const double threshold = effective_proposal_threshold(scratch, model);
  const bool keep_settled = labeling != Labeling::kBoxQueries;
  std::vector<Query> queries;
  for (const QueueEntry& entry : scratch.queue()) {
    if (static_cast<int>(queries.size()) == count) break;
    const Image image = scratch.image(entry.image_id).value();
    const BoxQuery query = box_query(image, scratch.proposals(entry.image_id), threshold,
                                     labeling == Labeling::kBoxQueriesKeepProposals);
    if (!query.ask) continue;
    // A whole-image query has no settled detection to keep (it has no detection above noise).
    queries.push_back(Query{entry.image_id, query.regions,
                            keep_settled ? query.settled : std::vector<Proposal>{}});
  }
  return queries;
}

// The run's effort after one more round of labeling.
SimulatedEffort add_effort(SimulatedEffort effort, const OracleActions& actions,
                           const CostModel& costs) {
  effort.actions += actions;
  effort.seconds += effort_seconds(actions, costs);
  effort.seconds_drawn += effort_seconds_drawn(actions, costs);
  return effort;
}

// A sample of an external test image, kept at most `keep_size` on its longer side as the
// project's samples are (train/dataset.h).
Sample external_sample(AnnotatedImage&& image, int keep_size) {
  Sample s;
  s.path = image.file;
  const double scale =
      std::min(1.0, static_cast<double>(keep_size) / std::max(image.bgr.cols, image.bgr.rows));
  if (scale < 1.0) {
    cv::resize(image.bgr, s.bgr, cv::Size(), scale, scale, cv::INTER_AREA);
  } else {
    s.bgr = image.bgr;
  }
  s.scale_x = static_cast<double>(image.bgr.cols) / s.bgr.cols;
  s.scale_y = static_cast<double>(image.bgr.rows) / s.bgr.rows;
  for (const TruthBox& t : image.truths) {
    s.boxes.push_back(
        Box{t.box.x / s.scale_x, t.box.y / s.scale_y, t.box.w / s.scale_x, t.box.h / s.scale_y});
    s.labels.push_back(t.class_index);
  }
  return s;
}

int count_boxes(const std::vector<Sample>& samples) {
  int n = 0;
  for (const Sample& s : samples) n += static_cast<int>(s.boxes.size());
  return n;
}

// The test split of the project, and the rest of the labeled images as the pool.
TestSet split_test_set(Store& source, const SimulationOptions& o, int keep_size,
                       const std::map<std::string, OracleImage>& oracle,
                       std::vector<OracleImage>& pool) {
  std::vector<Sample> samples = load_samples(source, keep_size);
  const Split split = split_by_image(samples, o.test_fraction, o.split_seed);
  for (std::size_t i : split.train) {
    if (samples[i].known) continue;  // partly labeled: no oracle (and never in the test split)
    pool.push_back(oracle.at(source.image(samples[i].image_id).value().sha256));
  }
  TestSet test;
  for (std::size_t i : split.val) test.samples.push_back(std::move(samples[i]));
  for (std::size_t i = 0; i < test.samples.size(); ++i) test.indices.push_back(i);
  test.description = {{"kind", "split"},
                      {"fraction", o.test_fraction},
                      {"split_seed", o.split_seed},
                      {"images", test.samples.size()},
                      {"boxes", count_boxes(test.samples)}};
  return test;
}

// An external test set, and every labeled image of the project as the pool but those whose
// file is also in the test set (the same bytes): a test image must never be labeled.
TestSet external_test(Store& source, const SimulationOptions& o, int keep_size,
                      const std::map<std::string, OracleImage>& oracle,
                      std::vector<OracleImage>& pool) {
  std::vector<std::string> class_names;
  for (const Category& c : source.categories()) class_names.push_back(c.name);
  TestSet test;
  std::set<std::string> test_hashes;
  const std::map<std::string, int> unknown =
      read_annotated_images(o.test_images, o.test_annotations, class_names,
                            [&](AnnotatedImage&& image, std::size_t, std::size_t) {
                              test_hashes.insert(sha256_hex(read_file_bytes(image.path)));
                              test.samples.push_back(external_sample(std::move(image), keep_size));
                            });
  for (const auto& [name, n] : unknown) {
    spdlog::warn(
        "simulation: {} test boxes of category '{}', which the project does not have: "
        "not scored",
        n, name);
  }
  int duplicates = 0;
  for (const auto& [sha, entry] : oracle) {
    if (test_hashes.count(sha)) {
      ++duplicates;
    } else {
      pool.push_back(entry);
    }
  }
  if (duplicates > 0) {
    spdlog::warn(
        "simulation: {} labeled images of the project are also in the test set: left "
        "out of the pool",
        duplicates);
  }
  for (std::size_t i = 0; i < test.samples.size(); ++i) test.indices.push_back(i);
  test.description = {{"kind", "external"},
                      {"images_dir", o.test_images.string()},
                      {"annotations", o.test_annotations.string()},
                      {"images", test.samples.size()},
                      {"boxes", count_boxes(test.samples)},
                      {"pool_duplicates_left_out", duplicates}};
  return test;
}

// The options as given (the test set is described in the report's "test").
Json options_json(const SimulationOptions& o) {
  return Json{{"strategies", o.strategies},
              {"seeds", o.seeds},
              {"start", o.start},
              {"step", o.step},
              {"rounds", o.rounds},
              {"train_overrides", o.train_overrides},
              {"pretrained", o.pretrained.string()},
              {"costs", to_json(o.costs)},
              {"cost_source", o.cost_source}};
}

// What a round trains with, minus what differs between rounds (the seed, the start).
Json round_training_json(const TrainOptions& t) {
  Json j = to_json(t);
  j.erase("seed");
  j.erase("from");
  return j;
}

// A round's training as far as it shapes the run: with a fixed number of steps, the epoch count
// and the step floor are never read, so a report recorded under other defaults still compares.
Json training_that_matters(Json training) {
  if (training.is_object() && training.value("steps", 0) > 0) {
    training.erase("epochs");
    training.erase("min_steps");
  }
  return training;
}

// Runs of another design (budget, rounds, test set, pool) would make the curves incomparable.
void check_same_design(const Json& previous, const Json& report) {
  if (previous.value("format", 1) != kReportFormat) {
    bad("the existing report is of an older format: give another report file or start afresh");
  }
  report_runs(previous);  // a damaged run is kCorrupt now, not after the next run trains
  const auto differ = [&](const std::string& what, const Json& was, const Json& now) {
    std::string first = what;
    Json first_was = was, first_now = now;
    if (was.is_object() && now.is_object()) {
      // Name the first field that differs rather than two long objects.
      Json keys = was;
      keys.update(now);
      for (const auto& [key, ignored] : keys.items()) {
        if (was.value(key, Json()) == now.value(key, Json())) continue;
        first = what + "." + key;
        first_was = was.value(key, Json());
        first_now = now.value(key, Json());
        break;
      }
    }
    bad("the existing report was made with " + first + " = " + first_was.dump() + ", not " +
        first_now.dump() + ": give another report file or start afresh (--fresh)");
  };
  for (const auto& [key, value] : report["options"].items()) {
    if (key == "strategies" || key == "seeds") continue;
    const Json was = previous["options"].value(key, Json());
    if (was != value) differ(key, was, value);
  }
  const Json training_was = training_that_matters(previous.value("round_training", Json()));
  const Json training_now = training_that_matters(report["round_training"]);
  if (training_was != training_now) differ("round_training", training_was, training_now);
  for (const char* key : {"test", "pool_images"}) {
    const Json was = previous.value(key, Json());
    if (was != report[key]) differ(key, was, report[key]);
  }
}

std::optional<Json> previous_run(const Json& previous, const std::string& strategy,
                                 std::uint64_t seed, int rounds) {
  if (!previous.contains("runs")) return std::nullopt;
  for (const Json& run : previous["runs"]) {
    if (run.value("strategy", "") == strategy && run.value("seed", Json()) == Json(seed) &&
        run.contains("rounds") && static_cast<int>(run["rounds"].size()) == rounds) {
      return run;
    }
  }
  return std::nullopt;
}

std::uint64_t round_seed(std::uint64_t seed, int round) {
  return seed * 1000 + static_cast<std::uint64_t>(round);
}

// The first `count` images of the scratch project's queue.
std::vector<Id> queue_head(Store& scratch, int count) {
  std::vector<Id> head;
  for (const QueueEntry& entry : scratch.queue()) {
    if (static_cast<int>(head.size()) == count) break;
    head.push_back(entry.image_id);
  }
  return head;
}

// The first images at random, the same for every strategy of this seed: the head of the queue the
// loop's first batch publishes (order_first_batch), so the two cannot drift apart. The first
// round's scoring replaces that queue.
std::vector<Id> random_start(Store& scratch, int start, std::uint64_t seed) {
  ScoreOptions options;
  options.seed = seed;
  order_first_batch(scratch, FirstBatch::kRandom, options);
  return queue_head(scratch, start);
}

// The first images by TypiClust on the features of the weights the first round starts from (the
// only model there is before anything is labeled), as the loop's first batch would be chosen.
std::vector<Id> typical_start(Store& scratch, const SimulationOptions& o, std::uint64_t seed) {
  auto picks =
      typical_first_images(scratch, scratch.images(), o.start, seed, o.pretrained_fallbacks);
  // simulate() refused the plan already when the first round would not start pretrained.
  if (!picks) throw Error{ErrorCode::kInternal, "no pretrained weights for the first batch"};
  return std::move(*picks);
}

void finish(Json& report) {
  const std::vector<RunResult> runs = report_runs(report);
  std::set<std::string> commits;
  for (const RunResult& run : runs) commits.insert(run.commit);
  report["run_commits"] = commits;
  report["summary"] = to_json(summarise(runs));
  report["updated"] = now_iso8601();
}

}  // namespace

TrainOptions simulation_round_options(Store& scratch, std::uint64_t seed, int round,
                                      const std::vector<fs::path>& fallbacks) {
  TrainOptions t = train_job_options(scratch, Json{{kRoundAfterEventKey, 0}}, fallbacks);
  t.seed = round_seed(seed, round);
  return t;
}

std::vector<RunResult> report_runs(const Json& report) {
  std::vector<RunResult> runs;
  if (!report.contains("runs")) return runs;
  for (const Json& run : report["runs"]) runs.push_back(run_from_json(run));
  return runs;
}

Json simulate(Store& source, const SimulationOptions& o, const ReportFn& on_report,
              const RoundFn& on_round) {
  prepare_cpu_for_torch();
  check_plan(o);
  const ProjectSettings settings = scratch_settings(source, o);
  std::vector<RunPlan> plans;
  for (const std::string& spec : o.strategies) plans.push_back(parse_run_plan(spec));
  const fs::path work =
      o.work_dir.empty() ? fs::temp_directory_path() / "boxloop-simulation" : o.work_dir;

  // What a round trains with, from the loop's own code on an empty scratch project.
  const bool made_work = fs::create_directories(work);
  const auto drop_work = [&] {
    std::error_code ignored;
    if (made_work) fs::remove(work, ignored);  // only when empty: never someone's files
  };
  TrainOptions probe;
  try {
    auto store = Store::create(work / "probe", source.name() + " (probe)", source.categories());
    store->change_settings([&](ProjectSettings& s) { s = settings; });
    probe = train_job_options(*store, Json{{kRoundAfterEventKey, 0}}, o.pretrained_fallbacks);
  } catch (...) {
    fs::remove_all(work / "probe");
    drop_work();
    throw;
  }
  fs::remove_all(work / "probe");
  const bool any_typical_start =
      std::any_of(plans.begin(), plans.end(), [](const RunPlan& p) { return p.typical_start; });
  if (any_typical_start && probe.from != "pretrained") {
    drop_work();
    bad(std::string(kTypicalStartPrefix) +
        " chooses the first images on the pretrained weights' features, and the first round "
        "would start from " +
        probe.from + ": give --pretrained or put the weights where the project finds them");
  }

  std::map<Id, std::string> category_name;
  for (const Category& c : source.categories()) category_name[c.id] = c.name;
  std::map<std::string, OracleImage> oracle;
  for (const LabeledImage& l : source.labeled_images()) {
    // A partly labeled image is no oracle: what lies outside its regions is unknown.
    if (!l.regions.empty()) continue;
    OracleImage& entry = oracle[l.image.sha256];
    entry.image = l.image;
    for (const Annotation& a : l.boxes)
      entry.boxes.emplace_back(category_name.at(a.category_id), a.box);
  }
  if (oracle.empty()) {
    drop_work();
    bad("the project has no labeled images to act as the oracle");
  }

  // The test set, decoded once at twice the input size (the resize to the input is then a
  // downscale, as for the project's own samples).
  std::vector<OracleImage> pool;
  const int keep_size = probe.input_size * 2;
  const TestSet test = external_test_set(o) ? external_test(source, o, keep_size, oracle, pool)
                                            : split_test_set(source, o, keep_size, oracle, pool);
  const int needed = o.start + (o.rounds - 1) * o.step;
  if (needed > static_cast<int>(pool.size())) {
    drop_work();
    bad("the simulation needs " + std::to_string(needed) + " pool images (start " +
        std::to_string(o.start) + " + " + std::to_string(o.rounds - 1) + " rounds x " +
        std::to_string(o.step) + ") but the pool has " + std::to_string(pool.size()) + " (" +
        std::to_string(oracle.size()) + " labeled images" +
        (external_test_set(o) ? "" : ", less the test split") + ")");
  }
  if (test.samples.empty()) {
    drop_work();
    bad("the test set is empty");
  }

  Json report{{"format", kReportFormat},
              {"commit", o.commit},
              {"created", now_iso8601()},
              {"options", options_json(o)},
              {"round_training", round_training_json(probe)},
              {"interval", kIntervalDescription},
              {"test", test.description},
              {"pool_images", pool.size()},
              {"runs", Json::array()}};
  if (o.previous_report.contains("options")) {
    try {
      check_same_design(o.previous_report, report);
    } catch (...) {
      drop_work();
      throw;
    }
    report["created"] = o.previous_report.value("created", report["created"]);
  }
  spdlog::info(
      "simulation: {} pool images, {} test images ({}), {} strategies x {} seeds, {} rounds of {} "
      "steps at {} px",
      pool.size(), test.samples.size(), test.description["kind"].get<std::string>(), plans.size(),
      o.seeds.size(), o.rounds, probe.steps, probe.input_size);

  // Every run of the earlier report is in the report from its first write on: a simulation killed
  // again before it reaches a run it would keep must not drop that run from the file.
  if (o.previous_report.contains("runs")) {
    for (const Json& run : o.previous_report["runs"]) report["runs"].push_back(run);
  }
  for (std::uint64_t seed : o.seeds) {
    for (const RunPlan& plan : plans) {
      const std::string name = plan.name();
      if (previous_run(o.previous_report, name, seed, o.rounds)) {
        spdlog::info("simulation: {} seed {} already in the report", name, seed);
        continue;
      }
      std::string dir_name = name;
      std::replace(dir_name.begin(), dir_name.end(), '/', '-');
      const fs::path dir = work / ("run-" + std::to_string(seed) + "-" + dir_name);
      auto store = make_scratch_project(source, dir, settings, pool);
      std::vector<Id> chosen =
          plan.typical_start ? typical_start(*store, o, seed) : random_start(*store, o.start, seed);
      const std::string& strategy = plan.strategy;

      RunResult run{name, seed, o.commit, {}};
      int boxes = 0;
      SimulatedEffort effort;
      std::vector<Query> queries = whole_images(chosen);
      for (int round = 0; round < o.rounds; ++round) {
        if (round > 0) {
          ScoreOptions score;
          score.strategy = strategy;
          score.seed = round_seed(seed, round);
          score.costs = o.costs;
          score_unlabeled(*store, score);
          queries = plan.labeling == Labeling::kWholeImages
                        ? whole_images(queue_head(*store, o.step))
                        : box_queries(*store, o.step, plan.labeling);
        }
        const OracleRound labeled = label(*store, queries, oracle);
        effort = add_effort(effort, labeled.actions, o.costs);
        boxes += labeled.boxes;

        const TrainOptions t =
            simulation_round_options(*store, seed, round, o.pretrained_fallbacks);
        const auto started = std::chrono::steady_clock::now();
        const TrainResult trained = train_detector(*store, t);
        RoundResult point;
        point.train_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        const LoadedCheckpoint model = load_checkpoint(trained.weights);
        const EvalResult eval =
            evaluate_on_samples(*model.detector, test.samples, test.indices, t.input_size, 16);
        point.images = static_cast<int>(store->image_counts().labeled);
        point.boxes = boxes;
        point.map50 = eval.map50;
        point.map = eval.map;
        point.from = t.from;
        point.effort = effort;
        run.rounds.push_back(point);
        spdlog::info(
            "simulation: {} seed {} round {}: {} images, {} boxes, {:.0f} s of effort ({:.0f} s "
            "drawing every box), test mAP@0.5 {:.3f}",
            name, seed, round + 1, point.images, point.boxes, effort.seconds, effort.seconds_drawn,
            point.map50);
        if (on_round) on_round(run, t);
      }
      report["runs"].push_back(to_json(run));
      finish(report);
      if (on_report) on_report(report);
      store.reset();
      fs::remove_all(dir);
    }
  }
  finish(report);
  drop_work();
  return report;
}

}  // namespace boxloop::loop
