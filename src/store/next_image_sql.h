// The statements of Store::next_image, kept apart so that the tests can check their plans
// (EXPLAIN QUERY PLAN, queue_test.cpp). Each one the next image needs walks an index in the
// order it wants and stops at the first free image, so a next costs O(log n + k) for k leased or
// excluded images ahead of it, never a sort of every unlabeled image. An audit draw (one next in
// 1 / audit_fraction) looks up a few random ids and keeps the first that is a candidate; only when
// none is (most images labeled, so few candidates) does it count and walk the free images.
//
// Written for both back ends (store/sql_dialect.h).
//
// Parameters: ?1 is the ids the caller excludes, as a JSON array (images_at excepted); ?2 as each
// statement says.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.h"

namespace boxloop::next_image_sql {

// What a pick (pending_audit, queued, imported) does with an image another transaction has
// locked, on PostgreSQL: skip it and take the following one (the usual case: another next is
// leasing it), or wait for it (when every candidate is locked, as while a queue is published,
// which updates every queued image). SQLite has one writer: nothing is ever locked.
enum class Locked { kSkip, kWait };

// An unlabeled image this labeler (?2) already holds a lease on (a reload, a second tab).
std::string held(Dialect dialect);
// An audit image drawn earlier, still unlabeled and free.
std::string pending_audit(Dialect dialect, Locked locked = Locked::kSkip);
// Two counts: the audit images not skipped, and the images served (labeled, skipped, or
// unlabeled and drawn for the audit or leased), read from the rows the triggers of migrations 8 and
// 9 keep. No parameters.
std::string served_counts(Dialect dialect);
// The images an audit draw picks from (free, unlabeled, not audit): their count, and the one at
// offset ?2 in import order.
std::string audit_candidates_count(Dialect dialect);
std::string audit_candidate(Dialect dialect);
// The smallest and largest image id. No parameters.
std::string image_id_range(Dialect dialect);
// The images at the ids ?1 (id_list, its only parameter), each looked up by its primary key, with
// whether a lease is on it (the first column) before their columns.
std::string images_at(Dialect dialect);
// ?1 of images_at: the ids as the dialect reads a list of them (a JSON array for SQLite's
// json_each, an array literal for PostgreSQL's bigint[]).
std::string id_list(Dialect dialect, const std::vector<std::int64_t>& ids);
// The first free unlabeled image in queue order, and in import order.
// pending_audit, queued and imported lock the image they find (PostgreSQL), so that two nexts at
// once look at different images.
std::string queued(Dialect dialect, Locked locked = Locked::kSkip);
std::string imported(Dialect dialect, Locked locked = Locked::kSkip);
// Image ?1 if it is still unlabeled and not audit, locked unless another transaction holds it
// (PostgreSQL; on SQLite the row if it is a candidate): an audit draw's pick, so that no next
// picks it from the queue and no save labels it before this next has leased and marked it.
std::string claim_audit_candidate(Dialect dialect);
// Leases image ?1 to labeler ?2 until ?3 (ms since the epoch) unless someone else holds a lease
// on it that runs past ?4 (now): then no row changes.
std::string lease(Dialect dialect);

}  // namespace boxloop::next_image_sql
