// SPDX-License-Identifier: MIT
// Images with libvips: pixel limit, orientation, metadata stripped, a thumbnail.
#pragma once
#include "peerchat/media/media.hpp"

namespace peerchat::media {

void init_images();  // once, from init()

result<prepared_file> prepare_image(std::filesystem::path const& upload, detected_type const& type,
                                    std::filesystem::path const& work_dir, prepare_limits const& limits);

}  // namespace peerchat::media
