// SHA-256 over OpenSSL, shared by the store (token hashes) and imageio (image dedupe). Its own
// module below both because core/ takes no third-party header but nlohmann-json.
#pragma once

#include <string>
#include <string_view>

namespace boxloop {

// SHA-256 of `bytes` as 64 lowercase hex digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace boxloop
