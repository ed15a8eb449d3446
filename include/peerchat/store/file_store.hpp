// SPDX-License-Identifier: MIT
// Attachment files on disk, content-addressed: <data dir>/attachments/<ab>/<sha256 hex>, each
// file 0600 in 0700 directories. A file's name is the SHA-256 of its bytes, so two uploads of
// the same bytes share one file and a file never changes once placed. Which files are still
// used is the database's business (table `attachment_files`); this class only moves bytes.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace peerchat::store {

// Thread safety: every method from any thread; the file system is the only shared state.
class file_store {
 public:
  // Creates <data_dir>/attachments and <data_dir>/uploads (0700) when missing.
  explicit file_store(std::filesystem::path const& data_dir);

  // Where the file with this hash lives (whether or not it exists).
  std::filesystem::path path_of(std::string_view sha256_hex) const;
  // The same below the store's root: "<ab>/<sha256 hex>" (backups keep this layout too).
  // Throws std::invalid_argument for anything but 64 hex digits.
  static std::string relative_path(std::string_view sha256_hex);

  // A new, empty, owner-only (0600) file for an upload's body under <data_dir>/uploads: the
  // same file system as the store, so place() is a rename. Its name is random.
  std::filesystem::path new_upload_file() const;
  std::filesystem::path const& uploads_dir() const noexcept { return uploads_; }

  // Writes `file`'s data to disk (fsync). Done before place(), off the store's writer thread:
  // place() runs inside the writer's transaction, and an fsync of megabytes there would hold
  // up every message committed with it; after this, place()'s own fsync finds nothing to write.
  static void flush(std::filesystem::path const& file);

  // Moves `file` into the store under `sha256_hex` (rename; the hash must be of its bytes).
  // When the store already has those bytes, `file` is removed and the stored copy kept.
  void place(std::filesystem::path const& file, std::string_view sha256_hex) const;

  // Removes the stored file; no error when it is already gone.
  void erase(std::string_view sha256_hex) const;

  // Every hash stored, for the sweep and for backup.
  std::vector<std::string> list() const;

  std::filesystem::path const& root() const noexcept { return root_; }

 private:
  std::filesystem::path root_;     // <data_dir>/attachments
  std::filesystem::path uploads_;  // <data_dir>/uploads: bodies being received or processed
};

// SHA-256 of a file's bytes, lowercase hex, read in chunks (never the whole file in memory).
std::string sha256_of_file(std::filesystem::path const& file);

}  // namespace peerchat::store
