// SPDX-License-Identifier: MIT
// Profile pictures: PUT /me/avatar (an image body, streamed to a file like an attachment),
// DELETE /me/avatar, GET /users/{id}/avatar?size=64|256 for anyone who shares a group with
// that user. The upload goes through the media layer (type from the bytes, pixel limit,
// orientation applied, metadata such as GPS dropped); what is kept is two centre-cropped JPEG
// squares in the `avatars` table (small enough for the database, so backups carry them).
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/attachments.hpp"
#include "peerchat/service/context.hpp"
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace peerchat::service {

struct avatar_image {
  std::string mime;       // image/jpeg
  std::string bytes;
  millis_t updated_at = 0;  // the version (users carry it as avatar_at)
};

// Thread safety: every method from any thread; begin_upload, remove and get block on the
// store (worker pool), finish_upload never blocks (it queues on the media workers).
class avatars {
 public:
  static constexpr std::uint64_t max_upload_bytes = 10ull << 20;  // a phone photo is 3–8 MB
  static constexpr std::array<int, 2> sizes{64, 256};              // the squares' sides, pixels

  avatars(context& ctx, attachments& media);

  // Before the body: the uploader's budget (rate_limited), a declared Content-Length over
  // max_upload_bytes (payload_too_large). The slot's file is where the body goes.
  result<upload_slot> begin_upload(user const& who, std::optional<std::uint64_t> content_length);
  // After the body: on a media worker, makes the squares and stores them; `done` gets the user
  // with the new avatar, or bad_request (not an image, undecodable, over the pixel limit),
  // rate_limited (media queue full). The temporary file is gone either way.
  void finish_upload(user const& who, upload_slot slot, std::function<void(result<user>)> done);
  void abandon_upload(upload_slot const& slot) noexcept;

  // Removes the caller's avatar (nothing to remove is fine).
  result<void> remove(user const& who);
  // One square of u's avatar: not_found when the viewer shares no group with u (and is not
  // u), when u has none, or for a size not in `sizes`.
  result<avatar_image> get(user const& viewer, user_id u, int px);

 private:
  context& ctx_;
  attachments& media_;
  rate_limiter upload_limit_;
};

}  // namespace peerchat::service
