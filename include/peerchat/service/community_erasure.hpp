// SPDX-License-Identifier: MIT
// What a person wrote with the community tools (kudos notes, polls, quizzes), erased with their
// messages when their account is deleted with erase=true (docs/accounts.md, "Delete").
#pragma once
#include "peerchat/core/ids.hpp"
#include <cstddef>

namespace peerchat::store {
class database;
}

namespace peerchat::service {

// The text that replaces what was erased, in the tables and in the stored events (which also
// get "erased":true). Counts, votes and scores stay: they are other members' doing.
inline constexpr char erased_text[] = "(erased)";

// Inside one writer job: erases the notes of the kudos `author` gave, the question and options
// of the polls they made, and the titles, questions and options of the quizzes they hosted
// (their drafts are deleted). Returns how many kudos, polls and quizzes it touched.
std::size_t erase_community_text(store::database& db, user_id author);

}  // namespace peerchat::service
