// relance-fixed-rate: POST /v1/events at a fixed rate, for the latency at
// half the peak in bench/collector.sh.
//
// Why not wrk: wrk is closed-loop (a connection sends its next request only
// after the answer), so a server stall also stops the clock of the requests
// that should have been sent meanwhile, and the p99 hides them (coordinated
// omission). wrk2 corrects that but is not in Debian. This client works as
// wrk2 does: request k is due at start + k / rate whatever happened before;
// it goes out on the first idle connection, and its latency is counted from
// the time it was due, so a stall shows in full in the percentiles.
//
// One thread, so that it takes little of the machine's CPU from the server
// it measures. Bodies are built like bench/collector/events.lua's: a
// page_view with a UUID version 7 id, a new visitor per request.
//
// Prints one line: RESULT {"requests":...,"rps":...,"p50_ms":...,"p99_ms":...}
// (the same keys as the wrk script).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <CLI/CLI.hpp>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  std::string port;
  double rate = 1000;  // requests per second
  int connections = 64;
  double seconds = 10;
  bool trace = false;  // --trace: the worst latency of each 100 ms of due times, on stderr
};

// A UUID version 7 string: 48 bits of Unix milliseconds, then random bits.
std::string uuid7(std::mt19937_64& random) {
  auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  std::uint64_t a = random(), b = random();
  char text[64];  // 36 characters for any time before the year 10889
  std::snprintf(text, sizeof text, "%08llx-%04llx-7%03llx-%04llx-%012llx",
                static_cast<unsigned long long>(ms >> 16), static_cast<unsigned long long>(ms & 0xffff),
                static_cast<unsigned long long>(a & 0xfff), static_cast<unsigned long long>(0x8000 | ((a >> 12) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return text;
}

std::string eventsBody(std::mt19937_64& random, const std::string& visitor) {
  return "{\"events\":[{\"id\":\"" + uuid7(random) +
         "\",\"type\":\"page_view\",\"ts\":1750000000000,\"anonymous_id\":\"" + visitor + "\",\"session_id\":\"" +
         visitor +
         "\",\"consent\":{\"analytics\":true,\"marketing\":false},"
         "\"context\":{\"page\":{\"url\":\"https://shop.example/c/shoes/trail-runner-42?color=blue\","
         "\"path\":\"/c/shoes/trail-runner-42\",\"title\":\"Trail Runner 42 - Demo shop\","
         "\"referrer\":\"https://www.google.com/\"},"
         "\"utm\":{\"source\":\"newsletter\",\"medium\":\"email\",\"campaign\":\"spring\"},"
         "\"locale\":\"fr-FR\"},\"properties\":{}}]}";
}

class Load {
 public:
  Load(asio::io_context& io, Options options) : io_(io), options_(std::move(options)), timer_(io) {}

  // Connects every connection, then sends request k when it is due.
  void start(const asio::ip::tcp::resolver::results_type& server) {
    for (int i = 0; i < options_.connections; ++i) {
      auto connection = std::make_shared<Connection>(io_);
      asio::connect(connection->socket, server);
      connection->socket.set_option(asio::ip::tcp::no_delay(true));
      idle_.push_back(connection);
      connections_.push_back(connection);
    }
    start_ = Clock::now();
    end_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.seconds));
    schedule();
  }

  void report() const {
    std::vector<double> sorted = latencies_ms_;
    std::sort(sorted.begin(), sorted.end());
    auto percentile = [&sorted](double p) {
      if (sorted.empty()) return 0.0;
      auto index = static_cast<std::size_t>(p / 100 * static_cast<double>(sorted.size() - 1) + 0.5);
      return sorted[std::min(index, sorted.size() - 1)];
    };
    double seconds = std::chrono::duration<double>(finished_ - start_).count();
    std::printf(
        "RESULT {\"requests\":%zu,\"seconds\":%.3f,\"rps\":%.1f,\"events_per_s\":%.1f,\"accepted\":%zu,\"ok\":%zu,"
        "\"non_200\":%zu,\"socket_errors\":%zu,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,"
        "\"offered_rps\":%.1f}\n",
        latencies_ms_.size(), seconds, static_cast<double>(latencies_ms_.size()) / seconds,
        static_cast<double>(accepted_) / seconds, accepted_, ok_, non_200_, errors_, percentile(50), percentile(99),
        percentile(99.9), sorted.empty() ? 0.0 : sorted.back(), options_.rate);
    for (std::size_t i = 0; i < window_max_ms_.size(); ++i) {
      if (window_max_ms_[i] >= 10) std::fprintf(stderr, "at %.1f s: worst latency %.1f ms\n", i / 10.0, window_max_ms_[i]);
    }
  }

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io) {}
    asio::ip::tcp::socket socket;
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    Clock::time_point due;
  };

  Clock::time_point dueTime(std::uint64_t k) const {
    return start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(k / options_.rate));
  }

  // Moves every request due by now to the queue, sends what idle connections
  // can take, and sleeps until the next one is due.
  void schedule() {
    auto now = Clock::now();
    while (dueTime(next_) <= now && dueTime(next_) < end_) due_.push_back(dueTime(next_++));
    dispatch();
    if (dueTime(next_) < end_) {
      timer_.expires_at(dueTime(next_));
      timer_.async_wait([this](boost::system::error_code) { schedule(); });
    } else {
      stopping_ = true;
      finishIfDone();
    }
  }

  void dispatch() {
    while (!due_.empty() && !idle_.empty()) {
      auto connection = idle_.back();
      idle_.pop_back();
      send(connection, due_.front());
      due_.pop_front();
    }
  }

  void send(const std::shared_ptr<Connection>& connection, Clock::time_point due) {
    connection->due = due;
    connection->request = {http::verb::post, "/v1/events", 11};
    connection->request.set(http::field::host, options_.host);
    connection->request.set(http::field::content_type, "application/json");
    connection->request.set(http::field::user_agent,
                            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36");
    // A new visitor per request, whose browser presents an rl_id of its own
    // (its anonymous_id's hex digits): the store links each pair, one new
    // identities row per request, the work every request without a cookie
    // cost until session 9 (the collector now links only a presented rl_id).
    std::string visitor = uuid7(random_);
    std::string rl_id = visitor;
    rl_id.erase(std::remove(rl_id.begin(), rl_id.end(), '-'), rl_id.end());
    connection->request.set(http::field::cookie, "rl_id=" + rl_id);
    connection->request.body() = eventsBody(random_, visitor);
    connection->request.prepare_payload();
    http::async_write(connection->socket, connection->request,
                      [this, connection](boost::system::error_code error, std::size_t) {
                        if (error) return fail(connection);
                        connection->response = {};
                        http::async_read(connection->socket, connection->buffer, connection->response,
                                         [this, connection](boost::system::error_code error, std::size_t) {
                                           if (error) return fail(connection);
                                           answered(connection);
                                         });
                      });
  }

  void answered(const std::shared_ptr<Connection>& connection) {
    latencies_ms_.push_back(std::chrono::duration<double, std::milli>(Clock::now() - connection->due).count());
    if (options_.trace) {
      auto window = static_cast<std::size_t>(std::chrono::duration<double>(connection->due - start_).count() * 10);
      if (window_max_ms_.size() <= window) window_max_ms_.resize(window + 1, 0);
      window_max_ms_[window] = std::max(window_max_ms_[window], latencies_ms_.back());
    }
    if (connection->response.result_int() == 200) {
      ++ok_;
      const std::string& body = connection->response.body();
      auto at = body.find("\"accepted\":");
      if (at != std::string::npos) accepted_ += std::strtoull(body.c_str() + at + 11, nullptr, 10);
    } else {
      ++non_200_;
    }
    idle_.push_back(connection);
    dispatch();
    finishIfDone();
  }

  void fail(const std::shared_ptr<Connection>& connection) {
    ++errors_;
    boost::system::error_code ignored;
    connection->socket.close(ignored);  // not reused: the run goes on with the others
    finishIfDone();
  }

  // Once every due request is answered (or failed) after the end, stops.
  void finishIfDone() {
    if (!stopping_ || !due_.empty()) return;
    std::size_t open = 0;
    for (const auto& c : connections_) open += c->socket.is_open() ? 1 : 0;
    if (idle_.size() < open) return;
    finished_ = Clock::now();
    for (const auto& c : connections_) {
      boost::system::error_code ignored;
      c->socket.close(ignored);
    }
    timer_.cancel();
  }

  asio::io_context& io_;
  Options options_;
  asio::steady_timer timer_;
  std::vector<std::shared_ptr<Connection>> connections_;
  std::vector<std::shared_ptr<Connection>> idle_;
  std::deque<Clock::time_point> due_;  // requests due but not sent: no idle connection yet
  std::uint64_t next_ = 0;             // the next request to become due
  Clock::time_point start_, end_, finished_;
  bool stopping_ = false;
  std::mt19937_64 random_{std::random_device{}()};
  std::vector<double> latencies_ms_;
  std::vector<double> window_max_ms_;  // with --trace
  std::size_t accepted_ = 0, ok_ = 0, non_200_ = 0, errors_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"POST /v1/events at a fixed rate; prints RESULT {...} (see bench/collector.sh)", "relance-fixed-rate"};
  app.add_option("--host", options.host, "collector address")->capture_default_str();
  app.add_option("--port", options.port, "collector port")->required();
  app.add_option("--rate", options.rate, "requests per second")->required()->check(CLI::PositiveNumber);
  app.add_option("--connections", options.connections, "connections")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--seconds", options.seconds, "how long requests are sent")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_flag("--trace", options.trace, "print the worst latency of each 100 ms on stderr");
  CLI11_PARSE(app, argc, argv);
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    Load load(io, options);
    load.start(resolver.resolve(options.host, options.port));
    io.run();
    load.report();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "relance-fixed-rate: %s\n", e.what());
    return 1;
  }
  return 0;
}
