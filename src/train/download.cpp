#include "train/download.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <regex>

#include "core/error.h"
#include "core/text.h"

namespace boxloop {

namespace fs = std::filesystem;

std::optional<KnownWeights> known_weights(const std::string& name) {
  if (name == "fastestdet-coco") {
    // The COCO weights published with FastestDet (BSD 3-Clause), AP@0.5 25.3 on COCO val.
    return KnownWeights{
        "https://github.com/dog-qiuqiu/FastestDet/raw/main/weights/"
        "weight_AP05%3A0.253207_280-epoch.pth",
        "fastestdet", "fastestdet.pth"};
  }
  return std::nullopt;
}

namespace {

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
      throw Error{ErrorCode::kInternal, "cannot initialise SHA-256"};
    }
  }
  void update(const char* data, std::size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &len);
    static const char* kHex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// Removes the temporary file unless released: every failure path leaves nothing behind.
struct TempFile {
  fs::path path;
  bool keep = false;
  ~TempFile() {
    if (!keep) {
      std::error_code ec;
      fs::remove(path, ec);
    }
  }
};

}  // namespace

DownloadResult download_file(const std::string& url, const fs::path& destination,
                             const std::string& expected_sha256, const ProgressFn& progress,
                             const CancelFn& cancel) {
  static const std::regex kUrl(R"(^(https?://[^/?#]+)(/[^#]*)?$)", std::regex::icase);
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) {
    throw Error{ErrorCode::kInvalidArgument,
                "'" + url + "' is not an http:// or https:// URL (or a known weights name)"};
  }
  const std::string origin = m[1].str();
  const std::string path = m[2].matched ? m[2].str() : "/";
  if (!expected_sha256.empty() &&
      (expected_sha256.size() != 64 ||
       ascii_lower(expected_sha256).find_first_not_of("0123456789abcdef") != std::string::npos)) {
    throw Error{ErrorCode::kInvalidArgument, "--sha256 must be 64 hex digits"};
  }

  fs::create_directories(destination.parent_path());
  TempFile temp{destination.string() + ".part-" + std::to_string(::getpid())};
  std::ofstream out(temp.path, std::ios::binary | std::ios::trunc);
  if (!out) throw Error{ErrorCode::kIo, "cannot write " + temp.path.string()};

  httplib::Client client(origin);
  client.set_follow_location(true);
  client.set_connection_timeout(30);
  client.set_read_timeout(120);
  Sha256 hash;
  std::int64_t received = 0;
  int status = 0;
  bool stopped = false;
  const auto result = client.Get(
      path,
      [&](const httplib::Response& response) {
        status = response.status;
        return response.status == 200;
      },
      [&](const char* data, std::size_t n) {
        out.write(data, static_cast<std::streamsize>(n));
        hash.update(data, n);
        received += static_cast<std::int64_t>(n);
        if (cancel && cancel()) stopped = true;
        return out.good() && !stopped;
      },
      [&](std::uint64_t current, std::uint64_t total) {
        if (progress && total > 0) {
          progress(static_cast<double>(current) / total,
                   std::to_string(current >> 10) + " / " + std::to_string(total >> 10) + " KiB");
        }
        return true;
      });
  out.close();
  if (stopped) throw Error{ErrorCode::kCancelled, "download cancelled"};
  if (status == 404) throw Error{ErrorCode::kNotFound, url + ": not found (HTTP 404)"};
  if (status != 0 && status != 200) {
    throw Error{ErrorCode::kIo, url + ": the server answered HTTP " + std::to_string(status)};
  }
  if (!result) {
    throw Error{ErrorCode::kIo,
                url + ": download failed (" + httplib::to_string(result.error()) + ")"};
  }
  if (!out) throw Error{ErrorCode::kIo, "writing " + temp.path.string() + " failed"};
  const std::string sha = hash.hex();
  if (!expected_sha256.empty() && sha != ascii_lower(expected_sha256)) {
    throw Error{ErrorCode::kCorrupt, url + ": SHA-256 mismatch: expected " +
                                         ascii_lower(expected_sha256) + ", got " + sha +
                                         "; nothing was saved"};
  }
  std::error_code ec;
  fs::rename(temp.path, destination, ec);
  if (ec) throw Error{ErrorCode::kIo, "cannot move the download into " + destination.string()};
  temp.keep = true;
  if (expected_sha256.empty()) {
    spdlog::warn("{}: no --sha256 given; the file's SHA-256 is {}", url, sha);
  }
  return DownloadResult{destination, sha, received};
}

}  // namespace boxloop
