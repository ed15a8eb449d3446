// SPDX-License-Identifier: MIT
// The WebSocket connection.
#include "ws_session.hpp"
#include "peerchat/protocol/wire.hpp"
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/spdlog.h>
#include <span>
#include <utility>

namespace peerchat::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using protocol::ojson;

namespace {
constexpr int replay_page = 500;
// One write carries at most this many frames (Asio gathers 64 buffers per system call) and
// stops adding frames past this many bytes.
constexpr std::size_t frames_per_write = 32;
constexpr std::size_t bytes_per_write = 256 * 1024;
constexpr auto teardown_after = std::chrono::seconds(5);
constexpr std::uint8_t op_close = 0x8, op_ping = 0x9, op_pong = 0xA;

template <class Stream>
constexpr bool plain_tcp = std::is_same_v<Stream, beast::tcp_stream>;

// Error texts may quote client input; an invalid byte is replaced rather than thrown on.
std::shared_ptr<const std::string> frame_of(ojson const& j) {
  return std::make_shared<const std::string>(j.dump(-1, ' ', false, ojson::error_handler_t::replace));
}
}  // namespace

template <class Stream>
ws_session<Stream>::ws_session(app& a, worker_pool& workers, Stream&& stream, std::string cookie_token)
    : app_(a),
      workers_(workers),
      stream_(std::move(stream)),
      reader_(a.cfg.limits.frame_bytes),
      timer_(stream_.get_executor()),
      write_timer_(stream_.get_executor()),
      cookie_token_(std::move(cookie_token)),
      queue_(a.cfg.limits.queue_bytes),
      budget_(a.cfg.limits.frames_per_second, a.cfg.limits.frames_burst) {}

template <class Stream>
ws_session<Stream>::~ws_session() = default;

template <class Stream>
void ws_session<Stream>::run(request req) {
  beast::get_lowest_layer(stream_).expires_never();
  handshake_ = std::make_unique<websocket::stream<Stream&>>(stream_.next_layer());
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = websocket::stream_base::none();  // the handshake's deadline only
  handshake_->set_option(timeouts);
  handshake_->set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "peerchat"); }));
  handshake_->async_accept(req, beast::bind_front_handler(&ws_session<Stream>::on_accept, shared_from_this()));
}

template <class Stream>
void ws_session<Stream>::on_accept(beast::error_code ec) {
  handshake_.reset();  // Beast's state is not needed any more
  if (ec) return finish();
  if constexpr (plain_tcp<Stream>) {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().non_blocking(true, ignored);  // on_readable never blocks
  }
  timer_.expires_after(app_.cfg.limits.hello_timeout);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && self->state_ == state::awaiting_hello) self->close_with(4001, "no hello within the time limit");
  });
  do_read();
}

template <class Stream>
void ws_session<Stream>::do_read() {
  if (client_done_ || finished_) return;
  if constexpr (plain_tcp<Stream>) {
    beast::get_lowest_layer(stream_).socket().async_wait(
        asio::socket_base::wait_read, beast::bind_front_handler(&ws_session<Stream>::on_readable, shared_from_this()));
  } else {
    if (!tls_buffer_) tls_buffer_ = std::make_unique<std::array<std::uint8_t, 4096>>();
    stream_.async_read_some(asio::buffer(*tls_buffer_),
                            beast::bind_front_handler(&ws_session<Stream>::on_read, shared_from_this()));
  }
}

template <class Stream>
void ws_session<Stream>::on_readable(beast::error_code ec) {
  if (ec) return finish();
  std::array<std::uint8_t, 16 * 1024> bytes;
  std::size_t n = beast::get_lowest_layer(stream_).socket().read_some(asio::buffer(bytes), ec);
  if (ec == asio::error::would_block) return do_read();
  if (ec) return finish();  // the client went away (or reset)
  take_bytes(std::span<const std::uint8_t>(bytes.data(), n));
}

template <class Stream>
void ws_session<Stream>::on_read(beast::error_code ec, std::size_t n) {
  if (ec) return finish();
  take_bytes(std::span<const std::uint8_t>(tls_buffer_->data(), n));
}

