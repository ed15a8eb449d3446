// SPDX-License-Identifier: MIT
// libFuzzer harness for what a WebSocket client controls: the frame decoder and the
// depth-limited JSON parser, including copying and dumping what they accept.
#include "peerchat/protocol/client_frame.hpp"
#include "peerchat/protocol/json_input.hpp"
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view text(reinterpret_cast<char const*>(data), size);
  auto frame = peerchat::protocol::decode_client_frame(text, 32);
  (void)frame;
  if (auto j = peerchat::protocol::parse_json(text, 32)) {
    auto copy = *j;                 // nlohmann recurses here: depth must stay bounded
    auto dumped = copy.dump();      // and here; and the output must parse back
    auto again = peerchat::protocol::parse_json(dumped, 33);
    if (!again || *again != copy) __builtin_trap();
  }
  return 0;
}
