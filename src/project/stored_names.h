// Names under which imported images are stored: the original file name made safe, unique in the
// project. Uniqueness is by stem (case-insensitive) so that per-image label exports (NAME.xml,
// NAME.txt) never collide, even for a.jpg and A.png.
#pragma once

#include <set>
#include <string>

#include "store/store.h"

namespace boxloop {

// "IMG 1(2).JPG" -> "IMG_1_2_.JPG"; path parts, leading dots and odd characters are dropped or
// replaced, so the result is always a safe single-component relative path.
std::string safe_file_name(const std::string& original);

class StoredNames {
 public:
  // Takes the names already used by the project's images and files in its image folder.
  explicit StoredNames(Store& store);
  // A free name for `original` ("a.jpg", else "a_2.jpg", "a_3.jpg", ...), now marked as taken.
  std::string claim(const std::string& original);
  // Gives a claimed name back (the import failed after claiming it).
  void release(const std::string& name);

 private:
  std::set<std::string> taken_stems_;  // lowercase
};

}  // namespace boxloop
