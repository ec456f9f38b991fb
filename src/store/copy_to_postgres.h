// Moving a project's records from its SQLite file into PostgreSQL, for a project that outgrows
// one process (`boxloop db copy`). The images and models stay in the project folder; afterwards
// the project is opened with StoreOptions::database (`--db`) set to the URL.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace boxloop {

struct CopiedTable {
  std::string table;
  std::int64_t rows = 0;
};

// Copies every row of every table of the SQLite project in `dir` into the PostgreSQL database at
// `url`, as they are: ids, image versions, labels, events, users (their hashes), jobs, leases,
// queue and proposals. The source is migrated to this version's schema first and read in one
// snapshot; the destination is migrated and written in one transaction, so a failed copy leaves
// it as it was. Identity sequences continue after the copied ids, and each table's row count is
// checked against the source's. Returns the tables in copy order with their row counts.
//
// Throws kAlreadyExists when the database already holds a project, kUnsupported when the file has
// a table this version does not know (a newer boxloop's), and what Store::open and the databases
// throw.
std::vector<CopiedTable> copy_sqlite_project_to_postgres(const std::filesystem::path& dir,
                                                         const std::string& url);

}  // namespace boxloop