template <class Stream>
void ws_session<Stream>::take_bytes(std::span<const std::uint8_t> bytes) {
  heard_since_tick_ = true;
  while (auto item = reader_.next(bytes)) {
    switch (item->what) {
      case ws_incoming::kind::text:
        if (state_ != state::closing) handle_frame(item->payload);
        break;
      case ws_incoming::kind::binary:
        if (state_ != state::closing)
          bad_frame(make_error(errc::bad_request, "binary frames are not supported; send JSON text"), std::nullopt);
        break;
      case ws_incoming::kind::ping:
        // Nothing may follow our close frame, which is on its way once closing began.
        if (state_ != state::closing) write_control(op_pong, item->payload, [] {});
        break;
      case ws_incoming::kind::pong:
        break;
      case ws_incoming::kind::close:
        on_client_close(item->code);
        break;
      case ws_incoming::kind::violation:
        // Closed with the violation's code (1002, 1007 bad UTF-8, 1009 too big), as Beast did.
        client_done_ = true;
        if (state_ != state::closing) start_close(item->code, std::string(item->payload));
        else if (close_sent_) tear_down();
        break;
    }
  }
  if (reader_.between_messages()) reader_.release_memory();  // an idle connection keeps no message
  do_read();
}

template <class Stream>
void ws_session<Stream>::on_client_close(std::uint16_t code) {
  client_done_ = true;
  if (close_sent_) return tear_down();  // the answer to ours
  // The client closes first: answer with its code (none if it gave none) once the frame
  // being written is out; what is still queued is dropped.
  if (state_ != state::closing) start_close(code, "");
}

template <class Stream>
template <class Then>
void ws_session<Stream>::write_control(std::uint8_t opcode, std::string_view payload, Then then) {
  // RFC 6455 section 5.5: a control frame carries at most 125 bytes, unmasked from a server.
  payload = payload.substr(0, 125);
  std::array<std::uint8_t, 10> header;
  std::size_t const header_size = frame_header(opcode, payload.size(), header);
  auto frame = std::make_shared<std::string>(reinterpret_cast<char const*>(header.data()), header_size);
  frame->append(payload);
  stream_.async_write_frames(asio::buffer(*frame),
                             [self = shared_from_this(), frame, then = std::move(then)](beast::error_code ec, std::size_t) {
                               if (ec) return self->finish();
                               then();
                             });
}

template <class Stream>
void ws_session<Stream>::start_keep_alive() {
  // limits.keep_alive of silence brings a ping; as long again after it, the connection is
  // dropped (a dead peer, a phone gone out of coverage). Beast's idle_timeout did the same.
  timer_.expires_after(app_.cfg.limits.keep_alive);
  timer_.async_wait(beast::bind_front_handler(&ws_session<Stream>::on_keep_alive, shared_from_this()));
}

template <class Stream>
void ws_session<Stream>::on_keep_alive(beast::error_code ec) {
  // Cancelled, or the timer is the close's teardown deadline now.
  if (ec || state_ == state::closing || finished_) return;
  if (heard_since_tick_) {
    heard_since_tick_ = false;
    ping_unanswered_ = false;
  } else if (ping_unanswered_) {
    spdlog::info("ws: dropping a connection of user {}: silent for {} s after a ping", raw(user()),
                 app_.cfg.limits.keep_alive.count());
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);  // the pending read ends it
    return;
  } else {
    ping_unanswered_ = true;
    write_control(op_ping, "", [] {});
  }
  start_keep_alive();
}

template <class Stream>
void ws_session<Stream>::handle_frame(std::string_view text) {
  auto decoded = protocol::decode_client_frame(text, app_.cfg.limits.json_depth);
  if (!decoded) return bad_frame(decoded.error().error, decoded.error().ref);
  auto& frame = decoded->frame;
  if (state_ == state::awaiting_hello) {
    if (auto* hello = std::get_if<protocol::hello_frame>(&frame)) return on_hello(std::move(*hello));
    return close_with(4001, "the first frame must be hello");
  }
  if (state_ != state::ready) return bad_frame(make_error(errc::bad_request, "wait for ready"), decoded->ref);

  // Sends have their own per-user limit (in the messages service); every other frame spends
  // from the connection's and the user's frame budgets.
  if (auto* send = std::get_if<protocol::send_frame>(&frame)) {
    bad_in_row_ = 0;
    return on_send(std::move(*send));
  }
  if (auto over = spend_frame_budget()) return bad_frame(*over, decoded->ref);
  if (std::holds_alternative<protocol::hello_frame>(frame))
    return bad_frame(make_error(errc::bad_request, "hello was already received"), decoded->ref);
  if (auto* typing = std::get_if<protocol::typing_frame>(&frame)) return on_typing(*typing, decoded->ref);
  if (auto* read = std::get_if<protocol::read_frame>(&frame)) return on_read_marker(*read, std::move(decoded->ref));
  if (auto* focus = std::get_if<protocol::focus_frame>(&frame)) return on_focus(*focus, decoded->ref);
  if (auto* answer = std::get_if<protocol::quiz_answer_frame>(&frame)) return on_quiz_answer(std::move(*answer), std::move(decoded->ref));
  bad_in_row_ = 0;
  enqueue(frame_of({{"type", "pong"}}));
}

