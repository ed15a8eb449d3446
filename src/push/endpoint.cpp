// SPDX-License-Identifier: MIT
// Endpoint URL parsing and the SSRF guard on resolved addresses.
#include "peerchat/push/endpoint.hpp"
#include <charconv>

namespace peerchat::push {

namespace {
bool in_v4(std::uint32_t a, std::uint32_t net, int bits) {
  return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits));
}

bool v4_allowed(boost::asio::ip::address_v4 const& v4, bool allow_loopback) {
  std::uint32_t a = v4.to_uint();
  if (allow_loopback && a == 0x7f000001) return true;
  struct range {
    std::uint32_t net;
    int bits;
  };
  static constexpr range refused[] = {
      {0x00000000, 8},   // "this network", 0.0.0.0
      {0x0a000000, 8},   // 10/8
      {0x64400000, 10},  // 100.64/10 carrier-grade NAT
      {0x7f000000, 8},   // loopback
      {0xa9fe0000, 16},  // link-local (cloud metadata services live here)
      {0xac100000, 12},  // 172.16/12
      {0xc0000000, 24},  // IETF protocol assignments
      {0xc0a80000, 16},  // 192.168/16
      {0xc6120000, 15},  // 198.18/15 benchmarking
      {0xe0000000, 4},   // multicast
      {0xf0000000, 4},   // reserved and broadcast
  };
  for (auto const& r : refused)
    if (in_v4(a, r.net, r.bits)) return false;
  return true;
}
}  // namespace

bool address_allowed(boost::asio::ip::address const& a, bool allow_loopback) {
  if (a.is_v4()) return v4_allowed(a.to_v4(), allow_loopback);
  auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return v4_allowed(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6), allow_loopback);
  auto b = v6.to_bytes();
  if (v6.is_unspecified() || v6.is_loopback() || v6.is_multicast() || v6.is_link_local() || v6.is_site_local())
    return false;
  if ((b[0] & 0xfe) == 0xfc) return false;  // fc00::/7 unique local
  // The rest of ::/8 (IPv4-compatible and other legacy forms) is not a public address.
  if (b[0] == 0) return false;
  return true;
}

std::optional<endpoint_url> parse_endpoint(std::string_view url, bool allow_loopback) {
  endpoint_url out;
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    out.tls = false;
    out.port = 80;
    url.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  if (url.find('#') != std::string_view::npos || url.find_first_of(" \t\r\n") != std::string_view::npos)
    return std::nullopt;
  auto slash = url.find_first_of("/?");
  std::string_view authority = url.substr(0, slash);
  out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (out.target.front() == '?') out.target.insert(0, "/");
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  std::string_view port_text;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(authority.substr(1, close - 1));
    auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port_text = rest.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return std::nullopt;
  bool default_port = true;
  if (!port_text.empty() || authority.back() == ':') {
    unsigned port = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || port == 0 || port > 65535) return std::nullopt;
    default_port = port == out.port;
    out.port = static_cast<std::uint16_t>(port);
  }
  if (!out.tls && !(allow_loopback && out.host == "127.0.0.1")) return std::nullopt;
  std::string host_part = out.host.find(':') != std::string::npos ? "[" + out.host + "]" : out.host;
  out.origin = (out.tls ? "https://" : "http://") + host_part;
  if (!default_port) out.origin += ":" + std::to_string(out.port);
  return out;
}

}  // namespace peerchat::push
