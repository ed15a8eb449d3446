// SPDX-License-Identifier: MIT
// Profiles: display name and about line.
#include "peerchat/service/profiles.hpp"
#include "peerchat/core/text.hpp"
#include "peerchat/service/validation.hpp"

namespace peerchat::service {

void load_profile(store::database& db, user& u) {
  auto& st = db.prepare("SELECT about, (SELECT max(updated_at) FROM avatars WHERE user_id = ?1) FROM users WHERE id = ?1")
                 .bind(1, raw(u.id));
  if (!st.step()) return;
  u.about = st.text(0);
  u.avatar_at = st.is_null(1) ? 0 : st.int64(1);
  st.reset();
}

std::optional<user> load_user(store::database& db, user_id id) {
  auto& st = db.prepare("SELECT username, display_name, is_admin FROM users WHERE id = ?1").bind(1, raw(id));
  if (!st.step()) return std::nullopt;
  user u{id, st.text(0), st.text(1), st.int64(2) != 0, {}, 0};
  st.reset();
  load_profile(db, u);
  return u;
}

result<std::string> check_about(std::string_view s) {
  if (!text::valid_utf8(s)) return make_error(errc::bad_request, "about is not valid UTF-8");
  auto t = text::trim(s);
  if (text::code_points(t) > profiles::max_about_chars)
    return make_error(errc::bad_request, "about must be 0–140 characters");
  for (std::size_t i = 0; i < t.size(); ++i) {
    auto c = static_cast<unsigned char>(t[i]);
    bool c1 = c == 0xc2 && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) <= 0x9f;  // U+0080–U+009F
    if (c < 0x20 || c == 0x7f || c1) return make_error(errc::bad_request, "about must be one line without control characters");
  }
  return std::string(t);
}

profiles::profiles(context& ctx) : ctx_(ctx) {}

result<user> profiles::get(user_id id) {
  return ctx_.reader.with([&](store::database& db) -> result<user> {
    auto u = load_user(db, id);
    if (!u) return make_error(errc::not_found, "no such user");
    return std::move(*u);
  });
}

result<user> profiles::update(user_id id, std::optional<std::string_view> display_name,
                              std::optional<std::string_view> about) {
  std::optional<std::string> name, line;
  if (display_name) {
    auto checked = check_display_name(*display_name);
    if (!checked) return checked.error();
    name = std::move(*checked);
  }
  if (about) {
    auto checked = check_about(*about);
    if (!checked) return checked.error();
    line = std::move(*checked);
  }
  auto r = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    if (name) db.prepare("UPDATE users SET display_name = ?1 WHERE id = ?2").bind(1, *name).bind(2, raw(id)).exec();
    if (line) db.prepare("UPDATE users SET about = ?1 WHERE id = ?2").bind(1, *line).bind(2, raw(id)).exec();
    return {};
  });
  if (!r) return r.error();
  return get(id);
}

}  // namespace peerchat::service
