// How errors leave the server: a boxloop::Error's code picks the HTTP status and the body is
// {"error": {"code", "message"}} (docs/api.md). Anything else thrown by a route is a bug: 500,
// logged with the request, and the client gets no internals.
#pragma once

#include <httplib.h>

#include <string>

#include "core/error.h"
#include "core/json.h"

namespace boxloop::server {

int http_status(ErrorCode code);
// The error code a status stands for, for errors httplib produces itself (404 route, 413 body).
ErrorCode error_code_for_status(int status);
Json error_json(ErrorCode code, const std::string& message);

void send_json(httplib::Response& res, const Json& body, int status = 200);
void send_error(httplib::Response& res, ErrorCode code, const std::string& message);

// Installs the exception handler (maps what routes throw) and the error handler (gives httplib's
// own errors, such as 404 for no route and 413 for a large body, the same JSON shape).
void install_error_handlers(httplib::Server& server);

}  // namespace boxloop::server
