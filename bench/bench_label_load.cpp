// Label-save load on the server: in-process servers on loopback, N labelers (one thread and one
// keep-alive connection each, each its own user) doing next -> save 2 boxes for a fixed time.
// Prints one JSON line per figure (saves/s, p50/p99 latency of saves and of next) and one per
// correctness check; exits 1 when a check fails.
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
// Where the records are: the project's SQLite file (the default) or, with `--db URL`, an empty
// PostgreSQL database. `--servers N` starts N servers on the same project, each with its own
// Store (its own connections, as N processes would have; no loop worker), and deals the labelers
// round-robin to them. A page is open on every server: one /api/events subscriber per server.
//
// The checks (the team-scale promises of issue 16):
// - saves: no lost or doubled label. Every acknowledged save (200) is a labeled image and exactly
//   one label event under its labeler's name, and nothing else is: acknowledged saves = labeled
//   images = label events, no image acknowledged twice.
// - leases: no image served by `next` to a second labeler while the first one's lease was live.
// - failures: every failed request failed for a stated reason. 503 (busy, with Retry-After; the
//   page retries) is allowed and counted; a 409 is not, as nothing else edits these images: it
//   would mean two labelers held one image. Anything else (no answer, 500) fails the run.
// - events: every page hears the final counts. A server sends a `counts` event per recount, and
//   a recount covers a burst of saves, so events cannot be counted per save; what a page must get
//   is a last `counts` event whose labeled count is the stored one. On PostgreSQL every server
//   hears every save (LISTEN/NOTIFY); on SQLite a server recounts only after its own saves (there
//   is no channel between processes), so only the server of the last save must be current there,
//   and the others' last counts are reported.
//
// The project's image records are added straight to the store (no files): next and save never
// read image files, and generating thousands of pictures would time the generator, not the server.
//
// `--queue 1` first publishes a query queue of every image in a seeded random order (as the loop's
// first batch does) and reports how long the publish took (`queue_publish_seconds`): labelers'
// nexts wait for a publish on PostgreSQL, so its length is theirs. The labelers are then served
// in queue order instead of import order.
//
//   bench_label_load [--clients 50] [--seconds 10] [--images 20000] [--threads 256] [--rate 0]
//                    [--db postgresql://user@host/db] [--servers 1] [--queue 0]
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "server/event_bus.h"
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
  std::size_t threads = 256;  // per server
  double rate = 0;            // next -> save cycles per labeler per second; 0 = saturation
  std::string database;       // empty: the SQLite file; else a PostgreSQL URL of an empty database
  int servers = 1;
  bool queue = false;  // publish a queue of every image first, and time it
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
    else if (flag == "--db")
      args.database = value;
    else if (flag == "--servers")
      args.servers = std::stoi(value);
    else if (flag == "--queue")
      args.queue = std::stoi(value) != 0;
    else
      throw std::invalid_argument("unknown flag " + flag);
  }
  if (argc % 2 == 0) throw std::invalid_argument(std::string("no value for ") + argv[argc - 1]);
  if (args.servers < 1 || args.clients < 1) {
    throw std::invalid_argument("--servers and --clients must be at least 1");
  }
  return args;
}

std::string labeler_name(int index) { return "labeler" + std::to_string(index); }

// Failed requests by reason.
struct Failures {
  int busy = 0;      // 503: the database was busy past the timeout; the page retries
  int conflict = 0;  // 409: a stale version
  int other = 0;     // no answer, or any other status

  void add(int status) {
    if (status == 503)
      ++busy;
    else if (status == 409)
      ++conflict;
    else
      ++other;
  }
  void add(const Failures& more) {
    busy += more.busy;
    conflict += more.conflict;
    other += more.other;
  }
  int total() const { return busy + conflict + other; }
};

// An image a `next` answer handed to a labeler, and when the answer arrived.
struct Served {
  Id image_id = 0;
  Clock::time_point at;
};

// What one labeler did.
struct LabelerLog {
  std::vector<double> next_ms;
  std::vector<double> save_ms;
  Failures next_failures;
  Failures save_failures;
  std::vector<Served> served;
  std::vector<Id> saved;  // images whose save was acknowledged (200)
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
    status_ = answer ? answer->status : 0;
    if (status_ != 200) return Outcome::kFailed;
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
    status_ = saved ? saved->status : 0;
    return status_ == 200;
  }

  Id image_id() const { return image_["id"].get<Id>(); }
  // The HTTP status of the last request; 0 when no answer came.
  int status() const { return status_; }

 private:
  httplib::Client client_;
  const std::vector<Id>& categories_;
  Json image_;
  int status_ = 0;
};

