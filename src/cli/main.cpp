#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"boxloop: label objects in images with active learning"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "boxloop 0.1.0");
  bool verbose = false;
  app.add_flag("-v,--verbose", verbose, "Log debug messages");
  app.parse_complete_callback([&] {
    if (verbose) spdlog::set_level(spdlog::level::debug);
  });

  boxloop::cli::add_project_commands(app);
  boxloop::cli::add_model_commands(app);
  boxloop::cli::add_server_commands(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const boxloop::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
