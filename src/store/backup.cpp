// SPDX-License-Identifier: MIT
// Online backup of the database and the attachment files into one archive, and restoring it.
#include "peerchat/store/backup.hpp"
#include "peerchat/store/archive.hpp"
#include "peerchat/store/backup_pin.hpp"
#include "peerchat/store/data_dir.hpp"
#include "peerchat/store/data_dir_lock.hpp"
#include "peerchat/store/database.hpp"
#include "peerchat/store/file_store.hpp"
#include "peerchat/store/meta.hpp"
#include "peerchat/store/migrations.hpp"
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <iostream>
#include <regex>
#include <stdexcept>
#include <vector>

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

namespace {
constexpr char database_member[] = "peerchat.db";

// The attachment files a database lists (none before migration 0005).
std::vector<std::string> listed_files(database& db) {
  std::vector<std::string> out;
  auto& has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'attachment_files'");
  bool exists = has.step();
  has.reset();
  if (!exists) return out;
  auto& st = db.prepare("SELECT sha256 FROM attachment_files ORDER BY sha256");
  while (st.step()) out.push_back(st.text(0));
  st.reset();
  return out;
}

// The layout of file_store.hpp, inside the data dir and inside the archive alike.
std::string member_name(std::string const& sha256) { return "attachments/" + file_store::relative_path(sha256); }

// Copies the database into a self-contained, checked file.
void snapshot_database(std::filesystem::path const& from, std::filesystem::path const& to) {
  database source(from, database::mode::read_write);  // read-only WAL may not open without -shm
  database target(to, database::mode::read_write);    // created 0600
  target.exec("PRAGMA journal_mode = DELETE");  // the copy is one self-contained file
  copy_database(source, target);
  check_integrity(target, "the backup copy");
}
}  // namespace

void backup(std::filesystem::path const& data_dir, std::filesystem::path const& to) {
  namespace fs = std::filesystem;
  auto db_file = database_file(data_dir);
  if (!fs::exists(db_file)) throw std::runtime_error("no database at " + db_file.string());
  auto const attachments = data_dir / "attachments";
  auto tmp = to;
  tmp += ".partial";
  auto snapshot = to;
  snapshot += ".partial-db";
  fs::remove(tmp);
  fs::remove(snapshot);
  try {
    // From before the snapshot until the last file is copied, no file it lists is erased.
    backup_pin pin(attachments, backup_pin::mode::backup);
    snapshot_database(db_file, snapshot);
    std::vector<std::string> hashes;
    {
      database copy(snapshot, database::mode::read_write);
      hashes = listed_files(copy);
    }
    tar_writer archive(tmp);
    archive.add(database_member, snapshot);
    for (auto const& sha : hashes) {
      auto file = data_dir / member_name(sha);
      if (!fs::is_regular_file(file)) {
        // A row whose file is gone (a disk error, a hand-deleted file): the rest still counts.
        spdlog::warn("backup: attachment file {} is missing from {}; the backup goes on without it", sha,
                     attachments.string());
        continue;
      }
      archive.add(member_name(sha), file);
    }
    archive.finish();
  } catch (...) {
    fs::remove(tmp);
    fs::remove(snapshot);
    throw;
  }
  fs::remove(snapshot);
  make_owner_only(tmp);  // also when `to` existed with a wider mode
  fs::rename(tmp, to);
}

namespace {
// Unpacks a backup archive: the database into db_tmp, the attachment files under files_tmp.
// Refuses any member that is not ours, and any file whose bytes do not match its name.
void unpack_archive(std::filesystem::path const& from, std::filesystem::path const& db_tmp,
                    std::filesystem::path const& files_tmp) {
  namespace fs = std::filesystem;
  static std::regex const attachment(R"(attachments/([0-9a-f]{2})/(([0-9a-f]{2})[0-9a-f]{62}))");
  tar_reader archive(from);
  bool have_database = false;
  fs::create_directory(files_tmp);
  fs::permissions(files_tmp, fs::perms::owner_all);
  while (auto e = archive.next()) {
    std::smatch m;
    if (e->name == database_member) {
      archive.extract(db_tmp);
      have_database = true;
    } else if (std::regex_match(e->name, m, attachment) && m[1] == m[3]) {
      auto dir = files_tmp / m[1].str();
      if (fs::create_directory(dir)) fs::permissions(dir, fs::perms::owner_all);
      if (archive.extract(dir / m[2].str()) != m[2].str())
        throw std::runtime_error("the backup is damaged: " + e->name + " does not hold the bytes it names");
    } else {
      throw std::runtime_error("not a peerchat backup: it holds " + e->name);
    }
  }
  if (!have_database) throw std::runtime_error("not a peerchat backup: it holds no " + std::string(database_member));
}
}  // namespace

std::string restore(std::filesystem::path const& from, std::filesystem::path const& data_dir) {
  namespace fs = std::filesystem;
  if (!fs::is_regular_file(from)) throw std::runtime_error("no backup file at " + from.string());
  secure_data_dir(data_dir);
  data_dir_lock lock(data_dir);  // refuses while a server runs here
  auto db_file = database_file(data_dir);
  auto tmp = db_file;
  tmp += ".restoring";
  auto files_tmp = data_dir / "attachments.restoring";
  fs::remove(tmp);
  fs::remove_all(files_tmp);
  std::string epoch;
  try {
    // Work on a copy in the data dir: the backup may sit on a read-only mount (the documented
    // `docker run -v backup.tar:/restore.tar:ro`), where SQLite cannot open a file whose header
    // says WAL ("attempt to write a readonly database": it needs its -shm beside it).
    if (is_sqlite_file(from)) {  // a backup from before attachments: the database alone
      fs::copy_file(from, tmp, fs::copy_options::overwrite_existing);
      fs::create_directory(files_tmp);
      fs::permissions(files_tmp, fs::perms::owner_all);  // as file_store makes it: owner only
    } else {
      unpack_archive(from, tmp, files_tmp);
    }
    make_owner_only(tmp);
    database restored(tmp, database::mode::read_write);
    check_integrity(restored, "the backup " + from.string());
    restored.exec("PRAGMA journal_mode = DELETE");  // one self-contained file until the server opens it
    migrate(restored);  // a backup from an older peerchat
    epoch = renew_epoch(restored);
    std::size_t missing = 0;
    for (auto const& sha : listed_files(restored))
      if (!fs::exists(files_tmp / file_store::relative_path(sha))) ++missing;
    if (missing)
      spdlog::warn("restore: {} attachment file(s) the database lists are not in the backup; they will answer 404",
                   missing);
  } catch (...) {
    fs::remove(tmp);
    fs::remove_all(files_tmp);
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
  // The restored files replace the old ones; uploads in progress belonged to the old data.
  auto live = data_dir / "attachments";
  auto old = data_dir / "attachments.old";
  fs::remove_all(old);
  if (fs::exists(live)) fs::rename(live, old);
  fs::rename(files_tmp, live);
  fs::remove_all(old);
  fs::remove_all(data_dir / "uploads");
  return epoch;
}

}  // namespace peerchat::store
