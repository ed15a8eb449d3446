// SPDX-License-Identifier: MIT
// The export of a group's history, JSON or HTML, piece by piece.
#include "history_export.hpp"
#include "peerchat/core/base64url.hpp"
#include "peerchat/protocol/wire.hpp"
#include <ctime>
#include <fstream>
#include <stdexcept>

namespace peerchat::gateway {

namespace {
using protocol::ojson;

constexpr std::size_t recent_window = 500;   // messages remembered for reply quotes
constexpr std::size_t quote_chars = 80;      // bytes of a quoted body (cut at a character boundary)

// Every character that means something in HTML, escaped: message bodies are untrusted.
void escape_into(std::string_view s, std::string& out) {
  for (char c : s) switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
}

std::string utc(millis_t ts, char const* format) {
  std::time_t t = static_cast<std::time_t>(ts / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, format, &tm);
  return std::string(buf, n);
}

// The first `n` bytes of s without cutting a UTF-8 sequence, "…" when shortened.
std::string shorten(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n)) + "…";
}

std::string human_size(std::uint64_t bytes) {
  char buf[32];
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f KiB", bytes / 1024.0);
  else std::snprintf(buf, sizeof buf, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return buf;
}

// Standard base64 (data: URIs want it, with padding) from base64url.
std::string base64(std::string_view bytes) {
  std::string s = base64url::encode(bytes);
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4) s += '=';
  return s;
}

// Types a browser shows as an <img> without running anything (no SVG: it may hold scripts).
bool inlinable(std::string_view mime) {
  return mime == "image/jpeg" || mime == "image/png" || mime == "image/gif" || mime == "image/webp";
}

