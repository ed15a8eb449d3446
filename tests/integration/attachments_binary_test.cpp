// SPDX-License-Identifier: MIT
// Attachments with the real `peerchat` binary (issue 12): a 25 MiB upload is streamed to disk
// (the server's resident memory does not grow by the file's size), and `peerchat backup` /
// `peerchat restore` bring a file back byte for byte with its message.
#include "support/binary_server.hpp"
#include <gtest/gtest.h>
#include <fstream>
#include <csignal>
#include <cstring>
#include <random>

namespace peerchat::test {
namespace {

// VmRSS of a process in KiB (Linux /proc), 0 when unreadable.
std::int64_t rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
  return 0;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    auto v = rng();
    std::memcpy(s.data() + i, &v, 8);
  }
  return s;
}

class attachments_binary : public alice_binary_test {
 protected:
  http_response upload(std::string const& name, std::string bytes) {
    request_options o;
    o.token = token;
    o.timeout = std::chrono::seconds(60);
    o.headers = {{"X-Filename", name}, {"Content-Type", "application/octet-stream"}};
    return server.http().request_raw(http::verb::post,
                                     test_server::api("/groups/" + std::to_string(group) + "/attachments"),
                                     std::move(bytes), o);
  }
};

TEST_F(attachments_binary, a_25_mib_upload_is_streamed_not_held_in_memory) {
  std::string file = random_bytes(25u << 20, 7);  // a download type: stored as sent
  // Warm up the paths an upload takes (worker threads, first allocations) with a small one.
  ASSERT_EQ(upload("warm.bin", random_bytes(64 << 10, 1)).status, 201);
  std::int64_t before = rss_kib(server.pid());
  ASSERT_GT(before, 0);
  auto up = upload("big.bin", file);
  ASSERT_EQ(up.status, 201) << up;
  EXPECT_EQ(up.json().at("size"), file.size());
  std::int64_t after = rss_kib(server.pid());
  // 25 MiB held anywhere (a body string, a copy for hashing) would show as ≥ 25 600 KiB.
  EXPECT_LT(after - before, 8 * 1024) << "RSS " << before << " KiB → " << after << " KiB";
  auto got = server.http().get(test_server::api("/attachments/" + up.json().at("id").get<std::string>()), token);
  ASSERT_EQ(got.status, 200);
  EXPECT_TRUE(got.body == file) << "the download differs from the upload";
}

TEST_F(attachments_binary, backup_and_restore_bring_the_files_back) {
  std::string file = random_bytes(300 << 10, 11);
  auto up = upload("plan.bin", file);
  ASSERT_EQ(up.status, 201) << up;
  std::string id = up.json().at("id");
  auto sent = server.http().post(messages, {{"client_msg_id", "with-file"}, {"attachments", {id}}}, token);
  ASSERT_EQ(sent.status, 201) << sent;

  auto archive = dir.path() / "backup.tar";
  auto b = backup(data, archive);
  ASSERT_EQ(b.exit_code, 0) << b.output;
  server.signal(SIGTERM);
  ASSERT_TRUE(server.wait_exit(std::chrono::seconds(20)).has_value());

  auto restored = dir.path() / "restored";
  auto r = run_process({peerchat_binary(), "restore", "--data-dir", restored.string(), "--from", archive.string()}, "");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  binary_server again(restored);
  ASSERT_TRUE(again.start()) << again.log();
  std::string t = login(again, "alice");
  auto got = again.http().get(test_server::api("/attachments/" + id), t);
  ASSERT_EQ(got.status, 200) << got;
  EXPECT_TRUE(got.body == file) << "the restored file differs";
  auto history = again.http().get(messages, t);
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(history.json().at("messages")[0].at("attachments")[0].at("id"), id);
}

}  // namespace
}  // namespace peerchat::test
