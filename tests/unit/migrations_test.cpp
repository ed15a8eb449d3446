// SPDX-License-Identifier: MIT
// Schema migrations: a fresh file reaches the latest version, a second run changes nothing,
// and a database from a newer peerchat is refused before anything is touched.
#include "fixture.hpp"
#include "peerchat/store/meta.hpp"

namespace peerchat::unit {
namespace {

using store::database;

int user_version(database& db) {
  auto& st = db.prepare("PRAGMA user_version");
  st.step();
  int v = static_cast<int>(st.int64(0));
  st.reset();
  return v;
}

// Every schema object with its SQL, in a stable order: two equal snapshots mean an
// identical schema.
std::vector<std::string> schema_of(database& db) {
  std::vector<std::string> out;
  auto& st = db.prepare("SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name");
  while (st.step()) out.push_back(st.text(0));
  return out;
}

bool has_table(database& db, std::string_view name) {
  auto& st = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1").bind(1, name);
  bool found = st.step();
  st.reset();
  return found;
}

class Migrations : public ::testing::Test {
 protected:
  temp_dir dir;
  fs::path file = dir.path() / "peerchat.db";
};

TEST_F(Migrations, LatestVersionIsTheHighestEmbeddedMigration) {
  EXPECT_GE(store::latest_schema_version(), 1);
}

TEST_F(Migrations, FreshDatabaseReachesTheLatestVersion) {
  database db(file, database::mode::read_write);
  EXPECT_EQ(user_version(db), 0);
  store::migrate(db);
  EXPECT_EQ(user_version(db), store::latest_schema_version());
  for (auto table : {"users", "sessions", "groups", "memberships", "invites", "events", "messages", "reactions",
                     "messages_fts"})
    EXPECT_TRUE(has_table(db, table)) << table;
}

TEST_F(Migrations, MigratingTwiceIsANoOp) {
  database db(file, database::mode::read_write);
  store::migrate(db);
  db.exec("INSERT INTO users (username, display_name, password_hash, created_at) VALUES ('alice', 'Alice', 'x', 1)");
  db.exec("INSERT INTO groups (name, created_at) VALUES ('coaches', 1)");
  auto schema_before = schema_of(db);

  store::migrate(db);

  EXPECT_EQ(user_version(db), store::latest_schema_version());
  EXPECT_EQ(schema_of(db), schema_before);
  auto& users = db.prepare("SELECT username FROM users");
  ASSERT_TRUE(users.step());
  EXPECT_EQ(users.text(0), "alice");
  EXPECT_FALSE(users.step());
  auto& groups = db.prepare("SELECT count(*) FROM groups WHERE name = 'coaches'");
  ASSERT_TRUE(groups.step());
  EXPECT_EQ(groups.int64(0), 1);
}

TEST_F(Migrations, ReopeningAMigratedFileIsANoOp) {
  {
    database db(file, database::mode::read_write);
    store::migrate(db);
    db.exec("INSERT INTO users (username, display_name, password_hash, created_at) VALUES ('bob', 'Bob', 'x', 1)");
  }
  database db(file, database::mode::read_write);
  auto schema_before = schema_of(db);
  store::migrate(db);
  EXPECT_EQ(schema_of(db), schema_before);
  auto& st = db.prepare("SELECT count(*) FROM users");
  st.step();
  EXPECT_EQ(st.int64(0), 1);
}

TEST_F(Migrations, RefusesADatabaseFromANewerPeerchat) {
  database db(file, database::mode::read_write);
  int newer = store::latest_schema_version() + 1;
  db.exec("PRAGMA user_version = " + std::to_string(newer));

  try {
    store::migrate(db);
    FAIL() << "migrate accepted a database of schema version " << newer;
  } catch (std::runtime_error const& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("newer"), std::string::npos) << what;
    EXPECT_NE(what.find(std::to_string(newer)), std::string::npos) << what;
  }
  // Nothing was touched: the version stands and no table was created.
  EXPECT_EQ(user_version(db), newer);
  EXPECT_FALSE(has_table(db, "users"));
}

// Migration 0003: every database gets an epoch, 128 random bits in hex, and a restore makes
// a new one (store::renew_epoch); two databases never share one.
TEST_F(Migrations, EachDatabaseHasARandomEpochThatARestoreRenews) {
  database db(file, database::mode::read_write);
  store::migrate(db);
  auto epoch = store::read_epoch(db);
  ASSERT_EQ(epoch.size(), 32u) << epoch;
  EXPECT_EQ(epoch.find_first_not_of("0123456789abcdef"), std::string::npos) << epoch;
  store::migrate(db);
  EXPECT_EQ(store::read_epoch(db), epoch) << "running the migrations again keeps it";

  database other(dir.path() / "other.db", database::mode::read_write);
  store::migrate(other);
  EXPECT_NE(store::read_epoch(other), epoch);

  auto renewed = store::renew_epoch(db);
  EXPECT_NE(renewed, epoch);
  EXPECT_EQ(renewed.size(), 32u);
  EXPECT_EQ(store::read_epoch(db), renewed);
  auto& rows = db.prepare("SELECT count(*) FROM meta WHERE key = 'epoch'");
  rows.step();
  EXPECT_EQ(rows.int64(0), 1) << "one epoch row, replaced";
  rows.reset();
}

// Migration 0003: the full-text index removes a deleted message's entries from its segments
// (FTS5 secure-delete, SQLite >= 3.42), and erasing a body is counted for the checkpointer.
TEST_F(Migrations, TheSearchIndexErasesForGoodAndErasuresAreCounted) {
  database db(file, database::mode::read_write);
  store::migrate(db);
  auto& cfg = db.prepare("SELECT v FROM messages_fts_config WHERE k = 'secure-delete'");
  ASSERT_TRUE(cfg.step()) << "secure-delete is not set on messages_fts";
  EXPECT_EQ(cfg.int64(0), 1);
  cfg.reset();
  auto count = [&] {
    auto& st = db.prepare("SELECT count FROM erasures WHERE id = 1");
    st.step();
    auto n = st.int64(0);
    st.reset();
    return n;
  };
  EXPECT_EQ(count(), 0);
  db.exec("INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES (1, 'alice', 'A', 'x', 0);"
          "INSERT INTO groups (id, name, created_at) VALUES (1, 'g', 0);"
          "INSERT INTO messages (id, group_id, seq, sender_id, client_msg_id, body, created_at) VALUES (1, 1, 1, 1, 'a', 'hello', 0);"
          "INSERT INTO messages (id, group_id, seq, sender_id, client_msg_id, body, created_at) VALUES (2, 1, 2, 1, 'b', 'world', 0);");
  db.exec("UPDATE messages SET body = 'edited' WHERE id = 1");
  EXPECT_EQ(count(), 0) << "an edit erases nothing the delete would not";
  db.exec("UPDATE messages SET body = NULL, deleted = 1 WHERE id = 1");
  EXPECT_EQ(count(), 1);
  db.exec("DELETE FROM messages WHERE id = 2");
  EXPECT_EQ(count(), 2);
}

}  // namespace
}  // namespace peerchat::unit
