// SPDX-License-Identifier: MIT
// media::prepare for audio and video: remuxed without metadata (no location, no title, no
// extra tracks), measured, never re-encoded — checked with ffprobe and exiftool.
#include "media_tools.hpp"
#include <optional>
#include <set>
#include <thread>

namespace peerchat::unit {
namespace {

using media::media_kind;
namespace tools = media_tools;
using json = nlohmann::json;

constexpr char const* new_york = "+40.7128-074.0060/";

// Every tag ffprobe finds, container and streams, as "where:key=value" lines.
std::vector<std::string> all_tags(json const& probe) {
  std::vector<std::string> tags;
  if (probe.contains("format") && probe["format"].contains("tags"))
    for (auto const& [k, v] : probe["format"]["tags"].items()) tags.push_back("format:" + k + "=" + v.dump());
  for (auto const& s : probe.value("streams", json::array()))
    if (s.contains("tags"))
      for (auto const& [k, v] : s["tags"].items()) tags.push_back("stream:" + k + "=" + v.dump());
  return tags;
}

// The tags that give the uploader away: a location, a title, a name, a comment. (What the
// muxer itself writes — brands, "Lavf" without a version, "VideoHandler" — says nothing.)
std::vector<std::string> telling_tags(json const& probe) {
  std::vector<std::string> found;
  for (auto const& tag : all_tags(probe)) {
    std::string lower = tag;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto word : {"location", "40.7128", "secret", "alice", "title", "comment", "artist"})
      if (lower.find(word) != std::string::npos) found.push_back(tag);
  }
  return found;
}

std::vector<std::string> stream_types(json const& probe) {
  std::vector<std::string> types;
  for (auto const& s : probe.value("streams", json::array())) types.push_back(s.value("codec_type", "?"));
  return types;
}

double probed_duration(json const& probe) {
  if (!probe.contains("format") || !probe["format"].contains("duration")) return -1;
  return std::stod(probe["format"]["duration"].get<std::string>());
}

class media_av : public ::testing::Test {
 protected:
  void SetUp() override {
    PEERCHAT_REQUIRE_FFMPEG();
    media::init();
    work_ = dir_.path() / "work";
    std::filesystem::create_directory(work_);
  }

  std::filesystem::path at(char const* name) const { return dir_.path() / name; }

  result<media::prepared_file> prepare(std::filesystem::path const& file) {
    return media::prepare(file, tools::detect_file(file), work_, {});
  }

  // The output names no location or title, and its codecs are the input's (no re-encode).
  void expect_clean_copy(std::filesystem::path const& input, media::prepared_file const& out) {
    auto before = tools::probe(input);
    auto after = tools::probe(out.file);
    EXPECT_TRUE(telling_tags(after).empty()) << ::testing::PrintToString(all_tags(after));
    EXPECT_EQ(after["format"].value("nb_chapters", 0), 0);
    for (auto const& s : after["streams"]) {
      bool same_codec = false;
      for (auto const& b : before["streams"]) same_codec |= b["codec_name"] == s["codec_name"];
      EXPECT_TRUE(same_codec) << s["codec_name"] << " was not in the input";
    }
  }

  temp_dir dir_;
  std::filesystem::path work_;
};

TEST_F(media_av, browser_webm_voice_note_without_a_duration_is_measured) {
  // What Chromium's MediaRecorder writes: Opus in WebM, streamed, so no duration and no cues
  // (ffmpeg's -live 1 writes the same shape). A title tag stands for any metadata.
  auto note = at("voice.webm");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "libopus", "-metadata",
                     "title=Secret", "-metadata", std::string("location=") + new_york, "-live", "1", note.string()});
  auto fixture = tools::probe(note);
  ASSERT_LT(probed_duration(fixture), 0) << "the fixture should have no duration in its header";
  ASSERT_FALSE(telling_tags(fixture).empty());
  EXPECT_EQ(tools::detect_file(note).mime, "video/webm");

  auto prepared = prepare(note);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "audio/webm");  // corrected: no video track
  EXPECT_EQ(prepared->kind, media_kind::audio);
  ASSERT_TRUE(prepared->duration_ms.has_value());
  EXPECT_NEAR(static_cast<double>(*prepared->duration_ms), 3000.0, 60.0);
  EXPECT_FALSE(prepared->width.has_value());
  EXPECT_FALSE(prepared->thumb.has_value());
  expect_clean_copy(note, *prepared);
  auto out = tools::probe(prepared->file);
  EXPECT_EQ(out["format"]["format_name"], "matroska,webm");
  EXPECT_EQ(stream_types(out), std::vector<std::string>{"audio"});
  // Our file states its duration, so a browser can show it and seek.
  EXPECT_NEAR(probed_duration(out), 3.0, 0.06);
}

