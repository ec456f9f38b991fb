// Issue 12: the requests that broke the server, one test per numbered item, each of which failed
// before the request-validation layer (a crash, a 500, a wrapped lease, a held thread, a page
// served from the image folder, unbounded text, a chunked body read without limit).
#include <chrono>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "active/strategy.h"
#include "raw_http.h"
#include "server/limits.h"
#include "server_fixture.h"
#include "store/database.h"
#include "store/settings.h"
#include "synth/synth.h"

namespace boxloop::server::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class HardeningTest : public ServerTestWithUsers {
 protected:
  Id first_image() { return store_->images().at(0).id; }
  std::string labels_path(Id id) { return "/api/images/" + std::to_string(id) + "/labels"; }

  // A refusal: the status, the JSON error body, and a message that mentions `part`.
  static void expect_refused(const httplib::Result& res, int status, const std::string& part,
                             const std::string& what) {
    ASSERT_TRUE(res) << what << ": no answer (" << httplib::to_string(res.error()) << ")";
    EXPECT_EQ(res->status, status) << what << " -> " << res->body.substr(0, 300);
    const Json body = json_of(res);
    ASSERT_TRUE(body.contains("error")) << what;
    const std::string message = body["error"]["message"];
    EXPECT_NE(message.find(part), std::string::npos) << what << " -> " << message;
  }
};

Json box(Id category, double x, double y, double w, double h) {
  return Json{{"category_id", category}, {"x", x}, {"y", y}, {"w", w}, {"h", h}};
}

