// SPDX-License-Identifier: MIT
#include "range_file.hpp"
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace peerchat::gateway {

namespace beast = boost::beast;

namespace {
beast::error_code last_error() { return {errno, beast::system_category()}; }
}  // namespace

range_file::range_file(range_file&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      file_size_(other.file_size_),
      first_(other.first_),
      length_(other.length_),
      pos_(other.pos_) {}

range_file& range_file::operator=(range_file&& other) noexcept {
  if (this == &other) return *this;
  beast::error_code ignored;
  close(ignored);
  fd_ = std::exchange(other.fd_, -1);
  file_size_ = other.file_size_;
  first_ = other.first_;
  length_ = other.length_;
  pos_ = other.pos_;
  return *this;
}

range_file::~range_file() {
  beast::error_code ignored;
  close(ignored);
}

void range_file::close(beast::error_code& ec) {
  ec = {};
  if (fd_ >= 0 && ::close(fd_) != 0) ec = last_error();
  fd_ = -1;
}

void range_file::open(char const* path, beast::file_mode mode, beast::error_code& ec) {
  close(ec);
  if (mode != beast::file_mode::read && mode != beast::file_mode::scan) {
    ec = beast::errc::make_error_code(beast::errc::operation_not_supported);
    return;
  }
  fd_ = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    ec = last_error();
    return;
  }
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    ec = last_error();
    close(ec);
    return;
  }
  file_size_ = static_cast<std::uint64_t>(st.st_size);
  set_range(0, file_size_);
}

void range_file::set_range(std::uint64_t first, std::uint64_t length) {
  first_ = std::min(first, file_size_);
  length_ = std::min(length, file_size_ - first_);
  pos_ = 0;
}

std::uint64_t range_file::size(beast::error_code& ec) const {
  ec = {};
  return length_;
}

std::uint64_t range_file::pos(beast::error_code& ec) const {
  ec = {};
  return pos_;
}

void range_file::seek(std::uint64_t offset, beast::error_code& ec) {
  ec = {};
  pos_ = std::min(offset, length_);
}

std::size_t range_file::read(void* buffer, std::size_t n, beast::error_code& ec) {
  ec = {};
  std::uint64_t left = length_ - pos_;
  if (n > left) n = static_cast<std::size_t>(left);
  std::size_t done = 0;
  while (done < n) {
    ssize_t got = ::pread(fd_, static_cast<char*>(buffer) + done, n - done, static_cast<off_t>(first_ + pos_ + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      ec = last_error();
      break;
    }
    if (got == 0) {  // the file shrank under us: stop rather than send garbage
      ec = beast::errc::make_error_code(beast::errc::io_error);
      break;
    }
    done += static_cast<std::size_t>(got);
  }
  pos_ += done;
  return done;
}

std::size_t range_file::write(void const*, std::size_t, beast::error_code& ec) {
  ec = beast::errc::make_error_code(beast::errc::operation_not_supported);
  return 0;
}

namespace {
std::optional<std::uint64_t> number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

byte_range parse_range(std::string_view header, std::uint64_t size) {
  byte_range whole{byte_range::whole, 0, size};
  header = trim(header);
  constexpr std::string_view unit = "bytes=";
  if (!header.starts_with(unit)) return whole;
  std::string_view spec = trim(header.substr(unit.size()));
  if (spec.find(',') != std::string_view::npos) return whole;  // several ranges: the whole file
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view a = trim(spec.substr(0, dash));
  std::string_view b = trim(spec.substr(dash + 1));
  if (a.empty()) {  // -n: the last n bytes
    auto n = number(b);
    if (!n) return whole;
    if (*n == 0 || size == 0) return {byte_range::unsatisfiable, 0, 0};
    std::uint64_t len = std::min(*n, size);
    return {byte_range::partial, size - len, len};
  }
  auto first = number(a);
  if (!first) return whole;
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    auto l = number(b);
    if (!l || *l < *first) return whole;  // invalid: ignored, as RFC 9110 says
    last = std::min(*l, last);
  }
  if (*first >= size) return {byte_range::unsatisfiable, 0, 0};
  return {byte_range::partial, *first, last - *first + 1};
}

}  // namespace peerchat::gateway
