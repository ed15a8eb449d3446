// SPDX-License-Identifier: MIT
// media::prepare for images: EXIF and GPS gone, orientation applied, thumbnails, the pixel
// limit checked before decoding — each checked with PIL and exiftool, not with our own code.
#include "media_tools.hpp"
#include <vips/vips.h>
#include <tuple>

#if defined(__SANITIZE_ADDRESS__)
// The HEIC fixture's encoder (x265, reached through libheif on a libvips thread) keeps one
// allocation for good: a leak of the test's tool, never on peerchat's path (which only
// decodes), so LeakSanitizer leaves it out of the unit tests' report.
extern "C" char const* __lsan_default_suppressions() { return "leak:libx265.so\n"; }
#endif

namespace peerchat::unit {
namespace {

using media::media_kind;
namespace tools = media_tools;
using json = nlohmann::json;

// What PIL sees in a file: format, size, frames, every EXIF tag and GPS, the info keys.
constexpr char const* pil_report = R"(
import json, sys
from PIL import Image
im = Image.open(sys.argv[1])
exif = im.getexif()
print(json.dumps({"format": im.format, "size": list(im.size), "frames": getattr(im, "n_frames", 1),
                  "exif_tags": len(exif), "gps": len(exif.get_ifd(0x8825)),
                  "info": sorted(k for k in im.info.keys() if k not in ("duration", "loop", "background",
                          "transparency", "version", "jfif", "jfif_version", "jfif_unit", "jfif_density",
                          "dpi", "progressive", "progression", "adobe", "adobe_transform", "interlace",
                          "gamma", "extension", "timestamp"))}))
)";

// A 64×32 photo, stored sideways with EXIF Orientation 6 (rotate 90° clockwise to view), a
// camera make and a GPS position (New York) — what a phone writes. Left half red, right blue.
constexpr char const* make_phone_jpeg = R"(
import sys
from PIL import Image
from PIL.TiffImagePlugin import IFDRational as R
img = Image.new("RGB", (64, 32), (220, 20, 20))
img.paste((20, 20, 220), (32, 0, 64, 32))
exif = Image.Exif()
exif[0x0112] = 6
exif[0x010F] = "PeerCam"
exif[0x8825] = {1: "N", 2: (R(40), R(42), R(4608, 100)), 3: "W", 4: (R(74), R(0), R(216, 10))}
img.save(sys.argv[1], "JPEG", exif=exif.tobytes(), quality=95)
)";

class media_image : public ::testing::Test {
 protected:
  void SetUp() override {
    PEERCHAT_REQUIRE_PIL();
    media::init();
    work_ = dir_.path() / "work";
    std::filesystem::create_directory(work_);
  }

  result<media::prepared_file> prepare(std::filesystem::path const& file, media::prepare_limits limits = {}) {
    return media::prepare(file, tools::detect_file(file), work_, limits);
  }

  json pil(std::filesystem::path const& file) { return tools::run_python_json(pil_report, {file.string()}); }

  temp_dir dir_;
  std::filesystem::path work_;
};

