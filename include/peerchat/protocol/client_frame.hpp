// SPDX-License-Identifier: MIT
// The frames a client sends over the WebSocket, decoded and validated.
#pragma once
#include "peerchat/core/error.hpp"
#include "peerchat/core/ids.hpp"
#include <map>
#include <optional>
#include <string>
#include <vector>
#include <variant>

namespace peerchat::protocol {

struct hello_frame {
  std::optional<std::string> token;
  std::map<group_id, seq_t> resume;
};
struct send_frame {
  group_id group{};
  std::string client_msg_id;
  std::string body;
  std::optional<seq_t> reply_to;
  std::vector<std::string> attachments;  // upload ids, at most 10; the body may then be empty
  bool question = false;  // issue 14: asked as a question
};
struct typing_frame {
  group_id group{};
};
struct read_frame {
  group_id group{};
  seq_t seq = 0;
};
struct ping_frame {};
// The group this connection shows in the foreground; nullopt: the app is hidden.
struct focus_frame {
  std::optional<group_id> group;
};

// An answer to a live quiz's open question (contract: Live quiz); choice: option indexes.
struct quiz_answer_frame {
  std::int64_t quiz_id = 0;
  int index = 0;
  std::vector<int> choice;
};

using client_frame = std::variant<hello_frame, send_frame, typing_frame, read_frame, ping_frame, focus_frame,
                                  quiz_answer_frame>;

// A decoded frame, or an error with the frame's "ref" (if it had one) to echo back.
struct decode_error {
  peerchat::error error;
  std::optional<std::string> ref;
};

struct decoded_frame {
  client_frame frame;
  std::optional<std::string> ref;  // echoed in the error answer, if the client set one
};

boost::system::result<decoded_frame, decode_error> decode_client_frame(std::string_view text, int max_depth);

}  // namespace peerchat::protocol