template <class Stream>
std::optional<error> ws_session<Stream>::spend_frame_budget() {
  std::int64_t wait = budget_.spend();
  if (wait == 0) wait = app_.user_frames.acquire(user_key_);
  if (wait == 0) return std::nullopt;
  app_.rate_limited_frames.fetch_add(1, std::memory_order_relaxed);
  error e = make_error(errc::rate_limited, "too many frames; slow down");
  e.retry_after_ms = wait;
  return e;  // counts as an invalid frame: a client that ignores it is cut off with 1008
}

template <class Stream>
void ws_session<Stream>::on_typing(protocol::typing_frame f, std::optional<std::string> const& ref) {
  if (!app_.hub.is_member(f.group, user())) return bad_frame(make_error(errc::not_found, "no such group"), ref);
  bad_in_row_ = 0;
  // At most one typing notice a second per group and connection: a key-repeat costs nobody
  // else, and typing in one group never hides typing in another.
  auto now = std::chrono::steady_clock::now();
  auto [it, first] = last_typing_.try_emplace(f.group, now);
  if (!first && now - it->second < std::chrono::seconds(1)) return;
  it->second = now;
  app_.hub.typing(f.group, user());
}

// The focus lives in the app's registry (one entry per connection, gone at close); it is not
// answered, like typing. A group the user is not in is refused like any other frame for it.
template <class Stream>
void ws_session<Stream>::on_focus(protocol::focus_frame f, std::optional<std::string> const& ref) {
  if (f.group && !app_.hub.is_member(*f.group, user()))
    return bad_frame(make_error(errc::not_found, "no such group"), ref);
  bad_in_row_ = 0;
  if (f.group)
    app_.focus.set(this, user(), *f.group, app_.clock.now());
  else
    app_.focus.clear(this, user());
}

// Read markers are coalesced: the latest frame per group wins, and one mark_read at a time
// is in flight per connection, so a client that sends a marker per message scrolled past
// (or a flood of them) costs the store one write per group at a time, not one per frame.
template <class Stream>
void ws_session<Stream>::on_read_marker(protocol::read_frame f, std::optional<std::string> ref) {
  if (!app_.hub.is_member(f.group, user())) return bad_frame(make_error(errc::not_found, "no such group"), ref);
  bad_in_row_ = 0;
  reads_wanted_[f.group] = wanted_read{f.seq, std::move(ref)};
  start_mark_read();
}

// A quiz answer is judged by the quizzes service on a worker (it writes to the store); the
// ack or the error (conflict when late) comes back on this connection's strand.
template <class Stream>
void ws_session<Stream>::on_quiz_answer(protocol::quiz_answer_frame f, std::optional<std::string> ref) {
  bad_in_row_ = 0;
  auto self = shared_from_this();
  run_on_worker(
      "quiz answer",
      [self, f = std::move(f), ref] {
        auto ack = self->app_.backend.quizzes.answer(self->principal_.user, f.quiz_id, f.index, f.choice);
        asio::post(self->stream_.get_executor(), [self, ack = std::move(ack), ref] {
          if (!ack) return self->send_error(ack.error(), ref);
          ojson j{{"type", "quiz_answer_ack"}, {"quiz_id", ack->quiz_id}, {"index", ack->index}, {"choice", ack->choice},
                  {"answered_at", ack->answered_at}, {"remaining_ms", ack->remaining_ms}};
          if (ref) j["ref"] = *ref;
          self->enqueue(frame_of(j));
        });
      },
      [self, ref](error const& e) { self->send_error(e, ref); });
}