constexpr char style[] = R"(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:52rem;padding:1rem;color:#1b1b1b;background:#fff}
header{border-bottom:1px solid #ddd;margin-bottom:1rem}h1{font-size:1.4rem;margin:.2rem 0}
.meta{color:#666;font-size:.85rem}
article{padding:.5rem 0;border-bottom:1px solid #f0f0f0}
.who{font-weight:600}.when{color:#777;font-size:.8rem;margin-left:.5rem}
.body{white-space:pre-wrap;overflow-wrap:anywhere;margin:.15rem 0}
.deleted{color:#888;font-style:italic}
.reply{border-left:3px solid #ccd;padding-left:.5rem;color:#555;font-size:.85rem;display:block;text-decoration:none}
.reactions span{display:inline-block;border:1px solid #ddd;border-radius:1rem;padding:0 .45rem;margin:.15rem .2rem 0 0;font-size:.85rem}
.files{list-style:none;padding:0;margin:.3rem 0}.files img{max-width:100%;max-height:24rem;border-radius:4px;display:block}
.files .size{color:#777;font-size:.8rem}
@media (prefers-color-scheme:dark){body{background:#161616;color:#e6e6e6}article{border-color:#262626}header{border-color:#333}.reply{color:#aaa}}
)";
}  // namespace

history_export::history_export(app& a, principal who, group_detail group, export_format format, millis_t now)
    : app_(a), who_(std::move(who)), group_(std::move(group)), format_(format), now_(now) {}

std::string history_export::title() const {
  if (group_.summary.group.kind == "direct" && group_.summary.peer)
    return "Conversation with " + group_.summary.peer->display_name;
  return group_.summary.group.name;
}

std::string history_export::file_name() const {
  std::string base = group_.summary.group.kind == "direct" && group_.summary.peer ? group_.summary.peer->display_name
                                                                                   : group_.summary.group.name;
  std::string slug;
  for (char c : base) {
    if (slug.size() >= 40) break;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) slug += c;
    else if (c >= 'A' && c <= 'Z') slug += static_cast<char>(c - 'A' + 'a');
    else if (!slug.empty() && slug.back() != '-') slug += '-';
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.empty()) slug = "group-" + std::to_string(raw(group_.summary.group.id));
  return "peerchat-" + slug + "-" + utc(now_, "%Y-%m-%d") + (format_ == export_format::json ? ".json" : ".html");
}

std::string history_export::name_of(std::int64_t user) const {
  for (auto const& m : group_.members)
    if (raw(m.user) == user) return m.display_name;
  return "a former member";
}

std::string history_export::head() const {
  auto const& g = group_.summary.group;
  if (format_ == export_format::json) {
    ojson members = ojson::array();
    for (auto const& m : group_.members)
      members.push_back({{"user_id", raw(m.user)}, {"username", m.username}, {"display_name", m.display_name},
                         {"role", to_string(m.role)}});
    ojson group{{"id", raw(g.id)}, {"name", g.name}, {"topic", g.topic}, {"kind", g.kind},
                {"created_at", g.created_at}, {"last_seq", g.last_seq}, {"members", std::move(members)}};
    std::string out = ojson{{"group", std::move(group)}, {"exported_at", now_}}.dump();
    out.pop_back();  // reopen the object for the messages
    return out + ",\"messages\":[";
  }
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      // Opened from disk, the file may show images it carries and nothing it would fetch or run.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">"
      "<title>";
  escape_into(title(), out);
  out += " — peerchat export</title><style>";
  out += style;
  out += "</style></head><body><header><h1>";
  escape_into(title(), out);
  out += "</h1>";
  if (!g.topic.empty()) {
    out += "<p>";
    escape_into(g.topic, out);
    out += "</p>";
  }
  out += "<p class=\"meta\">Exported " + utc(now_, "%Y-%m-%d %H:%M UTC") + " · members: ";
  for (std::size_t i = 0; i < group_.members.size(); ++i) {
    if (i) out += ", ";
    escape_into(group_.members[i].display_name, out);
  }
  out += "</p></header><main>\n";
  return out;
}

std::string history_export::tail() const {
  if (format_ == export_format::json) return "]}";
  return "</main></body></html>\n";
}

std::optional<std::string> history_export::next() {
  switch (stage_) {
    case stage::head:
      stage_ = stage::messages;
      return head();
    case stage::messages: {
      std::string piece;
      while (piece.size() < piece_bytes) {
        if (next_in_page_ == page_.size()) {
          // Each page checks membership again: someone removed mid-export gets no more.
          auto page = app_.messages.history_after(who_.user, group_.summary.group.id, after_, page_messages);
          if (!page) throw std::runtime_error("export of group " + std::to_string(raw(group_.summary.group.id)) +
                                              " stopped: " + page.error().message);
          page_ = std::move(*page);
          next_in_page_ = 0;
          if (page_.empty()) {
            stage_ = stage::tail;
            break;
          }
          after_ = page_.back().seq;
        }
        render(page_[next_in_page_++], piece);
      }
      if (!piece.empty()) return piece;
      return next();  // the history ended exactly at a page boundary
    }
    case stage::tail:
      stage_ = stage::done;
      return tail();
    case stage::done:
      break;
  }
  return std::nullopt;
}

void history_export::render(message_view const& m, std::string& out) {
  if (format_ == export_format::html) return render_html(m, out);
  if (!first_message_) out += ',';
  first_message_ = false;
  out += protocol::to_json(m).dump(-1, ' ', false, ojson::error_handler_t::replace);
}

void history_export::render_html(message_view const& m, std::string& out) {
  out += "<article id=\"m" + std::to_string(m.seq) + "\"><div><span class=\"who\">";
  escape_into(m.sender_display_name, out);
  out += "</span><time class=\"when\" datetime=\"" + utc(m.ts, "%Y-%m-%dT%H:%M:%SZ") + "\">" +
         utc(m.ts, "%Y-%m-%d %H:%M") + "</time>";
  if (m.edited_at) out += "<span class=\"when\">(edited)</span>";
  out += "</div>";
  if (m.reply_to) {
    out += "<a class=\"reply\" href=\"#m" + std::to_string(*m.reply_to) + "\">↪ ";
    auto quoted = recent_.find(*m.reply_to);
    escape_into(quoted != recent_.end() ? quoted->second : "an earlier message", out);
    out += "</a>";
  }
  if (!m.body) {
    out += "<p class=\"deleted\">This message was deleted.</p></article>\n";
    return;
  }
  if (!m.body->empty()) {
    out += "<p class=\"body\">";
    escape_into(*m.body, out);
    out += "</p>";
  }
  if (!m.attachments.empty()) {
    out += "<ul class=\"files\">";
    for (auto const& a : m.attachments) {
      out += "<li>";
      out += inline_image(a);
      escape_into(a.name, out);
      out += " <span class=\"size\">" + human_size(a.size) + "</span></li>";
    }
    out += "</ul>";
  }
  if (!m.reactions.empty()) {
    out += "<div class=\"reactions\">";
    for (auto const& [emoji, users] : m.reactions) {
      out += "<span title=\"";
      for (std::size_t i = 0; i < users.size(); ++i) {
        if (i) out += ", ";
        escape_into(name_of(users[i]), out);
      }
      out += "\">";
      escape_into(emoji, out);
      out += " " + std::to_string(users.size()) + "</span>";
    }
    out += "</div>";
  }
  out += "</article>\n";
  recent_[m.seq] = m.sender_display_name + ": " + shorten(*m.body, quote_chars);
  if (recent_.size() > recent_window) recent_.erase(recent_.begin());
}

// An image as an <img> with a data: URI: the stored (metadata-stripped) file when small
// enough, else its thumbnail when that is; nothing for other files or when neither fits.
std::string history_export::inline_image(attachment_info const& a) const {
  if (!a.mime.starts_with("image/")) return {};
  for (bool thumb : {false, true}) {
    if (thumb && !a.thumb) break;
    auto d = app_.attachments.open(who_.user, a.id, thumb);
    if (!d || d->size > inline_image_bytes || !inlinable(d->mime)) continue;
    std::ifstream in(d->file, std::ios::binary);
    std::string bytes(d->size, '\0');
    if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) continue;
    std::string out = "<img alt=\"";
    escape_into(a.name, out);
    out += "\" src=\"data:" + d->mime + ";base64," + base64(bytes) + "\">";
    return out;
  }
  return {};
}

}  // namespace peerchat::gateway
