// SPDX-License-Identifier: MIT
// Profile pictures.
#include "peerchat/service/avatars.hpp"
#include "peerchat/media/avatar.hpp"
#include "peerchat/media/media.hpp"
#include "peerchat/service/profiles.hpp"
#include <algorithm>
#include <fstream>
#include <vector>

namespace peerchat::service {

namespace fs = std::filesystem;

namespace {
void remove_quietly(fs::path const& p) noexcept {
  std::error_code ec;
  fs::remove(p, ec);
}

error too_large() {
  return make_error(errc::payload_too_large, "an avatar image must be at most " + std::to_string(avatars::max_upload_bytes >> 20) + " MiB");
}

// The first bytes of a file, for media::detect.
std::vector<unsigned char> head_of(fs::path const& file) {
  std::vector<unsigned char> head(4096);
  std::ifstream in(file, std::ios::binary);
  in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return head;
}

// The work of one upload, on a media worker. It holds only the context (which outlives the
// media workers), never the avatars service.
result<user> make_avatar(context& ctx, user const& who, fs::path const& upload) {
  auto type = media::detect(head_of(upload), "");
  if (type.kind != media::media_kind::image) return make_error(errc::bad_request, "an avatar must be an image (JPEG, PNG, GIF, WebP, HEIC)");
  media::prepare_limits limits;
  limits.max_pixels = ctx.config.attachments.max_image_pixels;
  auto cleaned = media::prepare(upload, type, upload.parent_path(), limits);
  if (!cleaned) return cleaned.error();
  std::vector<std::pair<int, std::string>> squares;
  result<void> made;
  for (int px : avatars::sizes) {
    auto square = media::square_jpeg(cleaned->file, px);
    if (!square) {
      made = square.error();
      break;
    }
    squares.emplace_back(px, std::move(*square));
  }
  if (cleaned->file != upload) remove_quietly(cleaned->file);
  if (cleaned->thumb) remove_quietly(*cleaned->thumb);
  if (!made) return made.error();

  millis_t now = ctx.clock.now();
  auto stored = ctx.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    // A version never goes back, even when two uploads land in one millisecond.
    auto& last = db.prepare("SELECT max(updated_at) FROM avatars WHERE user_id = ?1").bind(1, raw(who.id));
    millis_t version = now;
    if (last.step() && !last.is_null(0)) version = std::max(now, last.int64(0) + 1);
    last.reset();
    db.prepare("DELETE FROM avatars WHERE user_id = ?1").bind(1, raw(who.id)).exec();
    for (auto const& [px, bytes] : squares)
      db.prepare("INSERT INTO avatars (user_id, px, mime, bytes, updated_at) VALUES (?1, ?2, 'image/jpeg', ?3, ?4)")
          .bind(1, raw(who.id))
          .bind(2, px)
          .bind_blob(3, bytes)
          .bind(4, version)
          .exec();
    return {};
  });
  if (!stored) return stored.error();
  user updated = who;
  ctx.reader.with([&](store::database& db) { load_profile(db, updated); });
  return updated;
}
}  // namespace

avatars::avatars(context& ctx, attachments& media)
    : ctx_(ctx), media_(media), upload_limit_(ctx.clock, 10.0 / 60, 5, ctx.config.limits.limiter_keys) {}

result<upload_slot> avatars::begin_upload(user const& who, std::optional<std::uint64_t> content_length) {
  if (content_length && *content_length > max_upload_bytes) return too_large();
  if (auto r = upload_limit_.spend(std::to_string(raw(who.id)), "you are changing your avatar too often"); !r) return r.error();
  return upload_slot{group_id{}, "avatar", media_.files().new_upload_file(), max_upload_bytes};
}

void avatars::finish_upload(user const& who, upload_slot slot, std::function<void(result<user>)> done) {
  auto job = [&ctx = ctx_, who, slot, done] {
    result<user> r = make_error(errc::internal, "the avatar could not be made");
    try {
      r = make_avatar(ctx, who, slot.file);
    } catch (std::exception const&) {
      // r says internal
    }
    remove_quietly(slot.file);
    done(std::move(r));
  };
  if (!media_.post_media_job(job)) {
    remove_quietly(slot.file);
    done(peerchat::error{errc::rate_limited, "the server is busy with other images; try again shortly", 1000});
  }
}

void avatars::abandon_upload(upload_slot const& slot) noexcept { remove_quietly(slot.file); }

result<void> avatars::remove(user const& who) {
  return ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    db.prepare("DELETE FROM avatars WHERE user_id = ?1").bind(1, raw(who.id)).exec();
    return {};
  });
}

result<avatar_image> avatars::get(user const& viewer, user_id u, int px) {
  error missing = make_error(errc::not_found, "no such avatar");
  if (std::find(sizes.begin(), sizes.end(), px) == sizes.end()) return missing;
  return ctx_.reader.with([&](store::database& db) -> result<avatar_image> {
    if (viewer.id != u) {
      auto& shared = db.prepare(
                           "SELECT 1 FROM memberships a JOIN memberships b ON b.group_id = a.group_id "
                           "WHERE a.user_id = ?1 AND b.user_id = ?2 LIMIT 1")
                         .bind(1, raw(viewer.id))
                         .bind(2, raw(u));
      bool ok = shared.step();
      shared.reset();
      if (!ok) return missing;
    }
    auto& st = db.prepare("SELECT mime, bytes, updated_at FROM avatars WHERE user_id = ?1 AND px = ?2").bind(1, raw(u)).bind(2, px);
    if (!st.step()) return missing;
    avatar_image image{st.text(0), st.blob(1), st.int64(2)};
    st.reset();
    return image;
  });
}

}  // namespace peerchat::service