template <class Stream>
void ws_session<Stream>::start_mark_read() {
  if (read_in_flight_ || reads_wanted_.empty() || state_ != state::ready) return;
  auto first = reads_wanted_.begin();
  group_id g = first->first;
  wanted_read want = std::move(first->second);
  reads_wanted_.erase(first);
  read_in_flight_ = true;
  auto self = shared_from_this();
  auto done = [self] {
    self->read_in_flight_ = false;
    self->start_mark_read();
  };
  run_on_worker(
      "read marker",
      [self, g, seq = want.seq, ref = want.ref, done] {
        auto moved = self->app_.messages.mark_read(self->principal_.user, g, seq);
        if (moved) self->app_.hub.read_marker(self->user(), g, *moved);
        asio::post(self->stream_.get_executor(), [self, moved = std::move(moved), ref, done] {
          if (!moved) self->send_error(moved.error(), ref);
          done();
        });
      },
      [self, ref = want.ref, done](error const& e) {
        self->send_error(e, ref);
        done();
      });
}

template <class Stream>
void ws_session<Stream>::on_hello(protocol::hello_frame hello) {
  state_ = state::authenticating;
  start_keep_alive();  // in place of the hello deadline
  std::string token = hello.token.value_or(cookie_token_);
  auto self = shared_from_this();
  run_on_worker(
      "hello",
      [self, token = std::move(token), resume = std::move(hello.resume)] {
        auto who = self->app_.accounts.authenticate(token);
        asio::post(self->stream_.get_executor(), [self, who = std::move(who), resume]() mutable {
          self->on_authenticated(std::move(who), std::move(resume));
        });
      },
      [self](error const& e) { self->fail_connection(e); });
}

// Subscribes, then reads the group list: an event committed in between is held (and is
// either within a group's last_seq or sent after ready), never lost.
template <class Stream>
void ws_session<Stream>::on_authenticated(result<principal> who, std::map<group_id, seq_t> resume) {
  if (state_ == state::closing) return;
  if (!who) return close_with(4001, "invalid or expired token");
  principal_ = std::move(*who);
  user_key_ = std::to_string(raw(principal_.user.id));
  state_ = state::listing;
  app_.hub.add(shared_from_this());
  auto self = shared_from_this();
  run_on_worker(
      "group list",
      [self, resume = std::move(resume)] {
        auto list = self->app_.groups.list(self->principal_);
        asio::post(self->stream_.get_executor(), [self, list = std::move(list), resume]() mutable {
          if (!list) return self->fail_connection(list.error());
          self->on_ready(std::move(*list), std::move(resume));
        });
      },
      [self](error const& e) { self->fail_connection(e); });
}

template <class Stream>
template <class Work, class Failed>
void ws_session<Stream>::run_on_worker(char const* what, Work work, Failed failed) {
  auto self = shared_from_this();
  bool posted = workers_.try_post(what, std::move(work), [self, failed](error const& e) {
    asio::post(self->stream_.get_executor(), [failed, e] { failed(e); });
  });
  if (!posted) {
    app_.rate_limited_frames.fetch_add(1, std::memory_order_relaxed);
    failed(worker_pool::busy());
  }
}

template <class Stream>
void ws_session<Stream>::fail_connection(error const& e) {
  if (state_ == state::closing) return;
  send_error(e, std::nullopt);
  // 1008 for "the server is busy" (a rate limit, as the contract's close codes say); 1011
  // (RFC 6455: an unexpected condition) when the store failed. Either way the client
  // reconnects and resumes like after any other close.
  start_close(e.code == errc::rate_limited ? 1008 : 1011, e.code == errc::rate_limited ? "server busy" : "internal error",
              /*keep_queued=*/true);
}

