// SPDX-License-Identifier: MIT
// The single writer: group commit, per-job rollback, ordered publication, call() and stop().
#include "fixture.hpp"
#include "peerchat/service/event_log.hpp"
#include <atomic>
#include <future>
#include <latch>
#include <mutex>
#include <thread>

namespace peerchat::unit {
namespace {

using store::database;
using store::event_list;

class Writer : public store_fixture {
 protected:
  void SetUp() override {
    store_fixture::SetUp();
    exec("INSERT INTO groups (id, name, created_at) VALUES (1, 'coaches', 1)");
    exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)");
  }

  // Collects what the writer publishes (on its own thread).
  void collect_published() {
    writer().set_publisher([this](event_list const& events) {
      std::lock_guard lock(published_mutex_);
      for (auto const& e : events) published_.push_back(e.seq);
    });
  }
  std::vector<seq_t> published() {
    std::lock_guard lock(published_mutex_);
    return published_;
  }

  // Holds the writer thread inside a job until release() is called, so that whatever is
  // posted meanwhile is queued and committed as one batch.
  void hold_writer() {
    auto entered = std::make_shared<std::promise<void>>();
    auto inside = entered->get_future();
    std::shared_future<void> released = release_.get_future();
    writer().post(
        [entered, released](database&, event_list&) {
          entered->set_value();
          released.wait();
        },
        nullptr);
    inside.wait();
  }
  void release() { release_.set_value(); }

  // A job that notes `text` and appends one event to group 1.
  static store::writer::work_fn note(std::string text) {
    return [text = std::move(text)](database& db, event_list& events) {
      db.prepare("INSERT INTO notes (text) VALUES (?1)").bind(1, text).exec();
      service::append_event(db, events, {group_id{1}, event_kind::group_updated, 1, std::nullopt, std::nullopt,
                                         user_id{}, {{"note", text}}});
    };
  }

