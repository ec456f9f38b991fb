// A seeded, bounded fuzz of every JSON route (issue 12): hostile bodies made from a valid one by
// deep nesting, huge numbers, wrong types, unicode (and bytes that are not UTF-8), truncation,
// duplicate keys and spliced bytes. Every body keeps a "poison" the mutations never touch, which
// the route checks after (nearly) everything else, so every case must be refused: the test
// asserts a 4xx with a JSON error for each (never a 5xx or a 2xx), the server alive throughout,
// and the project's data unchanged at the end.
#include <functional>
#include <random>

#include "server_fixture.h"

namespace boxloop::server::testing {
namespace {

constexpr std::uint64_t kSeed = 12;
constexpr int kCasesPerRoute = 200;

// A JSON value as text, inserted verbatim: it need not be valid JSON (that is the point).
std::vector<std::string> hostile_values() {
  std::vector<std::string> values = {
      // Numbers past every range, and at the edges of the integer types.
      "1e400",
      "-1e400",
      "1e309",
      "-1e309",
      "1e-400",
      "4.9e-324",
      "1e-320",
      "-0",
      "0.5",
      "99999999999999999999999999",
      "18446744073709551616",
      "18446744073709551615",
      "9223372036854775808",
      "9223372036854775807",
      "-9223372036854775809",
      "4294967297",
      "2147483648",
      "-2147483649",
      "1e20",
      "-1",
      "NaN",
      "Infinity",
      "0x10",
      "01",
      // Wrong types.
      "null",
      "true",
      "false",
      "\"\"",
      "\"abc\"",
      "[]",
      "{}",
      "[1,2,3]",
      R"({"a":1})",
      R"([{"x":1}])",
      R"("1")",
      R"("1e400")",
      // Unicode: escapes, astral planes, a lone surrogate, NUL, and raw bytes that are no UTF-8.
      R"("\u0000")",
      R"("\ud800")",
      R"("\udfff\ud800")",
      R"("\ud83d\ude00")",
      "\"\xF0\x9F\x98\x80\"",
      "\"\xC3\x28\"",
      "\"\xFF\xFE\"",
      "\"\xC0\x80\"",
      "\"\xED\xA0\x80\"",
      "\"\xF4\x90\x80\x80\"",
      "\"\xE2\x80\xAE\xD9\x85\"",
      "\"a\xCC\x81\xCC\x81\xCC\x81\"",
      R"("\/..\/..\/etc\/passwd")",
      "\"/etc/passwd\"",
      "\"../../boxloop.db\"",
      // Long strings.
      "\"" + std::string(20'000, 'x') + "\"",
      "\"" + std::string(3'000, '\\') + "\"\"",
  };
  return values;
}

std::string nested(std::mt19937_64& rng) {
  static const int kDepths[] = {63, 64, 65, 200, 5'000, 100'000};
  const int depth = kDepths[rng() % std::size(kDepths)];
  if (rng() % 2 == 0) return std::string(depth, '[') + std::string(depth, ']');
  std::string text;
  for (int i = 0; i < depth; ++i) text += R"({"k":)";
  return text + "0" + std::string(depth, '}');
}

// Bytes that are no valid UTF-8 or that upset a lexer: a quote, a backslash, a control byte.
std::string random_bytes(std::mt19937_64& rng) {
  static const std::string kInteresting = std::string("\"\\{}[],:\x00\x01\x7f\x80\xbf\xc0\xff", 17);
  std::string bytes;
  const int n = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < n; ++i) {
    bytes += rng() % 2 ? kInteresting[rng() % kInteresting.size()] : static_cast<char>(rng());
  }
  return bytes;
}

struct Route {
  std::string name;
  std::string method;
  std::string path;
  std::string token;
  Json base;  // valid but for its poison
  // JSON pointers the mutations leave alone: the poison, and what holds it.
  std::vector<std::string> protected_paths;
};

// Every value's JSON pointer in `json` (the root excluded).
void collect_paths(const Json& json, const std::string& at, std::vector<std::string>& out) {
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) {
      const std::string path = at + "/" + key;
      out.push_back(path);
      collect_paths(value, path, out);
    }
  } else if (json.is_array()) {
    for (std::size_t i = 0; i < json.size(); ++i) {
      const std::string path = at + "/" + std::to_string(i);
      out.push_back(path);
      collect_paths(json[i], path, out);
    }
  }
}

bool is_protected(const Route& route, const std::string& path) {
  for (const std::string& p : route.protected_paths) {
    // The poison itself, anything inside it, and every container that holds it.
    if (path == p || path.starts_with(p + "/") || p.starts_with(path + "/")) return true;
  }
  return false;
}

// Marker strings replaced in the dumped text (dump() escapes \u0001 as "\u0001").
const std::string kValueMark = "\x01value\x01";
const std::string kKeyMark = "\x01key\x01";

std::string replace_once(std::string text, const std::string& what, const std::string& with) {
  const auto at = text.find(what);
  if (at != std::string::npos) text.replace(at, what.size(), with);
  return text;
}

std::string quoted(const std::string& mark) { return Json(mark).dump(); }

// One hostile body from `route.base`.
std::string mutate(const Route& route, std::mt19937_64& rng, const std::vector<std::string>& values,
                   std::string& kind) {
  std::vector<std::string> paths;
  collect_paths(route.base, "", paths);
  std::vector<std::string> open;
  for (const std::string& p : paths) {
    if (!is_protected(route, p)) open.push_back(p);
  }
  const std::string text = route.base.dump();
  const auto pick_value = [&] {
    return rng() % 3 == 0 ? nested(rng) : values[rng() % values.size()];
  };
  switch (rng() % 5) {
    case 0:
    case 1: {  // a value replaced by a hostile one
      kind = "replace";
      if (open.empty()) break;
      Json copy = route.base;
      copy[Json::json_pointer(open[rng() % open.size()])] = kValueMark;
      return replace_once(copy.dump(), quoted(kValueMark), pick_value());
    }
    case 2: {  // a key given twice, the second time with a hostile value
      kind = "duplicate";
      std::vector<std::string> keyed;
      for (const std::string& p : paths) {
        const Json& parent = route.base[Json::json_pointer(p).parent_pointer()];
        if (parent.is_object() && !is_protected(route, p)) keyed.push_back(p);
      }
      if (keyed.empty()) break;
      const Json::json_pointer pointer(keyed[rng() % keyed.size()]);
      Json copy = route.base;
      copy[pointer.parent_pointer()][kKeyMark] = kValueMark;
      std::string out = replace_once(copy.dump(), quoted(kKeyMark), Json(pointer.back()).dump());
      return replace_once(out, quoted(kValueMark), pick_value());
    }
    case 3: {  // cut short (never to nothing: an empty body is a valid "no parameters")
      kind = "truncate";
      return text.substr(0, 1 + rng() % (text.size() - 1));
    }
    default: {  // bytes inserted or overwritten outside the poison's own text
      kind = "splice";
      std::string out = text;
      for (int i = 0, n = 1 + static_cast<int>(rng() % 3); i < n; ++i) {
        const std::size_t at = rng() % out.size();
        if (rng() % 2) {
          out.insert(at, random_bytes(rng));
        } else {
          out.replace(at, 1, random_bytes(rng));
        }
      }
      return out;
    }
  }
  // Nothing to mutate but the poison: a hostile value beside it.
  kind = "beside";
  Json copy = route.base;
  copy["v"] = kValueMark;
  return replace_once(copy.dump(), quoted(kValueMark), pick_value());
}

class FuzzTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    admin_ = store_->add_user("ada", UserRole::kAdmin);
    labeler_ = store_->add_user("lee", UserRole::kLabeler);
    start_server();
  }
  std::string admin_;
  std::string labeler_;
};