TEST_F(media_av, browser_webm_video_and_matroska_files) {
  // Chromium's camera recording: VP8 + Opus in a streamed WebM (no duration).
  auto clip = at("camera.webm");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=2", "-f", "lavfi", "-i",
                     "sine=duration=2", "-c:v", "libvpx", "-deadline", "realtime", "-c:a", "libopus", "-metadata",
                     "title=Secret", "-live", "1", clip.string()});
  auto prepared = prepare(clip);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "video/webm");
  EXPECT_EQ(prepared->kind, media_kind::video);
  EXPECT_EQ(prepared->width, 64);
  EXPECT_EQ(prepared->height, 48);
  EXPECT_NEAR(static_cast<double>(prepared->duration_ms.value_or(0)), 2000.0, 120.0);
  expect_clean_copy(clip, *prepared);
  EXPECT_EQ(stream_types(tools::probe(prepared->file)), (std::vector<std::string>{"video", "audio"}));

  // VP9 + Opus in a Matroska file: WebM can hold it, so it becomes a WebM a browser plays.
  auto mkv = at("clip.mkv");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1", "-c:v", "libvpx-vp9", "-deadline",
                     "realtime", "-metadata", "title=Secret", mkv.string()});
  EXPECT_EQ(tools::detect_file(mkv).mime, "video/x-matroska");
  auto as_webm = prepare(mkv);
  ASSERT_TRUE(is_ok(as_webm));
  EXPECT_EQ(as_webm->mime, "video/webm");
  expect_clean_copy(mkv, *as_webm);

  // H.264 in Matroska: WebM cannot hold it; it stays Matroska, a download, still stripped.
  auto h264 = at("h264.mkv");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1", "-c:v", "libx264", "-preset",
                     "ultrafast", "-metadata", "title=Secret", "-metadata", std::string("location=") + new_york,
                     h264.string()});
  auto as_mkv = prepare(h264);
  ASSERT_TRUE(is_ok(as_mkv));
  EXPECT_EQ(as_mkv->mime, "video/x-matroska");
  EXPECT_FALSE(media::served_inline(as_mkv->mime));
  expect_clean_copy(h264, *as_mkv);
}

TEST_F(media_av, ogg_opus_loses_its_tags) {
  auto note = at("voice.ogg");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=2", "-c:a", "libopus", "-metadata", "title=Secret",
                     "-metadata", "artist=alice", note.string()});
  ASSERT_FALSE(telling_tags(tools::probe(note)).empty());
  auto prepared = prepare(note);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "audio/ogg");
  EXPECT_NEAR(static_cast<double>(prepared->duration_ms.value_or(0)), 2000.0, 60.0);
  expect_clean_copy(note, *prepared);
  EXPECT_EQ(stream_types(tools::probe(prepared->file)), std::vector<std::string>{"audio"});
}

TEST_F(media_av, safari_aac_in_mp4_is_audio_mp4) {
  // Safari records AAC in an MP4 whose brand says nothing about audio only.
  auto note = at("voice.mp4");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac", "-metadata", "title=Secret", "-metadata",
                     std::string("location=") + new_york, note.string()});
  EXPECT_EQ(tools::detect_file(note).mime, "video/mp4");
  auto prepared = prepare(note);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "audio/mp4");
  EXPECT_EQ(prepared->kind, media_kind::audio);
  EXPECT_NEAR(static_cast<double>(prepared->duration_ms.value_or(0)), 2000.0, 80.0);
  expect_clean_copy(note, *prepared);

  auto m4a = at("voice.m4a");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", m4a.string()});
  auto from_m4a = prepare(m4a);
  ASSERT_TRUE(is_ok(from_m4a));
  EXPECT_EQ(from_m4a->mime, "audio/mp4");
}

