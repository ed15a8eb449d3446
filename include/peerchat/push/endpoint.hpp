// SPDX-License-Identifier: MIT
// A push subscription's endpoint URL, and which addresses the server may connect to for it.
#pragma once
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace peerchat::push {

struct endpoint_url {
  bool tls = true;
  std::string host;    // a name or an IP literal (without brackets)
  std::uint16_t port = 443;
  std::string target;  // path and query, "/" at least
  std::string origin;  // scheme://host[:port], the VAPID `aud`
};

// https://host[:port]/path, or http:// when `allow_loopback` and the host is 127.0.0.1.
// No user info, no fragment. nullopt for anything else.
std::optional<endpoint_url> parse_endpoint(std::string_view url, bool allow_loopback);

// Whether the server may connect to `a` for a push: public unicast only. Loopback, private
// (RFC 1918, fc00::/7, 100.64/10), link-local, multicast, unspecified and reserved addresses
// are refused, so a subscription cannot make the server probe its own network (SSRF);
// `allow_loopback` (tests) admits 127.0.0.1 and nothing else.
bool address_allowed(boost::asio::ip::address const& a, bool allow_loopback);

}  // namespace peerchat::push
