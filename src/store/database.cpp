// SPDX-License-Identifier: MIT
// SQLite connections: opening with peerchat's settings, statements, transactions.
#include "peerchat/store/database.hpp"
#include <sqlite3.h>
#include <sys/stat.h>

namespace peerchat::store {

namespace {
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context) {
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw sqlite_error(rc, msg);
}
}  // namespace

bool sqlite_error::is_constraint() const noexcept { return (code_ & 0xff) == SQLITE_CONSTRAINT; }

statement::statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "prepare");
}

statement::~statement() { sqlite3_finalize(stmt_); }

statement& statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return *this;
}

statement& statement::bind(int i, std::int64_t v) {
  if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

statement& statement::bind(int i, std::string_view v) {
  if (int rc = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
      rc != SQLITE_OK)
    fail(db_, rc, "bind");
  return *this;
}

statement& statement::bind_blob(int i, std::string_view bytes) {
  if (int rc = sqlite3_bind_blob(stmt_, i, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT); rc != SQLITE_OK)
    fail(db_, rc, "bind");
  return *this;
}

statement& statement::bind(int i, std::nullopt_t) {
  if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  fail(db_, rc, "step");
}

bool statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::int64_t statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string statement::text(int col) const { return std::string(text_view(col)); }
std::string statement::blob(int col) const {
  auto const* p = static_cast<char const*>(sqlite3_column_blob(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
std::string_view statement::text_view(int col) const {
  auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(stmt_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string_view();
}

database::database(std::filesystem::path const& file, mode m) {
  int flags = m == mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  flags |= SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "cannot open database " + file.string() + ": " +
                      (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
    sqlite3_close(db_);
    db_ = nullptr;
    throw sqlite_error(rc, msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  // A writer that waits on a backup or the admin CLI waits this long before giving up.
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA foreign_keys = ON");
  // Freed space and freed pages are overwritten with zeros, so an erased message body does
  // not survive in the file's free space (the vendored SQLite defaults to it; say it anyway).
  exec("PRAGMA secure_delete = ON");
  if (m == mode::read_write) {
    // Owner only, also for a database an older peerchat created 0644 (invite codes are kept
    // in clear). SQLite gives the WAL and shared-memory files the database's mode.
    ::chmod(file.c_str(), S_IRUSR | S_IWUSR);
    // WAL lets readers run beside the one writer. synchronous=FULL fsyncs the WAL at every
    // commit, so an acknowledged message survives a power cut; group commit pays that fsync
    // once per batch instead of once per message.
    exec("PRAGMA journal_mode = WAL");
    exec("PRAGMA synchronous = FULL");
    // Each job's SAVEPOINT keeps the pages it changes in a sub-journal; on disk (the default)
    // that was 26 pwrite calls per message. 32 MiB of page cache keeps the indexes' inner
    // pages in memory (the default is 2 MiB). docs/performance.md has the figures.
    exec("PRAGMA temp_store = MEMORY");
    exec("PRAGMA cache_size = -32768");
  }
}

database::~database() {
  cache_.clear();
  sqlite3_close(db_);
}

statement& database::prepare(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end())
    it = cache_.emplace(std::string(sql), std::make_unique<statement>(db_, sql)).first;
  return it->second->reset();
}

void database::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw sqlite_error(rc, msg);
  }
}

void database::reset_all() noexcept {
  for (auto& [sql, st] : cache_) st->reset();
}

std::int64_t database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
int database::changes() const { return sqlite3_changes(db_); }

transaction::transaction(database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
transaction::~transaction() {
  if (!done_) {
    try { db_.exec("ROLLBACK"); } catch (...) {}
  }
}
void transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace peerchat::store
