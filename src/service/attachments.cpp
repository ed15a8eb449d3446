// SPDX-License-Identifier: MIT
// Uploads and downloads of attachments (service/attachments.hpp; docs/attachments.md).
#include "peerchat/service/attachments.hpp"
#include "peerchat/store/backup_pin.hpp"
#include "peerchat/core/background_priority.hpp"
#include "peerchat/core/crypto.hpp"
#include "peerchat/media/media.hpp"
#include "peerchat/service/attachment_store.hpp"
#include "peerchat/service/membership.hpp"
#include "peerchat/service/validation.hpp"
#include <spdlog/spdlog.h>
#include <fstream>
#include <memory>
#include <set>

namespace peerchat::service {

namespace fs = std::filesystem;

namespace {
constexpr char stored_bytes_sql[] = "SELECT COALESCE(SUM(size), 0), COUNT(*) FROM attachment_files";
constexpr char file_known_sql[] = "SELECT 1 FROM attachment_files WHERE sha256 = ?1";
constexpr char insert_file_sql[] = "INSERT OR IGNORE INTO attachment_files (sha256, size, created_at) VALUES (?1, ?2, ?3)";
constexpr char insert_upload_sql[] =
    "INSERT INTO attachments (id, group_id, uploader_id, name, mime, size, sha256, thumb_sha256, width, height, "
    "duration_ms, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
constexpr char open_sql[] =
    "SELECT a.group_id, a.name, a.mime, a.size, a.sha256, a.thumb_sha256, t.size "
    "FROM attachments a LEFT JOIN attachment_files t ON t.sha256 = a.thumb_sha256 WHERE a.id = ?1";
constexpr char orphans_sql[] =
    "SELECT id, sha256, thumb_sha256 FROM attachments WHERE message_seq IS NULL AND created_at <= ?1 LIMIT 10000";

// Stored files older than this with no row are leftovers of a crash between placing a file
// and committing its row: well past any job in flight, so the sweep never races a store.
constexpr auto unreferenced_file_grace = std::chrono::hours(1);

error full_storage() { return make_error(errc::payload_too_large, "the server's storage for attachments is full"); }
error too_large(std::uint64_t max_bytes) {
  return make_error(errc::payload_too_large, "an attachment may be at most " + std::to_string(max_bytes) + " bytes");
}

void remove_quietly(fs::path const& p) noexcept {
  if (p.empty()) return;
  std::error_code ec;
  fs::remove(p, ec);
}

std::uint64_t stored_bytes(store::database& db) {
  auto& st = db.prepare(stored_bytes_sql);
  st.step();
  auto bytes = static_cast<std::uint64_t>(st.int64(0));
  st.reset();
  return bytes;
}

// Files older than `age` by their modification time (the real clock: the file system's).
bool older_than(fs::path const& p, std::chrono::seconds age) {
  std::error_code ec;
  auto written = fs::last_write_time(p, ec);
  if (ec) return false;
  return fs::file_time_type::clock::now() - written > age;
}
}  // namespace

// What a media worker hands to the writer: the files to place and what they are.
struct attachments::prepared_upload {
  media::prepared_file media;
  std::string sha256;
  std::uint64_t size = 0;
  std::optional<std::string> thumb_sha256;
  std::uint64_t thumb_size = 0;

  // Every temporary file of the upload (the body, the prepared copy, the thumbnail).
  void remove_temporaries(fs::path const& upload) const noexcept {
    remove_quietly(upload);
    remove_quietly(media.file);
    if (media.thumb) remove_quietly(*media.thumb);
  }
};

attachments::attachments(context& ctx)
    : ctx_(ctx),
      files_(ctx.config.data_dir),
      upload_limit_(ctx.clock, ctx.config.attachments.uploads_per_minute / 60.0, ctx.config.attachments.uploads_burst,
                    ctx.config.limits.limiter_keys) {
  media::init();
  // The lock file `peerchat backup` shares is made now, by the server's own user: made first
  // by a backup run as another user (root in `docker exec`), the server could not open it and
  // would never erase a file again.
  { store::backup_pin make_lock_file(files_.root(), store::backup_pin::mode::erase); }
  int n = std::max(1, ctx.config.attachments.media_workers);
  for (int i = 0; i < n; ++i) workers_.emplace_back([this] { media_worker(); });
}

attachments::~attachments() { stop(); }

void attachments::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  // Uploads handed to the writer still call back into this object: wait for the last `done`.
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return in_flight_ == 0; });
}

