// SPDX-License-Identifier: MIT
// A new owner-only output file of the media layer, removed again unless the caller keeps it.
#pragma once
#include "peerchat/core/error.hpp"
#include <filesystem>
#include <string_view>

namespace peerchat::media {

// Created empty with O_EXCL and mode 0600 under a random name, so the encoders that write
// into it later (they open with O_TRUNC) keep that mode: a stripped photo is as private as
// the upload. The destructor removes it unless keep() was called, so a failed prepare()
// leaves nothing behind.
// Thread safety: none needed; each prepare() owns its files.
class work_file {
 public:
  static result<work_file> create(std::filesystem::path const& dir, std::string_view extension);
  work_file(work_file&& other) noexcept;
  work_file& operator=(work_file&&) = delete;
  work_file(work_file const&) = delete;
  ~work_file();

  std::filesystem::path const& path() const noexcept { return path_; }
  std::filesystem::path keep() noexcept;  // the caller owns the file from now on

 private:
  explicit work_file(std::filesystem::path p) : path_(std::move(p)) {}
  std::filesystem::path path_;
  bool kept_ = false;
};

}  // namespace peerchat::media