// One next, logged: its latency from `start` and the image served, or why it failed.
Labeler::Outcome next_logged(Labeler& labeler, Clock::time_point start, LabelerLog& log) {
  const auto got = labeler.next();
  if (got == Labeler::Outcome::kFailed) {
    log.next_failures.add(labeler.status());
    return got;
  }
  log.next_ms.push_back(ms_since(start));
  if (got == Labeler::Outcome::kRanOut) {
    log.ran_out = true;
    return got;
  }
  log.served.push_back(Served{labeler.image_id(), Clock::now()});
  return got;
}

void save_logged(Labeler& labeler, Clock::time_point start, LabelerLog& log) {
  if (!labeler.save()) {
    log.save_failures.add(labeler.status());
    return;
  }
  log.save_ms.push_back(ms_since(start));
  log.saved.push_back(labeler.image_id());
}

// Saturation: next, then save, again at once, until the deadline or the images run out.
LabelerLog run_saturating(Labeler& labeler, Clock::time_point deadline) {
  LabelerLog log;
  while (Clock::now() < deadline) {
    const auto got = next_logged(labeler, Clock::now(), log);
    if (got == Labeler::Outcome::kRanOut) break;
    if (got == Labeler::Outcome::kOk) save_logged(labeler, Clock::now(), log);
  }
  return log;
}

// Open loop: a next at begin + phase + k * period, its save half a period later; each latency
// from its scheduled time (a late start is part of it).
LabelerLog run_scheduled(Labeler& labeler, Clock::time_point first, Clock::time_point deadline,
                         Clock::duration period) {
  LabelerLog log;
  for (auto start = first; start < deadline; start += period) {
    std::this_thread::sleep_until(start);
    const auto got = next_logged(labeler, start, log);
    if (got == Labeler::Outcome::kRanOut) break;
    if (got == Labeler::Outcome::kFailed) continue;
    const auto save_at = start + period / 2;
    std::this_thread::sleep_until(save_at);
    save_logged(labeler, save_at, log);
  }
  return log;
}

// An open page's event stream on one server: counts the `counts` events and keeps the labeled
// count of the last one.
class CountsListener {
 public:
  CountsListener(int port, const std::string& token) : client_("127.0.0.1", port) {
    client_.set_bearer_token_auth(token);
    client_.set_read_timeout(60);
    thread_ = std::thread([this] {
      // Returns when the server ends the stream (Server::stop closes the event bus first).
      client_.Get("/api/events", [this](const char* data, std::size_t size) {
        buffer_.append(data, size);
        take_messages();
        return true;
      });
    });
  }
  ~CountsListener() { thread_.join(); }
  CountsListener(const CountsListener&) = delete;
  CountsListener& operator=(const CountsListener&) = delete;

  int events() const { return events_; }
  int last_labeled() const { return last_labeled_; }  // -1 before the first counts event

 private:
  // Each message ends with a blank line; a counts message is "event: counts\ndata: {json}".
  void take_messages() {
    for (auto end = buffer_.find("\n\n"); end != std::string::npos; end = buffer_.find("\n\n")) {
      const std::string message = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      const std::string kCounts = "event: counts\ndata: ";
      if (message.rfind(kCounts, 0) != 0) continue;
      const Json data = Json::parse(message.substr(kCounts.size()));
      last_labeled_ = data["counts"]["images"]["labeled"].get<int>();
      ++events_;
    }
  }

  httplib::Client client_;
  std::string buffer_;
  std::atomic<int> events_ = 0;
  std::atomic<int> last_labeled_ = -1;
  std::thread thread_;
};

Clock::duration seconds(double value) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(value));
}

bool on_postgres(const Args& args) { return !args.database.empty(); }

// The fields every line carries: what was run.
Json run_fields(const Args& args) {
  return Json{
      {"bench", "label_load"},         {"mode", args.rate > 0 ? "open_loop" : "saturation"},
      {"rate_per_labeler", args.rate}, {"database", on_postgres(args) ? "postgresql" : "sqlite"},
      {"servers", args.servers},       {"clients", args.clients},
      {"images", args.images},         {"seconds", args.seconds},
      {"queue", args.queue},           {"hardware_threads", std::thread::hardware_concurrency()}};
}

