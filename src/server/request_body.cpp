#include "server/request_body.h"

#include <charconv>
#include <cstdint>

#include "core/error.h"
#include "core/text.h"

namespace boxloop::server {

namespace {

using Clock = std::chrono::steady_clock;

enum class Framing { kNone, kLength, kChunked };

// The rest of the body stays unread: the next "request" on this connection would be its bytes.
void close_after(httplib::Response& res) { res.set_header("Connection", "close"); }

Error too_large(const BodyLimits& limits) {
  return Error(ErrorCode::kTooLarge, "the request body is larger than " +
                                         std::to_string(limits.max_bytes) +
                                         " bytes, the limit of this route");
}

// How the body is delimited. Anything cpp-httplib would misread (another transfer coding, a
// length that is not a number) is refused before a byte of the body is read.
Framing framing(const httplib::Request& req, httplib::Response& res, std::uint64_t& length) {
  if (req.has_header("Transfer-Encoding")) {
    const std::string coding = req.get_header_value("Transfer-Encoding");
    if (ascii_lower(coding) == "chunked") return Framing::kChunked;
    close_after(res);
    throw Error(ErrorCode::kInvalidArgument,
                "only the chunked transfer coding is accepted, got '" + coding + "'");
  }
  if (!req.has_header("Content-Length")) return Framing::kNone;
  const std::string text = req.get_header_value("Content-Length");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    close_after(res);
    throw Error(ErrorCode::kInvalidArgument,
                "Content-Length must be a number of bytes, got '" + text + "'");
  }
  return Framing::kLength;
}

// Counts the bytes of a body as they arrive against the limits.
class Meter {
 public:
  explicit Meter(const BodyLimits& limits) : limits_(limits), start_(Clock::now()) {}

  // Counts `n` more bytes; false when reading must stop.
  bool count(std::size_t n) {
    seen_ += n;
    if (limits_.deadline.count() > 0 && Clock::now() - start_ > limits_.deadline) {
      late_ = true;
      return false;
    }
    if (seen_ > limits_.max_bytes) over_ = true;
    return seen_ <= limits_.max_drain_bytes;
  }
  // Whether the bytes so far are over the limit (and so not worth keeping).
  bool over() const { return over_; }

  // Throws unless the read completed within the limits; `completed` is the reader's result.
  void finish(bool completed, httplib::Response& res, const char* malformed) const {
    if (over_) {
      if (!completed) close_after(res);
      throw too_large(limits_);
    }
    if (late_) {
      close_after(res);
      const auto ms = limits_.deadline.count();
      throw Error(ErrorCode::kInvalidArgument, "the request body did not arrive within " +
                                                   std::to_string(ms / 1000) + "." +
                                                   std::to_string(ms % 1000 / 100) + " s");
    }
    if (!completed) {
      close_after(res);
      throw Error(ErrorCode::kInvalidArgument, malformed);
    }
  }

 private:
  const BodyLimits& limits_;
  Clock::time_point start_;
  std::size_t seen_ = 0;
  bool over_ = false;
  bool late_ = false;
};

// Framing and the checks that need no byte of the body; false when there is no body.
bool expect_body(const httplib::Request& req, httplib::Response& res, const BodyLimits& limits,
                 std::uint64_t& length) {
  const Framing how = framing(req, res, length);
  if (how == Framing::kNone || (how == Framing::kLength && length == 0)) return false;
  if (how == Framing::kLength && length > limits.max_drain_bytes) {
    close_after(res);
    throw too_large(limits);
  }
  if (how == Framing::kChunked) length = 0;
  return true;
}

constexpr const char* kCutShort =
    "the request body was cut short, or its length or chunked encoding is malformed";

}  // namespace

std::string read_body(const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& reader, const BodyLimits& limits) {
  std::uint64_t length = 0;
  if (!expect_body(req, res, limits, length)) return {};
  std::string body;
  if (length <= limits.max_bytes) body.reserve(length);
  Meter meter(limits);
  bool dropped = false;
  const bool completed = reader([&](const char* data, std::size_t n) {
    if (!meter.count(n)) return false;
    if (!meter.over()) {
      body.append(data, n);
    } else if (!dropped) {
      std::string().swap(body);  // drained from here on; free what was kept
      dropped = true;
    }
    return true;
  });
  meter.finish(completed, res, kCutShort);
  return body;
}

std::vector<UploadedFile> read_multipart(const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& reader,
                                         const BodyLimits& limits, std::size_t max_files) {
  if (!req.is_multipart_form_data()) {
    read_body(req, res, reader, limits);
    throw Error(ErrorCode::kInvalidArgument,
                "upload images as multipart/form-data, one or more parts named 'file'");
  }
  std::uint64_t length = 0;
  if (!expect_body(req, res, limits, length)) return {};
  std::vector<UploadedFile> files;
  bool too_many = false;
  bool dropped = false;
  Meter meter(limits);
  const bool completed = reader(
      [&](const httplib::MultipartFormData& part) {
        if (files.size() >= max_files) {
          too_many = true;
          return false;
        }
        files.push_back(UploadedFile{part.name, part.filename, {}});
        return true;
      },
      [&](const char* data, std::size_t n) {
        if (!meter.count(n)) return false;
        if (!meter.over()) {
          files.back().content.append(data, n);
        } else if (!dropped) {
          for (UploadedFile& file : files) std::string().swap(file.content);
          dropped = true;
        }
        return true;
      });
  if (too_many) {
    close_after(res);
    throw Error(ErrorCode::kTooLarge,
                "an upload holds at most " + std::to_string(max_files) + " parts");
  }
  meter.finish(completed, res,
               "the multipart body was cut short, or its boundary or parts are malformed");
  return files;
}

}  // namespace boxloop::server