TEST_F(media_image, phone_jpeg_loses_exif_and_gps_and_is_turned_upright) {
  PEERCHAT_REQUIRE_EXIFTOOL();
  auto photo = dir_.path() / "whiteboard.jpg";
  tools::run_python(make_phone_jpeg, {photo.string()});
  ASSERT_FALSE(tools::location_tags(tools::exif_tags(photo)).empty()) << "the fixture should carry GPS";

  auto prepared = prepare(photo);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "image/jpeg");
  EXPECT_EQ(prepared->kind, media_kind::image);
  EXPECT_EQ(prepared->width, 32);  // upright: the sideways 64×32 becomes 32×64
  EXPECT_EQ(prepared->height, 64);
  EXPECT_NE(prepared->file, photo);
  EXPECT_EQ(prepared->file.parent_path(), work_);
  EXPECT_TRUE(tools::owner_only(prepared->file));
  EXPECT_TRUE(tools::owner_only(prepared->thumb.value()));

  auto seen = pil(prepared->file);
  EXPECT_EQ(seen["format"], "JPEG");
  EXPECT_EQ(seen["size"], json::array({32, 64}));
  EXPECT_EQ(seen["exif_tags"], 0) << seen.dump();
  EXPECT_EQ(seen["gps"], 0);
  EXPECT_EQ(seen["info"], json::array()) << seen.dump();  // no exif, icc_profile, comment, xmp
  auto tags = tools::exif_tags(prepared->file);
  EXPECT_TRUE(tools::location_tags(tags).empty()) << tags.dump(1);
  EXPECT_FALSE(tags.contains("IFD0:Make")) << tags.dump(1);
  EXPECT_FALSE(tags.contains("IFD0:Orientation")) << "orientation is applied, not left for the viewer";

  // The pixels turned the way the EXIF said: PIL's own exif_transpose of the original matches.
  auto diff = tools::run_python(R"(
import sys
from PIL import Image, ImageOps, ImageChops, ImageStat
a = ImageOps.exif_transpose(Image.open(sys.argv[1])).convert("RGB")
b = Image.open(sys.argv[2]).convert("RGB")
print(max(ImageStat.Stat(ImageChops.difference(a, b)).mean))
)", {photo.string(), prepared->file.string()});
  EXPECT_LT(std::stod(diff), 8.0) << "mean difference per channel to PIL's upright original";

  // The thumbnail: a JPEG, upright, no metadata either.
  ASSERT_TRUE(prepared->thumb.has_value());
  auto thumb = pil(*prepared->thumb);
  EXPECT_EQ(thumb["format"], "JPEG");
  EXPECT_EQ(thumb["size"], json::array({32, 64}));  // smaller than the box: never enlarged
  EXPECT_EQ(thumb["exif_tags"], 0);
  EXPECT_TRUE(tools::location_tags(tools::exif_tags(*prepared->thumb)).empty());
}

TEST_F(media_image, thumbnail_fits_the_box_and_png_stays_png_without_its_text_chunks) {
  auto png = dir_.path() / "chart.png";
  tools::run_python(R"(
import sys
from PIL import Image, PngImagePlugin
img = Image.new("RGBA", (1000, 400), (0, 128, 255, 128))
meta = PngImagePlugin.PngInfo()
meta.add_text("Comment", "taken at 40.7128 N 74.0060 W")
meta.add_text("Author", "alice")
img.save(sys.argv[1], "PNG", pnginfo=meta)
)", {png.string()});
  ASSERT_EQ(pil(png)["info"], json::array({"Author", "Comment"}));

  auto prepared = prepare(png, {.max_pixels = 50'000'000, .thumb_box = 200});
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "image/png");
  EXPECT_EQ(prepared->width, 1000);
  EXPECT_EQ(prepared->height, 400);
  auto seen = pil(prepared->file);
  EXPECT_EQ(seen["format"], "PNG");
  EXPECT_EQ(seen["info"], json::array()) << seen.dump();
  ASSERT_TRUE(prepared->thumb.has_value());
  auto thumb = pil(*prepared->thumb);
  EXPECT_EQ(thumb["format"], "JPEG");
  EXPECT_EQ(thumb["size"], json::array({200, 80}));
}