// 1. A body nested 100,000 deep crashed the process (PATCH settings, POST jobs); 1,000-30,000
// deep was stored.
TEST_F(HardeningTest, Item1DeepNestingIsRefusedWhileParsingAndNothingIsStored) {
  start_server();
  auto admin = client(admin_);
  const Json before = data_snapshot();
  for (const int depth : {65, 1'000, 30'000, 100'000}) {
    const std::string what = "depth " + std::to_string(depth);
    const std::string nested = std::string(depth, '[') + std::string(depth, ']');
    expect_refused(
        admin.Patch("/api/project/settings", R"({"x":)" + nested + "}", "application/json"), 400,
        "nests deeper than 64 levels", "settings, " + what);
    expect_refused(admin.Post("/api/jobs", R"({"kind":"train","params":{"x":)" + nested + "}}",
                              "application/json"),
                   400, "nests deeper than 64 levels", "jobs, " + what);
    const std::string objects = [&] {
      std::string text;
      for (int i = 0; i < depth; ++i) text += R"({"a":)";
      return text + "1" + std::string(depth, '}');
    }();
    expect_refused(admin.Put("/api/loop", objects, "application/json"), 400,
                   "nests deeper than 64 levels", "loop, " + what);
  }
  // 64 levels are JSON the server reads; this body is refused for its content, not its depth.
  const std::string deepest = std::string(63, '[') + std::string(63, ']');
  expect_refused(
      admin.Patch("/api/project/settings", R"({"x":)" + deepest + "}", "application/json"), 400,
      "unknown setting 'x'", "64 levels");
  EXPECT_EQ(data_snapshot(), before);
  EXPECT_EQ(admin.Get("/api/stats")->status, 200);
}

// 2. lease_seconds 4294967297 became a 1-second lease (32-bit wrap) and 9223372036854775807
// silently became 300.
TEST_F(HardeningTest, Item2LeaseSecondsOutsideItsRangeIsRefusedNeverWrapped) {
  start_server();
  auto admin = client(admin_);
  for (const char* value : {"4294967297", "9223372036854775807", "18446744073709551615", "-1", "0",
                            "9", "86401", "300.5", "1e3", "\"600\"", "true"}) {
    expect_refused(
        admin.Patch("/api/project/settings", std::string(R"({"lease_seconds": )") + value + "}",
                    "application/json"),
        400, "lease_seconds", value);
  }
  EXPECT_EQ(store_->settings().lease_seconds, kDefaultLeaseSeconds);

  // The lease still lasts its 300 s: a second labeler a moment later gets another image.
  auto alice = client(alice_);
  auto bob = client(bob_);
  const Json held = json_of(alice.Get("/api/next"))["image"];
  ASSERT_TRUE(held.is_object());
  std::this_thread::sleep_for(1200ms);
  EXPECT_NE(json_of(bob.Get("/api/next"))["image"]["id"], held["id"]);

  for (const int ok : {kMinLeaseSeconds, kMaxLeaseSeconds}) {
    auto res = admin.Patch("/api/project/settings", Json{{"lease_seconds", ok}}.dump(),
                           "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << ok << " " << res->body;
  }
  // A value stored before the range was checked is never narrowed when it is read.
  const auto stored_lease = [](const char* text) {
    return read_stored_settings(text).settings.lease_seconds;
  };
  EXPECT_EQ(stored_lease(R"({"lease_seconds":4294967297})"), kDefaultLeaseSeconds);
  EXPECT_EQ(stored_lease(R"({"lease_seconds":1})"), kDefaultLeaseSeconds);
  EXPECT_EQ(stored_lease(R"({"lease_seconds":600})"), 600);
}

// 3. Numbers out of range (1e400 parses as an overflow) answered 500 on every JSON route, the
// login included.
TEST_F(HardeningTest, Item3NumbersOutOfRangeAre400NamingTheField) {
  start_server();
  auto anonymous = client();
  auto admin = client(admin_);
  auto alice = client(alice_);
  const Json before = data_snapshot();
  const std::string q = std::to_string(category_id("queen"));
  const std::string labels = labels_path(first_image());
  struct Case {
    httplib::Client* client;
    const char* method;
    std::string path;
    std::string body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {&anonymous, "POST", "/api/login", R"({"name":"a","password":"x","pad":1e400})", "pad"},
      {&alice, "PUT", labels, R"({"version":1e400,"boxes":[]})", "version"},
      {&alice, "PUT", labels, R"({"version":99999999999999999999,"boxes":[]})", "version"},
      {&alice, "PUT", labels, R"({"version":4294967296,"boxes":[]})", "version"},
      {&alice, "PUT", labels,
       R"({"version":0,"boxes":[{"category_id":)" + q + R"(,"x":1e309,"y":1,"w":5,"h":5}]})",
       "boxes[0].x"},
      {&alice, "PUT", labels,
       R"({"version":0,"boxes":[{"category_id":)" + q + R"(,"x":1e300,"y":1,"w":5,"h":5}]})",
       "box 0: 'x'"},
      {&alice, "PUT", labels,
       R"({"version":0,"boxes":[{"category_id":)" + q + R"(,"x":1,"y":1,"w":5,"h":5,"score":2}]})",
       "'score'"},
      {&alice, "PUT", labels,
       R"({"version":0,"boxes":[{"category_id":1e400,"x":1,"y":1,"w":5,"h":5}]})",
       "boxes[0].category_id"},
      {&alice, "POST", "/api/images/" + std::to_string(first_image()) + "/skip",
       R"({"version":-1e400})", "version"},
      {&admin, "POST", "/api/jobs", R"({"kind":"train","params":{"epochs":1e400}})",
       "params.epochs"},
      {&admin, "POST", "/api/jobs", R"({"kind":"train","params":{"epochs":1e20}})", "epochs"},
      {&admin, "POST", "/api/jobs", R"({"kind":"score","params":{"batch":4294967297}})", "batch"},
      {&admin, "PATCH", "/api/project/settings", R"({"audit_fraction":-1e400})", "audit_fraction"},
      {&admin, "PATCH", "/api/project/settings", R"({"trigger_every":4294967297})",
       "trigger_every"},
      {&admin, "PUT", "/api/loop", R"({"every":1e400})", "every"},
  };
  for (const Case& c : cases) {
    httplib::Result res =
        c.method == std::string("POST")  ? c.client->Post(c.path, c.body, "application/json")
        : c.method == std::string("PUT") ? c.client->Put(c.path, c.body, "application/json")
                                         : c.client->Patch(c.path, c.body, "application/json");
    expect_refused(res, 400, c.field, std::string(c.method) + " " + c.path + " " + c.body);
    if (res) {
      EXPECT_EQ(json_of(res)["error"]["code"], "invalid_argument") << c.body;
    }
  }
  EXPECT_EQ(data_snapshot(), before);
}

// 4. A POST without Content-Length (what `curl -X POST` sends) held a worker for the whole 30 s
// read timeout before its 400; a few hundred of them stalled the server.
TEST_F(HardeningTest, Item4APostWithoutContentLengthIsAnsweredAtOnce) {
  start_server();  // 16 workers in tests
  const auto start = Clock::now();
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < 8; ++i) {
    connections.push_back(std::make_unique<RawConnection>(server_->port()));
    connections.back()->send("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  }
  for (auto& connection : connections) {
    const auto answer = connection->read_response(3s);
    ASSERT_TRUE(answer) << "no answer within 3 s";
    EXPECT_EQ(status_of(*answer), 400) << *answer;
    EXPECT_NE(answer->find("empty body"), std::string::npos) << *answer;
  }
  EXPECT_LT(Clock::now() - start, 2s);

  // A route without parameters works as curl sends it: no body is no parameters.
  RawConnection run(server_->port());
  run.send("POST /api/loop/run HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin_ +
           "\r\n\r\n");
  const auto answer = run.read_response(3s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), 202) << *answer;
}

TEST_F(HardeningTest, Item4AStalledOrSlowBodyFreesItsWorkerWithinTheTimeouts) {
  ServerOptions options;
  options.read_timeout = 1s;
  options.json_body_deadline = 600ms;
  start_server(options);
  const std::string labels = labels_path(first_image());
  const std::string headers = "PUT " + labels + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                              "Authorization: Bearer " + alice_ +
                              "\r\nContent-Type: application/json\r\n";

  // Stops after 10 of 100 bytes: the read times out and the request gets its 400 at once.
  auto start = Clock::now();
  RawConnection stalled(server_->port());
  stalled.send(headers + "Content-Length: 100\r\n\r\n{\"version\"");
  auto answer = stalled.read_response(4s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), 400) << *answer;
  EXPECT_NE(answer->find("cut short"), std::string::npos) << *answer;
  EXPECT_LT(Clock::now() - start, 3s);

  // Headers that stop half-way are given up the same way.
  start = Clock::now();
  RawConnection half(server_->port());
  half.send("GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  answer = half.read_response(4s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), 400) << *answer;
  EXPECT_LT(Clock::now() - start, 3s);

  // A byte every 300 ms never trips the read timeout, but the body's deadline ends it.
  start = Clock::now();
  RawConnection slow(server_->port());
  slow.send(headers + "Content-Length: 40\r\n\r\n");
  answer.reset();
  for (int i = 0; i < 40 && !answer; ++i) {
    try {
      slow.send(" ");
    } catch (const std::exception&) {
      break;  // closed after its answer
    }
    answer = slow.read_response(300ms);
  }
  ASSERT_TRUE(answer);
  EXPECT_EQ(status_of(*answer), 400) << *answer;
  EXPECT_NE(answer->find("did not arrive within"), std::string::npos) << *answer;
  EXPECT_LT(Clock::now() - start, 3s);
  EXPECT_EQ(store_->image(first_image())->status, ImageStatus::kUnlabeled);
}

std::string jpeg_bytes() {
  SynthOptions options;
  options.width = 96;
  options.height = 64;
  std::vector<unsigned char> bytes;
  cv::imencode(".jpg", synth_image(options, 3).bgr, bytes);
  return std::string(bytes.begin(), bytes.end());
}

std::string png_bytes() {
  SynthOptions options;
  options.width = 80;
  options.height = 72;
  std::vector<unsigned char> bytes;
  cv::imencode(".png", synth_image(options, 4).bgr, bytes);
  return std::string(bytes.begin(), bytes.end());
}

// 5. A JPEG/HTML polyglot uploaded as poly.html was stored under that name and served as
// text/html (stored XSS in a project without users).
TEST_F(HardeningTest, Item5FilesAreNamedAndServedByWhatTheirBytesAre) {
  start_server();
  auto admin = client(admin_);
  const std::string polyglot =
      jpeg_bytes() + "<html><script>alert(document.cookie)</script></html>";
  httplib::MultipartFormDataItems parts{{"file", polyglot, "poly.html", "text/html"},
                                        {"file", png_bytes(), "card.jpg", "image/jpeg"},
                                        {"file", jpeg_bytes() + " ", "keep.JPEG", "image/jpeg"}};
  auto res = admin.Post("/api/images", parts);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json results = json_of(res)["results"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["file"], "poly.html");  // the name the client sent, for the page
  EXPECT_EQ(results[0]["image"]["path"], "poly.jpg");
  EXPECT_EQ(results[1]["image"]["path"], "card.png");
  EXPECT_EQ(results[2]["image"]["path"], "keep.JPEG");  // a name that fits is kept

  auto expect_image = [&](const httplib::Result& got, const std::string& type,
                          const std::string& what) {
    ASSERT_TRUE(got) << what;
    ASSERT_EQ(got->status, 200) << what;
    EXPECT_EQ(got->get_header_value("Content-Type"), type) << what;
    EXPECT_EQ(got->get_header_value("X-Content-Type-Options"), "nosniff") << what;
  };
  EXPECT_EQ(admin.Get("/api/files/poly.html")->status, 404);
  expect_image(admin.Get("/api/files/poly.jpg"), "image/jpeg", "by path");
  const Id poly = results[0]["image"]["id"];
  expect_image(admin.Get("/api/images/" + std::to_string(poly) + "/file"), "image/jpeg", "by id");
  expect_image(admin.Get("/api/files/card.png"), "image/png", "png");

  // Whatever else lies in the image folder is never a page either.
  std::ofstream(store_->image_dir() / "note.html") << "<html><script>alert(1)</script></html>";
  std::ofstream(store_->image_dir() / "fake.png") << "<html><script>alert(2)</script></html>";
  for (const char* name : {"note.html", "fake.png"}) {
    expect_image(admin.Get(std::string("/api/files/") + name), "application/octet-stream", name);
  }
}

// 6. Stored text and boxes had no bounds (a 50 MB comment came back with every GET, a box of
// width 1e-320 was stored) and job params were checked only when the worker ran them.
TEST_F(HardeningTest, Item6CommentsBoxesAndJobParamsAreBoundedWhenTheyArrive) {
  start_server();
  auto alice = client(alice_);
  auto admin = client(admin_);
  const Id image = first_image();
  const Id queen = category_id("queen");
  const Json before = data_snapshot();

  const std::string long_comment(limits::kMaxCommentBytes + 1, 'c');
  expect_refused(put_labels(alice, image, 0, Json::array(), long_comment), 400, "'comment'",
                 "long comment");
  expect_refused(
      alice.Post("/api/images/" + std::to_string(image) + "/skip",
                 Json{{"version", 0}, {"comment", long_comment}}.dump(), "application/json"),
      400, "'comment'", "long skip comment");
  Json too_many = Json::array();
  for (std::size_t i = 0; i <= limits::kMaxBoxesPerImage; ++i) {
    too_many.push_back(box(queen, 1, 1, 5, 5));
  }
  expect_refused(put_labels(alice, image, 0, too_many), 400, "'boxes'", "2001 boxes");
  for (const Json& thin : {box(queen, 1, 1, 1e-320, 5), box(queen, 1, 1, 5, 0.5),
                           box(queen, kWidth - 0.5, 1, 10, 10), box(queen, 1, -9.5, 5, 10)}) {
    expect_refused(put_labels(alice, image, 0, Json::array({thin})), 400, "box 0",
                   "thin box " + thin.dump());
  }
  Json coloured = box(queen, 1, 1, 5, 5);
  coloured["colour"] = "red";
  expect_refused(put_labels(alice, image, 0, Json::array({coloured})), 400, "unknown key 'colour'",
                 "unknown box key");

  const std::vector<std::pair<std::string, std::string>> bad_jobs = {
      {R"({"kind":"train","params":{"epochs":-1}})", "'epochs'"},
      {R"({"kind":"train","params":{"lr":"abc"}})", "'lr'"},
      {R"({"kind":"train","params":{"epochz":3}})", "epochz"},
      {R"({"kind":"train","params":{"from":"/etc/passwd"}})", "'from'"},
      {R"({"kind":"train","params":{"from":"99"}})", "no model 99"},
      {R"({"kind":"train","params":{"pretrained":"/etc/passwd"}})", "'pretrained'"},
      {R"({"kind":"train","params":{"round_after_event":1}})", "round_after_event"},
      {R"({"kind":"score","params":{"model":"/etc/passwd"}})", "'model'"},
      {R"({"kind":"score","params":{"model":7}})", "no model 7"},
      {R"({"kind":"score","params":{"strategy":"nonsense"}})", "strategy"},
      {R"({"kind":"train","params":[]})", "'params' must be an object"},
      {R"({"kind":"train","priority":1})", "unknown key 'priority'"},
  };
  for (const auto& [body, part] : bad_jobs) {
    expect_refused(admin.Post("/api/jobs", body, "application/json"), 400, part, body);
  }
  EXPECT_EQ(data_snapshot(), before);

  // What is within the limits is stored as it came.
  const std::string longest(limits::kMaxCommentBytes, 'c');
  Json thinnest = Json::array({box(queen, kWidth - 1.0, 0, 5, 1)});
  auto saved = put_labels(alice, image, 0, thinnest, longest);
  ASSERT_EQ(saved->status, 200) << saved->body;
  EXPECT_EQ(store_->label_events(image).at(0).comment, longest);
  EXPECT_EQ(store_->annotations(image).at(0).box, (Box{kWidth - 1.0, 0, 1, 1}));
  for (const char* body : {R"({"kind":"train","params":{"epochs":2,"from":"scratch"}})",
                           R"({"kind":"score","params":{"model":"last","batch":4}})"}) {
    auto created = admin.Post("/api/jobs", body, "application/json");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->status, 201) << body << " " << created->body;
  }
  EXPECT_EQ(store_->jobs().size(), 2u);
}

// A multipart upload whose file part is `size` bytes, sent chunked (no Content-Length).
httplib::Result post_chunked_upload(httplib::Client& client, std::size_t size) {
  const std::string head =
      "--B0UNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n"
      "Content-Type: image/png\r\n\r\n";
  const std::string tail = "\r\n--B0UNDARY--\r\n";
  const std::string block(1 << 20, 'x');
  return client.Post(
      "/api/images",
      [&, sent = std::size_t{0}, state = 0](std::size_t, httplib::DataSink& sink) mutable {
        if (state == 0) {
          sink.write(head.data(), head.size());
          state = 1;
        } else if (state == 1) {
          const std::size_t n = std::min(block.size(), size - sent);
          sink.write(block.data(), n);
          sent += n;
          if (sent == size) state = 2;
        } else {
          sink.write(tail.data(), tail.size());
          sink.done();
        }
        return true;
      },
      "multipart/form-data; boundary=B0UNDARY");
}

// A JSON body sent chunked.
httplib::Result put_chunked(httplib::Client& client, const std::string& path,
                            const std::string& body) {
  return client.Put(
      path,
      [&](std::size_t offset, httplib::DataSink& sink) {
        const std::size_t n = std::min<std::size_t>(64 << 10, body.size() - offset);
        sink.write(body.data() + offset, n);
        if (offset + n == body.size()) sink.done();
        return true;
      },
      "application/json");
}

// 7. A chunked 70 MB body got 400, a plain one the documented 413 (and a chunked body had no
// limit at all).
TEST_F(HardeningTest, Item7AChunkedBodyOverTheLimitIs413LikeAPlainOne) {
  start_server();
  auto admin = client(admin_);
  auto alice = client(alice_);
  const Json before = data_snapshot();

  auto upload = post_chunked_upload(admin, 70u << 20);
  expect_refused(upload, 413, "larger than", "chunked 70 MB upload");
  // The body was read to its end: the same connection serves the next request.
  EXPECT_EQ(admin.Get("/api/stats")->status, 200);

  const std::string path = labels_path(first_image());
  const std::string big =
      Json{{"version", 0}, {"boxes", Json::array()}, {"comment", std::string(2 << 20, 'c')}}.dump();
  expect_refused(alice.Put(path, big, "application/json"), 413, "larger than", "plain 2 MB JSON");
  expect_refused(put_chunked(alice, path, big), 413, "larger than", "chunked 2 MB JSON");
  EXPECT_EQ(data_snapshot(), before);

  // Chunked bodies within the limits are read like any other.
  auto small = put_chunked(alice, path, R"({"version":0,"boxes":[],"comment":"chunked"})");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->status, 200) << small->body;
  EXPECT_EQ(store_->label_events(first_image()).at(0).comment, "chunked");
}

