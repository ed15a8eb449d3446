// SPDX-License-Identifier: MIT
// Attachment files on disk, content-addressed (store/file_store.hpp).
#include "peerchat/store/file_store.hpp"
#include "peerchat/core/crypto.hpp"
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace peerchat::store {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void throw_errno(std::string const& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// A directory that only the server's user may list or enter.
void make_private_dir(fs::path const& dir) {
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// fsync of a file or directory: a placed file survives a power cut before its row commits.
void sync_path(fs::path const& p, int flags) {
  int fd = ::open(p.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open " + p.string());
  int rc = ::fsync(fd);
  int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) throw_errno("cannot sync " + p.string());
}

}  // namespace

file_store::file_store(fs::path const& data_dir) : root_(data_dir / "attachments"), uploads_(data_dir / "uploads") {
  make_private_dir(root_);
  make_private_dir(uploads_);
}

std::string file_store::relative_path(std::string_view sha256_hex) {
  // The hash is a path component: anything but 64 hex digits could climb out of the store.
  if (!is_sha256_hex(sha256_hex)) throw std::invalid_argument("not a SHA-256 in hex: " + std::string(sha256_hex));
  return std::string(sha256_hex.substr(0, 2)) + "/" + std::string(sha256_hex);
}

fs::path file_store::path_of(std::string_view sha256_hex) const { return root_ / relative_path(sha256_hex); }

fs::path file_store::new_upload_file() const {
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto p = uploads_ / ("upload-" + crypto::random_token(16));
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ::close(fd);
      return p;
    }
    if (errno != EEXIST) throw_errno("cannot create an upload file in " + uploads_.string());
  }
  throw std::runtime_error("cannot find a free upload file name in " + uploads_.string());
}

void file_store::flush(fs::path const& file) { sync_path(file, O_RDONLY); }

void file_store::place(fs::path const& file, std::string_view sha256_hex) const {
  auto target = path_of(sha256_hex);
  std::error_code ec;
  if (fs::exists(target, ec)) {  // the same bytes are stored already: keep that copy
    fs::remove(file, ec);
    return;
  }
  make_private_dir(target.parent_path());
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  sync_path(file, O_RDONLY);
  fs::rename(file, target);  // same file system (uploads_ is beside root_): atomic
  sync_path(target.parent_path(), O_RDONLY | O_DIRECTORY);
}

void file_store::erase(std::string_view sha256_hex) const {
  std::error_code ec;
  fs::remove(path_of(sha256_hex), ec);
}

std::vector<std::string> file_store::list() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto const& dir : fs::directory_iterator(root_, ec)) {
    if (!dir.is_directory(ec)) continue;
    for (auto const& f : fs::directory_iterator(dir.path(), ec)) {
      auto name = f.path().filename().string();
      if (is_sha256_hex(name) && f.is_regular_file(ec)) out.push_back(std::move(name));
    }
  }
  return out;
}

std::string sha256_of_file(fs::path const& file) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open " + file.string());
  crypto::sha256_stream hash;
  std::vector<unsigned char> buf(64 * 1024);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      errno = saved;
      throw_errno("cannot read " + file.string());
    }
    hash.update(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return hash.hex();
}

}  // namespace peerchat::store
