// SPDX-License-Identifier: MIT
// libFuzzer harness for the JSON bodies of the HTTP API: the depth-limited object parser, the
// typed field readers every route uses, and the field rules (src/service/validation) applied
// to whatever strings they return.
#include "peerchat/protocol/json_input.hpp"
#include "peerchat/service/validation.hpp"
#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  using namespace peerchat;
  std::string_view text(reinterpret_cast<char const*>(data), size);
  auto body = protocol::parse_object(text, 32);
  if (!body) return 0;
  if (!body->is_object()) __builtin_trap();
  auto const& obj = *body;
  if (auto v = protocol::required_string(obj, "username")) (void)service::check_username(*v);
  if (auto v = protocol::required_string(obj, "password")) (void)service::check_password(*v);
  if (auto v = protocol::optional_string(obj, "display_name"); v && *v) (void)service::check_display_name(**v);
  if (auto v = protocol::required_string(obj, "name")) (void)service::check_group_name(*v);
  if (auto v = protocol::optional_string(obj, "topic"); v && *v) (void)service::check_topic(**v);
  if (auto v = protocol::required_string(obj, "body")) (void)service::check_body(*v, 4000);
  if (auto v = protocol::optional_string(obj, "client_msg_id"); v && *v) (void)service::check_client_msg_id(**v);
  if (auto v = protocol::required_string(obj, "emoji")) (void)service::check_emoji(*v);
  (void)protocol::optional_string(obj, "role");
  for (char const* key : {"max_uses", "expires_in_s", "reply_to", "seq", "group_id"}) {
    (void)protocol::required_int(obj, key);
    (void)protocol::optional_int(obj, key);
  }
  auto dumped = obj.dump();  // what the API would echo must parse back the same
  auto again = protocol::parse_object(dumped, 33);
  if (!again || *again != obj) __builtin_trap();
  return 0;
}
