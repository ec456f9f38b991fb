#include "cli/shared_paths.h"

namespace boxloop::cli {

namespace fs = std::filesystem;

std::vector<fs::path> shared_pretrained_fallbacks() {
  std::vector<fs::path> roots;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) roots.push_back(exe.parent_path() / "../../../../shared");
  roots.push_back(fs::current_path() / "../shared");
  std::vector<fs::path> out;
  for (const fs::path& r : roots) {
    out.push_back((r / "models/fastestdet-coco/fastestdet_coco_cpu.pth").lexically_normal());
  }
  return out;
}

}  // namespace boxloop::cli
