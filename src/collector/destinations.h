// Destinations: where the collector forwards stored events (a CRM, an e-mail
// tool), declared in a file given to `serve --destinations FILE`. The file is
// the collector's own, never served to browsers. docs/collector.md,
// "Destinations", describes the format; docs/design/destinations.md why.
#ifndef RELANCE_COLLECTOR_DESTINATIONS_H_
#define RELANCE_COLLECTOR_DESTINATIONS_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace relance::collector {

// How a destination retries a batch that failed (429, 5xx, network error):
// exponential backoff from `min_delay` to `max_delay`, with jitter; a batch
// is given up (dead-lettered) once `give_up_after` passed since its first
// failure AND it was tried at least `min_attempts` times (RudderStack's
// rule, /work/shared/ANCHORS.md).
struct RetryPolicy {
  std::chrono::milliseconds min_delay{10 * 1000};
  std::chrono::milliseconds max_delay{300 * 1000};
  std::chrono::milliseconds give_up_after{180 * 60 * 1000};
  int min_attempts = 3;
};

// A URL the webhook client can post to.
struct WebhookUrl {
  bool https = false;
  std::string host;    // without brackets for IPv6
  std::string port;    // "443" / "80" when the URL has none
  std::string target;  // path and query, "/" at least
};

struct Destination {
  std::string id;                  // [a-z0-9_-]{1,64}: metrics label, cursor key
  std::string url;                 // as written
  WebhookUrl parsed;
  std::vector<std::string> events; // types forwarded; {"*"}: every type
  bool optins = true;              // forward the stored opt-ins (the contacts) too
  std::size_t batch_size = 50;     // events per POST, at most
  std::string secret_env;          // the environment variable holding the secret
  std::string secret;              // its value (never printed)
  bool allow_http = false;         // plain http to a host that is not loopback
  std::chrono::milliseconds connect_timeout{5 * 1000};
  std::chrono::milliseconds timeout{30 * 1000};  // the whole request, connect included
  RetryPolicy retry;
};

// True when `types` (a destination's `events`) take events of `type`:
// listed, or {"*"}. The one test of a type against a destination's list
// (the feed applies it to every stored event it passes over).
bool wantsEventType(const std::vector<std::string>& types, std::string_view type);

// The types forwarded when a destination lists none: what a CRM or an
// e-mail tool acts on.
const std::vector<std::string>& defaultDestinationEvents();

struct DestinationError {
  std::string path;     // JSON pointer into the file ("/destinations/0/url")
  std::string message;
};

struct LoadedDestinations {
  std::vector<Destination> destinations;
  std::string problem;                  // the file cannot be read or is not JSON
  std::vector<DestinationError> errors; // every error, with its path
  bool ok() const { return problem.empty() && errors.empty(); }
};

// Reads an environment variable; "" when unset. Injected for tests.
using EnvironmentReader = std::function<std::string(const std::string& name)>;

// Parses the text of a destinations file. Checks everything and reports
// every error with its JSON pointer; a secret variable that is unset or
// shorter than 16 bytes is an error at ".../secret_env".
LoadedDestinations parseDestinations(const std::string& text, const EnvironmentReader& environment);

// Reads and parses the file at `path`, taking secrets from the process's
// environment. `problem` names the file when it cannot be read.
LoadedDestinations loadDestinations(const std::string& path);

// Parses "http(s)://host[:port][/path]". "" when ok, else why not.
std::string parseWebhookUrl(const std::string& text, WebhookUrl& url);

// True for localhost, 127.0.0.0/8 and ::1: plain http stays on the machine.
bool isLoopbackHost(const std::string& host);

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_DESTINATIONS_H_
