// SPDX-License-Identifier: MIT
// Unit-test fixtures: a migrated SQLite file in a temporary data dir, the writer and reader
// on it, a manual clock, the services, and the people of every story: alice (a server
// admin), bob and carol, and alice's group "coaches".
#pragma once
#include "peerchat/core/clock.hpp"
#include "peerchat/core/config.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/core/error.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/accounts.hpp"
#include "peerchat/service/context.hpp"
#include "peerchat/service/groups.hpp"
#include "peerchat/service/invites.hpp"
#include "peerchat/service/messages.hpp"
#include "peerchat/store/database.hpp"
#include "peerchat/store/migrations.hpp"
#include "peerchat/store/reader.hpp"
#include "peerchat/store/writer.hpp"
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat {
// So that gtest prints `forbidden` rather than `4` when an expectation on a code fails.
inline void PrintTo(errc code, std::ostream* os) { *os << to_string(code); }
inline void PrintTo(role r, std::ostream* os) { *os << to_string(r); }
}  // namespace peerchat

namespace peerchat::unit {

namespace fs = std::filesystem;
using json = nlohmann::json;

// ---------------------------------------------------------------------------------------
// Assertions on result<T>: failures print the error's code and message.

template <class T>
::testing::AssertionResult is_ok(result<T> const& r) {
  if (r) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "failed with " << to_string(r.error().code) << ": "
                                       << r.error().message;
}

template <class T>
::testing::AssertionResult fails_with(result<T> const& r, errc expected) {
  if (r) return ::testing::AssertionFailure() << "succeeded, expected " << to_string(expected);
  if (r.error().code != expected)
    return ::testing::AssertionFailure() << "failed with " << to_string(r.error().code) << " ("
                                         << r.error().message << "), expected " << to_string(expected);
  return ::testing::AssertionSuccess();
}

#define EXPECT_OK(expr) EXPECT_TRUE(::peerchat::unit::is_ok(expr))
#define ASSERT_OK(expr) ASSERT_TRUE(::peerchat::unit::is_ok(expr))
#define EXPECT_ERRC(expr, code) EXPECT_TRUE(::peerchat::unit::fails_with((expr), ::peerchat::errc::code))
#define ASSERT_ERRC(expr, code) ASSERT_TRUE(::peerchat::unit::fails_with((expr), ::peerchat::errc::code))

// The value of a result a test depends on; a failure throws, which gtest reports with the
// error's message (helpers that return values cannot use ASSERT_*).
template <class T>
T must(result<T> r, std::string_view what = "step") {
  if (!r)
    throw std::runtime_error(std::string(what) + " failed with " + std::string(to_string(r.error().code)) + ": " +
                             r.error().message);
  return std::move(*r);
}
inline void must(result<void> r, std::string_view what = "step") {
  if (!r)
    throw std::runtime_error(std::string(what) + " failed with " + std::string(to_string(r.error().code)) + ": " +
                             r.error().message);
}

// ---------------------------------------------------------------------------------------

// A directory of its own under $TMPDIR, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "peerchat-unit-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("cannot create a temporary directory");
    path_ = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  temp_dir(temp_dir const&) = delete;
  temp_dir& operator=(temp_dir const&) = delete;
  fs::path const& path() const { return path_; }

 private:
  fs::path path_;
};

// Every fixture person's password.
inline constexpr std::string_view fixture_password = "correct horse battery staple";

// Argon2id costs ~50 ms a hash, so fixture people share one hash, made once per run.
inline std::string const& fixture_password_hash() {
  static std::string const hash = [] {
    crypto::init();
    return crypto::hash_password(fixture_password);
  }();
  return hash;
}

// A migrated database file in a fresh data dir, with the writer and a reader pool on it.
class store_fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::init();
    dir_.emplace();
    db_file_ = dir_->path() / "peerchat.db";
    {
      store::database db(db_file_, store::database::mode::read_write);
      store::migrate(db);
    }
    writer_ = std::make_unique<store::writer>(db_file_);
    reader_ = std::make_unique<store::reader>(db_file_);
  }

  void TearDown() override {
    if (writer_) writer_->stop();
    writer_.reset();
    reader_.reset();
    dir_.reset();
  }

  store::writer& writer() { return *writer_; }
  store::reader& reader() { return *reader_; }
  fs::path const& db_file() const { return db_file_; }
  fs::path const& data_dir() const { return dir_->path(); }

  // The first column of the first row of a query, read on a reader connection.
  std::int64_t query_int(std::string const& sql) {
    return reader_->with([&](store::database& db) -> std::int64_t {
      auto& st = db.prepare(sql);
      if (!st.step()) throw std::runtime_error("no row for: " + sql);
      return st.int64(0);
    });
  }

  // Every row of a query, its columns as text (NULL as "<null>").
  std::vector<std::vector<std::string>> query_rows(std::string const& sql) {
    return reader_->with([&](store::database& db) {
      std::vector<std::vector<std::string>> rows;
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db.handle(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("cannot prepare: ") + sqlite3_errmsg(db.handle()));
      while (sqlite3_step(st) == SQLITE_ROW) {
        std::vector<std::string> row;
        for (int c = 0; c < sqlite3_column_count(st); ++c) {
          auto const* text = reinterpret_cast<char const*>(sqlite3_column_text(st, c));
          row.push_back(text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(st, c))) : "<null>");
        }
        rows.push_back(std::move(row));
      }
      sqlite3_finalize(st);
      return rows;
    });
  }

  // The first column of every row.
  std::vector<std::string> query_column(std::string const& sql) {
    std::vector<std::string> out;
    for (auto& row : query_rows(sql)) out.push_back(row.at(0));
    return out;
  }

  // Runs statements on the writer thread, committed.
  void exec(std::string const& sql) {
    must(writer_->call([&](store::database& db, store::event_list&) -> result<void> {
      db.exec(sql);
      return {};
    }), "exec");
  }

 private:
  std::optional<temp_dir> dir_;
  fs::path db_file_;
  std::unique_ptr<store::writer> writer_;
  std::unique_ptr<store::reader> reader_;
};

