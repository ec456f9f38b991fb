// boxloop db copy: moves a project's records from its SQLite file into PostgreSQL
// (store/copy_to_postgres.h), for a team that serves it from several processes.
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "store/copy_to_postgres.h"
#include "store/postgres_database.h"

namespace boxloop::cli {

void add_db_commands(CLI::App& app) {
  auto* db = app.add_subcommand("db", "Where a project's records are kept");
  db->require_subcommand(1);
  auto* copy = db->add_subcommand(
      "copy",
      "Copy a project's records from its SQLite file into an empty PostgreSQL database (the images "
      "and models stay in the folder; serve it afterwards with --db URL)");
  auto project = std::make_shared<std::string>();
  auto url = std::make_shared<std::string>();
  copy->add_option("project", *project, "Project folder (with its boxloop.db)")->required();
  copy->add_option("url", *url, "PostgreSQL database URL: postgresql://user@host/db")->required();
  copy->callback([project, url] {
    const auto tables = copy_sqlite_project_to_postgres(*project, *url);
    for (const CopiedTable& table : tables) {
      std::cout << table.table << "\t" << table.rows << "\n";
    }
    std::cout << "copied " << *project << " into " << redact_postgres_url(*url)
              << "; the SQLite file is unchanged. Serve it with:\n  boxloop serve " << *project
              << " --db '" << redact_postgres_url(*url) << "'\n";
  });
}

}  // namespace boxloop::cli
