// serve, user add|list, demo: the server's front end.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/progress_bar.h"
#include "cli/project_store.h"
#include "cli/shared_paths.h"
#include "cli/stop_signal.h"
#include "core/error.h"
#include "loop/worker.h"
#include "project/project_ops.h"
#include "server/server.h"
#include "store/store.h"
#include "synth/synth.h"

namespace boxloop::cli {

namespace {

namespace fs = std::filesystem;

struct ServeArgs {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string web_root;
  std::string database;  // --db: the project's PostgreSQL database (empty: its SQLite file)
  bool no_loop = false;
  const CLI::Option* host_option = nullptr;  // whether --host was given
};

void add_serve_options(CLI::App& cmd, ServeArgs& args) {
  cmd.add_option("--port", args.port, "Port to listen on (0: any free port)")
      ->capture_default_str();
  args.host_option =
      cmd.add_option("--host", args.host,
                     "Address to listen on (a project without users only listens elsewhere when "
                     "this is given)")
          ->capture_default_str();
  cmd.add_option("--web-root", args.web_root, "Folder of the built page (default: web/dist)");
  add_database_option(cmd, args.database);
  cmd.add_flag("--no-loop", args.no_loop,
               "Do not run the active-learning loop (training and scoring jobs) beside the server");
}

bool is_loopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

// A project without users lets every caller in as an admin (single-user mode), so it stays on
// this machine unless --host says otherwise; either way the start-up says who can reach it.
std::string listen_host(Store& store, const ServeArgs& args) {
  if (store.has_users()) return args.host;
  const bool explicit_host = args.host_option != nullptr && args.host_option->count() > 0;
  if (!explicit_host) {
    std::cout << "boxloop: this project has no users, so anyone who can reach it is an admin: "
                 "listening on loopback only (127.0.0.1). Add a user (`boxloop user add`) before "
                 "serving other machines with --host."
              << std::endl;
    return "127.0.0.1";
  }
  if (!is_loopback(args.host)) {
    std::cout << "boxloop: WARNING: this project has no users and --host " << args.host
              << " was given: anyone who can reach this address can label, upload and change "
                 "settings as an admin. Add a user with `boxloop user add` to require tokens."
              << std::endl;
  }
  return args.host;
}

// Serves until SIGINT or SIGTERM.
void serve_until_signal(Store& store, const ServeArgs& args, const std::string& banner) {
  StopSignal stop_signal;  // before any thread starts

  server::ServerOptions options;
  options.host = listen_host(store, args);
  options.port = args.port;
  options.web_root = args.web_root;
  server::Server server(store, options);
  server.start();
  // The loop's worker opens its own connection to the project: its jobs run for minutes.
  loop::LoopWorkerOptions loop_options;
  loop_options.pretrained_fallbacks = shared_pretrained_fallbacks();
  loop_options.store = store_options(args.database);
  loop::LoopWorker worker(store.dir(), loop_options);
  if (!args.no_loop) worker.start();
  std::cout << banner << server.url() << std::endl;
  spdlog::info("received {}, stopping", stop_signal.wait());
  worker.stop();  // cancels a running round; the trigger queues it again after a restart
  server.stop();
}

// The six card ranks with hotkeys 1-6, as `boxloop init` would create them for the cards.
std::vector<Category> card_categories() {
  static const char* kColors[] = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4"};
  std::vector<Category> categories;
  const auto& ranks = card_ranks();
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    Category category;
    category.name = ranks[i];
    category.hotkey = std::to_string(i + 1);
    category.color = kColors[i % std::size(kColors)];
    category.position = static_cast<int>(i);
    categories.push_back(category);
  }
  return categories;
}

// A project with `count` synthetic card images to label (images only, no labels).
void create_demo_project(const fs::path& dir, int count) {
  auto store = Store::create(dir, "demo", card_categories());
  const fs::path scratch =
      fs::temp_directory_path() / ("boxloop-demo-" + std::to_string(::getpid()));
  SynthOptions synth;
  synth.count = count;
  {
    ProgressBar bar("generating images");
    write_synth_dataset(scratch, synth, bar.callback());
    bar.finish();
  }
  ImportOptions import;
  ProgressBar bar("importing images");
  import.progress = bar.callback();
  const auto results = import_images(*store, {scratch}, import);
  bar.finish();
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  int added = 0;
  for (const auto& result : results) {
    if (result.action == ImportAction::kAdded) ++added;
    if (result.action == ImportAction::kRejected) {
      spdlog::warn("{}: {}", result.source, result.message);
    }
  }
  std::cout << "boxloop demo: created " << dir.string() << " with " << added << " images"
            << std::endl;
}

}  // namespace

void add_server_commands(CLI::App& app) {
  {
    auto* cmd = app.add_subcommand("serve", "Serve the labeling page and API of a project");
    auto project = std::make_shared<std::string>();
    auto args = std::make_shared<ServeArgs>();
    cmd->add_option("project", *project, "Project folder")->required();
    add_serve_options(*cmd, *args);
    cmd->callback([project, args] {
      auto store = open_store(*project, args->database);
      serve_until_signal(*store, *args, "boxloop: serving " + *project + " on ");
    });
  }

  {
    auto* user = app.add_subcommand("user", "Manage the users of a project");
    user->require_subcommand(1);

    auto* add = user->add_subcommand("add", "Add a user and print their API token (shown once)");
    auto project = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    auto role = std::make_shared<std::string>("labeler");
    auto password = std::make_shared<std::string>();
    auto database = std::make_shared<std::string>();
    add->add_option("project", *project, "Project folder")->required();
    add_database_option(*add, *database);
    add->add_option("name", *name, "User name")->required();
    add->add_option("--role", *role, "admin or labeler")
        ->check(CLI::IsMember({"admin", "labeler"}))
        ->capture_default_str();
    add->add_option("--password", *password, "Password for logging in on the page");
    add->callback([project, name, role, password, database] {
      auto store = open_store(*project, *database);
      const std::string token =
          store->add_user(*name, user_role_from_string(*role),
                          password->empty() ? std::nullopt : std::optional(*password));
      std::cout << "added " << *role << " '" << *name << "'; API token (shown once):\n"
                << token << std::endl;
    });

    auto* list = user->add_subcommand("list", "List the users of a project");
    auto list_project = std::make_shared<std::string>();
    auto list_database = std::make_shared<std::string>();
    list->add_option("project", *list_project, "Project folder")->required();
    add_database_option(*list, *list_database);
    list->callback([list_project, list_database] {
      auto store = open_store(*list_project, *list_database);
      const auto users = store->users();
      if (users.empty()) std::cout << "no users: the project is open (single-user mode)\n";
      for (const User& u : users) std::cout << u.name << "\t" << to_string(u.role) << "\n";
    });
  }

  {
    auto* cmd = app.add_subcommand(
        "demo", "Create a project of synthetic card images (unless DIR has one) and serve it");
    auto dir = std::make_shared<std::string>("demo-project");
    auto count = std::make_shared<int>(60);
    auto args = std::make_shared<ServeArgs>();
    cmd->add_option("dir", *dir, "Project folder")->capture_default_str();
    cmd->add_option("--count", *count, "Number of images to generate")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    add_serve_options(*cmd, *args);
    cmd->callback([dir, count, args] {
      if (!fs::exists(fs::path(*dir) / Store::kDatabaseFile)) create_demo_project(*dir, *count);
      auto store = Store::open(*dir);
      serve_until_signal(*store, *args, "boxloop demo: open ");
    });
  }
}

}  // namespace boxloop::cli
