// Store: opening and creating projects, project settings and categories.
#include "store/store.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include "core/error.h"
#include "core/time.h"
#include "store/change_feed.h"
#include "store/connections.h"
#include "store/database.h"
#include "store/database_lock.h"
#include "store/migrations.h"
#include "store/postgres_database.h"
#include "store/rows.h"
#include "store/settings.h"

namespace boxloop {
namespace {

using store_rows::kCategoryColumns;
using store_rows::read_category;

// Colours for categories created without one: distinct on the page and for the colour-blind.
constexpr std::array<const char*, 10> kPalette = {"#e6194b", "#3cb44b", "#4363d8", "#f58231",
                                                  "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
                                                  "#fabed4", "#469990"};

bool is_hex_color(const std::string& color) {
  if (color.size() != 7 || color[0] != '#') return false;
  for (std::size_t i = 1; i < color.size(); ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(color[i]))) return false;
  }
  return true;
}

// Removes the folders a failed create() made, so that a retry starts clean. Only empty folders go.
void remove_empty_project_folders(const std::filesystem::path& dir, bool dir_existed) {
  std::error_code ec;
  std::filesystem::remove(dir / Store::kImageFolder, ec);  // fails harmlessly when not empty
  std::filesystem::remove(dir / Store::kModelFolder, ec);
  if (!dir_existed) std::filesystem::remove(dir, ec);
}

// Removes what a failed create() of an SQLite project made: its database file and empty folders.
void remove_partial_project(const std::filesystem::path& dir, bool dir_existed) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::filesystem::remove(dir / (std::string(Store::kDatabaseFile) + suffix), ec);
  }
  remove_empty_project_folders(dir, dir_existed);
}

}  // namespace

std::string to_string(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kFailed:
      return "failed";
    case JobState::kCancelled:
      return "cancelled";
  }
  return "queued";
}

std::string to_string(JobKind kind) {
  switch (kind) {
    case JobKind::kTrain:
      return "train";
    case JobKind::kScore:
      return "score";
    case JobKind::kDetect:
      return "detect";
    case JobKind::kImport:
      return "import";
    case JobKind::kExport:
      return "export";
  }
  return "train";
}

JobKind job_kind_from_string(const std::string& text) {
  for (const JobKind kind :
       {JobKind::kTrain, JobKind::kScore, JobKind::kDetect, JobKind::kImport, JobKind::kExport}) {
    if (text == to_string(kind)) return kind;
  }
  throw Error(ErrorCode::kInvalidArgument,
              "unknown job kind '" + text + "' (train, score, detect, import or export)");
}

JobState job_state_from_string(const std::string& text) {
  if (text == "queued") return JobState::kQueued;
  if (text == "running") return JobState::kRunning;
  if (text == "done") return JobState::kDone;
  if (text == "failed") return JobState::kFailed;
  if (text == "cancelled") return JobState::kCancelled;
  throw Error(ErrorCode::kInvalidArgument, "unknown job state '" + text + "'");
}

Store::Store(std::filesystem::path dir, std::unique_ptr<Connections> connections,
             StoreOptions options)
    : dir_(std::move(dir)), options_(std::move(options)), db_(std::move(connections)) {}

Store::~Store() = default;

namespace {

// The project folder's images/ and models/; returns whether the folder existed before.
bool make_project_folders(const std::filesystem::path& dir) {
  std::error_code ec;
  const bool dir_existed = std::filesystem::exists(dir, ec);
  try {
    std::filesystem::create_directories(dir / Store::kImageFolder);
    std::filesystem::create_directories(dir / Store::kModelFolder);
  } catch (const std::filesystem::filesystem_error& e) {
    throw Error(ErrorCode::kIo, "cannot create project folder " + dir.string() + ": " + e.what());
  }
  return dir_existed;
}

// The write connection to the project's records, opened and migrated.
std::unique_ptr<Database> open_writer(const std::filesystem::path& dir, const StoreOptions& options,
                                      bool create_file) {
  const ConnectionOptions connection{options.busy_timeout};
  std::unique_ptr<Database> db;
  if (options.database.empty()) {
    db = Database::open(dir / Store::kDatabaseFile, create_file, connection);
  } else if (is_postgres_url(options.database)) {
    db = open_postgres(options.database, connection);
  } else {
    throw Error(
        ErrorCode::kInvalidArgument,
        "a project database is the SQLite file in its folder or a postgresql:// URL, not '" +
            options.database + "'");
  }
  apply_migrations(*db);
  return db;
}

}  // namespace

