#include "collector/http_server.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <optional>
#include <thread>
#include <sys/resource.h>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "collector/log.h"
#include "collector/privacy.h"

namespace relance::collector {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// A connection's socket, bound to its loop's executor type rather than to
// asio's type-erased any_io_executor: every asynchronous operation copies and
// queries the executor, and the type-erased one cost about 2,000 instructions
// per request (callgrind).
using Socket = tcp::socket::rebind_executor<net::io_context::executor_type>::other;
using Stream = beast::basic_stream<tcp, net::io_context::executor_type, beast::unlimited_rate_policy>;

// One connection: read a request, answer it, repeat while kept alive.
class HttpServer::Session : public std::enable_shared_from_this<HttpServer::Session> {
 public:
  Session(HttpServer& server, Loop& loop, Socket socket) : server_(server), loop_(loop), stream_(std::move(socket)) {
    // Beast reads at most the buffer's free capacity (512 bytes at least) at a
    // time, and the parser empties the buffer as it goes, so an unreserved
    // buffer never grows: a 28 KB batch took 55 recv calls. Reserved, one or two.
    buffer_.reserve(kReadBufferBytes);
    beast::error_code ec;
    auto endpoint = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      auto address = endpoint.address();
      if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
      peer_.address = address.to_string();
      peer_.truncated = truncateIp(peer_.address);  // once per connection, not per request
    }
  }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->readHeader(true); });
  }

  // Closes the connection if it is waiting for a request (called at shutdown).
  void closeIfIdle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->waiting_) self->hangUp();
    });
  }

  // True while, kept alive after an answer, it waits for its next request
  // (read by the acceptor's thread at the connection cap).
  bool betweenRequests() const { return between_requests_.load(std::memory_order_relaxed); }

  // Closes the connection if it is still waiting for its next request (at
  // the connection cap). A connection waiting for its first request is left
  // alone: closing it could turn a new visitor away.
  void closeIfBetweenRequests() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->between_requests_) self->hangUp();
    });
  }

 private:
  void readHeader(bool first) {
    if (server_.stopping_) return close();
    waiting_ = true;
    between_requests_ = !first;
    parser_.emplace();
    parser_->body_limit(kMaxBodyBytes);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(first ? server_.options_.read_timeout : server_.options_.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
  }

  // Answers a request over one of the parser's limits with its status (413,
  // or RFC 6585's 431 for the header: Beast's own error would answer 400).
  // False for any other outcome.
  bool refuseOverLimit(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      // The header was read: the service answers with its route's CORS headers.
      Request header = parser_->release();
      header.body().clear();
      server_.service_.refuseUnread(std::move(header), peer_, 413, "body larger than 1 MiB", answerer());
      return true;
    }
    if (ec == http::error::header_limit) {
      send(Service::transportError(431, "request header larger than 16 KiB", 11));
      return true;
    }
    return false;
  }

  void onHeader(beast::error_code ec) {
    waiting_ = false;
    between_requests_ = false;
    // A Content-Length over the limit fails here, with the header, not when
    // the body is read: the usual case (fetch and sendBeacon send the length).
    if (refuseOverLimit(ec)) return;
    if (ec) return fail(ec);
    stream_.expires_after(server_.options_.read_timeout);
    auto& request = parser_->get();
    auto expect = request.find(http::field::expect);
    // (A Content-Length over the limit was refused above, without a 100.)
    if (expect != request.end() && beast::iequals(expect->value(), "100-continue")) {
      // A request refused anyway (origin, rate, media type) is answered now:
      // the client would otherwise send the body for nothing.
      if (server_.service_.refuseOnHeader(request, peer_, answerer())) return;
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue), [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->fail(ec);
        self->readBody();
      });
      return;
    }
    readBody();
  }

  // The body usually arrives with the header, in the same read: it is then
  // parsed from the buffer at once, without another asynchronous read (a
  // handler, a timer and a trip through the loop per request).
  void readBody() {
    beast::error_code ec;
    while (!parser_->is_done() && buffer_.size() > 0) {
      std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec || used == 0) break;
    }
    if (ec || parser_->is_done()) return onRequest(ec);
    readRestOfBody();
  }

  void readRestOfBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRequest(ec); });
  }

  void onRequest(beast::error_code ec) {
    if (refuseOverLimit(ec)) return;  // a chunked body past the limit
    if (ec) return fail(ec);
    stream_.expires_never();  // the store may take its time; it answers 503 rather than hang
    // Keeps this connection's loop, and the first loop (where the store's
    // answers are dispatched: see post()), alive while the store works on
    // this request.
    auto work = std::make_shared<std::pair<Hold, Hold>>(loop_.get_executor(), server_.loops_[0]->get_executor());
    server_.service_.handle(parser_->release(), peer_, [self = shared_from_this(), work](Response&& response) {
      auto shared = std::make_shared<Response>(std::move(response));
      net::post(self->stream_.get_executor(), [self, shared, work] { self->send(std::move(*shared)); });
    });
  }

  // The callback for an answer the service gives at once, on this
  // connection's thread, to a request whose body was not read.
  Respond answerer() {
    return [self = shared_from_this()](Response&& response) { self->send(std::move(response)); };
  }

  void send(Response&& response) {
    if (server_.stopping_) response.keep_alive(false);
    keep_alive_ = response.keep_alive();
    serialize(response, out_);
    stream_.expires_after(server_.options_.write_timeout);
    net::async_write(stream_, net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail(ec);
      bool keep = self->keep_alive_;
      if (!keep) {
        bool body_unread = self->parser_ && !self->parser_->is_done();
        return body_unread ? self->lingerThenClose() : self->close();
      }
      self->readHeader(false);
    });
  }

  // The answer as bytes: status line, the fields Beast holds, the body.
  // Beast's serializer walks a chain of buffer views per field and cost a
  // sixth of the collector's instructions for a single-event request
  // (callgrind); the answers never use chunked encoding (string bodies with
  // a Content-Length set by the service), so one string and one write do.
  static void serialize(const Response& response, std::string& out) {
    out.clear();
    out += response.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out += std::to_string(response.result_int());
    out += ' ';
    out += response.reason();
    out += "\r\n";
    for (const auto& field : response) {
      out += field.name_string();
      out += ": ";
      out += field.value();
      out += "\r\n";
    }
    out += "\r\n";
    out += response.body();
  }

  void fail(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted || ec == beast::error::timeout ||
        ec == net::error::connection_reset || ec == net::error::eof || ec == net::error::bad_descriptor) {
      return close();
    }
    if (ec.category() == beast::error_code(http::error::bad_target).category() && parser_) {
      // A request Beast could not parse: say so, then hang up.
      return send(Service::transportError(400, "bad request: " + ec.message(), 11));
    }
    close();
  }

  // The client may still be sending a body we refused (413, a bad request):
  // closing now would reset the connection, and the client would lose our
  // answer. So stop writing, read and discard what still comes for a moment
  // (bounded in time and bytes, as nginx's lingering close does), then close.
  void lingerThenClose() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::chrono::seconds(2));
    drain();
  }

  void drain() {
    stream_.async_read_some(net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kMaxLingerBytes) return self->close();
      self->drain();
    });
  }

  void hangUp() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
    server_.untrack(this);
  }

  using Loop = HttpServer::Loop;
  using Hold = HttpServer::Hold;

  HttpServer& server_;
  Loop& loop_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;          // the answer being written (capacity kept between requests)
  bool keep_alive_ = false;  // of the answer being written
  Peer peer_;
  bool waiting_ = false;
  std::atomic<bool> between_requests_{false};  // see betweenRequests()
  static constexpr std::size_t kMaxLingerBytes = 8 * 1024 * 1024;
  static constexpr std::size_t kReadBufferBytes = 16 * 1024;
  std::array<char, 16 * 1024> scratch_;
  std::size_t drained_ = 0;
};

