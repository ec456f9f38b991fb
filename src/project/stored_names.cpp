#include "project/stored_names.h"

#include <filesystem>

#include "core/text.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

std::string lower_stem(const std::string& name) {
  return ascii_lower(fs::path(name).stem().string());
}

}  // namespace

std::string safe_file_name(const std::string& original) {
  // Only the last component of either separator counts: "C:\\x\\a.jpg" and "../a.jpg" -> "a.jpg".
  const auto slash = original.find_last_of("/\\");
  std::string base = slash == std::string::npos ? original : original.substr(slash + 1);
  std::string safe;
  for (const char c : base) {
    const bool plain =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    safe += plain ? c : '_';
  }
  const auto first = safe.find_first_not_of('.');  // no hidden files, no "." or ".."
  safe = first == std::string::npos ? "" : safe.substr(first);
  if (safe.size() > 150) {  // keep the extension, stay far below file system name limits
    const std::string ext = fs::path(safe).extension().string().substr(0, 10);
    safe = safe.substr(0, 150 - ext.size()) + ext;
  }
  if (fs::path(safe).stem().string().empty()) safe = "image" + safe;
  return safe;
}

StoredNames::StoredNames(Store& store) {
  for (const Image& image : store.images()) taken_stems_.insert(lower_stem(image.path));
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(store.image_dir(), ec)) {
    taken_stems_.insert(lower_stem(entry.path().filename().string()));
  }
}

std::string StoredNames::claim(const std::string& original) {
  const std::string safe = safe_file_name(original);
  const fs::path path(safe);
  const std::string stem = path.stem().string();
  const std::string ext = path.extension().string();
  std::string name = safe;
  for (int n = 2; taken_stems_.count(lower_stem(name)) > 0; ++n) {
    name = stem + "_" + std::to_string(n) + ext;
  }
  taken_stems_.insert(lower_stem(name));
  return name;
}

void StoredNames::release(const std::string& name) { taken_stems_.erase(lower_stem(name)); }

}  // namespace boxloop
