#include "common/synth_project.h"

#include <opencv2/imgcodecs.hpp>

#include "imageio/image_file.h"
#include "synth/synth.h"

namespace boxloop::testing {

namespace fs = std::filesystem;

std::unique_ptr<Store> make_synth_project(const fs::path& dir,
                                          const std::vector<std::string>& categories, int labeled,
                                          int unlabeled, int seed) {
  std::vector<Category> cats;
  for (const std::string& name : categories) cats.push_back(Category{0, name, "", "#ff0000", 0});
  auto store = Store::create(dir, "test", cats);
  SynthOptions options;
  options.count = labeled + unlabeled;
  options.seed = static_cast<std::uint64_t>(seed);
  options.width = 320;
  options.height = 240;
  options.min_cards = 1;
  options.max_cards = 2;
  options.categories = categories;
  for (int i = 0; i < options.count; ++i) {
    const SynthImage image = synth_image(options, i);
    std::vector<uchar> png;
    cv::imencode(".png", image.bgr, png);
    const std::string bytes(png.begin(), png.end());
    const std::string name = "img" + std::to_string(i) + ".png";
    write_file_atomically(store->image_dir() / name, bytes);
    const Image added = store->add_image(name, sha256_hex(bytes), image.bgr.cols, image.bgr.rows);
    if (i >= labeled) continue;
    LabelSave save;
    save.image_id = added.id;
    save.expected_version = added.version;
    save.labeler = "test";
    for (const NamedBox& b : image.labels.boxes) {
      Annotation a;
      a.category_id = store->category_by_name(b.category)->id;
      a.box = b.box;
      save.boxes.push_back(a);
    }
    store->save_labels(save);
  }
  return store;
}

}  // namespace boxloop::testing
