// SPDX-License-Identifier: MIT
// The small squares a profile picture is shown in, made from an image prepare() has already
// cleaned (upright, without metadata). Like the rest of the media layer: files and bytes only.
#pragma once
#include "peerchat/core/error.hpp"
#include <filesystem>
#include <string>

namespace peerchat::media {

// The centre of the image, cropped to a square and scaled to px × px, as JPEG bytes without
// any metadata (transparency flattened onto white). Blocks: call it from a media worker.
// bad_request when the file cannot be decoded.
result<std::string> square_jpeg(std::filesystem::path const& cleaned, int px);

}  // namespace peerchat::media
