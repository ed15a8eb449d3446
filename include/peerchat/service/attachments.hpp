// SPDX-License-Identifier: MIT
// Uploads and downloads of attachments (contract: "Attachments"; docs/attachments.md).
//
// An upload's life: begin_upload() checks who may upload what before a byte of the body is
// read and hands out a temporary file; the gateway streams the body into it; finish_upload()
// then works on a media worker (off the I/O threads and off the API worker pool): hashes the
// bytes, decides the type from them, strips metadata and makes a thumbnail (media::prepare),
// places the file in the content-addressed store and records the upload. A message then
// attaches it (attachment_store.hpp) within the send's own transaction. Deleting the message
// erases files no other row uses; uploads never attached go after orphan_after (sweep()).
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/ids.hpp"
#include "peerchat/core/rate_limiter.hpp"
#include "peerchat/domain/attachment.hpp"
#include "peerchat/domain/user.hpp"
#include "peerchat/service/context.hpp"
#include "peerchat/store/file_store.hpp"
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace peerchat::service {

// What the gateway needs to receive one upload's body.
struct upload_slot {
  group_id group{};
  std::string name;                    // cleaned file name (X-Filename, percent-decoded)
  std::filesystem::path file;          // stream the body here (owner-only, empty)
  std::uint64_t max_bytes = 0;         // stop and answer 413 past this many bytes
};

// A stored file to serve: the gateway opens `file` and answers with these headers.
struct download {
  std::filesystem::path file;
  std::string mime;
  std::string name;
  bool inline_ok = false;   // allow-listed image/audio/video; else Content-Disposition: attachment
  std::uint64_t size = 0;
};

// Thread safety: every method from any thread. begin_upload/open block on the store (worker
// pool, never an I/O thread); finish_upload never blocks (it queues on the media workers).
class attachments {
 public:
  explicit attachments(context& ctx);
  ~attachments();  // stop()
  // Works off the uploads and image jobs queued, joins the media workers and waits for the
  // uploads handed to the writer, so that no answer is posted after it (the server calls it
  // before the writer stops and before its I/O context goes). Later uploads are refused.
  // Idempotent.
  void stop();

  // Before the body: membership (not_found for a non-member or an unknown group), the
  // uploader's budget (rate_limited), a declared Content-Length over max_bytes or over what
  // the quota has left (payload_too_large), a bad or missing name (bad_request).
  result<upload_slot> begin_upload(user const& who, group_id g, std::string_view raw_filename,
                                   std::optional<std::uint64_t> content_length);

  // After the body is in slot.file: `done` runs once, on a media worker or the writer thread,
  // with the upload's metadata (201) or an error (bad_request for a bomb or a broken image,
  // payload_too_large when the quota filled meanwhile, not_found when `who` left the group).
  // When the media queue is full (rate_limited) or the service is stopping (internal), `done`
  // runs at once on the calling thread. The temporary file is gone either way.
  void finish_upload(user const& who, upload_slot slot, std::function<void(result<attachment_info>)> done);

  // The body did not arrive (client went away, over max_bytes): removes the temporary file.
  void abandon_upload(upload_slot const& slot) noexcept;

  // Another service's image work (avatars) on the same media workers, so that no more images
  // are decoded at once than they allow. False, without running it, when the media queue is
  // full or the service is stopping. `job` must not throw.
  bool post_media_job(std::function<void()> job);

  // GET /attachments/{id} and /attachments/{id}/thumb: not_found unless `who` is a member of
  // the attachment's group (and, for a thumb, the attachment has one).
  result<download> open(user const& who, std::string_view id, bool thumb);

  // Erases the files of these hashes unless a row still uses them (after a delete commits).
  // While `peerchat backup` copies files (store/backup_pin.hpp) nothing is erased: the hashes
  // are kept and the next sweep() erases them (the rows are gone already).
  void erase_unused_files(std::vector<std::string> const& hashes);

  // Removes uploads never attached for orphan_after (by the context's clock), temporary
  // upload files as old, and stored files no row uses. Returns how many uploads it removed.
  // The server runs it every few minutes; tests call it with a manual clock.
  std::size_t sweep();

  struct stats {
    std::uint64_t bytes_stored = 0;  // every stored file (attachments and thumbnails), once each
    std::uint64_t files_stored = 0;
    std::uint64_t uploads = 0;       // uploads accepted since start
    std::uint64_t refused = 0;       // uploads refused (limits, quota, bad files) since start
  };
  stats statistics();  // reads the store (never on an I/O thread)
  // The counters alone, without the store (for /metrics on an I/O thread).
  std::uint64_t uploads_accepted() const noexcept { return uploads_.load(); }
  std::uint64_t uploads_refused() const noexcept { return refused_.load(); }

  store::file_store const& files() const noexcept { return files_; }

 private:
  struct prepared_upload;  // the files a media worker made ready to store
  void media_worker();
  // One upload on a media worker: type, metadata, thumbnail, hashes, then one writer job.
  void process(user const& who, upload_slot const& slot, std::function<void(result<attachment_info>)> const& done);
  // The upload's rows and placed files, in one writer job; `done` after its commit.
  void store_upload(user const& who, upload_slot const& slot, prepared_upload prepared,
                    std::function<void(result<attachment_info>)> done);
  // Counts the upload, runs its answer, and lets the destructor know when the last is done.
  void finished(bool accepted, std::function<void()> const& answer);
  // One writer job erasing the files of these hashes that no row names; false when a backup
  // held it off (backup_pin) or the writer refused it, and nothing was erased.
  bool erase_now(std::vector<std::string> const& hashes);

  context& ctx_;
  store::file_store files_;
  rate_limiter upload_limit_;
  std::atomic<std::uint64_t> uploads_{0};
  std::atomic<std::uint64_t> refused_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // uploads waiting for a media worker (bounded: media_queue)
  bool stopping_ = false;
  std::size_t in_flight_ = 0;  // guarded by mutex_: uploads queued or working, until `done` ran
  std::condition_variable idle_;
  std::vector<std::thread> workers_;

  std::mutex postponed_mutex_;
  std::set<std::string> postponed_;  // guarded by postponed_mutex_: erasures a backup held off
};

}  // namespace peerchat::service
