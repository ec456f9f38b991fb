#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "core/error.h"

namespace {

// LibTorch's OpenMP threads (libgomp) busy-wait between parallel regions unless
// OMP_WAIT_POLICY=PASSIVE; on a shared or loaded machine a 0.3 s training step then took 5-30 s.
// libgomp reads the variable when it is loaded, before main(), so set it and start again once.
void restart_with_passive_openmp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): carry on with the default policy.
}

}  // namespace

int main(int argc, char** argv) {
  restart_with_passive_openmp(argv);
  // Logs and progress go to stderr: stdout carries only results (tables, --json), so it can be
  // piped.
  spdlog::set_default_logger(spdlog::stderr_color_mt("boxloop"));
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
  boxloop::cli::add_loop_commands(app);
  boxloop::cli::add_simulate_commands(app);
  boxloop::cli::add_db_commands(app);
  boxloop::cli::add_worker_commands(app);

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
