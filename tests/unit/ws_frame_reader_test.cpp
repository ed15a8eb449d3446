// SPDX-License-Identifier: MIT
// The reader of the frames a WebSocket client sends (src/gateway/ws_frame_reader): examples of
// each rule it enforces; tests/fuzz/ws_frame_fuzzer.cpp throws everything else at it.
#include "gateway/ws_frame_reader.hpp"
#include <gtest/gtest.h>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::unit {
namespace {

using gateway::ws_frame_reader;
using gateway::ws_incoming;
using kind = ws_incoming::kind;
using bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t op_continuation = 0x0, op_text = 0x1, op_binary = 0x2, op_close = 0x8, op_ping = 0x9,
                       op_pong = 0xA;

struct frame_options {
  bool fin = true;
  bool masked = true;
  std::uint8_t rsv = 0;                            // the three RSV bits, 0..7
  int length_form = 0;                             // 126 or 127: that encoding, even if longer
  std::optional<std::uint64_t> declared_length{};  // a 64-bit length field saying this instead
};

// A client frame: FIN, RSV, opcode, the shortest length encoding (or the one asked for, or a
// 64-bit one declaring `declared_length`), the mask key and the masked payload.
bytes frame(std::uint8_t opcode, std::string_view payload, frame_options o = {}) {
  bytes out;
  out.push_back(static_cast<std::uint8_t>((o.fin ? 0x80 : 0) | (o.rsv << 4) | opcode));
  std::uint8_t mask_bit = o.masked ? 0x80 : 0;
  std::uint64_t n = payload.size();
  if (o.declared_length) {
    out.push_back(mask_bit | 127);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(*o.declared_length >> (8 * i)));
  } else if (n < 126 && o.length_form == 0) {
    out.push_back(static_cast<std::uint8_t>(mask_bit | n));
  } else if (n <= 0xffff && o.length_form != 127) {
    out.push_back(mask_bit | 126);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(mask_bit | 127);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  }
  constexpr std::uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (o.masked) out.insert(out.end(), key, key + 4);
  for (std::size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<std::uint8_t>(payload[i]) ^ (o.masked ? key[i % 4] : 0));
  return out;
}

bytes operator+(bytes a, bytes const& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  return p.append(reason);
}

// What next() returned, copied out of the reader.
struct got {
  kind what;
  std::string payload;
  std::uint16_t code;
  bool operator==(got const&) const = default;
};

std::ostream& operator<<(std::ostream& os, got const& g) {
  return os << "{kind " << static_cast<int>(g.what) << ", \"" << g.payload << "\", " << g.code << "}";
}

got copy(ws_incoming const& in) { return {in.what, std::string(in.payload), in.code}; }

// Feeds `input` to `r` in chunks of `chunk` bytes and returns all it gave back, checking on the
// way that next() stops only when the chunk ran out or the reader is done.
std::vector<got> read_all(ws_frame_reader& r, bytes const& input, std::size_t chunk = SIZE_MAX) {
  std::vector<got> out;
  std::span<const std::uint8_t> all(input);
  while (!all.empty()) {
    auto in = all.first(std::min(chunk, all.size()));
    all = all.subspan(in.size());
    while (auto m = r.next(in)) out.push_back(copy(*m));
    EXPECT_TRUE(in.empty() || r.done()) << in.size() << " bytes left unread";
    if (r.done()) break;
  }
  return out;
}

std::vector<got> read_all(bytes const& input, std::size_t max = 4096, std::size_t chunk = SIZE_MAX) {
  ws_frame_reader r(max);
  return read_all(r, input, chunk);
}

// The one thing `input` gives, or a failure.
got read_one(bytes const& input, std::size_t max = 4096) {
  auto all = read_all(input, max);
  EXPECT_EQ(all.size(), 1u);
  return all.empty() ? got{kind::pong, "(nothing)", 0} : all.front();
}

std::uint16_t violation_code(bytes const& input, std::size_t max = 4096) {
  ws_frame_reader r(max);
  auto all = read_all(r, input);
  EXPECT_TRUE(r.done());
  if (all.empty() || all.back().what != kind::violation) {
    ADD_FAILURE() << "no violation";
    return 0;
  }
  EXPECT_FALSE(all.back().payload.empty()) << "a violation says why";
  return all.back().code;
}