// Framing cpp-httplib would misread is refused before any of the body is read.
TEST_F(HardeningTest, OddFramingIsRefusedAndClosesTheConnection) {
  start_server();
  for (const std::string& framing :
       {std::string("Transfer-Encoding: gzip\r\n"), std::string("Content-Length: 12abc\r\n"),
        std::string("Content-Length: 99999999999999999999999\r\n")}) {
    RawConnection connection(server_->port());
    connection.send("POST /api/login HTTP/1.1\r\nHost: 127.0.0.1\r\n" + framing + "\r\n{}");
    const auto answer = connection.read_response(3s);
    ASSERT_TRUE(answer) << framing;
    EXPECT_GE(status_of(*answer), 400) << framing << *answer;
    EXPECT_LT(status_of(*answer), 500) << framing << *answer;
    EXPECT_NE(answer->find("Connection: close"), std::string::npos) << framing << *answer;
  }
}

// Keys given twice could pass a check with the first and be stored with the second.
TEST_F(HardeningTest, DuplicateKeysAreRefused) {
  start_server();
  auto admin = client(admin_);
  expect_refused(
      admin.Patch("/api/project/settings", R"({"lease_seconds":60,"lease_seconds":4294967297})",
                  "application/json"),
      400, "'lease_seconds' appears twice", "duplicate key");
  EXPECT_EQ(store_->settings().lease_seconds, kDefaultLeaseSeconds);
}

