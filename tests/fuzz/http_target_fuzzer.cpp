// SPDX-License-Identifier: MIT
// libFuzzer harness for the request target as the API reads it (src/gateway/request_parsing):
// path splitting, route matching with percent-decoded parameters, the query string and the
// integers read from both. Checks a few invariants beyond "does not crash".
#include "gateway/request_parsing.hpp"
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {
// The API's route patterns (src/gateway/api/*.cpp), relative to /api/v1.
constexpr std::array<std::string_view, 17> patterns{
    "/groups", "/groups/{}", "/groups/{}/events", "/groups/{}/invites", "/groups/{}/invites/{}",
    "/groups/{}/members/{}", "/groups/{}/messages", "/groups/{}/messages/{}",
    "/groups/{}/messages/{}/reactions/{}", "/groups/{}/read", "/invites/{}", "/invites/{}/accept",
    "/me", "/search", "/sessions", "/sessions/current", "/setup/{}"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace peerchat::gateway;
  std::string_view target(reinterpret_cast<char const*>(data), size);
  auto qpos = target.find('?');
  std::string_view path = target.substr(0, qpos);
  auto segments = split_path(path);
  for (auto s : segments)  // every segment is a view into the path, without a '/'
    if (s.data() < path.data() || s.data() + s.size() > path.data() + path.size() ||
        s.find('/') != std::string_view::npos)
      __builtin_trap();
  std::vector<std::string> params;
  for (auto pattern : patterns) {
    if (!matches(pattern, segments, params)) continue;
    for (auto const& p : params) {
      if (p.empty() || p.size() > path.size()) __builtin_trap();  // decoding never grows
      (void)parse_int(p);
    }
  }
  if (qpos != std::string_view::npos) {
    auto query = parse_query(target.substr(qpos + 1));
    if (query.size() > target.size()) __builtin_trap();
    for (auto const& [key, value] : query) (void)parse_int(value);
  }
  (void)percent_decode(target, true);
  return 0;
}