void print_figure(const std::string& figure, double value, const std::string& unit,
                  const Args& args) {
  Json line = run_fields(args);
  line["figure"] = figure;
  line["value"] = value;
  line["unit"] = unit;
  std::cout << line.dump() << std::endl;
}

struct Check {
  std::string name;
  bool ok = false;
  Json detail = Json::object();  // the numbers the verdict rests on
};

void print_check(const Check& check, const Args& args) {
  Json line = run_fields(args);
  line["check"] = check.name;
  line["ok"] = check.ok;
  line["detail"] = check.detail;
  std::cout << line.dump() << std::endl;
}

// The project: categories, `images` records, one user per labeler (tokens[i] is labeler i's) and
// one for the event streams.
struct Project {
  std::unique_ptr<Store> store;
  std::vector<std::string> tokens;
  std::string listener_token;
  std::vector<Id> category_ids;
};

constexpr int kImageBatch = 500;  // rows per transaction: one commit per batch, not per image

Project create_project(const fs::path& dir, const Args& args, const StoreOptions& options) {
  std::vector<Category> categories;
  for (const auto& rank : card_ranks()) categories.push_back(Category{0, rank, "", "#808080", 0});
  Project project;
  project.store = Store::create(dir, "bench-label-load", categories, options);
  Store& store = *project.store;
  for (int start = 0; start < args.images; start += kImageBatch) {
    store.batch([&] {
      for (int i = start; i < std::min(start + kImageBatch, args.images); ++i) {
        store.add_image("img_" + std::to_string(i) + ".jpg", "sha_" + std::to_string(i), 480, 360);
      }
    });
  }
  for (int i = 0; i < args.clients; ++i) {
    project.tokens.push_back(store.add_user(labeler_name(i), UserRole::kLabeler));
  }
  project.listener_token = store.add_user("events", UserRole::kLabeler);
  for (const Category& category : store.categories()) project.category_ids.push_back(category.id);
  return project;
}

// The servers on the project, each on its own Store, and a page's event stream on each.
struct Servers {
  std::vector<std::unique_ptr<Store>> stores;
  std::vector<std::unique_ptr<server::Server>> servers;
  std::vector<std::unique_ptr<CountsListener>> listeners;

  ~Servers() { stop(); }  // a listener's thread ends only with its server's stream
  void stop() {
    for (auto& server : servers) server->stop();  // ends the event streams too
    listeners.clear();
  }
};

