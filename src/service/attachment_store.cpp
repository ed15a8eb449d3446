// SPDX-License-Identifier: MIT
// Attachments as stored beside the messages (service/attachment_store.hpp).
#include "peerchat/service/attachment_store.hpp"
#include <set>

namespace peerchat::service {

namespace {
constexpr char upload_sql[] =
    "SELECT group_id, uploader_id, message_seq, name, size, mime, width, height, duration_ms, thumb_sha256 IS NOT NULL "
    "FROM attachments WHERE id = ?1";
constexpr char attach_sql[] = "UPDATE attachments SET message_seq = ?2, position = ?3 WHERE id = ?1";
constexpr char message_files_sql[] =
    "SELECT sha256, thumb_sha256 FROM attachments WHERE group_id = ?1 AND message_seq = ?2";
constexpr char delete_message_rows_sql[] = "DELETE FROM attachments WHERE group_id = ?1 AND message_seq = ?2";
constexpr char file_used_sql[] =
    "SELECT EXISTS (SELECT 1 FROM attachments WHERE sha256 = ?1) OR "
    "EXISTS (SELECT 1 FROM attachments WHERE thumb_sha256 = ?1)";
constexpr char in_range_sql[] =
    "SELECT message_seq, id, name, size, mime, width, height, duration_ms, thumb_sha256 IS NOT NULL "
    "FROM attachments WHERE group_id = ?1 AND message_seq BETWEEN ?2 AND ?3 ORDER BY message_seq, position";

// Columns name, size, mime, width, height, duration_ms, has_thumb starting at `col`.
attachment_info read_info(store::statement& st, std::string id, int col) {
  attachment_info a;
  a.id = std::move(id);
  a.name = st.text(col);
  a.size = static_cast<std::uint64_t>(st.int64(col + 1));
  a.mime = st.text(col + 2);
  if (!st.is_null(col + 3)) a.width = static_cast<int>(st.int64(col + 3));
  if (!st.is_null(col + 4)) a.height = static_cast<int>(st.int64(col + 4));
  if (!st.is_null(col + 5)) a.duration_ms = st.int64(col + 5);
  a.thumb = st.int64(col + 6) != 0;
  return a;
}
}  // namespace

result<std::vector<attachment_info>> attach_uploads(store::database& db, group_id g, seq_t seq, user_id uploader,
                                                    std::vector<std::string> const& ids) {
  // Every id is checked before any row changes, so a refusal leaves nothing half attached.
  std::vector<attachment_info> out;
  std::set<std::string> seen;
  for (auto const& id : ids) {
    auto refuse = [&] { return make_error(errc::bad_request, "attachment " + id + " is not yours to attach here"); };
    if (!seen.insert(id).second) return refuse();  // the same upload twice in one message
    auto& st = db.prepare(upload_sql).bind(1, id);
    if (!st.step()) return refuse();
    if (group_id{st.int64(0)} != g || user_id{st.int64(1)} != uploader || !st.is_null(2)) return refuse();
    out.push_back(read_info(st, id, 3));
    st.reset();
  }
  for (std::size_t i = 0; i < ids.size(); ++i)
    db.prepare(attach_sql).bind(1, ids[i]).bind(2, seq).bind(3, static_cast<std::int64_t>(i)).exec();
  return out;
}

std::vector<std::string> forget_unused_files(store::database& db, std::vector<std::string> const& candidates) {
  std::vector<std::string> unused;
  std::set<std::string> seen;
  for (auto const& hash : candidates) {
    if (!seen.insert(hash).second) continue;
    auto& used = db.prepare(file_used_sql).bind(1, hash);
    used.step();
    bool in_use = used.int64(0) != 0;
    used.reset();
    if (in_use) continue;
    db.prepare("DELETE FROM attachment_files WHERE sha256 = ?1").bind(1, hash).exec();
    unused.push_back(hash);
  }
  return unused;
}

std::vector<std::string> detach_message(store::database& db, group_id g, seq_t seq) {
  std::vector<std::string> candidates;
  auto& st = db.prepare(message_files_sql).bind(1, raw(g)).bind(2, seq);
  while (st.step()) {
    candidates.push_back(st.text(0));
    if (!st.is_null(1)) candidates.push_back(st.text(1));
  }
  if (candidates.empty()) return {};  // a message without attachments: one read, no write
  db.prepare(delete_message_rows_sql).bind(1, raw(g)).bind(2, seq).exec();
  return forget_unused_files(db, candidates);
}

std::map<seq_t, std::vector<attachment_info>> attachments_in_range(store::database& db, group_id g, seq_t from,
                                                                   seq_t to) {
  std::map<seq_t, std::vector<attachment_info>> out;
  auto& st = db.prepare(in_range_sql).bind(1, raw(g)).bind(2, from).bind(3, to);
  while (st.step()) out[st.int64(0)].push_back(read_info(st, st.text(1), 2));
  return out;
}

}  // namespace peerchat::service
