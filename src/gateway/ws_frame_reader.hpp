// SPDX-License-Identifier: MIT
// Reads the frames a WebSocket client sends (RFC 6455 section 5), on the server's side.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace peerchat::gateway {

// One whole thing read from the client.
struct ws_incoming {
  enum class kind {
    text,       // a text message, whole and valid UTF-8 (fragments joined)
    binary,     // a binary message, whole
    ping,       // answer with a pong carrying `payload`
    pong,       // nothing to do
    close,      // the client closes: `code` (1005 when it gave none) and `payload`, its reason
    violation,  // the client broke the protocol: close with `code` (1002, 1007 or 1009), `payload` says why
  };
  kind what = kind::text;
  std::string_view payload;  // valid until the next call to next()
  std::uint16_t code = 0;
};

// Beast's websocket::stream kept, per idle connection, a 1536-byte read buffer and about 3 KiB
// of state, and each read parked a buffer of ours too (issue 15: S3 at 8.9 KiB per idle
// connection). This reader is fed whatever bytes arrived and holds only the frame header it
// is in the middle of and the message it is assembling; between messages it owns no memory
// beyond its own size once release_memory() was called.
//
// Enforced as Beast did: frames are masked, RSV bits are 0 (no extension is negotiated), a
// payload length is in its shortest encoding, the opcode is known, control frames are whole
// and at most 125 bytes, continuation frames follow a data frame (all 1002), a message is at
// most `max_message_bytes` (1009), text and close reasons are valid UTF-8 (1007), a close
// code is one a peer may send (1002).
//
// Thread safety: none (one per connection, used on its strand).
class ws_frame_reader {
 public:
  explicit ws_frame_reader(std::size_t max_message_bytes) : max_message_(max_message_bytes) {}

  // Takes bytes from the front of `in` (advancing it) until one message or control frame is
  // whole, and returns it; nullopt when `in` ran out first. After a close or a violation it
  // takes nothing more and returns nullopt.
  std::optional<ws_incoming> next(std::span<const std::uint8_t>& in);

  // No frame or message is partly read.
  bool between_messages() const noexcept { return state_ == state::header && header_size_ == 0 && !in_message_; }
  // Gives back the last message's memory; call when between messages.
  void release_memory() { message_ = std::string(); }
  // A close or a violation was returned: the client may send nothing more.
  bool done() const noexcept { return state_ == state::done; }

 private:
  enum class state { header, payload, done };
  // Parses header_ once it holds a whole header; nullopt when more bytes are needed, a
  // violation when the header breaks a rule.
  std::optional<ws_incoming> parse_header();
  // The frame's payload is all in: the message or control frame it completes, if any.
  std::optional<ws_incoming> finish_frame();
  ws_incoming violation(std::uint16_t code, std::string_view why);
  // Moves bytes from `in` into header_ until it holds `want`; false when `in` ran out first.
  bool read_header_bytes(std::span<const std::uint8_t>& in, std::size_t want);
  std::size_t header_length() const noexcept;

  std::size_t max_message_;
  state state_ = state::header;
  std::array<std::uint8_t, 14> header_{};  // the longest header: 2 + 8 (length) + 4 (mask)
  std::size_t header_size_ = 0;            // bytes of header_ read so far
  // The current frame.
  std::uint8_t opcode_ = 0;
  bool fin_ = false;
  std::array<std::uint8_t, 4> mask_{};
  std::uint64_t remaining_ = 0;   // payload bytes still to read
  std::uint64_t unmasked_ = 0;    // payload bytes read so far (the mask's phase)
  // The message being assembled (data frames) and the control frame being read.
  bool in_message_ = false;
  bool message_is_text_ = false;
  std::string message_;
  std::array<std::uint8_t, 125> control_{};
  std::size_t control_size_ = 0;
  std::string violation_reason_;
};

}  // namespace peerchat::gateway
