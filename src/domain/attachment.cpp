// SPDX-License-Identifier: MIT
#include "peerchat/domain/attachment.hpp"

namespace peerchat {

nlohmann::ordered_json attachment_json(attachment_info const& a) {
  nlohmann::ordered_json j{{"id", a.id}, {"name", a.name}, {"size", a.size}, {"mime", a.mime}};
  if (a.width) j["width"] = *a.width;
  if (a.height) j["height"] = *a.height;
  if (a.duration_ms) j["duration_ms"] = *a.duration_ms;
  j["thumb"] = a.thumb;
  return j;
}

}  // namespace peerchat
