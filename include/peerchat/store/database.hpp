// SPDX-License-Identifier: MIT
// RAII wrappers for an SQLite connection, its statements and transactions.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace peerchat::store {

// Thrown by the store for any SQLite failure; the writer turns it into a rolled-back job.
class sqlite_error : public std::runtime_error {
 public:
  sqlite_error(int code, std::string const& what) : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }
  // True for UNIQUE / PRIMARY KEY violations.
  bool is_constraint() const noexcept;

 private:
  int code_;
};

// A prepared statement. Bind with 1-based indexes, step(), read columns 0-based.
// Statements from database::prepare() are cached and reset on each prepare().
class statement {
 public:
  statement(sqlite3* db, std::string_view sql);
  ~statement();
  statement(statement const&) = delete;
  statement& operator=(statement const&) = delete;

  statement& reset();
  statement& bind(int i, std::int64_t v);
  statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  statement& bind(int i, std::string_view v);
  statement& bind(int i, char const* v) { return bind(i, std::string_view(v)); }
  statement& bind(int i, std::nullopt_t);
  statement& bind_blob(int i, std::string_view bytes);  // stored as a BLOB, not TEXT
  template <class T>
  statement& bind(int i, std::optional<T> const& v) {
    return v ? bind(i, *v) : bind(i, std::nullopt);
  }

  // Advances to the next row; false when done.
  bool step();
  // Runs a statement that returns no rows.
  void exec() { while (step()) {} }

  bool is_null(int col) const;
  std::int64_t int64(int col) const;
  std::string text(int col) const;
  std::string_view text_view(int col) const;  // valid until the next step()
  std::string blob(int col) const;             // a BLOB's bytes

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Thread safety: a database (and its statements) is used by one thread at a time.
class database {
 public:
  enum class mode { read_write, read_only };
  database(std::filesystem::path const& file, mode m);
  ~database();
  database(database const&) = delete;
  database& operator=(database const&) = delete;

  // A cached prepared statement for sql (compared by content), reset and unbound.
  statement& prepare(std::string_view sql);
  // Runs one or more statements with no parameters.
  void exec(std::string_view sql);
  // Resets every cached statement, ending the read transaction an unfinished one holds
  // (otherwise a pooled connection would keep seeing an old snapshot).
  void reset_all() noexcept;
  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<statement>> cache_;
};

// BEGIN IMMEDIATE on construction; rolls back unless commit() was called.
class transaction {
 public:
  explicit transaction(database& db);
  ~transaction();
  void commit();

 private:
  database& db_;
  bool done_ = false;
};

}  // namespace peerchat::store
