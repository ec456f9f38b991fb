// Label-save load on the server: an in-process server on loopback, N labelers (one thread and one
// keep-alive connection each, each its own user) looping next -> save 2 boxes for a fixed time.
// Prints one JSON line per figure: saves/s, and p50/p99 latency of saves and of next.
//
// The project's image records are added straight to the store (no files): next and save never
// read image files, and generating thousands of pictures would time the generator, not the server.
//
//   bench_label_load [--clients 50] [--seconds 10] [--images 20000] [--threads 256]
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "server/server.h"
#include "store/store.h"
#include "synth/synth.h"

namespace fs = std::filesystem;
using namespace boxloop;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  int clients = 50;
  double seconds = 10;
  int images = 20000;
  std::size_t threads = 256;
};

Args parse_args(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--clients")
      args.clients = std::stoi(value);
    else if (flag == "--seconds")
      args.seconds = std::stod(value);
    else if (flag == "--images")
      args.images = std::stoi(value);
    else if (flag == "--threads")
      args.threads = std::stoul(value);
    else
      throw std::invalid_argument("unknown flag " + flag);
  }
  return args;
}

struct Latencies {
  std::vector<double> next_ms;
  std::vector<double> save_ms;
  int failures = 0;
  bool ran_out = false;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// One labeler: next, then save two boxes on it, until the deadline or the images run out.
Latencies run_labeler(int port, const std::string& token, const std::vector<Id>& categories,
                      Clock::time_point deadline) {
  Latencies out;
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  client.set_bearer_token_auth(token);
  client.set_read_timeout(60);
  while (Clock::now() < deadline) {
    auto start = Clock::now();
    auto next = client.Get("/api/next");
    if (!next || next->status != 200) {
      ++out.failures;
      continue;
    }
    out.next_ms.push_back(ms_since(start));
    const Json answer = Json::parse(next->body);
    if (answer["image"].is_null()) {
      out.ran_out = true;
      break;
    }
    const Json body{
        {"version", answer["image"]["version"]},
        {"boxes",
         {{{"category_id", categories[0]}, {"x", 10}, {"y", 20}, {"w", 60}, {"h", 80}},
          {{"category_id", categories[1]}, {"x", 200}, {"y", 40}, {"w", 70}, {"h", 90}}}},
        {"comment", ""}};
    start = Clock::now();
    auto saved = client.Put("/api/images/" + answer["image"]["id"].dump() + "/labels", body.dump(),
                            "application/json");
    if (!saved || saved->status != 200) {
      ++out.failures;
      continue;
    }
    out.save_ms.push_back(ms_since(start));
  }
  return out;
}

void print_figure(const std::string& figure, double value, const std::string& unit,
                  const Args& args) {
  std::cout << Json{{"bench", "label_load"},
                    {"figure", figure},
                    {"value", value},
                    {"unit", unit},
                    {"clients", args.clients},
                    {"seconds", args.seconds},
                    {"hardware_threads", std::thread::hardware_concurrency()}}
                   .dump()
            << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse_args(argc, argv);
  spdlog::set_level(spdlog::level::warn);
  const fs::path dir =
      fs::temp_directory_path() / ("boxloop-bench-load-" + std::to_string(::getpid()));

  int exit_code = 0;
  {
    std::vector<Category> categories;
    for (const auto& rank : card_ranks()) categories.push_back(Category{0, rank, "", "#808080", 0});
    auto store = Store::create(dir, "bench-label-load", categories);
    for (int i = 0; i < args.images; ++i) {
      store->add_image("img_" + std::to_string(i) + ".jpg", "sha_" + std::to_string(i), 480, 360);
    }
    std::vector<std::string> tokens;
    for (int i = 0; i < args.clients; ++i) {
      tokens.push_back(store->add_user("labeler" + std::to_string(i), UserRole::kLabeler));
    }
    std::vector<Id> category_ids;
    for (const Category& category : store->categories()) category_ids.push_back(category.id);

    server::ServerOptions options;
    options.port = 0;
    options.threads = args.threads;
    server::Server server(*store, options);
    server.start();

    const auto begin = Clock::now();
    const auto deadline = begin + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(args.seconds));
    std::vector<Latencies> results(args.clients);
    std::vector<std::thread> threads;
    for (int i = 0; i < args.clients; ++i) {
      threads.emplace_back(
          [&, i] { results[i] = run_labeler(server.port(), tokens[i], category_ids, deadline); });
    }
    for (auto& thread : threads) thread.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
    server.stop();

    Latencies all;
    for (const auto& r : results) {
      all.next_ms.insert(all.next_ms.end(), r.next_ms.begin(), r.next_ms.end());
      all.save_ms.insert(all.save_ms.end(), r.save_ms.begin(), r.save_ms.end());
      all.failures += r.failures;
      all.ran_out = all.ran_out || r.ran_out;
    }
    print_figure("saves_per_second", static_cast<double>(all.save_ms.size()) / elapsed, "1/s",
                 args);
    print_figure("save_latency_p50", percentile(all.save_ms, 0.50), "ms", args);
    print_figure("save_latency_p99", percentile(all.save_ms, 0.99), "ms", args);
    print_figure("next_latency_p50", percentile(all.next_ms, 0.50), "ms", args);
    print_figure("next_latency_p99", percentile(all.next_ms, 0.99), "ms", args);
    print_figure("failed_requests", all.failures, "count", args);
    // Every save must have landed, each exactly once, under its labeler's name.
    const int stored = static_cast<int>(store->image_counts().labeled);
    if (stored != static_cast<int>(all.save_ms.size()) || all.failures > 0) {
      std::cerr << "stored " << stored << " labeled images for " << all.save_ms.size() << " saves, "
                << all.failures << " failures\n";
      exit_code = 1;
    }
    if (all.ran_out) std::cerr << "the images ran out before the time did: use more --images\n";
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return exit_code;
}