result<upload_slot> attachments::begin_upload(user const& who, group_id g, std::string_view raw_filename,
                                              std::optional<std::uint64_t> content_length) {
  auto const& settings = ctx_.config.attachments;
  auto stored = ctx_.reader.with([&](store::database& db) -> result<std::uint64_t> {
    if (auto r = require_member(db, g, who.id); !r) return r.error();
    return stored_bytes(db);
  });
  if (!stored) return stored.error();
  auto name = clean_file_name(raw_filename);
  if (!name) return name.error();
  if (auto r = upload_limit_.spend(std::to_string(raw(who.id)), "you are uploading too fast"); !r) {
    ++refused_;
    return r.error();
  }
  std::uint64_t declared = content_length.value_or(0);
  if (declared > settings.max_bytes) {
    ++refused_;
    return too_large(settings.max_bytes);
  }
  if (*stored + declared > settings.quota_bytes) {
    ++refused_;
    return full_storage();
  }
  return upload_slot{g, std::move(*name), files_.new_upload_file(), settings.max_bytes};
}

void attachments::finish_upload(user const& who, upload_slot slot, std::function<void(result<attachment_info>)> done) {
  {
    std::unique_lock lock(mutex_);
    if (stopping_ || queue_.size() >= ctx_.config.attachments.media_queue) {
      bool stopping = stopping_;
      lock.unlock();
      ++refused_;
      remove_quietly(slot.file);
      if (stopping)
        done(make_error(errc::internal, "the server is shutting down; upload again shortly"));
      else
        done(peerchat::error{errc::rate_limited, "the server is busy with other uploads; try again shortly", 1000});
      return;
    }
    ++in_flight_;
    queue_.push_back([this, who, slot = std::move(slot), done = std::move(done)] { process(who, slot, done); });
  }
  wake_.notify_one();
}

void attachments::abandon_upload(upload_slot const& slot) noexcept { remove_quietly(slot.file); }

bool attachments::post_media_job(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= ctx_.config.attachments.media_queue) return false;
    ++in_flight_;
    queue_.push_back([this, job = std::move(job)] {
      try {
        job();
      } catch (std::exception const& ex) {
        spdlog::error("attachments: a media job threw: {}", ex.what());
      }
      std::lock_guard done(mutex_);
      if (--in_flight_ == 0) idle_.notify_all();
    });
  }
  wake_.notify_one();
  return true;
}