TEST_F(media_image, a_decompression_bomb_is_refused_from_its_header) {
  // A PNG that claims 30000 × 30000 pixels (900 megapixels; 2.7 GB decoded) in a few dozen
  // bytes: the IHDR says so, the IDAT holds only a few rows. It must be refused from the
  // header, before any decoding.
  auto bomb = dir_.path() / "bomb.png";
  tools::run_python(R"(
import struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
w = h = 30000
rows = b"".join(b"\0" + bytes(w // 8) for _ in range(4))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 1, 0, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
)", {bomb.string()});
  EXPECT_LT(std::filesystem::file_size(bomb), 1000u);

  auto prepared = prepare(bomb);
  ASSERT_TRUE(fails_with(prepared, errc::bad_request));
  EXPECT_EQ(prepared.error().message, "the image is larger than 50 megapixels");
  EXPECT_EQ(tools::files_in(work_), 0u) << "a refusal leaves nothing behind";
}

TEST_F(media_image, the_pixel_limit_is_the_configured_one) {
  auto photo = dir_.path() / "photo.jpg";
  tools::run_python(make_phone_jpeg, {photo.string()});  // 2048 pixels
  auto refused = prepare(photo, {.max_pixels = 2047, .thumb_box = 480});
  ASSERT_TRUE(fails_with(refused, errc::bad_request));
  EXPECT_EQ(refused.error().message, "the image is larger than 0.002047 megapixels");
  EXPECT_TRUE(is_ok(prepare(photo, {.max_pixels = 2048, .thumb_box = 480})));
}

TEST_F(media_image, broken_and_truncated_images_are_refused) {
  auto photo = dir_.path() / "photo.jpg";
  tools::run_python(R"(
import sys
from PIL import Image
Image.effect_noise((300, 300), 60).convert("RGB").save(sys.argv[1], "JPEG", quality=90)
)", {photo.string()});
  auto size = std::filesystem::file_size(photo);
  std::filesystem::resize_file(photo, size / 2);
  EXPECT_TRUE(fails_with(prepare(photo), errc::bad_request)) << "half a JPEG";

  auto fake = dir_.path() / "fake.png";
  { std::ofstream(fake, std::ios::binary) << "\x89PNG\r\n\x1A\n" << std::string(200, 'x'); }
  auto refused = prepare(fake);
  ASSERT_TRUE(fails_with(refused, errc::bad_request)) << "PNG magic and garbage";
  EXPECT_EQ(refused.error().message, "the image could not be decoded");
  EXPECT_EQ(tools::files_in(work_), 0u) << "a refusal leaves nothing behind";
}

TEST_F(media_image, animated_gif_keeps_its_frames_unless_too_many_pixels) {
  auto gif = dir_.path() / "wave.gif";
  tools::run_python(R"(
import sys
from PIL import Image
frames = [Image.new("RGB", (20, 10), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
frames[0].save(sys.argv[1], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
)", {gif.string()});
  auto prepared = prepare(gif);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "image/gif");
  EXPECT_EQ(prepared->width, 20);
  EXPECT_EQ(prepared->height, 10);
  EXPECT_EQ(pil(prepared->file)["frames"], 3);
  EXPECT_EQ(pil(*prepared->thumb)["size"], json::array({20, 10}));

  // 3 frames × 200 pixels is over a 400-pixel limit, one frame is not: the first frame stays.
  auto still = prepare(gif, {.max_pixels = 400, .thumb_box = 480});
  ASSERT_TRUE(is_ok(still));
  EXPECT_EQ(pil(still->file)["frames"], 1);
  EXPECT_EQ(still->height, 10);
}

TEST_F(media_image, webp_stays_webp_without_exif) {
  auto webp = dir_.path() / "photo.webp";
  tools::run_python(R"(
import sys
from PIL import Image
exif = Image.Exif()
exif[0x010F] = "PeerCam"
Image.new("RGB", (40, 30), (1, 2, 3)).save(sys.argv[1], "WEBP", exif=exif.tobytes())
)", {webp.string()});
  ASSERT_EQ(pil(webp)["exif_tags"], 1);
  auto prepared = prepare(webp);
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->mime, "image/webp");
  auto seen = pil(prepared->file);
  EXPECT_EQ(seen["format"], "WEBP");
  EXPECT_EQ(seen["size"], json::array({40, 30}));
  // libvips 8.14.1's webpsave writes an EXIF block even with strip=TRUE, built from the image's
  // header: resolution and orientation 1 only. Nothing of the upload's EXIF may be in it.
  auto tags = tools::run_python_json(R"(
import json, sys
from PIL import Image
exif = Image.open(sys.argv[1]).getexif()
print(json.dumps(sorted(list(exif.keys()) + list(exif.get_ifd(0x8769).keys()) + list(exif.get_ifd(0x8825).keys()))))
)", {prepared->file.string()});
  json const generated = {274, 282, 283, 296, 531, 34665, 36864, 37121, 40960, 40961, 40962, 40963};  // libexif's defaults
  for (auto const& tag : tags) EXPECT_TRUE(std::find(generated.begin(), generated.end(), tag) != generated.end()) << "EXIF tag " << tag;
  EXPECT_EQ(std::find(tags.begin(), tags.end(), 271), tags.end()) << "the camera's Make survived";
}

// HEIC (iPhone photos) and AVIF: libvips' own heifsave writes the fixture (no other tool on
// Debian 12 writes HEIF), with the phone JPEG's EXIF and GPS inside.
TEST_F(media_image, heic_and_avif_become_jpeg_without_gps) {
  PEERCHAT_REQUIRE_EXIFTOOL();
  if (vips_type_find("VipsOperation", "heifsave") == 0) GTEST_SKIP() << "this libvips cannot write HEIF fixtures";
  auto photo = dir_.path() / "phone.jpg";
  tools::run_python(make_phone_jpeg, {photo.string()});
  for (auto [name, compression, mime] : {std::tuple{"IMG_0001.heic", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, "image/heic"},
                                         std::tuple{"photo.avif", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, "image/avif"}}) {
    auto heif = dir_.path() / name;
    VipsImage* loaded = nullptr;
    ASSERT_EQ(vips_jpegload(photo.c_str(), &loaded, nullptr), 0);
    int rc = vips_heifsave(loaded, heif.c_str(), "compression", compression, "effort", 0, nullptr);
    g_object_unref(loaded);
    ASSERT_EQ(rc, 0) << vips_error_buffer();
    ASSERT_FALSE(tools::location_tags(tools::exif_tags(heif)).empty()) << name << ": the fixture should carry GPS";
    ASSERT_EQ(tools::detect_file(heif).mime, mime);

    auto prepared = prepare(heif);
    ASSERT_TRUE(is_ok(prepared)) << name;
    EXPECT_EQ(prepared->mime, "image/jpeg") << name;
    auto seen = pil(prepared->file);
    EXPECT_EQ(seen["format"], "JPEG");
    EXPECT_EQ(seen["size"], json::array({*prepared->width, *prepared->height}));
    EXPECT_EQ(seen["exif_tags"], 0) << name;
    EXPECT_TRUE(tools::location_tags(tools::exif_tags(prepared->file)).empty()) << name;
    EXPECT_TRUE(prepared->thumb.has_value());
  }
}

// A 16-bit grey PNG and a CMYK JPEG: the thumbnail (and the stored JPEG) must be 8-bit and
// about as bright as the original — a plain cast would clip 16-bit grey to white.
TEST_F(media_image, sixteen_bit_and_cmyk_images_keep_their_brightness) {
  auto grey = dir_.path() / "scan.png";
  auto cmyk = dir_.path() / "print.jpg";
  tools::run_python(R"(
import sys
from PIL import Image
Image.new("I;16", (60, 40), 30000).save(sys.argv[1], "PNG")
Image.new("CMYK", (60, 40), (0, 0, 0, 128)).save(sys.argv[2], "JPEG", quality=95)
)", {grey.string(), cmyk.string()});
  constexpr char const* brightness = R"(
import json, sys
from PIL import Image, ImageStat
im = Image.open(sys.argv[1])
print(json.dumps({"mode": im.mode, "mean": ImageStat.Stat(im.convert("L")).mean[0]}))
)";
  auto from_grey = prepare(grey);
  ASSERT_TRUE(is_ok(from_grey));
  EXPECT_EQ(from_grey->mime, "image/png");
  auto thumb = tools::run_python_json(brightness, {from_grey->thumb->string()});
  EXPECT_NEAR(thumb["mean"].get<double>(), 30000.0 / 65535 * 255, 6) << thumb.dump();

  auto from_cmyk = prepare(cmyk);
  ASSERT_TRUE(is_ok(from_cmyk));
  auto stored = tools::run_python_json(brightness, {from_cmyk->file.string()});
  EXPECT_EQ(stored["mode"], "RGB") << "browsers show CMYK JPEGs badly; it is stored as sRGB";
  EXPECT_GT(stored["mean"].get<double>(), 60) << stored.dump();
  EXPECT_LT(stored["mean"].get<double>(), 200) << stored.dump();
}

TEST(media_prepare, files_come_back_as_they_are) {
  temp_dir dir;
  auto pdf = dir.path() / "template.pdf";
  { std::ofstream(pdf) << "%PDF-1.4\n1 0 obj<<>>endobj\n"; }
  auto prepared = media::prepare(pdf, tools::detect_file(pdf), dir.path(), {});
  ASSERT_TRUE(is_ok(prepared));
  EXPECT_EQ(prepared->file, pdf);
  EXPECT_EQ(prepared->mime, "application/pdf");
  EXPECT_EQ(prepared->kind, media_kind::file);
  EXPECT_FALSE(prepared->thumb.has_value());
  EXPECT_FALSE(prepared->width.has_value());
}

TEST(media_prepare, bytes_that_are_not_the_detected_image_are_refused) {
  temp_dir dir;
  auto text = dir.path() / "note.txt";
  { std::ofstream(text) << "hello"; }
  // A caller that passes a wrong type still gets a refusal, not a crash or a pass-through.
  EXPECT_TRUE(fails_with(media::prepare(text, {"image/jpeg", media_kind::image}, dir.path(), {}), errc::bad_request));
  EXPECT_TRUE(fails_with(media::prepare(text, {"audio/ogg", media_kind::audio}, dir.path(), {}), errc::bad_request));
  EXPECT_EQ(tools::files_in(dir.path()), 1u);
}

}  // namespace
}  // namespace peerchat::unit
