// SPDX-License-Identifier: MIT
// The data dir as a self-hoster meets it: owner-only permissions (item 13 of issue 10), and
// `peerchat restore`, which gives the restored database a new epoch that clients see in
// `ready` and GET /groups (item 15). The real binary, real files.
#include "support/binary_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <csignal>
#include <cstdio>
#include <fstream>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The permission bits of a file, as `ls -l` would show them (0600, 0700…); -1 when missing.
int mode_of(fs::path const& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

std::string octal(int mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

run_result restore(fs::path const& data, fs::path const& from) {
  return run_process({peerchat_binary(), "restore", "--data-dir", data.string(), "--from", from.string()}, "");
}

// The epoch of a `ready` frame, after hello.
std::string ready_epoch(binary_server& server, std::string const& token) {
  ws_client ws;
  if (!ws.connect(server.port())) return "connect failed: " + ws.error();
  auto ready = ws.hello(token);
  if (!ready) return "no ready: " + ws.last_frame().dump();
  return ready->value("epoch", "");
}

TEST(data_dir_test, TheDataDirAndTheDatabaseFilesAreForTheOwnerOnly) {
  temp_dir dir;
  auto data = dir.path() / "data";
  // An install made by an older peerchat: a world-readable dir and database.
  create_user_cli(data, "alice", "alice", password_for("alice"), true);
  fs::permissions(data, fs::perms(0755), fs::perm_options::replace);
  fs::permissions(data / "peerchat.db", fs::perms(0644), fs::perm_options::replace);

  binary_server server(data);
  ASSERT_TRUE(server.start()) << server.log();
  auto token = login(server, "alice");
  ASSERT_STATUS(server.http().post(test_server::api("/groups"), {{"name", "coaches"}}, token), 201);
  EXPECT_EQ(octal(mode_of(data)), "0700");
  for (auto name : {"peerchat.db", "peerchat.db-wal", "peerchat.db-shm"})
    EXPECT_EQ(octal(mode_of(data / name)), "0600") << name;

  auto copy = dir.path() / "backup.db";
  auto r = backup(data, copy);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(octal(mode_of(copy)), "0600") << "the backup holds everything the database does";
}

TEST(data_dir_test, ARestoredDatabaseHasANewEpochThatClientsSee) {
  temp_dir dir;
  auto data = dir.path() / "data";
  create_user_cli(data, "alice", "alice", password_for("alice"), true);
  auto copy = dir.path() / "backup.db";
  std::string before;
  std::int64_t group = 0;
  {
    binary_server server(data);
    ASSERT_TRUE(server.start()) << server.log();
    auto token = login(server, "alice");
    auto g = server.http().post(test_server::api("/groups"), {{"name", "coaches"}}, token);
    ASSERT_STATUS(g, 201);
    group = g.json()["id"].get<std::int64_t>();
    auto messages = test_server::api("/groups/" + std::to_string(group) + "/messages");
    ASSERT_STATUS(server.http().post(messages, {{"body", "in the backup"}, {"client_msg_id", "a"}}, token), 201);
    before = ready_epoch(server, token);
    ASSERT_EQ(before.size(), 32u) << before;
    auto groups = server.http().get(test_server::api("/groups"), token);
    ASSERT_STATUS(groups, 200);
    EXPECT_EQ(groups.json().value("epoch", ""), before) << groups;
    ASSERT_EQ(backup(data, copy).exit_code, 0);
    // After the backup the group moves on; the restore takes it back.
    ASSERT_STATUS(server.http().post(messages, {{"body", "after the backup"}, {"client_msg_id", "b"}}, token), 201);

    // Refused while the server runs, and nothing changed.
    auto refused = restore(data, copy);
    EXPECT_NE(refused.exit_code, 0) << refused.output;
    EXPECT_NE(refused.output.find("running"), std::string::npos) << refused.output;
    EXPECT_EQ(ready_epoch(server, token), before);
    server.signal(SIGTERM);
    ASSERT_TRUE(server.wait_exit(10s).has_value());
  }
  auto r = restore(data, copy);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(fs::exists(data / "peerchat.db-wal")) << "the old WAL would be replayed into the restored copy";
  EXPECT_EQ(octal(mode_of(data / "peerchat.db")), "0600");

  binary_server server(data);
  ASSERT_TRUE(server.start()) << server.log();
  auto token = login(server, "alice");
  auto after = ready_epoch(server, token);
  EXPECT_EQ(after.size(), 32u) << after;
  EXPECT_NE(after, before) << "a restored database must not keep the epoch of the one it replaced";
  auto groups = server.http().get(test_server::api("/groups"), token);
  ASSERT_STATUS(groups, 200);
  EXPECT_EQ(groups.json().value("epoch", ""), after) << groups;
  // The restored history is the backup's: the message sent after it is gone, its seq reused.
  auto list = groups.json()["groups"];
  ASSERT_EQ(list.size(), 1u) << groups;
  EXPECT_EQ(list[0]["last_seq"].get<std::int64_t>(), 2) << "member_joined and the first message";
  // A restart alone keeps the epoch.
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_exit(10s).has_value());
  binary_server again(data);
  ASSERT_TRUE(again.start()) << again.log();
  EXPECT_EQ(ready_epoch(again, login(again, "alice")), after);
}

TEST(data_dir_test, RestoreRefusesAFileThatIsNotADatabase) {
  temp_dir dir;
  auto data = dir.path() / "data";
  create_user_cli(data, "alice", "alice", password_for("alice"), true);
  auto junk = dir.path() / "junk.db";
  { std::ofstream(junk) << "this is not a database, but it is long enough to look like a file header at least"; }
  auto r = restore(data, junk);
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_FALSE(r.output.empty());
  // The data dir still works.
  binary_server server(data);
  ASSERT_TRUE(server.start()) << server.log();
  login(server, "alice");
}

}  // namespace
}  // namespace peerchat::test
