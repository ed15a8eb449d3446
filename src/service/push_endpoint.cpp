// SPDX-License-Identifier: MIT
// Validating push subscription endpoints and keys.
#include "peerchat/service/push_endpoint.hpp"
#include <arpa/inet.h>
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>
#include <cstdint>

namespace peerchat::service {

namespace {
constexpr std::size_t max_endpoint = 2048;

error bad(std::string msg) { return make_error(errc::bad_request, std::move(msg)); }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Public unicast IPv4: not 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24,
// 192.168/16, 198.18/15, multicast or reserved (224/3).
bool public_v4(std::uint32_t a) {
  auto in = [a](std::uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  return !(in(0x00000000, 8) || in(0x0A000000, 8) || in(0x64400000, 10) || in(0x7F000000, 8) ||
           in(0xA9FE0000, 16) || in(0xAC100000, 12) || in(0xC0000000, 24) || in(0xC0A80000, 16) ||
           in(0xC6120000, 15) || in(0xE0000000, 3));
}

// Public unicast IPv6: not ::, ::1, IPv4-mapped/compatible of a non-public v4, fc00::/7,
// fe80::/10, multicast ff00::/8.
bool public_v6(std::array<std::uint8_t, 16> const& b) {
  bool zero_prefix = std::all_of(b.begin(), b.begin() + 10, [](auto x) { return x == 0; });
  if (zero_prefix && ((b[10] == 0xff && b[11] == 0xff) || (b[10] == 0 && b[11] == 0))) {
    std::uint32_t v4 = (std::uint32_t(b[12]) << 24) | (std::uint32_t(b[13]) << 16) | (std::uint32_t(b[14]) << 8) | b[15];
    return public_v4(v4);  // also covers :: and ::1 (0.0.0.0/8)
  }
  if ((b[0] & 0xfe) == 0xfc) return false;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;
  if (b[0] == 0xff) return false;
  return true;
}

// A label that a resolver's inet_aton would read as a number (decimal, octal, 0x hex).
bool numeric_label(std::string_view l) {
  if (l.empty()) return false;
  if (l.size() > 2 && l[0] == '0' && l[1] == 'x')
    return std::all_of(l.begin() + 2, l.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  return std::all_of(l.begin(), l.end(), [](char c) { return c >= '0' && c <= '9'; });
}

result<void> check_host(std::string const& host, bool allow_loopback) {
  if (host.empty()) return bad("endpoint must name a host");
  if (host.front() == '[') {
    if (host.back() != ']') return bad("endpoint has a malformed IPv6 address");
    std::array<std::uint8_t, 16> b{};
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), b.data()) != 1)
      return bad("endpoint has a malformed IPv6 address");
    if (!public_v6(b)) return bad("endpoint must be on a public address, not a loopback, private or link-local one");
    return {};
  }
  std::vector<std::string_view> labels;
  std::string_view rest = host;
  while (true) {
    auto dot = rest.find('.');
    labels.push_back(rest.substr(0, dot));
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (!labels.empty() && labels.back().empty()) labels.pop_back();  // a trailing dot (FQDN)
  if (std::all_of(labels.begin(), labels.end(), numeric_label)) {
    std::uint8_t b[4];
    if (inet_pton(AF_INET, host.c_str(), b) != 1) return bad("endpoint has a malformed IPv4 address");
    std::uint32_t a = (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) | (std::uint32_t(b[2]) << 8) | b[3];
    if (allow_loopback && host == "127.0.0.1") return {};
    if (!public_v4(a)) return bad("endpoint must be on a public address, not a loopback, private or link-local one");
    return {};
  }
  for (auto l : labels) {
    if (l.empty() || l.size() > 63) return bad("endpoint has a malformed host name");
    for (char c : l)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return bad("endpoint has a malformed host name");
  }
  if (labels.back() == "localhost") return bad("endpoint must not be localhost");
  if (labels.size() < 2) return bad("endpoint must name a public host");
  return {};
}

result<std::string> check_key(std::string_view text, std::size_t bytes, char const* what) {
  auto raw = base64url_decode(text);
  if (!raw || raw->size() != bytes)
    return bad(std::string(what) + " must be base64url of " + std::to_string(bytes) + " bytes");
  std::string canonical(text);
  while (!canonical.empty() && canonical.back() == '=') canonical.pop_back();
  return canonical;
}
}  // namespace

std::optional<std::string> base64url_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '-') v = 62;
    else if (c == '_') v = 63;
    else return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

result<void> check_push_endpoint(std::string_view endpoint, bool allow_loopback) {
  if (endpoint.size() > max_endpoint) return bad("endpoint must be at most 2048 characters");
  for (unsigned char c : endpoint)
    if (c <= 0x20 || c >= 0x7f) return bad("endpoint must be a URL without spaces or control characters");
  std::string url = lower(endpoint.substr(0, std::min<std::size_t>(endpoint.size(), 8)));
  std::size_t after_scheme;
  bool https = url.starts_with("https://");
  if (https) after_scheme = 8;
  else if (allow_loopback && url.starts_with("http://")) after_scheme = 7;
  else return bad("endpoint must be an https:// URL");
  auto authority = endpoint.substr(after_scheme);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return bad("endpoint must not carry a user name or password");
  std::string host = lower(authority);
  // The port, if any: after the last ':' outside an IPv6 literal's brackets.
  if (auto colon = host.rfind(':'); colon != std::string::npos && host.find(']', colon) == std::string::npos) {
    auto port = std::string_view(host).substr(colon + 1);
    if (port.empty() || port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(port)) > 65535 || std::stoi(std::string(port)) == 0)
      return bad("endpoint has a malformed port");
    host.resize(colon);
  }
  if (!https && host != "127.0.0.1") return bad("endpoint must be an https:// URL");
  return check_host(host, allow_loopback);
}

result<std::string> check_p256dh(std::string_view key) {
  auto k = check_key(key, 65, "keys.p256dh");
  if (!k) return k;
  if (base64url_decode(key)->front() != '\x04') return bad("keys.p256dh must be an uncompressed P-256 point (0x04…)");
  return k;
}

result<std::string> check_push_auth(std::string_view secret) { return check_key(secret, 16, "keys.auth"); }

}  // namespace peerchat::service
