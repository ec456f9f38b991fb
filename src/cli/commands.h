// Each file cmd_*.cpp adds one group of subcommands to the `boxloop` app. Subcommands parse their
// options, call the library layers and print; they throw boxloop::Error on failure and main()
// turns that into a message on stderr and a non-zero exit code.
#pragma once

#include <CLI/CLI.hpp>

namespace boxloop::cli {

void add_project_commands(CLI::App& app);   // init, stats, import, import-labels, export, synth
void add_model_commands(CLI::App& app);     // model download|import, train, evaluate, detect
void add_server_commands(CLI::App& app);    // serve, user, demo
void add_loop_commands(CLI::App& app);      // score, loop
void add_simulate_commands(CLI::App& app);  // simulate
void add_db_commands(CLI::App& app);        // db copy
void add_worker_commands(CLI::App& app);    // worker

}  // namespace boxloop::cli
