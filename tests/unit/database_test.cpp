// SPDX-License-Identifier: MIT
// The SQLite wrappers: connection settings, transactions, constraint errors, the reader pool.
#include "fixture.hpp"

namespace peerchat::unit {
namespace {

using store::database;

std::string pragma_text(database& db, std::string const& pragma) {
  auto& st = db.prepare("PRAGMA " + pragma);
  if (!st.step()) return "";
  auto v = st.text(0);
  st.reset();
  return v;
}

class Database : public store_fixture {};

TEST_F(Database, WriteConnectionUsesWalFullSyncAndForeignKeys) {
  database db(db_file(), database::mode::read_write);
  EXPECT_EQ(pragma_text(db, "journal_mode"), "wal");
  EXPECT_EQ(pragma_text(db, "synchronous"), "2");  // FULL: an acknowledged commit survives a power cut
  EXPECT_EQ(pragma_text(db, "foreign_keys"), "1");
  EXPECT_NE(pragma_text(db, "busy_timeout"), "0");
}

// Freed space is zeroed (an erased message body must not linger in the file), and the
// file is its owner's only, whatever the umask.
TEST_F(Database, ConnectionsZeroFreedSpaceAndTheFileIsOwnerOnly) {
  database db(db_file(), database::mode::read_write);
  EXPECT_EQ(pragma_text(db, "secure_delete"), "1");
  database ro(db_file(), database::mode::read_only);
  EXPECT_EQ(pragma_text(ro, "secure_delete"), "1");
  auto perms = std::filesystem::status(db_file()).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(Database, ReadOnlyConnectionRefusesWrites) {
  database db(db_file(), database::mode::read_only);
  EXPECT_EQ(pragma_text(db, "foreign_keys"), "1");
  EXPECT_THROW(db.exec("INSERT INTO groups (name, created_at) VALUES ('coaches', 1)"), store::sqlite_error);
}

TEST_F(Database, TransactionRollsBackUnlessCommitted) {
  writer().stop();  // this test writes through a connection of its own
  database db(db_file(), database::mode::read_write);
  {
    store::transaction tx(db);
    db.exec("INSERT INTO groups (name, created_at) VALUES ('dropped', 1)");
  }
  {
    store::transaction tx(db);
    db.exec("INSERT INTO groups (name, created_at) VALUES ('kept', 1)");
    tx.commit();
  }
  EXPECT_EQ(query_column("SELECT name FROM groups"), std::vector<std::string>{"kept"});
}

TEST_F(Database, UniqueViolationIsAConstraintError) {
  writer().stop();
  database db(db_file(), database::mode::read_write);
  db.exec("INSERT INTO users (username, display_name, password_hash, created_at) VALUES ('alice', 'A', 'x', 1)");
  try {
    db.exec("INSERT INTO users (username, display_name, password_hash, created_at) VALUES ('alice', 'B', 'x', 1)");
    FAIL() << "a duplicate username was inserted";
  } catch (store::sqlite_error const& e) {
    EXPECT_TRUE(e.is_constraint()) << e.what();
  }
}

TEST_F(Database, ForeignKeysAreEnforced) {
  writer().stop();
  database db(db_file(), database::mode::read_write);
  try {
    db.exec("INSERT INTO sessions (user_id, token_hash, created_at, expires_at) VALUES (4242, 'h', 1, 2)");
    FAIL() << "a session for a user that does not exist was inserted";
  } catch (store::sqlite_error const& e) {
    EXPECT_TRUE(e.is_constraint()) << e.what();
  }
}

TEST_F(Database, CachedStatementsAreResetAndRebound) {
  writer().stop();
  database db(db_file(), database::mode::read_write);
  db.exec("INSERT INTO groups (name, created_at) VALUES ('one', 1), ('two', 2)");
  auto name_of = [&](std::int64_t id) {
    auto& st = db.prepare("SELECT name FROM groups WHERE id = ?1").bind(1, id);
    return st.step() ? st.text(0) : std::string("<none>");
  };
  EXPECT_EQ(name_of(1), "one");
  EXPECT_EQ(name_of(2), "two");  // the same cached statement, left mid-result before
  EXPECT_EQ(name_of(3), "<none>");
}

TEST_F(Database, PooledReaderSeesLaterCommits) {
  exec("INSERT INTO groups (name, created_at) VALUES ('first', 1), ('second', 1)");
  // Leave a statement mid-result: the pool must still end its read transaction on check-in,
  // or this connection would keep reading the old snapshot.
  reader().with([](database& db) {
    auto& st = db.prepare("SELECT name FROM groups ORDER BY id");
    EXPECT_TRUE(st.step());
    return 0;
  });
  exec("INSERT INTO groups (name, created_at) VALUES ('third', 1)");
  EXPECT_EQ(query_int("SELECT count(*) FROM groups"), 3);
  auto names = reader().with([](database& db) {
    std::vector<std::string> out;
    auto& st = db.prepare("SELECT name FROM groups ORDER BY id");
    while (st.step()) out.push_back(st.text(0));
    return out;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"first", "second", "third"}));
}

}  // namespace
}  // namespace peerchat::unit
