// The Content-Type the server sends for a file, and the names and types of image formats: the
// page's assets go by their extension, the project's images by their content.
#pragma once

#include <filesystem>
#include <string>

#include "imageio/image_header.h"

namespace boxloop::server {

// By extension; "application/octet-stream" for an extension not in the table. For the page's
// own files only: a file from the image folder goes by image_content_type.
std::string content_type_for(const std::filesystem::path& file);

// "image/jpeg", "image/png", ...; "application/octet-stream" for kUnknown, never a type a
// browser would render as a page or run as a script.
std::string image_content_type(ImageFormat format);

// `filename` with an extension that names `format`: kept when it already does ("a.JPEG" for a
// JPEG), else replaced by the usual one ("poly.html" holding a JPEG becomes "poly.jpg").
// Unchanged for kUnknown.
std::string with_format_extension(const std::string& filename, ImageFormat format);

}  // namespace boxloop::server
