// SPDX-License-Identifier: MIT
// The meta table: the database's epoch.
#include "peerchat/store/meta.hpp"

namespace peerchat::store {

std::string read_epoch(database& db) {
  auto& st = db.prepare("SELECT value FROM meta WHERE key = 'epoch'");
  if (!st.step()) throw sqlite_error(0, "the database has no epoch (meta table without its row)");
  auto out = st.text(0);
  st.reset();
  return out;
}

std::string renew_epoch(database& db) {
  // randomblob() is SQLite's cryptographic PRNG (seeded from /dev/urandom).
  db.prepare("INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(16)))) "
             "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
      .exec();
  return read_epoch(db);
}

}  // namespace peerchat::store
