// Creating and opening projects, settings and categories.
#include <gtest/gtest.h>

#include <fstream>

#include "store/database.h"
#include "store/migrations.h"
#include "store/settings.h"
#include "store/store.h"
#include "store_fixture.h"

namespace boxloop::testing {
namespace {

TEST(StoreCreate, MakesTheFolderLayoutAndReopens) {
  TempDir temp;
  const auto dir = temp.path() / "new" / "project";
  {
    auto store = Store::create(dir, "cards", {Category{0, "ace", "a", "#ff0000", 0}});
    EXPECT_TRUE(std::filesystem::is_directory(store->image_dir()));
    EXPECT_TRUE(std::filesystem::is_directory(store->model_dir()));
    EXPECT_TRUE(std::filesystem::is_regular_file(dir / Store::kDatabaseFile));
    EXPECT_EQ(store->schema_version(), latest_schema_version());
  }
  auto reopened = Store::open(dir);
  EXPECT_EQ(reopened->name(), "cards");
  ASSERT_EQ(reopened->categories().size(), 1u);
  EXPECT_EQ(reopened->categories()[0].color, "#ff0000");
}

TEST(StoreCreate, RefusesAnExistingProjectAndKeepsIt) {
  TempDir temp;
  {
    auto store = Store::create(temp.path(), "first", {});
    store->add_image("a.jpg", "sha_a", 10, 10);
  }
  expect_error(ErrorCode::kAlreadyExists, [&] { Store::create(temp.path(), "second", {}); });
  auto store = Store::open(temp.path());
  EXPECT_EQ(store->name(), "first");
  EXPECT_EQ(store->images().size(), 1u);
}

TEST(StoreCreate, AFailedCreateLeavesNothingBehind) {
  TempDir temp;
  const auto dir = temp.path() / "p";
  // Two categories with one name: the second insert fails inside the create transaction.
  expect_error(ErrorCode::kAlreadyExists, [&] {
    Store::create(dir, "cards", {Category{0, "ace", "", "", 0}, Category{0, "ace", "", "", 0}});
  });
  EXPECT_FALSE(std::filesystem::exists(dir));
  // ... so the same folder can be created properly right after.
  auto store = Store::create(dir, "cards", {Category{0, "ace", "", "", 0}});
  EXPECT_EQ(store->categories().size(), 1u);
}

TEST(StoreOpen, MissingProjectIsNotFound) {
  TempDir temp;
  expect_error(ErrorCode::kNotFound, [&] { Store::open(temp.path() / "nothing-here"); });
  expect_error(ErrorCode::kNotFound, [&] { Store::open(temp.path()); });
}

TEST(StoreOpen, AFileThatIsNotADatabaseIsCorrupt) {
  TempDir temp;
  std::ofstream(temp.path() / Store::kDatabaseFile)
      << "this is not an SQLite database, just text" << std::string(5000, 'x');
  expect_error(ErrorCode::kCorrupt, [&] { Store::open(temp.path()); });
}

TEST(StoreOpen, ADatabaseFromANewerBoxloopIsRefused) {
  TempDir temp;
  Store::create(temp.path(), "cards", {});
  {
    auto db = Database::open(temp.path() / Store::kDatabaseFile, false);
    db->exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));
  }
  expect_error(ErrorCode::kUnsupported, [&] { Store::open(temp.path()); });
}

TEST(StoreOpen, ASecondStoreOnTheSameFolderSeesTheWrites) {
  TempDir temp;
  auto writer = Store::create(temp.path(), "cards", {Category{0, "ace", "", "", 0}});
  auto reader = Store::open(temp.path());  // another connection, as another process would hold
  const Image image = writer->add_image("a.jpg", "sha_a", 100, 80);
  LabelSave save;
  save.image_id = image.id;
  save.labeler = "ann";
  save.boxes = {annotation_of(writer->categories()[0].id, Box{1, 2, 3, 4})};
  writer->save_labels(save);

  ASSERT_TRUE(reader->image(image.id));
  EXPECT_EQ(reader->image(image.id)->status, ImageStatus::kLabeled);
  ASSERT_EQ(reader->annotations(image.id).size(), 1u);
  EXPECT_EQ(reader->annotations(image.id)[0].box, (Box{1, 2, 3, 4}));
  // And the other way round, while the first still has the file open.
  reader->add_category(Category{0, "king", "", "", 0});
  EXPECT_TRUE(writer->category_by_name("king"));
}

