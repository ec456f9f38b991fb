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

TEST_F(StoreTest, SettingsStartWithTheDefaults) {
  const Json settings = store().settings();
  // The query strategy's default lives in active/ (loop::project_strategy falls back to it).
  EXPECT_FALSE(settings.contains("strategy"));
  EXPECT_EQ(settings["trigger_every"], 20);
  EXPECT_EQ(settings["lease_seconds"], 300);
  EXPECT_EQ(settings["model"]["arch"], "fastestdet");
  EXPECT_EQ(settings["model"]["input_size"], 352);
  EXPECT_TRUE(settings["train"].is_object());
}

TEST_F(StoreTest, SettingsMergePatchKeepsUntouchedKeysAndRemovesNulls) {
  const Json result = store().update_settings(
      Json{{"trigger_every", 5}, {"model", {{"input_size", 416}}}, {"train", {{"steps", 300}}}});
  EXPECT_EQ(result["trigger_every"], 5);
  EXPECT_EQ(result["model"]["input_size"], 416);
  EXPECT_EQ(result["model"]["arch"], "fastestdet");  // sibling kept: a merge, not a replace
  EXPECT_EQ(result["train"]["steps"], 300);

  const Json removed = store().update_settings(Json{{"train", {{"steps", nullptr}}}});
  EXPECT_FALSE(removed["train"].contains("steps"));
  // Persisted, and seen by a fresh open.
  store_.reset();
  store_ = Store::open(project_dir());
  EXPECT_EQ(store().settings()["trigger_every"], 5);
  EXPECT_EQ(store().settings()["model"]["input_size"], 416);
}

// Older versions stored settings this one refuses (no checks on write, or looser ones): they read
// as the defaults, key by key, and the next change of the settings stores the repaired values.
TEST_F(StoreTest, StoredSettingsThatFailValidationReadAsTheirDefaults) {
  const auto store_raw = [&](const std::string& text) {
    auto db = Database::open(project_dir() / Store::kDatabaseFile, false);
    db->prepare("UPDATE project SET settings = ? WHERE id = 1").bind_all(text).run();
  };
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  store_raw(R"({"lease_seconds":4294967297,"trigger_every":"often","audit_fraction":0.3,)"
            R"("proposal_threshold":7,"loop_enabled":"yes","strategy":["margin"],)"
            R"("model":{"arch":"fastestdet","input_size":100},"train":{"steps":300},)"
            R"("old_key":1,"junk":)" +
            deep + "}");
  const Json settings = store().settings();
  const Json defaults = default_settings();
  for (const char* key : {"lease_seconds", "trigger_every", "proposal_threshold", "model"}) {
    EXPECT_EQ(settings[key], defaults[key]) << key;
  }
  EXPECT_FALSE(settings.contains("loop_enabled"));  // no default: left out, read as absent
  EXPECT_FALSE(settings.contains("strategy"));
  EXPECT_FALSE(settings.contains("junk"));     // 100,000 deep: dropped while parsing
  EXPECT_EQ(settings["audit_fraction"], 0.3);  // valid values are kept as stored
  EXPECT_EQ(settings["train"]["steps"], 300);
  EXPECT_EQ(settings["old_key"], 1);  // unknown keys are left alone, as on write
  EXPECT_NO_THROW(validate_settings(settings));

  const StoredSettings read = read_stored_settings(R"({"lease_seconds":2,"junk":)" + deep + "}");
  ASSERT_EQ(read.problems.size(), 2u);
  EXPECT_NE(read.problems[0].find("'junk' nests deeper than 64 levels"), std::string::npos)
      << read.problems[0];
  EXPECT_NE(read.problems[1].find("lease_seconds"), std::string::npos) << read.problems[1];
  EXPECT_NE(read.problems[1].find("the default is used"), std::string::npos) << read.problems[1];
  // 64 levels are kept: as deep as a request body may be.
  const std::string deepest = std::string(63, '[') + std::string(63, ']');
  EXPECT_TRUE(read_stored_settings(R"({"x":)" + deepest + "}").problems.empty());

  // Not JSON, or not an object: every default.
  for (const char* text : {"{not json", "[1,2]", "null", ""}) {
    store_raw(text);
    EXPECT_EQ(store().settings(), settings_with_defaults(Json::object())) << text;
    EXPECT_EQ(read_stored_settings(text).problems.size(), 1u) << text;
  }

  // A change writes the repaired settings back.
  store_raw(R"({"lease_seconds":-5,"trigger_every":7})");
  store().update_settings(Json{{"audit_fraction", 0.2}});
  auto db = Database::open(project_dir() / Store::kDatabaseFile, false);
  auto select = db->prepare("SELECT settings FROM project WHERE id = 1");
  ASSERT_TRUE(select.step());
  const Json written = Json::parse(select.text(0));
  EXPECT_EQ(written["lease_seconds"], kDefaultLeaseSeconds);
  EXPECT_EQ(written["trigger_every"], 7);
  EXPECT_EQ(written["audit_fraction"], 0.2);
}

TEST_F(StoreTest, BadSettingsAreRejectedAndNothingChanges) {
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
  EXPECT_EQ(store().settings(), Store::open(project_dir())->settings());
  EXPECT_EQ(store().settings()["lease_seconds"], 300);
}

TEST_F(StoreTest, CategoriesGetIdsPositionsAndColoursInOrder) {
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

TEST_F(StoreTest, BadCategoriesAreRejected) {
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

TEST_F(StoreTest, CategoryCountsOnlyCountLabeledImages) {
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
