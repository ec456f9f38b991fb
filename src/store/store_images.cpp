// Store: the image records.
#include <algorithm>

#include "core/error.h"
#include "core/time.h"
#include "store/connections.h"
#include "store/database.h"
#include "store/rows.h"
#include "store/store.h"

namespace boxloop {
namespace {

using store_rows::kImageColumns;
using store_rows::read_image;

// The store only records paths; imageio/ and project/ make the file names safe. This catches a
// caller that forgot to, before a bad path is served back out of the image folder.
void check_relative_path(const std::string& path) {
  if (path.empty()) throw Error(ErrorCode::kInvalidArgument, "an image needs a path");
  const std::filesystem::path p(path);
  bool escapes = p.is_absolute() || path.find('\\') != std::string::npos;
  for (const auto& part : p) escapes = escapes || part == "..";
  if (escapes) {
    throw Error(ErrorCode::kInvalidArgument,
                "image path '" + path + "' must be relative, '/'-separated, without '..'");
  }
}

}  // namespace

Image Store::add_image(const std::string& relative_path, const std::string& sha256, int width,
                       int height) {
  check_relative_path(relative_path);
  if (sha256.empty()) throw Error(ErrorCode::kInvalidArgument, "an image needs its sha256");
  if (width <= 0 || height <= 0) {
    throw Error(ErrorCode::kInvalidArgument, "image '" + relative_path + "' has size " +
                                                 std::to_string(width) + "x" +
                                                 std::to_string(height));
  }
  return db_->write([&](Database& db) {
    if (auto existing = image_by_path(relative_path)) {
      throw Error(ErrorCode::kAlreadyExists, "the project already has an image at '" +
                                                 relative_path + "' (id " +
                                                 std::to_string(existing->id) + ")");
    }
    if (auto existing = image_by_sha256(sha256)) {
      throw Error(ErrorCode::kAlreadyExists, "'" + relative_path + "' has the same content as '" +
                                                 existing->path + "' (id " +
                                                 std::to_string(existing->id) + ")");
    }
    Image image;
    image.path = relative_path;
    image.sha256 = sha256;
    image.width = width;
    image.height = height;
    image.added_at = now_iso8601();
    auto insert = db.prepare(
        "INSERT INTO image (path, sha256, width, height, added_at) VALUES (?, ?, ?, ?, ?)");
    insert.bind_all(image.path, image.sha256, image.width, image.height, image.added_at).run();
    image.id = db.last_insert_id();
    return image;
  });
}

std::optional<Image> Store::image(Id id) {
  return db_->read_one([&](Database& db) -> std::optional<Image> {
    auto select = db.prepare(std::string("SELECT ") + kImageColumns + " FROM image WHERE id = ?");
    select.bind_all(id);
    if (!select.step()) return std::nullopt;
    return read_image(select);
  });
}

std::optional<Image> Store::image_by_path(const std::string& relative_path) {
  return db_->read([&](Database& db) -> std::optional<Image> {
    auto select = db.prepare(std::string("SELECT ") + kImageColumns + " FROM image WHERE path = ?");
    select.bind_all(relative_path);
    if (!select.step()) return std::nullopt;
    return read_image(select);
  });
}

std::optional<Image> Store::image_by_sha256(const std::string& sha256) {
  return db_->read([&](Database& db) -> std::optional<Image> {
    auto select =
        db.prepare(std::string("SELECT ") + kImageColumns + " FROM image WHERE sha256 = ?");
    select.bind_all(sha256);
    if (!select.step()) return std::nullopt;
    return read_image(select);
  });
}

std::vector<Image> Store::images() {
  return db_->read([](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kImageColumns + " FROM image ORDER BY id");
    std::vector<Image> result;
    while (select.step()) result.push_back(read_image(select));
    return result;
  });
}

std::vector<Image> Store::images_with_status(ImageStatus status) {
  return db_->read([&](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kImageColumns +
                             " FROM image WHERE status = ? ORDER BY id");
    select.bind_all(to_string(status));
    std::vector<Image> result;
    while (select.step()) result.push_back(read_image(select));
    return result;
  });
}

void Store::set_audit(Id image_id, bool audit) {
  db_->write([&](Database& db) {
    if (!image(image_id)) throw Error(ErrorCode::kNotFound, "no image " + std::to_string(image_id));
    db.prepare("UPDATE image SET audit = ? WHERE id = ?").bind_all(audit ? 1 : 0, image_id).run();
  });
}

ImageCounts Store::image_counts() {
  return db_->read_one([](Database& db) {
    auto select = db.prepare(
        "SELECT count(*), count(*) FILTER (WHERE status = 'unlabeled'), "
        "count(*) FILTER (WHERE status = 'labeled'), count(*) FILTER (WHERE status = 'skipped') "
        "FROM image");
    select.step();
    return ImageCounts{select.integer(0), select.integer(1), select.integer(2), select.integer(3)};
  });
}

}  // namespace boxloop