TEST_F(media_av, phone_mp4_keeps_audio_and_video_and_drops_location_title_and_other_tracks) {
  PEERCHAT_REQUIRE_EXIFTOOL();
  // H.264 + AAC with a location (©xyz), a title and a subtitle track: what must survive is
  // the picture and the sound.
  auto subtitles = at("s.srt");
  { std::ofstream(subtitles) << "1\n00:00:00,000 --> 00:00:01,000\nat the secret place\n"; }
  auto video = at("clip.mp4");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=2", "-f", "lavfi", "-i",
                     "sine=duration=2", "-i", subtitles.string(), "-map", "0", "-map", "1", "-map", "2", "-c:v",
                     "libx264", "-preset", "ultrafast", "-c:a", "aac", "-c:s", "mov_text", "-metadata", "title=Secret",
                     "-metadata", std::string("location=") + new_york, video.string()});
  ASSERT_EQ(stream_types(tools::probe(video)), (std::vector<std::string>{"video", "audio", "subtitle"}));
  ASSERT_FALSE(tools::location_tags(tools::exif_tags(video)).empty()) << "the fixture should carry GPS";

  auto prepared = prepare(video);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_TRUE(tools::owner_only(prepared->file));
  EXPECT_EQ(prepared->mime, "video/mp4");
  EXPECT_EQ(prepared->kind, media_kind::video);
  EXPECT_EQ(prepared->width, 160);
  EXPECT_EQ(prepared->height, 120);
  EXPECT_NEAR(static_cast<double>(prepared->duration_ms.value_or(0)), 2000.0, 80.0);
  expect_clean_copy(video, *prepared);
  auto out = tools::probe(prepared->file);
  EXPECT_EQ(stream_types(out), (std::vector<std::string>{"video", "audio"}));
  EXPECT_NEAR(probed_duration(out), 2.0, 0.08);
  auto tags = tools::exif_tags(prepared->file);
  EXPECT_TRUE(tools::location_tags(tags).empty()) << tags.dump(1);

  // +faststart: the index (moov) comes before the media data, so a browser can seek at once.
  auto head = tools::head_of(prepared->file, 1 << 16);
  std::string_view bytes(reinterpret_cast<char const*>(head.data()), head.size());
  ASSERT_NE(bytes.find("moov"), std::string_view::npos);
  ASSERT_NE(bytes.find("mdat"), std::string_view::npos);
  EXPECT_LT(bytes.find("moov"), bytes.find("mdat"));
}

TEST_F(media_av, portrait_mov_becomes_mp4_and_stays_portrait) {
  PEERCHAT_REQUIRE_EXIFTOOL();
  PEERCHAT_REQUIRE_PIL();  // python patches the track header
  auto mov = at("portrait.mov");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=1", "-f", "lavfi", "-i",
                     "sine=duration=1", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-metadata",
                     std::string("location=") + new_york, "-metadata", "title=Secret", mov.string()});
  // A phone filming upright stores landscape pixels and a 90° display matrix in the video
  // track's header (tkhd); ffmpeg 5.1's CLI cannot write one, so patch it in.
  tools::run_python(R"(
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
i = d.find(b"tkhd")
offset = i + 4 + 4 + (32 if d[i + 4] == 1 else 20) + 8 + 8
struct.pack_into(">9i", d, offset, 0, 65536, 0, -65536, 0, 0, 0, 0, 0x40000000)
open(sys.argv[1], "wb").write(d)
)", {mov.string()});
  EXPECT_EQ(tools::detect_file(mov).mime, "video/quicktime");

  auto prepared = prepare(mov);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "video/mp4");
  EXPECT_EQ(prepared->width, 120);  // as shown: portrait
  EXPECT_EQ(prepared->height, 160);
  expect_clean_copy(mov, *prepared);
  auto out = tools::probe(prepared->file);
  EXPECT_NE(out["format"]["format_name"].get<std::string>().find("mp4"), std::string::npos);
  EXPECT_NE(out["streams"][0].dump().find("\"rotation\":-90"), std::string::npos) << out["streams"][0].dump(1);
  EXPECT_TRUE(tools::location_tags(tools::exif_tags(prepared->file)).empty());
}

TEST_F(media_av, iphone_hevc_keeps_the_hvc1_tag_safari_needs) {
  // iPhones film HEVC tagged `hvc1`; Safari plays no HEVC tagged `hev1`, which is what an MP4
  // muxer picks when left to itself.
  auto mov = at("IMG_0002.MOV");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "testsrc=size=64x48:rate=10:duration=1", "-c:v", "libx265", "-preset",
                     "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1", mov.string()});
  auto prepared = prepare(mov);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "video/mp4");
  auto out = tools::probe(prepared->file);
  EXPECT_EQ(out["streams"][0]["codec_name"], "hevc");
  EXPECT_EQ(out["streams"][0]["codec_tag_string"], "hvc1");
}

