// SPDX-License-Identifier: MIT
// A group's whole history as one download (GET /groups/{id}/export): JSON for programs, or
// one self-contained HTML file for people, made page by page as it is written.
#pragma once
#include "app.hpp"
#include "body_source.hpp"
#include "peerchat/domain/group.hpp"
#include "peerchat/domain/message.hpp"
#include "peerchat/domain/user.hpp"
#include <map>
#include <string>
#include <vector>

namespace peerchat::gateway {

enum class export_format { json, html };

// Thread safety: as body_source (one worker at a time). Memory is bounded by one page of
// messages, one piece of output and a short window of recent messages (for replies).
class history_export : public body_source {
 public:
  // Pages of this many messages are read from the store; a piece is returned once it holds
  // about piece_bytes.
  static constexpr int page_messages = 200;
  static constexpr std::size_t piece_bytes = 64 * 1024;
  // HTML: images are included inline (data: URIs) when they (or else their thumbnail) are at
  // most this large; anything else is listed by name and size.
  static constexpr std::uint64_t inline_image_bytes = 512 * 1024;

  history_export(app& a, principal who, group_detail group, export_format format, millis_t now);
  std::optional<std::string> next() override;

  // "peerchat-coaches-2026-11-28.html": the group's name (or the peer's) reduced to letters,
  // digits and dashes, and the day of the export (UTC).
  std::string file_name() const;

 private:
  std::string head() const;
  std::string tail() const;
  void render(message_view const& m, std::string& out);
  void render_html(message_view const& m, std::string& out);
  std::string inline_image(attachment_info const& a) const;
  std::string name_of(std::int64_t user) const;
  std::string title() const;

  app& app_;
  principal who_;
  group_detail group_;
  export_format format_;
  millis_t now_;
  enum class stage { head, messages, tail, done } stage_ = stage::head;
  seq_t after_ = 0;                   // the last seq read from the store
  std::vector<message_view> page_;    // the page being written
  std::size_t next_in_page_ = 0;
  bool first_message_ = true;
  std::map<seq_t, std::string> recent_;  // seq → "sender: start of body", the last few hundred (replies)
};

}  // namespace peerchat::gateway
