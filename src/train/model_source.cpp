#include "train/model_source.h"

#include <cstdlib>

#include "core/error.h"

namespace boxloop {

namespace fs = std::filesystem;

std::optional<ModelRecord> resolve_model_record(Store& store, const std::string& ref) {
  if (ref == "last" || ref == "latest") {
    auto latest = store.latest_model();
    if (!latest) {
      throw Error{ErrorCode::kNotFound,
                  "the project has no trained model yet: run `boxloop train`"};
    }
    return latest;
  }
  if (!ref.empty() && ref.find_first_not_of("0123456789") == std::string::npos) {
    auto record = store.model(std::stoll(ref));
    if (!record) {
      throw Error{ErrorCode::kNotFound,
                  "no model " + ref + " in the project (`boxloop model list` shows them)"};
    }
    return record;
  }
  return std::nullopt;
}

fs::path resolve_model_path(Store* store, const std::string& ref) {
  if (store) {
    if (auto record = resolve_model_record(*store, ref)) return store->dir() / record->weights_path;
  }
  if (fs::exists(ref)) return ref;
  throw Error{ErrorCode::kNotFound, "no model '" + ref +
                                        "': give a model id of the project, `last`, or a "
                                        "checkpoint file"};
}

fs::path pretrained_dir(const fs::path& project_dir) {
  return project_dir / "models" / "pretrained";
}

fs::path find_pretrained(const fs::path& project_dir, const std::string& arch,
                         const fs::path& explicit_file, const std::vector<fs::path>& fallbacks) {
  if (!explicit_file.empty()) {
    if (!fs::exists(explicit_file)) {
      throw Error{ErrorCode::kNotFound,
                  "pretrained weights " + explicit_file.string() + " do not exist"};
    }
    return explicit_file;
  }
  std::vector<fs::path> candidates{pretrained_dir(project_dir) / (arch + ".pth")};
  if (const char* env = std::getenv("BOXLOOP_PRETRAINED"); env && *env) candidates.push_back(env);
  candidates.insert(candidates.end(), fallbacks.begin(), fallbacks.end());
  for (const fs::path& c : candidates) {
    if (fs::exists(c)) return c;
  }
  std::string looked;
  for (const fs::path& c : candidates) looked += "\n  " + c.string();
  throw Error{ErrorCode::kNotFound,
              "no pretrained weights for " + arch + "; looked at:" + looked +
                  "\nget them with `boxloop model download fastestdet-coco --project P`, `boxloop "
                  "model import FILE --project P`, pass --pretrained FILE, or train with "
                  "--from scratch"};
}

}  // namespace boxloop
