// Reading request bodies within limits. Every route that takes a body reads it here (through
// json_route and upload_route, route_context.h), never through cpp-httplib's own reader: in 0.11
// that one has no size limit for a chunked body, and it reads a request with neither
// Content-Length nor chunked encoding until the client closes (a thread held for the whole read
// timeout by `curl -X POST`).
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace boxloop::server {

struct BodyLimits {
  std::size_t max_bytes = 0;  // a larger body is kTooLarge (413)
  // A body over max_bytes is still read (and dropped) up to this many bytes, so the connection
  // stays usable for the next request; a larger one is not read on and the answer closes it.
  std::size_t max_drain_bytes = 0;
  // The whole body must arrive within this; zero: no limit beyond the per-read timeout.
  std::chrono::milliseconds deadline{0};
};

// The body of a request whose route reads its own content. A request with neither Content-Length
// nor Transfer-Encoding: chunked has no body (RFC 9112, 6.3): "" at once. Throws kTooLarge for a
// body over the limit, chunked or not; kInvalidArgument for a body cut short, a malformed length
// or chunk, another transfer coding, or one slower than the deadline. `res` gets
// "Connection: close" when the rest of the body is left unread.
std::string read_body(const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& reader, const BodyLimits& limits);

struct UploadedFile {
  std::string field;     // the form field's name
  std::string filename;  // as the client sent it (empty for a plain form field)
  std::string content;
};

// The parts of a multipart/form-data body, within the same limits (max_bytes counts the parts'
// content) and at most `max_files` parts. Throws kInvalidArgument when the body is not
// multipart/form-data (it is read and dropped first), as read_body otherwise.
std::vector<UploadedFile> read_multipart(const httplib::Request& req, httplib::Response& res,
                                         const httplib::ContentReader& reader,
                                         const BodyLimits& limits, std::size_t max_files);

}  // namespace boxloop::server
