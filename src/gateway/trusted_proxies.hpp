// SPDX-License-Identifier: MIT
// Who the client is behind a reverse proxy: X-Forwarded-For / Forwarded, believed only when
// the TCP peer is one of the proxies the self-hoster named (--trusted-proxies).
#pragma once
#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::gateway {

// An address range: 10.0.0.0/8, fd00::/8, or one address (a /32 or /128).
struct cidr {
  boost::asio::ip::address network;
  unsigned prefix = 0;

  // nullopt when the text is not an address with an optional /prefix in range.
  static std::optional<cidr> parse(std::string_view text);
  bool contains(boost::asio::ip::address const& a) const;
};

// An IPv4 address an IPv6 socket reports as ::ffff:a.b.c.d becomes a.b.c.d.
boost::asio::ip::address unmapped(boost::asio::ip::address const& a);

// Thread safety: immutable after construction; any thread.
class trusted_proxies {
 public:
  trusted_proxies() = default;
  // A comma- or space-separated list of CIDRs; throws std::runtime_error naming a bad entry.
  explicit trusted_proxies(std::string_view list);

  bool empty() const { return ranges_.empty(); }
  bool contains(boost::asio::ip::address const& a) const;

  // The client's address. From an untrusted peer: the peer, whatever the headers say. From
  // a trusted proxy: walking the forwarded chain from the right (the hop the proxy added),
  // the first address that is not itself a trusted proxy. `forwarded` (RFC 7239) is used
  // when present, else `x_forwarded_for`; several header lines are joined with ", ".
  boost::asio::ip::address client_address(boost::asio::ip::address const& peer, std::string_view forwarded,
                                          std::string_view x_forwarded_for) const;

 private:
  std::vector<cidr> ranges_;
};

}  // namespace peerchat::gateway
