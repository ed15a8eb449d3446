// SPDX-License-Identifier: MIT
#include "upload_load.hpp"
#include "http_client.hpp"

#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace peerchat::bench {

upload_load::upload_load(setup_result const& setup, std::string host, std::uint16_t port,
                         std::filesystem::path const& file, int uploaders)
    : setup_(setup), host_(std::move(host)), port_(port), name_(file.filename().string()), uploaders_(uploaders) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("--uploads-beside: cannot read " + file.string());
  bytes_.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (bytes_.empty()) throw std::runtime_error("--uploads-beside: " + file.string() + " is empty");
  if (uploaders_ < 1 || setup_.groups.empty()) throw std::runtime_error("--uploaders must be at least 1");
}

upload_load::~upload_load() { stop(); }

void upload_load::start() {
  for (int i = 0; i < uploaders_; ++i) threads_.emplace_back([this, i] { run(i); });
}

void upload_load::stop() {
  stopping_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

upload_counts upload_load::counts() const { return {uploads_.load(), refused_.load(), sent_bytes_.load()}; }

void upload_load::run(int index) {
  auto const& group = setup_.groups[static_cast<std::size_t>(index) % setup_.groups.size()];
  if (group.members.empty()) return;
  std::string target = "/api/v1/groups/" + std::to_string(group.id) + "/attachments";
  http_client client(host_, port_);
  http_client::header_list headers{{"Content-Type", "application/octet-stream"}, {"X-Filename", name_}};
  while (!stopping_) {
    auto r = client.request("POST", target, bytes_, group.members.front().token, headers);
    if (r.status == 201) {
      ++uploads_;
      sent_bytes_ += bytes_.size();
    } else {
      ++refused_;
      if (r.status == 0 || r.status == 401 || r.status == 404) return;  // nothing to gain from retrying
      // Over a budget or the media queue (429): pace the retries instead of spinning on refusals.
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

}  // namespace peerchat::bench
