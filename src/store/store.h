// The project store: one folder per project holding `boxloop.db` (SQLite, WAL, foreign keys on,
// schema versioned by migrations), `images/` (the image folder) and `models/` (weights). For a
// team the records may live in PostgreSQL instead (StoreOptions::database), with the same schema
// and the same code path (store/database.h); the folder then holds the images and models only.
//
// Every public method is one transaction and is safe to call from several threads: reads run
// on a pool of read connections, each on a snapshot of the last commit, and never wait for a
// write; writes take turns on one write connection (store/connections.h). Several processes may
// open the same project (SQLite WAL with a busy timeout; PostgreSQL SERIALIZABLE writes, rerun on
// a conflict): the CLI can train while the server serves. A call that waits for another process's
// lock past the busy timeout throws kBusy and writes nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/types.h"
#include "store/settings.h"

namespace boxloop {

class ChangeFeed;
class DatabaseLock;
class Connections;
class Database;

struct StoreOptions {
  // Where the project's records are: empty for the SQLite file in the project folder (the
  // embedded default), or a PostgreSQL URL (postgresql://user@host/db) whose database holds one
  // project. The images and models stay in the project folder either way: every process that
  // opens the project mounts the same folder.
  std::string database;
  // How long a call waits for another process's lock on the database before it throws kBusy.
  std::chrono::milliseconds busy_timeout{5000};
  // Read connections open at most at once; a read beyond them waits for one to be free.
  std::size_t readers = 8;
  // Who runs the jobs this store claims (a worker's name, unique among live processes): its
  // claims carry the name and a heartbeat (heartbeat_jobs), and its progress and finish only
  // touch jobs still its own, so a job handed back to the queue and claimed by another worker is
  // never finished twice. Empty for a process that runs jobs without heartbeats (boxloop train).
  std::string worker;
};

struct LabelEvent {
  Id id = 0;
  Id image_id = 0;
  std::string labeler;
  std::string comment;
  ImageStatus status = ImageStatus::kLabeled;
  int box_count = 0;
  std::string created_at;
  int version = 0;  // the image version this save produced
  Effort effort;
  // The model that had scored the queue (and whose proposals were offered) when this was saved:
  // the round the save belongs to. None before any model.
  std::optional<Id> model_id;
};

// One save from a labeler: the full new set of boxes of an image (replacing the old ones).
struct LabelSave {
  Id image_id = 0;
  int expected_version = 0;  // the version the labeler edited; a mismatch is ErrorCode::kConflict
  std::string labeler;
  std::string comment;
  ImageStatus status = ImageStatus::kLabeled;  // kLabeled or kSkipped
  std::vector<Annotation> boxes;               // image_id and id are ignored
  // A partial label (a box-level query): the regions of the image the labeler was asked about
  // and labeled completely, in pixels of the image; empty: the whole image was labeled. Each
  // needs finite coordinates and a positive size; it is clipped to the image when saved.
  std::vector<Box> regions;
  // What the page measured (Effort); the drawn / accepted / adjusted counts come from the boxes.
  std::optional<double> active_seconds;
  int rejected = 0;
};

struct QueueEntry {
  Id image_id = 0;
  double uncertainty = 0;
  int rank = 0;  // 0 = ask first
};

struct ModelRecord {
  Id id = 0;
  std::string arch;
  std::string weights_path;  // relative to the project folder
  std::optional<Id> parent;
  int trained_on = 0;  // number of labeled images it was trained on
  Json metrics = Json::object();
  std::string created_at;
};

enum class JobState { kQueued, kRunning, kDone, kFailed, kCancelled };
std::string to_string(JobState state);
JobState job_state_from_string(const std::string& text);

// What a job does. The job table and the API keep the names ("train", "score", ...).
enum class JobKind { kTrain, kScore, kDetect, kImport, kExport };
std::string to_string(JobKind kind);
// Throws kInvalidArgument for a name that is no job kind.
JobKind job_kind_from_string(const std::string& text);

struct Job {
  Id id = 0;
  JobKind kind = JobKind::kTrain;
  JobState state = JobState::kQueued;
  double progress = 0;
  std::string message;
  Json params = Json::object();
  std::string created_at;
  std::string started_at;
  std::string finished_at;
  std::string error;
  bool cancel_requested = false;
  // The worker running it (StoreOptions::worker; empty when claimed without one) and its last
  // heartbeat (ISO 8601 UTC; empty when it never beat).
  std::string worker;
  std::string heartbeat_at;
  // The job this one is a part of: a chunk of a score job's images (loop/score_chunks.h).
  std::optional<Id> parent;
};

// Where a round of the loop stands. It follows the round's jobs (read from their states, never
// stored apart from them): queued or training while its train job is, then the score job's.
enum class RoundPhase { kQueued, kTraining, kScoring, kDone, kFailed, kCancelled };
std::string to_string(RoundPhase phase);

// A round of the loop (loop/state/rounds.h): queued by the trigger, it trains a model and scores
// the pool with it.
struct Round {
  Id id = 0;
  // The newest label event when it was queued: later events count towards the next round.
  Id after_event = 0;
  Id train_job = 0;
  std::optional<Id> score_job;  // once its model is trained
  std::optional<Id> model;      // the model it trained
  RoundPhase phase = RoundPhase::kQueued;
  std::string created_at;
};

struct User {
  Id id = 0;
  std::string name;
  UserRole role = UserRole::kLabeler;
};

struct CategoryCount {
  Category category;
  int boxes = 0;   // boxes of this category on labeled images
  int images = 0;  // labeled images holding at least one such box
};

struct ImageCounts {
  int total = 0, unlabeled = 0, labeled = 0, skipped = 0;
};

struct LabeledImage {
  Image image;
  std::vector<Annotation> boxes;
  std::vector<Box> regions;  // LabelSave::regions: empty when the whole image is labeled
};

class Store {
 public:
  static constexpr const char* kDatabaseFile = "boxloop.db";
  static constexpr const char* kImageFolder = "images";
  static constexpr const char* kModelFolder = "models";

