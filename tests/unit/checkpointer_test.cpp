// SPDX-License-Identifier: MIT
// The checkpointer under steady writing: the WAL starts over after each checkpoint instead of
// growing, so a busy writer does not pay a checkpoint (and its fsyncs) for every commit.
#include "fixture.hpp"
#include "peerchat/store/checkpointer.hpp"
#include <filesystem>

namespace peerchat::unit {
namespace {

using store::database;
using store::event_list;

class Checkpointer : public store_fixture {
 protected:
  void SetUp() override {
    store_fixture::SetUp();
    exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
  }
  std::uintmax_t wal_bytes() {
    std::error_code ec;
    auto size = std::filesystem::file_size(db_file().string() + "-wal", ec);
    return ec ? 0 : size;
  }
};

// One commit after the other, as senders waiting for their acks make them: the writer is
// never idle long enough for a PASSIVE checkpoint to finish before its next transaction
// began, which is what used to keep SQLite from starting the WAL over.
TEST_F(Checkpointer, UnderSteadyWritingTheWalStartsOverInsteadOfGrowing) {
  std::string const text(4 * 4096, 'n');  // five pages per commit with the row's own
  constexpr int commits = 4000;           // ≈ 20 000 frames: five times the threshold
  std::uintmax_t largest = 0;
  for (int i = 0; i < commits; ++i) {
    auto r = writer().call([&](database& db, event_list&) -> result<int> {
      db.prepare("INSERT INTO notes (text) VALUES (?1)").bind(1, text).exec();
      return 0;
    });
    ASSERT_OK(r);
    largest = std::max(largest, wal_bytes());
  }
  EXPECT_EQ(query_int("SELECT count(*) FROM notes"), commits);
  // A frame is a page and its 24-byte header. Past the threshold the WAL holds at most the
  // commits made while a checkpoint ran; without the restart it reached 13 900 frames (a
  // checkpoint that happens to complete between two transactions restarts it now and then).
  // How many the commits during a checkpoint add depends on the disk: beside a busy shared
  // disk 1 250 to 2 050 frames (CI and a stress run, 2026-11-29), hence the bound between.
  std::uintmax_t const frame = 4096 + 24;
  EXPECT_LT(largest, store::checkpointer::threshold_pages * 5 / 2 * frame)
      << "the WAL reached " << largest / frame << " frames";
}

}  // namespace
}  // namespace peerchat::unit