template <class Stream>
void ws_session<Stream>::on_ready(std::vector<group_summary> groups, std::map<group_id, seq_t> resume) {
  if (state_ != state::listing) return;
  state_ = state::ready;
  for (auto const& [g, seq] : resume) {
    delivered_[g] = seq;
    replays_.push_back(replay{g, {}});
  }
  ojson list = ojson::array();
  for (auto const& g : groups) {
    list.push_back(protocol::to_json(g));
    // A group's events up to its last_seq are in `ready` already (or come with its replay):
    // skip them, whether they were held during the list read or are still on their way (the
    // writer publishes a batch after its commit, so the list may have read it first).
    delivered_.emplace(g.group.id, g.group.last_seq);
  }
  // Read after every presence frame dropped while listing (see deliver_presence): those
  // changes are in it, later ones come as frames after it.
  ojson online = ojson::array();
  for (user_id u : app_.hub.online_peers(user())) online.push_back(raw(u));
  queue_frame(frame_of({{"type", "ready"},
                        {"user", protocol::to_json(principal_.user)},
                        {"groups", std::move(list)},
                        {"epoch", app_.backend.epoch()},
                        {"online", std::move(online)}}));
  for (auto& f : std::exchange(held_frames_, {})) queue_frame(std::move(f));
  for (auto const& e : std::exchange(held_events_, {})) on_event(e);
  flush();
  fetch_replay_page();
}

template <class Stream>
void ws_session<Stream>::fetch_replay_page() {
  if (replays_.empty() || state_ != state::ready) return;
  group_id g = replays_.front().group;
  seq_t after = delivered_[g];
  auto self = shared_from_this();
  // A replay that cannot go on must not skip a group silently: the client is told, and
  // closed, and resumes from what it got.
  run_on_worker(
      "replay page",
      [self, g, after] {
        auto page = self->app_.messages.events_after(self->principal_.user, g, after, replay_page);
        asio::post(self->stream_.get_executor(), [self, g, page = std::move(page)]() mutable {
          self->on_replay_page(g, std::move(page));
        });
      },
      [self](error const& e) { self->fail_connection(e); });
}

template <class Stream>
void ws_session<Stream>::on_replay_page(group_id g, result<service::events_page> page) {
  if (state_ != state::ready || replays_.empty()) return;
  if (!page) {  // not a member (any more): nothing to replay
    replays_.erase(replays_.begin());
    delivered_.erase(g);
    return fetch_replay_page();
  }
  replay_page_full_ = page->events.size() == static_cast<std::size_t>(replay_page);
  replay_buffer_.assign(std::make_move_iterator(page->events.rbegin()), std::make_move_iterator(page->events.rend()));
  pump_replay();
}

// Moves backlog into the outgoing queue only while it is less than half full: a client
// back after days costs no more memory than one that stayed, and is never taken for slow.
template <class Stream>
void ws_session<Stream>::pump_replay() {
  if (state_ != state::ready || replays_.empty()) return;
  seq_t& sent = delivered_[replays_.front().group];
  while (!replay_buffer_.empty() && queue_.bytes() <= app_.cfg.limits.queue_bytes / 2) {
    auto stored = std::move(replay_buffer_.back());
    replay_buffer_.pop_back();
    if (stored.seq <= sent) continue;  // the text goes out as stored
    sent = stored.seq;
    queue_frame(std::make_shared<const std::string>(std::move(stored.wire)));
    if (state_ != state::ready) return;
  }
  flush();
  if (!replay_buffer_.empty()) {
    waiting_for_drain_ = true;
    return;
  }
  if (replay_page_full_) return fetch_replay_page();
  finish_replay();
}

template <class Stream>
void ws_session<Stream>::finish_replay() {
  auto held = std::move(replays_.front().held);
  replays_.erase(replays_.begin());
  if (replays_.empty()) {  // give the memory back
    replays_ = {};
    replay_buffer_ = {};
  }
  for (auto const& e : held) on_event(e);
  flush();
  fetch_replay_page();
}

template <class Stream>
void ws_session<Stream>::on_send(protocol::send_frame f) {
  service::send_request req{f.group, std::move(f.body), std::move(f.client_msg_id), f.reply_to, std::move(f.attachments), f.question};
  std::optional<std::string> ref = req.client_msg_id;
  auto prepared = app_.messages.prepare_send(principal_.user, std::move(req));
  if (!prepared) {
    if (prepared.error().code == errc::rate_limited) {
      app_.rate_limited_frames.fetch_add(1, std::memory_order_relaxed);
      return bad_frame(prepared.error(), ref);  // a client that ignores retry_after is cut off
    }
    return send_error(prepared.error(), ref);
  }
  app_.messages.send_async(principal_.user, std::move(*prepared),
                           [self = shared_from_this(), ref](result<service::send_result> r) {
                             asio::post(self->stream_.get_executor(), [self, r = std::move(r), ref] {
                               if (!r) return self->send_error(r.error(), ref);
                               auto const& e = r->message;
                               self->enqueue(frame_of({{"type", "ack"},
                                                       {"client_msg_id", *ref},
                                                       {"group_id", raw(e.group)},
                                                       {"seq", e.seq},
                                                       {"ts", e.ts}}));
                             });
                           });
}