void start_servers(Servers& out, const fs::path& dir, const Args& args, const StoreOptions& options,
                   const std::string& listener_token) {
  for (int i = 0; i < args.servers; ++i) {
    out.stores.push_back(Store::open(dir, options));
    server::ServerOptions server_options;
    server_options.port = 0;
    server_options.threads = args.threads;
    out.servers.push_back(std::make_unique<server::Server>(*out.stores.back(), server_options));
    out.servers.back()->start();
    out.listeners.push_back(
        std::make_unique<CountsListener>(out.servers.back()->port(), listener_token));
  }
  // A server recounts for its pages only while one listens: wait for every stream to be open.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  for (auto& server : out.servers) {
    while (server->events().subscriber_count() == 0 && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

std::vector<LabelerLog> run_labelers(const Args& args, const Project& project,
                                     const Servers& servers, double& elapsed) {
  const auto begin = Clock::now();
  const auto deadline = begin + seconds(args.seconds);
  // Each labeler's phase in the open loop: seeded, so runs compare.
  std::mt19937_64 rng(16);
  std::uniform_real_distribution<double> phase(0, args.rate > 0 ? 1 / args.rate : 0);
  std::vector<LabelerLog> logs(args.clients);
  std::vector<std::thread> threads;
  for (int i = 0; i < args.clients; ++i) {
    const auto first = begin + seconds(phase(rng));
    const int port = servers.servers[i % args.servers]->port();
    threads.emplace_back([&, i, first, port] {
      Labeler labeler(port, project.tokens[i], project.category_ids);
      logs[i] = args.rate > 0 ? run_scheduled(labeler, first, deadline, seconds(1 / args.rate))
                              : run_saturating(labeler, deadline);
    });
  }
  for (auto& thread : threads) thread.join();
  elapsed = std::chrono::duration<double>(Clock::now() - begin).count();
  return logs;
}

Check check_saves(Store& store, const std::vector<LabelerLog>& logs) {
  std::map<Id, int> acknowledged;  // image -> acknowledged saves of it
  bool events_by_labeler_match = true;
  for (std::size_t i = 0; i < logs.size(); ++i) {
    for (Id image : logs[i].saved) ++acknowledged[image];
    // One event per acknowledged save, under the labeler's name, on the images they saved.
    const int count = static_cast<int>(logs[i].saved.size());
    const auto events = store.label_events_by(labeler_name(static_cast<int>(i)), count + 1);
    const std::set<Id> saved(logs[i].saved.begin(), logs[i].saved.end());
    events_by_labeler_match = events_by_labeler_match && static_cast<int>(events.size()) == count &&
                              std::all_of(events.begin(), events.end(), [&](const LabelEvent& e) {
                                return saved.count(e.image_id) == 1;
                              });
  }
  int acknowledged_saves = 0, doubled = 0;
  for (const auto& [image, saves] : acknowledged) {
    acknowledged_saves += saves;
    if (saves > 1) ++doubled;
  }
  int lost = 0;  // acknowledged images the store does not hold as labeled
  std::set<Id> labeled;
  for (const Image& image : store.images_with_status(ImageStatus::kLabeled)) {
    labeled.insert(image.id);
  }
  for (const auto& [image, saves] : acknowledged) lost += labeled.count(image) == 0 ? 1 : 0;
  const int events = store.count_label_events_after(0);
  const int labeled_images = static_cast<int>(labeled.size());
  return Check{"saves",
               acknowledged_saves == labeled_images && acknowledged_saves == events &&
                   doubled == 0 && lost == 0 && events_by_labeler_match,
               Json{{"acknowledged_saves", acknowledged_saves},
                    {"labeled_images", labeled_images},
                    {"label_events", events},
                    {"images_acknowledged_twice", doubled},
                    {"acknowledged_not_labeled", lost},
                    {"events_by_labeler_match", events_by_labeler_match}}};
}

// An image served to labeler B less than a lease after it was served to A (A != B) was leased
// to two labelers at once. The times are when the answers arrived, so a lease counts from a
// little after it was granted: a slightly shorter window, erring towards no false alarm.
Check check_leases(const std::vector<LabelerLog>& logs, int lease_seconds) {
  struct Hand {
    Clock::time_point at;
    std::size_t labeler;
  };
  std::map<Id, std::vector<Hand>> hands;
  int served = 0;
  for (std::size_t i = 0; i < logs.size(); ++i) {
    for (const Served& s : logs[i].served) hands[s.image_id].push_back(Hand{s.at, i});
    served += static_cast<int>(logs[i].served.size());
  }
  const auto lease = std::chrono::seconds(lease_seconds);
  int doubly_leased = 0, served_to_two = 0;
  for (auto& [image, list] : hands) {
    std::sort(list.begin(), list.end(), [](const Hand& a, const Hand& b) { return a.at < b.at; });
    bool overlap = false, two = false;
    for (std::size_t k = 1; k < list.size(); ++k) {
      if (list[k].labeler == list[k - 1].labeler) continue;
      two = true;
      overlap = overlap || list[k].at - list[k - 1].at < lease;
    }
    doubly_leased += overlap ? 1 : 0;
    served_to_two += two ? 1 : 0;
  }
  return Check{"leases", doubly_leased == 0,
               Json{{"next_answers_with_image", served},
                    {"distinct_images_served", hands.size()},
                    {"images_leased_to_two_at_once", doubly_leased},
                    {"images_served_to_two_labelers", served_to_two},
                    {"lease_seconds", lease_seconds}}};
}

Json failures_json(const Failures& failures) {
  return Json{
      {"busy_503", failures.busy}, {"conflict_409", failures.conflict}, {"other", failures.other}};
}

Check check_failures(const std::vector<LabelerLog>& logs) {
  Failures next, save;
  for (const LabelerLog& log : logs) {
    next.add(log.next_failures);
    save.add(log.save_failures);
  }
  return Check{"failures", next.conflict + save.conflict == 0 && next.other + save.other == 0,
               Json{{"next", failures_json(next)}, {"save", failures_json(save)}}};
}

// Waits (up to `timeout`) for the pages to hear the final counts; see the file comment for why
// on SQLite only one server must.
Check check_events(const Servers& servers, int labeled, bool postgres,
                   std::chrono::milliseconds timeout) {
  auto current = [&] {
    int count = 0;
    for (const auto& listener : servers.listeners) count += listener->last_labeled() == labeled;
    return count;
  };
  const int required = postgres ? static_cast<int>(servers.listeners.size()) : 1;
  const auto deadline = Clock::now() + timeout;
  while (current() < required && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Json events = Json::array(), last = Json::array();
  for (const auto& listener : servers.listeners) {
    events.push_back(listener->events());
    last.push_back(listener->last_labeled());
  }
  const int up_to_date = current();
  return Check{"events", up_to_date >= required,
               Json{{"labeled_images", labeled},
                    {"counts_events_per_server", events},
                    {"last_counts_labeled_per_server", last},
                    {"servers_up_to_date", up_to_date},
                    {"servers_required_up_to_date", required}}};
}

void print_figures(const std::vector<LabelerLog>& logs, double elapsed, const Args& args) {
  std::vector<double> next_ms, save_ms;
  int failures = 0;
  for (const auto& log : logs) {
    next_ms.insert(next_ms.end(), log.next_ms.begin(), log.next_ms.end());
    save_ms.insert(save_ms.end(), log.save_ms.begin(), log.save_ms.end());
    failures += log.next_failures.total() + log.save_failures.total();
  }
  print_figure("saves_per_second", static_cast<double>(save_ms.size()) / elapsed, "1/s", args);
  print_figure("save_latency_p50", percentile(save_ms, 0.50), "ms", args);
  print_figure("save_latency_p99", percentile(save_ms, 0.99), "ms", args);
  print_figure("next_latency_p50", percentile(next_ms, 0.50), "ms", args);
  print_figure("next_latency_p99", percentile(next_ms, 0.99), "ms", args);
  print_figure("save_latency_max", percentile(save_ms, 1), "ms", args);
  print_figure("next_latency_max", percentile(next_ms, 1), "ms", args);
  print_figure("failed_requests", failures, "count", args);
}

// Publishes every image in a seeded random order as the query queue, timed.
void publish_queue(Store& store, const Args& args) {
  std::vector<QueueEntry> entries;
  // replace_queue ranks the entries in the order given.
  for (const Image& image : store.images()) entries.push_back(QueueEntry{image.id, 0, 0});
  std::shuffle(entries.begin(), entries.end(), std::mt19937_64(1));
  const auto started = Clock::now();
  store.replace_queue(std::nullopt, "random first batch", entries);
  print_figure("queue_publish_seconds",
               std::chrono::duration<double>(Clock::now() - started).count(), "s", args);
}

// Runs the bench on a fresh project in `dir`; true when every check passed.
bool run(const Args& args, const fs::path& dir) {
  StoreOptions options;
  options.database = args.database;
  Project project = create_project(dir, args, options);
  if (args.queue) publish_queue(*project.store, args);
  Servers servers;
  start_servers(servers, dir, args, options, project.listener_token);

  double elapsed = 0;
  const auto logs = run_labelers(args, project, servers, elapsed);
  print_figures(logs, elapsed, args);

  Store& store = *project.store;
  std::vector<Check> checks{check_saves(store, logs),
                            check_leases(logs, store.settings().lease_seconds),
                            check_failures(logs)};
  checks.push_back(check_events(servers, static_cast<int>(store.image_counts().labeled),
                                on_postgres(args), std::chrono::seconds(10)));
  servers.stop();

  bool ok = true;
  for (const Check& check : checks) {
    print_check(check, args);
    if (!check.ok) std::cerr << "check failed: " << check.name << " " << check.detail << "\n";
    ok = ok && check.ok;
  }
  if (std::any_of(logs.begin(), logs.end(), [](const LabelerLog& log) { return log.ran_out; })) {
    std::cerr << "the images ran out before the time did: use more --images\n";
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  const fs::path dir =
      fs::temp_directory_path() / ("boxloop-bench-load-" + std::to_string(::getpid()));
  int exit_code = 0;
  try {
    exit_code = run(parse_args(argc, argv), dir) ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "bench_label_load: " << e.what() << "\n";
    exit_code = 2;
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return exit_code;
}
