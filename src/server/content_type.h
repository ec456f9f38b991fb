// The Content-Type the server sends for the page's own files (by extension). The project's images
// go by their content: imageio's image_content_type.
#pragma once

#include <filesystem>
#include <string>

#include "imageio/image_header.h"

namespace boxloop::server {

// By extension; "application/octet-stream" for an extension not in the table. For the page's
// own files only: a file from the image folder goes by image_content_type.
std::string content_type_for(const std::filesystem::path& file);

}  // namespace boxloop::server
