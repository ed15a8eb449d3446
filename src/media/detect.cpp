// SPDX-License-Identifier: MIT
// What a file is, from its first bytes (magic numbers), and which types a browser may show inline.
#include "peerchat/media/media.hpp"
#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace peerchat::media {
namespace {

using bytes = std::span<const unsigned char>;

bool starts_with(bytes b, std::string_view magic, std::size_t at = 0) {
  if (b.size() < at + magic.size()) return false;
  return std::equal(magic.begin(), magic.end(), b.begin() + static_cast<std::ptrdiff_t>(at),
                    [](char m, unsigned char c) { return static_cast<unsigned char>(m) == c; });
}

std::string lower_extension(std::string_view filename) {
  auto dot = filename.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string ext(filename.substr(dot + 1));
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

// ISO base media files (MP4, MOV, M4A, HEIF, AVIF): a box of type `ftyp` with a major brand and
// a list of compatible brands. The brands tell an image (HEIF/AVIF) from audio or video.
std::optional<detected_type> detect_iso_bmff(bytes b) {
  if (!starts_with(b, "ftyp", 4) || b.size() < 12) return std::nullopt;
  std::size_t box = (std::size_t{b[0]} << 24) | (std::size_t{b[1]} << 16) | (std::size_t{b[2]} << 8) | b[3];
  box = std::clamp<std::size_t>(box, 16, std::min<std::size_t>(b.size(), 4096));
  auto brand_at = [&](std::size_t at) { return std::string_view(reinterpret_cast<char const*>(b.data()) + at, 4); };
  std::string_view major = brand_at(8);
  auto has_brand = [&](std::string_view want) {
    if (major == want) return true;
    for (std::size_t at = 16; at + 4 <= box; at += 4)
      if (brand_at(at) == want) return true;
    return false;
  };
  if (major == "avif" || major == "avis") return detected_type{"image/avif", media_kind::image};
  for (auto heic : {"heic", "heix", "heim", "heis", "hevc", "hevx"})
    if (major == heic) return detected_type{"image/heic", media_kind::image};
  if (major == "mif1" || major == "msf1")
    return (has_brand("avif") || has_brand("avis")) ? detected_type{"image/avif", media_kind::image}
                                                    : detected_type{"image/heic", media_kind::image};
  if (major == "M4A " || major == "M4B " || major == "M4P ") return detected_type{"audio/mp4", media_kind::audio};
  if (major == "qt  ") return detected_type{"video/quicktime", media_kind::video};
  // isom, mp41, mp42, avc1, iso2…, M4V, 3gp…: MP4 family. prepare() says audio/mp4 when it
  // finds no video stream (Safari's recorded voice notes are AAC in an isom/mp42 file).
  return detected_type{"video/mp4", media_kind::video};
}

// Matroska and WebM: an EBML header whose DocType says which. A browser's MediaRecorder writes
// "webm"; whether it holds video is only known from its tracks, so prepare() decides audio/webm.
std::optional<detected_type> detect_ebml(bytes b) {
  if (!starts_with(b, "\x1A\x45\xDF\xA3")) return std::nullopt;
  // The DocType element (id 0x4282) sits within the first few dozen bytes of the header.
  auto head = b.first(std::min<std::size_t>(b.size(), 64));
  auto doc = std::search(head.begin(), head.end(), std::begin("\x42\x82"), std::begin("\x42\x82") + 2,
                         [](unsigned char c, char m) { return c == static_cast<unsigned char>(m); });
  bool webm = false;
  if (doc != head.end() && doc + 3 < head.end()) {
    std::size_t at = static_cast<std::size_t>(doc - head.begin()) + 3;  // 2 id bytes, 1 size byte (0x84 for "webm")
    webm = starts_with(head, "webm", at);
  }
  return webm ? detected_type{"video/webm", media_kind::video} : detected_type{"video/x-matroska", media_kind::video};
}

// An MPEG audio frame header (layer I–III): 11 sync bits, a valid layer, bitrate and rate.
// AAC's ADTS frames share the sync bits but have layer 0, so they do not match.
bool mpeg_audio_frame(bytes b) {
  if (b.size() < 4 || b[0] != 0xFF || (b[1] & 0xE0) != 0xE0) return false;
  int version = (b[1] >> 3) & 3, layer = (b[1] >> 1) & 3, bitrate = b[2] >> 4, rate = (b[2] >> 2) & 3;
  return version != 1 && layer != 0 && bitrate != 0 && bitrate != 15 && rate != 3;
}

// Valid UTF-8 with no NUL byte. The head may end inside a multi-byte character (it is cut at
// a fixed size), so an incomplete sequence at the very end is accepted.
bool utf8_text(bytes b) {
  std::size_t i = 0;
  while (i < b.size()) {
    unsigned char c = b[i];
    if (c == 0) return false;
    std::size_t n = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 9;
    if (n == 9 || (n == 1 && c < 0xC2) || (n == 3 && c > 0xF4)) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= b.size()) return true;  // cut off at the end of the head
      if ((b[i + k] & 0xC0) != 0x80) return false;
    }
    if (n == 2 && ((c == 0xE0 && b[i + 1] < 0xA0) || (c == 0xED && b[i + 1] >= 0xA0))) return false;  // overlong, surrogates
    if (n == 3 && ((c == 0xF0 && b[i + 1] < 0x90) || (c == 0xF4 && b[i + 1] >= 0x90))) return false;
    i += n + 1;
  }
  return true;
}

