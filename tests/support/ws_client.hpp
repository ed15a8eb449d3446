// SPDX-License-Identifier: MIT
// A synchronous WebSocket client for integration tests: every read has a deadline, a read
// that times out stays pending for the next call (no frame is lost), and a client that is
// simply not asked to read plays a slow consumer (nothing reads its socket in the meantime).
#pragma once
#include <nlohmann/json.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::test {

using json = nlohmann::json;

struct ws_options {
  std::string cookie;                   // Cookie header of the upgrade request
  std::optional<std::string> origin;    // Origin header of the upgrade request
  std::string target = "/api/v1/ws";
  std::chrono::milliseconds timeout = std::chrono::seconds(5);  // connect + upgrade
  int receive_buffer_bytes = 0;         // SO_RCVBUF before connecting (small: slow consumer)
};

// How a connection ended, as seen by the client.
struct ws_close {
  enum class outcome { open, closed, dropped };
  outcome how = outcome::open;  // open: still open when the deadline passed
  int code = 0;                 // the close frame's code when `closed`
  std::string reason;
  std::string error;            // the transport error when `dropped`
  std::size_t frames_skipped = 0;  // frames read (and discarded) before the end
};

// Thread safety: none; one thread uses a client. Each client owns its io_context.
class ws_client {
 public:
  ws_client();
  ~ws_client();
  ws_client(ws_client const&) = delete;
  ws_client& operator=(ws_client const&) = delete;

  // TCP connect and upgrade. False on failure; upgrade_status() then holds the HTTP status
  // of the refusal (0 when none arrived) and error() the reason.
  bool connect(std::uint16_t port, ws_options const& opts = {});
  int upgrade_status() const { return upgrade_status_; }
  std::string const& upgrade_body() const { return upgrade_body_; }
  std::string const& error() const { return error_; }

  // Sends hello (token and resume when given) and returns the `ready` frame; nullopt when
  // something else (an error frame, a close, the deadline) came first — see last_frame().
  std::optional<json> hello(std::string const& token = {}, json const& resume = nullptr,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));

  bool send_json(json const& frame, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool send_text(std::string_view text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool send_binary(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // The next text frame, or nullopt when none arrived in time or the connection ended.
  std::optional<std::string> read_text(std::chrono::milliseconds timeout);
  // The next frame parsed as JSON (a non-JSON frame fails the read with nullopt).
  std::optional<json> read_json(std::chrono::milliseconds timeout);
  // The first frame for which pred is true; frames before it are discarded. nullopt when
  // the deadline passes or the connection ends first.
  std::optional<json> read_until(std::function<bool(json const&)> const& pred,
                                 std::chrono::milliseconds timeout);
  // Sends {"type":"ping"} and returns every frame that arrived before the server's pong
  // (the pong itself is not included). The server answers one connection's frames in order,
  // so whatever it had queued for this client before it read the ping is in the result: the
  // proof that "nothing else arrived" that no fixed wait gives on a slow machine. nullopt when
  // the ping cannot be sent or no pong arrives in time (error() says which).
  std::optional<std::vector<json>> frames_before_pong(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Reads and discards frames until the connection ends or the deadline passes.
  ws_close read_close(std::chrono::milliseconds timeout);

  // Sends a WebSocket ping; the server's pongs are counted (pongs()) as frames are read.
  bool ping(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  int pongs() const;

  // Sends a close frame and waits (bounded) for the server's.
  void close(std::uint16_t code = 1000, std::chrono::milliseconds timeout = std::chrono::seconds(2));
  // Drops the TCP connection without a close handshake (a phone losing its network).
  void drop();

  bool is_open() const;
  ws_close const& end() const { return end_; }  // how it ended, once it has
  json const& last_frame() const { return last_frame_; }

 private:
  struct impl;
  // Starts a write with start(stream, handler), runs the client until it completes or the
  // deadline passes (then drops the connection). False with error() set when it failed.
  template <class Start>
  bool write_op(char const* what, std::chrono::milliseconds timeout, Start&& start);

  std::unique_ptr<impl> impl_;
  int upgrade_status_ = 0;
  std::string upgrade_body_;
  std::string error_;
  ws_close end_;
  json last_frame_;
};

// Predicates for read_until.
std::function<bool(json const&)> frame_type(std::string type);
std::function<bool(json const&)> event_kind(std::string kind, std::int64_t group_id = 0);

}  // namespace peerchat::test