  // Creates the folder layout and an empty database (options.database: SQLite in the folder or a
  // PostgreSQL database); throws kAlreadyExists when a project is there.
  static std::unique_ptr<Store> create(const std::filesystem::path& dir, const std::string& name,
                                       const std::vector<Category>& categories,
                                       const StoreOptions& options = {});
  // Opens an existing project and applies pending migrations; throws kNotFound when none is there.
  static std::unique_ptr<Store> open(const std::filesystem::path& dir,
                                     const StoreOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  // Where the records are, for messages: the database file or the server URL (no password).
  std::string database_location() const;
  bool uses_postgres() const;
  // Calls `on_change` (on a thread of its own) with what changed whenever a process commits a
  // change other processes' pages should hear of (kLabelsChanged: a label save), for as long as
  // the returned feed lives. None on SQLite, whose processes poll (store/change_feed.h).
  std::unique_ptr<ChangeFeed> watch_changes(std::function<void(const std::string&)> on_change);
  // PostgreSQL: the lock named `name` across every process on the database, taken without
  // waiting (store/database_lock.h); nullptr when another process holds it. Throws kUnsupported
  // on SQLite, whose processes share one folder and lock files there (loop/train_lock.h).
  std::unique_ptr<DatabaseLock> try_database_lock(const std::string& name);
  std::filesystem::path image_dir() const { return dir_ / kImageFolder; }
  std::filesystem::path model_dir() const { return dir_ / kModelFolder; }
  int schema_version();

  // Runs `work` (calls on this Store) as one write transaction, so a bulk import pays one commit
  // (one fsync) per batch instead of one per row. Each call inside is a savepoint: one that
  // throws and is caught inside `work` undoes only itself; an exception out of `work` undoes the
  // whole batch. Other threads' writes (not their reads) and other processes wait for the write
  // lock meanwhile, so keep batches short (tens of rows, well under a second). On PostgreSQL a
  // batch that conflicts with another process's write is kBusy (not rerun: `work` is the
  // caller's); every other write method is rerun until the busy timeout.
  void batch(const std::function<void()>& work);
  // Runs `work` (reads on this Store only) as one read transaction: its calls see one snapshot and
  // pay one begin and commit between them, not one each (on PostgreSQL two round trips per call).
  // A write inside is a bug (kInternal).
  void read_together(const std::function<void()>& work);

  // --- project -----------------------------------------------------------------------------
  std::string name();
  // The stored settings, read leniently (read_stored_settings): a value an older version stored
  // that this one refuses reads as its default, with a warning logged once.
  ProjectSettings settings();
  // The one write of the settings: applies `change` to the current settings and writes the result
  // when parse_settings accepts it (types and ranges), all in one transaction; returns what was
  // written. Throws kInvalidArgument naming the setting (nothing written) or what `change`
  // throws. What the store cannot check is the caller's (loop/state/settings_change.h).
  ProjectSettings change_settings(const std::function<void(ProjectSettings&)>& change);
  // change_settings with a JSON merge patch (patch_settings).
  ProjectSettings update_settings(const Json& patch);

  // --- categories --------------------------------------------------------------------------
  std::vector<Category> categories();  // ordered by position
  std::optional<Category> category_by_name(const std::string& name);
  Category add_category(const Category& category);  // id and position (when 0) are assigned
  std::vector<CategoryCount> category_counts();

  // --- images ------------------------------------------------------------------------------
  // Records an image already placed in the image folder. Throws kAlreadyExists when the path or
  // the sha256 is already in the project.
  Image add_image(const std::string& relative_path, const std::string& sha256, int width,
                  int height);
  std::optional<Image> image(Id id);
  std::optional<Image> image_by_path(const std::string& relative_path);
  std::optional<Image> image_by_sha256(const std::string& sha256);
  std::vector<Image> images();  // import order
  std::vector<Image> images_with_status(ImageStatus status);
  ImageCounts image_counts();

  // --- labels ------------------------------------------------------------------------------
  std::vector<Annotation> annotations(Id image_id);
  // Replaces the image's boxes, sets its status, bumps its version and appends a label_event, all
  // in one transaction. The event records the effort (counts of the boxes' origins, the save's
  // active seconds and rejected proposals) and the model of the current queue. Throws kConflict
  // (nothing written) when expected_version is stale, kNotFound for an unknown image,
  // kInvalidArgument for an unknown category, a box of non-positive size or a negative or
  // non-finite effort figure. Returns the event (with the new version).
  LabelEvent save_labels(const LabelSave& save);
  std::vector<LabelEvent> label_events(Id image_id);
  // Events of one labeler, newest first.
  std::vector<LabelEvent> label_events_by(const std::string& labeler, int limit);
  // Events after `after_event_id` (0: all); the loop's trigger counts these.
  int count_label_events_after(Id after_event_id);
  Id last_label_event_id();
  // The events that recorded effort (Effort::active_seconds), oldest first: what effort figures
  // are computed from.
  std::vector<LabelEvent> effort_events();
  std::vector<LabeledImage> labeled_images();

  // --- next image and leases -----------------------------------------------------------------
  // The next image for `labeler`: one already leased to them; else, when it is the audit set's
  // turn, an audit image (below); else the first unlabeled image in queue order not leased to
  // someone else, else the first such image in import order. Leases it to `labeler` for
  // `lease_seconds`. `exclude` skips images the caller already holds (prefetch).
  //
  // The audit set: an audit image drawn earlier that is still unlabeled and free is served first.
  // It is the audit set's turn to draw when one more audit image (not skipped) keeps the set
  // within the settings' `audit_fraction` of the images served (labeled, skipped, leased or
  // audit), this one included. The image is then drawn uniformly at random from the free
  // unlabeled images and marked audit for good: the set never depends on the model, so its mAP
  // is an unbiased estimate for the pool.
  std::optional<Image> next_image(const std::string& labeler, int lease_seconds,
                                  const std::vector<Id>& exclude = {});
  // Seeds the audit draws (tests; by default they are seeded from std::random_device).
  void seed_audit_draws(std::uint64_t seed);
  // Puts an image in or out of the audit set by hand (an admin's correction; tests). Throws
  // kNotFound for an unknown image.
  void set_audit(Id image_id, bool audit);
  void release_leases(const std::string& labeler);
  // Who holds a live lease on the image, if anyone.
  std::optional<std::string> lease_holder(Id image_id);

  // --- query queue ---------------------------------------------------------------------------
  // Replaces the whole queue and the proposals atomically, so a page sees the new order with the
  // boxes of the model that made it, never the previous model's. Entries are stored in the given
  // rank order. `proposals` are model_id's detections (their own model_id is ignored), at most
  // kMaxProposalsPerImage per image; a queue without a model has none. Throws kInvalidArgument
  // for proposals without a model, over the cap, with a box of non-positive size or a score
  // outside 0..1, kNotFound for an unknown image, category or model.
  void replace_queue(std::optional<Id> model_id, const std::string& strategy,
                     const std::vector<QueueEntry>& entries,
                     const std::vector<Proposal>& proposals = {});
  std::vector<QueueEntry> queue();
  Json queue_info();  // {model_id, strategy, created_at, size} or null when empty
  // The model that scored the current queue; none when there is no queue or it was scored with a
  // checkpoint outside the project.
  std::optional<Id> queue_model();
  // The current proposals on an image with a score of at least `min_score`, highest first. Empty
  // once the image is labeled or skipped: its boxes are then the labeler's.
  std::vector<Proposal> proposals(Id image_id, double min_score = 0);

  // --- models --------------------------------------------------------------------------------
  ModelRecord add_model(const ModelRecord& model);
  std::optional<ModelRecord> model(Id id);
  std::optional<ModelRecord> latest_model();
  std::vector<ModelRecord> models();
  void update_model_metrics(Id id, const Json& metrics);

  // --- jobs ----------------------------------------------------------------------------------
  Job create_job(JobKind kind, const Json& params, std::optional<Id> parent = std::nullopt);
  // Atomically moves the oldest queued job (of the given kinds, all when empty; with `parent`,
  // only that job's parts) to running, claimed by this store's worker.
  std::optional<Job> claim_next_job(const std::vector<JobKind>& kinds = {},
                                    std::optional<Id> parent = std::nullopt);
  // Writes the job's progress. Throws kCancelled when the job is no longer this worker's (handed
  // back to the queue after missed heartbeats and maybe claimed by another): the run must stop.
  void update_job_progress(Id id, double progress, const std::string& message);
  // Ends the job; does nothing to a job that is no longer this worker's (see above).
  void finish_job(Id id, JobState state, const std::string& error = "");
  // True when the job is running for this store's worker (always true without a worker name).
  bool owns_job(const Job& job) const;
  // Marks every job this store's worker is running as alive now. Needs a worker name.
  void heartbeat_jobs();
  // Hands running jobs back to the queue whose worker stopped beating: its last heartbeat is older
  // than `stale_after`. With `include_unbeaten`, also running jobs claimed without heartbeats
  // (boxloop train, older versions): only safe to the caller holding the training lock, the one
  // thing such a run holds while it lives. A cancel asked of such a job is honoured instead of
  // rerunning it. Returns how many went back to the queue.
  int requeue_abandoned_jobs(std::chrono::milliseconds stale_after, bool include_unbeaten);
  // The parts of a job, oldest first.
  std::vector<Job> child_jobs(Id parent);
  void request_job_cancel(Id id);
  std::optional<Job> job(Id id);
  std::vector<Job> jobs(int limit = 100);  // newest first

  // --- rounds --------------------------------------------------------------------------------
  // Records a round whose train job is queued. Throws kNotFound for an unknown job.
  Round add_round(Id after_event, Id train_job);
  // The round a train job trains, if it is a round's.
  std::optional<Round> round_of_train_job(Id train_job);
  // The newest round; with `skip_cancelled`, the newest that was not cancelled.
  std::optional<Round> latest_round(bool skip_cancelled = false);
  std::vector<Round> rounds();  // oldest first
  // Records the model a round trained and the score job that follows it.
  void set_round_scoring(Id round, Id model, Id score_job);

  // --- users ---------------------------------------------------------------------------------
  // Creates a user and returns a fresh API token (shown once; only its hash is stored).
  std::string add_user(const std::string& name, UserRole role,
                       const std::optional<std::string>& password = std::nullopt);
  void set_password(const std::string& name, const std::string& password);
  std::vector<User> users();
  bool has_users();
  // A user for an API or session token, if valid.
  std::optional<User> user_for_token(const std::string& token);
  // Checks a password and issues a session token.
  std::optional<std::string> login(const std::string& name, const std::string& password);
  void logout(const std::string& token);

 private:
  Store(std::filesystem::path dir, std::unique_ptr<Connections> connections, StoreOptions options);
  std::filesystem::path dir_;
  StoreOptions options_;  // as opened: a change feed connects to the same database
  std::unique_ptr<Connections> db_;
  // next_image's steps: an image drawn uniformly for the audit set among the free unlabeled
  // images not in `exclude`, and whether it is the audit set's turn to draw.
  std::optional<Image> draw_audit_image(Database& db, const std::vector<Id>& exclude);
  bool audit_draw_due(Database& db, double fraction);
  std::mutex audit_rng_mutex_;
  std::mt19937_64 audit_rng_{std::random_device{}()};
};

}  // namespace boxloop