std::unique_ptr<Store> Store::create(const std::filesystem::path& dir, const std::string& name,
                                     const std::vector<Category>& categories,
                                     const StoreOptions& options) {
  if (name.empty()) throw Error(ErrorCode::kInvalidArgument, "a project needs a name");
  const bool sqlite = options.database.empty();
  const auto db_file = dir / kDatabaseFile;
  std::error_code ec;
  if (sqlite && std::filesystem::exists(db_file, ec)) {
    throw Error(ErrorCode::kAlreadyExists, "a project already exists in " + dir.string());
  }
  const bool dir_existed = make_project_folders(dir);
  if (sqlite) {
    // Claim the file exclusively: of two processes creating the same project, the loser stops
    // here instead of later cleaning up (deleting) the winner's database.
    const int fd = ::open(db_file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int error = errno;
      if (error == EEXIST) {
        throw Error(ErrorCode::kAlreadyExists, "a project already exists in " + dir.string());
      }
      throw Error(ErrorCode::kIo,
                  "cannot create " + db_file.string() + ": " + std::strerror(error));
    }
    ::close(fd);
  }
  try {
    // An empty file is an empty database.
    auto db = open_writer(dir, options, /*create_file=*/false);
    std::unique_ptr<Store> store(
        new Store(dir,
                  std::make_unique<Connections>(
                      std::move(db), ConnectionOptions{options.busy_timeout}, options.readers),
                  options));
    store->db_->write([&](Database& db) {
      // On PostgreSQL the database may hold a project already; its row is the claim (id = 1), so
      // of two processes creating one, the second fails here with kAlreadyExists.
      auto existing = db.prepare("SELECT name FROM project WHERE id = 1");
      if (existing.step()) {
        throw Error(ErrorCode::kAlreadyExists,
                    db.location() + " already holds project '" + existing.text(0) + "'");
      }
      auto insert =
          db.prepare("INSERT INTO project (id, name, created_at, settings) VALUES (1, ?, ?, ?)");
      insert.bind_all(name, now_iso8601(), to_json(ProjectSettings{}).dump()).run();
      for (const Category& category : categories) store->add_category(category);
    });
    spdlog::info("created project '{}' in {} ({}) with {} categories", name, dir.string(),
                 store->database_location(), categories.size());
    return store;
  } catch (...) {
    if (sqlite) {
      remove_partial_project(dir, dir_existed);
    } else {
      remove_empty_project_folders(dir, dir_existed);
    }
    throw;
  }
}

std::unique_ptr<Store> Store::open(const std::filesystem::path& dir, const StoreOptions& options) {
  const bool sqlite = options.database.empty();
  const auto db_file = dir / kDatabaseFile;
  std::error_code ec;
  if (sqlite && !std::filesystem::is_regular_file(db_file, ec)) {
    throw Error(ErrorCode::kNotFound, "no boxloop project in " + dir.string() + " (missing " +
                                          std::string(kDatabaseFile) + ")");
  }
  if (!sqlite && !std::filesystem::is_directory(dir, ec)) {
    throw Error(ErrorCode::kNotFound, "no project folder " + dir.string() +
                                          " (its images and models are read from there)");
  }
  auto db = open_writer(dir, options, /*create_file=*/false);
  const std::string location = db->location();
  std::unique_ptr<Store> store(
      new Store(dir,
                std::make_unique<Connections>(
                    std::move(db), ConnectionOptions{options.busy_timeout}, options.readers),
                options));
  const bool has_project = store->db_->read([&](Database& db) {
    auto select = db.prepare("SELECT count(*) FROM project");
    select.step();
    return select.integer(0) == 1;
  });
  if (!has_project) throw Error(ErrorCode::kCorrupt, location + " holds no project record");
  return store;
}

std::string Store::database_location() const { return db_->location(); }

bool Store::uses_postgres() const { return db_->dialect() == Dialect::kPostgres; }

std::unique_ptr<ChangeFeed> Store::watch_changes(
    std::function<void(const std::string&)> on_change) {
  if (!uses_postgres()) return nullptr;
  return listen_for_changes(options_.database, std::move(on_change));
}

std::unique_ptr<DatabaseLock> Store::try_database_lock(const std::string& name) {
  if (!uses_postgres()) {
    throw Error(ErrorCode::kUnsupported, "database locks are PostgreSQL's; " + dir_.string() +
                                             " keeps its records in SQLite");
  }
  return DatabaseLock::try_take(options_.database, name);
}

int Store::schema_version() {
  return db_->read([](Database& db) { return db.user_version(); });
}

void Store::batch(const std::function<void()>& work) {
  // Not rerun on a conflict: `work` is the caller's code, which may do more than database work.
  db_->write([&](Database&) { work(); }, Durability::kFull, Connections::Retry::kNo);
}

void Store::read_together(const std::function<void()>& work) {
  db_->read([&](Database&) { work(); });
}

// --- project ---------------------------------------------------------------------------------

namespace {

// Settings are read on every request: their problems are logged once per project folder and
// wording, not each time.
void warn_once_about_settings(const std::filesystem::path& dir,
                              const std::vector<std::string>& problems) {
  std::string text;
  for (const std::string& p : problems) text += (text.empty() ? "" : "; ") + p;
  static std::mutex mutex;
  static std::set<std::string> warned;
  std::lock_guard lock(mutex);
  if (!warned.insert(dir.string() + '\n' + text).second) return;
  spdlog::warn("{}: stored project settings read with defaults: {}", dir.string(), text);
}

}  // namespace

