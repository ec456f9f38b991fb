// Where a command finds a project's records: the SQLite file in the project folder (the default),
// or with --db (or $BOXLOOP_DB, set once for a team's every process) a PostgreSQL database, while
// the images and models stay in the folder. One option, one opener, for every command that opens
// a project.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "store/store.h"

namespace boxloop::cli {

void add_database_option(CLI::App& cmd, std::string& database);

StoreOptions store_options(const std::string& database);

// Store::open with store_options(database).
std::unique_ptr<Store> open_store(const std::string& project, const std::string& database);

}  // namespace boxloop::cli