template <class Stream>
void ws_session<Stream>::deliver_events(std::vector<event> events) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), events = std::move(events)] {
    for (auto const& e : events) self->on_event(e);
    self->flush();
  });
}

template <class Stream>
void ws_session<Stream>::on_event(event const& e) {
  if (state_ == state::listing) return held_events_.push_back(e);
  if (state_ != state::ready) return;
  for (auto& r : replays_)
    if (r.group == e.group) return r.held.push_back(e);
  if (auto it = delivered_.find(e.group); it != delivered_.end()) {
    if (e.seq <= it->second) return;
    it->second = e.seq;
  }
  queue_frame(e.wire);
}

template <class Stream>
void ws_session<Stream>::deliver_frame(std::shared_ptr<const std::string> frame) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), frame = std::move(frame)] {
    if (self->state_ == state::ready) self->enqueue(frame);
    // Ephemeral, so bounded.
    else if (self->state_ == state::listing && self->held_frames_.size() < 256) self->held_frames_.push_back(frame);
  });
}

// The hub flushes presence on its own strand, after the change is in its state; a frame
// that runs here before on_ready therefore carries nothing ready's `online` (read in
// on_ready, on this strand) will not show.
template <class Stream>
void ws_session<Stream>::deliver_presence(std::shared_ptr<const std::string> frame) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), frame = std::move(frame)] {
    if (self->state_ == state::ready) self->enqueue(frame);
  });
}

template <class Stream>
void ws_session<Stream>::bad_frame(error const& e, std::optional<std::string> const& ref) {
  send_error(e, ref);
  if (++bad_in_row_ >= app_.cfg.limits.invalid_frames_in_row) close_with(1008, "too many invalid frames");
}

template <class Stream>
void ws_session<Stream>::send_error(error const& e, std::optional<std::string> const& ref) {
  ojson j{{"type", "error"}, {"code", to_string(e.code)}, {"message", e.message}};
  if (e.code == errc::rate_limited) j["retry_after_ms"] = e.retry_after_ms;
  if (ref) j["ref"] = *ref;
  enqueue(frame_of(j));
}

template <class Stream>
void ws_session<Stream>::enqueue(std::shared_ptr<const std::string> frame) {
  queue_frame(std::move(frame));
  flush();
}

template <class Stream>
void ws_session<Stream>::queue_frame(std::shared_ptr<const std::string> frame) {
  if (state_ == state::closing) return;
  if (!queue_.push(std::move(frame))) {
    app_.slow_consumer_closes.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("ws: closing a connection of user {} with 1008: its outgoing queue passed {} bytes (client too slow)",
                 raw(user()), app_.cfg.limits.queue_bytes);
    start_close(1008, "client too slow");
  }
}

template <class Stream>
void ws_session<Stream>::flush() {
  if (frames_in_write_ == 0 && !queue_.empty() && state_ != state::closing) do_write();
}

// Every frame pending (up to a bound) goes out in one gathered write, straight to the
// socket through frame_stream: one system call for a whole batch of deliveries.
template <class Stream>
void ws_session<Stream>::do_write() {
  // Every write has a deadline, whether or not more frames are queued behind it: a reader
  // that stops reading in a quiet group is found too.
  std::uint64_t generation = ++write_generation_;
  write_timer_.expires_after(app_.cfg.limits.write_stall);
  write_timer_.async_wait([self = shared_from_this(), generation](beast::error_code ec) {
    if (!ec) self->on_write_stalled(generation);
  });
  std::size_t n = std::min(queue_.size(), frames_per_write);
  headers_.resize(n);
  buffers_.clear();
  std::size_t bytes = 0;
  frames_in_write_ = 0;
  while (frames_in_write_ < n && bytes < bytes_per_write) {
    auto const& payload = *queue_.at(frames_in_write_);
    auto& header = headers_[frames_in_write_];
    buffers_.emplace_back(header.data(), text_frame_header(payload.size(), header));
    buffers_.emplace_back(payload.data(), payload.size());
    bytes += payload.size();
    ++frames_in_write_;
  }
  stream_.async_write_frames(std::span<const asio::const_buffer>(buffers_),
                             beast::bind_front_handler(&ws_session<Stream>::on_write, shared_from_this()));
}

