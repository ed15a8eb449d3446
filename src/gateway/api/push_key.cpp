// SPDX-License-Identifier: MIT
// GET /push/key: the server's VAPID public key, which a browser needs to subscribe (no auth:
// it is public, and the web client asks for it before anyone logs in on that device).
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply get_push_key(call& c) {
  return json_reply(200, ojson{{"vapid_public_key", c.a.push_dispatcher->public_key_b64()}});
}
}  // namespace

void add_push_key_routes(std::vector<route>& out) { out.push_back({"GET", "/push/key", get_push_key}); }

}  // namespace peerchat::gateway::api