void attachments::media_worker() {
  lower_this_thread_priority();  // decoding a photo never delays a chat message
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued upload has been worked
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

void attachments::finished(bool accepted, std::function<void()> const& answer) {
  ++(accepted ? uploads_ : refused_);  // counted before the answer: a client that got it sees it
  try {
    answer();
  } catch (std::exception const& ex) {
    spdlog::error("attachments: an upload's completion threw: {}", ex.what());
  }
  std::lock_guard lock(mutex_);
  if (--in_flight_ == 0) idle_.notify_all();
}

void attachments::process(user const& who, upload_slot const& slot,
                          std::function<void(result<attachment_info>)> const& done) {
  prepared_upload p;
  auto fail = [&](error e) {
    p.remove_temporaries(slot.file);
    finished(false, [&] { done(std::move(e)); });
  };
  try {
    auto const& settings = ctx_.config.attachments;
    if (fs::file_size(slot.file) > settings.max_bytes) return fail(too_large(settings.max_bytes));
    std::vector<unsigned char> head(4096);
    {
      std::ifstream in(slot.file, std::ios::binary);
      in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
      head.resize(static_cast<std::size_t>(in.gcount()));
    }
    if (head.empty()) return fail(make_error(errc::bad_request, "the file is empty"));
    auto type = media::detect(head, slot.name);
    auto prepared = media::prepare(slot.file, type, files_.uploads_dir(),
                                   media::prepare_limits{settings.max_image_pixels, media::prepare_limits{}.thumb_box});
    if (!prepared) return fail(prepared.error());
    p.media = std::move(*prepared);
    p.size = fs::file_size(p.media.file);
    if (p.size > settings.max_bytes) return fail(too_large(settings.max_bytes));
    p.sha256 = store::sha256_of_file(p.media.file);
    store::file_store::flush(p.media.file);  // here, not on the writer thread (store_upload)
    if (p.media.thumb) {
      p.thumb_size = fs::file_size(*p.media.thumb);
      p.thumb_sha256 = store::sha256_of_file(*p.media.thumb);
      store::file_store::flush(*p.media.thumb);
    }
  } catch (std::exception const& ex) {
    spdlog::error("attachments: preparing an upload failed: {}", ex.what());
    return fail(make_error(errc::internal, "the upload could not be stored"));
  }
  store_upload(who, slot, std::move(p), done);
}

void attachments::store_upload(user const& who, upload_slot const& slot, prepared_upload prepared,
                               std::function<void(result<attachment_info>)> done) {
  auto p = std::make_shared<prepared_upload>(std::move(prepared));
  auto out = std::make_shared<std::optional<result<attachment_info>>>();
  auto finish = std::make_shared<std::function<void(result<attachment_info>)>>(std::move(done));
  millis_t now = ctx_.clock.now();
  std::uint64_t quota = ctx_.config.attachments.quota_bytes;
  auto upload = slot.file;
  bool queued = ctx_.writer.post(
      [this, who, slot, p, out, now, quota](store::database& db, store::event_list&) {
        if (auto r = require_member(db, slot.group, who.id); !r) {
          *out = r.error();
          return;
        }
        // The quota again: other uploads may have filled it since begin_upload.
        std::uint64_t adding = 0;
        auto is_new = [&](std::string const& hash) {
          auto& st = db.prepare(file_known_sql).bind(1, hash);
          bool known = st.step();
          st.reset();
          return !known;
        };
        if (is_new(p->sha256)) adding += p->size;
        if (p->thumb_sha256 && *p->thumb_sha256 != p->sha256 && is_new(*p->thumb_sha256)) adding += p->thumb_size;
        if (adding > 0 && stored_bytes(db) + adding > quota) {
          *out = full_storage();
          return;
        }
        // Placed here, on the writer thread, so a place never interleaves with an erasure.
        // Should the transaction fail after this, the sweep removes the unreferenced file.
        files_.place(p->media.file, p->sha256);
        db.prepare(insert_file_sql).bind(1, p->sha256).bind(2, static_cast<std::int64_t>(p->size)).bind(3, now).exec();
        if (p->thumb_sha256) {
          files_.place(*p->media.thumb, *p->thumb_sha256);
          db.prepare(insert_file_sql)
              .bind(1, *p->thumb_sha256).bind(2, static_cast<std::int64_t>(p->thumb_size)).bind(3, now).exec();
        }
        attachment_info info;
        info.id = crypto::random_token(16);  // 128 random bits, base64url
        info.name = slot.name;
        info.size = p->size;
        info.mime = p->media.mime;
        info.width = p->media.width;
        info.height = p->media.height;
        info.duration_ms = p->media.duration_ms;
        info.thumb = p->thumb_sha256.has_value();
        std::optional<std::int64_t> width, height;
        if (info.width) width = *info.width;
        if (info.height) height = *info.height;
        db.prepare(insert_upload_sql)
            .bind(1, info.id)
            .bind(2, raw(slot.group))
            .bind(3, raw(who.id))
            .bind(4, info.name)
            .bind(5, info.mime)
            .bind(6, static_cast<std::int64_t>(info.size))
            .bind(7, p->sha256)
            .bind(8, p->thumb_sha256)
            .bind(9, width)
            .bind(10, height)
            .bind(11, info.duration_ms)
            .bind(12, now)
            .exec();
        *out = std::move(info);
      },
      [this, p, out, finish, upload](bool committed) {
        p->remove_temporaries(upload);  // what was placed is no longer there; the rest goes
        bool accepted = committed && out->has_value() && out->value().has_value();
        finished(accepted, [&] {
          if (!committed || !out->has_value())
            (*finish)(make_error(errc::internal, "the upload could not be stored; upload it again"));
          else
            (*finish)(std::move(**out));
        });
      });
  if (!queued) {
    p->remove_temporaries(upload);
    finished(false, [&] { (*finish)(store::busy_error()); });
  }
}

result<download> attachments::open(user const& who, std::string_view id, bool thumb) {
  auto none = [] { return make_error(errc::not_found, "no such attachment"); };
  if (!is_attachment_id(id)) return none();
  auto found = ctx_.reader.with([&](store::database& db) -> result<download> {
    auto& st = db.prepare(open_sql).bind(1, id);
    if (!st.step()) return none();
    group_id g{st.int64(0)};
    download d;
    d.name = st.text(1);
    d.mime = st.text(2);
    d.size = static_cast<std::uint64_t>(st.int64(3));
    std::string sha = st.text(4);
    std::optional<std::string> thumb_sha;
    if (!st.is_null(5)) thumb_sha = st.text(5);
    std::uint64_t thumb_size = st.is_null(6) ? 0 : static_cast<std::uint64_t>(st.int64(6));
    st.reset();
    if (auto r = require_member(db, g, who.id); !r) return none();  // never says the id exists
    if (thumb) {
      if (!thumb_sha) return none();
      d.file = files_.path_of(*thumb_sha);
      d.mime = "image/jpeg";
      d.size = thumb_size;
    } else {
      d.file = files_.path_of(sha);
    }
    return d;
  });
  if (!found) return found.error();
  found->inline_ok = media::served_inline(found->mime);
  return found;
}

void attachments::erase_unused_files(std::vector<std::string> const& hashes) {
  if (hashes.empty() || erase_now(hashes)) return;
  // A backup held the erasure off (or the writer refused it): the rows are gone already, so
  // the next sweep erases these files.
  std::lock_guard lock(postponed_mutex_);
  postponed_.insert(hashes.begin(), hashes.end());
}

bool attachments::erase_now(std::vector<std::string> const& hashes) {
  bool pinned = false;
  auto r = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<void> {
    // While `peerchat backup` copies the files its snapshot lists, none is erased.
    store::backup_pin pin(files_.root(), store::backup_pin::mode::erase);
    if (!pin.held()) {
      pinned = true;
      return {};
    }
    for (auto const& hash : hashes) {
      auto& st = db.prepare(file_known_sql).bind(1, hash);
      bool known = st.step();
      st.reset();
      if (!known) files_.erase(hash);
    }
    return {};
  });
  if (!r) spdlog::warn("attachments: erasing {} unused file(s) failed: {}", hashes.size(), r.error().message);
  return r && !pinned;
}