// Every known setting is checked with its type and range, and unknown ones are refused.
TEST_F(HardeningTest, SettingsAreCheckedKeyByKey) {
  start_server();
  auto admin = client(admin_);
  const Json before = data_snapshot();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {R"({"colour":"red"})", "unknown setting 'colour'"},
      {R"({"audit_fraction":0.6})", "audit_fraction"},
      {R"({"audit_fraction":"0.1"})", "audit_fraction"},
      {R"({"trigger_every":0})", "trigger_every"},
      {R"({"trigger_every":1000001})", "trigger_every"},
      {R"({"loop_enabled":"yes"})", "loop_enabled"},
      {R"({"strategy":"nonsense"})", "strategy"},
      {R"({"strategy":5})", "strategy"},
      {R"({"model":"big"})", "'model'"},
      {R"({"model":{"arch":"mobilenet"}})", "model.arch"},
      {R"({"model":{"input_size":100}})", "model.input_size"},
      {R"({"model":{"input_size":4096}})", "model.input_size"},
      {R"({"model":{"depth":3}})", "unknown key 'depth'"},
      {R"({"train":{"epochs":0}})", "train: 'epochs'"},
      {R"({"train":{"from":"/etc/passwd"}})", "'from'"},
      {R"({"train":{"pretrained":"/root/weights.pth"}})", "'pretrained'"},
      {R"({"train":{"batch":1e400}})", "train.batch"},
      {R"({"train":[]})", "'train'"},
  };
  for (const auto& [body, part] : bad) {
    expect_refused(admin.Patch("/api/project/settings", body, "application/json"), 400, part, body);
  }
  EXPECT_EQ(data_snapshot(), before);

  auto good = admin.Patch("/api/project/settings",
                          R"({"audit_fraction":0.5,"trigger_every":5,"loop_enabled":false,
                              "strategy":"margin","model":{"arch":"retinanet","input_size":320},
                              "train":{"epochs":3,"from":"last"},"old_key":null})",
                          "application/json");
  ASSERT_TRUE(good);
  ASSERT_EQ(good->status, 200) << good->body;
  const ProjectSettings settings = store_->settings();
  EXPECT_EQ(settings.audit_fraction, 0.5);
  EXPECT_EQ(settings.model.input_size, 320);
  EXPECT_EQ(settings.train["from"], "last");
}

