// SPDX-License-Identifier: MIT
// Audio and video with libavformat: the audio and video streams copied packet by packet into
// a new file of the same family, and nothing else — no container or stream metadata (a
// phone's ©xyz location, titles, encoder names), no chapters, no data, subtitle or
// timed-metadata tracks (iPhones keep GPS in a `mebx` track too), no cover pictures.
// No re-encoding: the work is reading and writing bytes, bounded in packets and time.
#include "av.hpp"
#include "work_file.hpp"
#include <spdlog/spdlog.h>
extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/display.h>
}
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <vector>

namespace peerchat::media {
namespace {

// Bounds on one file's work, so a crafted upload cannot hold a media worker for long.
constexpr auto max_work_time = std::chrono::seconds(60);              // open, probe, remux, finish
constexpr std::int64_t max_duration_ms = 4LL * 60 * 60 * 1000;        // 4 hours
constexpr std::int64_t max_packets = 4'000'000;                       // 4 h of 60 fps video + audio

// One way to write the result. Tried in order: the first whose container takes every kept
// codec. The first of each family is one browsers play (inline); the second keeps odd codecs
// (H.264 in a WebM, ProRes in a MOV) as a download, still without metadata.
struct muxer {
  char const* name;        // libavformat's muxer
  char const* extension;
  char const* audio_mime;  // when no video stream is kept
  char const* video_mime;  // nullptr: a family without video (MP3, WAV, FLAC)
};

struct family {
  char const* demuxers;    // the only demuxers libavformat may use for this upload
  std::vector<muxer> muxers;
};

family family_of(std::string const& mime) {
  if (mime == "video/webm" || mime == "audio/webm" || mime == "video/x-matroska")
    return {"matroska,webm", {{"webm", "webm", "audio/webm", "video/webm"},
                              {"matroska", "mkv", "audio/x-matroska", "video/x-matroska"}}};
  if (mime == "audio/ogg" || mime == "video/ogg") return {"ogg", {{"ogg", "ogg", "audio/ogg", "video/ogg"}}};
  if (mime == "video/mp4" || mime == "audio/mp4" || mime == "video/quicktime")
    return {"mov,mp4,m4a,3gp,3g2,mj2", {{"mp4", "mp4", "audio/mp4", "video/mp4"},
                                        {"mov", "mov", "video/quicktime", "video/quicktime"}}};
  if (mime == "audio/mpeg") return {"mp3", {{"mp3", "mp3", "audio/mpeg", nullptr}}};
  if (mime == "audio/wav") return {"wav", {{"wav", "wav", "audio/wav", nullptr}}};
  if (mime == "audio/flac") return {"flac", {{"flac", "flac", "audio/flac", nullptr}}};
  return {nullptr, {}};
}

std::string av_error_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

// The AVIOInterruptCB: libavformat polls it during every blocking step.
struct deadline {
  std::chrono::steady_clock::time_point at = std::chrono::steady_clock::now() + max_work_time;
  static int passed(void* self) { return std::chrono::steady_clock::now() > static_cast<deadline*>(self)->at ? 1 : 0; }
};

struct input_closer {
  void operator()(AVFormatContext* c) const noexcept { avformat_close_input(&c); }
};
struct output_closer {
  void operator()(AVFormatContext* c) const noexcept {
    if (c->pb) avio_closep(&c->pb);
    avformat_free_context(c);
  }
};
struct packet_freer {
  void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};

error unreadable(std::string_view what, int code) {
  spdlog::info("media: refused an audio/video file: {}: {}", what, av_error_text(code));
  if (code == AVERROR_EXIT) return make_error(errc::bad_request, "the audio or video file took too long to process");
  return make_error(errc::bad_request, "the audio or video file could not be read");
}

error write_failed(std::string_view what, int code) {
  if (code == AVERROR(ENOSPC) || code == AVERROR(EIO) || code == AVERROR(EACCES)) {
    spdlog::error("media: cannot write a remuxed file: {}: {}", what, av_error_text(code));
    return make_error(errc::internal, "the file could not be stored");
  }
  return unreadable(what, code);
}

// The streams kept: the first real video stream (not a cover picture) and the first audio
// stream. A player shows one of each; the others would only be more to check.
struct selection {
  int video = -1;
  int audio = -1;
};

selection select_streams(AVFormatContext const* in, bool video_allowed) {
  selection s;
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    AVStream const* st = in->streams[i];
    if (st->codecpar->codec_id == AV_CODEC_ID_NONE) continue;
    if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && video_allowed && s.video < 0 &&
        !(st->disposition & AV_DISPOSITION_ATTACHED_PIC) && st->codecpar->width > 0 && st->codecpar->height > 0)
      s.video = static_cast<int>(i);
    if (st->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && s.audio < 0) s.audio = static_cast<int>(i);
  }
  return s;
}