TEST_P(StoreTest, SettingsStartWithTheDefaults) {
  const ProjectSettings settings = store().settings();
  EXPECT_EQ(settings, ProjectSettings{});
  // The query strategy's default lives in active/ (loop::loop_settings falls back to it).
  EXPECT_TRUE(settings.strategy.empty());
  EXPECT_EQ(settings.trigger_every, 20);
  EXPECT_EQ(settings.lease_seconds, 300);
  EXPECT_EQ(settings.model.arch, "fastestdet");
  EXPECT_EQ(settings.model.input_size, 352);
  EXPECT_EQ(settings.train, Json::object());
  // Stored as the JSON object earlier versions read: no strategy key until one is picked.
  const Json stored = to_json(settings);
  EXPECT_FALSE(stored.contains("strategy"));
  EXPECT_TRUE(stored["proposal_threshold"].is_null());
  EXPECT_EQ(stored["model"], (Json{{"arch", "fastestdet"}, {"input_size", 352}}));
}

TEST_P(StoreTest, SettingsMergePatchKeepsUntouchedKeysAndRemovesNulls) {
  const ProjectSettings result = store().update_settings(
      Json{{"trigger_every", 5}, {"model", {{"input_size", 416}}}, {"train", {{"steps", 300}}}});
  EXPECT_EQ(result.trigger_every, 5);
  EXPECT_EQ(result.model.input_size, 416);
  EXPECT_EQ(result.model.arch, "fastestdet");  // sibling kept: a merge, not a replace
  EXPECT_EQ(result.train["steps"], 300);

  const ProjectSettings removed = store().update_settings(Json{{"train", {{"steps", nullptr}}}});
  EXPECT_FALSE(removed.train.contains("steps"));
  // null for a known key: its default again.
  EXPECT_EQ(store().update_settings(Json{{"trigger_every", nullptr}}).trigger_every, 20);
  store().update_settings(Json{{"trigger_every", 5}});
  // Persisted, and seen by a fresh open.
  store_.reset();
  store_ = Store::open(project_dir(), store_options());
  EXPECT_EQ(store().settings().trigger_every, 5);
  EXPECT_EQ(store().settings().model.input_size, 416);
}

TEST_P(StoreTest, TypedChangesOfTheSettingsAreCheckedLikePatches) {
  const ProjectSettings changed =
      store().change_settings([](ProjectSettings& s) { s.audit_fraction = 0.25; });
  EXPECT_EQ(changed.audit_fraction, 0.25);
  EXPECT_EQ(store().settings(), changed);
  expect_error(ErrorCode::kInvalidArgument,
               [&] { store().change_settings([](ProjectSettings& s) { s.lease_seconds = 5; }); });
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().change_settings([](ProjectSettings& s) { s.train = Json::array(); });
  });
  EXPECT_EQ(store().settings(), changed);
}

