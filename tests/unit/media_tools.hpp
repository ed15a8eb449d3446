// SPDX-License-Identifier: MIT
// For the media tests: fixtures made at test time by tools we did not write (Python PIL, the
// ffmpeg CLI) and our output read back by them (PIL, ffprobe, exiftool).
#pragma once
#include "fixture.hpp"
#include "peerchat/media/media.hpp"
#include "support/process.hpp"
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

namespace peerchat::unit::media_tools {

// Debian's python3-pil is for /usr/bin/python3 (a python3 earlier on PATH may lack it).
inline constexpr char const* python = "/usr/bin/python3";
inline constexpr char const* ffmpeg = "/usr/bin/ffmpeg";
inline constexpr char const* ffprobe = "/usr/bin/ffprobe";
inline constexpr char const* exiftool = "/usr/bin/exiftool";

inline bool executable(char const* path) { return ::access(path, X_OK) == 0; }

inline bool have_pil() {
  static bool const ok = executable(python) &&
                         test::run_process({python, "-c", "import PIL.Image"}, "").exit_code == 0;
  return ok;
}

// Runs a tool and fails the test (with its output) unless it exits 0.
inline std::string run_ok(std::vector<std::string> const& argv) {
  auto r = test::run_process(argv, "", std::chrono::seconds(120));
  EXPECT_EQ(r.exit_code, 0) << argv[0] << " failed:\n" << r.output;
  return r.output;
}

// A Python script with arguments (sys.argv[1:]); its stdout comes back.
inline std::string run_python(std::string const& script, std::vector<std::string> args = {}) {
  std::vector<std::string> argv{python, "-c", script};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_ok(argv);
}

inline nlohmann::json run_python_json(std::string const& script, std::vector<std::string> args = {}) {
  auto out = run_python(script, std::move(args));
  auto j = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON:\n" << out;
  return j;
}

// ffmpeg quietly, overwriting; the arguments after `-y`.
inline void run_ffmpeg(std::vector<std::string> args) {
  std::vector<std::string> argv{ffmpeg, "-v", "error", "-nostdin", "-y"};
  argv.insert(argv.end(), args.begin(), args.end());
  run_ok(argv);
}

// ffprobe -show_format -show_streams as JSON (stderr silenced so only JSON comes back).
inline nlohmann::json probe(std::filesystem::path const& file) {
  auto out = run_ok({ffprobe, "-v", "quiet", "-show_format", "-show_streams", "-of", "json", file.string()});
  auto j = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "ffprobe gave no JSON:\n" << out;
  return j;
}

// exiftool's view of every tag of a file, as one JSON object.
inline nlohmann::json exif_tags(std::filesystem::path const& file) {
  auto out = run_ok({exiftool, "-j", "-a", "-G1", file.string()});
  auto j = nlohmann::json::parse(out, nullptr, false);
  EXPECT_TRUE(j.is_array() && !j.empty()) << "exiftool gave no JSON:\n" << out;
  return j.is_array() && !j.empty() ? j[0] : nlohmann::json::object();
}

// The tag names (as "Group:Name") exiftool reports that mention GPS or a location.
inline std::vector<std::string> location_tags(nlohmann::json const& tags) {
  std::vector<std::string> found;
  for (auto const& [key, value] : tags.items()) {
    std::string k = key;
    for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (k.find("gps") != std::string::npos || k.find("location") != std::string::npos) found.push_back(key);
  }
  return found;
}

inline std::vector<unsigned char> head_of(std::filesystem::path const& file, std::size_t n = 4096) {
  std::ifstream in(file, std::ios::binary);
  std::vector<unsigned char> bytes(n);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

inline media::detected_type detect_file(std::filesystem::path const& file, std::string_view name = {}) {
  auto head = head_of(file);
  return media::detect(head, name.empty() ? file.filename().string() : name);
}

// True when only the owner may read or write the file (stored files are 0600).
inline bool owner_only(std::filesystem::path const& file) {
  using std::filesystem::perms;
  return (std::filesystem::status(file).permissions() & (perms::group_all | perms::others_all)) == perms::none;
}

// Every file left in a directory (the tests check that a refusal leaves nothing behind).
inline std::size_t files_in(std::filesystem::path const& dir) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

}  // namespace peerchat::unit::media_tools

#define PEERCHAT_REQUIRE_PIL()                                                                        \
  do {                                                                                                \
    if (!::peerchat::unit::media_tools::have_pil())                                                   \
      GTEST_SKIP() << "needs /usr/bin/python3 with PIL (Debian python3-pil; .ci/setup --test installs it)"; \
  } while (0)

#define PEERCHAT_REQUIRE_FFMPEG()                                                                     \
  do {                                                                                                \
    if (!::peerchat::unit::media_tools::executable(::peerchat::unit::media_tools::ffmpeg) ||          \
        !::peerchat::unit::media_tools::executable(::peerchat::unit::media_tools::ffprobe))           \
      GTEST_SKIP() << "needs the ffmpeg and ffprobe CLI (Debian ffmpeg; .ci/setup --test installs it)"; \
  } while (0)

#define PEERCHAT_REQUIRE_EXIFTOOL()                                                                   \
  do {                                                                                                \
    if (!::peerchat::unit::media_tools::executable(::peerchat::unit::media_tools::exiftool))          \
      GTEST_SKIP() << "needs exiftool (Debian libimage-exiftool-perl; .ci/setup --test installs it)"; \
  } while (0)
