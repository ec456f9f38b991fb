#include "server/content_type.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "core/text.h"

namespace boxloop::server {

std::string content_type_for(const std::filesystem::path& file) {
  const std::string ext = ascii_lower(file.extension().string());
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".png", "image/png"},
      {".bmp", "image/bmp"},
      {".webp", "image/webp"},
      {".tif", "image/tiff"},
      {".tiff", "image/tiff"},
  };
  for (const auto& [known, type] : kTypes) {
    if (ext == known) return type;
  }
  return "application/octet-stream";
}

namespace {

struct FormatNames {
  ImageFormat format;
  const char* content_type;
  std::vector<std::string> extensions;  // the usual one first
};

const std::vector<FormatNames>& format_names() {
  static const std::vector<FormatNames> names{
      {ImageFormat::kJpeg, "image/jpeg", {".jpg", ".jpeg"}},
      {ImageFormat::kPng, "image/png", {".png"}},
      {ImageFormat::kBmp, "image/bmp", {".bmp"}},
      {ImageFormat::kWebp, "image/webp", {".webp"}},
      {ImageFormat::kTiff, "image/tiff", {".tif", ".tiff"}},
  };
  return names;
}

const FormatNames* names_of(ImageFormat format) {
  for (const FormatNames& names : format_names()) {
    if (names.format == format) return &names;
  }
  return nullptr;
}

}  // namespace

std::string image_content_type(ImageFormat format) {
  const FormatNames* names = names_of(format);
  return names ? names->content_type : "application/octet-stream";
}

std::string with_format_extension(const std::string& filename, ImageFormat format) {
  const FormatNames* names = names_of(format);
  if (!names) return filename;
  std::filesystem::path path(filename);
  const std::string ext = ascii_lower(path.extension().string());
  const auto& known = names->extensions;
  if (std::find(known.begin(), known.end(), ext) != known.end()) return filename;
  return path.replace_extension(known.front()).string();
}

}  // namespace boxloop::server