// A container that takes every kept codec (avformat_query_codec: 1 yes, 0 no, <0 unknown).
muxer const* pick_muxer(family const& f, AVFormatContext const* in, std::vector<int> const& kept) {
  for (auto const& m : f.muxers) {
    AVOutputFormat const* out = av_guess_format(m.name, nullptr, nullptr);
    if (!out) continue;
    bool fits = std::all_of(kept.begin(), kept.end(), [&](int i) {
      return avformat_query_codec(out, in->streams[i]->codecpar->codec_id, FF_COMPLIANCE_NORMAL) != 0;
    });
    if (fits) return &m;
  }
  return nullptr;
}

// The codec tag is kept when the new container knows it (so an iPhone's HEVC stays `hvc1`,
// which Safari needs), else the muxer picks one — as ffmpeg's CLI decides for -c copy.
unsigned codec_tag_for(AVOutputFormat const* out, AVCodecParameters const* par) {
  unsigned ignored = 0;
  if (!out->codec_tag || av_codec_get_id(out->codec_tag, par->codec_tag) == par->codec_id ||
      !av_codec_get_tag2(out->codec_tag, par->codec_id, &ignored))
    return par->codec_tag;
  return 0;
}

// The display matrix is how a phone says "this video is portrait": kept, or the video would
// play on its side. It is the only stream side data copied.
void copy_rotation(AVStream const* in, AVStream* out) {
  std::size_t size = 0;
  std::uint8_t const* matrix = av_stream_get_side_data(in, AV_PKT_DATA_DISPLAYMATRIX, &size);
  if (!matrix || size < 9 * sizeof(std::int32_t)) return;
  if (std::uint8_t* copy = av_stream_new_side_data(out, AV_PKT_DATA_DISPLAYMATRIX, size)) std::memcpy(copy, matrix, size);
}

struct remux_result {
  std::int64_t end_ms = 0;   // the largest pts + duration over the kept streams
};

result<remux_result> remux(AVFormatContext* in, std::vector<int> const& kept, muxer const& m,
                           std::filesystem::path const& out_path, deadline& limit) {
  AVFormatContext* raw = nullptr;
  int rc = avformat_alloc_output_context2(&raw, nullptr, m.name, out_path.c_str());
  if (rc < 0 || !raw) return write_failed("output context", rc);
  std::unique_ptr<AVFormatContext, output_closer> out(raw);
  out->interrupt_callback = {&deadline::passed, &limit};
  // Bit-exact: no encoder name or version, no random ids — nothing about us or the uploader.
  out->flags |= AVFMT_FLAG_BITEXACT;

  std::vector<int> out_index(in->nb_streams, -1);
  std::vector<std::int64_t> last_dts(kept.size(), AV_NOPTS_VALUE);
  for (int i : kept) {
    AVStream const* src = in->streams[i];
    AVStream* dst = avformat_new_stream(out.get(), nullptr);
    if (!dst) return make_error(errc::internal, "out of memory");
    if ((rc = avcodec_parameters_copy(dst->codecpar, src->codecpar)) < 0) return write_failed("parameters", rc);
    dst->codecpar->codec_tag = codec_tag_for(out->oformat, src->codecpar);
    dst->time_base = src->time_base;
    dst->disposition = src->disposition & AV_DISPOSITION_DEFAULT;
    copy_rotation(src, dst);
    out_index[static_cast<std::size_t>(i)] = dst->index;  // dst->metadata stays empty: no language, title or handler name
  }

  if ((rc = avio_open2(&out->pb, out_path.c_str(), AVIO_FLAG_WRITE, &out->interrupt_callback, nullptr)) < 0)
    return write_failed("open output", rc);
  AVDictionary* muxer_options = nullptr;
  // The index at the front, so a browser can start playing and seek before the whole file came.
  if (std::strcmp(m.name, "mp4") == 0 || std::strcmp(m.name, "mov") == 0) av_dict_set(&muxer_options, "movflags", "+faststart", 0);
  if (std::strcmp(m.name, "mp3") == 0) av_dict_set(&muxer_options, "id3v2_version", "0", 0);  // no ID3 tag at all
  rc = avformat_write_header(out.get(), &muxer_options);
  av_dict_free(&muxer_options);
  if (rc < 0) return write_failed("write header", rc);

  std::unique_ptr<AVPacket, packet_freer> packet(av_packet_alloc());
  if (!packet) return make_error(errc::internal, "out of memory");
  remux_result measured;
  std::int64_t packets = 0;
  while ((rc = av_read_frame(in, packet.get())) >= 0) {
    AVPacket* p = packet.get();
    int target = out_index[static_cast<std::size_t>(p->stream_index)];
    if (target < 0) {
      av_packet_unref(p);
      continue;
    }
    if (++packets > max_packets) return make_error(errc::bad_request, "the audio or video file is too long");
    AVStream const* src = in->streams[p->stream_index];
    AVStream const* dst = out->streams[target];

    std::int64_t ts = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
    if (ts != AV_NOPTS_VALUE) {
      std::int64_t start = src->start_time != AV_NOPTS_VALUE ? src->start_time : 0;
      std::int64_t end = av_rescale_q(ts - start + std::max<std::int64_t>(p->duration, 0), src->time_base, AVRational{1, 1000});
      measured.end_ms = std::max(measured.end_ms, end);
      if (measured.end_ms > max_duration_ms) return make_error(errc::bad_request, "the audio or video file is longer than 4 hours");
    }
    // Chained Ogg and a few others carry tags inside packets; they must not reach the output.
    if (av_packet_get_side_data(p, AV_PKT_DATA_STRINGS_METADATA, nullptr) ||
        av_packet_get_side_data(p, AV_PKT_DATA_METADATA_UPDATE, nullptr))
      av_packet_free_side_data(p);

    av_packet_rescale_ts(p, src->time_base, dst->time_base);
    // Timestamps that go backwards (seen in recorder output) would make the muxer refuse the
    // packet; nudge them forward as ffmpeg's CLI does for -c copy.
    std::int64_t& last = last_dts[static_cast<std::size_t>(target)];
    if (p->dts != AV_NOPTS_VALUE && last != AV_NOPTS_VALUE) {
      std::int64_t floor = (out->oformat->flags & AVFMT_TS_NONSTRICT) ? last : last + 1;
      if (p->dts < floor) {
        if (p->pts != AV_NOPTS_VALUE && p->pts < floor) p->pts = floor;
        p->dts = floor;
      }
    }
    if (p->dts != AV_NOPTS_VALUE) last = p->dts;
    p->stream_index = target;
    p->pos = -1;
    if ((rc = av_interleaved_write_frame(out.get(), p)) < 0) return write_failed("write packet", rc);
  }
  if (rc != AVERROR_EOF) return unreadable("read packet", rc);
  if ((rc = av_write_trailer(out.get())) < 0) return write_failed("write trailer", rc);
  if ((rc = avio_closep(&out->pb)) < 0) return write_failed("close output", rc);
  return measured;
}

}  // namespace

