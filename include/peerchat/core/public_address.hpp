// SPDX-License-Identifier: MIT
// Whether an IP address is public unicast: the one test behind the push endpoint checks, when a
// subscription is kept (service) and again after DNS when the push client connects (push), so
// no user can make the server send requests into its own network (SSRF).
#pragma once
#include <array>
#include <cstdint>

namespace peerchat {

// Not 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.168/16, 198.18/15,
// multicast or reserved (224/3). `a` in host byte order.
bool is_public_ipv4(std::uint32_t a) noexcept;

// Not ::/8 (unspecified, loopback, IPv4-compatible; IPv4-mapped and -compatible addresses are
// judged by their IPv4 part), fc00::/7 unique local, fe80::/10 link-local, fec0::/10
// site-local, ff00::/8 multicast. `b` in network byte order.
bool is_public_ipv6(std::array<std::uint8_t, 16> const& b) noexcept;

}  // namespace peerchat
