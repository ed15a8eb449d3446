// SPDX-License-Identifier: MIT
// The content-addressed file store: private modes, place as a rename, dedup, erase, list, SHA-256.
#include "fixture.hpp"
#include "peerchat/store/file_store.hpp"
#include <fstream>
#include <sys/stat.h>

namespace peerchat::unit {
namespace {

std::string const abc_sha = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

void write_file(fs::path const& p, std::string const& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string read_file(fs::path const& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

unsigned mode_of(fs::path const& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777;
}

class FileStore : public ::testing::Test {
 protected:
  temp_dir dir;
  store::file_store files{dir.path()};
};

TEST_F(FileStore, CreatesPrivateDirectories) {
  EXPECT_EQ(files.root(), dir.path() / "attachments");
  EXPECT_EQ(files.uploads_dir(), dir.path() / "uploads");
  EXPECT_EQ(mode_of(files.root()), 0700u);
  EXPECT_EQ(mode_of(files.uploads_dir()), 0700u);
}

TEST_F(FileStore, NewUploadFilesAreEmptyOwnerOnlyAndDistinct) {
  auto a = files.new_upload_file();
  auto b = files.new_upload_file();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.parent_path(), files.uploads_dir());
  EXPECT_EQ(fs::file_size(a), 0u);
  EXPECT_EQ(mode_of(a), 0600u);
}

TEST_F(FileStore, Sha256OfAFileMatchesTheStandardVectors) {
  auto p = dir.path() / "abc";
  write_file(p, "abc");
  EXPECT_EQ(store::sha256_of_file(p), abc_sha);
  // More than one 64 KiB chunk: a million 'a' (FIPS 180-2's long vector).
  write_file(p, std::string(1'000'000, 'a'));
  EXPECT_EQ(store::sha256_of_file(p), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_THROW(store::sha256_of_file(dir.path() / "missing"), std::exception);
}

TEST_F(FileStore, PlaceMovesTheFileUnderItsHashPrivately) {
  auto upload = files.new_upload_file();
  write_file(upload, "abc");
  files.place(upload, abc_sha);
  EXPECT_FALSE(fs::exists(upload));
  auto stored = files.path_of(abc_sha);
  EXPECT_EQ(stored, dir.path() / "attachments" / "ba" / abc_sha);
  EXPECT_EQ(read_file(stored), "abc");
  EXPECT_EQ(mode_of(stored), 0600u);
  EXPECT_EQ(mode_of(stored.parent_path()), 0700u);
  EXPECT_EQ(files.list(), std::vector<std::string>{abc_sha});
}

TEST_F(FileStore, PlacingBytesAlreadyStoredKeepsOneCopyAndRemovesTheNewOne) {
  auto first = files.new_upload_file();
  write_file(first, "abc");
  files.place(first, abc_sha);
  auto second = files.new_upload_file();
  write_file(second, "abc");
  files.place(second, abc_sha);
  EXPECT_FALSE(fs::exists(second));
  EXPECT_EQ(read_file(files.path_of(abc_sha)), "abc");
  EXPECT_EQ(files.list().size(), 1u);
}

TEST_F(FileStore, EraseRemovesTheFileAndToleratesAMissingOne) {
  auto upload = files.new_upload_file();
  write_file(upload, "abc");
  files.place(upload, abc_sha);
  files.erase(abc_sha);
  EXPECT_FALSE(fs::exists(files.path_of(abc_sha)));
  EXPECT_NO_THROW(files.erase(abc_sha));
  EXPECT_TRUE(files.list().empty());
}

TEST_F(FileStore, AHashThatIsNotHexNeverBecomesAPath) {
  EXPECT_THROW(files.path_of("../../etc/passwd"), std::invalid_argument);
  EXPECT_THROW(files.path_of(std::string(64, 'A')), std::invalid_argument);  // upper case is not ours
  EXPECT_THROW(files.path_of(abc_sha.substr(1)), std::invalid_argument);
  EXPECT_THROW(files.erase("/"), std::invalid_argument);
}

}  // namespace
}  // namespace peerchat::unit
