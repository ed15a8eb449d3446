// SPDX-License-Identifier: MIT
// Online backup of the database.
#include "peerchat/store/backup.hpp"
#include "peerchat/store/database.hpp"
#include <sqlite3.h>
#include <stdexcept>

namespace peerchat::store {

void backup(std::filesystem::path const& from, std::filesystem::path const& to) {
  if (!std::filesystem::exists(from)) throw std::runtime_error("no database at " + from.string());
  auto tmp = to;
  tmp += ".partial";
  std::filesystem::remove(tmp);
  {
    database source(from, database::mode::read_write);  // read-only WAL may not open without -shm
    database target(tmp, database::mode::read_write);
    target.exec("PRAGMA journal_mode = DELETE");  // the copy is one self-contained file
    sqlite3_backup* b = sqlite3_backup_init(target.handle(), "main", source.handle(), "main");
    if (!b) throw std::runtime_error(std::string("backup failed: ") + sqlite3_errmsg(target.handle()));
    int rc = sqlite3_backup_step(b, -1);  // one step: one snapshot, however busy the writer is
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("backup failed: ") + sqlite3_errstr(rc));
    auto& check = target.prepare("PRAGMA integrity_check");
    if (!check.step() || check.text(0) != "ok") throw std::runtime_error("the backup copy failed its integrity check");
  }
  std::filesystem::rename(tmp, to);
}

}  // namespace peerchat::store