template <class Stream>
void ws_session<Stream>::on_write_stalled(std::uint64_t generation) {
  // A cancel can lose the race with the expiry: only the write still in flight counts.
  if (generation != write_generation_ || frames_in_write_ == 0 || state_ == state::closing) return;
  app_.slow_consumer_closes.fetch_add(1, std::memory_order_relaxed);
  spdlog::info("ws: closing a connection of user {} with 1008: a write stalled for {} s (client too slow)", raw(user()),
               app_.cfg.limits.write_stall.count());
  start_close(1008, "client too slow");
}

template <class Stream>
void ws_session<Stream>::on_write(beast::error_code ec, std::size_t) {
  write_timer_.cancel();
  std::size_t written = std::exchange(frames_in_write_, 0);
  if (ec) return finish();
  queue_.pop(written);
  if (queue_.empty()) {  // an idle connection holds no write buffers
    headers_ = {};
    buffers_ = {};
  }
  if (state_ == state::closing) return send_close_once_written();
  flush();
  if (waiting_for_drain_ && queue_.bytes() <= app_.cfg.limits.queue_bytes / 4) {
    waiting_for_drain_ = false;
    pump_replay();
  }
}

template <class Stream>
void ws_session<Stream>::close_with(std::uint16_t code, std::string reason) {
  asio::post(stream_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    self->start_close(code, std::move(reason));
  });
}

template <class Stream>
void ws_session<Stream>::start_close(std::uint16_t code, std::string reason, bool keep_queued) {
  if (state_ == state::closing) return;
  state_ = state::closing;
  replays_.clear();
  replay_buffer_.clear();
  held_events_.clear();
  held_frames_.clear();
  reads_wanted_.clear();
  if (!keep_queued) queue_.drop_pending(frames_in_write_);  // frames being written keep their buffers
  pending_close_ = std::make_unique<std::pair<std::uint16_t, std::string>>(code, std::move(reason));
  send_close_once_written();
  // A peer that never reads would hold the close frame behind a stalled write forever, and
  // one that never answers it would hold the connection.
  timer_.expires_after(teardown_after);
  timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) {
      beast::error_code ignored;
      beast::get_lowest_layer(self->stream_).socket().close(ignored);
    }
  });
}

// While closing, on_write calls this after each write: the frames kept go out first, then
// the close frame.
template <class Stream>
void ws_session<Stream>::send_close_once_written() {
  if (!pending_close_ || frames_in_write_ > 0) return;
  if (!queue_.empty()) return do_write();
  auto [code, reason] = std::move(*pending_close_);
  pending_close_.reset();
  // The payload: the code, big-endian, then the reason; none at all for 1005 ("no code").
  std::string payload;
  if (code != 1005) {
    payload.push_back(static_cast<char>(code >> 8));
    payload.push_back(static_cast<char>(code & 0xff));
    payload.append(reason, 0, 123);
  }
  write_control(op_close, payload, [self = shared_from_this()] {
    self->close_sent_ = true;
    if (self->client_done_) self->tear_down();
    // Otherwise the read loop waits for the client's close frame (or the teardown deadline).
  });
}

template <class Stream>
void ws_session<Stream>::tear_down() {
  using websocket::async_teardown;
  async_teardown(beast::role_type::server, stream_.next_layer(),
                 [self = shared_from_this()](beast::error_code) { self->finish(); });
}

template <class Stream>
void ws_session<Stream>::finish() {
  if (finished_) return;
  finished_ = true;
  state_ = state::closing;
  timer_.cancel();
  write_timer_.cancel();
  // Ends whatever still waits on the socket (a read, when a write failed), so the session
  // goes now rather than when the peer next sends something.
  beast::error_code ignored;
  beast::get_lowest_layer(stream_).socket().close(ignored);
  app_.hub.remove(this);
  app_.focus.clear(this, user());
}

template class ws_session<beast::tcp_stream>;
template class ws_session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace peerchat::gateway
