// SPDX-License-Identifier: MIT
// The store and the services on it, built once at start: everything the gateway needs from
// the data side, so that no SQL and no store type lives in the gateway.
#pragma once
#include "peerchat/core/clock.hpp"
#include "peerchat/core/config.hpp"
#include "peerchat/core/histogram.hpp"
#include "peerchat/core/ids.hpp"
#include "peerchat/domain/event.hpp"
#include "peerchat/service/accounts.hpp"
#include "peerchat/service/attachments.hpp"
#include "peerchat/service/avatars.hpp"
#include "peerchat/service/blocks.hpp"
#include "peerchat/service/direct.hpp"
#include "peerchat/service/context.hpp"
#include "peerchat/service/devices.hpp"
#include "peerchat/service/first_run.hpp"
#include "peerchat/service/groups.hpp"
#include "peerchat/service/invites.hpp"
#include "peerchat/service/kudos.hpp"
#include "peerchat/service/messages.hpp"
#include "peerchat/service/notifications.hpp"
#include "peerchat/service/passwords.hpp"
#include "peerchat/service/polls.hpp"
#include "peerchat/service/profiles.hpp"
#include "peerchat/service/quizzes.hpp"
#include "peerchat/service/user_admin.hpp"
#include "peerchat/service/questions.hpp"
#include "peerchat/service/library.hpp"
#include "peerchat/store/reader.hpp"
#include "peerchat/store/writer.hpp"
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace peerchat::service {

// Thread safety: the services and the methods below are callable from any worker thread
// (they block on the store; never call them on an I/O thread). set_publisher() and stop()
// from the controlling thread only.
class backend {
 private:
  store::writer writer_;  // declared first: the services below hold references to both
  store::reader reader_;
  std::string epoch_;

 public:
  // Creates the data dir, checks that it is writable, migrates the database and opens it.
  // Throws std::runtime_error with a message for the self-hoster when that fails.
  backend(config const& cfg, peerchat::clock const& clock);

  context ctx;
  service::accounts accounts;
  service::groups groups;
  service::invites invites;
  service::messages messages;
  service::attachments attachments;  // uploads, downloads, erasure of files, the orphan sweep
  service::first_run setup;
  service::notifications notifications;
  service::passwords passwords;  // POST /me/password
  service::devices devices;      // one's own sessions: list, end; the user agent of a login
  service::profiles profiles;    // PATCH /me: display name, about
  service::avatars avatars;      // profile pictures (image work on the attachments' media workers)
  service::user_admin user_admin;  // the admin's people, reset/setup links, account deletion
  service::direct direct;  // direct conversations (POST /direct)
  service::blocks blocks;  // PUT/DELETE /users/{id}/block, GET /me/blocks
  service::quizzes quizzes;  // the live quiz (its clock runs in tick())
  service::questions questions;  // issue 14: questions and answers
  service::library library;      // issue 14: the library of best practices
  service::kudos kudos;    // kudos and the kudos wall (docs/community.md)
  service::polls polls;    // polls: votes, anonymous counts, closing (docs/community.md)

  // Runs what is due on the server's clock (polls closing, quiz deadlines): the gateway calls
  // it every 200 ms on a worker thread, never twice at once. Each timed service adds one line
  // to it, and must return at once, without touching the store, when nothing is due.
  void tick();

  // Receives each committed batch's events, in commit order (on the writer thread).
  void set_publisher(std::function<void(std::vector<event> const&)> publish);

  // The database's epoch (store/meta.hpp), read once at start: new after every restore.
  std::string const& epoch() const noexcept { return epoch_; }

  // True when a read connection answers a trivial query (GET /healthz). Never throws.
  bool store_answers();

  // Every (group, member) pair, for the live hub at start.
  std::vector<std::pair<group_id, user_id>> all_memberships();

  struct commit_counts {
    std::uint64_t events = 0;   // events committed to the group logs
    std::uint64_t batches = 0;  // write transactions committed
    std::uint64_t refused = 0;  // writes refused because the writer queue was full
  };
  commit_counts commits() const;
  // Jobs per committed transaction, and seconds from BEGIN to the end of COMMIT.
  histogram const& batch_sizes() const { return writer_.batch_sizes; }
  histogram const& commit_seconds() const { return writer_.commit_seconds; }

  // Stops taking writes and commits what is queued. Idempotent. The media workers go first:
  // their uploads still need the writer, and their answers are posted to I/O threads.
  void stop() {
    attachments.stop();
    writer_.stop();
  }
};

}  // namespace peerchat::service
