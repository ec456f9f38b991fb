// Image files: validate by decoding, hash, and keep paths inside a folder. OpenCV does the
// decoding; this module decides what is acceptable and says why not.
#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>

#include "digest/sha256.h"  // sha256_hex, part of this module's interface

namespace boxloop {

struct ImageLimits {
  std::int64_t max_pixels = 50'000'000;       // width x height; larger is ErrorCode::kTooLarge
  std::int64_t max_file_bytes = 512LL << 20;  // larger files are refused before decoding
};

struct ImageInfo {
  int width = 0;
  int height = 0;
  std::string sha256;  // lowercase hex of the file bytes
};

// Decodes the bytes fully (a truncated JPEG/PNG is kCorrupt, not a grey half image), checks the
// limits (header dimensions are checked before the full decode so a decompression bomb is refused
// cheaply) and hashes. Throws boxloop::Error: kCorrupt (not an image, truncated, zero-size),
// kTooLarge (over a limit). `name` is used in messages only.
ImageInfo inspect_image_bytes(std::string_view bytes, const std::string& name,
                              const ImageLimits& limits = {});
ImageInfo inspect_image_file(const std::filesystem::path& file, const ImageLimits& limits = {});

// Reads an image as 8-bit BGR (EXIF orientation ignored, as the boxes of VOC files assume).
// Throws kNotFound / kCorrupt / kTooLarge.
cv::Mat read_image_bgr(const std::filesystem::path& file, const ImageLimits& limits = {});

std::string read_file_bytes(const std::filesystem::path& file);  // throws kNotFound / kIo

// True for a '/'-separated relative path with no empty, "." or ".." parts, no backslash, no NUL
// and no leading '/': the only shape of path stored in the project or accepted from a client.
bool is_safe_relative_path(std::string_view relative);
// root / relative after checking the shape above and that the canonical result (symlinks
// resolved) is inside canonical(root). Throws kInvalidArgument for a bad shape, kNotFound when
// the file is missing or resolves outside root.
std::filesystem::path resolve_inside(const std::filesystem::path& root, std::string_view relative);

// Writes bytes to `path` via a temporary file in the same folder and rename(), so a crash never
// leaves a half-written file under the final name.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

// File name extensions accepted as images (lowercase, with dot): .jpg .jpeg .png .bmp .webp .tif
// .tiff.
bool has_image_extension(const std::filesystem::path& file);

}  // namespace boxloop
