// One HTTP(S) POST to a destination, with a connect and a total timeout, that
// another thread can cancel (shutdown must not wait out a slow receiver).
// HTTPS verifies the peer's certificate chain against the system's store
// (/etc/ssl/certs) and its name against the URL's host.
#ifndef RELANCE_COLLECTOR_WEBHOOK_CLIENT_H_
#define RELANCE_COLLECTOR_WEBHOOK_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "collector/destinations.h"

namespace relance::collector {

struct WebhookResult {
  int status = 0;                         // the HTTP status; 0 when no answer came
  std::string error;                      // why no answer came (connect refused, timeout, certificate...)
  std::int64_t retry_after_seconds = -1;  // Retry-After (seconds, or an HTTP date turned into seconds); -1: none
  std::string body_start;                 // the answer's first kBodyStartBytes bytes
};

constexpr std::size_t kBodyStartBytes = 256;

using Headers = std::vector<std::pair<std::string, std::string>>;

class WebhookClient {
 public:
  // `ca_file`: a PEM bundle to trust instead of the system's store (tests).
  explicit WebhookClient(const std::string& ca_file = "");
  ~WebhookClient();
  WebhookClient(const WebhookClient&) = delete;
  WebhookClient& operator=(const WebhookClient&) = delete;

  // Posts `body` (application/json) with `headers`; blocks until the answer,
  // a failure, `timeout` (the whole exchange) or cancel(). A connection is
  // made for each post: deliveries are batched, so they are few.
  WebhookResult post(const WebhookUrl& url, const Headers& headers, const std::string& body,
                     std::chrono::milliseconds connect_timeout, std::chrono::milliseconds timeout);

  // Ends the post in progress at once and makes later ones fail at once.
  // Thread-safe.
  void cancel();

 private:
  struct Tls;
  std::unique_ptr<Tls> tls_;
  std::mutex mutex_;
  void* running_ = nullptr;  // the io_context of the post in progress
  bool cancelled_ = false;
};

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_WEBHOOK_CLIENT_H_
