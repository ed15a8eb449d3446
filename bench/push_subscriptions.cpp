// SPDX-License-Identifier: MIT
#include "push_subscriptions.hpp"

#include "http_client.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace peerchat::bench {

using json = nlohmann::json;

int subscribe_members(setup_result const& setup, std::string const& host, std::uint16_t server_port,
                      std::uint16_t push_port) {
  http_client server(host, server_port);
  http_client push(host, push_port);
  int registered = 0;
  for (auto const& g : setup.groups)
    for (auto const& m : g.members) {
      auto made = push.request("POST", "/__subscription", "{}");
      if (made.status != 201) throw std::runtime_error("push service: POST /__subscription answered " +
                                                       std::to_string(made.status) + " " + made.body);
      auto sub = json::parse(made.body);
      json body{{"endpoint", sub.at("endpoint")}, {"keys", sub.at("keys")}, {"device", "bench"}};
      auto r = server.request("POST", "/api/v1/push/subscriptions", body.dump(), m.token);
      if (r.status != 201 && r.status != 200)
        throw std::runtime_error("POST /push/subscriptions answered " + std::to_string(r.status) + " " + r.body);
      ++registered;
    }
  return registered;
}

}  // namespace peerchat::bench
