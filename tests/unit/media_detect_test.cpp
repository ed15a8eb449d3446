// SPDX-License-Identifier: MIT
// media::detect and media::served_inline: the type comes from the bytes, never the name, and
// nothing scriptable is ever shown inline.
#include "media_tools.hpp"

namespace peerchat::unit {
namespace {

using media::media_kind;
namespace tools = media_tools;

std::vector<unsigned char> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

media::detected_type detect_bytes(std::string_view s, std::string_view name = "upload") {
  auto b = bytes_of(s);
  return media::detect(b, name);
}

// An ISO BMFF `ftyp` box: size, "ftyp", major brand, minor version, compatible brands.
std::string ftyp(std::string_view major, std::vector<std::string_view> compatible = {}) {
  std::string box(4, '\0');
  box += "ftyp";
  box += major;
  box += std::string(4, '\0');
  for (auto c : compatible) box += c;
  box[3] = static_cast<char>(box.size());
  return box + std::string("\0\0\0\x08" "free", 8);
}

TEST(media_detect, images_from_their_magic_bytes) {
  EXPECT_EQ(detect_bytes("\xFF\xD8\xFF\xE0\0\x10JFIF").mime, "image/jpeg");
  EXPECT_EQ(detect_bytes("\x89PNG\r\n\x1A\n\0\0\0\rIHDR").mime, "image/png");
  EXPECT_EQ(detect_bytes("GIF89a\x01\0\x01\0").mime, "image/gif");
  EXPECT_EQ(detect_bytes("GIF87a\x01\0\x01\0").mime, "image/gif");
  EXPECT_EQ(detect_bytes(std::string("RIFF\x24\0\0\0WEBPVP8 ", 16)).mime, "image/webp");
  EXPECT_EQ(detect_bytes(ftyp("heic", {"mif1", "heic"})).mime, "image/heic");
  EXPECT_EQ(detect_bytes(ftyp("heix")).mime, "image/heic");
  EXPECT_EQ(detect_bytes(ftyp("mif1", {"mif1", "heic"})).mime, "image/heic");
  EXPECT_EQ(detect_bytes(ftyp("msf1", {"msf1"})).mime, "image/heic");
  EXPECT_EQ(detect_bytes(ftyp("avif", {"mif1", "avif"})).mime, "image/avif");
  EXPECT_EQ(detect_bytes(ftyp("mif1", {"mif1", "avif"})).mime, "image/avif");
  EXPECT_EQ(detect_bytes("\xFF\xD8\xFF\xE1").kind, media_kind::image);
}

TEST(media_detect, audio_and_video_containers) {
  auto webm = detect_bytes(std::string("\x1A\x45\xDF\xA3\xA3\x42\x86\x81\x01\x42\x82\x84webm", 16));
  EXPECT_EQ(webm.mime, "video/webm");  // prepare() says audio/webm when there is no video track
  EXPECT_EQ(webm.kind, media_kind::video);
  EXPECT_EQ(detect_bytes(std::string("\x1A\x45\xDF\xA3\xA3\x42\x86\x81\x01\x42\x82\x88matroska", 20)).mime,
            "video/x-matroska");
  EXPECT_EQ(detect_bytes("OggS\0\x02").mime, "audio/ogg");
  EXPECT_EQ(detect_bytes(ftyp("M4A ", {"M4A ", "mp42", "isom"})).mime, "audio/mp4");
  EXPECT_EQ(detect_bytes(ftyp("M4A ")).kind, media_kind::audio);
  EXPECT_EQ(detect_bytes(ftyp("qt  ", {"qt  "})).mime, "video/quicktime");
  EXPECT_EQ(detect_bytes(ftyp("isom", {"isom", "iso2", "avc1", "mp41"})).mime, "video/mp4");
  EXPECT_EQ(detect_bytes(ftyp("mp42", {"mp42", "isom"})).mime, "video/mp4");
  EXPECT_EQ(detect_bytes(std::string("\0\0\0\x08wide\0\0\0\0mdat", 16)).mime, "video/quicktime");
  EXPECT_EQ(detect_bytes("ID3\x04\0\0\0\0\0\0").mime, "audio/mpeg");
  EXPECT_EQ(detect_bytes("\xFF\xFB\x90\x64").mime, "audio/mpeg");    // MPEG-1 layer III frame
  EXPECT_NE(detect_bytes("\xFF\xF1\x50\x80").mime, "audio/mpeg");    // AAC ADTS is not MP3
  EXPECT_EQ(detect_bytes(std::string("RIFF\x24\0\0\0WAVEfmt ", 16)).mime, "audio/wav");
  EXPECT_EQ(detect_bytes("fLaC\0\0\0\x22").mime, "audio/flac");
}

TEST(media_detect, documents_and_the_zip_family) {
  EXPECT_EQ(detect_bytes("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", "template.pdf").mime, "application/pdf");
  std::string zip("PK\x03\x04\x14\0\0\0\x08\0", 10);
  EXPECT_EQ(detect_bytes(zip, "report.docx").mime,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  EXPECT_EQ(detect_bytes(zip, "Budget.XLSX").mime, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(detect_bytes(zip, "deck.pptx").mime,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation");
  EXPECT_EQ(detect_bytes(zip, "notes.odt").mime, "application/vnd.oasis.opendocument.text");
  EXPECT_EQ(detect_bytes(zip, "sheet.ods").mime, "application/vnd.oasis.opendocument.spreadsheet");
  EXPECT_EQ(detect_bytes(zip, "slides.odp").mime, "application/vnd.oasis.opendocument.presentation");
  EXPECT_EQ(detect_bytes(zip, "archive.zip").mime, "application/zip");
  EXPECT_EQ(detect_bytes(zip, "looks.pdf").mime, "application/zip");
  // The name alone never makes a type: a .docx that is not a ZIP is not a Word file.
  EXPECT_EQ(detect_bytes("just words", "report.docx").mime, "text/plain");
  EXPECT_EQ(detect_bytes("%PDF-1.4", "x.pdf").kind, media_kind::file);
}

TEST(media_detect, the_name_never_decides) {
  // A PNG named .pdf is a PNG; a PDF named .png is a PDF.
  EXPECT_EQ(detect_bytes("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", "scan.pdf").mime, "image/png");
  EXPECT_EQ(detect_bytes("%PDF-1.7\n", "photo.png").mime, "application/pdf");
  // HTML named .jpg is text, and text is never shown inline.
  auto html = detect_bytes("<!doctype html><script>alert(document.cookie)</script>", "cat.jpg");
  EXPECT_EQ(html.mime, "text/plain");
  EXPECT_EQ(html.kind, media_kind::file);
  EXPECT_FALSE(media::served_inline(html.mime));
}

TEST(media_detect, svg_html_and_xml_are_plain_text_never_inline) {
  for (auto [text, name] : {std::pair{"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>", "logo.svg"},
                            std::pair{"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>", "a.svg"},
                            std::pair{"<html><body onload=alert(1)>", "index.html"},
                            std::pair{"<?xml version=\"1.0\"?><note/>", "n.xml"},
                            std::pair{"Grüße, ça va? 日本語\n", "notes.txt"}}) {
    auto t = detect_bytes(text, name);
    EXPECT_EQ(t.mime, "text/plain") << name;
    EXPECT_FALSE(media::served_inline(t.mime)) << name;
  }
}

TEST(media_detect, binary_and_unknown_bytes_are_octet_stream) {
  EXPECT_EQ(detect_bytes(std::string("\x7F" "ELF\x02\x01\x01\0\0\0", 10), "tool").mime, "application/octet-stream");
  EXPECT_EQ(detect_bytes(std::string("text with a \0 NUL", 17)).mime, "application/octet-stream");
  EXPECT_EQ(detect_bytes("\xC3\x28 invalid UTF-8").mime, "application/octet-stream");
  EXPECT_EQ(detect_bytes("\xED\xA0\x80 a surrogate").mime, "application/octet-stream");
  EXPECT_EQ(detect_bytes("").mime, "application/octet-stream");
  EXPECT_EQ(detect_bytes("\xFF\xD8").mime, "application/octet-stream");  // too short for a JPEG
  // UTF-8 cut in the middle of a character at the end of the head is still text.
  EXPECT_EQ(detect_bytes("caf\xC3").mime, "text/plain");
}

TEST(media_detect, inline_allow_list) {
  for (auto mime : {"image/jpeg", "image/png", "image/gif", "image/webp", "image/avif", "audio/webm", "audio/ogg",
                    "audio/mp4", "audio/mpeg", "audio/wav", "audio/flac", "video/mp4", "video/webm"})
    EXPECT_TRUE(media::served_inline(mime)) << mime;
  for (auto mime : {"image/svg+xml", "text/html", "text/xml", "application/xml", "application/xhtml+xml",
                    "application/pdf", "text/plain", "application/javascript", "image/heic", "video/quicktime",
                    "video/x-matroska", "application/octet-stream", "application/zip", "", "IMAGE/JPEG",
                    "image/jpeg; charset=utf-8"})
    EXPECT_FALSE(media::served_inline(mime)) << mime;
}

// Real files, written by PIL and ffmpeg, then renamed: detect() reads their bytes.
TEST(media_detect, real_files_written_by_other_tools) {
  PEERCHAT_REQUIRE_PIL();
  PEERCHAT_REQUIRE_FFMPEG();
  temp_dir dir;
  auto at = [&](char const* name) { return (dir.path() / name).string(); };
  tools::run_python(R"(
import sys
from PIL import Image
d = sys.argv[1]
img = Image.new("RGB", (8, 8), (10, 200, 30))
for fmt, name in [("JPEG", "a.pdf"), ("PNG", "b.pdf"), ("GIF", "c.txt"), ("WEBP", "d.jpg")]:
    img.save(d + "/" + name, fmt)
)", {dir.path().string()});
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "libopus", at("e.webm")});
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "libopus", at("f.ogg")});
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "aac", at("g.m4a")});
  tools::run_ffmpeg({"-f", "lavfi", "-i", "testsrc=size=32x32:duration=0.5", "-c:v", "libx264", "-preset", "ultrafast", at("h.mp4")});
  tools::run_ffmpeg({"-f", "lavfi", "-i", "testsrc=size=32x32:duration=0.5", "-c:v", "libx264", "-preset", "ultrafast", at("i.mov")});
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "libmp3lame", at("j.mp3")});
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=0.5", at("k.wav")});
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=0.5", at("l.flac")});
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=0.5", "-c:a", "libmp3lame", "-f", "mp3", "-id3v2_version", "0", "-write_xing", "0", at("m.bin")});

  std::pair<char const*, char const*> expected[] = {
      {"a.pdf", "image/jpeg"}, {"b.pdf", "image/png"},   {"c.txt", "image/gif"},        {"d.jpg", "image/webp"},
      {"e.webm", "video/webm"}, {"f.ogg", "audio/ogg"},  {"g.m4a", "audio/mp4"},        {"h.mp4", "video/mp4"},
      {"i.mov", "video/quicktime"}, {"j.mp3", "audio/mpeg"}, {"k.wav", "audio/wav"}, {"l.flac", "audio/flac"},
      {"m.bin", "audio/mpeg"},  // bare MPEG frames, no ID3 tag: found by the frame sync
  };
  for (auto [name, mime] : expected) EXPECT_EQ(tools::detect_file(dir.path() / name).mime, mime) << name;
}

}  // namespace
}  // namespace peerchat::unit
