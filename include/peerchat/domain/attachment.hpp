// SPDX-License-Identifier: MIT
// A file uploaded to a group (contract: "Attachments"), as members see it.
#pragma once
#include "peerchat/core/ids.hpp"
#include <nlohmann/json.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace peerchat {

// What an upload's answer and a message's `attachments:[…]` carry for each file.
struct attachment_info {
  std::string id;          // opaque and random (base64url of 128 bits), never a counter
  std::string name;        // the file name the uploader gave, cleaned (no path, no control characters)
  std::uint64_t size = 0;  // bytes as stored (after metadata was stripped)
  std::string mime;        // decided by the server from the bytes, never taken from the client
  std::optional<int> width;   // images and videos
  std::optional<int> height;
  std::optional<std::int64_t> duration_ms;  // audio and video
  bool thumb = false;      // GET /attachments/{id}/thumb serves a thumbnail
};

// {id,name,size,mime,width?,height?,duration_ms?,thumb}: the one wire shape of an attachment,
// in an upload's answer, a `message` event and history alike.
nlohmann::ordered_json attachment_json(attachment_info const& a);

}  // namespace peerchat