TEST(WsFrameReader, AMaskedTextFrameComesOutUnmasked) {
  EXPECT_EQ(read_one(frame(op_text, "Hello")), (got{kind::text, "Hello", 0}));
}

TEST(WsFrameReader, ReadsThe16BitAndThe64BitLengthEncodings) {
  std::string medium(200, 'm'), large(70'000, 'L');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>('a' + i % 26);
  EXPECT_EQ(read_one(frame(op_text, medium)), (got{kind::text, medium, 0}));
  EXPECT_EQ(read_one(frame(op_binary, large), 100'000), (got{kind::binary, large, 0}));
  EXPECT_EQ(frame(op_text, medium)[1], 0x80 | 126);
  EXPECT_EQ(frame(op_binary, large)[1], 0x80 | 127);
}

TEST(WsFrameReader, ALengthNotInItsShortestEncodingIsAProtocolError) {
  EXPECT_EQ(violation_code(frame(op_text, "short", {.length_form = 126})), 1002);
  EXPECT_EQ(violation_code(frame(op_text, std::string(125, 'x'), {.length_form = 126})), 1002);
  EXPECT_EQ(violation_code(frame(op_text, "short", {.length_form = 127})), 1002);
  EXPECT_EQ(violation_code(frame(op_binary, std::string(65'535, 'x'), {.length_form = 127}), 100'000), 1002);
  EXPECT_EQ(violation_code(frame(op_ping, "p", {.length_form = 126})), 1002);
  // The shortest forms themselves, at their edges.
  EXPECT_EQ(read_one(frame(op_text, std::string(126, 'x'), {.length_form = 126})).what, kind::text);
  EXPECT_EQ(read_one(frame(op_binary, std::string(65'536, 'x'), {.length_form = 127}), 100'000).what, kind::binary);
}

TEST(WsFrameReader, BytesFedOneAtATimeGiveTheSameAsAllAtOnce) {
  std::string big(300, 'b');
  bytes input = frame(op_text, "first") + frame(op_text, "sec", {.fin = false}) + frame(op_ping, "p") +
                frame(op_continuation, "ond") + frame(op_binary, big) + frame(op_pong, "") +
                frame(op_close, close_payload(1000, "bye"));
  auto whole = read_all(input);
  std::vector<got> expected{{kind::text, "first", 0}, {kind::ping, "p", 0},  {kind::text, "second", 0},
                            {kind::binary, big, 0},   {kind::pong, "", 0},   {kind::close, "bye", 1000}};
  EXPECT_EQ(whole, expected);
  for (std::size_t chunk : {1, 2, 3, 7, 13}) EXPECT_EQ(read_all(input, 4096, chunk), expected) << chunk;
}

TEST(WsFrameReader, SeveralFramesInOneBufferComeOutOnePerCall) {
  bytes input = frame(op_text, "a") + frame(op_binary, "bb") + frame(op_ping, "ccc");
  ws_frame_reader r(4096);
  std::span<const std::uint8_t> in(input);
  auto m = r.next(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(copy(*m), (got{kind::text, "a", 0}));
  EXPECT_EQ(in.size(), input.size() - 7);  // only the first frame was taken
  m = r.next(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(copy(*m), (got{kind::binary, "bb", 0}));
  m = r.next(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(copy(*m), (got{kind::ping, "ccc", 0}));
  EXPECT_TRUE(in.empty());
  EXPECT_FALSE(r.next(in));
  EXPECT_FALSE(r.done());
}

TEST(WsFrameReader, JoinsFragmentsAndAnswersAPingBetweenThemFirst) {
  bytes input = frame(op_text, "Hel", {.fin = false}) + frame(op_ping, "are you there") +
                frame(op_continuation, "lo, ", {.fin = false}) + frame(op_continuation, "world");
  EXPECT_EQ(read_all(input),
            (std::vector<got>{{kind::ping, "are you there", 0}, {kind::text, "Hello, world", 0}}));
}

TEST(WsFrameReader, ReadsABinaryMessageWithAnyBytes) {
  std::string payload("\x00\xff\xc0\x80 binary", 10);
  EXPECT_EQ(read_one(frame(op_binary, payload)), (got{kind::binary, payload, 0}));
  EXPECT_EQ(read_all(frame(op_binary, "ab", {.fin = false}) + frame(op_continuation, "", {.fin = false}) +
                     frame(op_continuation, "\xff")),
            (std::vector<got>{{kind::binary, "ab\xff", 0}}));
}

TEST(WsFrameReader, AnEmptyTextMessageIsAMessage) {
  EXPECT_EQ(read_one(frame(op_text, "")), (got{kind::text, "", 0}));
  EXPECT_EQ(read_one(frame(op_text, "", {.fin = false}) + frame(op_continuation, "")), (got{kind::text, "", 0}));
}

TEST(WsFrameReader, AnUnmaskedFrameIsAProtocolError) {
  EXPECT_EQ(violation_code(frame(op_text, "Hello", {.masked = false})), 1002);
  // Known at the second byte, before the rest of the header.
  ws_frame_reader r(4096);
  bytes two = {0x81, 0x05};
  std::span<const std::uint8_t> in(two);
  auto m = r.next(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->what, kind::violation);
  EXPECT_EQ(m->code, 1002);
}

TEST(WsFrameReader, AReservedBitIsAProtocolError) {
  for (std::uint8_t rsv : {1, 2, 4, 7}) EXPECT_EQ(violation_code(frame(op_text, "x", {.rsv = rsv})), 1002) << +rsv;
  EXPECT_EQ(violation_code(frame(op_ping, "x", {.rsv = 4})), 1002);
}

TEST(WsFrameReader, AnUnknownOpcodeIsAProtocolError) {
  for (std::uint8_t op : {0x3, 0x7, 0xB, 0xF}) EXPECT_EQ(violation_code(frame(op, "x")), 1002) << +op;
  EXPECT_EQ(violation_code(frame(op_text, "a", {.fin = false}) + frame(0x3, "b")), 1002);
}

TEST(WsFrameReader, AFragmentedControlFrameIsAProtocolError) {
  EXPECT_EQ(violation_code(frame(op_ping, "p", {.fin = false})), 1002);
  EXPECT_EQ(violation_code(frame(op_close, close_payload(1000), {.fin = false})), 1002);
}

TEST(WsFrameReader, AControlFrameOver125BytesIsAProtocolError) {
  EXPECT_EQ(read_one(frame(op_ping, std::string(125, 'p'))), (got{kind::ping, std::string(125, 'p'), 0}));
  EXPECT_EQ(violation_code(frame(op_ping, std::string(126, 'p'))), 1002);
  EXPECT_EQ(violation_code(frame(op_pong, std::string(126, 'p'))), 1002);
  EXPECT_EQ(violation_code(frame(op_close, close_payload(1000, std::string(124, 'r')))), 1002);
}

TEST(WsFrameReader, AContinuationWithoutAMessageIsAProtocolError) {
  EXPECT_EQ(violation_code(frame(op_continuation, "x")), 1002);
  // Nor after a message ended.
  EXPECT_EQ(violation_code(frame(op_text, "whole") + frame(op_continuation, "x")), 1002);
}

TEST(WsFrameReader, ANewMessageInTheMiddleOfAFragmentedOneIsAProtocolError) {
  EXPECT_EQ(violation_code(frame(op_text, "a", {.fin = false}) + frame(op_text, "b")), 1002);
  EXPECT_EQ(violation_code(frame(op_binary, "a", {.fin = false}) + frame(op_binary, "b")), 1002);
}

TEST(WsFrameReader, AMessageOverTheLimitIsRefusedAtItsHeader) {
  EXPECT_EQ(read_one(frame(op_text, std::string(100, 'x')), 100).what, kind::text);  // the limit itself is fine
  EXPECT_EQ(violation_code(frame(op_text, std::string(101, 'x')), 100), 1009);

  // Only the header of a 5000-byte frame: refused before its payload arrives.
  bytes f = frame(op_binary, std::string(5000, 'x'));
  bytes header(f.begin(), f.begin() + 8);
  ws_frame_reader r(4096);
  std::span<const std::uint8_t> in(header);
  auto m = r.next(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->what, kind::violation);
  EXPECT_EQ(m->code, 1009);
  EXPECT_TRUE(r.done());
}

TEST(WsFrameReader, AMessageOverTheLimitAcrossFragmentsIsRefusedAtTheHeaderThatCrossesIt) {
  ws_frame_reader r(4096);
  EXPECT_TRUE(read_all(r, frame(op_text, std::string(3000, 'x'), {.fin = false})).empty());
  EXPECT_EQ(read_all(r, frame(op_ping, "")).size(), 1u);  // a ping between the fragments
  bytes f = frame(op_continuation, std::string(2000, 'y'));
  bytes header(f.begin(), f.begin() + 8);
  std::span<const std::uint8_t> in(header);
  auto m = r.next(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->what, kind::violation);
  EXPECT_EQ(m->code, 1009);

  // Exactly at the limit across fragments is fine.
  EXPECT_EQ(read_all(frame(op_text, std::string(3000, 'x'), {.fin = false}) +
                     frame(op_continuation, std::string(1096, 'y'))),
            (std::vector<got>{{kind::text, std::string(3000, 'x') + std::string(1096, 'y'), 0}}));
}

TEST(WsFrameReader, TextThatIsNotValidUtf8IsRefusedWith1007) {
  EXPECT_EQ(violation_code(frame(op_text, "\xff")), 1007);
  EXPECT_EQ(violation_code(frame(op_text, "caf\xc3")), 1007);               // cut short
  EXPECT_EQ(violation_code(frame(op_text, "\xc0\xaf")), 1007);              // overlong
  EXPECT_EQ(violation_code(frame(op_text, "\xed\xa0\x80")), 1007);          // a surrogate
  EXPECT_EQ(violation_code(frame(op_text, "\xf4\x90\x80\x80")), 1007);      // past U+10FFFF
  EXPECT_EQ(violation_code(frame(op_text, "ok", {.fin = false}) + frame(op_continuation, "\x80")), 1007);
}

TEST(WsFrameReader, ACharacterSplitAcrossFragmentsIsValidText) {
  // U+1F44D (F0 9F 91 8D) cut in three places, and "é" (C3 A9) in two.
  bytes input = frame(op_text, "\xf0", {.fin = false}) + frame(op_continuation, "\x9f\x91", {.fin = false}) +
                frame(op_continuation, "\x8d caf\xc3", {.fin = false}) + frame(op_continuation, "\xa9");
  EXPECT_EQ(read_all(input), (std::vector<got>{{kind::text, "\xf0\x9f\x91\x8d caf\xc3\xa9", 0}}));
}

TEST(WsFrameReader, ACloseWithoutAPayloadGivesCode1005) {
  EXPECT_EQ(read_one(frame(op_close, "")), (got{kind::close, "", 1005}));
}

TEST(WsFrameReader, ACloseGivesItsCodeAndReason) {
  EXPECT_EQ(read_one(frame(op_close, close_payload(1000, "bye"))), (got{kind::close, "bye", 1000}));
  EXPECT_EQ(read_one(frame(op_close, close_payload(1001))), (got{kind::close, "", 1001}));
  EXPECT_EQ(read_one(frame(op_close, close_payload(1000, "\xc3\xa9"))), (got{kind::close, "\xc3\xa9", 1000}));
}

TEST(WsFrameReader, ACloseWithAOneBytePayloadIsAProtocolError) {
  EXPECT_EQ(violation_code(frame(op_close, "\x03")), 1002);
}

TEST(WsFrameReader, ACloseCodeAPeerMayNotSendIsAProtocolError) {
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1014, 1015, 1016, 2999, 5000, 65535})
    EXPECT_EQ(violation_code(frame(op_close, close_payload(code))), 1002) << code;
}

TEST(WsFrameReader, CloseCodesAPeerMaySendAreAccepted) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 3000, 4000, 4999})
    EXPECT_EQ(read_one(frame(op_close, close_payload(code, "r"))), (got{kind::close, "r", code})) << code;
}

TEST(WsFrameReader, ACloseReasonThatIsNotValidUtf8IsRefusedWith1007) {
  EXPECT_EQ(violation_code(frame(op_close, close_payload(1000, "\xff"))), 1007);
  EXPECT_EQ(violation_code(frame(op_close, close_payload(1000, "ok\xe2\x82"))), 1007);
}

TEST(WsFrameReader, NothingMoreComesOutAfterAClose) {
  bytes input = frame(op_close, close_payload(1000, "bye")) + frame(op_text, "late") + frame(op_ping, "");
  ws_frame_reader r(4096);
  std::span<const std::uint8_t> in(input);
  auto m = r.next(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(copy(*m), (got{kind::close, "bye", 1000}));
  EXPECT_TRUE(r.done());
  auto left = in.size();
  EXPECT_FALSE(r.next(in));
  EXPECT_FALSE(r.next(in));
  EXPECT_EQ(in.size(), left);  // takes nothing more
  EXPECT_TRUE(r.done());
}

TEST(WsFrameReader, NothingMoreComesOutAfterAViolation) {
  bytes input = frame(op_continuation, "x") + frame(op_text, "late");
  ws_frame_reader r(4096);
  std::span<const std::uint8_t> in(input);
  auto m = r.next(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->what, kind::violation);
  EXPECT_TRUE(r.done());
  auto left = in.size();
  EXPECT_FALSE(r.next(in));
  EXPECT_EQ(in.size(), left);
  EXPECT_TRUE(r.done());
}

TEST(WsFrameReader, IsBetweenMessagesOnlyWhenNoFrameOrMessageIsPartlyRead) {
  ws_frame_reader r(4096);
  EXPECT_TRUE(r.between_messages());
  bytes first = frame(op_text, "ab", {.fin = false});
  bytes input = first + frame(op_ping, "p") + frame(op_continuation, "cd");
  std::span<const std::uint8_t> in(input);

  auto one = in.first(1);  // part of a header
  EXPECT_FALSE(r.next(one));
  EXPECT_FALSE(r.between_messages());
  auto rest_of_header = in.subspan(1, 5);  // the header, without the payload
  EXPECT_FALSE(r.next(rest_of_header));
  EXPECT_FALSE(r.between_messages());
  auto payload = in.subspan(6, first.size() - 6);  // the first fragment is whole
  EXPECT_FALSE(r.next(payload));
  EXPECT_FALSE(r.between_messages());

  in = in.subspan(first.size());
  auto m = r.next(in);  // the ping between the fragments
  ASSERT_TRUE(m);
  EXPECT_EQ(m->what, kind::ping);
  EXPECT_FALSE(r.between_messages());
  m = r.next(in);
  ASSERT_TRUE(m);
  EXPECT_EQ(copy(*m), (got{kind::text, "abcd", 0}));
  EXPECT_TRUE(r.between_messages());

  bytes ping = frame(op_ping, "");
  std::span<const std::uint8_t> p(ping);
  ASSERT_TRUE(r.next(p));
  EXPECT_TRUE(r.between_messages());  // a whole control frame outside a message
}

TEST(WsFrameReader, KeepsWorkingAfterReleasingItsMemory) {
  ws_frame_reader r(100'000);
  std::string big(70'000, 'z');
  EXPECT_EQ(read_all(r, frame(op_text, big)), (std::vector<got>{{kind::text, big, 0}}));
  ASSERT_TRUE(r.between_messages());
  r.release_memory();
  EXPECT_EQ(read_all(r, frame(op_binary, "next")), (std::vector<got>{{kind::binary, "next", 0}}));
  r.release_memory();
  EXPECT_EQ(read_all(r, frame(op_text, "fr", {.fin = false}) + frame(op_continuation, "ag")),
            (std::vector<got>{{kind::text, "frag", 0}}));
  r.release_memory();
  EXPECT_EQ(read_all(r, frame(op_text, "")), (std::vector<got>{{kind::text, "", 0}}));
}

TEST(WsFrameReader, A64BitLengthWithItsTopBitSetIsAProtocolError) {
  EXPECT_EQ(violation_code(frame(op_binary, "", {.declared_length = std::uint64_t{1} << 63})), 1002);
  EXPECT_EQ(violation_code(frame(op_binary, "", {.declared_length = ~std::uint64_t{0}})), 1002);
  // Without the top bit, a huge length is only too big.
  EXPECT_EQ(violation_code(frame(op_binary, "", {.declared_length = (std::uint64_t{1} << 63) - 1})), 1009);
}

}  // namespace
}  // namespace peerchat::unit
