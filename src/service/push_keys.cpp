// SPDX-License-Identifier: MIT
// Get-or-create of the Web Push secrets in the meta table, in one writer job.
#include "peerchat/service/push_keys.hpp"
#include "peerchat/core/crypto.hpp"
#include <stdexcept>

namespace peerchat::service {

namespace {
constexpr char insert_sql[] = "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING";
constexpr char select_sql[] = "SELECT value FROM meta WHERE key = ?1";
constexpr char pem_key[] = "push_vapid_private_key";
constexpr char topic_key[] = "push_topic_secret";

std::string get_or_insert(store::database& db, char const* key, std::string const& fresh) {
  db.prepare(insert_sql).bind(1, key).bind(2, fresh).exec();
  auto& st = db.prepare(select_sql).bind(1, key);
  st.step();
  auto out = st.text(0);
  st.reset();
  return out;
}
}  // namespace

push_secrets load_push_secrets(context& ctx, std::function<std::string()> const& make_private_pem) {
  // Made outside the writer job: key generation must not hold the writer. A lost race with
  // another start (impossible: the data dir is locked) would only discard the fresh pair.
  std::string fresh_pem = make_private_pem();
  std::string fresh_secret = crypto::random_token(32);
  auto r = ctx.writer.call([&](store::database& db, store::event_list&) -> result<push_secrets> {
    return push_secrets{get_or_insert(db, pem_key, fresh_pem), get_or_insert(db, topic_key, fresh_secret)};
  });
  if (!r) throw std::runtime_error("could not read or store the Web Push keys: " + r.error().message);
  return std::move(*r);
}

}  // namespace peerchat::service
