// Small text helpers shared by the file formats, import and download code.
#pragma once

#include <string>

namespace boxloop {

// ASCII-only lower case: file extensions, category and file-name matching (locale-independent).
std::string ascii_lower(std::string text);

}  // namespace boxloop
