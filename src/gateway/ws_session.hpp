// SPDX-License-Identifier: MIT
// One WebSocket connection: hello, client frames, and the ordered stream of events.
#pragma once
#include "app.hpp"
#include "connection.hpp"
#include "frame_budget.hpp"
#include "frame_stream.hpp"
#include "outgoing_queue.hpp"
#include "worker_pool.hpp"
#include "ws_frame_reader.hpp"
#include "peerchat/protocol/client_frame.hpp"
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <span>
#include <utility>

namespace peerchat::gateway {

// Thread safety: all state is touched only on the connection's strand (the executor of its
// stream); the `connection` methods post to it.
//
// No event is lost at hello: the connection subscribes to the hub first and holds every
// live event, then reads the group list (each group's last_seq) for `ready`, then releases
// the held events above each group's last_seq.
//
// Resume without gaps or duplicates: each resumed group is replayed from the store in
// pages; live events of a group under replay are held, and released after the replay,
// skipping every seq already sent.
//
// Beast does the opening handshake and nothing more: once it answered 101, the session reads
// client frames with its own ws_frame_reader and writes every frame itself through
// frame_stream, so an idle connection holds neither Beast's stream state nor a read buffer;
// on plain TCP it waits for the socket to become readable before it takes a buffer at all
// (issue 15, S3).
//
// Closing (RFC 6455 section 7): the side that closes first sends a close frame after the
// frames it keeps; the other answers with one. Once the session has sent its close frame and
// the client has sent one too (or broke the protocol, or never answers within 5 s), the TCP
// connection is torn down as Beast did it (shut down, read to the end, close).
//
// Stream is boost::beast::tcp_stream or boost::beast::ssl_stream<tcp_stream> (the two
// instantiations live in ws_session.cpp).
template <class Stream>
class ws_session final : public connection, public std::enable_shared_from_this<ws_session<Stream>> {
 public:
  using request = boost::beast::http::request<boost::beast::http::string_body>;

  ws_session(app& a, worker_pool& workers, Stream&& stream, std::string cookie_token);
  ~ws_session() override;

  void run(request req);

  user_id user() const noexcept override { return principal_.user.id; }
  session_id session() const noexcept override { return principal_.session; }
  void deliver_events(std::vector<event> events) override;
  void deliver_frame(std::shared_ptr<const std::string> frame) override;
  void deliver_presence(std::shared_ptr<const std::string> frame) override;
  void close_with(std::uint16_t code, std::string reason) override;

 private:
  // listing: subscribed, waiting for the group list; live events are held meanwhile.
  enum class state { awaiting_hello, authenticating, listing, ready, closing };
  struct replay {
    group_id group{};
    std::vector<event> held;  // live events that arrived during the replay
  };

  void on_accept(boost::beast::error_code ec);
  void do_read();
  // Plain TCP: the socket has bytes (or an end); they are read without blocking.
  void on_readable(boost::beast::error_code ec);
  void on_read(boost::beast::error_code ec, std::size_t n);
  // Whatever arrived, through the frame reader; reads on unless the client is done.
  void take_bytes(std::span<const std::uint8_t> bytes);
  void on_client_close(std::uint16_t code);
  // Keep-alive: a ping after keep_alive of silence, the connection dropped after two.
  void start_keep_alive();
  void on_keep_alive(boost::beast::error_code ec);
  // Writes one control frame (ping, pong, close) in turn with the data frames.
  template <class Then>
  void write_control(std::uint8_t opcode, std::string_view payload, Then then);
  void handle_frame(std::string_view text);
  void on_hello(protocol::hello_frame hello);
  void on_authenticated(result<principal> who, std::map<group_id, seq_t> resume);
  void on_ready(std::vector<group_summary> groups, std::map<group_id, seq_t> resume);
  // Spends one frame of the connection's and the user's budgets; the error when over.
  std::optional<error> spend_frame_budget();
  void on_typing(protocol::typing_frame f, std::optional<std::string> const& ref);
  void on_read_marker(protocol::read_frame f, std::optional<std::string> ref);
  void on_focus(protocol::focus_frame f, std::optional<std::string> const& ref);
  void on_quiz_answer(protocol::quiz_answer_frame f, std::optional<std::string> ref);
  void start_mark_read();  // the next pending read marker, if none is in flight
  void on_write_stalled(std::uint64_t generation);
  void on_send(protocol::send_frame f);
  void on_event(event const& e);  // queues; the caller flushes
  void fetch_replay_page();
  void on_replay_page(group_id g, result<service::events_page> page);
  void pump_replay();
  void finish_replay();
  // Runs work() on a worker. When the pool refuses it (full) or it throws, failed(error)
  // runs on this strand instead: every store call of the session goes through here.
  template <class Work, class Failed>
  void run_on_worker(char const* what, Work work, Failed failed);
  // The connection cannot go on (its hello or replay failed): an error frame, then a close.
  void fail_connection(error const& e);
  void bad_frame(error const& e, std::optional<std::string> const& ref);
  void send_error(error const& e, std::optional<std::string> const& ref);
  // Queues a frame and starts writing. Handlers that queue several call queue_frame for
  // each and flush() once, so the frames leave in one write.
  void enqueue(std::shared_ptr<const std::string> frame);
  void queue_frame(std::shared_ptr<const std::string> frame);
  void flush();
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t n);
  // Closes: frames queued and not yet being written are dropped, unless keep_queued (the
  // error frame that says why must reach the client); the close frame follows the last
  // frame written.
  void start_close(std::uint16_t code, std::string reason, bool keep_queued = false);
  void send_close_once_written();
  // Both close frames are out (or the client broke the protocol): shut the TCP connection.
  void tear_down();
  void finish();

