// SPDX-License-Identifier: MIT
// The admin CLI and the server's start-up errors, as a self-hoster meets them.
#include "support/binary_server.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>
#include <csignal>
#include <sqlite3.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

run_result create_user(std::filesystem::path const& data, std::string const& username, std::string const& password_line) {
  return run_process({peerchat_binary(), "admin", "create-user", "--data-dir", data.string(), "--username", username,
                      "--password-stdin"},
                     password_line);
}

TEST(cli_test, CreateUserWorksWhileTheServerRuns) {
  test_server srv;
  srv.create_user("alice", true);
  srv.start();
  auto r = create_user(srv.data_dir(), "bob", "bob-password-1\n");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // One trailing newline is not part of the password.
  auto login = srv.http().post(test_server::api("/sessions"), {{"username", "bob"}, {"password", "bob-password-1"}});
  ASSERT_STATUS(login, 201);
  EXPECT_EQ(login.json()["user"].value("is_admin", true), false);
  auto me = srv.http().get(test_server::api("/me"), login.json()["token"].get<std::string>());
  EXPECT_STATUS(me, 200);
}

// A forgotten password on a server whose only admin is the one locked out: the self-hoster
// runs `peerchat admin reset-link` beside the running server and hands the link over.
TEST(cli_test, ResetLinkWorksWhileTheServerRunsAndOnlyOnce) {
  test_server srv;
  srv.create_user("alice", true);
  srv.start();
  auto old_token = srv.token("alice");
  auto r = run_process({peerchat_binary(), "admin", "reset-link", "--data-dir", srv.data_dir().string(), "--username",
                        "alice", "--public-url", "https://chat.example.org"},
                       "");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto at = r.output.find("https://chat.example.org/reset/");
  ASSERT_NE(at, std::string::npos) << r.output;
  auto code_start = at + std::string("https://chat.example.org/reset/").size();
  auto code = r.output.substr(code_start, r.output.find_first_of(" \n", code_start) - code_start);
  ASSERT_FALSE(code.empty()) << r.output;

  auto used = srv.http().post(test_server::api("/account/reset/" + code), {{"new_password", "a-brand-new-password"}});
  ASSERT_STATUS(used, 201);
  EXPECT_EQ(used.json()["user"].value("username", ""), "alice");
  EXPECT_ERROR(srv.http().get(test_server::api("/me"), old_token), 401, "unauthorized");  // every old session ended
  auto login = srv.http().post(test_server::api("/sessions"), {{"username", "alice"}, {"password", "a-brand-new-password"}});
  EXPECT_STATUS(login, 201);
  auto again = srv.http().post(test_server::api("/account/reset/" + code), {{"new_password", "yet-another-password"}});
  EXPECT_EQ(again.status, 404) << "one use only: " << again;

  auto nobody = run_process({peerchat_binary(), "admin", "reset-link", "--data-dir", srv.data_dir().string(), "--username",
                             "nobody"},
                            "");
  EXPECT_NE(nobody.exit_code, 0);
  EXPECT_NE(nobody.output.find("no user named"), std::string::npos) << nobody.output;
}

TEST(cli_test, CreateUserRefusesBadInputWithANonZeroExit) {
  temp_dir dir;
  ASSERT_EQ(create_user(dir.path(), "alice", "alice-password-1\n").exit_code, 0);
  auto duplicate = create_user(dir.path(), "alice", "another-password\n");
  EXPECT_NE(duplicate.exit_code, 0) << duplicate.output;
  EXPECT_FALSE(duplicate.output.empty()) << "a failure says why";
  auto short_password = create_user(dir.path(), "bob", "short\n");
  EXPECT_NE(short_password.exit_code, 0) << short_password.output;
  auto bad_name = create_user(dir.path(), "Bad Name", "bad-name-password\n");
  EXPECT_NE(bad_name.exit_code, 0) << bad_name.output;
  auto no_password = create_user(dir.path(), "carol", "");
  EXPECT_NE(no_password.exit_code, 0) << no_password.output;
}

TEST(cli_test, APortInUseIsOneClearLineAndANonZeroExit) {
  test_server srv;
  srv.start();
  temp_dir dir;
  binary_server server(dir.path() / "data");
  server.spawn(srv.port());
  auto code = server.wait_exit(10s);
  ASSERT_TRUE(code.has_value()) << "the server kept running on a port in use";
  EXPECT_NE(*code, 0);
  EXPECT_NE(server.log().find(std::to_string(srv.port())), std::string::npos) << server.log();
}

TEST(cli_test, ADatabaseFromANewerVersionIsRefused) {
  temp_dir dir;
  ASSERT_EQ(create_user(dir.path(), "alice", "alice-password-1\n").exit_code, 0);
  // Pretend a newer peerchat migrated this database.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "peerchat.db").c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA user_version=9999;", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  binary_server server(dir.path());
  server.spawn(free_port());
  auto code = server.wait_exit(10s);
  ASSERT_TRUE(code.has_value()) << "the server started on a database from the future";
  EXPECT_NE(*code, 0);
  EXPECT_FALSE(server.log().empty());
}

TEST(cli_test, HelpIsPrinted) {
  auto r = run_process({peerchat_binary(), "serve", "--help"}, "");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("--data-dir"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace peerchat::test
