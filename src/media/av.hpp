// SPDX-License-Identifier: MIT
// Audio and video with libavformat: remuxed without metadata, measured, never re-encoded.
#pragma once
#include "peerchat/media/media.hpp"

namespace peerchat::media {

void init_av();  // once, from init()

result<prepared_file> prepare_av(std::filesystem::path const& upload, detected_type const& type,
                                 std::filesystem::path const& work_dir);

}  // namespace peerchat::media
