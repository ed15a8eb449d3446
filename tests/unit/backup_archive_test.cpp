// SPDX-License-Identifier: MIT
// The backup archive: Python's tarfile (code we did not write) reads what we write and we
// read what it writes; our reader refuses what a hostile archive could hold; a backup holds
// the database and exactly the attachment files its snapshot lists, and a restore brings
// both back (and still takes a plain database from before archives).
#include "fixture.hpp"
#include "peerchat/store/archive.hpp"
#include "peerchat/store/backup.hpp"
#include "peerchat/store/backup_pin.hpp"
#include "peerchat/store/data_dir.hpp"
#include "peerchat/store/database.hpp"
#include "peerchat/store/migrations.hpp"
#include "peerchat/core/crypto.hpp"
#include "support/process.hpp"
#include <gtest/gtest.h>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

namespace peerchat::unit {
namespace {

namespace fs = std::filesystem;
constexpr char const* python = "/usr/bin/python3";
using crypto::sha256_hex;

std::string read_all(fs::path const& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(fs::path const& p, std::string const& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

std::string python_ok(std::string const& script, std::vector<std::string> args) {
  std::vector<std::string> argv{python, "-c", script};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = test::run_process(argv, "", std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.output;
}

// name:size:sha256 of every member, as Python's tarfile sees the archive.
constexpr char list_members[] = R"(
import hashlib, sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        data = t.extractfile(m).read()
        print(f"{m.name}:{m.size}:{hashlib.sha256(data).hexdigest()}:{oct(m.mode)}:{m.isfile()}")
)";

TEST(backup_archive, python_tarfile_reads_what_we_write) {
  temp_dir dir;
  write_all(dir.path() / "a", "hello");
  std::string big(70'000, 'x');  // more than one block and not a multiple of 512
  big[69'999] = 'y';
  write_all(dir.path() / "b", big);
  write_all(dir.path() / "empty", "");
  {
    store::tar_writer w(dir.path() / "out.tar");
    w.add("peerchat.db", dir.path() / "a");
    w.add("attachments/ab/b", dir.path() / "b");
    w.add("empty", dir.path() / "empty");
    w.finish();
  }
  struct stat st{};
  ASSERT_EQ(::stat((dir.path() / "out.tar").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "a backup holds everything the database does";
  auto listed = python_ok(list_members, {(dir.path() / "out.tar").string()});
  EXPECT_EQ(listed, "peerchat.db:5:" + sha256_hex("hello") + ":0o600:True\n" +
                        "attachments/ab/b:70000:" + sha256_hex(big) + ":0o600:True\n" +
                        "empty:0:" + sha256_hex("") + ":0o600:True\n");

  store::tar_reader r(dir.path() / "out.tar");
  auto e = r.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "peerchat.db");
  r.skip();
  e = r.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "attachments/ab/b");
  EXPECT_EQ(r.extract(dir.path() / "b2"), sha256_hex(big));
  EXPECT_EQ(read_all(dir.path() / "b2"), big);
  e = r.next();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->size, 0u);
  EXPECT_FALSE(r.next()) << "then the end";
}

TEST(backup_archive, our_reader_refuses_climbing_names_links_and_damage) {
  temp_dir dir;
  auto make = [&](std::string const& name, std::string const& script) {
    python_ok(script, {(dir.path() / name).string()});
    return dir.path() / name;
  };
  auto climbing = make("climb.tar", R"(
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT) as t:
    i = tarfile.TarInfo("../../etc/evil"); i.size = 3
    t.addfile(i, io.BytesIO(b"bad"))
)");
  auto link = make("link.tar", R"(
import sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT) as t:
    i = tarfile.TarInfo("peerchat.db"); i.type = tarfile.SYMTYPE; i.linkname = "/etc/passwd"
    t.addfile(i)
)");
  auto absolute = make("abs.tar", R"(
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.USTAR_FORMAT) as t:
    i = tarfile.TarInfo("x"); i.size = 1
    t.addfile(i, io.BytesIO(b"x"))
data = bytearray(open(sys.argv[1], "rb").read())
data[0:2] = b"/x"  # an absolute name, checksum left as it was: refused either way
open(sys.argv[1], "wb").write(data)
)");
  for (auto const& bad : {climbing, link, absolute}) {
    store::tar_reader r(bad);
    EXPECT_THROW(r.next(), std::runtime_error) << bad;
  }
}

// A data dir with a migrated database that lists two attachment files (one used twice).
struct data_dir_with_files {
  fs::path data;
  std::string photo = std::string("\x89PNG pretend photo bytes", 24);
  std::string voice = "pretend voice note";
  explicit data_dir_with_files(fs::path root) : data(std::move(root)) {
    store::secure_data_dir(data);
    store::database db(store::database_file(data), store::database::mode::read_write);
    store::migrate(db);
    for (auto const* bytes : {&photo, &voice}) {
      auto sha = sha256_hex(*bytes);
      auto dir = data / "attachments" / sha.substr(0, 2);
      fs::create_directories(dir);
      write_all(dir / sha, *bytes);
      db.prepare("INSERT INTO attachment_files (sha256, size, created_at) VALUES (?1, ?2, 0)")
          .bind(1, sha).bind(2, static_cast<std::int64_t>(bytes->size())).exec();
    }
  }
  fs::path file_of(std::string const& bytes) const {
    auto sha = sha256_hex(bytes);
    return data / "attachments" / sha.substr(0, 2) / sha;
  }
};

TEST(backup_archive, a_backup_holds_the_database_and_every_listed_file_and_a_restore_brings_them_back) {
  temp_dir dir;
  data_dir_with_files live(dir.path() / "data");
  // A stray file no row lists (a crash between placing and committing) stays out of the backup.
  auto stray = live.data / "attachments" / "ff" / std::string(64, 'f');
  fs::create_directories(stray.parent_path());
  write_all(stray, "stray");

  auto archive = dir.path() / "backup.tar";
  store::backup(live.data, archive);
  auto listed = python_ok(list_members, {archive.string()});
  EXPECT_NE(listed.find("peerchat.db:"), std::string::npos) << listed;
  EXPECT_NE(listed.find("attachments/" + sha256_hex(live.photo).substr(0, 2) + "/" + sha256_hex(live.photo) + ":" +
                        std::to_string(live.photo.size()) + ":" + sha256_hex(live.photo)),
            std::string::npos)
      << listed;
  EXPECT_NE(listed.find(sha256_hex(live.voice)), std::string::npos) << listed;
  EXPECT_EQ(listed.find(std::string(64, 'f')), std::string::npos) << "a file no row lists is not backed up";

  // Into a new data dir (a new host): database and files come back, byte for byte, 0600.
  auto fresh = dir.path() / "fresh";
  store::restore(archive, fresh);
  EXPECT_EQ(read_all(fresh / "attachments" / sha256_hex(live.photo).substr(0, 2) / sha256_hex(live.photo)), live.photo);
  auto voice = fresh / "attachments" / sha256_hex(live.voice).substr(0, 2) / sha256_hex(live.voice);
  EXPECT_EQ(read_all(voice), live.voice);
  struct stat st{};
  ASSERT_EQ(::stat(voice.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  {
    store::database db(store::database_file(fresh), store::database::mode::read_write);
    auto& count = db.prepare("SELECT count(*) FROM attachment_files");
    ASSERT_TRUE(count.step());
    EXPECT_EQ(count.int64(0), 2);
    count.reset();
  }

  // Over the old data dir: files made after the backup are gone with the rows that named them.
  auto later = live.data / "attachments" / "aa" / std::string(64, 'a');
  fs::create_directories(later.parent_path());
  write_all(later, "after the backup");
  fs::remove(live.file_of(live.photo));  // lost since: the restore brings it back
  store::restore(archive, live.data);
  EXPECT_EQ(read_all(live.file_of(live.photo)), live.photo);
  EXPECT_FALSE(fs::exists(later));
  EXPECT_FALSE(fs::exists(stray));
}

TEST(backup_archive, a_file_whose_bytes_do_not_match_its_name_fails_the_restore_and_changes_nothing) {
  temp_dir dir;
  data_dir_with_files live(dir.path() / "data");
  auto archive = dir.path() / "backup.tar";
  store::backup(live.data, archive);
  // Flip one byte of the voice note inside the archive (its header checksum stays right).
  auto bytes = read_all(archive);
  auto at = bytes.find(live.voice);
  ASSERT_NE(at, std::string::npos);
  bytes[at] ^= 1;
  write_all(archive, bytes);
  auto target = dir.path() / "target";
  data_dir_with_files existing(target);
  EXPECT_THROW(store::restore(archive, target), std::runtime_error);
  EXPECT_EQ(read_all(existing.file_of(existing.voice)), existing.voice) << "the old files stay";
  EXPECT_FALSE(fs::exists(target / "attachments.restoring"));
}

TEST(backup_archive, a_plain_database_from_before_archives_still_restores) {
  temp_dir dir;
  data_dir_with_files live(dir.path() / "data");
  auto plain = dir.path() / "old-backup.db";
  {
    store::database source(store::database_file(live.data), store::database::mode::read_write);
    source.prepare("VACUUM INTO ?1").bind(1, plain.string()).exec();
  }
  ASSERT_TRUE(store::is_sqlite_file(plain));
  auto fresh = dir.path() / "fresh";
  EXPECT_FALSE(store::restore(plain, fresh).empty());
  EXPECT_TRUE(fs::exists(store::database_file(fresh)));
  EXPECT_TRUE(fs::is_directory(fresh / "attachments"));
  EXPECT_EQ(fs::status(fresh / "attachments").permissions(), fs::perms::owner_all) << "0700 before any server starts";
}

TEST(backup_archive, erasing_waits_for_no_backup_a_backup_pin_holds_files_in_place) {
  temp_dir dir;
  auto root = dir.path() / "attachments";
  {
    store::backup_pin backup(root, store::backup_pin::mode::backup);
    store::backup_pin erase(root, store::backup_pin::mode::erase);
    EXPECT_FALSE(erase.held()) << "while a backup copies, nothing is erased";
  }
  store::backup_pin erase(root, store::backup_pin::mode::erase);
  EXPECT_TRUE(erase.held());
}

}  // namespace
}  // namespace peerchat::unit
