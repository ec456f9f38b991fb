#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "common/temp_dir.h"
#include "core/types.h"

namespace boxloop::testing {

inline void write_text(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

// A VOC file with one object; the numbers are written as given so tests can put anything there.
inline std::string voc_one_box(const std::string& filename, const std::string& name,
                               const std::string& xmin, const std::string& ymin,
                               const std::string& xmax, const std::string& ymax) {
  return "<annotation><filename>" + filename +
         "</filename><size><width>100</width><height>80</height><depth>3</depth></size>"
         "<object><name>" +
         name + "</name><bndbox><xmin>" + xmin + "</xmin><ymin>" + ymin + "</ymin><xmax>" + xmax +
         "</xmax><ymax>" + ymax + "</ymax></bndbox></object></annotation>";
}

}  // namespace boxloop::testing
