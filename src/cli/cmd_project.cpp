// boxloop init | import | import-labels | export | stats | synth: thin parsers over project/,
// formats/ and synth/.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/project_store.h"
#include "core/error.h"
#include "core/json.h"
#include "loop/state/effort.h"
#include "project/project_ops.h"
#include "store/store.h"
#include "synth/synth.h"

namespace boxloop::cli {

namespace fs = std::filesystem;

namespace {

// Distinct, readable on light and dark images; cycled for more categories.
constexpr const char* kPalette[] = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4",
                                    "#42d4f4", "#f032e6", "#bfef45", "#fabed4", "#469990",
                                    "#dcbeff", "#9a6324", "#fffac8", "#800000", "#aaffc3"};

// 1..9, then the letters: one key per category without modifiers.
std::vector<std::string> default_hotkeys(std::size_t count) {
  std::vector<std::string> keys;
  for (char c = '1'; c <= '9' && keys.size() < count; ++c) keys.emplace_back(1, c);
  for (char c = 'a'; c <= 'z' && keys.size() < count; ++c) keys.emplace_back(1, c);
  while (keys.size() < count) keys.emplace_back();  // the rest have no hotkey
  return keys;
}

std::vector<Category> parse_categories(const std::vector<std::string>& names,
                                       const std::vector<std::string>& hotkeys_given) {
  if (names.empty())
    throw Error(ErrorCode::kInvalidArgument, "--categories needs at least one name");
  if (!hotkeys_given.empty() && hotkeys_given.size() != names.size()) {
    throw Error(ErrorCode::kInvalidArgument,
                "--hotkeys lists " + std::to_string(hotkeys_given.size()) + " keys for " +
                    std::to_string(names.size()) + " categories");
  }
  const auto hotkeys = hotkeys_given.empty() ? default_hotkeys(names.size()) : hotkeys_given;
  std::set<std::string> seen_names, seen_keys;
  std::vector<Category> categories;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) throw Error(ErrorCode::kInvalidArgument, "empty category name");
    if (!seen_names.insert(names[i]).second) {
      throw Error(ErrorCode::kInvalidArgument, "category '" + names[i] + "' is listed twice");
    }
    if (hotkeys[i].size() > 1) {
      throw Error(ErrorCode::kInvalidArgument, "hotkey '" + hotkeys[i] + "' is not one key");
    }
    if (!hotkeys[i].empty() && !seen_keys.insert(hotkeys[i]).second) {
      throw Error(ErrorCode::kInvalidArgument, "hotkey '" + hotkeys[i] + "' is used twice");
    }
    categories.push_back(
        Category{0, names[i], hotkeys[i], kPalette[i % std::size(kPalette)], static_cast<int>(i)});
  }
  return categories;
}

// How many files `import` will look at, for the progress bar's rate and ETA.
std::size_t count_import_files(const std::vector<std::string>& inputs) {
  std::size_t count = 0;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (!fs::is_directory(input, ec)) {
      ++count;
      continue;
    }
    for (auto it = fs::recursive_directory_iterator(input, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (it->is_regular_file(ec) && has_image_extension(it->path())) ++count;
    }
  }
  return std::max<std::size_t>(count, 1);
}

