// SPDX-License-Identifier: MIT
// Serving part of a stored file without loading it: a Beast File whose size() is the range's
// length and whose reads start at the range's first byte (pread, so the descriptor's offset
// is never shared). Used as http::basic_file_body<range_file> for GET /attachments/{id}.
#pragma once
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/file_base.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

namespace peerchat::gateway {

// Thread safety: one response (one strand) at a time, like any Beast body.
class range_file {
 public:
  using native_handle_type = int;

  range_file() = default;
  range_file(range_file&& other) noexcept;
  range_file& operator=(range_file&& other) noexcept;
  range_file(range_file const&) = delete;
  range_file& operator=(range_file const&) = delete;
  ~range_file();

  bool is_open() const { return fd_ >= 0; }
  native_handle_type native_handle() const { return fd_; }
  void close(boost::beast::error_code& ec);
  // Read mode only (a download); the range is the whole file until set_range().
  void open(char const* path, boost::beast::file_mode mode, boost::beast::error_code& ec);
  // The bytes [first, first + length) of the file; length 0 serves nothing.
  void set_range(std::uint64_t first, std::uint64_t length);
  std::uint64_t file_size() const { return file_size_; }

  std::uint64_t size(boost::beast::error_code& ec) const;
  std::uint64_t pos(boost::beast::error_code& ec) const;
  void seek(std::uint64_t offset, boost::beast::error_code& ec);
  std::size_t read(void* buffer, std::size_t n, boost::beast::error_code& ec);
  std::size_t write(void const* buffer, std::size_t n, boost::beast::error_code& ec);

 private:
  int fd_ = -1;
  std::uint64_t file_size_ = 0;
  std::uint64_t first_ = 0;
  std::uint64_t length_ = 0;
  std::uint64_t pos_ = 0;  // within the range
};

// A Range header against a file of `size` bytes (RFC 9110 §14): one range `a-b`, `a-` or
// `-n`. `whole` for no header, a header we do not serve ranges for (several ranges, another
// unit, a malformed value: the whole file, 200) ; `unsatisfiable` for a range wholly past the
// end (416).
struct byte_range {
  enum kind_t { whole, partial, unsatisfiable } kind = whole;
  std::uint64_t first = 0;
  std::uint64_t length = 0;
};
byte_range parse_range(std::string_view header, std::uint64_t size);

}  // namespace peerchat::gateway
