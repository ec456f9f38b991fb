#include "imageio/image_header.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/text.h"

namespace boxloop {

namespace {

std::uint32_t be16(std::string_view b, std::size_t at) {
  return (std::uint32_t(std::uint8_t(b[at])) << 8) | std::uint8_t(b[at + 1]);
}
std::uint32_t be32(std::string_view b, std::size_t at) {
  return (be16(b, at) << 16) | be16(b, at + 2);
}
std::uint32_t le16(std::string_view b, std::size_t at) {
  return (std::uint32_t(std::uint8_t(b[at + 1])) << 8) | std::uint8_t(b[at]);
}
std::uint32_t le32(std::string_view b, std::size_t at) {
  return (le16(b, at + 2) << 16) | le16(b, at);
}
std::uint32_t le24(std::string_view b, std::size_t at) {
  return le16(b, at) | (std::uint32_t(std::uint8_t(b[at + 2])) << 16);
}

bool starts_with(std::string_view bytes, std::string_view magic) {
  return bytes.substr(0, magic.size()) == magic;
}

constexpr std::string_view kPngSignature{"\x89PNG\r\n\x1a\n", 8};

bool is_sof_marker(std::uint8_t m) {
  // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

bool is_standalone_marker(std::uint8_t m) {
  return m == 0x01 || (m >= 0xD0 && m <= 0xD7);  // TEM, RSTn: no length field
}

std::optional<HeaderSize> jpeg_size(std::string_view b) {
  std::size_t at = 2;  // after SOI
  while (at + 4 <= b.size()) {
    if (std::uint8_t(b[at]) != 0xFF) return std::nullopt;
    const std::uint8_t marker = std::uint8_t(b[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (is_standalone_marker(marker)) {
      at += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // EOI or scan before any frame
    const std::size_t length = be16(b, at + 2);
    if (is_sof_marker(marker)) {
      if (at + 9 > b.size()) return std::nullopt;
      return HeaderSize{be16(b, at + 7), be16(b, at + 5)};
    }
    at += 2 + length;
  }
  return std::nullopt;
}

// Walks the marker segments; entropy-coded data after each SOS runs to the next marker that is
// not a stuffed 0xFF00 or a restart marker.
std::string jpeg_truncation(std::string_view b) {
  std::size_t at = 2;
  while (at + 2 <= b.size()) {
    if (std::uint8_t(b[at]) != 0xFF) return "broken JPEG marker structure";
    const std::uint8_t marker = std::uint8_t(b[at + 1]);
    if (marker == 0xFF) {
      ++at;
      continue;
    }
    if (marker == 0xD9) return "";  // EOI: complete (trailing bytes after it are harmless)
    if (is_standalone_marker(marker)) {
      at += 2;
      continue;
    }
    if (at + 4 > b.size()) break;
    const std::size_t length = be16(b, at + 2);
    if (length < 2) return "broken JPEG segment length";
    at += 2 + length;
    if (marker != 0xDA) continue;
    // Skip the scan's entropy-coded data.
    while (at + 1 < b.size()) {
      if (std::uint8_t(b[at]) == 0xFF) {
        const std::uint8_t next = std::uint8_t(b[at + 1]);
        if (next != 0x00 && next != 0xFF && !(next >= 0xD0 && next <= 0xD7)) break;
      }
      ++at;
    }
    if (at + 1 >= b.size()) break;
  }
  return "truncated JPEG (no end-of-image marker after the last scan)";
}

std::string png_truncation(std::string_view b) {
  std::size_t at = kPngSignature.size();
  while (at + 12 <= b.size()) {
    const std::size_t length = be32(b, at);
    const std::string_view type = b.substr(at + 4, 4);
    if (length > b.size()) break;  // also guards the sum below against overflow
    at += 12 + length;
    if (at > b.size()) break;
    if (type == "IEND") return "";
  }
  return "truncated PNG (no IEND chunk)";
}

std::optional<HeaderSize> webp_size(std::string_view b) {
  if (b.size() < 30) return std::nullopt;
  const std::string_view chunk = b.substr(12, 4);
  if (chunk == "VP8X") return HeaderSize{le24(b, 24) + 1LL, le24(b, 27) + 1LL};
  if (chunk == "VP8 ") return HeaderSize{le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF};
  if (chunk == "VP8L" && std::uint8_t(b[20]) == 0x2F) {
    const std::uint32_t bits = le32(b, 21);
    return HeaderSize{(bits & 0x3FFF) + 1LL, ((bits >> 14) & 0x3FFF) + 1LL};
  }
  return std::nullopt;
}

std::optional<HeaderSize> tiff_size(std::string_view b) {
  const bool little = b[0] == 'I';
  auto u16 = [&](std::size_t at) { return little ? le16(b, at) : be16(b, at); };
  auto u32 = [&](std::size_t at) { return little ? le32(b, at) : be32(b, at); };
  if (b.size() < 8) return std::nullopt;
  const std::size_t ifd = u32(4);
  if (ifd + 2 > b.size()) return std::nullopt;
  const std::size_t entries = u16(ifd);
  long long width = 0, height = 0;
  for (std::size_t i = 0; i < entries; ++i) {
    const std::size_t e = ifd + 2 + 12 * i;
    if (e + 12 > b.size()) return std::nullopt;
    const std::uint32_t tag = u16(e), type = u16(e + 2);
    const long long value = type == 3 ? u16(e + 8) : u32(e + 8);  // SHORT or LONG
    if (tag == 256) width = value;
    if (tag == 257) height = value;
  }
  if (width <= 0 || height <= 0) return std::nullopt;
  return HeaderSize{width, height};
}

}  // namespace

namespace {

struct FormatNames {
  ImageFormat format;
  const char* content_type;
  std::vector<std::string> extensions;  // the usual one first
};

const FormatNames* names_of(ImageFormat format) {
  static const std::vector<FormatNames> kNames{
      {ImageFormat::kJpeg, "image/jpeg", {".jpg", ".jpeg"}},
      {ImageFormat::kPng, "image/png", {".png"}},
      {ImageFormat::kBmp, "image/bmp", {".bmp"}},
      {ImageFormat::kWebp, "image/webp", {".webp"}},
      {ImageFormat::kTiff, "image/tiff", {".tif", ".tiff"}},
  };
  for (const FormatNames& names : kNames) {
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

std::string to_string(ImageFormat format) {
  switch (format) {
    case ImageFormat::kJpeg:
      return "JPEG";
    case ImageFormat::kPng:
      return "PNG";
    case ImageFormat::kBmp:
      return "BMP";
    case ImageFormat::kWebp:
      return "WebP";
    case ImageFormat::kTiff:
      return "TIFF";
    case ImageFormat::kUnknown:
      break;
  }
  return "unknown";
}

ImageFormat sniff_image_format(std::string_view b) {
  if (starts_with(b, "\xFF\xD8\xFF")) return ImageFormat::kJpeg;
  if (starts_with(b, kPngSignature)) return ImageFormat::kPng;
  if (starts_with(b, "BM")) return ImageFormat::kBmp;
  if (starts_with(b, "RIFF") && b.size() >= 12 && b.substr(8, 4) == "WEBP") {
    return ImageFormat::kWebp;
  }
  if (starts_with(b, std::string_view{"II*\0", 4}) ||
      starts_with(b, std::string_view{"MM\0*", 4})) {
    return ImageFormat::kTiff;
  }
  return ImageFormat::kUnknown;
}

std::optional<HeaderSize> read_header_size(ImageFormat format, std::string_view b) {
  switch (format) {
    case ImageFormat::kJpeg:
      return jpeg_size(b);
    case ImageFormat::kPng:
      if (b.size() < 24 || b.substr(12, 4) != "IHDR") return std::nullopt;
      return HeaderSize{be32(b, 16), be32(b, 20)};
    case ImageFormat::kBmp: {
      if (b.size() < 26) return std::nullopt;
      const auto height = static_cast<std::int32_t>(le32(b, 22));  // negative: top-down rows
      return HeaderSize{static_cast<std::int32_t>(le32(b, 18)),
                        height < 0 ? -1LL * height : height};
    }
    case ImageFormat::kWebp:
      return webp_size(b);
    case ImageFormat::kTiff:
      return tiff_size(b);
    case ImageFormat::kUnknown:
      break;
  }
  return std::nullopt;
}

std::string find_truncation(ImageFormat format, std::string_view bytes) {
  if (format == ImageFormat::kJpeg) return jpeg_truncation(bytes);
  if (format == ImageFormat::kPng) return png_truncation(bytes);
  return "";
}

}  // namespace boxloop
