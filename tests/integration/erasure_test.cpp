// SPDX-License-Identifier: MIT
// "Deleting a message erases its body" holds on disk: within a minute of the delete no file
// of the data dir (the database, its WAL, its shared-memory index) holds the text any more,
// and a backup made after the delete never held it. The real binary, real files.
#include "support/binary_server.hpp"
#include "support/data_files.hpp"
#include "support/test_server.hpp"

#include <gtest/gtest.h>

namespace peerchat::test {
namespace {

using namespace std::chrono_literals;

std::string joined(std::vector<std::string> const& names) {
  std::string out;
  for (auto const& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class erasure_test : public alice_binary_test {};

TEST_F(erasure_test, ADeletedMessageLeavesEveryFileOfTheDataDirWithinAMinute) {

  // Lower case: the full-text index keeps words folded to lower case, and must lose it too.
  std::string const marker = "zqxsecretmarker" + std::to_string(::getpid());
  auto before = server.http().post(messages, {{"body", "before the secret"}, {"client_msg_id", "m0"}}, token);
  ASSERT_STATUS(before, 201);
  auto secret = server.http().post(messages, {{"body", "the code is " + marker + " ok"}, {"client_msg_id", "m1"}}, token);
  ASSERT_STATUS(secret, 201);
  auto after = server.http().post(messages, {{"body", "after the secret"}, {"client_msg_id", "m2"}}, token);
  ASSERT_STATUS(after, 201);
  auto seq = secret.json()["seq"].get<std::int64_t>();
  // Searchable (so the index held it) and on disk, before the delete.
  auto found = server.http().get(test_server::api("/search?q=" + marker), token);
  ASSERT_STATUS(found, 200);
  ASSERT_EQ(found.json()["results"].size(), 1u) << found;
  ASSERT_FALSE(files_containing(data, marker).empty()) << "the test's scan finds nothing even before the delete";

  ASSERT_STATUS(server.http().del(messages + "/" + std::to_string(seq), token), 204);
  bool gone = wait_until([&] { return files_containing(data, marker).empty(); }, 60s, 200ms);
  EXPECT_TRUE(gone) << "a minute after the delete the text is still in: " << joined(files_containing(data, marker));
  // The server still works on what is left.
  EXPECT_STATUS(server.http().post(messages, {{"body", "still here"}, {"client_msg_id", "m3"}}, token), 201);
  auto search = server.http().get(test_server::api("/search?q=" + marker), token);
  ASSERT_STATUS(search, 200);
  EXPECT_TRUE(search.json()["results"].empty()) << search;

  // A backup made after the delete never holds the text, whatever the WAL still did.
  auto copy = dir.path() / "after-delete.db";
  auto r = backup(data, copy);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(file_contains(copy, marker)) << "the backup made after the delete holds the deleted text";
}

TEST_F(erasure_test, ABackupMadeRightAfterADeleteDoesNotHoldTheText) {
  std::string const marker = "zqxbackupmarker" + std::to_string(::getpid());
  for (int i = 0; i < 20; ++i)
    ASSERT_STATUS(server.http().post(messages, {{"body", "filler " + std::to_string(i)}, {"client_msg_id", "f" + std::to_string(i)}}, token), 201);
  auto secret = server.http().post(messages, {{"body", marker}, {"client_msg_id", "s"}}, token);
  ASSERT_STATUS(secret, 201);
  ASSERT_STATUS(server.http().del(messages + "/" + std::to_string(secret.json()["seq"].get<std::int64_t>()), token), 204);
  // At once, before any checkpoint: the backup reads the current pages, WAL included.
  auto copy = dir.path() / "right-after.db";
  auto r = backup(data, copy);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(file_contains(copy, marker)) << "the backup holds the deleted text";
}

}  // namespace
}  // namespace peerchat::test