std::size_t attachments::sweep() {
  auto const& settings = ctx_.config.attachments;
  millis_t cutoff = ctx_.clock.now() - std::chrono::duration_cast<std::chrono::milliseconds>(settings.orphan_after).count();
  std::vector<std::string> unused;
  auto removed = ctx_.writer.call([&](store::database& db, store::event_list&) -> result<std::size_t> {
    std::vector<std::string> ids, candidates;
    auto& st = db.prepare(orphans_sql).bind(1, cutoff);
    while (st.step()) {
      ids.push_back(st.text(0));
      candidates.push_back(st.text(1));
      if (!st.is_null(2)) candidates.push_back(st.text(2));
    }
    for (auto const& id : ids) db.prepare("DELETE FROM attachments WHERE id = ?1").bind(1, id).exec();
    unused = forget_unused_files(db, candidates);
    return ids.size();
  });
  if (!removed) {
    spdlog::warn("attachments: the sweep could not remove old uploads: {}", removed.error().message);
    return 0;
  }
  {
    // Files whose erasure a backup held off: their rows went with a delete or a sweep.
    std::lock_guard lock(postponed_mutex_);
    unused.insert(unused.end(), postponed_.begin(), postponed_.end());
    postponed_.clear();
  }
  erase_unused_files(unused);

  // Bodies of uploads that never finished (a crash mid-upload) and prepared copies left behind.
  std::error_code ec;
  for (auto const& f : fs::directory_iterator(files_.uploads_dir(), ec))
    if (older_than(f.path(), settings.orphan_after)) remove_quietly(f.path());

  // Stored files no row names (a crash between placing a file and committing its row).
  std::vector<std::string> stale;
  for (auto& hash : files_.list())
    if (older_than(files_.path_of(hash), std::chrono::duration_cast<std::chrono::seconds>(unreferenced_file_grace)))
      stale.push_back(std::move(hash));
  if (!stale.empty()) erase_now(stale);  // not kept when held off: the next sweep lists them again
  if (*removed > 0) spdlog::info("attachments: removed {} upload(s) never attached", *removed);
  return *removed;
}

attachments::stats attachments::statistics() {
  stats s;
  ctx_.reader.with([&](store::database& db) {
    auto& st = db.prepare(stored_bytes_sql);
    if (st.step()) {
      s.bytes_stored = static_cast<std::uint64_t>(st.int64(0));
      s.files_stored = static_cast<std::uint64_t>(st.int64(1));
    }
    st.reset();
  });
  s.uploads = uploads_.load();
  s.refused = refused_.load();
  return s;
}

}  // namespace peerchat::service
