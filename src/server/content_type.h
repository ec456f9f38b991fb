// The Content-Type the server sends for a file, by its extension: the page's assets and the
// project's images share one table.
#pragma once

#include <filesystem>
#include <string>

namespace boxloop::server {

// "application/octet-stream" for an extension not in the table.
std::string content_type_for(const std::filesystem::path& file);

}  // namespace boxloop::server
