// SPDX-License-Identifier: MIT
// Erasing what a deleted person wrote with the community tools. Each piece of text lives in its
// own table and in the event that announced it; both are rewritten, the event found by its
// (group, seq) key. A quiz's questions went out as quiz_question events between its start and
// its end, so those are found by a range of the group's log rather than a scan of all of it.
#include "peerchat/service/community_erasure.hpp"
#include "peerchat/store/database.hpp"
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace peerchat::service {

namespace {

using keyed = std::tuple<std::int64_t, std::int64_t, std::int64_t>;  // id, group, seq

std::vector<keyed> rows(store::database& db, char const* sql, user_id author) {
  std::vector<keyed> out;
  auto& st = db.prepare(sql).bind(1, raw(author));
  while (st.step()) out.emplace_back(st.int64(0), st.int64(1), st.is_null(2) ? -1 : st.int64(2));
  st.reset();
  return out;
}

// Sets the JSON paths of one stored event to the erased text and marks it erased.
void erase_in_event(store::database& db, std::int64_t group, std::int64_t seq, std::string_view paths_sql) {
  if (seq < 0) return;
  db.prepare(paths_sql).bind(1, group).bind(2, seq).bind(3, erased_text).exec();
}

// SQL for an event's options array with each text replaced by the parameter `param`.
std::string erased_options(std::string const& param) {
  return "json((SELECT json_group_array(" + param + ") FROM json_each(json_extract(data, '$.options'))))";
}

std::size_t erase_kudos(store::database& db, user_id author) {
  auto found = rows(db, "SELECT id, group_id, seq FROM kudos WHERE from_user_id = ?1", author);
  for (auto const& [id, group, seq] : found) {
    db.prepare("UPDATE kudos SET note = ?2 WHERE id = ?1").bind(1, id).bind(2, erased_text).exec();
    erase_in_event(db, group, seq,
                   "UPDATE events SET data = json_set(data, '$.note', ?3, '$.erased', json('true')) "
                   "WHERE group_id = ?1 AND seq = ?2");
  }
  return found.size();
}

std::size_t erase_polls(store::database& db, user_id author) {
  auto found = rows(db, "SELECT id, group_id, seq FROM polls WHERE author_id = ?1", author);
  for (auto const& [id, group, seq] : found) {
    db.prepare("UPDATE polls SET question = ?2 WHERE id = ?1").bind(1, id).bind(2, erased_text).exec();
    db.prepare("UPDATE poll_options SET text = ?2 WHERE poll_id = ?1").bind(1, id).bind(2, erased_text).exec();
    static std::string const sql = "UPDATE events SET data = json_set(data, '$.question', ?3, '$.options', " +
                                   erased_options("?3") + ", '$.erased', json('true')) WHERE group_id = ?1 AND seq = ?2";
    erase_in_event(db, group, seq, sql);
  }
  return found.size();
}

std::size_t erase_quizzes(store::database& db, user_id author) {
  db.prepare("DELETE FROM quizzes WHERE host_id = ?1 AND state = 'draft'").bind(1, raw(author)).exec();
  std::size_t drafts = static_cast<std::size_t>(db.changes());
  auto found = rows(db, "SELECT id, group_id, started_seq FROM quizzes WHERE host_id = ?1", author);
  for (auto const& [id, group, started] : found) {
    db.prepare("UPDATE quizzes SET title = ?2 WHERE id = ?1").bind(1, id).bind(2, erased_text).exec();
    db.prepare("UPDATE quiz_questions SET text = ?2, options = (SELECT json_group_array(?2) FROM json_each(options)) "
               "WHERE quiz_id = ?1")
        .bind(1, id).bind(2, erased_text).exec();
    if (started < 0) continue;
    // Its events: quiz_started, its questions, quiz_finished, all at or after its start.
    static std::string const sql =
        "UPDATE events SET data = CASE kind "
        "  WHEN 'quiz_question' THEN json_set(data, '$.text', ?4, '$.options', " + erased_options("?4") +
        ", '$.erased', json('true')) "
        "  ELSE json_set(data, '$.title', ?4, '$.erased', json('true')) END "
        "WHERE group_id = ?1 AND seq >= ?2 AND seq <= coalesce((SELECT finished_seq FROM quizzes WHERE id = ?3), "
        "  (SELECT last_seq FROM groups WHERE id = ?1)) "
        "AND kind IN ('quiz_started', 'quiz_question', 'quiz_finished') AND json_extract(data, '$.quiz_id') = ?3";
    db.prepare(sql)
        .bind(1, group).bind(2, started).bind(3, id).bind(4, erased_text).exec();
  }
  return drafts + found.size();
}

}  // namespace

std::size_t erase_community_text(store::database& db, user_id author) {
  std::size_t erased = erase_kudos(db, author) + erase_polls(db, author) + erase_quizzes(db, author);
  // The old pages still hold the text in the WAL: the checkpointer truncates it when this
  // counter moves (migration 0003), as it does after a message's body is erased.
  if (erased) db.prepare("UPDATE erasures SET count = count + 1 WHERE id = 1").exec();
  return erased;
}

}  // namespace peerchat::service
