// SPDX-License-Identifier: MIT
// Finding `@username` mentions in a message body.
#include "peerchat/service/mentions.hpp"
#include <algorithm>

namespace peerchat::service {

namespace {
// The characters of a username ([a-z0-9_.-]), in either case.
bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

// A character before `@` that makes it part of a word (an address like x@bob.com): a name
// character or any non-ASCII byte (a letter of another script).
bool word_char_before(char c) { return name_char(c) || static_cast<unsigned char>(c) >= 0x80; }

bool trailing_punctuation(char c) { return c == '.' || c == '-' || c == '_'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}
}  // namespace

std::vector<user_id> find_mentions(std::string_view body, std::vector<mention_candidate> const& members,
                                   user_id sender, bool may_mention_all) {
  std::vector<user_id> out;
  auto add = [&](user_id u) {
    if (u != sender && std::find(out.begin(), out.end(), u) == out.end()) out.push_back(u);
  };
  for (std::size_t at = body.find('@'); at != std::string_view::npos; at = body.find('@', at + 1)) {
    if (at > 0 && word_char_before(body[at - 1])) continue;
    std::size_t end = at + 1;
    while (end < body.size() && name_char(body[end])) ++end;
    std::string name = lower(body.substr(at + 1, end - at - 1));
    while (!name.empty()) {
      if (name == "all") {
        if (may_mention_all)
          for (auto const& m : members) add(m.user);
        break;
      }
      auto it = std::find_if(members.begin(), members.end(), [&](auto const& m) { return m.username == name; });
      if (it != members.end()) {
        add(it->user);
        break;
      }
      if (!trailing_punctuation(name.back())) break;
      name.pop_back();
    }
  }
  return out;
}

}  // namespace peerchat::service
