// HTTP/1.1 transport on Boost.Beast: accepts connections, reads requests with
// timeouts and a body limit, hands them to the Service, writes the answers,
// keeps connections alive. Each of the N serving threads runs an io_context
// of its own (a "loop"), and each connection lives on one loop.
#ifndef RELANCE_COLLECTOR_HTTP_SERVER_H_
#define RELANCE_COLLECTOR_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collector/service.h"

namespace relance::collector {

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;  // 0: any free port (see port())
  int threads = 2;
  std::chrono::seconds read_timeout{15};   // a whole request, headers and body
  std::chrono::seconds idle_timeout{60};   // between requests on a kept-alive connection
  std::chrono::seconds write_timeout{15};
  // Connections open at once, at most (each holds about 14 KB): at the cap,
  // kept-alive connections waiting for their next request are closed, and
  // when there is none, new ones wait in the listen backlog until there is
  // room. listen() lowers it below the process's limit on open files.
  std::size_t max_connections = 4096;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, Service& service);
  ~HttpServer();

  // Binds and listens. Returns "" or why it could not.
  std::string listen();
  unsigned short port() const { return port_; }
  // The cap on open connections in force (see ServerOptions), after listen().
  std::size_t maxConnections() const { return options_.max_connections; }

  // Serves on options.threads threads (the caller's included) until shutdown()
  // has finished every request in flight.
  void run();

  // Stops accepting, closes idle connections, lets requests in flight finish
  // (their answers say Connection: close). Thread-safe; returns at once.
  void shutdown();

  // Called when SIGINT or SIGTERM arrives (installs the handler on the loop).
  void stopOnSignals();

  // Runs `task` on one of the serving threads, soon (never inline). Tasks
  // posted while a request is in flight run before run() returns.
  void post(std::function<void()> task);

  class Session;

 private:
  friend class Session;
  void accept();
  // accept() once below max_connections; at the cap, closes idle connections
  // and checks again after kAcceptPause.
  void acceptWhenRoom();
  void track(const std::shared_ptr<Session>& session);
  void untrack(Session* session);

  using Loop = boost::asio::io_context;
  using Hold = boost::asio::executor_work_guard<Loop::executor_type>;

  ServerOptions options_;
  Service& service_;
  // One per serving thread. With one io_context run by every thread, each
  // handler posted could wake another thread, and the threads contended for
  // the queue and the connections' strands: about a fifth of the CPU of a
  // single-event request went to futex waits, wake-ups and context switches
  // (perf). loops_[0] also runs the acceptor, the signals and post()'s tasks.
  std::vector<std::unique_ptr<Loop>> loops_;
  std::vector<Hold> holds_;  // keep every loop running until shutdown()
  std::size_t next_loop_ = 0;  // the loop of the next connection (used on loops_[0] only)
  boost::asio::ip::tcp::acceptor acceptor_;
  // After a failed accept (no descriptor left), or at the connection cap with
  // no idle connection to close, the next accept waits this long.
  static constexpr std::chrono::milliseconds kAcceptPause{100};
  // Descriptors kept for other files (the database, its log and shared
  // memory, static files being read) below the limit on open files.
  static constexpr std::size_t kReservedDescriptors = 32;
  boost::asio::steady_timer accept_pause_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex sessions_mutex_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
};

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_HTTP_SERVER_H_