// Each setting out of its range (docs/api.md "Limits") is refused with a message naming it.
TEST(ProjectSettingsTest, ParseRefusesEachBadValueNamingTheSetting) {
  const std::vector<std::pair<Json, std::string>> bad = {
      {Json{{"lease_seconds", 9}}, "lease_seconds"},
      {Json{{"lease_seconds", 86'401}}, "lease_seconds"},
      {Json{{"lease_seconds", 4294967297LL}}, "lease_seconds"},
      {Json{{"lease_seconds", 300.5}}, "lease_seconds"},
      {Json{{"trigger_every", 0}}, "trigger_every"},
      {Json{{"trigger_every", 1'000'001}}, "trigger_every"},
      {Json{{"loop_enabled", "yes"}}, "loop_enabled"},
      {Json{{"strategy", 5}}, "strategy"},
      {Json{{"strategy", std::string(257, 'm')}}, "strategy"},
      {Json{{"audit_fraction", -0.1}}, "audit_fraction"},
      {Json{{"audit_fraction", 0.6}}, "audit_fraction"},
      {Json{{"proposal_threshold", 1.5}}, "proposal_threshold"},
      {Json{{"proposal_threshold", "high"}}, "proposal_threshold"},
      {Json{{"model", "big"}}, "'model'"},
      {Json{{"model", {{"arch", 3}}}}, "model.arch"},
      {Json{{"model", {{"input_size", 100}}}}, "model.input_size"},
      {Json{{"model", {{"input_size", 16}}}}, "model.input_size"},
      {Json{{"model", {{"input_size", 4096}}}}, "model.input_size"},
      {Json{{"model", {{"depth", 3}}}}, "unknown key 'depth'"},
      {Json{{"train", Json::array()}}, "'train'"},
  };
  for (const auto& [settings, part] : bad) {
    try {
      parse_settings(settings);
      ADD_FAILURE() << settings.dump() << " was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument) << settings.dump();
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << settings.dump() << ": " << e.what();
    }
  }
  expect_error(ErrorCode::kInvalidArgument, [] { parse_settings(Json::array()); });
  // The ends of each range are accepted.
  const ProjectSettings ends = parse_settings(Json{{"lease_seconds", 10},
                                                   {"trigger_every", 1'000'000},
                                                   {"audit_fraction", 0.5},
                                                   {"proposal_threshold", 0},
                                                   {"model", {{"input_size", 2048}}}});
  EXPECT_EQ(ends.lease_seconds, 10);
  EXPECT_EQ(ends.trigger_every, 1'000'000);
  EXPECT_EQ(ends.audit_fraction, 0.5);
  EXPECT_EQ(ends.proposal_threshold, 0.0);
  EXPECT_EQ(ends.model.input_size, 2048);
}

TEST(ProjectSettingsTest, ToJsonAndParseRoundTrip) {
  ProjectSettings s;
  EXPECT_EQ(parse_settings(to_json(s)), s);
  s.lease_seconds = 60;
  s.trigger_every = 7;
  s.loop_enabled = false;
  s.strategy = "margin:mean+diverse";
  s.audit_fraction = 0.123456789;
  s.proposal_threshold = 0.35;
  s.model = ModelSettings{"retinanet", 320};
  s.train = Json{{"steps", 300}, {"augment", {{"mosaic", 0.5}}}};
  s.unknown = Json{{"old_key", {1, 2}}};
  EXPECT_EQ(parse_settings(to_json(s)), s);
  EXPECT_EQ(parse_settings(Json::parse(to_json(s).dump())), s);  // through the stored text
  EXPECT_EQ(read_stored_settings(to_json(s).dump()).settings, s);
  EXPECT_TRUE(read_stored_settings(to_json(s).dump()).problems.empty());
}

TEST(ProjectSettingsTest, PatchesRefuseUnknownKeysUnlessRemovingThem) {
  ProjectSettings current;
  current.unknown = Json{{"old_key", 1}};
  expect_error(ErrorCode::kInvalidArgument, [&] { patch_settings(current, Json{{"colour", 1}}); });
  expect_error(ErrorCode::kInvalidArgument, [&] { patch_settings(current, Json::array()); });
  const ProjectSettings cleaned = patch_settings(current, Json{{"old_key", nullptr}});
  EXPECT_EQ(cleaned.unknown, Json::object());
  // Kept through a change of another key.
  EXPECT_EQ(patch_settings(current, Json{{"trigger_every", 3}}).unknown, current.unknown);
}

// Older versions stored settings this one refuses (no checks on write, or looser ones): they read
// as the defaults, key by key, and the next change of the settings stores the repaired values.
TEST_P(StoreTest, StoredSettingsThatFailValidationReadAsTheirDefaults) {
  const auto store_raw = [&](const std::string& text) {
    auto db = open_database();
    db->prepare("UPDATE project SET settings = ? WHERE id = 1").bind_all(text).run();
  };
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  store_raw(R"({"lease_seconds":4294967297,"trigger_every":"often","audit_fraction":0.3,)"
            R"("proposal_threshold":7,"loop_enabled":"yes","strategy":["margin"],)"
            R"("model":{"arch":"retinanet","input_size":100,"depth":3},"train":{"steps":300},)"
            R"("old_key":1,"junk":)" +
            deep + "}");
  const ProjectSettings settings = store().settings();
  const ProjectSettings defaults;
  EXPECT_EQ(settings.lease_seconds, defaults.lease_seconds);
  EXPECT_EQ(settings.trigger_every, defaults.trigger_every);
  EXPECT_FALSE(settings.proposal_threshold);
  EXPECT_TRUE(settings.loop_enabled);
  EXPECT_TRUE(settings.strategy.empty());
  // Model members fall back one by one: the stored arch is kept, an unknown member dropped.
  EXPECT_EQ(settings.model, (ModelSettings{"retinanet", defaults.model.input_size}));
  EXPECT_FALSE(settings.unknown.contains("junk"));  // 100,000 deep: dropped while parsing
  EXPECT_EQ(settings.audit_fraction, 0.3);          // valid values are kept as stored
  EXPECT_EQ(settings.train["steps"], 300);
  EXPECT_EQ(settings.unknown["old_key"], 1);  // unknown keys are left alone, as on write
  EXPECT_EQ(parse_settings(to_json(settings)), settings);

  const StoredSettings read = read_stored_settings(R"({"lease_seconds":2,"junk":)" + deep + "}");
  ASSERT_EQ(read.problems.size(), 2u);
  EXPECT_NE(read.problems[0].find("'junk' nests deeper than 64 levels"), std::string::npos)
      << read.problems[0];
  EXPECT_NE(read.problems[1].find("lease_seconds"), std::string::npos) << read.problems[1];
  EXPECT_NE(read.problems[1].find("the default is used"), std::string::npos) << read.problems[1];
  const StoredSettings model = read_stored_settings(R"({"model":{"input_size":100,"depth":3}})");
  ASSERT_EQ(model.problems.size(), 2u);
  EXPECT_NE(model.problems[0].find("'depth'"), std::string::npos) << model.problems[0];
  EXPECT_NE(model.problems[0].find("dropped"), std::string::npos) << model.problems[0];
  EXPECT_NE(model.problems[1].find("model.input_size"), std::string::npos) << model.problems[1];
  // 64 levels are kept: as deep as a request body may be.
  const std::string deepest = std::string(63, '[') + std::string(63, ']');
  EXPECT_TRUE(read_stored_settings(R"({"x":)" + deepest + "}").problems.empty());

  // Not JSON, or not an object: every default.
  for (const char* text : {"{not json", "[1,2]", "null", ""}) {
    store_raw(text);
    EXPECT_EQ(store().settings(), ProjectSettings{}) << text;
    EXPECT_EQ(read_stored_settings(text).problems.size(), 1u) << text;
  }

  // A change writes the repaired settings back.
  store_raw(R"({"lease_seconds":-5,"trigger_every":7})");
  store().update_settings(Json{{"audit_fraction", 0.2}});
  auto db = open_database();
  auto select = db->prepare("SELECT settings FROM project WHERE id = 1");
  ASSERT_TRUE(select.step());
  const Json written = Json::parse(select.text(0));
  EXPECT_EQ(written["lease_seconds"], kDefaultLeaseSeconds);
  EXPECT_EQ(written["trigger_every"], 7);
  EXPECT_EQ(written["audit_fraction"], 0.2);
}

TEST_P(StoreTest, BadSettingsAreRejectedAndNothingChanges) {
  expect_error(ErrorCode::kInvalidArgument, [&] { store().update_settings(Json::array()); });
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().update_settings(Json{{"trigger_every", 0}});
  });
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().update_settings(Json{{"lease_seconds", 2}, {"model", "big"}});
  });
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().update_settings(Json{{"model", {{"input_size", -1}}}});
  });
  EXPECT_EQ(store().settings(), Store::open(project_dir(), store_options())->settings());
  EXPECT_EQ(store().settings().lease_seconds, 300);
}

