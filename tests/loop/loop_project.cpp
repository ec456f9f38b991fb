#include "loop_project.h"

#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "digest/sha256.h"
#include "imageio/image_file.h"
#include "synth/synth.h"

namespace boxloop::loop::testing {

LoopProject::LoopProject(const std::filesystem::path& dir,
                         const std::vector<std::string>& categories, int count) {
  std::vector<Category> cats;
  for (const std::string& name : categories) cats.push_back(Category{0, name, "", "#ff0000", 0});
  store_ = Store::create(dir, "loop-test", cats);
  SynthOptions options;
  options.count = count;
  options.width = 160;
  options.height = 120;
  options.min_cards = 1;
  options.max_cards = 2;
  options.categories = categories;
  for (int i = 0; i < count; ++i) {
    const SynthImage image = synth_image(options, i);
    std::vector<uchar> png;
    cv::imencode(".png", image.bgr, png);
    const std::string bytes(png.begin(), png.end());
    const std::string name = "img" + std::to_string(i) + ".png";
    write_file_atomically(store_->image_dir() / name, bytes);
    store_->add_image(name, sha256_hex(bytes), image.bgr.cols, image.bgr.rows);
    truths_.push_back(image.labels.boxes);
  }
}

LabelEvent LoopProject::label(int n) {
  const Image image = store_->images().at(static_cast<std::size_t>(n));
  LabelSave save;
  save.image_id = image.id;
  save.expected_version = image.version;
  save.labeler = "tester";
  for (const NamedBox& b : truths_.at(static_cast<std::size_t>(n))) {
    Annotation a;
    a.category_id = store_->category_by_name(b.category)->id;
    a.box = b.box;
    save.boxes.push_back(a);
  }
  return store_->save_labels(save);
}

Json LoopProject::tiny_training() {
  return Json{{"from", "scratch"}, {"input_size", 64},  {"steps", 2},      {"epochs", 1},
              {"batch", 2},        {"val_fraction", 0}, {"eval_every", 1}, {"workers", 0}};
}

TrainOptions tiny_train_options() {
  TrainOptions o;
  o.from = "scratch";
  o.input_size = 64;
  o.batch = 4;
  o.epochs = 2;
  o.val_fraction = 0;
  o.workers = 0;
  return o;
}

SimulationOptions tiny_simulation(const std::filesystem::path& work) {
  SimulationOptions o;
  o.strategies = {"random", "least_confidence"};
  o.seeds = {3};
  o.start = 4;
  o.step = 3;
  o.rounds = 2;
  // Written over the project's "train" settings: the rounds still train through the loop's code.
  o.train_overrides = {{"steps", 4}, {"batch", 4}, {"input_size", 64}};
  o.test_fraction = 0.25;
  o.work_dir = work;
  o.commit = "0123abc";
  return o;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace boxloop::loop::testing