// The office formats are ZIP files; only the name tells them from any other ZIP. A wrong name
// costs nothing: they are downloads either way, never shown inline.
detected_type zip_by_name(std::string_view filename) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> office{{
      {"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
      {"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
      {"odt", "application/vnd.oasis.opendocument.text"},
      {"ods", "application/vnd.oasis.opendocument.spreadsheet"},
      {"odp", "application/vnd.oasis.opendocument.presentation"},
  }};
  auto ext = lower_extension(filename);
  for (auto const& [e, mime] : office)
    if (ext == e) return {std::string(mime), media_kind::file};
  return {"application/zip", media_kind::file};
}

}  // namespace

detected_type detect(std::span<const unsigned char> head, std::string_view filename) {
  if (starts_with(head, "\xFF\xD8\xFF")) return {"image/jpeg", media_kind::image};
  if (starts_with(head, "\x89PNG\r\n\x1A\n")) return {"image/png", media_kind::image};
  if (starts_with(head, "GIF87a") || starts_with(head, "GIF89a")) return {"image/gif", media_kind::image};
  if (starts_with(head, "RIFF") && starts_with(head, "WEBP", 8)) return {"image/webp", media_kind::image};
  if (starts_with(head, "RIFF") && starts_with(head, "WAVE", 8)) return {"audio/wav", media_kind::audio};
  if (auto t = detect_iso_bmff(head)) return *t;
  // QuickTime files older than the ftyp box start straight with one of these atoms.
  for (auto atom : {"moov", "mdat", "wide", "pnot"})
    if (starts_with(head, atom, 4)) return {"video/quicktime", media_kind::video};
  if (auto t = detect_ebml(head)) return *t;
  if (starts_with(head, "OggS")) return {"audio/ogg", media_kind::audio};  // Opus, Vorbis (prepare() finds Theora)
  if (starts_with(head, "fLaC")) return {"audio/flac", media_kind::audio};
  if (starts_with(head, "ID3") || mpeg_audio_frame(head)) return {"audio/mpeg", media_kind::audio};
  if (starts_with(head, "%PDF-")) return {"application/pdf", media_kind::file};
  if (starts_with(head, "PK\x03\x04") || starts_with(head, "PK\x05\x06")) return zip_by_name(filename);
  // Everything textual — SVG, HTML, XML, scripts included — is plain text: never rendered.
  if (!head.empty() && utf8_text(head)) return {"text/plain", media_kind::file};
  return {"application/octet-stream", media_kind::file};
}

bool served_inline(std::string_view mime) noexcept {
  // Only what prepare() outputs (and browsers play or show). No SVG, HTML, XML, PDF or text:
  // a browser would run their scripts or render them as a page on our origin.
  static constexpr std::string_view allowed[] = {
      "image/jpeg", "image/png",  "image/gif",  "image/webp", "image/avif", "audio/webm", "audio/ogg",
      "audio/mp4",  "audio/mpeg", "audio/wav",  "audio/flac", "video/mp4",  "video/webm",
  };
  return std::find(std::begin(allowed), std::end(allowed), mime) != std::end(allowed);
}

}  // namespace peerchat::media
