// Label-save load on the server: an in-process server on loopback, N labelers (one thread and one
// keep-alive connection each, each its own user) doing next -> save 2 boxes for a fixed time.
// Prints one JSON line per figure: saves/s, and p50/p99 latency of saves and of next.
//
// Two modes:
// - saturation (the default): each labeler loops as fast as the server answers; what the server
//   can take at most, with latency under that overload.
// - open loop (`--rate R`): each labeler starts a next R times a second on a fixed schedule (a
//   random phase per labeler, so the labelers do not fire in step) and saves half a period later,
//   as people at a steady pace would. Latency counts from the scheduled time, not from when the
//   request went out: a labeler still waiting for a slow answer sends its next request late, and
//   that wait is part of what the people would feel (no coordinated omission).
//
// The project's image records are added straight to the store (no files): next and save never
// read image files, and generating thousands of pictures would time the generator, not the server.
//
//   bench_label_load [--clients 50] [--seconds 10] [--images 20000] [--threads 256] [--rate 0]
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
  double rate = 0;  // next -> save cycles per labeler per second; 0 = saturation
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
    else if (flag == "--rate")
      args.rate = std::stod(value);
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

// One keep-alive connection of a labeler and the two requests a labeler makes.
class Labeler {
 public:
  enum class Outcome { kOk, kFailed, kRanOut };

  Labeler(int port, const std::string& token, const std::vector<Id>& categories)
      : client_("127.0.0.1", port), categories_(categories) {
    client_.set_keep_alive(true);
    // As browsers do: without it a PUT's body waits behind its headers for the server's delayed
    // ACK (Nagle), some 40 ms that no server change could remove.
    client_.set_tcp_nodelay(true);
    client_.set_bearer_token_auth(token);
    client_.set_read_timeout(60);
  }

  // GET /api/next: remembers the image to save; kRanOut when no image is left.
  Outcome next() {
    auto answer = client_.Get("/api/next");
    if (!answer || answer->status != 200) return Outcome::kFailed;
    const Json body = Json::parse(answer->body);
    if (body["image"].is_null()) return Outcome::kRanOut;
    image_ = body["image"];
    return Outcome::kOk;
  }

  // PUT two boxes on the image of the last next().
  bool save() {
    const Json body{
        {"version", image_["version"]},
        {"boxes",
         {{{"category_id", categories_[0]}, {"x", 10}, {"y", 20}, {"w", 60}, {"h", 80}},
          {{"category_id", categories_[1]}, {"x", 200}, {"y", 40}, {"w", 70}, {"h", 90}}}},
        {"comment", ""}};
    auto saved = client_.Put("/api/images/" + image_["id"].dump() + "/labels", body.dump(),
                             "application/json");
    return saved && saved->status == 200;
  }

 private:
  httplib::Client client_;
  const std::vector<Id>& categories_;
  Json image_;
};

// Saturation: next, then save, again at once, until the deadline or the images run out.
Latencies run_saturating(Labeler& labeler, Clock::time_point deadline) {
  Latencies out;
  while (Clock::now() < deadline) {
    auto start = Clock::now();
    const auto got = labeler.next();
    if (got == Labeler::Outcome::kFailed) {
      ++out.failures;
      continue;
    }
    out.next_ms.push_back(ms_since(start));
    if (got == Labeler::Outcome::kRanOut) {
      out.ran_out = true;
      break;
    }
    start = Clock::now();
    if (!labeler.save()) {
      ++out.failures;
      continue;
    }
    out.save_ms.push_back(ms_since(start));
  }
  return out;
}

// Open loop: a next at begin + phase + k * period, its save half a period later; each latency
// from its scheduled time (a late start is part of it).
Latencies run_scheduled(Labeler& labeler, Clock::time_point first, Clock::time_point deadline,
                        Clock::duration period) {
  Latencies out;
  for (auto start = first; start < deadline; start += period) {
    std::this_thread::sleep_until(start);
    const auto got = labeler.next();
    if (got == Labeler::Outcome::kFailed) {
      ++out.failures;
      continue;
    }
    out.next_ms.push_back(ms_since(start));
    if (got == Labeler::Outcome::kRanOut) {
      out.ran_out = true;
      break;
    }
    const auto save_at = start + period / 2;
    std::this_thread::sleep_until(save_at);
    if (!labeler.save()) {
      ++out.failures;
      continue;
    }
    out.save_ms.push_back(ms_since(save_at));
  }
  return out;
}

Clock::duration seconds(double value) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(value));
}

void print_figure(const std::string& figure, double value, const std::string& unit,
                  const Args& args) {
  std::cout << Json{{"bench", "label_load"},
                    {"figure", figure},
                    {"value", value},
                    {"unit", unit},
                    {"mode", args.rate > 0 ? "open_loop" : "saturation"},
                    {"rate_per_labeler", args.rate},
                    {"clients", args.clients},
                    {"images", args.images},
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
    const auto deadline = begin + seconds(args.seconds);
    // Each labeler's phase in the open loop: seeded, so runs compare.
    std::mt19937_64 rng(16);
    std::uniform_real_distribution<double> phase(0, args.rate > 0 ? 1 / args.rate : 0);
    std::vector<Latencies> results(args.clients);
    std::vector<std::thread> threads;
    for (int i = 0; i < args.clients; ++i) {
      const auto first = begin + seconds(phase(rng));
      threads.emplace_back([&, i, first] {
        Labeler labeler(server.port(), tokens[i], category_ids);
        results[i] = args.rate > 0 ? run_scheduled(labeler, first, deadline, seconds(1 / args.rate))
                                   : run_saturating(labeler, deadline);
      });
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
    print_figure("save_latency_max", percentile(all.save_ms, 1), "ms", args);
    print_figure("next_latency_max", percentile(all.next_ms, 1), "ms", args);
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