void init_av() {
  // Broken uploads are answered with 400; libavformat's own complaints would only fill the log.
  av_log_set_level(AV_LOG_FATAL);
}

result<prepared_file> prepare_av(std::filesystem::path const& upload, detected_type const& type,
                                 std::filesystem::path const& work_dir) {
  family f = family_of(type.mime);
  if (!f.demuxers) return make_error(errc::bad_request, "this audio or video type is not supported");
  deadline limit;

  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) return make_error(errc::internal, "out of memory");
  raw->interrupt_callback = {&deadline::passed, &limit};
  AVDictionary* options = nullptr;
  // Only the demuxers of the detected family, and only local files: a playlist or a
  // reference to another file or URL inside an upload is never followed.
  av_dict_set(&options, "format_whitelist", f.demuxers, 0);
  av_dict_set(&options, "protocol_whitelist", "file", 0);
  int rc = avformat_open_input(&raw, upload.c_str(), nullptr, &options);  // frees raw on failure
  av_dict_free(&options);
  if (rc < 0) return unreadable("open", rc);
  std::unique_ptr<AVFormatContext, input_closer> in(raw);
  if ((rc = avformat_find_stream_info(in.get(), nullptr)) < 0) return unreadable("stream info", rc);

  bool video_allowed = f.muxers.front().video_mime != nullptr;
  selection s = select_streams(in.get(), video_allowed);
  if (s.video < 0 && s.audio < 0) return make_error(errc::bad_request, "the file holds no audio or video");
  std::vector<int> kept;
  if (s.video >= 0) kept.push_back(s.video);
  if (s.audio >= 0) kept.push_back(s.audio);

  bool container_knows = in->duration != AV_NOPTS_VALUE && in->duration > 0 &&
                         in->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE;
  if (container_knows && in->duration / 1000 > max_duration_ms)
    return make_error(errc::bad_request, "the audio or video file is longer than 4 hours");

  muxer const* m = pick_muxer(f, in.get(), kept);
  if (!m) return make_error(errc::bad_request, "this audio or video codec cannot be stored");
  auto file = work_file::create(work_dir, m->extension);
  if (!file) return file.error();
  auto measured = remux(in.get(), kept, *m, file->path(), limit);
  if (!measured) return measured.error();

  prepared_file prepared;
  bool has_video = s.video >= 0;
  prepared.kind = has_video ? media_kind::video : media_kind::audio;
  prepared.mime = has_video ? m->video_mime : m->audio_mime;
  // Browser-recorded WebM has no duration in its header: then the packets measured it.
  prepared.duration_ms = container_knows ? in->duration / 1000 : measured->end_ms;
  if (has_video) {
    AVStream const* v = in->streams[s.video];
    double degrees = 0;
    std::size_t size = 0;
    if (auto const* matrix = av_stream_get_side_data(v, AV_PKT_DATA_DISPLAYMATRIX, &size); matrix && size >= 36)
      degrees = av_display_rotation_get(reinterpret_cast<std::int32_t const*>(matrix));
    bool sideways = !std::isnan(degrees) && std::lround(std::fabs(degrees)) % 180 == 90;
    prepared.width = sideways ? v->codecpar->height : v->codecpar->width;
    prepared.height = sideways ? v->codecpar->width : v->codecpar->height;
  }
  prepared.file = file->keep();
  return prepared;
}

}  // namespace peerchat::media
