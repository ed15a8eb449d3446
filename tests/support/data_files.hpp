// SPDX-License-Identifier: MIT
// Whether a text is still anywhere on disk: the erasure tests read the data dir's files raw.
#pragma once
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace peerchat::test {

inline bool file_contains(std::filesystem::path const& file, std::string const& needle) {
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end()) != bytes.end();
}

// The files of `dir` that hold `needle` (every regular file, not only peerchat.db*).
inline std::vector<std::string> files_containing(std::filesystem::path const& dir, std::string const& needle) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto const& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file(ec) && file_contains(entry.path(), needle)) out.push_back(entry.path().filename().string());
  return out;
}

}  // namespace peerchat::test