// Settings stored before they were checked (or by an older version) may hold junk, deep nesting
// included: reading them answers 200 with the defaults for the bad keys, and a change of another
// key is not blocked by them.
TEST_F(HardeningTest, JunkStoredInTheSettingsReadsAsTheDefaults) {
  {
    auto db = Database::open(store_->dir() / Store::kDatabaseFile, false);
    const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
    db->prepare("UPDATE project SET settings = ? WHERE id = 1")
        .bind_all(R"({"lease_seconds":4294967297,"trigger_every":-3,"loop_enabled":"yes",)"
                  R"("strategy":"nonsense","audit_fraction":0.25,"model":"big","x":)" +
                  deep + "}")
        .run();
  }
  start_server();
  auto admin = client(admin_);
  const Json defaults = to_json(ProjectSettings{});

  auto project = admin.Get("/api/project");
  ASSERT_TRUE(project);
  ASSERT_EQ(project->status, 200) << project->body.substr(0, 300);
  const Json settings = json_of(project)["settings"];
  for (const char* key : {"lease_seconds", "trigger_every", "model"}) {
    EXPECT_EQ(settings[key], defaults[key]) << key;
  }
  EXPECT_EQ(settings["loop_enabled"], true);
  // A string is kept as stored (the store cannot parse specs); the loop reads it as the default.
  EXPECT_EQ(settings["strategy"], "nonsense");
  EXPECT_FALSE(settings.contains("x"));
  EXPECT_EQ(settings["audit_fraction"], 0.25);

  auto loop = admin.Get("/api/loop");
  ASSERT_TRUE(loop);
  ASSERT_EQ(loop->status, 200) << loop->body.substr(0, 300);
  const Json status = json_of(loop);
  EXPECT_EQ(status["enabled"], true);
  EXPECT_EQ(status["every"], defaults["trigger_every"]);
  EXPECT_EQ(status["strategy"], active::default_strategy_spec());  // "nonsense" does not parse

  auto next = client(alice_).Get("/api/next");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200) << next->body.substr(0, 300);

  auto patched = admin.Patch("/api/project/settings", R"({"trigger_every":7})", "application/json");
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body.substr(0, 300);
  EXPECT_EQ(json_of(patched)["trigger_every"], 7);
  EXPECT_EQ(json_of(patched)["lease_seconds"], kDefaultLeaseSeconds);
}

}  // namespace
}  // namespace boxloop::server::testing
