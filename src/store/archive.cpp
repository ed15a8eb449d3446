// SPDX-License-Identifier: MIT
#include "peerchat/store/archive.hpp"
#include "peerchat/store/data_dir.hpp"
#include "peerchat/core/crypto.hpp"
#include <algorithm>
#include <array>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace peerchat::store {

namespace fs = std::filesystem;

namespace {
constexpr std::size_t block = 512;

// Header fields of POSIX ustar (offset, length).
struct field {
  std::size_t at, len;
};
constexpr field f_name{0, 100}, f_mode{100, 8}, f_uid{108, 8}, f_gid{116, 8}, f_size{124, 12}, f_mtime{136, 12},
    f_chksum{148, 8}, f_type{156, 1}, f_magic{257, 6}, f_version{263, 2};

void put_octal(std::array<char, block>& h, field f, std::uint64_t value) {
  // f.len - 1 digits and a NUL; sizes of 8 GiB and more use the base-256 form GNU tar and
  // Python's tarfile read (first byte 0x80, then big-endian).
  std::uint64_t max = 1;
  for (std::size_t i = 0; i + 1 < f.len; ++i) max *= 8;
  if (value < max) {
    for (std::size_t i = f.len - 1; i-- > 0; value /= 8) h[f.at + i] = static_cast<char>('0' + value % 8);
    h[f.at + f.len - 1] = '\0';
    return;
  }
  h[f.at] = static_cast<char>(0x80);
  for (std::size_t i = f.len; i-- > 1; value >>= 8) h[f.at + i] = static_cast<char>(value & 0xff);
}

std::uint64_t get_number(std::array<char, block> const& h, field f) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(h[f.at + i]); };
  std::uint64_t v = 0;
  if (byte(0) == 0x80) {
    for (std::size_t i = 1; i < f.len; ++i) v = (v << 8) | byte(i);
    return v;
  }
  for (std::size_t i = 0; i < f.len; ++i) {
    char c = h[f.at + i];
    if (c == ' ' || c == '\0') {
      if (v) break;
      continue;
    }
    if (c < '0' || c > '7') throw std::runtime_error("the archive has a damaged header");
    v = v * 8 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

std::uint64_t checksum(std::array<char, block> const& h) {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < block; ++i)
    sum += (i >= f_chksum.at && i < f_chksum.at + f_chksum.len) ? ' ' : static_cast<unsigned char>(h[i]);
  return sum;
}

bool safe_name(std::string const& name) {
  if (name.empty() || name.size() >= f_name.len || name.front() == '/') return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    auto end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    auto part = std::string_view(name).substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return std::none_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

std::uint64_t padding_for(std::uint64_t size) { return (block - size % block) % block; }
}  // namespace

tar_writer::tar_writer(fs::path const& file) : path_(file) {
  { int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600); if (fd >= 0) ::close(fd); }
  make_owner_only(file);
  out_.open(file, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error("cannot write " + file.string());
}

void tar_writer::add(std::string const& name, fs::path const& source) {
  if (!safe_name(name)) throw std::logic_error("tar_writer: bad member name " + name);
  std::ifstream in(source, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + source.string());
  std::uint64_t size = fs::file_size(source);
  std::array<char, block> h{};
  std::memcpy(h.data() + f_name.at, name.data(), name.size());
  put_octal(h, f_mode, 0600);
  put_octal(h, f_uid, 0);
  put_octal(h, f_gid, 0);
  put_octal(h, f_size, size);
  put_octal(h, f_mtime, static_cast<std::uint64_t>(::time(nullptr)));
  h[f_type.at] = '0';
  std::memcpy(h.data() + f_magic.at, "ustar", 6);  // with its NUL
  std::memcpy(h.data() + f_version.at, "00", 2);
  auto sum = checksum(h);
  put_octal(h, {f_chksum.at, 7}, sum);  // six digits, NUL, then the space below
  h[f_chksum.at + 7] = ' ';
  out_.write(h.data(), block);
  std::array<char, 64 * 1024> buf;
  std::uint64_t copied = 0;
  while (in && copied < size) {
    in.read(buf.data(), static_cast<std::streamsize>(std::min<std::uint64_t>(buf.size(), size - copied)));
    out_.write(buf.data(), in.gcount());
    copied += static_cast<std::uint64_t>(in.gcount());
  }
  if (copied != size) throw std::runtime_error(source.string() + " changed while it was being archived");
  std::array<char, block> zeros{};
  out_.write(zeros.data(), static_cast<std::streamsize>(padding_for(size)));
  if (!out_) throw std::runtime_error("writing " + path_.string() + " failed");
}

void tar_writer::finish() {
  std::array<char, 2 * block> zeros{};
  out_.write(zeros.data(), zeros.size());
  out_.flush();
  if (!out_) throw std::runtime_error("writing " + path_.string() + " failed");
  out_.close();
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!synced) throw std::runtime_error("could not sync " + path_.string() + " to disk");
}

tar_reader::tar_reader(fs::path const& file) : in_(file, std::ios::binary) {
  if (!in_) throw std::runtime_error("cannot read " + file.string());
}

std::optional<tar_reader::entry> tar_reader::next() {
  skip();
  std::array<char, block> h{};
  if (!in_.read(h.data(), block)) throw std::runtime_error("the archive ends in the middle (truncated?)");
  if (std::all_of(h.begin(), h.end(), [](char c) { return c == '\0'; })) return std::nullopt;
  if (get_number(h, f_chksum) != checksum(h)) throw std::runtime_error("the archive has a damaged header");
  char type = h[f_type.at];
  if (type != '0' && type != '\0') throw std::runtime_error("the archive holds something other than plain files");
  entry e;
  e.name.assign(h.data() + f_name.at, strnlen(h.data() + f_name.at, f_name.len));
  if (!safe_name(e.name)) throw std::runtime_error("the archive holds a file with an unsafe name");
  e.size = get_number(h, f_size);
  remaining_ = e.size;
  padding_ = padding_for(e.size);
  return e;
}

std::string tar_reader::extract(fs::path const& dest) {
  { int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600); if (fd >= 0) ::close(fd); }
  make_owner_only(dest);
  std::ofstream out(dest, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + dest.string());
  crypto::sha256_stream hash;
  std::array<char, 64 * 1024> buf;
  while (remaining_ > 0) {
    auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(buf.size(), remaining_));
    if (!in_.read(buf.data(), want)) throw std::runtime_error("the archive ends in the middle (truncated?)");
    out.write(buf.data(), want);
    hash.update(buf.data(), static_cast<std::size_t>(want));
    remaining_ -= static_cast<std::uint64_t>(want);
  }
  out.flush();
  if (!out) throw std::runtime_error("writing " + dest.string() + " failed");
  return hash.hex();
}

void tar_reader::skip() {
  in_.seekg(static_cast<std::streamoff>(remaining_ + padding_), std::ios::cur);
  remaining_ = padding_ = 0;
  if (!in_) throw std::runtime_error("the archive ends in the middle (truncated?)");
}

bool is_sqlite_file(fs::path const& file) {
  std::ifstream in(file, std::ios::binary);
  char head[16] = {};
  return in.read(head, sizeof head) && std::memcmp(head, "SQLite format 3", 16) == 0;
}

}  // namespace peerchat::store
