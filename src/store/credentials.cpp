#include "store/credentials.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <vector>

#include "core/error.h"

namespace boxloop {
namespace {

constexpr const char* kScheme = "pbkdf2-sha256";
constexpr int kSaltBytes = 16;
constexpr int kHashBytes = 32;

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[data[i] >> 4];
    hex[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return hex;
}

bool from_hex(std::string_view hex, std::vector<unsigned char>& out) {
  if (hex.size() % 2 != 0) return false;
  out.resize(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto [end, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, out[i], 16);
    if (ec != std::errc() || end != hex.data() + 2 * i + 2) return false;
  }
  return true;
}

std::vector<unsigned char> random_bytes(int count) {
  std::vector<unsigned char> bytes(static_cast<std::size_t>(count));
  if (RAND_bytes(bytes.data(), count) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL could not produce random bytes");
  }
  return bytes;
}

std::vector<unsigned char> pbkdf2(std::string_view password, const std::vector<unsigned char>& salt,
                                  int iterations, std::size_t length) {
  std::vector<unsigned char> hash(length);
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(length), hash.data()) != 1) {
    throw Error(ErrorCode::kInternal, "OpenSSL PBKDF2 failed");
  }
  return hash;
}

}  // namespace

std::string random_token_hex(int bytes) {
  const auto random = random_bytes(bytes);
  return to_hex(random.data(), random.size());
}

std::string hash_password(std::string_view password) {
  const auto salt = random_bytes(kSaltBytes);
  const auto hash = pbkdf2(password, salt, kPasswordIterations, kHashBytes);
  return std::string(kScheme) + "$" + std::to_string(kPasswordIterations) + "$" +
         to_hex(salt.data(), salt.size()) + "$" + to_hex(hash.data(), hash.size());
}

bool verify_password(std::string_view password, const std::string& stored) {
  // scheme$iterations$salt$hash
  std::vector<std::string_view> parts;
  std::string_view rest = stored;
  for (std::size_t pos; (pos = rest.find('$')) != std::string_view::npos;) {
    parts.push_back(rest.substr(0, pos));
    rest.remove_prefix(pos + 1);
  }
  parts.push_back(rest);
  if (parts.size() != 4 || parts[0] != kScheme) return false;
  int iterations = 0;
  const auto [end, ec] =
      std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc() || end != parts[1].data() + parts[1].size() || iterations < 1) {
    return false;
  }
  std::vector<unsigned char> salt, expected;
  if (!from_hex(parts[2], salt) || !from_hex(parts[3], expected) || expected.empty()) return false;
  const auto actual = pbkdf2(password, salt, iterations, expected.size());
  return CRYPTO_memcmp(actual.data(), expected.data(), expected.size()) == 0;
}

}  // namespace boxloop
