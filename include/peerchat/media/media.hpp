// SPDX-License-Identifier: MIT
// What an uploaded file is, decided from its bytes, and making it safe to keep and serve:
// images lose EXIF/GPS, get their orientation applied and a thumbnail (libvips); audio and
// video are remuxed without metadata and measured (libavformat, no re-encode).
// The media layer knows files and bytes only: no store, no users, no groups.
#pragma once
#include "peerchat/core/error.hpp"
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace peerchat::media {

enum class media_kind { image, audio, video, file };

struct detected_type {
  std::string mime;   // e.g. "image/jpeg", "audio/webm", "application/pdf", "application/octet-stream"
  media_kind kind = media_kind::file;
};

// The type from the first bytes of a file (pass at least the first 4 KiB when it has them).
// The client's name and Content-Type are never trusted for it; the name only tells apart
// formats that share a container (a .docx from another ZIP). Unknown → application/octet-stream.
// SVG, HTML, XML and any other text come out as text/plain or application/octet-stream.
detected_type detect(std::span<const unsigned char> head, std::string_view filename);

// True for the allow-listed image, audio and video types a browser may show inline
// (no scriptable type is ever on it); everything else is served as a download.
bool served_inline(std::string_view mime) noexcept;

struct prepare_limits {
  std::uint64_t max_pixels = 50'000'000;  // width × height; a larger image is refused (bad_request)
  int thumb_box = 480;                    // the thumbnail fits in thumb_box × thumb_box
};

struct prepared_file {
  std::string mime;                       // may differ from the detected one (HEIC → image/jpeg)
  media_kind kind = media_kind::file;
  std::filesystem::path file;             // the bytes to store: a new file in work_dir, or the upload itself
  std::optional<std::filesystem::path> thumb;  // a JPEG in work_dir (images)
  std::optional<int> width;               // after orientation was applied
  std::optional<int> height;
  std::optional<std::int64_t> duration_ms;
};

// Once per process, before any prepare(): starts libvips (operation cache off, one thread
// per operation; concurrency is bounded by whoever calls prepare). Idempotent, thread-safe.
void init();

// Blocks for as long as decoding takes: call it from a media worker, never an I/O thread.
// New files go into work_dir (same file system as the store, so they can be renamed into it).
// bad_request with a message for the uploader when the bytes are not what they claim to be,
// cannot be decoded, or decode to more than max_pixels. Files of kind `file` come back as
// they are (file == upload).
result<prepared_file> prepare(std::filesystem::path const& upload, detected_type const& type,
                              std::filesystem::path const& work_dir, prepare_limits const& limits);

}  // namespace peerchat::media
