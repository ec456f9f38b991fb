// Store: saving labels (boxes + label_event, optimistic versions) and reading them back.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "core/geometry.h"
#include "core/time.h"
#include "store/change_feed.h"
#include "store/connections.h"
#include "store/database.h"
#include "store/rows.h"
#include "store/sql_dialect.h"
#include "store/store.h"

namespace boxloop {
namespace {

using store_rows::kAnnotationColumns;
using store_rows::kImageColumns;
using store_rows::kLabelEventColumns;
using store_rows::read_annotation;
using store_rows::read_image;
using store_rows::read_label_event;

void check_box(const Annotation& box, std::size_t index, Id image_id) {
  if (!well_formed(box.box)) {
    throw Error(ErrorCode::kInvalidArgument,
                "box " + std::to_string(index + 1) + " of image " + std::to_string(image_id) +
                    " needs finite coordinates and a positive width and height");
  }
  if (box.score && !std::isfinite(*box.score)) {
    throw Error(ErrorCode::kInvalidArgument, "box " + std::to_string(index + 1) + " of image " +
                                                 std::to_string(image_id) +
                                                 " has a score that is not a number");
  }
}

// A region clipped to the image (a region of a partial label asks about pixels, and none lie
// outside); throws when it is malformed or lies wholly outside.
Box checked_region(const Box& region, std::size_t index, const Image& image) {
  const auto bad = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument, "region " + std::to_string(index + 1) + " of image " +
                                                  std::to_string(image.id) + " " + why);
  };
  if (!well_formed(region)) {
    throw bad("needs finite coordinates and a positive width and height");
  }
  const Box clipped = clip(region, image.width, image.height);
  if (clipped.w <= 0 || clipped.h <= 0) throw bad("lies outside the image");
  return clipped;
}

void insert_regions(Database& db, Id image_id, const std::vector<Box>& regions) {
  for (const Box& r : regions) {
    db.prepare("INSERT INTO label_region (image_id, x, y, w, h) VALUES (?, ?, ?, ?, ?)")
        .bind_all(image_id, r.x, r.y, r.w, r.h)
        .run();
  }
}

void check_effort(const LabelSave& save) {
  if (save.active_seconds && (!std::isfinite(*save.active_seconds) || *save.active_seconds < 0)) {
    throw Error(ErrorCode::kInvalidArgument,
                "the save of image " + std::to_string(save.image_id) +
                    " has active seconds that are not a non-negative number");
  }
  if (save.rejected < 0) {
    throw Error(ErrorCode::kInvalidArgument, "the save of image " + std::to_string(save.image_id) +
                                                 " has a negative count of rejected proposals");
  }
}

// The effort of a save: the page's figures, and the boxes counted by origin.
Effort effort_of(const LabelSave& save) {
  Effort effort;
  effort.active_seconds = save.active_seconds;
  effort.rejected = save.rejected;
  for (const Annotation& box : save.boxes) {
    switch (box.origin) {
      case BoxOrigin::kDrawn:
        ++effort.drawn;
        break;
      case BoxOrigin::kAccepted:
        ++effort.accepted;
        break;
      case BoxOrigin::kAdjusted:
        ++effort.adjusted;
        break;
    }
  }
  return effort;
}

// Writes the boxes with one INSERT per kInsertRows of them: one round trip for a typical save,
// and few distinct statement texts for PostgreSQL's prepared statements to hold.
void insert_annotations(Database& db, Id image_id, const std::vector<Annotation>& boxes) {
  constexpr std::size_t kInsertRows = 16;
  constexpr int kColumns = 9;
  for (std::size_t first = 0; first < boxes.size(); first += kInsertRows) {
    const std::size_t rows = std::min(kInsertRows, boxes.size() - first);
    std::string sql =
        "INSERT INTO annotation (image_id, category_id, x, y, w, h, source, score, origin) VALUES ";
    for (std::size_t row = 0; row < rows; ++row) {
      sql += row == 0 ? "(" : ", (";
      for (int column = 0; column < kColumns; ++column) {
        sql += (column == 0 ? "?" : ", ?") + std::to_string(row * kColumns + column + 1);
      }
      sql += ")";
    }
    auto insert = db.prepare(sql);
    for (std::size_t row = 0; row < rows; ++row) {
      const Annotation& box = boxes[first + row];
      const int base = static_cast<int>(row) * kColumns;
      insert.bind(base + 1, image_id)
          .bind(base + 2, box.category_id)
          .bind(base + 3, box.box.x)
          .bind(base + 4, box.box.y)
          .bind(base + 5, box.box.w)
          .bind(base + 6, box.box.h)
          .bind(base + 7, to_string(box.source))
          .bind(base + 8, box.score)
          .bind(base + 9, to_string(box.origin));
    }
    insert.run();
  }
}

}  // namespace

