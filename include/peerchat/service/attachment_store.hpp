// SPDX-License-Identifier: MIT
// Attachments as stored beside the messages (tables `attachments` and `attachment_files`,
// migration 0005). Functions for jobs on the writer thread and reads on a reader connection.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/ids.hpp"
#include "peerchat/domain/attachment.hpp"
#include "peerchat/store/database.hpp"
#include <map>
#include <string>
#include <vector>

namespace peerchat::service {

// Attaches uploads to the message at seq, in the order given (writer thread, inside the
// send's job). Each id must be an upload of `uploader` in group g that is not attached yet;
// anything else is bad_request naming the id ("attachment … is not yours to attach here"),
// and the caller's job fails as a whole. At most 10 ids (checked before, in prepare_send).
result<std::vector<attachment_info>> attach_uploads(store::database& db, group_id g, seq_t seq,
                                                    user_id uploader, std::vector<std::string> const& ids);

// Detaches and forgets the attachments of the message at seq (a delete). Returns the hashes
// whose file no row uses any more: the caller erases them after the commit (erase_unused_files).
std::vector<std::string> detach_message(store::database& db, group_id g, seq_t seq);

// The attachments of the messages with seq in [from, to], by seq, in their order (history).
std::map<seq_t, std::vector<attachment_info>> attachments_in_range(store::database& db, group_id g,
                                                                   seq_t from, seq_t to);

// Deletes the attachment_files rows of these hashes that no attachment row uses any more
// (writer thread); returns those hashes, whose files the caller erases after the commit.
std::vector<std::string> forget_unused_files(store::database& db, std::vector<std::string> const& candidates);

}  // namespace peerchat::service
