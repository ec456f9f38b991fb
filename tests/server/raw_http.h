// A bare TCP connection to the test server, for requests an HTTP client library will not send:
// no Content-Length, a body that stops half-way, bytes dribbled in slowly.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace boxloop::server::testing {

class RawConnection {
 public:
  explicit RawConnection(int port);  // connects to 127.0.0.1:port; throws on failure
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void send(const std::string& bytes);
  // Everything the server sent until it closed, sent a whole response (status line, headers and
  // as many body bytes as its Content-Length says), or `timeout` passed; nullopt when nothing
  // came at all.
  std::optional<std::string> read_response(std::chrono::milliseconds timeout);
  // Whether the server closed the connection within `timeout` (reading and dropping what comes).
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

// The status code of a raw response ("HTTP/1.1 400 Bad Request" -> 400), 0 when there is none.
int status_of(const std::string& response);

}  // namespace boxloop::server::testing
