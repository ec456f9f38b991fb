// Detector speed on this machine: training images/s (batch 8, forward + backward + SGD step) and
// inference images/s (detect(): forward, decode, NMS; batch 1 and 8) for each CPU architecture.
// One JSON line per figure. bench/run_detector_bench.sh runs this and torchvision_bench.py in one
// go and prints the ratios.
//   bench_detector [--input 352] [--iters 5] [--archs fastestdet,retinanet]
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "detector/detector.h"

namespace {

using boxloop::DetectionTarget;

std::vector<DetectionTarget> random_targets(int n, int size, int classes, std::mt19937& rng) {
  std::uniform_real_distribution<double> pos(0, size * 0.6), side(size * 0.1, size * 0.4);
  std::vector<DetectionTarget> targets(static_cast<size_t>(n));
  for (auto& t : targets) {
    for (int b = 0; b < 3; ++b) {
      t.boxes.push_back(boxloop::Box{pos(rng), pos(rng), side(rng), side(rng)});
      t.labels.push_back(static_cast<int64_t>(rng() % static_cast<unsigned>(classes)));
    }
  }
  return targets;
}

template <typename Fn>
double seconds_per_call(int iters, Fn&& fn) {
  fn();  // warm-up: allocator and thread pool
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iters; ++i) fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / iters;
}

void print(const std::string& arch, const std::string& figure, int batch, int input, double value) {
  nlohmann::json j = {{"bench", "detector"},
                      {"impl", "boxloop"},
                      {"arch", arch},
                      {"figure", figure},
                      {"batch", batch},
                      {"input", input},
                      {"threads", torch::get_num_threads()},
                      {"value", value}};
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  int input = 352, iters = 5;
  std::string archs = "fastestdet,retinanet";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--input") input = std::stoi(argv[i + 1]);
    if (flag == "--iters") iters = std::stoi(argv[i + 1]);
    if (flag == "--archs") archs = argv[i + 1];
  }
  boxloop::prepare_cpu_for_torch();
  constexpr int kClasses = 6;  // the card ranks
  std::mt19937 rng(1);
  std::stringstream list(archs);
  for (std::string arch; std::getline(list, arch, ',');) {
    torch::manual_seed(1);
    auto det = boxloop::make_detector(
        boxloop::DetectorConfig{.arch = arch, .num_classes = kClasses, .input_size = input});
    torch::optim::SGD sgd(det->parameters(), torch::optim::SGDOptions(1e-3).momentum(0.937));

    constexpr int kTrainBatch = 8;
    auto images = torch::rand({kTrainBatch, 3, input, input});
    auto targets = random_targets(kTrainBatch, input, kClasses, rng);
    det->train();
    const double train_s = seconds_per_call(iters, [&] {
      sgd.zero_grad();
      det->loss(images, targets).total.backward();
      sgd.step();
    });
    print(arch, "train_images_per_s", kTrainBatch, input, kTrainBatch / train_s);

    det->eval();
    for (int batch : {1, 8}) {
      auto batch_images = torch::rand({batch, 3, input, input});
      const double s = seconds_per_call(iters, [&] { det->detect(batch_images); });
      print(arch, "infer_images_per_s", batch, input, batch / s);
    }
  }
  return 0;
}