  app& app_;
  worker_pool& workers_;
  using std::enable_shared_from_this<ws_session<Stream>>::shared_from_this;
  frame_stream<Stream> stream_;
  // Only until the opening handshake is done.
  std::unique_ptr<boost::beast::websocket::stream<Stream&>> handshake_;
  ws_frame_reader reader_;
  // TLS only: decrypted bytes need a buffer to land in (plain TCP reads into the stack).
  std::unique_ptr<std::array<std::uint8_t, 4096>> tls_buffer_;
  // Hello deadline, then keep-alive ticks, then the teardown deadline of a close.
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer write_timer_;  // the write in flight must end within write_stall
  std::string cookie_token_;
  state state_ = state::awaiting_hello;
  principal principal_;
  outgoing_queue queue_;
  std::size_t frames_in_write_ = 0;  // the queue's first frames, being written (0: no write)
  std::vector<std::array<std::uint8_t, 10>> headers_;  // their frame headers
  std::vector<boost::asio::const_buffer> buffers_;     // header, payload, header, payload...
  std::uint64_t write_generation_ = 0;  // which write write_timer_ watches
  int bad_in_row_ = 0;
  std::map<group_id, seq_t> delivered_;    // newest seq sent (or in ready), per group
  // Vectors, not deques: a std::deque allocates a 512-byte block as soon as it exists, and
  // most connections never replay anything.
  std::vector<replay> replays_;             // front is replaying now
  std::vector<service::page_event> replay_buffer_;  // the current page's events not yet queued, last first
  bool replay_page_full_ = false;          // so another page may follow
  bool waiting_for_drain_ = false;         // the replay waits for the queue to drain
  bool finished_ = false;
  bool heard_since_tick_ = false;  // bytes arrived since the last keep-alive tick
  bool ping_unanswered_ = false;   // a keep-alive ping went out and nothing came by the next tick
  bool close_sent_ = false;        // our close frame is written
  bool client_done_ = false;       // the client sent its close frame or broke the protocol
  // Set by start_close until the close frame is handed to frame_stream: its code and
  // reason (a pointer: idle connections pay 8 bytes for it).
  std::unique_ptr<std::pair<std::uint16_t, std::string>> pending_close_;
  std::vector<event> held_events_;  // while listing
  std::vector<std::shared_ptr<const std::string>> held_frames_;  // ephemeral frames while listing
  frame_budget budget_;
  std::string user_key_;  // the user's key in the app's per-user frame limiter
  // Typing: when each group last had a notice (at most one a second per group). Bounded by
  // the user's groups: a typing frame for another group is refused first.
  std::map<group_id, std::chrono::steady_clock::time_point> last_typing_;
  // Read markers: the latest wanted per group, waiting; at most one mark_read in flight.
  struct wanted_read {
    seq_t seq = 0;
    std::optional<std::string> ref;
  };
  std::map<group_id, wanted_read> reads_wanted_;
  bool read_in_flight_ = false;
};

}  // namespace peerchat::gateway
