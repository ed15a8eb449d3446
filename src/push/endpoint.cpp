// SPDX-License-Identifier: MIT
// Endpoint URL parsing and the SSRF guard on resolved addresses.
#include "peerchat/push/endpoint.hpp"
#include "peerchat/core/public_address.hpp"
#include <charconv>

namespace peerchat::push {

bool address_allowed(boost::asio::ip::address const& a, bool allow_loopback) {
  if (a.is_v4()) {
    std::uint32_t v4 = a.to_v4().to_uint();
    return (allow_loopback && v4 == 0x7f000001) || is_public_ipv4(v4);
  }
  auto v6 = a.to_v6();
  if (allow_loopback && v6.is_v4_mapped() && boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_uint() == 0x7f000001)
    return true;
  return is_public_ipv6(v6.to_bytes());
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
