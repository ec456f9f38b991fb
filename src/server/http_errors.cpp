#include "server/http_errors.h"

#include <spdlog/spdlog.h>

#include <exception>

namespace boxloop::server {

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kCorrupt:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kConflict:
    case ErrorCode::kCancelled:
      return 409;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kUnsupported:
      return 501;
    case ErrorCode::kBusy:
      return 503;
    case ErrorCode::kIo:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

ErrorCode error_code_for_status(int status) {
  switch (status) {
    case 400:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kForbidden;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kConflict;
    case 413:
      return ErrorCode::kTooLarge;
    case 501:
      return ErrorCode::kUnsupported;
    case 503:
      return ErrorCode::kBusy;
    default:
      return ErrorCode::kInternal;
  }
}

Json error_json(ErrorCode code, const std::string& message) {
  return Json{{"error", {{"code", std::string(to_string(code))}, {"message", message}}}};
}

void send_json(httplib::Response& res, const Json& body, int status) {
  res.status = status;
  // Replace rather than throw on invalid UTF-8 (an odd file name must not turn into a 500).
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

void send_error(httplib::Response& res, ErrorCode code, const std::string& message) {
  // A busy database is a moment's wait, not a fault of the request: say when to send it again.
  if (code == ErrorCode::kBusy) res.set_header("Retry-After", "1");
  send_json(res, error_json(code, message), http_status(code));
}

namespace {

std::string default_message(int status, const httplib::Request& req) {
  switch (status) {
    case 400:
      return "the request could not be parsed";
    case 404:
      return "no such route: " + req.method + " " + req.path;
    case 405:
      return "method not allowed";
    case 413:
      return "the request body is larger than the server accepts";
    default:
      return "the request failed with HTTP status " + std::to_string(status);
  }
}

}  // namespace

void install_error_handlers(httplib::Server& server) {
  server.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        try {
          std::rethrow_exception(ep);
        } catch (const Error& e) {
          if (e.code() == ErrorCode::kBusy) {
            spdlog::warn("{} {}: {}", req.method, req.path, e.what());
          } else if (http_status(e.code()) >= 500) {
            spdlog::error("{} {}: {}", req.method, req.path, e.what());
          }
          send_error(res, e.code(), e.what());
        } catch (const std::exception& e) {
          spdlog::error("{} {}: unexpected error: {}", req.method, req.path, e.what());
          send_error(res, ErrorCode::kInternal, "internal server error (see the server log)");
        } catch (...) {
          spdlog::error("{} {}: unknown exception", req.method, req.path);
          send_error(res, ErrorCode::kInternal, "internal server error (see the server log)");
        }
      });
  server.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        // Routes already wrote their own error body; only httplib's bare statuses get one here.
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const ErrorCode code = error_code_for_status(res.status);
        const int status = res.status;
        send_json(res, error_json(code, default_message(status, req)), status);
        return httplib::Server::HandlerResponse::Handled;
      }));
}

}  // namespace boxloop::server
