// The collector's HTTP API, independent of sockets: one request in, one
// response out (through a callback, because event requests are answered only
// after the store has committed them). Routes:
//   POST /v1/events   validate, refuse or keep each event, answer after commit
//   POST /v1/optin    an opt-in (contact + consent proof), kept once per id
//   POST /v1/forget   consent withdrawn: clears the rl_id cookie, stores nothing
//   GET  /v1/config   the compiled site configuration for browsers (ETag, 304)
//   GET  /healthz, /readyz, /metrics
//   GET  anything else: static files from --static
// docs/collector.md lists every answer.
#ifndef RELANCE_COLLECTOR_SERVICE_H_
#define RELANCE_COLLECTOR_SERVICE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http.hpp>

#include "collector/cors.h"
#include "collector/event_store.h"
#include "collector/metrics.h"
#include "collector/rate_limiter.h"
#include "collector/site.h"
#include "collector/static_files.h"
#include "core/json.h"

namespace relance::collector {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Respond = std::function<void(Response&&)>;

constexpr std::size_t kMaxBodyBytes = 1024 * 1024;
constexpr std::size_t kMaxEventsPerRequest = 500;

struct ServiceOptions {
  std::vector<std::string> allowed_origins;  // added to the configuration's
  bool secure_cookie = false;                // always mark rl_id Secure
  bool trust_proxy = false;                  // believe X-Forwarded-For / X-Forwarded-Proto
};

// Who sent a request, as the socket sees it.
struct Peer {
  std::string address;    // "127.0.0.1"
  // truncateIp(address), when the caller computed it once for a connection
  // (it cost 2.5 k instructions per request); "" to have it computed.
  std::string truncated;
};

class Service {
 public:
  // The references must outlive the service. `now_ms` is the wall clock
  // (injected so tests control it).
  Service(ServiceOptions options, LoadedSite site, EventStore& store, RateLimiter& limiter, Metrics& metrics,
          const StaticFiles& files, std::function<std::int64_t()> now_ms);

  // Answers `request`. `respond` is called exactly once, either before handle
  // returns or later, after the store's commit (on the store's writer thread,
  // or where the store's dispatcher runs its tasks: an HTTP thread).
  void handle(Request&& request, const Peer& peer, Respond respond);

  // Answers a request the transport refuses before reading its body (413: a
  // Content-Length over the limit), from its header, with the headers the
  // service's own answers carry for that route and origin (CORS, Vary):
  // without them a browser reports a CORS failure instead of the 413.
  // `respond` is called before this returns.
  void refuseUnread(Request&& header, const Peer& peer, int status, const std::string& message, Respond respond);

  // For a request whose client waits for "100 Continue" before it sends the
  // body: when the header alone already earns a refusal (405, 403, 429, 415),
  // answers it (before this returns) and returns true, so no 100 is sent and
  // no body awaited. Returns false, answering nothing, when the body is
  // worth reading (handle() then checks everything again, and counts the
  // request against the rate limit).
  bool refuseOnHeader(const Request& header, const Peer& peer, Respond respond);

  // A response for a request whose header could not be read (431 for a header
  // over the limit, 400 for a bad request line): its route and origin are
  // unknown, so it carries only Vary: Origin of the API's CORS headers.
  static Response transportError(int status, const std::string& message, unsigned version);

 private:
  struct Context;
  using ContextPtr = std::shared_ptr<Context>;
  void events(const ContextPtr& context, Respond respond);
  void optin(const ContextPtr& context, Respond respond);
  void forget(const ContextPtr& context, Respond respond);
  void config(const ContextPtr& context, Respond respond);
  void readyz(const ContextPtr& context, Respond respond);
  void staticFile(const ContextPtr& context, Respond respond);
  // The request's context: its route, client (proxy-aware) and origin.
  ContextPtr makeContext(Request&& request, const Peer& peer) const;
  // The answer to what an API POST never accepts: wrong method (405),
  // foreign origin (403), over the rate (429: takes a token when
  // `take_token`, else only looks), too large (413), wrong media type (415).
  // Null when the request may go on.
  std::optional<Response> refusal(const Context& context, bool take_token);
  // Answers refusal() when there is one (returns false), else reads the
  // visitor's rl_id and returns true.
  bool admit(const ContextPtr& context, const Respond& respond);
  // Parses a request body into `parsed`; when it is not JSON, answers 400
  // with where it broke and returns false.
  bool parseBody(const Context& context, std::string_view text, ParsedJson& parsed, const Respond& respond);
  // The 503 for a batch the store did not queue, with Retry-After and why:
  // its queue is full, or the store's own problem (stopping, a failed disk).
  Response notQueued(const Context& context) const;
  // The 503 for a request none of whose rows were stored: why (`problem`,
  // the store's words; "" for a full queue), that nothing was kept, and
  // that the same request may be sent again (Retry-After: 1; ids make a
  // retry harmless).
  Response notStored(const Context& context, const std::string& problem) const;
  Response json(const Context& context, int status, const Json& body) const;
  Response jsonText(const Context& context, int status, std::string body) const;  // body: JSON text
  void finish(const Context& context, Response&& response, const Respond& respond);

  ServiceOptions options_;
  LoadedSite site_;
  CorsPolicy cors_;
  EventStore& store_;
  RateLimiter& limiter_;
  Metrics& metrics_;
  const StaticFiles& files_;
  std::function<std::int64_t()> now_ms_;
};

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_SERVICE_H_
