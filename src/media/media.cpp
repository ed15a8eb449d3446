// SPDX-License-Identifier: MIT
// The media layer's entry points: start the libraries once, send each kind to its handler.
#include "peerchat/media/media.hpp"
#include "av.hpp"
#include "image.hpp"
#include <spdlog/spdlog.h>
#include <exception>
#include <mutex>

namespace peerchat::media {

void init() {
  static std::once_flag once;
  std::call_once(once, [] {
    init_images();
    init_av();
  });
}

// Thread safety: prepare() may run on several media workers at once; libvips and libavformat
// are thread-safe for separate images and files, and each call owns its own files.
result<prepared_file> prepare(std::filesystem::path const& upload, detected_type const& type,
                              std::filesystem::path const& work_dir, prepare_limits const& limits) {
  try {
    init();  // throws only when libvips cannot start; the next call tries again
    switch (type.kind) {
      case media_kind::image: return prepare_image(upload, type, work_dir, limits);
      case media_kind::audio:
      case media_kind::video: return prepare_av(upload, type, work_dir);
      case media_kind::file: break;
    }
    prepared_file as_is;
    as_is.mime = type.mime;
    as_is.kind = media_kind::file;
    as_is.file = upload;
    return as_is;
  } catch (std::exception const& e) {  // bad_alloc, filesystem_error: never out of a media worker
    spdlog::error("media: preparing an upload failed: {}", e.what());
    return make_error(errc::internal, "the file could not be processed");
  }
}

}  // namespace peerchat::media