// The store plus a manual clock, the config, the services and alice, bob and carol.
class service_fixture : public store_fixture {
 protected:
  void SetUp() override {
    store_fixture::SetUp();
    ctx_ = std::make_unique<service::context>(service::context{writer(), reader(), clock, cfg, {}});
    auto people = make_people({{"alice", "Alice Adams", true}, {"bob", "Bob Brown", false},
                               {"carol", "Carol Clark", false}});
    alice = people[0];
    bob = people[1];
    carol = people[2];
  }

  void TearDown() override {
    messages_.reset();
    invites_.reset();
    groups_.reset();
    accounts_.reset();
    ctx_.reset();
    store_fixture::TearDown();
  }

  // Services are made on first use, so a test may change `cfg` (limits are read when a
  // service is made) before it touches them; accounts also costs a password hash to make.
  service::context& ctx() { return *ctx_; }
  service::accounts& accounts() { return lazy(accounts_); }
  service::groups& groups() { return lazy(groups_); }
  service::invites& invites() { return lazy(invites_); }
  service::messages& messages() { return lazy(messages_); }

  struct person_spec {
    std::string username;
    std::string display_name;
    bool is_admin = false;
  };

  // Users with the fixture password and a session each, inserted in one commit (no hashing).
  std::vector<principal> make_people(std::vector<person_spec> const& specs) {
    millis_t now = clock.now();
    auto days = cfg.limits.session_days;
    std::vector<principal> out;
    must(writer().call([&](store::database& db, store::event_list&) -> result<void> {
      for (auto const& s : specs) {
        auto u = service::insert_user(db, s.username, s.display_name, fixture_password_hash(), s.is_admin, now);
        if (!u) return u.error();
        session_id sid{};
        service::create_session(db, u->id, now, days, &sid);
        out.push_back(principal{*u, sid});
      }
      return {};
    }), "make_people");
    return out;
  }

  principal make_person(std::string username, std::string display_name, bool is_admin = false) {
    return make_people({{std::move(username), std::move(display_name), is_admin}}).at(0);
  }

  // alice's group "coaches": alice is its only member, its owner.
  group_id create_coaches() { return must(groups().create(alice, "coaches", "who trains whom"), "create coaches").group.id; }

  // Joins `who` to g through a single-use invite alice makes, then gives them role r.
  void join(group_id g, principal const& who, role r = role::member) {
    auto inv = must(invites().create(alice, g, 1, 3600), "create invite");
    auto accepted = must(invites().accept(who, inv.code), "accept invite");
    if (!accepted.joined) throw std::runtime_error(who.user.username + " was already a member");
    if (r != role::member) must(groups().set_role(alice, g, who.user.id, r), "set role");
  }

  // Sends a message with a fresh client_msg_id; returns its seq.
  seq_t say(principal const& who, group_id g, std::string body) {
    service::send_request req{g, std::move(body), "cm-" + std::to_string(++client_msg_counter_), std::nullopt, {}};
    return must(messages().send(who.user, std::move(req)), "send").message.seq;
  }

  // The group's event log as `who` reads it, parsed.
  std::vector<json> events_of(group_id g, principal const& who, seq_t after = 0) {
    std::vector<json> out;
    for (auto const& stored : must(messages().events_after(who.user, g, after, 1000), "events_after").events)
      out.push_back(json::parse(stored.wire));
    return out;
  }

  static std::string id_of(group_id g) { return std::to_string(raw(g)); }
  static std::string id_of(principal const& p) { return std::to_string(raw(p.user.id)); }

  manual_clock clock;
  peerchat::config cfg;
  principal alice;  // a server admin
  principal bob;
  principal carol;

 private:
  template <class Service>
  Service& lazy(std::unique_ptr<Service>& slot) {
    if (!slot) slot = std::make_unique<Service>(*ctx_);
    return *slot;
  }

  std::unique_ptr<service::context> ctx_;
  std::unique_ptr<service::accounts> accounts_;
  std::unique_ptr<service::groups> groups_;
  std::unique_ptr<service::invites> invites_;
  std::unique_ptr<service::messages> messages_;
  int client_msg_counter_ = 0;
};

}  // namespace peerchat::unit
