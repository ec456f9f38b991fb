// Store: which image a labeler gets next (leases) and the query queue that orders them.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "core/geometry.h"
#include "core/time.h"
#include "store/connections.h"
#include "store/database.h"
#include "store/next_image_sql.h"
#include "store/rows.h"
#include "store/sql_dialect.h"
#include "store/store.h"

namespace boxloop {
namespace {

using store_rows::kImageColumns;
using store_rows::kProposalColumns;
using store_rows::read_image;
using store_rows::read_proposal;
using store_rows::unix_ms_now;

// What replace_queue checks before it writes anything.
void check_proposals(std::optional<Id> model_id, const std::vector<Proposal>& proposals) {
  if (proposals.empty()) return;
  if (!model_id) {
    throw Error(ErrorCode::kInvalidArgument,
                "proposals need the model that made them; this queue has none");
  }
  std::map<Id, int> per_image;
  for (const Proposal& p : proposals) {
    const std::string where = "a proposal for image " + std::to_string(p.image_id);
    if (!well_formed(p.box)) {
      throw Error(ErrorCode::kInvalidArgument,
                  where + " needs finite coordinates and a positive width and height");
    }
    if (!(p.score >= 0 && p.score <= 1)) {
      throw Error(ErrorCode::kInvalidArgument, where + " has a score outside 0..1");
    }
    if (++per_image[p.image_id] > kMaxProposalsPerImage) {
      throw Error(ErrorCode::kInvalidArgument,
                  "image " + std::to_string(p.image_id) + " has more than " +
                      std::to_string(kMaxProposalsPerImage) + " proposals");
    }
  }
}

// The queue's rows and the images' ranks. On PostgreSQL in two statements over arrays, not two per
// image: a publish locks every queued image until it commits, and labelers' nexts wait for it,
// so its length is theirs (two round trips an image were seconds on a large pool). SQLite runs in
// the process, where a statement an image costs microseconds. Throws kNotFound for an entry whose
// image does not exist.
void write_queue(Database& db, std::optional<Id> model_id, const std::string& strategy,
                 const std::vector<QueueEntry>& entries, const std::string& created_at) {
  const auto missing = [&](Id image_id) {
    return Error(ErrorCode::kNotFound,
                 "queue entry for image " + std::to_string(image_id) + ": no such image");
  };
  if (db.dialect() == Dialect::kPostgres) {
    std::vector<std::int64_t> ids;
    std::vector<std::int64_t> ranks;
    std::vector<double> uncertainties;
    for (std::size_t rank = 0; rank < entries.size(); ++rank) {
      ids.push_back(entries[rank].image_id);
      ranks.push_back(static_cast<std::int64_t>(rank));
      uncertainties.push_back(entries[rank].uncertainty);
    }
    const std::string id_array = sql_dialect::postgres_array(ids);
    const std::string rank_array = sql_dialect::postgres_array(ranks);
    db.prepare(
          "UPDATE image SET queue_rank = ranks.rank "
          "FROM unnest(CAST(?1 AS bigint[]), CAST(?2 AS bigint[])) AS ranks(id, rank) "
          "WHERE image.id = ranks.id")
        .bind_all(id_array, rank_array)
        .run();
    if (db.changes() != static_cast<int>(entries.size())) {
      auto exists = db.prepare("SELECT 1 FROM image WHERE id = ?");
      for (const QueueEntry& entry : entries) {
        exists.bind_all(entry.image_id);
        if (!exists.step()) throw missing(entry.image_id);
      }
    }
    db.prepare(
          "INSERT INTO query (image_id, model_id, strategy, uncertainty, rank, created_at) "
          "SELECT entries.id, CAST(?3 AS bigint), ?4, entries.uncertainty, entries.rank, ?5 "
          "FROM unnest(CAST(?1 AS bigint[]), CAST(?2 AS bigint[]), "
          "CAST(?6 AS double precision[])) AS entries(id, rank, uncertainty)")
        .bind_all(id_array, rank_array, model_id, strategy, created_at,
                  sql_dialect::postgres_array(uncertainties))
        .run();
    return;
  }
  auto rank_image = db.prepare("UPDATE image SET queue_rank = ? WHERE id = ?");
  auto insert = db.prepare(
      "INSERT INTO query (image_id, model_id, strategy, uncertainty, rank, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  for (std::size_t rank = 0; rank < entries.size(); ++rank) {
    const QueueEntry& entry = entries[rank];
    rank_image.bind_all(static_cast<std::int64_t>(rank), entry.image_id).run();
    if (db.changes() == 0) throw missing(entry.image_id);
    insert
        .bind_all(entry.image_id, model_id, strategy, entry.uncertainty,
                  static_cast<std::int64_t>(rank), created_at)
        .run();
  }
}

// Ids an audit draw looks up at once. With half the ids candidates, all of them miss one draw in
// 4 billion; with a tenth, one in 30, and the count those draws fall back on is short.
constexpr std::size_t kAuditDrawIds = 32;

// Images a next tries to lease before it gives up with kBusy. Each one it misses was leased by
// another server's next between this one's look and its lease; with one server it never misses.
constexpr int kLeaseAttempts = 16;

// The lock of the audit set's turn to draw (pg_advisory_xact_lock's key: "audit" in ASCII).
constexpr std::int64_t kAuditDrawLock = 0x6175646974;

// Leases the image to `labeler` unless someone else holds a live lease on it; whether it did.
bool try_lease(Database& db, Id image_id, const std::string& labeler, std::int64_t now_ms,
               int lease_seconds) {
  db.prepare(next_image_sql::lease(db.dialect()))
      .bind_all(image_id, labeler, now_ms + std::int64_t{lease_seconds} * 1000, now_ms)
      .run();
  return db.changes() > 0;
}

// The first row of a next_image_sql statement that takes the excluded ids as ?1, as an image.
std::optional<Image> first_image(Database& db, const std::string& sql,
                                 const std::string& excluded) {
  auto select = db.prepare(sql);
  select.bind_all(excluded);
  if (!select.step()) return std::nullopt;
  return read_image(select);
}

}  // namespace

void Store::seed_audit_draws(std::uint64_t seed) {
  std::lock_guard lock(audit_rng_mutex_);
  audit_rng_.seed(seed);
}

// Ids are drawn uniformly from the id range and the first that is a candidate kept: each
// candidate has one id, so the first hit is uniform among them, found by a few primary-key
// lookups instead of counting every free image. When none hits (few candidates among many ids,
// so the count is short), one at a uniform offset among them; either way the draw is uniform.
std::optional<Image> Store::draw_audit_image(Database& db, const std::vector<Id>& exclude) {
  namespace sql = next_image_sql;
  const Dialect dialect = db.dialect();
  auto range = db.prepare(sql::image_id_range(dialect));
  if (!range.step() || range.is_null(0)) return std::nullopt;
  std::vector<std::int64_t> ids(kAuditDrawIds);
  {
    std::lock_guard lock(audit_rng_mutex_);
    std::uniform_int_distribution<std::int64_t> id(range.int64(0), range.int64(1));
    for (std::int64_t& drawn : ids) drawn = id(audit_rng_);
  }
  auto at = db.prepare(sql::images_at(dialect));
  at.bind_all(sql::id_list(dialect, ids));
  std::map<Id, Image> candidates;
  while (at.step()) {
    const bool leased = at.integer(0) != 0;  // expired leases were deleted first
    Image image = read_image(at, 1);
    const bool excluded_here = std::find(exclude.begin(), exclude.end(), image.id) != exclude.end();
    if (leased || excluded_here || image.audit || image.status != ImageStatus::kUnlabeled) continue;
    candidates.emplace(image.id, std::move(image));
  }
  // A pick is locked before it is leased and marked: a next picking from the queue at the same
  // time skips it, instead of both waiting on each other (its lease on ours, our mark on its lock).
  const auto claimed = [&](Id id) {
    auto claim = db.prepare(sql::claim_audit_candidate(dialect));
    claim.bind_all(id);
    return claim.step();
  };
  for (const std::int64_t drawn : ids) {
    const auto it = candidates.find(drawn);
    if (it == candidates.end()) continue;
    if (claimed(it->first)) return it->second;
    candidates.erase(it);  // another next holds it: the next hit is as uniform
  }
  const std::string excluded = Json(exclude).dump();
  auto free_count = db.prepare(sql::audit_candidates_count(dialect));
  free_count.bind_all(excluded);
  free_count.step();
  const std::int64_t free = free_count.int64(0);
  if (free == 0) return std::nullopt;
  std::int64_t pick = 0;
  {
    std::lock_guard lock(audit_rng_mutex_);
    pick = std::uniform_int_distribution<std::int64_t>(0, free - 1)(audit_rng_);
  }
  auto at_offset = db.prepare(sql::audit_candidate(dialect));
  at_offset.bind_all(excluded, pick);
  if (!at_offset.step()) return std::nullopt;  // taken meanwhile: a later next draws
  Image image = read_image(at_offset);
  if (!claimed(image.id)) return std::nullopt;
  return image;
}

// A draw when one more audit image keeps the set within its share of the images served, this one
// included: with 0.1, the 10th, 20th, ... image served. A project imported with labels catches up
// with draws at once.
bool Store::audit_draw_due(Database& db, double fraction) {
  if (fraction <= 0) return false;
  const auto due = [&] {
    auto counts = db.prepare(next_image_sql::served_counts(db.dialect()));
    counts.step();
    const auto audit = static_cast<double>(counts.int64(0));
    const auto served = static_cast<double>(counts.int64(1));
    return audit + 1 <= fraction * (served + 1) + 1e-9;
  };
  if (!due()) return false;
  // Nexts of several connections would all see the same turn and all draw. The one that takes
  // the lock draws; the others read the counts again once it has committed. (On SQLite, whose
  // one writer takes turns already, there is no lock to take.)
  const std::string lock = sql_dialect::transaction_lock(db.dialect(), kAuditDrawLock);
  if (lock.empty()) return true;
  db.prepare(lock).step();
  return due();
}

std::optional<Image> Store::next_image(const std::string& labeler, int lease_seconds,
                                       const std::vector<Id>& exclude) {
  namespace sql = next_image_sql;
  if (labeler.empty()) throw Error(ErrorCode::kInvalidArgument, "next_image needs a labeler");
  if (lease_seconds <= 0) {
    throw Error(ErrorCode::kInvalidArgument, "a lease must last at least one second");
  }
  // Read before the write, on a reader: on SQLite the writer is what every next and save of this
  // process queues for. A change of the fraction racing this next applies to it or to the one
  // after.
  const double fraction = settings().audit_fraction;
  // Correct with nexts of other connections and servers running beside it (write_locking_rows):
  // a candidate another next has locked is skipped, and the lease's unique key refuses an image
  // leased since this next looked, which then tries the next candidate.
  const auto serve = [&](Database& db) -> std::optional<Image> {
    const std::int64_t now = unix_ms_now();
    db.prepare("DELETE FROM lease WHERE expires_at <= ?").bind_all(now).run();
    const Dialect dialect = db.dialect();
    std::vector<Id> skip = exclude;
    std::string excluded = Json(skip).dump();
    auto held = db.prepare(sql::held(dialect));
    held.bind_all(excluded, labeler);
    if (held.step()) {
      const Image image = read_image(held);
      if (try_lease(db, image.id, labeler, now, lease_seconds)) return image;
    }
    // Queue rank, then import order. Import order starts only when every queued unlabeled image
    // is taken, so none of the images it finds is queued.
    const auto queued_or_imported = [&](sql::Locked locked) {
      auto image = first_image(db, sql::queued(dialect, locked), excluded);
      return image ? image : first_image(db, sql::imported(dialect, locked), excluded);
    };
    std::optional<bool> draw_due;  // asked once, when there is no pending audit image
    for (int attempt = 0; attempt < kLeaseAttempts; ++attempt) {
      // An audit image already drawn but not labeled (its lease ran out, it was dropped) comes
      // first: letting drawn images lapse, hard ones more often, would bias the set.
      std::optional<Image> image = first_image(db, sql::pending_audit(dialect), excluded);
      bool drawn = false;
      if (!image) {
        if (!draw_due) draw_due = audit_draw_due(db, fraction);
        if (*draw_due) {
          image = draw_audit_image(db, skip);
          drawn = image.has_value();
        }
      }
      if (!image) image = queued_or_imported(sql::Locked::kSkip);
      if (!image && dialect == Dialect::kPostgres) {
        // Every candidate is locked by another transaction: a queue being published (it updates
        // every queued image) or nexts in flight. Wait for them, up to the busy timeout, rather
        // than tell the labeler there is nothing left to label.
        image = first_image(db, sql::pending_audit(dialect, sql::Locked::kWait), excluded);
        if (!image) image = queued_or_imported(sql::Locked::kWait);
      }
      if (!image) return std::nullopt;
      if (try_lease(db, image->id, labeler, now, lease_seconds)) {
        if (drawn) {
          db.prepare("UPDATE image SET audit = 1 WHERE id = ?").bind_all(image->id).run();
          image->audit = true;
        }
        return image;
      }
      skip.push_back(image->id);
      excluded = Json(skip).dump();
    }
    throw Error(ErrorCode::kBusy,
                "every image this next tried was leased by another labeler "
                "meanwhile: try again");
  };
  // A lease (and an audit mark) is cheap to lose: a power cut frees the image, as its expiry
  // would, and the draw is made again. So the commit skips the fsync, and a next costs no disk
  // wait; the next label save's commit makes it durable with everything before it.
  return db_->write_locking_rows(serve, Durability::kLazy);
}

void Store::release_leases(const std::string& labeler) {
  db_->write_locking_rows(
      [&](Database& db) {
        db.prepare("DELETE FROM lease WHERE labeler = ?").bind_all(labeler).run();
      },
      Durability::kLazy);  // a lease that comes back after a power cut only runs out
}

std::optional<std::string> Store::lease_holder(Id image_id) {
  return db_->read_one([&](Database& db) -> std::optional<std::string> {
    auto select = db.prepare("SELECT labeler FROM lease WHERE image_id = ? AND expires_at > ?");
    select.bind_all(image_id, unix_ms_now());
    if (!select.step()) return std::nullopt;
    return select.text(0);
  });
}

void Store::replace_queue(std::optional<Id> model_id, const std::string& strategy,
                          const std::vector<QueueEntry>& entries,
                          const std::vector<Proposal>& proposals) {
  if (strategy.empty()) throw Error(ErrorCode::kInvalidArgument, "a queue needs its strategy");
  check_proposals(model_id, proposals);
  std::set<Id> seen;
  for (const QueueEntry& entry : entries) {
    if (!seen.insert(entry.image_id).second) {
      throw Error(ErrorCode::kInvalidArgument,
                  "image " + std::to_string(entry.image_id) + " is twice in the queue");
    }
    if (!std::isfinite(entry.uncertainty)) {
      throw Error(ErrorCode::kInvalidArgument, "image " + std::to_string(entry.image_id) +
                                                   " has an uncertainty that is not a number");
    }
  }
  db_->write([&](Database& db) {
    if (model_id && !model(*model_id)) {
      throw Error(ErrorCode::kNotFound, "no model " + std::to_string(*model_id));
    }
    db.exec("DELETE FROM query");
    // Each image carries its rank too (migration 5), so next_image finds the first unlabeled
    // queued image in an index instead of joining the queue to every unlabeled image.
    db.exec("UPDATE image SET queue_rank = NULL WHERE queue_rank IS NOT NULL");
    write_queue(db, model_id, strategy, entries, now_iso8601());
    // The previous model's proposals go with its queue.
    auto exists = db.prepare("SELECT 1 FROM image WHERE id = ?");
    db.exec("DELETE FROM proposal");
    auto category_exists = db.prepare("SELECT 1 FROM category WHERE id = ?");
    auto add = db.prepare(
        "INSERT INTO proposal (image_id, model_id, category_id, x, y, w, h, score) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const Proposal& p : proposals) {
      exists.bind_all(p.image_id);
      if (!exists.step()) {
        throw Error(ErrorCode::kNotFound,
                    "proposal for image " + std::to_string(p.image_id) + ": no such image");
      }
      category_exists.bind_all(p.category_id);
      if (!category_exists.step()) {
        throw Error(ErrorCode::kNotFound, "proposal for image " + std::to_string(p.image_id) +
                                              ": no category " + std::to_string(p.category_id));
      }
      add.bind_all(p.image_id, *model_id, p.category_id, p.box.x, p.box.y, p.box.w, p.box.h,
                   p.score)
          .run();
    }
  });
}

std::optional<Id> Store::queue_model() {
  return db_->read_one([](Database& db) -> std::optional<Id> {
    // One replace_queue writes one model for every row.
    auto select = db.prepare("SELECT model_id FROM query LIMIT 1");
    if (!select.step()) return std::nullopt;
    return select.optional_int64(0);
  });
}

std::vector<Proposal> Store::proposals(Id image_id, double min_score) {
  return db_->read_one([&](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kProposalColumns + R"sql(
      FROM proposal JOIN image ON image.id = proposal.image_id
      WHERE proposal.image_id = ? AND image.status = 'unlabeled' AND proposal.score >= ?
      ORDER BY proposal.score DESC, proposal.id
      LIMIT ?)sql");
    select.bind_all(image_id, min_score, kMaxProposalsPerImage);
    std::vector<Proposal> result;
    while (select.step()) result.push_back(read_proposal(select));
    return result;
  });
}

std::vector<QueueEntry> Store::queue() {
  return db_->read([](Database& db) {
    auto select = db.prepare("SELECT image_id, uncertainty, rank FROM query ORDER BY rank");
    std::vector<QueueEntry> result;
    while (select.step()) {
      result.push_back(QueueEntry{select.int64(0), select.real(1), select.integer(2)});
    }
    return result;
  });
}

Json Store::queue_info() {
  return db_->read_one([](Database& db) -> Json {
    // One replace_queue writes one model, strategy and time for every row, so any row tells, and
    // ranks 0 .. size - 1, so the largest rank tells the size: one step down query_by_rank, where
    // a count walked the whole queue on every GET /api/next (a 100,000-image pool). An image
    // deleted by other SQL takes its row along and leaves a gap the size still counts.
    auto select = db.prepare(
        "SELECT model_id, strategy, created_at, (SELECT max(rank) FROM query) + 1 FROM query "
        "LIMIT 1");
    if (!select.step()) return nullptr;
    const auto model_id = select.optional_int64(0);
    return Json{{"model_id", model_id ? Json(*model_id) : Json(nullptr)},
                {"strategy", select.text(1)},
                {"created_at", select.text(2)},
                {"size", select.integer(3)}};
  });
}

}  // namespace boxloop