namespace {
std::vector<std::unique_ptr<boost::asio::io_context>> makeLoops(int threads) {
  std::vector<std::unique_ptr<boost::asio::io_context>> loops;
  // Concurrency hint 1: one thread runs each loop, so asio never wakes another
  // to run its handlers. Other threads still post to it (the store's writer,
  // answers for its connections), which stays safe: the hint keeps locking.
  for (int i = 0; i < std::max(1, threads); ++i) loops.push_back(std::make_unique<boost::asio::io_context>(1));
  return loops;
}
}  // namespace

HttpServer::HttpServer(ServerOptions options, Service& service)
    : options_(std::move(options)),
      service_(service),
      loops_(makeLoops(options_.threads)),
      acceptor_(*loops_[0]),
      accept_pause_(*loops_[0]) {
  for (auto& loop : loops_) holds_.emplace_back(loop->get_executor());
}

HttpServer::~HttpServer() = default;

std::string HttpServer::listen() {
  beast::error_code ec;
  auto address = net::ip::make_address(options_.host, ec);
  if (ec) return "bad listen address " + options_.host + ": " + ec.message();
  tcp::endpoint endpoint(address, options_.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return "cannot listen on " + options_.host + ":" + std::to_string(options_.port) + ": " + ec.message();
  port_ = acceptor_.local_endpoint().port();
  // Past the descriptor limit accept() fails (and pauses): the cap stays
  // below it, with room for the database's files and the log.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY &&
      files.rlim_cur > kReservedDescriptors) {
    options_.max_connections = std::min<std::size_t>(options_.max_connections, files.rlim_cur - kReservedDescriptors);
  }
  accept();
  return "";
}

