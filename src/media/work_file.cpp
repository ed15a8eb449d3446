// SPDX-License-Identifier: MIT
// Owner-only output files of the media layer (see work_file.hpp).
#include "work_file.hpp"
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <random>
#include <unistd.h>

namespace peerchat::media {

result<work_file> work_file::create(std::filesystem::path const& dir, std::string_view extension) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  for (int attempt = 0; attempt < 16; ++attempt) {
    char name[40];
    std::snprintf(name, sizeof name, "media-%016llx.", static_cast<unsigned long long>(random()));
    auto path = dir / (std::string(name) + std::string(extension));
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
      return work_file(std::move(path));
    }
    if (errno != EEXIST) break;
  }
  return make_error(errc::internal, "cannot create a file in the upload directory");
}

work_file::work_file(work_file&& other) noexcept : path_(std::move(other.path_)), kept_(other.kept_) {
  other.kept_ = true;  // the moved-from object removes nothing
}

work_file::~work_file() {
  if (kept_ || path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

std::filesystem::path work_file::keep() noexcept {
  kept_ = true;
  return path_;
}

}  // namespace peerchat::media
