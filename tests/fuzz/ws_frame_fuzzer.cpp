// SPDX-License-Identifier: MIT
// libFuzzer harness for the bytes a WebSocket client sends before any JSON: the frame reader
// (src/gateway/ws_frame_reader). The input is a byte stream fed in chunks whose sizes it chooses;
// what comes out must obey the reader's rules and must not depend on how the bytes were cut.
//
// Input: byte 0's low 3 bits say how many chunk sizes follow (0–7), its bit 3 says to call
// release_memory() whenever the reader is between messages; then the sizes (cycled, 0 = all
// the rest); then the stream. The stream is also read whole and one byte at a time.
#include "gateway/ws_frame_reader.hpp"
#include "peerchat/core/text.hpp"
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace {

using peerchat::gateway::ws_frame_reader;
using peerchat::gateway::ws_incoming;
using kind = ws_incoming::kind;
constexpr std::size_t max_message = 4096;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool valid_close_code(std::uint16_t c) {
  return (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1013) || (c >= 3000 && c <= 4999);
}

struct got {
  kind what;
  std::string payload;
  std::uint16_t code;
  bool operator==(got const&) const = default;
};

struct outcome {
  std::vector<got> out;
  std::size_t consumed = 0;
  bool done = false;
  bool operator==(outcome const&) const = default;
};

// One call to next() with its invariants checked.
void step(ws_frame_reader& r, std::span<const std::uint8_t>& in, outcome& o, bool release) {
  while (true) {
    bool was_done = r.done();
    auto before = in;
    auto m = r.next(in);
    check(in.size() <= before.size());
    std::size_t taken = before.size() - in.size();
    check(in.data() == before.data() + taken || in.empty());  // taken from the front
    o.consumed += taken;
    if (!m) {
      // Stops only when the bytes ran out, or, once done (which only returning a close or a
      // violation makes it), takes nothing at all.
      check(r.done() == was_done);
      check(was_done ? taken == 0 : in.empty());
      return;
    }
    check(!was_done);
    check(taken >= 1);  // nothing comes out of no bytes
    switch (m->what) {
      case kind::text:
        check(peerchat::text::valid_utf8(m->payload));
        [[fallthrough]];
      case kind::binary:
        check(m->payload.size() <= max_message);
        check(m->code == 0 && !r.done() && r.between_messages());
        break;
      case kind::ping:
      case kind::pong:
        check(m->payload.size() <= 125 && m->code == 0 && !r.done());
        break;
      case kind::close:
        check(r.done());
        if (m->code == 1005) check(m->payload.empty());
        else check(valid_close_code(m->code) && m->payload.size() <= 123 && peerchat::text::valid_utf8(m->payload));
        break;
      case kind::violation:
        check(r.done());
        check(m->code == 1002 || m->code == 1007 || m->code == 1009);
        check(!m->payload.empty());
        break;
      default:
        check(false);
    }
    o.out.push_back({m->what, std::string(m->payload), m->code});
    if (release && r.between_messages()) r.release_memory();
  }
}

outcome read(std::span<const std::uint8_t> stream, std::span<const std::uint8_t> sizes, bool release) {
  ws_frame_reader r(max_message);
  check(r.between_messages() && !r.done());
  outcome o;
  std::size_t i = 0;
  while (!stream.empty()) {
    std::size_t n = sizes.empty() || sizes[i % sizes.size()] == 0 ? stream.size() : sizes[i % sizes.size()];
    ++i;
    n = std::min(n, stream.size());
    auto in = stream.first(n);
    stream = stream.subspan(n);
    step(r, in, o, release);
    if (r.done()) {
      // Whatever follows stays unread.
      std::span<const std::uint8_t> rest = stream;
      step(r, rest, o, release);
      check(rest.size() == stream.size());
      break;
    }
  }
  std::span<const std::uint8_t> none;
  step(r, none, o, release);  // nothing in, nothing out
  o.done = r.done();
  // A message's payload came from the stream: never more out than in.
  std::size_t out_bytes = 0;
  for (auto const& g : o.out)
    if (g.what != kind::violation) out_bytes += g.payload.size();
  check(out_bytes <= o.consumed);
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  if (size == 0) return 0;
  std::span<const std::uint8_t> input(data, size);
  std::size_t n_sizes = std::min<std::size_t>(input[0] & 7, size - 1);
  bool release = (input[0] & 8) != 0;
  auto sizes = input.subspan(1, n_sizes);
  auto stream = input.subspan(1 + n_sizes);

  outcome chunked = read(stream, sizes, release);
  outcome whole = read(stream, {}, !release);
  static constexpr std::uint8_t one[] = {1};
  outcome bytewise = read(stream, one, false);
  check(chunked == whole);  // how the bytes were cut changes nothing
  check(chunked == bytewise);
  return 0;
}
