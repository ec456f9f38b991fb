// Times the import path on synthetic cards: generating N images (timed apart, it is not import),
// importing them into a fresh project, importing their VOC labels, and exporting the labels in
// every format. One JSON line per figure on stdout.
//
// The store_* figures time the database alone (N add_image, then N save_labels of 2-3 boxes, one
// transaction each, no image files), to separate its cost from decoding and file copies.
//
//   bench_import [--count N] [--link] [--keep DIR] [--store-only]
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>

#include "core/json.h"
#include "formats/formats.h"
#include "project/project_ops.h"
#include "store/store.h"
#include "synth/synth.h"

namespace fs = std::filesystem;
using namespace boxloop;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void print_figure(const std::string& figure, double seconds, int items, const Json& extra = {}) {
  Json line{{"bench", "import"},
            {"figure", figure},
            {"seconds", seconds},
            {"items", items},
            {"items_per_s", seconds > 0 ? items / seconds : 0.0}};
  if (extra.is_object()) line.update(extra);
  std::cout << line.dump() << std::endl;
}

// N records and N saves through the store only, each its own transaction (as the page saves).
void bench_store(const fs::path& dir, int count) {
  std::vector<Category> categories;
  for (const auto& rank : card_ranks()) categories.push_back(Category{0, rank, "", "", 0});
  auto store = Store::create(dir, "bench-store", categories);
  const auto stored = store->categories();

  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    // A real sha256 is 64 hex digits; the store only needs it unique.
    store->add_image("img_" + std::to_string(i) + ".jpg", "sha_" + std::to_string(i), 480, 360);
  }
  print_figure("store_add_image", seconds_since(start), count);

  const auto images = store->images();
  int boxes = 0;
  start = std::chrono::steady_clock::now();
  for (const Image& image : images) {
    LabelSave save;
    save.image_id = image.id;
    save.labeler = "bench";
    for (int b = 0; b < 2 + static_cast<int>(image.id % 2); ++b, ++boxes) {
      Annotation box;
      box.category_id = stored[static_cast<std::size_t>(b) % stored.size()].id;
      box.box = Box{10.0 * b, 20, 50, 70};
      save.boxes.push_back(box);
    }
    store->save_labels(save);
  }
  print_figure("store_save_labels", seconds_since(start), count, {{"boxes", boxes}});

  // The same writes grouped with Store::batch, as a bulk import can: one commit per 50 rows.
  constexpr int kBatch = 50;
  start = std::chrono::steady_clock::now();
  for (int first = 0; first < count; first += kBatch) {
    store->batch([&] {
      for (int i = first; i < std::min(count, first + kBatch); ++i) {
        store->add_image("batched_" + std::to_string(i) + ".jpg", "sha_b" + std::to_string(i), 480,
                         360);
      }
    });
  }
  print_figure("store_add_image_batched", seconds_since(start), count, {{"batch", kBatch}});
}

// Generate (timed apart), import the images, import their VOC labels, export in every format.
// Returns non-zero when the counts do not match what was generated.
int bench_pipeline(const fs::path& root, int count, bool link) {
  const fs::path synth_dir = root / "synth";
  const fs::path export_dir = root / "export";
  int rc = 0;
  SynthOptions options;
  options.count = count;
  options.seed = 7;
  auto start = std::chrono::steady_clock::now();
  const auto truth = write_synth_dataset(synth_dir, options);
  print_figure("synth_generate", seconds_since(start), count,
               {{"width", options.width}, {"height", options.height}});

  std::vector<Category> categories;
  for (const auto& rank : card_ranks()) categories.push_back(Category{0, rank, "", "", 0});
  auto store = Store::create(root / "project", "bench", categories);

  ImportOptions import_options;
  import_options.link = link;
  start = std::chrono::steady_clock::now();
  const auto results = import_images(*store, {synth_dir}, import_options);
  const double import_seconds = seconds_since(start);
  int added = 0;
  for (const auto& result : results) added += result.action == ImportAction::kAdded;
  print_figure("import_images", import_seconds, added,
               {{"inputs", results.size()}, {"link", link}});
  if (added != count) {
    std::cerr << "expected " << count << " images added, got " << added << "\n";
    rc = 1;
  }

  start = std::chrono::steady_clock::now();
  const LabelImportResult labels = import_labels(*store, synth_dir, "bench");
  print_figure("import_labels_voc", seconds_since(start), labels.images_labeled,
               {{"boxes", labels.boxes}, {"problems", labels.problems.size()}});
  std::size_t truth_boxes = 0;
  for (const auto& image : truth) truth_boxes += image.boxes.size();
  if (labels.images_labeled != count || static_cast<std::size_t>(labels.boxes) != truth_boxes) {
    std::cerr << "label import mismatch: " << labels.images_labeled << " images, " << labels.boxes
              << " boxes (expected " << truth_boxes << ")\n";
    rc = 1;
  }

  for (const LabelFormat format :
       {LabelFormat::kCoco, LabelFormat::kVoc, LabelFormat::kYolo, LabelFormat::kCsv}) {
    const std::string name = to_string(format);
    const bool is_file = format == LabelFormat::kCoco || format == LabelFormat::kCsv;
    const fs::path out =
        export_dir /
        (is_file ? (format == LabelFormat::kCoco ? "labels.json" : "labels.csv") : name);
    start = std::chrono::steady_clock::now();
    export_labels(*store, format, out);
    print_figure("export_" + name, seconds_since(start), labels.images_labeled,
                 {{"boxes", labels.boxes}});
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 1000;
  bool link = false;
  bool store_only = false;
  std::optional<fs::path> keep;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--count" && i + 1 < argc) {
      count = std::atoi(argv[++i]);
    } else if (arg == "--store-only") {
      store_only = true;
    } else if (arg == "--link") {
      link = true;
    } else if (arg == "--keep" && i + 1 < argc) {
      keep = argv[++i];
    } else {
      std::cerr << "usage: bench_import [--count N] [--link] [--keep DIR] [--store-only]\n";
      return 2;
    }
  }
  if (count < 1) {
    std::cerr << "--count must be positive\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);

  const fs::path root = keep ? *keep
                             : fs::temp_directory_path() / ("boxloop-bench-import-" +
                                                            std::to_string(std::random_device{}()));
  if (fs::exists(root / "project")) {
    std::cerr << root.string() << " already holds a project: pick an empty folder\n";
    return 2;
  }
  int rc = 0;
  try {
    bench_store(root / "store-only", count);
    if (!store_only) rc = bench_pipeline(root, count, link);
  } catch (const std::exception& e) {
    std::cerr << "bench_import: " << e.what() << "\n";
    rc = 1;
  }
  if (!keep) {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  return rc;
}