std::vector<Annotation> Store::annotations(Id image_id) {
  return db_->read_one([&](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kAnnotationColumns +
                             " FROM annotation WHERE image_id = ? ORDER BY id");
    select.bind_all(image_id);
    std::vector<Annotation> result;
    while (select.step()) result.push_back(read_annotation(select));
    return result;
  });
}

LabelEvent Store::save_labels(const LabelSave& save) {
  if (save.status == ImageStatus::kUnlabeled) {
    throw Error(ErrorCode::kInvalidArgument, "a save marks an image labeled or skipped");
  }
  if (save.labeler.empty()) throw Error(ErrorCode::kInvalidArgument, "a save needs a labeler");
  check_effort(save);
  // Correct with saves of other connections and servers beside it (write_locking_rows): the
  // version check is the UPDATE, which locks the image's row until the commit, and every other
  // write below is to rows of that image.
  return db_->write_locking_rows([&](Database& db) {
    // The version check and the write in one statement: a save sends one statement fewer on the
    // writer, which every save and next of this process queues for. Only a refused save reads
    // the image, to say why.
    const int version = save.expected_version + 1;
    db.prepare("UPDATE image SET status = ?, version = ? WHERE id = ? AND version = ?")
        .bind_all(to_string(save.status), version, save.image_id, save.expected_version)
        .run();
    if (db.changes() == 0) {
      const auto current = image(save.image_id);
      if (!current) {
        throw Error(ErrorCode::kNotFound, "no image " + std::to_string(save.image_id));
      }
      throw Error(ErrorCode::kConflict,
                  "image " + std::to_string(save.image_id) + " was saved by someone else since " +
                      "you opened it (version " + std::to_string(current->version) +
                      ", you edited " + std::to_string(save.expected_version) +
                      "): reload it to see their boxes");
    }
    db.prepare("DELETE FROM annotation WHERE image_id = ?").bind_all(save.image_id).run();
    // Boxes are checked before they are written, in box order (the first bad one is the one
    // named); the categories they use are looked up in one statement rather than one per box.
    // A bad box throws and the transaction rolls back the delete, so the old labels stay exactly
    // as they were.
    std::set<Id> wanted;
    for (const Annotation& box : save.boxes) wanted.insert(box.category_id);
    std::set<Id> known;
    if (!wanted.empty()) {
      auto select = db.prepare("SELECT id FROM category WHERE id IN (" +
                               sql_dialect::json_integers(db.dialect(), 1) + ")");
      select.bind_all(Json(wanted).dump());
      while (select.step()) known.insert(select.int64(0));
    }
    for (std::size_t i = 0; i < save.boxes.size(); ++i) {
      const Annotation& box = save.boxes[i];
      check_box(box, i, save.image_id);
      if (known.count(box.category_id) == 0) {
        throw Error(ErrorCode::kInvalidArgument,
                    "box " + std::to_string(i + 1) + " of image " + std::to_string(save.image_id) +
                        " has an unknown category id " + std::to_string(box.category_id));
      }
    }
    insert_annotations(db, save.image_id, save.boxes);
    // Regions are kept by the saves that send them: a whole-image save drops those of an earlier
    // partial one. Only a save with regions reads the image (for its size).
    db.prepare("DELETE FROM label_region WHERE image_id = ?").bind_all(save.image_id).run();
    if (!save.regions.empty()) {
      const Image labeled = image(save.image_id).value();
      std::vector<Box> regions;
      for (std::size_t i = 0; i < save.regions.size(); ++i) {
        regions.push_back(checked_region(save.regions[i], i, labeled));
      }
      insert_regions(db, save.image_id, regions);
    }
    LabelEvent event;
    event.image_id = save.image_id;
    event.labeler = save.labeler;
    event.comment = save.comment;
    event.status = save.status;
    event.box_count = static_cast<int>(save.boxes.size());
    event.created_at = now_iso8601();
    event.version = version;
    event.effort = effort_of(save);
    // The round this save belongs to: the model whose queue (and proposals) the labeler was
    // served from.
    event.model_id = queue_model();
    const Effort& effort = event.effort;
    db.prepare(
          "INSERT INTO label_event (image_id, labeler, comment, status, box_count, created_at, "
          "version, active_seconds, drawn, accepted, adjusted, rejected, model_id) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind_all(event.image_id, event.labeler, event.comment, to_string(event.status),
                  event.box_count, event.created_at, event.version, effort.active_seconds,
                  effort.drawn, effort.accepted, effort.adjusted, effort.rejected, event.model_id)
        .run();
    event.id = db.last_insert_id();
    // The image is done: its lease would only keep it from nobody.
    db.prepare("DELETE FROM lease WHERE image_id = ?").bind_all(save.image_id).run();
    // Servers of other processes tell their pages (sent at commit, not at all on a rollback).
    db.notify(kLabelsChanged);
    return event;
  });
}

