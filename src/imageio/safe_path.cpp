#include <algorithm>

#include "core/error.h"
#include "imageio/image_file.h"

namespace boxloop {

namespace fs = std::filesystem;

bool is_safe_relative_path(std::string_view relative) {
  if (relative.empty() || relative.front() == '/') return false;
  if (relative.find('\\') != std::string_view::npos) return false;
  if (relative.find('\0') != std::string_view::npos) return false;
  std::size_t start = 0;
  while (start <= relative.size()) {
    const std::size_t end = std::min(relative.find('/', start), relative.size());
    const std::string_view part = relative.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

fs::path resolve_inside(const fs::path& root, std::string_view relative) {
  if (!is_safe_relative_path(relative)) {
    throw Error(ErrorCode::kInvalidArgument,
                "unsafe path \"" + std::string(relative) +
                    "\": must be relative, '/'-separated, without '.', '..' or backslashes");
  }
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) throw Error(ErrorCode::kNotFound, root.string() + ": folder not found");
  const fs::path target = fs::canonical(root / fs::path(std::string(relative)), ec);
  if (ec) throw Error(ErrorCode::kNotFound, std::string(relative) + ": not found");
  // Compare whole components so /data/images2 is not taken to be inside /data/images.
  auto [root_end, target_it] =
      std::mismatch(canonical_root.begin(), canonical_root.end(), target.begin(), target.end());
  if (root_end != canonical_root.end() || target_it == target.end()) {
    throw Error(ErrorCode::kNotFound,
                std::string(relative) + ": not found (it resolves outside the folder)");
  }
  return target;
}

}  // namespace boxloop