TEST_F(media_av, mp3_wav_and_flac_are_remuxed_without_tags) {
  struct sample {
    char const* name;
    std::vector<std::string> codec;
    char const* mime;
  };
  for (auto const& s : {sample{"a.mp3", {"-c:a", "libmp3lame"}, "audio/mpeg"}, sample{"a.wav", {}, "audio/wav"},
                        sample{"a.flac", {}, "audio/flac"}}) {
    auto file = at(s.name);
    std::vector<std::string> args{"-f", "lavfi", "-i", "sine=duration=1"};
    args.insert(args.end(), s.codec.begin(), s.codec.end());
    for (auto tag : {"title=Secret", "artist=alice", "comment=at 40.7128 N"}) {
      args.push_back("-metadata");
      args.push_back(tag);
    }
    args.push_back(file.string());
    tools::run_ffmpeg(args);
    auto prepared = prepare(file);
    ASSERT_TRUE(is_ok(prepared)) << s.name;
    EXPECT_EQ(prepared->mime, s.mime);
    EXPECT_NEAR(static_cast<double>(prepared->duration_ms.value_or(0)), 1000.0, 80.0) << s.name;
    expect_clean_copy(file, *prepared);
  }
}

// The media workers call prepare() side by side: images and audio at once, each with its
// own result and files.
TEST_F(media_av, several_workers_prepare_at_once) {
  PEERCHAT_REQUIRE_PIL();
  auto note = at("note.webm");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libopus", "-live", "1", note.string()});
  auto photo = at("photo.png");
  tools::run_python(R"(
import sys
from PIL import Image
Image.new("RGB", (300, 200), (10, 20, 30)).save(sys.argv[1])
)", {photo.string()});
  constexpr int workers = 4;
  std::vector<std::optional<result<media::prepared_file>>> results(workers * 2);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back([&, w] {
      results[static_cast<std::size_t>(2 * w)] = prepare(note);
      results[static_cast<std::size_t>(2 * w + 1)] = prepare(photo);
    });
  for (auto& t : threads) t.join();
  std::set<std::filesystem::path> files;
  for (std::size_t i = 0; i < results.size(); ++i) {
    ASSERT_TRUE(results[i].has_value() && is_ok(*results[i])) << "call " << i;
    auto const& r = **results[i];
    EXPECT_EQ(r.mime, i % 2 == 0 ? "audio/webm" : "image/png");
    files.insert(r.file);
    if (r.thumb) files.insert(*r.thumb);
  }
  EXPECT_EQ(files.size(), static_cast<std::size_t>(workers * 3)) << "every call wrote files of its own";
}

TEST_F(media_av, more_than_four_hours_is_refused) {
  // 4 h 1 min of silence at 100 samples a second: 1.4 MB, made in a blink.
  auto long_wav = at("long.wav");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "anullsrc=r=100:cl=mono", "-t", "14460", "-c:a", "pcm_u8", long_wav.string()});
  auto refused = prepare(long_wav);
  ASSERT_TRUE(fails_with(refused, errc::bad_request));
  EXPECT_EQ(refused.error().message, "the audio or video file is longer than 4 hours");
  auto short_wav = at("short.wav");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "anullsrc=r=100:cl=mono", "-t", "14340", "-c:a", "pcm_u8", short_wav.string()});
  auto accepted = prepare(short_wav);
  ASSERT_TRUE(is_ok(accepted));
  EXPECT_EQ(accepted->duration_ms, 14340 * 1000);
}

TEST_F(media_av, what_libavformat_cannot_read_is_refused_and_leaves_nothing) {
  auto fake = at("fake.webm");
  { std::ofstream(fake, std::ios::binary) << "\x1A\x45\xDF\xA3" << std::string(300, '\x7F'); }
  auto refused = prepare(fake);
  ASSERT_TRUE(fails_with(refused, errc::bad_request));
  EXPECT_EQ(refused.error().message, "the audio or video file could not be read");

  auto cut = at("cut.mp4");
  tools::run_ffmpeg({"-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", cut.string()});
  std::filesystem::resize_file(cut, 100);  // the ftyp box and a little more
  EXPECT_TRUE(fails_with(prepare(cut), errc::bad_request));

  // Subtitles alone: neither audio nor video.
  auto subtitles = at("s.srt");
  { std::ofstream(subtitles) << "1\n00:00:00,000 --> 00:00:01,000\nhello\n"; }
  auto only_text = at("text.mkv");
  tools::run_ffmpeg({"-i", subtitles.string(), "-f", "webm", "-c:s", "webvtt", only_text.string()});
  auto no_av = prepare(only_text);
  ASSERT_TRUE(fails_with(no_av, errc::bad_request));
  EXPECT_EQ(no_av.error().message, "the file holds no audio or video");
  EXPECT_EQ(tools::files_in(work_), 0u);
}

}  // namespace
}  // namespace peerchat::unit