std::vector<LabelEvent> Store::label_events(Id image_id) {
  return db_->read_one([&](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kLabelEventColumns +
                             " FROM label_event WHERE image_id = ? ORDER BY id");
    select.bind_all(image_id);
    std::vector<LabelEvent> result;
    while (select.step()) result.push_back(read_label_event(select));
    return result;
  });
}

std::vector<LabelEvent> Store::label_events_by(const std::string& labeler, int limit) {
  return db_->read_one([&](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kLabelEventColumns +
                             " FROM label_event WHERE labeler = ? ORDER BY id DESC LIMIT ?");
    select.bind_all(labeler, limit);
    std::vector<LabelEvent> result;
    while (select.step()) result.push_back(read_label_event(select));
    return result;
  });
}

int Store::count_label_events_after(Id after_event_id) {
  return db_->read_one([&](Database& db) {
    auto select = db.prepare("SELECT count(*) FROM label_event WHERE id > ?");
    select.bind_all(after_event_id);
    select.step();
    return select.integer(0);
  });
}

Id Store::last_label_event_id() {
  return db_->read_one([](Database& db) {
    auto select = db.prepare("SELECT coalesce(max(id), 0) FROM label_event");
    select.step();
    return select.int64(0);
  });
}

std::vector<LabelEvent> Store::effort_events() {
  return db_->read([](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kLabelEventColumns +
                             " FROM label_event WHERE active_seconds IS NOT NULL ORDER BY id");
    std::vector<LabelEvent> result;
    while (select.step()) result.push_back(read_label_event(select));
    return result;
  });
}

std::vector<LabeledImage> Store::labeled_images() {
  return db_->read([](Database& db) {
    std::vector<LabeledImage> result;
    std::map<Id, std::size_t> index_of;
    auto images = db.prepare(std::string("SELECT ") + kImageColumns +
                             " FROM image WHERE status = 'labeled' ORDER BY id");
    while (images.step()) {
      index_of[images.int64(0)] = result.size();
      result.push_back(LabeledImage{read_image(images), {}, {}});
    }
    auto boxes = db.prepare(std::string("SELECT ") + kAnnotationColumns +
                            " FROM annotation JOIN image ON image.id = annotation.image_id "
                            "WHERE image.status = 'labeled' ORDER BY annotation.id");
    while (boxes.step()) {
      Annotation annotation = read_annotation(boxes);
      result[index_of.at(annotation.image_id)].boxes.push_back(std::move(annotation));
    }
    auto regions = db.prepare(
        "SELECT label_region.image_id, x, y, w, h FROM label_region JOIN image ON image.id = "
        "label_region.image_id WHERE image.status = 'labeled' ORDER BY label_region.id");
    while (regions.step()) {
      result[index_of.at(regions.int64(0))].regions.push_back(
          Box{regions.real(1), regions.real(2), regions.real(3), regions.real(4)});
    }
    return result;
  });
}

}  // namespace boxloop