 private:
  std::mutex published_mutex_;
  std::vector<seq_t> published_;  // guarded by published_mutex_
  std::promise<void> release_;
};

TEST_F(Writer, CallReturnsTheJobsResult) {
  auto r = writer().call([](database& db, event_list&) -> result<int> {
    db.exec("INSERT INTO notes (text) VALUES ('hello')");
    return 42;
  });
  ASSERT_OK(r);
  EXPECT_EQ(*r, 42);
  EXPECT_EQ(query_int("SELECT count(*) FROM notes WHERE text = 'hello'"), 1);  // committed when call returns
}

TEST_F(Writer, CallPassesAnErrorResultThrough) {
  auto r = writer().call([](database&, event_list&) -> result<int> {
    return make_error(errc::conflict, "that username is taken");
  });
  ASSERT_ERRC(r, conflict);
  EXPECT_EQ(r.error().message, "that username is taken");
}

TEST_F(Writer, CallTurnsAnExceptionIntoInternalAndRollsBack) {
  auto r = writer().call([](database& db, event_list&) -> result<int> {
    db.exec("INSERT INTO notes (text) VALUES ('half-written')");
    throw std::runtime_error("disk on fire");
  });
  EXPECT_ERRC(r, internal);
  EXPECT_EQ(query_int("SELECT count(*) FROM notes"), 0);
}

TEST_F(Writer, CallAfterStopIsRefusedAsInternal) {
  writer().stop();
  auto r = writer().call([](database&, event_list&) -> result<int> { return 1; });
  EXPECT_ERRC(r, internal);
}

TEST_F(Writer, QueuedJobsCommitAsOneBatch) {
  collect_published();
  hold_writer();
  std::atomic<int> committed{0};
  for (int i = 0; i < 50; ++i) writer().post(note("note " + std::to_string(i)), [&](bool ok) { committed += ok; });
  auto before = writer().statistics();
  release();
  writer().stop();

  EXPECT_EQ(committed.load(), 50);
  EXPECT_EQ(query_int("SELECT count(*) FROM notes"), 50);
  auto after = writer().statistics();
  EXPECT_EQ(after.batches - before.batches, 1u);  // 50 jobs, one transaction, one fsync
  EXPECT_EQ(after.largest_batch, 50u);
}

TEST_F(Writer, PostsFromManyThreadsAllCommitAndPublishInCommitOrder) {
  collect_published();
  constexpr int threads = 4;
  constexpr int per_thread = 100;
  std::latch start(threads);
  std::atomic<int> committed{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> posters;
  for (int t = 0; t < threads; ++t)
    posters.emplace_back([&, t] {
      start.arrive_and_wait();
      for (int i = 0; i < per_thread; ++i)
        writer().post(note(std::to_string(t) + "/" + std::to_string(i)), [&](bool ok) { (ok ? committed : refused)++; });
    });
  for (auto& p : posters) p.join();
  writer().stop();

  EXPECT_EQ(committed.load(), threads * per_thread);
  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(query_int("SELECT count(*) FROM notes"), threads * per_thread);
  // Published once each, in commit order: seq 1, 2, 3… with no gap and no repeat.
  auto seqs = published();
  ASSERT_EQ(seqs.size(), static_cast<std::size_t>(threads * per_thread));
  for (std::size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], static_cast<seq_t>(i + 1)) << "at " << i;
  EXPECT_EQ(query_int("SELECT last_seq FROM groups WHERE id = 1"), threads * per_thread);
  EXPECT_EQ(writer().statistics().jobs, static_cast<std::uint64_t>(threads * per_thread + 2));  // + SetUp's two
}

TEST_F(Writer, AThrowingJobIsRolledBackAloneInItsBatch) {
  collect_published();
  hold_writer();
  std::vector<std::optional<bool>> done(3);
  writer().post(note("first"), [&](bool ok) { done[0] = ok; });
  writer().post(
      [](database& db, event_list& events) {
        note("doomed")(db, events);  // writes a row and takes seq 2…
        throw std::runtime_error("and then fails");
      },
      [&](bool ok) { done[1] = ok; });
  writer().post(note("third"), [&](bool ok) { done[2] = ok; });
  release();
  writer().stop();

  EXPECT_EQ(query_column("SELECT text FROM notes ORDER BY id"), (std::vector<std::string>{"first", "third"}));
  // The failed job's seq was rolled back with it: no gap, and its event was never published.
  EXPECT_EQ(published(), (std::vector<seq_t>{1, 2}));
  EXPECT_EQ(query_column("SELECT seq FROM events WHERE group_id = 1 ORDER BY seq"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(query_int("SELECT last_seq FROM groups WHERE id = 1"), 2);
  // done(committed) reports the batch: the neighbours committed, and so did the batch.
  EXPECT_EQ(done[0], std::optional<bool>(true));
  EXPECT_EQ(done[2], std::optional<bool>(true));
  EXPECT_TRUE(done[1].has_value());
}

TEST_F(Writer, AConstraintViolationFailsOnlyThatJob) {
  exec("INSERT INTO notes (text) VALUES ('taken')");
  hold_writer();
  writer().post(
      [](database& db, event_list&) {
        db.exec("INSERT INTO notes (text) VALUES ('fresh')");
        db.exec("INSERT INTO notes (text) VALUES ('taken')");  // UNIQUE: throws sqlite_error
      },
      nullptr);
  writer().post([](database& db, event_list&) { db.exec("INSERT INTO notes (text) VALUES ('other')"); }, nullptr);
  release();
  writer().stop();
  EXPECT_EQ(query_column("SELECT text FROM notes ORDER BY id"), (std::vector<std::string>{"taken", "other"}));
}

TEST_F(Writer, StopDrainsTheQueue) {
  std::atomic<int> committed{0};
  for (int i = 0; i < 200; ++i) writer().post(note("n" + std::to_string(i)), [&](bool ok) { committed += ok; });
  writer().stop();
  EXPECT_EQ(committed.load(), 200);
  EXPECT_EQ(query_int("SELECT count(*) FROM notes"), 200);
}

TEST_F(Writer, StopWhileJobsAreQueuedCommitsThemBeforeReturning) {
  std::promise<void> go;
  auto go_future = go.get_future();
  // The first job waits until everything else is queued, then stops the writer from its
  // own thread: the stop is certain to find a full queue.
  writer().post(
      [&](database&, event_list&) {
        go_future.wait();
        writer().stop();
      },
      nullptr);
  std::atomic<int> committed{0};
  for (int i = 0; i < 100; ++i) writer().post(note("q" + std::to_string(i)), [&](bool ok) { committed += ok; });
  go.set_value();
  writer().stop();  // joins

  EXPECT_EQ(committed.load(), 100);
  EXPECT_EQ(query_int("SELECT count(*) FROM notes"), 100);
}

TEST_F(Writer, PostAfterStopIsRefusedAtOnce) {
  writer().stop();
  std::optional<bool> done;
  bool ran = false;
  writer().post([&](database&, event_list&) { ran = true; }, [&](bool ok) { done = ok; });
  EXPECT_EQ(done, std::optional<bool>(false));
  EXPECT_FALSE(ran);
  writer().stop();  // idempotent
}

using WriterDeathTest = Writer;

TEST_F(WriterDeathTest, AJobThrowingSomethingElseFailsOnlyThatJob) {
  // The writer documents that a job may throw to fail; it must not matter what it throws.
  // Run in a child process: if the writer thread lets the exception escape, std::terminate
  // takes the whole server (here: the child) down.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        auto failed = writer().call([](database&, event_list&) -> result<int> { throw 42; });
        auto next = writer().call([](database&, event_list&) -> result<int> { return 7; });
        int code = !failed && failed.error().code == errc::internal && next && *next == 7 ? 0 : 1;
        TearDown();  // the child skips gtest's: remove its data dir here
        std::_Exit(code);
      },
      ::testing::ExitedWithCode(0), "");
}

// Issue 10, item 8: the queue is bounded and pushes back instead of growing.
TEST_F(Writer, AFullQueueRefusesMoreAndRecovers) {
  store::writer small(db_file(), 4);
  std::promise<void> entered, released;
  std::shared_future<void> go = released.get_future().share();
  ASSERT_TRUE(small.post([&](database&, event_list&) { entered.set_value(); go.wait(); }, nullptr));
  entered.get_future().wait();  // the writer thread is busy: what follows waits in the queue

  std::atomic<int> committed{0}, done_calls{0};
  std::promise<void> all_done;
  for (int i = 0; i < 4; ++i)
    ASSERT_TRUE(small.post(note("queued " + std::to_string(i)), [&](bool ok) {
      committed += ok;
      if (++done_calls == 4) all_done.set_value();
    })) << i;
  bool ran = false;
  EXPECT_FALSE(small.post([&](database&, event_list&) { ran = true; }, [&](bool) { ++done_calls; }));
  // call() answers at once with rate_limited and a wait, without running its function.
  auto busy = small.call([&](database&, event_list&) -> result<int> {
    ran = true;
    return 1;
  });
  ASSERT_FALSE(busy);
  EXPECT_EQ(busy.error().code, errc::rate_limited);
  EXPECT_GT(busy.error().retry_after_ms, 0);
  EXPECT_EQ(small.statistics().refused, 2u);

  released.set_value();
  ASSERT_EQ(all_done.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  auto room = small.call([](database&, event_list&) -> result<int> { return 7; });  // waits its turn
  ASSERT_TRUE(room);
  EXPECT_EQ(*room, 7);
  EXPECT_EQ(committed.load(), 4);
  EXPECT_EQ(done_calls.load(), 4);  // the refused job's done never ran
  EXPECT_FALSE(ran);
  small.stop();
  EXPECT_EQ(query_int("SELECT count(*) FROM notes WHERE text LIKE 'queued %'"), 4);
}

}  // namespace
}  // namespace peerchat::unit
