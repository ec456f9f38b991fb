#include "server/request_json.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace boxloop::server {
namespace {

// The message of the kInvalidArgument that parsing `body` throws.
std::string refusal(const std::string& body, int max_depth = limits::kMaxJsonDepth) {
  try {
    parse_json_object(body, max_depth);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << body;
    return e.what();
  }
  ADD_FAILURE() << "accepted " << body.substr(0, 100);
  return "";
}

TEST(RequestJsonTest, BuildsTheSameDocumentAsNlohmann) {
  const std::string body =
      R"({"a":[1,-2,3.5,{"b":null,"c":[true,false]}],"d":"\u00e9\ud83d\ude00","e":{},"f":[],)"
      R"("g":18446744073709551615,"h":-9223372036854775808,"i":1e-400})";
  EXPECT_EQ(parse_json_object(body), Json::parse(body));
}

TEST(RequestJsonTest, DepthIsCountedWhileParsing) {
  const auto nest = [](int depth) {  // an object holding arrays: `depth` levels in all
    return R"({"x":)" + std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
  };
  EXPECT_NO_THROW(parse_json_object(nest(64)));
  EXPECT_NE(refusal(nest(65)).find("nests deeper than 64 levels"), std::string::npos);
  EXPECT_NE(refusal(nest(1'000'000)).find("nests deeper than 64 levels"), std::string::npos);
  EXPECT_NE(refusal(nest(4), 3).find("deeper than 3"), std::string::npos);
}

TEST(RequestJsonTest, MessagesNameTheFieldWhereParsingStopped) {
  EXPECT_NE(refusal(R"({"params":{"epochs":1e400}})").find("'params.epochs'"), std::string::npos);
  EXPECT_NE(refusal(R"({"boxes":[{"x":1},{"x":-1e309}]})").find("'boxes[1].x'"), std::string::npos);
  EXPECT_NE(refusal(R"({"a":1,"b":[1,2,)").find("'b[2]'"), std::string::npos);
  EXPECT_NE(refusal(R"({"a":{"b":1},"a":2})").find("the key 'a' appears twice"), std::string::npos);
  EXPECT_NE(refusal("{\"s\":\"\xff\"}").find("not valid JSON"), std::string::npos);
  EXPECT_NE(refusal(R"({"s":"\ud800"})").find("not valid JSON"), std::string::npos);
  EXPECT_NE(refusal("").find("empty body"), std::string::npos);
  EXPECT_NE(refusal("[1]").find("must be a JSON object, got array"), std::string::npos);
  EXPECT_NE(refusal("{} {}").find("not valid JSON"), std::string::npos);
}

TEST(RequestJsonTest, ReadersCheckRangesAndUnknownKeys) {
  const Json body = Json::parse(R"({"n":4294967297,"f":0.5,"s":"abc","a":[1,2,3]})");
  EXPECT_EQ(required_int(body, "n", 0, INT64_MAX), 4294967297);
  EXPECT_THROW(required_int(body, "n", 0, INT32_MAX), Error);
  EXPECT_THROW(required_int(body, "f", 0, 1), Error);
  EXPECT_EQ(optional_number(body, "f", 0, 1), 0.5);
  EXPECT_FALSE(optional_number(body, "missing", 0, 1));
  EXPECT_THROW(optional_string(body, "s", 2), Error);
  EXPECT_THROW(required_array(body, "a", 2), Error);
  try {
    refuse_unknown_keys(body, {"n", "f", "s"}, "box 3");
    ADD_FAILURE() << "accepted 'a'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("box 3: unknown key 'a'"), std::string::npos) << e.what();
  }
  try {
    required_int(body, "f", 0, 1, "box 3");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("box 3: 'f' must be an integer"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace boxloop::server
