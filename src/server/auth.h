// Who is calling. Once the project has users every API call carries a token
// (`Authorization: Bearer <token>`; the event stream may pass `?token=` because EventSource
// cannot set headers). A project without users is single-user: everyone is "local", an admin.
#pragma once

#include <httplib.h>

#include <optional>
#include <string>

#include "store/store.h"

namespace boxloop::server {

inline constexpr const char* kLocalUser = "local";

// The bearer token of the request, if any (the query token only when allowed).
std::optional<std::string> request_token(const httplib::Request& req, bool allow_query_token);

// Throws kUnauthenticated when users exist and the token is missing or unknown.
User authenticate(Store& store, const httplib::Request& req, bool allow_query_token);

// Throws kForbidden unless the caller is an admin.
void require_admin(const User& caller, const httplib::Request& req);

enum class Access;
// The caller when `access` lets them in (an empty User for Access::kAnyone), else throws as above.
User authorize(Store& store, Access access, const httplib::Request& req, bool allow_query_token);

}  // namespace boxloop::server