TEST_F(FuzzTest, HostileBodiesOnEveryJsonRouteAreRefusedAndChangeNothing) {
  const Id image = store_->images().at(0).id;
  const Id queen = category_id("queen");
  const std::string on_image = "/api/images/" + std::to_string(image);
  // Poisons: an unknown key (checked last: keys are read in sorted order and "zz" sorts last),
  // or a stale version (checked by the store, after the whole body was read).
  const Json unknown = Json::array({1});
  const std::vector<Route> routes = {
      {"login",
       "POST",
       "/api/login",
       "",
       Json{{"name", "ada"}, {"password", "not-her-password"}, {"zz_poison", unknown}},
       {"/zz_poison"}},
      {"logout", "POST", "/api/logout", admin_, Json{{"zz_poison", unknown}}, {"/zz_poison"}},
      {"settings",
       "PATCH",
       "/api/project/settings",
       admin_,
       Json{{"lease_seconds", 120},
            {"trigger_every", 7},
            {"loop_enabled", true},
            {"strategy", "margin"},
            {"audit_fraction", 0.2},
            {"model", {{"arch", "fastestdet"}, {"input_size", 320}}},
            {"train", {{"epochs", 3}, {"lr", 0.01}, {"from", "scratch"}}},
            {"zz_poison", unknown}},
       {"/zz_poison"}},
      {"labels",
       "PUT",
       on_image + "/labels",
       labeler_,
       Json{{"version", 12345},
            {"comment", "fuzz"},
            {"boxes", Json::array({Json{{"category_id", queen},
                                        {"x", 10},
                                        {"y", 10},
                                        {"w", 30},
                                        {"h", 30},
                                        {"source", "model"},
                                        {"score", 0.5}},
                                   Json{{"category_id", queen},
                                        {"box", {{"x", 1}, {"y", 2}, {"w", 3}, {"h", 4}}}}})}},
       {"/version"}},
      {"skip",
       "POST",
       on_image + "/skip",
       labeler_,
       Json{{"version", 12345}, {"comment", "fuzz"}},
       {"/version"}},
      {"train job",
       "POST",
       "/api/jobs",
       admin_,
       Json{{"kind", "train"},
            {"params",
             {{"epochs", 2},
              {"lr", 0.01},
              {"from", "scratch"},
              {"seed", 3},
              {"zz_poison", unknown}}}},
       {"/params/zz_poison"}},
      {"score job",
       "POST",
       "/api/jobs",
       admin_,
       Json{{"kind", "score"},
            {"params", {{"model", "last"}, {"batch", 4}, {"seed", 1}, {"zz_poison", unknown}}}},
       {"/params/zz_poison"}},
      {"loop",
       "PUT",
       "/api/loop",
       admin_,
       Json{{"enabled", false}, {"every", 9}, {"strategy", "entropy"}, {"zz_poison", unknown}},
       {"/zz_poison"}},
      {"loop run", "POST", "/api/loop/run", admin_, Json{{"zz_poison", unknown}}, {"/zz_poison"}},
  };

  const Json before = data_snapshot();
  const std::vector<std::string> values = hostile_values();
  std::mt19937_64 rng(kSeed);
  for (const Route& route : routes) {
    auto cli = client(route.token.empty() ? std::nullopt : std::optional(route.token));
    // The unmutated body is refused too: the poison works on its own.
    std::vector<std::pair<std::string, std::string>> bodies = {{"base", route.base.dump()}};
    for (int i = 0; i < kCasesPerRoute; ++i) {
      std::string kind;
      std::string body = mutate(route, rng, values, kind);
      bodies.emplace_back(std::move(kind), std::move(body));
    }
    for (const auto& [kind, body] : bodies) {
      const std::string what = route.name + " (" + kind + "): " + body.substr(0, 200);
      httplib::Result res = route.method == "POST" ? cli.Post(route.path, body, "application/json")
                            : route.method == "PUT"
                                ? cli.Put(route.path, body, "application/json")
                                : cli.Patch(route.path, body, "application/json");
      ASSERT_TRUE(res) << what << ": no answer (" << httplib::to_string(res.error()) << ")";
      EXPECT_GE(res->status, 400) << what << " -> " << res->body.substr(0, 300);
      EXPECT_LT(res->status, 500) << what << " -> " << res->body.substr(0, 300);
      const Json error = json_of(res);
      EXPECT_TRUE(error.contains("error") && error["error"]["message"].is_string()) << what;
    }
    ASSERT_EQ(client(admin_).Get("/api/stats")->status, 200) << "after " << route.name;
  }
  EXPECT_EQ(data_snapshot(), before);
}

}  // namespace
}  // namespace boxloop::server::testing
