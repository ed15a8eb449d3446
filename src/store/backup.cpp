// SPDX-License-Identifier: MIT
// Online backup of the database, and restoring a backup into a data dir.
#include "peerchat/store/backup.hpp"
#include "peerchat/store/data_dir.hpp"
#include "peerchat/store/data_dir_lock.hpp"
#include "peerchat/store/database.hpp"
#include "peerchat/store/meta.hpp"
#include "peerchat/store/migrations.hpp"
#include <sqlite3.h>
#include <stdexcept>

namespace peerchat::store {

namespace {
// Copies all of `source` into `target` in one step (one snapshot, however busy a writer is).
void copy_database(database& source, database& target) {
  sqlite3_backup* b = sqlite3_backup_init(target.handle(), "main", source.handle(), "main");
  if (!b) throw std::runtime_error(std::string("copy failed: ") + sqlite3_errmsg(target.handle()));
  int rc = sqlite3_backup_step(b, -1);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) throw std::runtime_error(std::string("copy failed: ") + sqlite3_errstr(rc));
}

void check_integrity(database& db, std::string const& what) {
  auto& check = db.prepare("PRAGMA integrity_check");
  if (!check.step() || check.text(0) != "ok") throw std::runtime_error(what + " failed its integrity check");
  check.reset();
}
}  // namespace

void backup(std::filesystem::path const& from, std::filesystem::path const& to) {
  if (!std::filesystem::exists(from)) throw std::runtime_error("no database at " + from.string());
  auto tmp = to;
  tmp += ".partial";
  std::filesystem::remove(tmp);
  {
    database source(from, database::mode::read_write);  // read-only WAL may not open without -shm
    database target(tmp, database::mode::read_write);    // created 0600
    target.exec("PRAGMA journal_mode = DELETE");  // the copy is one self-contained file
    copy_database(source, target);
    check_integrity(target, "the backup copy");
  }
  make_owner_only(tmp);  // also when `to` existed with a wider mode
  std::filesystem::rename(tmp, to);
}

std::string restore(std::filesystem::path const& from, std::filesystem::path const& data_dir) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(from)) throw std::runtime_error("no backup file at " + from.string());
  secure_data_dir(data_dir);
  data_dir_lock lock(data_dir);  // refuses while a server runs here
  auto db_file = database_file(data_dir);
  auto tmp = db_file;
  tmp += ".restoring";
  fs::remove(tmp);
  std::string epoch;
  try {
    // Work on a copy in the data dir: the backup may sit on a read-only mount (the documented
    // `docker run -v backup.db:/restore.db:ro`), where SQLite cannot open a file whose header
    // says WAL ("attempt to write a readonly database": it needs its -shm beside it).
    fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
    make_owner_only(tmp);
    database restored(tmp, database::mode::read_write);
    check_integrity(restored, "the backup " + from.string());
    restored.exec("PRAGMA journal_mode = DELETE");  // one self-contained file until the server opens it
    migrate(restored);  // a backup from an older peerchat
    epoch = renew_epoch(restored);
  } catch (...) {
    fs::remove(tmp);
    throw;
  }
  make_owner_only(tmp);
  // The old WAL belongs to the old database: left beside the new file, SQLite would replay
  // it into the restored copy. It goes first, then the copy takes the database's place.
  for (auto const* suffix : {"-wal", "-shm", "-journal"}) {
    auto file = db_file;
    file += suffix;
    fs::remove(file);
  }
  fs::rename(tmp, db_file);
  return epoch;
}

}  // namespace peerchat::store
