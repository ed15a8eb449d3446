// SPDX-License-Identifier: MIT
// The group's library of best practices: saved messages with a title and tags, searchable.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/domain/question.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::service {

struct library_change {
  library_entry entry;
  event change;  // library_added or library_updated
};

struct library_page {
  std::vector<library_entry> entries;  // best match first with q, else newest first
  std::optional<std::string> next_cursor;
};

struct library_query {
  std::string q;                   // words, each a prefix; all must match (title, tags, texts)
  std::optional<std::string> tag;  // only entries with this tag
  std::optional<std::string> cursor;
  int limit = 50;
};

// Title: 1–200 characters after trimming. Tags: at most 10, each 1–32 characters without
// white space once trimmed; a leading '#' is dropped, ASCII letters are lower-cased, repeats
// are dropped. Pure; unit-tested.
result<std::string> check_library_title(std::string_view s);
result<std::vector<std::string>> check_library_tags(std::vector<std::string> const& tags);
result<std::string> check_library_tag(std::string_view s);

// Thread safety: all methods from any worker thread (they block on the store).
// Changes spend the caller's edit budget, searches the search budget (rate_limited when over).
class library {
 public:
  explicit library(context& ctx);

  static constexpr std::size_t max_tags = 10;

  // Any member saves a live message (with a question's accepted answer) → library_added.
  result<library_change> add(user const& who, group_id g, seq_t seq, std::string_view title,
                             std::vector<std::string> const& tags);
  // Its curator, an owner or an admin → library_updated.
  result<library_change> update(user const& who, group_id g, std::int64_t entry, std::optional<std::string> title,
                                std::optional<std::vector<std::string>> tags);
  // Its curator, an owner or an admin → library_removed.
  result<event> remove(user const& who, group_id g, std::int64_t entry);
  result<library_page> list(user const& who, group_id g, library_query const& query);

 private:
  context& ctx_;
  rate_limiter change_limit_;
  rate_limiter search_limit_;
};

}  // namespace peerchat::service
