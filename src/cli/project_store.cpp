#include "cli/project_store.h"

namespace boxloop::cli {

void add_database_option(CLI::App& cmd, std::string& database) {
  cmd.add_option("--db", database,
                 "The project's PostgreSQL database (postgresql://user@host/db); default: the "
                 "SQLite file in the project folder")
      ->envname("BOXLOOP_DB");
}

StoreOptions store_options(const std::string& database) {
  StoreOptions options;
  options.database = database;
  return options;
}

std::unique_ptr<Store> open_store(const std::string& project, const std::string& database) {
  return Store::open(project, store_options(database));
}

}  // namespace boxloop::cli