std::string Store::name() {
  return db_->read_one([](Database& db) {
    auto select = db.prepare("SELECT name FROM project WHERE id = 1");
    if (!select.step()) throw Error(ErrorCode::kCorrupt, "the project record is missing");
    return select.text(0);
  });
}

ProjectSettings Store::settings() {
  const std::string text = db_->read_one([](Database& db) {
    auto select = db.prepare("SELECT settings FROM project WHERE id = 1");
    if (!select.step()) throw Error(ErrorCode::kCorrupt, "the project record is missing");
    return select.text(0);
  });
  // Values stored by an older version that this one refuses read as their defaults; the next
  // change of the settings writes the repaired values.
  StoredSettings read = read_stored_settings(text);
  if (!read.problems.empty()) warn_once_about_settings(dir_, read.problems);
  return std::move(read.settings);
}

ProjectSettings Store::change_settings(const std::function<void(ProjectSettings&)>& change) {
  return db_->write([&](Database& db) {
    ProjectSettings changed = settings();
    change(changed);
    // Through the reading's checks: a change made in code gets the same ranges as one sent.
    const Json written = to_json(changed);
    ProjectSettings result = parse_settings(written);
    db.prepare("UPDATE project SET settings = ? WHERE id = 1").bind_all(written.dump()).run();
    return result;
  });
}

ProjectSettings Store::update_settings(const Json& patch) {
  return change_settings(
      [&](ProjectSettings& settings) { settings = patch_settings(settings, patch); });
}

// --- categories ------------------------------------------------------------------------------

std::vector<Category> Store::categories() {
  return db_->read_one([](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kCategoryColumns +
                             " FROM category ORDER BY position, id");
    std::vector<Category> result;
    while (select.step()) result.push_back(read_category(select));
    return result;
  });
}

std::optional<Category> Store::category_by_name(const std::string& name) {
  return db_->read_one([&](Database& db) -> std::optional<Category> {
    auto select =
        db.prepare(std::string("SELECT ") + kCategoryColumns + " FROM category WHERE name = ?");
    select.bind_all(name);
    if (!select.step()) return std::nullopt;
    return read_category(select);
  });
}

Category Store::add_category(const Category& category) {
  if (category.name.empty()) throw Error(ErrorCode::kInvalidArgument, "a category needs a name");
  if (category.hotkey.size() > 1) {
    throw Error(
        ErrorCode::kInvalidArgument,
        "the hotkey of '" + category.name + "' must be one key, not '" + category.hotkey + "'");
  }
  if (!category.color.empty() && !is_hex_color(category.color)) {
    throw Error(ErrorCode::kInvalidArgument, "the colour of '" + category.name +
                                                 "' must look like #rrggbb, not '" +
                                                 category.color + "'");
  }
  return db_->write([&](Database& db) {
    if (category_by_name(category.name)) {
      throw Error(ErrorCode::kAlreadyExists, "category '" + category.name + "' already exists");
    }
    if (!category.hotkey.empty()) {
      auto clash = db.prepare("SELECT name FROM category WHERE hotkey = ?");
      clash.bind_all(category.hotkey);
      if (clash.step()) {
        throw Error(ErrorCode::kAlreadyExists,
                    "hotkey '" + category.hotkey + "' is taken by '" + clash.text(0) + "'");
      }
    }
    auto stats = db.prepare("SELECT count(*), coalesce(max(position) + 1, 0) FROM category");
    stats.step();
    Category added = category;
    if (added.position == 0) added.position = stats.integer(1);
    if (added.color.empty()) {
      added.color = kPalette[static_cast<std::size_t>(stats.integer(0)) % kPalette.size()];
    }
    auto insert =
        db.prepare("INSERT INTO category (name, hotkey, color, position) VALUES (?, ?, ?, ?)");
    insert.bind_all(added.name, added.hotkey, added.color, added.position).run();
    added.id = db.last_insert_id();
    return added;
  });
}

std::vector<CategoryCount> Store::category_counts() {
  return db_->read_one([](Database& db) {
    auto select = db.prepare(std::string("SELECT ") + kCategoryColumns + R"sql(,
             count(image.id), count(DISTINCT image.id)
      FROM category
      LEFT JOIN annotation ON annotation.category_id = category.id
      LEFT JOIN image ON image.id = annotation.image_id AND image.status = 'labeled'
      GROUP BY category.id
      ORDER BY category.position, category.id)sql");
    std::vector<CategoryCount> result;
    while (select.step()) {
      result.push_back(CategoryCount{read_category(select), select.integer(5), select.integer(6)});
    }
    return result;
  });
}

}  // namespace boxloop
