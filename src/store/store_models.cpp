// Store: trained model records.
#include "core/error.h"
#include "core/time.h"
#include "store/connections.h"
#include "store/database.h"
#include "store/rows.h"
#include "store/store.h"

namespace boxloop {
namespace {

using store_rows::kModelColumns;
using store_rows::read_model;

}  // namespace

ModelRecord Store::add_model(const ModelRecord& model) {
  if (model.arch.empty() || model.weights_path.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "a model needs its arch and weights path");
  }
  if (!model.metrics.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "model metrics must be a JSON object");
  }
  return db_->write([&](Database& db) {
    if (model.parent && !this->model(*model.parent)) {
      throw Error(ErrorCode::kNotFound,
                  "parent model " + std::to_string(*model.parent) + " does not exist");
    }
    ModelRecord added = model;
    if (added.created_at.empty()) added.created_at = now_iso8601();
    db.prepare(
          "INSERT INTO model (arch, weights_path, parent_id, trained_on, metrics, created_at) "
          "VALUES (?, ?, ?, ?, ?, ?)")
        .bind_all(added.arch, added.weights_path, added.parent, added.trained_on,
                  added.metrics.dump(), added.created_at)
        .run();
    added.id = db.last_insert_id();
    return added;
  });
}

std::optional<ModelRecord> Store::model(Id id) {
  return db_->read([&](Database& db) -> std::optional<ModelRecord> {
    auto select = db.prepare(std::string("SELECT ") + kModelColumns + " FROM model WHERE id = ?");
    select.bind_all(id);
    if (!select.step()) return std::nullopt;
    return read_model(select);
  });
}

std::optional<ModelRecord> Store::latest_model() {
  return db_->read([](Database& db) -> std::optional<ModelRecord> {
    auto select =
        db.prepare(std::string("SELECT ") + kModelColumns + " FROM model ORDER BY id DESC LIMIT 1");
    if (!select.step()) return std::nullopt;
    return read_model(select);
  });
}

std::vector<ModelRecord> Store::models() {
  return db_->read([](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kModelColumns + " FROM model ORDER BY id");
    std::vector<ModelRecord> result;
    while (select.step()) result.push_back(read_model(select));
    return result;
  });
}

void Store::update_model_metrics(Id id, const Json& metrics) {
  if (!metrics.is_object()) {
    throw Error(ErrorCode::kInvalidArgument, "model metrics must be a JSON object");
  }
  db_->write([&](Database& db) {
    db.prepare("UPDATE model SET metrics = ? WHERE id = ?").bind_all(metrics.dump(), id).run();
    if (db.changes() == 0) throw Error(ErrorCode::kNotFound, "no model " + std::to_string(id));
  });
}

}  // namespace boxloop
