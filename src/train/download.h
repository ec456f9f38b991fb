// Fetching pretrained weights over HTTP(S): streamed to a temporary file beside the target,
// checked against a SHA-256, then renamed into place, so a failed or tampered download leaves
// nothing under the final name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "core/progress.h"

namespace boxloop {

// Upstream URL of a known weights name (e.g. "fastestdet-coco"), if `name` is one.
struct KnownWeights {
  std::string url;
  std::string arch;  // the architecture the weights are for
  std::string file_name;
};
std::optional<KnownWeights> known_weights(const std::string& name);

struct DownloadResult {
  std::filesystem::path file;
  std::string sha256;
  std::int64_t bytes = 0;
};

// Downloads `url` (http:// or https://, redirects followed) to `destination`. When
// `expected_sha256` is not empty the file must match it (case-insensitive hex) or nothing is
// kept (kCorrupt). Throws kInvalidArgument for a malformed URL, kNotFound for HTTP 404, kIo for
// other HTTP statuses and network failures, kCancelled when `cancel` says so.
DownloadResult download_file(const std::string& url, const std::filesystem::path& destination,
                             const std::string& expected_sha256 = "",
                             const ProgressFn& progress = nullptr,
                             const CancelFn& cancel = nullptr);

}  // namespace boxloop
