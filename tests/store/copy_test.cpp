// Moving a SQLite project into PostgreSQL (store/copy_to_postgres.h): everything the store returns
// reads the same afterwards, ids and versions included, and the copy goes on from there.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <utility>

#include "store/copy_to_postgres.h"
#include "store/next_image_sql.h"
#include "store_fixture.h"

namespace boxloop::testing {
namespace {

// Doubles in full: a copy that rounded a coordinate would show here.
std::string exact(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string exact(const std::optional<double>& value) { return value ? exact(*value) : "-"; }

std::string box_text(const Box& b) {
  return exact(b.x) + "," + exact(b.y) + "," + exact(b.w) + "," + exact(b.h);
}

// What the store says about its project, as text to compare in one piece.
std::string snapshot(Store& store) {
  std::ostringstream out;
  out << "name " << store.name() << "\nsettings " << to_json(store.settings()).dump() << "\n";
  for (const Category& c : store.categories()) {
    out << "category " << c.id << " " << c.name << " " << c.hotkey << " " << c.color << " "
        << c.position << "\n";
  }
  for (const Image& i : store.images()) {
    out << "image " << i.id << " " << i.path << " " << i.sha256 << " " << i.width << "x" << i.height
        << " " << i.added_at << " " << to_string(i.status) << " v" << i.version << " audit "
        << i.audit << " lease " << store.lease_holder(i.id).value_or("-") << "\n";
    for (const Annotation& a : store.annotations(i.id)) {
      out << "  box " << a.id << " " << a.category_id << " " << box_text(a.box) << " "
          << to_string(a.source) << " " << exact(a.score) << " " << to_string(a.origin) << "\n";
    }
    for (const LabelEvent& e : store.label_events(i.id)) {
      out << "  event " << e.id << " " << e.labeler << " " << e.comment << " "
          << to_string(e.status) << " " << e.box_count << " " << e.created_at << " v" << e.version
          << " " << exact(e.effort.active_seconds) << " " << e.effort.drawn << "/"
          << e.effort.accepted << "/" << e.effort.adjusted << "/" << e.effort.rejected << " model "
          << e.model_id.value_or(0) << "\n";
    }
    for (const Proposal& p : store.proposals(i.id)) {
      out << "  proposal " << p.model_id << " " << p.category_id << " " << box_text(p.box) << " "
          << exact(p.score) << "\n";
    }
  }
  for (const LabeledImage& l : store.labeled_images()) {
    for (const Box& r : l.regions) out << "region " << l.image.id << " " << box_text(r) << "\n";
  }
  for (const QueueEntry& q : store.queue()) {
    out << "queue " << q.image_id << " " << exact(q.uncertainty) << " " << q.rank << "\n";
  }
  out << "queue info " << store.queue_info().dump() << "\n";
  for (const ModelRecord& m : store.models()) {
    out << "model " << m.id << " " << m.arch << " " << m.weights_path << " " << m.parent.value_or(0)
        << " " << m.trained_on << " " << m.metrics.dump() << " " << m.created_at << "\n";
  }
  for (const Job& j : store.jobs()) {
    out << "job " << j.id << " " << to_string(j.kind) << " " << to_string(j.state) << " "
        << exact(j.progress) << " " << j.message << " " << j.params.dump() << " " << j.created_at
        << " " << j.started_at << " " << j.finished_at << " " << j.error << " "
        << j.cancel_requested << " " << j.worker << " " << j.heartbeat_at << " "
        << j.parent.value_or(0) << "\n";
  }
  for (const Round& r : store.rounds()) {
    out << "round " << r.id << " " << r.after_event << " " << r.train_job << " "
        << r.score_job.value_or(0) << " " << r.model.value_or(0) << " " << to_string(r.phase) << " "
        << r.created_at << "\n";
  }
  for (const User& u : store.users()) out << "user " << u.id << " " << u.name << "\n";
  const ImageCounts counts = store.image_counts();
  out << "counts " << counts.total << " " << counts.unlabeled << " " << counts.labeled << " "
      << counts.skipped << " events " << store.count_label_events_after(0) << " last "
      << store.last_label_event_id() << " schema " << store.schema_version() << "\n";
  return out.str();
}

class CopyTest : public StoreTest {};

TEST_P(CopyTest, ASqliteProjectReadsTheSameInPostgresAndGoesOnFromThere) {
  PostgresServer& server = PostgresServer::shared();
  if (!server.available()) GTEST_SKIP() << server.why_unavailable();

  // A project with some of everything: labels with awkward coordinates, a skip, effort, two
  // models, a queue with proposals, jobs in several states, users and a login, a live lease.
  std::vector<Image> images;
  store().batch([&] {
    for (int i = 0; i < 6; ++i) images.push_back(add_image(i, 640 + i, 480));
  });
  store().update_settings(Json{{"trigger_every", 7}, {"audit_fraction", 0.2}});
  const std::string token = store().add_user("ann", UserRole::kAdmin, "pw");
  store().add_user("bob", UserRole::kLabeler);
  const auto session = store().login("ann", "pw");
  const Id first = store().add_model(model_of("fastestdet", "models/1.pt")).id;
  const Id second =
      store().add_model(model_of("fastestdet", "models/2.pt", first, 3, Json{{"map", 0.1 / 3}})).id;
  LabelSave save = save_of(images[0], {box("nine", 0.1, 1.0 / 3, 5.5, 7.25)});
  save.active_seconds = 2.0 / 7;
  save.rejected = 1;
  store().save_labels(save);
  store().save_labels(save_of(store().image(images[0].id).value(),
                              {box("ten", 1, 2, 3, 4), box("jack", 5, 6, 7, 8)}, "bob"));
  LabelSave partial = save_of(images[4], {box("jack", 20, 30, 40, 50)});
  partial.regions = {Box{10.5, 20, 60, 1.0 / 3 + 70}};
  store().save_labels(partial);
  LabelSave skip = save_of(images[1], {});
  skip.status = ImageStatus::kSkipped;
  store().save_labels(skip);
  Proposal proposal;
  proposal.image_id = images[2].id;
  proposal.category_id = category_id("ten");
  proposal.box = Box{10.125, 20, 30, 40};
  proposal.score = 0.875;
  store().replace_queue(second, "least_confidence",
                        {QueueEntry{images[3].id, 0.9, 0}, QueueEntry{images[2].id, 1.0 / 3, 1}},
                        {proposal});
  const Job done = store().create_job(JobKind::kTrain, Json{{"steps", 300}});
  store().claim_next_job();
  store().finish_job(done.id, JobState::kDone);
  const Job scoring = store().create_job(JobKind::kScore, Json::object());
  store().set_round_scoring(store().add_round(2, done.id).id, second, scoring.id);
  ASSERT_TRUE(store().next_image("carol", 600));
  const std::string before = snapshot(store());
  const Id nine = category_id("nine");
  store_.reset();

  const std::string url = server.create_database();
  const auto copied = copy_sqlite_project_to_postgres(project_dir(), url);
  ASSERT_EQ(copied.size(), 14u);
  std::map<std::string, std::int64_t> rows;
  for (const CopiedTable& table : copied) rows[table.table] = table.rows;
  EXPECT_EQ(rows["image"], 6);
  EXPECT_EQ(rows["annotation"], 3);
  EXPECT_EQ(rows["label_event"], 4);
  EXPECT_EQ(rows["label_region"], 1);
  EXPECT_EQ(rows["model"], 2);
  EXPECT_EQ(rows["round"], 1);
  EXPECT_EQ(rows["proposal"], 1);
  EXPECT_EQ(rows["lease"], 1);
  // The audit counts are not copied: the target's triggers count the copied rows, to the same
  // figures (a labeled, a skipped and a leased image at least).
  const auto audit_counts = [](Database& db) {
    auto select = db.prepare(next_image_sql::served_counts(db.dialect()));
    EXPECT_TRUE(select.step());
    return std::make_pair(select.int64(0), select.int64(1));
  };
  const auto source_counts =
      audit_counts(*Database::open(project_dir() / Store::kDatabaseFile, /*create=*/false));
  EXPECT_GE(source_counts.second, 3);
  EXPECT_EQ(audit_counts(*open_postgres(url)), source_counts);

  StoreOptions options;
  options.database = url;
  {
    auto copy = Store::open(project_dir(), options);
    EXPECT_TRUE(copy->uses_postgres());
    EXPECT_EQ(snapshot(*copy), before);
    // Tokens and sessions still log in; the loop and labelers go on where they were.
    EXPECT_EQ(copy->user_for_token(token)->name, "ann");
    EXPECT_EQ(copy->user_for_token(session.value())->name, "ann");
    EXPECT_EQ(copy->claim_next_job()->kind, JobKind::kScore);
    const Image next = copy->add_image("img_new.jpg", "sha_new", 10, 10);
    EXPECT_EQ(next.id, images.back().id + 1);  // ids go on after the copied ones
    const LabelEvent event = copy->save_labels(
        save_of(copy->image(images[0].id).value(), {annotation_of(nine, Box{1, 1, 2, 2})}));
    EXPECT_EQ(event.version, 3);
    EXPECT_EQ(event.id, 5);
    EXPECT_EQ(copy->add_category(Category{0, "queen", "q", "", 0}).id, 4);
  }
  // The SQLite project is left as it was.
  EXPECT_EQ(snapshot(*Store::open(project_dir())), before);
  // A database that holds a project is not copied over.
  expect_error(ErrorCode::kAlreadyExists,
               [&] { copy_sqlite_project_to_postgres(project_dir(), url); });
  server.drop_database(url);
}

// The source of a copy is a SQLite project: the fixture's project on SQLite.
INSTANTIATE_TEST_SUITE_P(FromSqlite, CopyTest, ::testing::Values(Backend::kSqlite), backend_name);

}  // namespace
}  // namespace boxloop::testing
