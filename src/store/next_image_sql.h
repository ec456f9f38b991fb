// The statements of Store::next_image, kept apart so that the tests can check their plans
// (EXPLAIN QUERY PLAN, queue_test.cpp). Each one the next image needs walks an index in the
// order it wants and stops at the first free image, so a next costs O(log n + k) for k leased or
// excluded images ahead of it, never a sort of every unlabeled image. Only an audit draw (one
// next in 1 / audit_fraction) counts and walks the free images, to draw uniformly among them.
//
// Written for both back ends (store/sql_dialect.h).
//
// Parameters: ?1 is the ids the caller excludes, as a JSON array; ?2 as each statement says.
#pragma once

#include <string>

#include "store/database.h"

namespace boxloop::next_image_sql {

// An unlabeled image this labeler (?2) already holds a lease on (a reload, a second tab).
std::string held(Dialect dialect);
// An audit image drawn earlier, still unlabeled and free.
std::string pending_audit(Dialect dialect);
// Two counts: the audit images not skipped, and the images served (labeled, skipped, or
// unlabeled and drawn for the audit or leased), read from the row the triggers of migration 6
// keep. No parameters.
std::string served_counts(Dialect dialect);
// The images an audit draw picks from (free, unlabeled, not audit): their count, and the one at
// offset ?2 in import order.
std::string audit_candidates_count(Dialect dialect);
std::string audit_candidate(Dialect dialect);
// The first free unlabeled image in queue order, and in import order.
std::string queued(Dialect dialect);
std::string imported(Dialect dialect);

}  // namespace boxloop::next_image_sql
