// SPDX-License-Identifier: MIT
// Images with libvips (C API): the pixel limit checked on the header before any pixel is
// decoded, EXIF orientation applied, every metadata block (EXIF with GPS, XMP, IPTC, ICC,
// comments) dropped by re-encoding, and a JPEG thumbnail.
#include "image.hpp"
#include "work_file.hpp"
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <vips/vips.h>
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

namespace peerchat::media {
namespace {

struct vips_unref {
  void operator()(VipsImage* image) const noexcept { g_object_unref(image); }
};
using image_ptr = std::unique_ptr<VipsImage, vips_unref>;

constexpr int jpeg_quality = 88;        // near-invisible loss at about a third of q=100's size
constexpr int webp_quality = 88;
constexpr int thumb_jpeg_quality = 80;  // a small preview; the full image is one tap away

// libvips' error buffer is one per process: take its text for the log and clear it.
std::string take_vips_error() {
  std::string text = vips_error_buffer();
  vips_error_clear();
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

error undecodable(std::string_view what) {
  spdlog::info("media: refused an image: {}: {}", what, take_vips_error());
  return make_error(errc::bad_request, "the image could not be decoded");
}

bool has_operation(char const* name) { return vips_type_find("VipsOperation", name) != 0; }

// Opens the header with the loader the detected type names (never libvips' own sniffing, so
// bytes that claim to be a PNG are only ever parsed as one). Nothing is decoded yet: libvips
// reads pixels when something asks for them. `pages` is 1, or -1 for every frame of an
// animation. fail_on=error refuses truncated and corrupt files instead of showing half.
image_ptr open_image(std::string const& mime, char const* path, VipsAccess access, int pages) {
  VipsImage* out = nullptr;
  int rc = -1;
  auto fail_on = VIPS_FAIL_ON_ERROR;
  if (mime == "image/jpeg")
    rc = vips_jpegload(path, &out, "access", access, "fail_on", fail_on, nullptr);
  else if (mime == "image/png")
    rc = vips_pngload(path, &out, "access", access, "fail_on", fail_on, nullptr);
  else if (mime == "image/gif")
    rc = vips_gifload(path, &out, "access", access, "fail_on", fail_on, "n", pages, nullptr);
  else if (mime == "image/webp")
    rc = vips_webpload(path, &out, "access", access, "fail_on", fail_on, "n", pages, nullptr);
  else if (mime == "image/heic" || mime == "image/avif")
    rc = vips_heifload(path, &out, "access", access, "fail_on", fail_on, nullptr);
  return rc == 0 ? image_ptr(out) : nullptr;
}

// Wraps one libvips operation's output, or nullptr when it failed.
image_ptr checked(int rc, VipsImage*& out) {  // by reference: read after the call ran
  if (rc != 0) {
    if (out) g_object_unref(out);
    return nullptr;
  }
  return image_ptr(out);
}

// A JPEG has no alpha and 8 bits per sample: flatten transparency onto white, bring 16-bit
// images to 8-bit sRGB or grey (a plain cast would clip them to white).
image_ptr for_jpeg(image_ptr image) {
  if (vips_image_hasalpha(image.get())) {
    VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
    VipsImage* out = nullptr;
    int rc = vips_flatten(image.get(), &out, "background", white, nullptr);
    vips_area_unref(VIPS_AREA(white));
    image = checked(rc, out);
    if (!image) return nullptr;
  }
  auto interpretation = vips_image_get_interpretation(image.get());
  if (interpretation == VIPS_INTERPRETATION_GREY16 || interpretation == VIPS_INTERPRETATION_B_W) {
    VipsImage* out = nullptr;
    return checked(vips_colourspace(image.get(), &out, VIPS_INTERPRETATION_B_W, nullptr), out);
  }
  if (interpretation != VIPS_INTERPRETATION_sRGB || vips_image_get_format(image.get()) != VIPS_FORMAT_UCHAR) {
    VipsImage* out = nullptr;
    return checked(vips_colourspace(image.get(), &out, VIPS_INTERPRETATION_sRGB, nullptr), out);
  }
  return image;
}

// Phone photos are often in Display P3 with an ICC profile. Stripping the profile without
// converting would show them washed out, so convert to sRGB (what a browser assumes) first.
// A profile libvips cannot use is left alone: the image is then shown as if it were sRGB.
image_ptr to_srgb(image_ptr image) {
  if (!vips_image_get_typeof(image.get(), VIPS_META_ICC_NAME)) return image;
  VipsImage* out = nullptr;
  if (vips_icc_transform(image.get(), &out, "srgb", "embedded", TRUE, nullptr) != 0) {
    spdlog::debug("media: ICC profile not applied: {}", take_vips_error());
    return image;
  }
  return image_ptr(out);
}

// Every metadata field removed from the image before it is saved, whatever the saver makes
// of strip=TRUE: libvips 8.14.1 (Debian 12) webpsave writes the EXIF block despite it (our
// test saw a camera's Make survive). Only what an animation needs to play is kept.
image_ptr without_metadata(image_ptr image) {
  VipsImage* out = nullptr;
  image = checked(vips_copy(image.get(), &out, nullptr), out);
  if (!image) return nullptr;
  static constexpr std::string_view keep[] = {"page-height", "n-pages", "delay", "loop", "gif-delay", "gif-loop"};
  gchar** fields = vips_image_get_fields(image.get());
  for (gchar** f = fields; f && *f; ++f)
    if (std::find(std::begin(keep), std::end(keep), std::string_view(*f)) == std::end(keep))
      vips_image_remove(image.get(), *f);  // a no-op for the built-in header fields
  g_strfreev(fields);
  return image;
}

struct output_format {
  char const* extension;
  char const* mime;
};

// The format the cleaned image is saved in: the upload's own, except HEIC and AVIF, which
// become JPEG (most browsers show neither HEIC nor every AVIF flavour).
output_format output_for(std::string const& mime) {
  if (mime == "image/png") return {"png", "image/png"};
  if (mime == "image/gif" && has_operation("gifsave")) return {"gif", "image/gif"};
  if (mime == "image/webp") return {"webp", "image/webp"};
  return {"jpg", "image/jpeg"};
}

// Every saver gets strip=TRUE (libvips 8.14's name for "keep no metadata"): no EXIF, XMP,
// IPTC or ICC block is written. The pixels were already rotated upright.
bool save(VipsImage* image, output_format const& format, char const* path) {
  std::string_view ext = format.extension;
  if (ext == "png") return vips_pngsave(image, path, "strip", TRUE, nullptr) == 0;
  if (ext == "gif") return vips_gifsave(image, path, "strip", TRUE, nullptr) == 0;
  if (ext == "webp") return vips_webpsave(image, path, "strip", TRUE, "Q", webp_quality, nullptr) == 0;
  return vips_jpegsave(image, path, "strip", TRUE, "Q", jpeg_quality, nullptr) == 0;
}

// The thumbnail is made from the cleaned file: already upright and without metadata, and
// JPEG's shrink-on-load makes it cheap. Only the first frame of an animation.
result<std::filesystem::path> make_thumbnail(std::filesystem::path const& cleaned,
                                             std::filesystem::path const& work_dir, int box) {
  VipsImage* out = nullptr;
  image_ptr thumb = checked(vips_thumbnail(cleaned.c_str(), &out, box, "height", box, "size", VIPS_SIZE_DOWN, nullptr), out);
  if (thumb) thumb = for_jpeg(std::move(thumb));
  if (!thumb) return undecodable("thumbnail");
  auto file = work_file::create(work_dir, "jpg");
  if (!file) return file.error();
  if (vips_jpegsave(thumb.get(), file->path().c_str(), "strip", TRUE, "Q", thumb_jpeg_quality, nullptr) != 0)
    return undecodable("thumbnail save");
  return file->keep();
}

}  // namespace

void init_images() {
  if (VIPS_INIT("peerchat") != 0)
    throw std::runtime_error("cannot start libvips: " + take_vips_error());  // start-up only
  // No operation cache: every upload is different, and the cache would keep decoded pixels.
  vips_cache_set_max(0);
  vips_cache_set_max_mem(0);
  // One thread per operation; how many images are decoded at once is the caller's bound.
  vips_concurrency_set(1);
  // Loaders libvips marks as untrusted (ImageMagick, Matlab, …) can never be reached.
  vips_block_untrusted_set(TRUE);
  // A broken upload is the uploader's problem and is answered with 400, not logged by
  // libvips on our stderr.
  g_log_set_handler("VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO),
                    [](gchar const*, GLogLevelFlags, gchar const*, gpointer) {}, nullptr);
}

result<prepared_file> prepare_image(std::filesystem::path const& upload, detected_type const& type,
                                    std::filesystem::path const& work_dir, prepare_limits const& limits) {
  if ((type.mime == "image/heic" || type.mime == "image/avif") && !has_operation("heifload"))
    return make_error(errc::bad_request, "this server cannot read HEIC or AVIF images");
  output_format format = output_for(type.mime);
  // Only GIF and WebP are saved with their frames; anything else keeps the first frame.
  bool animation_possible = format.extension == std::string_view("gif") || format.extension == std::string_view("webp");

  // The header first: width × height (× frames) is checked before a single pixel is decoded,
  // so a small file that claims 30000 × 30000 pixels costs a few bytes read, not gigabytes.
  image_ptr image = open_image(type.mime, upload.c_str(), VIPS_ACCESS_SEQUENTIAL, animation_possible ? -1 : 1);
  if (!image) return undecodable("header");
  std::uint64_t frame_height = static_cast<std::uint64_t>(vips_image_get_page_height(image.get()));
  std::uint64_t width = static_cast<std::uint64_t>(vips_image_get_width(image.get()));
  std::uint64_t frames = static_cast<std::uint64_t>(vips_image_get_height(image.get())) / std::max<std::uint64_t>(frame_height, 1);
  if (width * frame_height > limits.max_pixels)
    return make_error(errc::bad_request, fmt::format("the image is larger than {:g} megapixels", static_cast<double>(limits.max_pixels) / 1e6));
  // A long animation over the limit in total is kept as its first frame rather than refused.
  if (frames > 1 && width * frame_height * frames > limits.max_pixels) {
    image = open_image(type.mime, upload.c_str(), VIPS_ACCESS_SEQUENTIAL, 1);
    if (!image) return undecodable("first frame");
    frames = 1;
  }

  // EXIF orientation: rotating by 90° reads the image out of order, which a sequential
  // loader cannot do, so a rotated photo is opened again for random access.
  int orientation = vips_image_get_orientation(image.get());
  if (frames == 1 && orientation > 1 && orientation <= 8) {
    image = open_image(type.mime, upload.c_str(), VIPS_ACCESS_RANDOM, 1);
    VipsImage* out = nullptr;
    if (image) image = checked(vips_autorot(image.get(), &out, nullptr), out);
    if (!image) return undecodable("rotate");
  }
  if (frames == 1) image = to_srgb(std::move(image));

  if (format.extension == std::string_view("jpg")) image = for_jpeg(std::move(image));
  if (image) image = without_metadata(std::move(image));
  if (!image) return undecodable("convert");
  auto cleaned = work_file::create(work_dir, format.extension);
  if (!cleaned) return cleaned.error();
  // The pixels are decoded here, while being written: a corrupt or truncated file fails now.
  if (!save(image.get(), format, cleaned->path().c_str())) return undecodable("decode");

  prepared_file prepared;
  prepared.mime = format.mime;
  prepared.kind = media_kind::image;
  prepared.width = vips_image_get_width(image.get());
  prepared.height = frames > 1 ? vips_image_get_page_height(image.get()) : vips_image_get_height(image.get());
  image.reset();

  auto thumb = make_thumbnail(cleaned->path(), work_dir, limits.thumb_box);
  if (!thumb) return thumb.error();
  prepared.thumb = *thumb;
  prepared.file = cleaned->keep();
  return prepared;
}

}  // namespace peerchat::media
