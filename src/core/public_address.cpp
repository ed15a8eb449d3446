// SPDX-License-Identifier: MIT
#include "peerchat/core/public_address.hpp"
#include <algorithm>

namespace peerchat {

bool is_public_ipv4(std::uint32_t a) noexcept {
  auto in = [a](std::uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  return !(in(0x00000000, 8) || in(0x0A000000, 8) || in(0x64400000, 10) || in(0x7F000000, 8) ||
           in(0xA9FE0000, 16) || in(0xAC100000, 12) || in(0xC0000000, 24) || in(0xC0A80000, 16) ||
           in(0xC6120000, 15) || in(0xE0000000, 3));
}

bool is_public_ipv6(std::array<std::uint8_t, 16> const& b) noexcept {
  bool zero_prefix = std::all_of(b.begin(), b.begin() + 10, [](auto x) { return x == 0; });
  if (zero_prefix && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0))) {
    std::uint32_t v4 = (std::uint32_t(b[12]) << 24) | (std::uint32_t(b[13]) << 16) | (std::uint32_t(b[14]) << 8) | b[15];
    return is_public_ipv4(v4);  // also covers :: and ::1 (0.0.0.0/8)
  }
  if (b[0] == 0) return false;                          // the rest of ::/8
  if ((b[0] & 0xfe) == 0xfc) return false;              // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0x80) == 0x80) return false;  // fe80::/10 and fec0::/10
  if (b[0] == 0xff) return false;                       // multicast
  return true;
}

}  // namespace peerchat
