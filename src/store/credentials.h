// Passwords and tokens for the user table. Only hashes are stored: a stolen database file gives
// neither passwords nor usable tokens.
#pragma once

#include <string>
#include <string_view>

#include "digest/sha256.h"

namespace boxloop {

// `bytes` random bytes from OpenSSL's CSPRNG, as lowercase hex.
std::string random_token_hex(int bytes = 32);

// Tokens are 256 random bits, so a plain (unsalted, fast) sha256_hex suffices for them;
// passwords need the slow salted hash below.

// PBKDF2-HMAC-SHA256 with a random 16-byte salt, stored as
// "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" so the cost can be raised later.
std::string hash_password(std::string_view password);
// Constant-time check of a password against hash_password's output; false for a malformed hash.
bool verify_password(std::string_view password, const std::string& stored);

// The work factor of new hashes.
inline constexpr int kPasswordIterations = 200'000;

}  // namespace boxloop
