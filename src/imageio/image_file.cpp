#include "imageio/image_file.h"

#include <array>
#include <fstream>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "core/error.h"
#include "imageio/image_header.h"

namespace boxloop {

namespace {

std::string megapixels(std::int64_t pixels) {
  const double mp = static_cast<double>(pixels) / 1e6;
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MP", mp);
  return text;
}

// Every check short of the full decode: size, format, completeness and header dimensions.
ImageFormat check_before_decode(std::string_view bytes, const std::string& name,
                                const ImageLimits& limits) {
  if (bytes.empty()) throw Error(ErrorCode::kCorrupt, name + ": empty file (0 bytes)");
  if (static_cast<std::int64_t>(bytes.size()) > limits.max_file_bytes) {
    throw Error(ErrorCode::kTooLarge, name + ": file of " + std::to_string(bytes.size()) +
                                          " bytes is over the limit of " +
                                          std::to_string(limits.max_file_bytes) + " bytes");
  }
  const ImageFormat format = sniff_image_format(bytes);
  if (format == ImageFormat::kUnknown) {
    throw Error(ErrorCode::kCorrupt,
                name + ": not an image (not JPEG, PNG, BMP, WebP or TIFF by its content)");
  }
  const auto size = read_header_size(format, bytes);
  if (!size || size->width <= 0 || size->height <= 0) {
    throw Error(ErrorCode::kCorrupt,
                name + ": corrupt " + to_string(format) + " (no valid image size in its header)");
  }
  const std::int64_t pixels = size->width * size->height;
  if (pixels > limits.max_pixels) {
    throw Error(ErrorCode::kTooLarge, name + ": " + std::to_string(size->width) + "x" +
                                          std::to_string(size->height) + " is " +
                                          megapixels(pixels) + ", over the limit of " +
                                          megapixels(limits.max_pixels) + " (" +
                                          std::to_string(limits.max_pixels) + " pixels)");
  }
  if (const std::string why = find_truncation(format, bytes); !why.empty()) {
    throw Error(ErrorCode::kCorrupt, name + ": " + why);
  }
  return format;
}

cv::Mat decode_checked(std::string_view bytes, const std::string& name, const ImageLimits& limits,
                       int flags) {
  const ImageFormat format = check_before_decode(bytes, name, limits);
  cv::Mat mat;
  try {
    // imdecode does not modify its input; the Mat header just views the bytes.
    const cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
    mat = cv::imdecode(raw, flags);
  } catch (const cv::Exception& e) {
    throw Error(ErrorCode::kCorrupt, name + ": corrupt " + to_string(format) + ": " + e.what());
  }
  if (mat.empty()) {
    throw Error(ErrorCode::kCorrupt,
                name + ": corrupt " + to_string(format) + " (the decoder could not read it)");
  }
  return mat;
}

}  // namespace

ImageInfo inspect_image_bytes(std::string_view bytes, const std::string& name,
                              const ImageLimits& limits) {
  // IMREAD_UNCHANGED skips the colour conversion: only validity and size matter here.
  const cv::Mat mat =
      decode_checked(bytes, name, limits, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
  return ImageInfo{mat.cols, mat.rows, sha256_hex(bytes)};
}

ImageInfo inspect_image_file(const std::filesystem::path& file, const ImageLimits& limits) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (!ec && static_cast<std::int64_t>(size) > limits.max_file_bytes) {
    throw Error(ErrorCode::kTooLarge, file.string() + ": file of " + std::to_string(size) +
                                          " bytes is over the limit of " +
                                          std::to_string(limits.max_file_bytes) + " bytes");
  }
  return inspect_image_bytes(read_file_bytes(file), file.string(), limits);
}

cv::Mat read_image_bgr(const std::filesystem::path& file, const ImageLimits& limits) {
  return decode_checked(read_file_bytes(file), file.string(), limits,
                        cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
}

std::string read_file_bytes(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error(ErrorCode::kNotFound, file.string() + ": no such file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, file.string() + ": cannot open for reading");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorCode::kIo, file.string() + ": read failed");
  return bytes;
}

bool has_image_extension(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::array<std::string_view, 7> kExtensions = {".jpg",  ".jpeg", ".png", ".bmp",
                                                              ".webp", ".tif",  ".tiff"};
  return std::find(kExtensions.begin(), kExtensions.end(), ext) != kExtensions.end();
}

}  // namespace boxloop
