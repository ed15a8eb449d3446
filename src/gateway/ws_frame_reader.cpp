// SPDX-License-Identifier: MIT
// The client frame reader (RFC 6455 section 5.2 framing, 5.5 control frames, 7.4 close codes).
#include "ws_frame_reader.hpp"
#include "peerchat/core/text.hpp"
#include <algorithm>

namespace peerchat::gateway {

namespace {
constexpr std::uint8_t op_continuation = 0x0, op_text = 0x1, op_binary = 0x2, op_close = 0x8, op_ping = 0x9,
                       op_pong = 0xA;
constexpr std::uint16_t protocol_error = 1002, bad_payload = 1007, too_big = 1009;

// The codes a peer may put in a close frame (RFC 6455 section 7.4, as Beast checks them).
bool valid_close_code(std::uint16_t code) {
  if (code >= 3000 && code <= 4999) return true;
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1013);
}
}  // namespace

std::size_t ws_frame_reader::header_length() const noexcept {
  std::uint8_t len7 = header_[1] & 0x7f;
  std::size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
  return 2 + extended + 4;  // every client frame carries a 4-byte mask (checked at 2 bytes)
}

bool ws_frame_reader::read_header_bytes(std::span<const std::uint8_t>& in, std::size_t want) {
  if (header_size_ >= want) return true;
  std::size_t take = std::min(want - header_size_, in.size());
  std::copy_n(in.begin(), take, header_.begin() + static_cast<std::ptrdiff_t>(header_size_));
  header_size_ += take;
  in = in.subspan(take);
  return header_size_ == want;
}

ws_incoming ws_frame_reader::violation(std::uint16_t code, std::string_view why) {
  state_ = state::done;
  violation_reason_ = why;
  return ws_incoming{ws_incoming::kind::violation, violation_reason_, code};
}

std::optional<ws_incoming> ws_frame_reader::next(std::span<const std::uint8_t>& in) {
  while (state_ != state::done) {
    if (state_ == state::header) {
      // The first two bytes say how long the header is; the rest of it follows.
      if (!read_header_bytes(in, 2)) return std::nullopt;
      if (!(header_[1] & 0x80)) return violation(protocol_error, "client frames must be masked");
      if (!read_header_bytes(in, header_length())) return std::nullopt;
      if (auto bad = parse_header()) return bad;
    }
    // The payload, unmasked as it arrives, into the message or the control frame.
    auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
    bool control = (opcode_ & 0x8) != 0;
    std::uint8_t* out;
    if (control) {
      out = control_.data() + control_size_;
      control_size_ += take;
    } else {
      std::size_t at = message_.size();
      message_.resize(at + take);
      out = reinterpret_cast<std::uint8_t*>(message_.data() + at);
    }
    for (std::size_t i = 0; i < take; ++i) out[i] = in[i] ^ mask_[(unmasked_ + i) & 3];
    unmasked_ += take;
    remaining_ -= take;
    in = in.subspan(take);
    if (remaining_ > 0) return std::nullopt;  // `in` ran out within the payload
    state_ = state::header;
    header_size_ = 0;
    if (auto done = finish_frame()) return done;
  }
  return std::nullopt;
}

std::optional<ws_incoming> ws_frame_reader::parse_header() {
  std::uint8_t b0 = header_[0], b1 = header_[1];
  fin_ = (b0 & 0x80) != 0;
  opcode_ = b0 & 0x0f;
  if (b0 & 0x70) return violation(protocol_error, "reserved bits set (no extension was negotiated)");
  std::uint64_t length = b1 & 0x7f;
  std::size_t at = 2;
  if (length == 126) {
    length = (std::uint64_t{header_[2]} << 8) | header_[3];
    at = 4;
    if (length < 126) return violation(protocol_error, "a payload length not in its shortest form");
  } else if (length == 127) {
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | header_[2 + i];
    at = 10;
    if (length >> 63) return violation(protocol_error, "a payload length with its top bit set");
    if (length < 65536) return violation(protocol_error, "a payload length not in its shortest form");
  }
  std::copy_n(header_.begin() + static_cast<std::ptrdiff_t>(at), 4, mask_.begin());

  if (opcode_ & 0x8) {
    if (opcode_ != op_close && opcode_ != op_ping && opcode_ != op_pong)
      return violation(protocol_error, "unknown control opcode");
    if (!fin_) return violation(protocol_error, "a fragmented control frame");
    if (length > control_.size()) return violation(protocol_error, "a control frame over 125 bytes");
    control_size_ = 0;
  } else {
    if (opcode_ == op_continuation) {
      if (!in_message_) return violation(protocol_error, "a continuation frame without a message");
    } else if (opcode_ == op_text || opcode_ == op_binary) {
      if (in_message_) return violation(protocol_error, "a new message before the last one ended");
      in_message_ = true;
      message_is_text_ = opcode_ == op_text;
      message_.clear();  // the previous message was returned by an earlier call
    } else {
      return violation(protocol_error, "unknown data opcode");
    }
    // No reserve() for the declared length: memory follows the bytes that actually arrive, so a
    // bare header cannot make an idle connection hold max_message_ bytes.
    if (length > max_message_ - message_.size()) return violation(too_big, "message too big");
  }
  remaining_ = length;
  unmasked_ = 0;
  state_ = state::payload;
  return std::nullopt;
}

std::optional<ws_incoming> ws_frame_reader::finish_frame() {
  std::string_view control(reinterpret_cast<char const*>(control_.data()), control_size_);
  switch (opcode_) {
    case op_ping:
      return ws_incoming{ws_incoming::kind::ping, control, 0};
    case op_pong:
      return ws_incoming{ws_incoming::kind::pong, control, 0};
    case op_close: {
      if (control.empty()) {
        state_ = state::done;
        return ws_incoming{ws_incoming::kind::close, {}, 1005};
      }
      if (control.size() == 1) return violation(protocol_error, "a close frame with a one-byte payload");
      auto code = static_cast<std::uint16_t>((control_[0] << 8) | control_[1]);
      if (!valid_close_code(code)) return violation(protocol_error, "a close code a peer may not send");
      auto reason = control.substr(2);
      if (!text::valid_utf8(reason)) return violation(bad_payload, "a close reason that is not valid UTF-8");
      state_ = state::done;
      return ws_incoming{ws_incoming::kind::close, reason, code};
    }
    default:
      break;
  }
  if (!fin_) return std::nullopt;  // more fragments follow
  in_message_ = false;
  if (message_is_text_ && !text::valid_utf8(message_)) return violation(bad_payload, "text that is not valid UTF-8");
  return ws_incoming{message_is_text_ ? ws_incoming::kind::text : ws_incoming::kind::binary, message_, 0};
}

}  // namespace peerchat::gateway
