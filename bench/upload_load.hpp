// SPDX-License-Identifier: MIT
// --uploads-beside FILE: uploaders that post FILE as an attachment again and again while a
// scenario runs, so the chat's latency can be measured with uploads (issue 12: "uploads
// never slow the chat"). Each upload is a real one: streamed to disk, hashed, its type
// detected, an image decoded, stripped and thumbnailed on the server's media workers.
#pragma once
#include "setup.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace peerchat::bench {

struct upload_counts {
  std::uint64_t uploads = 0;   // answered 201
  std::uint64_t refused = 0;   // answered 4xx/5xx (429 when the media queue is full)
  std::uint64_t bytes = 0;     // bytes of the 201 ones
};

// Thread safety: start/stop/counts from one thread; the uploaders are its own threads.
class upload_load {
 public:
  // `uploaders` threads, each with its own connection, as the first member of groups 0, 1, …
  upload_load(setup_result const& setup, std::string host, std::uint16_t port,
              std::filesystem::path const& file, int uploaders);
  ~upload_load();
  void start();
  void stop();  // waits for the uploads in flight
  upload_counts counts() const;

 private:
  void run(int index);

  setup_result const& setup_;
  std::string host_;
  std::uint16_t port_;
  std::string bytes_;     // the file's content, sent as each upload's body
  std::string name_;      // its file name (X-Filename)
  int uploaders_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> uploads_{0}, refused_{0}, sent_bytes_{0};
  std::vector<std::thread> threads_;
};

}  // namespace peerchat::bench
