// SPDX-License-Identifier: MIT
// Messages and the group's log: send, edit, delete, react, read markers, history, search.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/domain/message.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace peerchat::service {

struct send_request {
  group_id group{};
  std::string body;
  std::string client_msg_id;
  std::optional<seq_t> reply_to;
  std::vector<std::string> attachments;  // upload ids (attachments.hpp), at most 10; the body may then be empty
  bool question = false;  // asked as a question (questions.hpp): the event carries question:{state:"open"}
};

struct send_result {
  event message;      // the `message` event (the original one for a retry)
  bool created = false;
};

struct page_event {
  seq_t seq = 0;
  std::string wire;  // the event's wire JSON, as stored
};

struct events_page {
  std::vector<page_event> events;  // oldest first
  seq_t last_seq = 0;
};

// Thread safety: all methods from any thread; the sync ones block on the store, so never
// call them on an I/O thread. send_async never blocks.
// Every change and every search spends the caller's budget first (rate_limited when over);
// a full writer queue answers rate_limited too (retry_after_ms 1000).
class messages {
 public:
  explicit messages(context& ctx);

  static constexpr std::size_t max_attachments = 10;

  // Erases stored files no row uses any more (attachments::erase_unused_files); remove() calls
  // it after a delete commits. Set once by whoever builds the services, before any request.
  void set_file_eraser(std::function<void(std::vector<std::string> const&)> erase) { erase_files_ = std::move(erase); }

  // Validation and rate limiting, without touching the store (cheap; any thread).
  result<send_request> prepare_send(user const& who, send_request req);
  // Commits the message; `done` runs on the writer thread after the commit.
  void send_async(user const& who, send_request req, std::function<void(result<send_result>)> done);
  result<send_result> send(user const& who, send_request req);

  result<event> edit(user const& who, group_id g, seq_t seq, std::string_view body);
  result<event> remove(user const& who, group_id g, seq_t seq);
  // Erases every live message `sender` sent, in every group, as remove() does (bodies, edits,
  // attachments, search index; a message_deleted event each by `actor`), in writer batches of
  // `batch` messages so that other writes go on between them. Returns how many. No budget:
  // an account deletion calls it (docs/accounts.md "Administration").
  result<std::size_t> erase_all_by(user_id sender, user_id actor, int batch = 100);
  // nullopt when nothing changed (the reaction was already there, or already gone).
  result<std::optional<event>> react(user const& who, group_id g, seq_t seq, std::string_view emoji, bool add);
  result<seq_t> mark_read(user const& who, group_id g, seq_t seq);

  result<std::vector<message_view>> history(user const& who, group_id g, std::optional<seq_t> before, int limit);
  // Oldest first: the messages after `after` (the export reads a whole history this way).
  result<std::vector<message_view>> history_after(user const& who, group_id g, seq_t after, int limit);
  result<events_page> events_after(user const& who, group_id g, seq_t after, int limit);
  result<std::vector<search_hit>> search(user const& who, std::string_view query,
                                         std::optional<group_id> g, int limit);

 private:
  context& ctx_;
  // Per-user budgets (config.hpp says what a phone spends); over one → rate_limited.
  rate_limiter send_limit_;
  rate_limiter edit_limit_;    // edits and deletes
  rate_limiter react_limit_;   // reactions added or removed
  rate_limiter search_limit_;
  std::function<void(std::vector<std::string> const&)> erase_files_;  // set before use; may be empty
};

}  // namespace peerchat::service
