// SPDX-License-Identifier: MIT
// libFuzzer harness for the headers that carry a session token (src/gateway/request_parsing):
// the input is "Authorization\0Cookie". The token found is always a part of one of them, and
// a Bearer header always wins over the cookie.
#include "gateway/request_parsing.hpp"
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view input(reinterpret_cast<char const*>(data), size);
  auto nul = input.find('\0');
  std::string authorization(input.substr(0, nul));
  std::string cookie(nul == std::string_view::npos ? std::string_view{} : input.substr(nul + 1));
  auto token = peerchat::gateway::token_of(authorization, cookie);
  bool bearer = authorization.size() > 7 && authorization.starts_with("Bearer ");
  if (bearer && token != authorization.substr(7)) __builtin_trap();
  if (!bearer && !token.empty() && cookie.find("peerchat_session=" + token) == std::string::npos) __builtin_trap();
  // The WebSocket upgrade reads the cookie alone.
  auto cookie_token = peerchat::gateway::token_of("", cookie);
  if (!cookie_token.empty() && cookie.find(cookie_token) == std::string::npos) __builtin_trap();
  return 0;
}
