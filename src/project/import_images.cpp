#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/error.h"
#include "imageio/image_header.h"
#include "project/project_ops.h"
#include "project/stored_names.h"

namespace boxloop {

namespace fs = std::filesystem;

namespace {

// The messages of imageio start with the name they were given; the result names it already.
std::string without_prefix(const std::string& message, const std::string& name) {
  const std::string prefix = name + ": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

// Places the bytes in the image folder: a hard link to `source` when asked and possible (same
// file system), else an atomic copy.
void place_file(const fs::path& target, std::string_view bytes, const fs::path* link_source) {
  if (link_source != nullptr) {
    std::error_code ec;
    fs::create_hard_link(*link_source, target, ec);
    if (!ec) return;
    spdlog::debug("cannot hard-link {} ({}), copying", link_source->string(), ec.message());
  }
  write_file_atomically(target, bytes);
}

// Everything for one file once its bytes are in memory. Any failure after the file was placed
// removes it again, so a rejected file leaves neither a file nor a row.
ImportFileResult import_one(Store& store, StoredNames& names, const std::string& source,
                            const std::string& original_name, std::string_view bytes,
                            const ImageLimits& limits, const fs::path* link_source) {
  ImportFileResult result;
  result.source = source;
  ImageInfo info;
  try {
    info = inspect_image_bytes(bytes, source, limits);
  } catch (const Error& e) {
    result.message = without_prefix(e.what(), source);
    return result;
  }
  if (auto existing = store.image_by_sha256(info.sha256)) {
    result.action = ImportAction::kDuplicate;
    result.message = "same content as " + existing->path;
    result.image = std::move(existing);
    return result;
  }
  // Stored under the extension of what the bytes are, whatever the name says (a JPEG named
  // poly.html, or a PNG named a.jpg, is kept as poly.jpg, a.png): the CLI and uploads alike.
  const std::string name =
      names.claim(with_format_extension(safe_file_name(original_name), sniff_image_format(bytes)));
  const fs::path target = store.image_dir() / name;
  bool placed = false;
  try {
    place_file(target, bytes, link_source);
    placed = true;
    result.image = store.add_image(name, info.sha256, info.width, info.height);
    result.action = ImportAction::kAdded;
    result.message = name;
  } catch (const std::exception& e) {
    if (placed) {
      std::error_code ec;
      fs::remove(target, ec);
    }
    names.release(name);
    // Another process may have added the same content meanwhile.
    if (auto existing = store.image_by_sha256(info.sha256)) {
      result.action = ImportAction::kDuplicate;
      result.message = "same content as " + existing->path;
      result.image = std::move(existing);
    } else {
      result.action = ImportAction::kRejected;
      result.message = e.what();
    }
  }
  return result;
}

struct Input {
  fs::path file;
  std::string problem;  // set when the input cannot even be listed
};

// Expands folders (recursively, image extensions only, in name order); files are taken as given
// so that a non-image named on the command line is rejected with a reason, not ignored.
std::vector<Input> expand_inputs(const std::vector<fs::path>& inputs) {
  std::vector<Input> files;
  for (const auto& input : inputs) {
    std::error_code ec;
    if (fs::is_directory(input, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(input, ec); !ec && it != fs::end(it);
           it.increment(ec)) {
        if (it->is_regular_file(ec) && has_image_extension(it->path())) found.push_back(it->path());
      }
      if (ec) files.push_back({input, "cannot list folder: " + ec.message()});
      std::sort(found.begin(), found.end());
      for (auto& f : found) files.push_back({std::move(f), ""});
    } else if (fs::exists(input, ec)) {
      files.push_back({input, fs::is_regular_file(input, ec) ? "" : "not a regular file"});
    } else {
      files.push_back({input, "no such file or folder"});
    }
  }
  return files;
}

}  // namespace

std::string to_string(ImportAction action) {
  switch (action) {
    case ImportAction::kAdded:
      return "added";
    case ImportAction::kDuplicate:
      return "duplicate";
    case ImportAction::kRejected:
      return "rejected";
  }
  return "rejected";
}

std::vector<ImportFileResult> import_images(Store& store, const std::vector<fs::path>& inputs,
                                            const ImportOptions& options) {
  const std::vector<Input> files = expand_inputs(inputs);
  StoredNames names(store);
  std::vector<ImportFileResult> results;
  results.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const Input& input = files[i];
    const std::string source = input.file.string();
    if (!input.problem.empty()) {
      results.push_back({source, ImportAction::kRejected, input.problem, std::nullopt});
    } else {
      try {
        std::error_code ec;
        const auto size = fs::file_size(input.file, ec);
        if (!ec && static_cast<std::int64_t>(size) > options.limits.max_file_bytes) {
          throw Error(ErrorCode::kTooLarge,
                      "file of " + std::to_string(size) + " bytes is over the limit of " +
                          std::to_string(options.limits.max_file_bytes) + " bytes");
        }
        const std::string bytes = read_file_bytes(input.file);
        results.push_back(import_one(store, names, source, input.file.filename().string(), bytes,
                                     options.limits, options.link ? &input.file : nullptr));
      } catch (const std::exception& e) {
        results.push_back(
            {source, ImportAction::kRejected, without_prefix(e.what(), source), std::nullopt});
      }
    }
    const auto& last = results.back();
    spdlog::debug("import {}: {} {}", source, to_string(last.action), last.message);
    if (options.progress) {
      options.progress(static_cast<double>(i + 1) / static_cast<double>(files.size()), source);
    }
  }
  return results;
}

ImportFileResult import_image_bytes(Store& store, const std::string& filename,
                                    std::string_view bytes, const ImageLimits& limits) {
  StoredNames names(store);
  try {
    return import_one(store, names, filename, filename, bytes, limits, nullptr);
  } catch (const std::exception& e) {
    return {filename, ImportAction::kRejected, e.what(), std::nullopt};
  }
}

}  // namespace boxloop
