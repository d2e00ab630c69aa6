#include "collector/webhook_client.h"

#include <algorithm>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "collector/clock.h"

namespace relance::collector {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

// Retry-After in its two forms (RFC 9110): seconds, or an HTTP date.
std::int64_t retryAfterSeconds(std::string_view value) {
  if (value.empty()) return -1;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return value.size() > 9 ? 999999999 : std::stoll(std::string(value));
  }
  std::tm tm{};
  std::string text(value);
  if (!strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return -1;
  std::int64_t at = timegm(&tm);
  std::int64_t now = wallClockMs() / 1000;
  return std::max<std::int64_t>(0, at - now);
}

std::string describe(const beast::error_code& error, const char* step) {
  if (error == beast::error::timeout || error == net::error::operation_aborted) return std::string(step) + ": timed out";
  return std::string(step) + ": " + error.message();
}

// The exchange over a connected-to-be stream: plain tcp_stream or TLS over it.
template <class Stream>
WebhookResult exchange(net::io_context& io, Stream& stream, bool tls, const WebhookUrl& url,
                       const http::request<http::string_body>& request, std::chrono::milliseconds connect_timeout,
                       std::chrono::steady_clock::time_point deadline) {
  WebhookResult result;
  auto& socket = beast::get_lowest_layer(stream);
  tcp::resolver resolver(io);
  // Name resolution has no timeout of its own: this timer bounds it.
  net::steady_timer resolve_timer(io);
  resolve_timer.expires_at(deadline);
  resolve_timer.async_wait([&](beast::error_code error) {
    if (!error) resolver.cancel();
  });
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1024 * 1024);
  auto fail = [&](const beast::error_code& error, const char* step) {
    result.error = describe(error, step);
    socket.close();
  };
  auto read = [&]() {
    socket.expires_at(deadline);
    http::async_read(stream, buffer, parser, [&](beast::error_code error, std::size_t) {
      // An answer larger than the limit still says what it is: its status counts.
      if (error && !(error == http::error::body_limit && parser.is_header_done())) {
        return fail(error, "reading the answer");
      }
      const auto& response = parser.get();
      result.status = response.result_int();
      if (auto it = response.find(http::field::retry_after); it != response.end()) {
        result.retry_after_seconds = retryAfterSeconds(it->value());
      }
      result.body_start = response.body().substr(0, kBodyStartBytes);
      socket.close();
    });
  };
  auto write = [&]() {
    socket.expires_at(deadline);
    http::async_write(stream, request, [&](beast::error_code error, std::size_t) {
      if (error) return fail(error, "sending");
      read();
    });
  };
  resolver.async_resolve(url.host, url.port, [&](beast::error_code error, tcp::resolver::results_type endpoints) {
    resolve_timer.cancel();
    if (error) return fail(error, "resolving the host");
    socket.expires_at(std::min(deadline, std::chrono::steady_clock::now() + connect_timeout));
    socket.async_connect(endpoints, [&](beast::error_code error, const tcp::endpoint&) {
      if (error) return fail(error, "connecting");
      if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
        (void)tls;
        socket.expires_at(deadline);
        stream.async_handshake(ssl::stream_base::client, [&](beast::error_code error) {
          if (error) return fail(error, "TLS handshake");
          write();
        });
      } else {
        write();
      }
    });
  });
  io.run();
  return result;
}

}  // namespace

struct WebhookClient::Tls {
  ssl::context context{ssl::context::tls_client};
};

WebhookClient::WebhookClient(const std::string& ca_file) : tls_(std::make_unique<Tls>()) {
  tls_->context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  tls_->context.set_verify_mode(ssl::verify_peer);
  boost::system::error_code ignored;
  if (ca_file.empty()) {
    tls_->context.set_default_verify_paths(ignored);
  } else {
    tls_->context.load_verify_file(ca_file, ignored);
  }
}

WebhookClient::~WebhookClient() = default;

void WebhookClient::cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  cancelled_ = true;
  if (running_) static_cast<net::io_context*>(running_)->stop();
}

WebhookResult WebhookClient::post(const WebhookUrl& url, const Headers& headers, const std::string& body,
                                  std::chrono::milliseconds connect_timeout, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  http::request<http::string_body> request{http::verb::post, url.target, 11};
  bool default_port = url.port == (url.https ? "443" : "80");
  bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  request.set(http::field::host, default_port ? host : host + ":" + url.port);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::connection, "close");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();

  net::io_context io;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (cancelled_) return WebhookResult{0, "cancelled", -1, ""};
    running_ = &io;
  }
  WebhookResult result;
  if (url.https) {
    beast::ssl_stream<beast::tcp_stream> stream(io, tls_->context);
    // SNI, and the certificate's name checked against the URL's host.
    SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
    stream.set_verify_callback(ssl::host_name_verification(url.host));
    result = exchange(io, stream, true, url, request, connect_timeout, deadline);
  } else {
    beast::tcp_stream stream(io);
    result = exchange(io, stream, false, url, request, connect_timeout, deadline);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = nullptr;
  if (cancelled_ && result.status == 0) result.error = "cancelled";
  return result;
}

}  // namespace relance::collector
