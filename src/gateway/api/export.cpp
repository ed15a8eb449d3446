// SPDX-License-Identifier: MIT
// GET /groups/{id}/export?format=json|html: the whole history as one download, streamed.
#include "../history_export.hpp"
#include "call.hpp"

namespace peerchat::gateway::api {

namespace {
api_reply get_export(call& c) {
  return with_group(c, [&](principal const& who, group_id g) {
    auto it = c.query.find("format");
    std::string format = it == c.query.end() || it->second.empty() ? "json" : it->second;
    if (format != "json" && format != "html") return error_reply(errc::bad_request, "format must be json or html");
    TRY(d, c.a.groups.get(who, g));  // not_found for a non-member
    // A direct conversation has no owners: either of its two people may keep a copy.
    if (d->summary.group.kind != "direct" && !can_manage(d->summary.role))
      return error_reply(errc::forbidden, "only the group's owners and admins may export it");
    TRY(spent, c.a.exports.spend(std::to_string(raw(who.user.id)), "too many exports; try again later"));
    auto source = std::make_shared<history_export>(c.a, who, std::move(*d),
                                                   format == "json" ? export_format::json : export_format::html,
                                                   c.a.clock.now());
    api_reply r{200, {}, {}, {}};
    r.headers.emplace_back("Content-Type", format == "json" ? "application/json; charset=utf-8" : "text/html; charset=utf-8");
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + source->file_name() + "\"");
    if (format == "html")  // never run as a page of ours, should a browser show it inline
      r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox");
    r.stream = std::move(source);
    return r;
  });
}
}  // namespace

void add_export_routes(std::vector<route>& out) { out.push_back({"GET", "/groups/{}/export", get_export}); }

}  // namespace peerchat::gateway::api
