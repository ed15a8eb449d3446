// SPDX-License-Identifier: MIT
// The backup archive: a POSIX ustar file (readable with `tar tf`), written and read here for
// our own layout only — regular files with short relative names, nothing else (no links, no
// directories, no absolute paths). ~150 lines of our own instead of a library: the format is
// fixed and small, and the reader refuses anything it did not write.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace peerchat::store {

// Thread safety: none; one thread writes one archive.
class tar_writer {
 public:
  explicit tar_writer(std::filesystem::path const& file);  // created (or truncated) 0600
  // Appends `source` under `name` (≤ 100 bytes, relative, no "..").
  void add(std::string const& name, std::filesystem::path const& source);
  // Writes the end-of-archive blocks, flushes and fsyncs. Throws on any I/O error.
  void finish();

 private:
  std::filesystem::path path_;
  std::ofstream out_;
};

// Thread safety: none; one thread reads one archive.
class tar_reader {
 public:
  struct entry {
    std::string name;
    std::uint64_t size = 0;
  };
  explicit tar_reader(std::filesystem::path const& file);
  // The next regular file, or nullopt at the end. Throws std::runtime_error on a damaged
  // header (bad checksum), a type other than a regular file, or a name that is absolute or
  // climbs out ("..").
  std::optional<entry> next();
  // Writes the current entry's bytes to `dest` (0600) and returns their SHA-256 (hex).
  std::string extract(std::filesystem::path const& dest);
  void skip();  // the current entry's bytes

 private:
  std::ifstream in_;
  std::uint64_t remaining_ = 0;  // bytes of the current entry not read yet
  std::uint64_t padding_ = 0;    // zero bytes after it up to the next 512-byte block
};

// True when the file starts as an SQLite database does (a backup from before archives).
bool is_sqlite_file(std::filesystem::path const& file);

}  // namespace peerchat::store