void add_init(CLI::App& app) {
  auto* cmd = app.add_subcommand("init", "Create a project folder with its categories");
  struct Args {
    std::string project, name, database;
    std::vector<std::string> categories, hotkeys;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("PROJECT", args->project, "Project folder to create")->required();
  add_database_option(*cmd, args->database);
  cmd->add_option("--categories", args->categories, "Category names, comma-separated")
      ->required()
      ->delimiter(',');
  cmd->add_option("--hotkeys", args->hotkeys,
                  "One key per category, comma-separated (default 1..9, then a..z)")
      ->delimiter(',');
  cmd->add_option("--name", args->name, "Project name (default: the folder name)");
  cmd->callback([args] {
    const auto categories = parse_categories(args->categories, args->hotkeys);
    const std::string name =
        args->name.empty() ? fs::absolute(args->project).lexically_normal().filename().string()
                           : args->name;
    auto store = Store::create(args->project, name, categories, store_options(args->database));
    std::cout << "created project '" << name << "' in " << args->project << " with "
              << categories.size() << " categories:";
    for (const auto& c : store->categories()) std::cout << " " << c.name << "[" << c.hotkey << "]";
    std::cout << "\n";
  });
}

void add_import(CLI::App& app) {
  auto* cmd = app.add_subcommand("import", "Copy (or link) images into the project");
  struct Args {
    std::string project, database;
    std::vector<std::string> inputs;
    bool link = false;
    double max_megapixels = 50;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("PROJECT", args->project, "Project folder")->required();
  add_database_option(*cmd, args->database);
  cmd->add_option("INPUTS", args->inputs, "Image files and folders (searched recursively)")
      ->required();
  cmd->add_flag("--link", args->link, "Hard-link instead of copying (copies across file systems)");
  cmd->add_option("--max-megapixels", args->max_megapixels,
                  "Refuse images with more pixels than this (default 50)")
      ->check(CLI::PositiveNumber);
  cmd->callback([args] {
    auto store = open_store(args->project, args->database);
    ImportOptions options;
    options.link = args->link;
    options.limits.max_pixels = static_cast<std::int64_t>(std::llround(args->max_megapixels * 1e6));
    ProgressBar bar("import", static_cast<double>(count_import_files(args->inputs)));
    options.progress = bar.callback();
    const auto results = import_images(
        *store, std::vector<fs::path>(args->inputs.begin(), args->inputs.end()), options);
    bar.finish();
    int counts[3] = {0, 0, 0};
    for (const auto& r : results) {
      ++counts[static_cast<int>(r.action)];
      std::cout << to_string(r.action) << std::string(10 - to_string(r.action).size(), ' ')
                << r.source << (r.action == ImportAction::kAdded ? " -> " : ": ") << r.message
                << "\n";
    }
    std::cout << counts[0] << " added, " << counts[1] << " duplicate, " << counts[2]
              << " rejected\n";
    if (counts[2] > 0) {
      throw Error(ErrorCode::kInvalidArgument, std::to_string(counts[2]) + " of " +
                                                   std::to_string(results.size()) +
                                                   " files rejected (see above)");
    }
  });
}

void add_import_labels(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "import-labels", "Read labels (VOC folder, COCO .json, .csv, YOLO folder) onto the images");
  struct Args {
    std::string project, path, labeler = "import", database;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("PROJECT", args->project, "Project folder")->required();
  add_database_option(*cmd, args->database);
  cmd->add_option("PATH", args->path, "Label file or folder")->required();
  cmd->add_option("--labeler", args->labeler, "Name recorded as the labeler (default: import)");
  cmd->callback([args] {
    auto store = open_store(args->project, args->database);
    ProgressBar bar("import-labels");
    const auto result = import_labels(*store, args->path, args->labeler, bar.callback());
    bar.finish();
    for (const auto& p : result.problems)
      std::cout << "problem   " << p.file << ": " << p.message << "\n";
    std::cout << "labeled " << result.images_labeled << " images with " << result.boxes
              << " boxes; " << result.problems.size() << " problems\n";
    if (!result.problems.empty()) {
      throw Error(ErrorCode::kInvalidArgument,
                  std::to_string(result.problems.size()) + " label files or entries not imported");
    }
  });
}

void add_export(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Write the labeled images' boxes in a label format");
  struct Args {
    std::string project, format, out, database;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("PROJECT", args->project, "Project folder")->required();
  add_database_option(*cmd, args->database);
  cmd->add_option("--format", args->format, "coco, voc, yolo or csv")
      ->required()
      ->check(CLI::IsMember({"coco", "voc", "yolo", "csv"}));
  cmd->add_option("--out", args->out, "Output file (coco, csv) or folder (voc, yolo)")->required();
  cmd->callback([args] {
    auto store = open_store(args->project, args->database);
    const LabelFormat format = label_format_from_string(args->format);
    const auto labels = project_labels(*store);
    std::vector<std::string> categories;
    for (const auto& c : store->categories()) categories.push_back(c.name);
    write_labels(format, labels, categories, args->out);
    std::size_t boxes = 0;
    for (const auto& l : labels) boxes += l.boxes.size();
    std::cout << "wrote " << labels.size() << " images, " << boxes << " boxes as " << args->format
              << " to " << args->out << "\n";
  });
}

// "12.3" or "-" when there is nothing to divide by.
std::string figure(const std::optional<double>& value, const char* format = "%.1f") {
  if (!value) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, *value);
  return text;
}

// One line of an effort table, columns aligned under print_effort's header.
void print_effort_row(const std::string& name, const loop::EffortFigures& f) {
  std::optional<double> accepted_percent;
  if (const auto share = f.accepted_share()) accepted_percent = *share * 100;
  char line[160];
  std::snprintf(line, sizeof line, "  %-14s %7d %7d %10.1f %9s %7s %9s\n", name.c_str(), f.images,
                f.boxes, f.active_seconds, figure(f.seconds_per_image()).c_str(),
                figure(f.seconds_per_box()).c_str(), figure(accepted_percent, "%.0f %%").c_str());
  std::cout << line;
}

// The effort tables of loop/state/effort.h: per labeler, then per round.
void print_effort(const loop::EffortTables& tables) {
  if (tables.per_labeler.empty()) {
    std::cout << "effort  no save has measured time yet (the page records it)\n";
    return;
  }
  char header[160];
  std::snprintf(header, sizeof header, "  %-14s %7s %7s %10s %9s %7s %9s\n", "", "images", "boxes",
                "seconds", "s/image", "s/box", "accepted");
  std::cout << "effort per labeler (saves that measured time)\n" << header;
  for (const loop::LabelerEffort& row : tables.per_labeler) {
    print_effort_row(row.labeler, row.figures);
  }
  std::cout << "effort per round (the model whose queue and proposals were served)\n" << header;
  for (const loop::RoundEffort& row : tables.per_round) {
    print_effort_row(row.model_id ? "model " + std::to_string(*row.model_id) : "before a model",
                     row.figures);
  }
}

void add_stats(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "stats", "Images per status, boxes per category and labeling effort per labeler and round");
  struct Args {
    std::string project, database;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("PROJECT", args->project, "Project folder")->required();
  add_database_option(*cmd, args->database);
  cmd->add_flag("--json", args->json, "Print JSON");
  cmd->callback([args] {
    auto store = open_store(args->project, args->database);
    const ImageCounts images = store->image_counts();
    const auto counts = store->category_counts();
    const loop::EffortTables effort = loop::effort_tables(store->effort_events());
    int boxes = 0;
    for (const auto& c : counts) boxes += c.boxes;
    if (args->json) {
      Json categories = Json::array();
      for (const auto& c : counts) {
        categories.push_back({{"name", c.category.name}, {"boxes", c.boxes}, {"images", c.images}});
      }
      const Json out = {{"project", store->name()},
                        {"images",
                         {{"total", images.total},
                          {"unlabeled", images.unlabeled},
                          {"labeled", images.labeled},
                          {"skipped", images.skipped}}},
                        {"boxes", boxes},
                        {"categories", categories},
                        {"effort", loop::to_json(effort)}};
      std::cout << out.dump(2) << "\n";
      return;
    }
    std::cout << "project " << store->name() << "\n"
              << "images  " << images.total << " (" << images.unlabeled << " unlabeled, "
              << images.labeled << " labeled, " << images.skipped << " skipped)\n"
              << "boxes   " << boxes << "\n";
    for (const auto& c : counts) {
      std::cout << "  " << c.category.name
                << std::string(std::max<int>(1, 12 - static_cast<int>(c.category.name.size())), ' ')
                << c.boxes << " boxes on " << c.images << " images\n";
    }
    print_effort(effort);
  });
}

void add_synth(CLI::App& app) {
  auto* cmd = app.add_subcommand("synth", "Draw synthetic card images with VOC labels");
  struct Args {
    std::string dir;
    SynthOptions options;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("DIR", args->dir, "Output folder (JPEG + VOC XML per image)")->required();
  cmd->add_option("--count", args->options.count, "Number of images")
      ->required()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", args->options.seed, "Random seed (same seed, same images)")->required();
  cmd->add_option("--width", args->options.width, "Image width (default 480)");
  cmd->add_option("--height", args->options.height, "Image height (default 360)");
  cmd->callback([args] {
    ProgressBar bar("synth", args->options.count);
    const auto labels = write_synth_dataset(args->dir, args->options, bar.callback());
    bar.finish();
    std::size_t boxes = 0;
    for (const auto& l : labels) boxes += l.boxes.size();
    std::cout << "wrote " << labels.size() << " images, " << boxes << " boxes to " << args->dir
              << "\n";
  });
}

}  // namespace

void add_project_commands(CLI::App& app) {
  add_init(app);
  add_import(app);
  add_import_labels(app);
  add_export(app);
  add_stats(app);
  add_synth(app);
}

}  // namespace boxloop::cli
