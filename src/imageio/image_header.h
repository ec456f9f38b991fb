// Reads what an image file's header promises (format, width, height) and whether the file is
// complete, without decoding pixels. OpenCV would decode a truncated JPEG into a half-grey image
// and a 20000x20000 PNG into 1.2 GB before we could refuse it, so both checks come first.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace boxloop {

enum class ImageFormat { kUnknown, kJpeg, kPng, kBmp, kWebp, kTiff };
std::string to_string(ImageFormat format);

// The format named by the file's magic bytes.
ImageFormat sniff_image_format(std::string_view bytes);

// "image/jpeg", "image/png", ...; "application/octet-stream" for kUnknown, never a type a
// browser would render as a page or run as a script.
std::string image_content_type(ImageFormat format);

// `filename` with an extension that names `format`: kept when it already does ("a.JPEG" for a
// JPEG), else replaced by the usual one ("poly.html" holding a JPEG becomes "poly.jpg", a PNG
// named "a.jpg" becomes "a.png"), so a stored file's name never claims another format than its
// bytes. Unchanged for kUnknown.
std::string with_format_extension(const std::string& filename, ImageFormat format);

struct HeaderSize {
  long long width = 0;
  long long height = 0;
};

// Width and height as stated in the header, or nothing when the header cannot be parsed.
std::optional<HeaderSize> read_header_size(ImageFormat format, std::string_view bytes);

// Empty when the file's structure is complete, else why not: a JPEG must reach its EOI marker
// after the last scan, a PNG its IEND chunk. Other formats are left to the decoder.
std::string find_truncation(ImageFormat format, std::string_view bytes);

}  // namespace boxloop
