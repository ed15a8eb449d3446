// SPDX-License-Identifier: MIT
// Avatar squares with libvips: vips_thumbnail's centre crop, then JPEG without metadata.
#include "peerchat/media/avatar.hpp"
#include <spdlog/spdlog.h>
#include <vips/vips.h>
#include <memory>

namespace peerchat::media {

namespace {
struct vips_unref {
  void operator()(VipsImage* image) const noexcept { g_object_unref(image); }
};
using image_ptr = std::unique_ptr<VipsImage, vips_unref>;

constexpr int avatar_jpeg_quality = 85;

error undecodable() {
  spdlog::info("media: avatar not made: {}", vips_error_buffer());
  vips_error_clear();
  return make_error(errc::bad_request, "the image could not be decoded");
}

// Wraps one operation's output, or nullptr when it failed.
image_ptr checked(int rc, VipsImage*& out) {
  if (rc != 0) {
    if (out) g_object_unref(out);
    return nullptr;
  }
  return image_ptr(out);
}
}  // namespace

result<std::string> square_jpeg(std::filesystem::path const& cleaned, int px) {
  VipsImage* out = nullptr;
  // The file is one we wrote (prepare()'s output), so libvips may pick its loader itself.
  image_ptr image = checked(
      vips_thumbnail(cleaned.c_str(), &out, px, "height", px, "crop", VIPS_INTERESTING_CENTRE, "size", VIPS_SIZE_BOTH, nullptr),
      out);
  if (image && vips_image_hasalpha(image.get())) {
    VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
    out = nullptr;
    int rc = vips_flatten(image.get(), &out, "background", white, nullptr);
    vips_area_unref(VIPS_AREA(white));
    image = checked(rc, out);
  }
  if (image && (vips_image_get_interpretation(image.get()) != VIPS_INTERPRETATION_sRGB ||
                vips_image_get_format(image.get()) != VIPS_FORMAT_UCHAR)) {
    out = nullptr;
    image = checked(vips_colourspace(image.get(), &out, VIPS_INTERPRETATION_sRGB, nullptr), out);
  }
  if (!image) return undecodable();
  void* buffer = nullptr;
  std::size_t length = 0;
  if (vips_jpegsave_buffer(image.get(), &buffer, &length, "strip", TRUE, "Q", avatar_jpeg_quality, nullptr) != 0)
    return undecodable();
  std::string bytes(static_cast<char const*>(buffer), length);
  g_free(buffer);
  return bytes;
}

}  // namespace peerchat::media