TEST_P(StoreTest, CategoriesGetIdsPositionsAndColoursInOrder) {
  const auto categories = store().categories();
  ASSERT_EQ(categories.size(), 3u);
  EXPECT_EQ(categories[0].name, "nine");
  EXPECT_EQ(categories[1].name, "ten");
  EXPECT_EQ(categories[2].name, "jack");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(categories[i].position, i);
    EXPECT_GT(categories[i].id, 0);
    EXPECT_EQ(categories[i].color.size(), 7u);
  }
  EXPECT_NE(categories[0].color, categories[1].color);

  const Category queen = store().add_category(Category{0, "queen", "q", "#00ff00", 0});
  EXPECT_EQ(queen.position, 3);
  EXPECT_EQ(store().category_by_name("queen")->hotkey, "q");
  EXPECT_FALSE(store().category_by_name("joker"));
}

TEST_P(StoreTest, BadCategoriesAreRejected) {
  expect_error(ErrorCode::kAlreadyExists, [&] {
    store().add_category(Category{0, "nine", "", "", 0});
  });
  expect_error(ErrorCode::kAlreadyExists, [&] {
    store().add_category(Category{0, "queen", "1", "", 0});
  });  // nine's key
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().add_category(Category{0, "", "", "", 0});
  });
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().add_category(Category{0, "queen", "qq", "", 0});
  });
  expect_error(ErrorCode::kInvalidArgument, [&] {
    store().add_category(Category{0, "queen", "", "red", 0});
  });
  EXPECT_EQ(store().categories().size(), 3u);
}

TEST_P(StoreTest, CategoryCountsOnlyCountLabeledImages) {
  const Image a = add_image(1), b = add_image(2), c = add_image(3);
  store().save_labels(
      save_of(a, {box("nine", 0, 0, 10, 10), box("nine", 20, 20, 5, 5), box("ten", 1, 1, 2, 2)}));
  store().save_labels(save_of(b, {box("nine", 0, 0, 10, 10)}));
  LabelSave skipped = save_of(c, {box("jack", 0, 0, 10, 10)});
  skipped.status = ImageStatus::kSkipped;
  store().save_labels(skipped);

  const auto counts = store().category_counts();
  ASSERT_EQ(counts.size(), 3u);
  EXPECT_EQ(counts[0].category.name, "nine");
  EXPECT_EQ(counts[0].boxes, 3);
  EXPECT_EQ(counts[0].images, 2);
  EXPECT_EQ(counts[1].boxes, 1);
  EXPECT_EQ(counts[1].images, 1);
  EXPECT_EQ(counts[2].boxes, 0);  // only on a skipped image
  EXPECT_EQ(counts[2].images, 0);
}

}  // namespace
}  // namespace boxloop::testing