void HttpServer::accept() {
  // Connections go to the loops in turn.
  Loop& loop = *loops_[next_loop_++ % loops_.size()];
  acceptor_.async_accept(loop.get_executor(), [this, &loop](beast::error_code ec, Socket socket) {
    if (ec) {
      if (stopping_ || ec == net::error::operation_aborted) return;
      logLine("warn", "accept failed", Json{{"error", ec.message()}});
      // Out of descriptors or memory: keep accepting after a breath. The
      // connection that failed stays in the backlog, so accepting again at
      // once fails again at once: without the pause the loop spun, and
      // logged about 140,000 lines a second until a descriptor came free.
      // Other failures (a client that gave up while in the backlog) concern
      // one connection: the next is accepted at once.
      int code = ec.value();
      if (ec.category() == boost::system::system_category() &&
          (code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM)) {
        accept_pause_.expires_after(kAcceptPause);
        accept_pause_.async_wait([this](beast::error_code ec) {
          if (!ec && !stopping_) accept();
        });
        return;
      }
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      auto session = std::make_shared<Session>(*this, loop, std::move(socket));
      track(session);
      session->start();
    }
    if (!stopping_) acceptWhenRoom();
  });
}

void HttpServer::acceptWhenRoom() {
  bool full = false;
  std::vector<std::shared_ptr<Session>> idle;
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    full = sessions_.size() >= options_.max_connections;
    // Closing a kept-alive connection waiting for a request costs its
    // browser one reconnection; a new visitor left in the backlog may give
    // up. A few at once, so that the cap is not met at every accept.
    std::size_t wanted = 1 + options_.max_connections / 64;
    for (auto it = sessions_.begin(); full && it != sessions_.end() && idle.size() < wanted; ++it) {
      if (!it->first->betweenRequests()) continue;
      if (auto session = it->second.lock()) idle.push_back(std::move(session));
    }
  }
  for (auto& session : idle) session->closeIfBetweenRequests();
  // Above the cap by the connections just told to close, for a moment.
  if (!full || !idle.empty()) return accept();
  // None idle (each connection is in a request or before its first): wait
  // for room.
  accept_pause_.expires_after(kAcceptPause);
  accept_pause_.async_wait([this](beast::error_code ec) {
    if (!ec && !stopping_) acceptWhenRoom();
  });
}

void HttpServer::track(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  sessions_[session.get()] = session;
}

void HttpServer::untrack(Session* session) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  sessions_.erase(session);
}

void HttpServer::run() {
  std::vector<std::thread> pool;
  for (std::size_t i = 1; i < loops_.size(); ++i) pool.emplace_back([this, i] { loops_[i]->run(); });
  loops_[0]->run();
  for (auto& thread : pool) thread.join();
}

void HttpServer::shutdown() {
  if (stopping_.exchange(true)) return;
  net::post(*loops_[0], [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    accept_pause_.cancel();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard<std::mutex> lock(sessions_mutex_);
      for (auto& [raw, weak] : sessions_) {
        if (auto session = weak.lock()) live.push_back(session);
      }
    }
    for (auto& session : live) session->closeIfIdle();
    // From now on each loop runs while it has connections or requests in
    // flight, then returns.
    for (auto& hold : holds_) hold.reset();
  });
}

void HttpServer::post(std::function<void()> task) { net::post(*loops_[0], std::move(task)); }

void HttpServer::stopOnSignals() {
  auto signals = std::make_shared<net::signal_set>(*loops_[0], SIGINT, SIGTERM);
  signals->async_wait([this, signals](beast::error_code ec, int number) {
    if (ec) return;
    logLine("info", "shutting down", Json{{"signal", number}});
    shutdown();
    // A second signal is not needed to stop; the set goes away with the loop.
    signals->cancel();
  });
}

}  // namespace relance::collector
