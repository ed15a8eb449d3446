// SPDX-License-Identifier: MIT
// CIDR matching and the forwarded-address chain.
#include "trusted_proxies.hpp"
#include <charconv>
#include <stdexcept>

namespace peerchat::gateway {

namespace ip = boost::asio::ip;

namespace {
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return unmapped(a);
}

// One hop of a forwarded chain: "203.0.113.7", "[2001:db8::1]:4711", "203.0.113.7:80",
// or a Forwarded element's for= value (quoted, maybe with a port). nullopt for anything
// else ("unknown", obfuscated identifiers, garbage).
std::optional<ip::address> parse_hop(std::string_view hop) {
  hop = trim(hop);
  if (hop.size() >= 2 && hop.front() == '"' && hop.back() == '"') hop = hop.substr(1, hop.size() - 2);
  if (hop.starts_with('[')) {
    auto close = hop.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_address(hop.substr(1, close - 1));
  }
  if (auto a = parse_address(hop)) return a;
  // a.b.c.d:port (an IPv6 address without brackets never carries a port)
  auto colon = hop.rfind(':');
  if (colon != std::string_view::npos && hop.find(':') == colon) return parse_address(hop.substr(0, colon));
  return std::nullopt;
}

// The for= values of a Forwarded header, left to right.
std::vector<std::string_view> forwarded_for(std::string_view header) {
  std::vector<std::string_view> out;
  while (!header.empty()) {
    auto comma = header.find(',');
    auto element = header.substr(0, comma);
    std::string_view value;
    while (!element.empty()) {
      auto semi = element.find(';');
      auto pair = trim(element.substr(0, semi));
      auto eq = pair.find('=');
      if (eq != std::string_view::npos) {
        auto name = trim(pair.substr(0, eq));
        if (name.size() == 3 && (name[0] | 0x20) == 'f' && (name[1] | 0x20) == 'o' && (name[2] | 0x20) == 'r')
          value = trim(pair.substr(eq + 1));
      }
      if (semi == std::string_view::npos) break;
      element.remove_prefix(semi + 1);
    }
    out.push_back(value);  // empty when the element has no for=: it breaks the chain
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}

std::vector<std::string_view> split_commas(std::string_view header) {
  std::vector<std::string_view> out;
  while (!header.empty()) {
    auto comma = header.find(',');
    out.push_back(header.substr(0, comma));
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}
}  // namespace

ip::address unmapped(ip::address const& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::optional<cidr> cidr::parse(std::string_view text) {
  text = trim(text);
  auto slash = text.find('/');
  auto a = parse_address(text.substr(0, slash));
  if (!a) return std::nullopt;
  unsigned max = a->is_v4() ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (ec != std::errc() || p != digits.data() + digits.size() || digits.empty() || prefix > max) return std::nullopt;
  }
  return cidr{*a, prefix};
}

bool cidr::contains(ip::address const& candidate) const {
  auto a = unmapped(candidate);
  if (a.is_v4() != network.is_v4()) return false;
  auto compare = [&](auto const& x, auto const& y) {  // byte arrays of equal length
    unsigned bits = prefix;
    for (std::size_t i = 0; i < x.size() && bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0) {
      unsigned mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
      if ((x[i] & mask) != (y[i] & mask)) return false;
    }
    return true;
  };
  if (a.is_v4()) return compare(a.to_v4().to_bytes(), network.to_v4().to_bytes());
  return compare(a.to_v6().to_bytes(), network.to_v6().to_bytes());
}

trusted_proxies::trusted_proxies(std::string_view list) {
  for (auto part : split_commas(list)) {
    // Spaces separate entries too.
    while (!(part = trim(part)).empty()) {
      auto space = part.find_first_of(" \t");
      auto entry = part.substr(0, space);
      auto range = cidr::parse(entry);
      if (!range)
        throw std::runtime_error("--trusted-proxies: '" + std::string(entry) +
                                 "' is not an address or CIDR (like 10.0.0.0/8 or fd00::/8)");
      ranges_.push_back(*range);
      if (space == std::string_view::npos) break;
      part.remove_prefix(space);
    }
  }
}

bool trusted_proxies::contains(ip::address const& a) const {
  for (auto const& r : ranges_)
    if (r.contains(a)) return true;
  return false;
}

ip::address trusted_proxies::client_address(ip::address const& peer, std::string_view forwarded,
                                            std::string_view x_forwarded_for) const {
  auto client = unmapped(peer);
  if (!contains(client)) return client;  // headers from an untrusted peer are the client's own words
  auto hops = forwarded.empty() ? split_commas(x_forwarded_for) : forwarded_for(forwarded);
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    auto hop = parse_hop(*it);
    if (!hop) break;  // a hop we cannot read: keep the last trusted one we could
    client = *hop;
    if (!contains(client)) break;
  }
  return client;
}

}  // namespace peerchat::gateway
