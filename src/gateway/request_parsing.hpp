// SPDX-License-Identifier: MIT
// The parts of an HTTP request the API reads before any service runs: the target's path and
// query, the route patterns, and the session token in Authorization or Cookie. Pure functions
// of their text (no sockets, no app), so they are fuzzed on their own (tests/fuzz/).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::gateway {

// %XX decoded (a malformed escape stays as it is); '+' is a space when plus_is_space.
std::string percent_decode(std::string_view s, bool plus_is_space);
// A whole decimal integer, or nullopt (no sign tolerance beyond from_chars', no trailing bytes).
std::optional<std::int64_t> parse_int(std::string_view s);
// "/a/b/c" → {"a","b","c"}; views into `path`.
std::vector<std::string_view> split_path(std::string_view path);
// Whether the segments match a route pattern ("/groups/{}/messages"); params gets the decoded
// {…} segments (an empty segment never matches a parameter).
bool matches(std::string_view pattern, std::vector<std::string_view> const& segments, std::vector<std::string>& params);
// "a=1&b=x%20y" → {a:1, b:"x y"}; the first of repeated keys wins.
std::map<std::string, std::string> parse_query(std::string_view q);
// The session token of a request: the Bearer token, else the peerchat_session cookie.
std::string token_of(std::string const& authorization, std::string const& cookie);

}  // namespace peerchat::gateway
