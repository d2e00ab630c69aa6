// relance-collector: the first-party event endpoint of Relance.
//   serve         answer HTTP (events, opt-ins, configuration, static files)
//   export        print stored events (or opt-ins) as NDJSON
//   check-config  compile a site configuration and list its errors
//   destinations  the forwarding to destinations: states, dead letters, retry, check a file
// docs/collector.md describes every flag.
#include <chrono>
#include <filesystem>
#include <cstdint>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "collector/clock.h"
#include "collector/destination_feed.h"
#include "collector/destinations.h"
#include "collector/event_store.h"
#include "collector/forwarder.h"
#include "collector/http_server.h"
#include "collector/log.h"
#include "collector/metrics.h"
#include "collector/rate_limiter.h"
#include "collector/service.h"
#include "collector/site.h"
#include "collector/static_files.h"

namespace {

using namespace relance::collector;

struct ServeFlags {
  std::string listen = "127.0.0.1:8080";
  std::string db = "relance.db";
  std::string config;
  std::string static_dir;
  std::vector<std::string> allowed_origins;
  int threads = 2;
  double rate = 100;
  double burst = 200;
  std::size_t queue_limit = 50000;
  std::string synchronous = "normal";
  std::int64_t max_db_pages = 0;
  std::size_t group_rows = StoreOptions{}.group_rows;
  std::int64_t group_window_us = StoreOptions{}.group_window.count();
  bool secure_cookie = false;
  bool trust_proxy = false;
  int read_timeout = 15;
  int idle_timeout = 60;
  std::size_t max_connections = 4096;
  std::string destinations;
  std::string destinations_ca;
};

// Prints a refused destinations file, like a refused configuration.
void printDestinationErrors(const LoadedDestinations& loaded, std::ostream& out, const std::string& indent) {
  if (!loaded.problem.empty()) out << indent << loaded.problem << "\n";
  for (const auto& error : loaded.errors) {
    out << indent << (error.path.empty() ? "/" : error.path) << ": " << error.message << "\n";
  }
}

// "host:port", "[v6]:port" or ":port".
bool splitListen(const std::string& text, std::string& host, unsigned short& port) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  try {
    int value = std::stoi(text.substr(colon + 1));
    if (value < 0 || value > 65535) return false;
    port = static_cast<unsigned short>(value);
  } catch (...) {
    return false;
  }
  return true;
}

int serve(const ServeFlags& flags) {
  ServerOptions server_options;
  if (!splitListen(flags.listen, server_options.host, server_options.port)) {
    std::cerr << "relance-collector: --listen wants host:port, got " << flags.listen << "\n";
    return 2;
  }
  server_options.threads = flags.threads;
  server_options.read_timeout = std::chrono::seconds(flags.read_timeout);
  server_options.idle_timeout = std::chrono::seconds(flags.idle_timeout);
  server_options.max_connections = flags.max_connections;

  // A mistyped folder would answer 404 for the tag and the wasm while
  // /readyz says ready: refuse it at start, like a configuration.
  if (!flags.static_dir.empty()) {
    std::error_code error;
    if (!std::filesystem::is_directory(flags.static_dir, error)) {
      std::cerr << "relance-collector: --static " << flags.static_dir << " is not a folder\n";
      return 1;
    }
  }

  LoadedSite site = loadSite(flags.config);
  if (!site.config) {
    std::cerr << "relance-collector: the configuration " << flags.config << " is refused\n";
    if (!site.problem.empty()) std::cerr << "  " << site.problem << "\n";
    for (const auto& error : site.errors) std::cerr << "  " << (error.path.empty() ? "/" : error.path) << ": " << error.message << "\n";
    return 1;
  }

  // Destinations are checked before anything listens, like the configuration.
  LoadedDestinations destinations;
  if (!flags.destinations.empty()) {
    destinations = loadDestinations(flags.destinations);
    if (!destinations.ok()) {
      std::cerr << "relance-collector: the destinations " << flags.destinations << " are refused\n";
      printDestinationErrors(destinations, std::cerr, "  ");
      return 1;
    }
  }

  StoreOptions store_options;
  store_options.path = flags.db;
  store_options.synchronous_full = flags.synchronous == "full";
  store_options.queue_limit = flags.queue_limit;
  store_options.max_pages = flags.max_db_pages;
  store_options.group_rows = flags.group_rows;
  store_options.group_window = std::chrono::microseconds(flags.group_window_us);
  EventStore store(store_options);
  Metrics metrics;

  RateLimiter limiter(flags.rate, flags.burst);
  StaticFiles files(flags.static_dir);
  ServiceOptions service_options;
  service_options.allowed_origins = flags.allowed_origins;
  service_options.secure_cookie = flags.secure_cookie;
  service_options.trust_proxy = flags.trust_proxy;
  Service service(service_options, site, store, limiter, metrics, files, wallClockMs);

  ForwarderOptions forwarder_options;
  forwarder_options.db_path = flags.db;
  forwarder_options.ca_file = flags.destinations_ca;
  forwarder_options.user_agent = std::string("relance-collector/") + RELANCE_VERSION;
  std::size_t destination_count = destinations.destinations.size();
  Forwarder forwarder(forwarder_options, std::move(destinations.destinations));
  metrics.addSection([&forwarder] { return forwarder.renderMetrics(); });

  HttpServer server(server_options, service);
  // The writer thread only commits; the answers are built on the HTTP threads.
  // (Every request waiting for a commit keeps the server running, so the
  // server outlives every task posted here.) Each commit wakes the
  // forwarder, which reads what was committed from the database.
  store.start(
      [&metrics, &forwarder](double seconds, std::size_t batches) {
        metrics.observeCommit(seconds, batches);
        forwarder.notify();
      },
      [&server](std::function<void()> task) { server.post(std::move(task)); });
  forwarder.start();
  if (std::string problem = store.readyProblem(); !problem.empty()) {
    logLine("error", "store not ready", relance::Json{{"reason", problem}});
  }
  if (std::string error = server.listen(); !error.empty()) {
    std::cerr << "relance-collector: " << error << "\n";
    return 1;
  }
  server.stopOnSignals();
  // An IPv6 address goes in brackets in a URL (RFC 3986): http://[::1]:8080/.
  std::string url_host = server_options.host.find(':') == std::string::npos ? server_options.host
                                                                             : "[" + server_options.host + "]";
  logLine("info", "listening",
          relance::Json{{"host", server_options.host},
                        {"port", server.port()},
                        {"url", "http://" + url_host + ":" + std::to_string(server.port()) + "/"},
                        {"threads", server_options.threads},
                        {"max_connections", server.maxConnections()},
                        {"static", !flags.static_dir.empty()},
                        {"config", !flags.config.empty()},
                        {"destinations", destination_count}});
  server.run();
  forwarder.stop();  // at once: what it did not deliver waits in the database for the next start
  store.stop();  // commits what is still queued
  logLine("info", "stopped");
  return 0;
}

int checkConfig(const std::string& path) {
  LoadedSite site = loadSite(path);
  if (!site.problem.empty()) {
    std::cout << site.problem << "\n";
    return 1;
  }
  if (!site.config) {
    for (const auto& error : site.errors) std::cout << (error.path.empty() ? "/" : error.path) << ": " << error.message << "\n";
    std::cout << site.errors.size() << (site.errors.size() == 1 ? " error" : " errors") << " in " << path << "\n";
    return 1;
  }
  std::cout << path << ": ok\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"relance-collector: the first-party event endpoint of Relance"};
  app.require_subcommand(1);

  ServeFlags flags;
  auto* serve_cmd = app.add_subcommand("serve", "answer HTTP: events, opt-ins, configuration, static files");
  serve_cmd->add_option("--listen", flags.listen, "address:port to listen on (port 0: any free port)")->capture_default_str();
  serve_cmd->add_option("--db", flags.db, "SQLite database file (or SQLite URI)")->capture_default_str();
  serve_cmd->add_option("--config", flags.config, "site configuration (JSON)");
  serve_cmd->add_option("--static", flags.static_dir, "folder of static files to serve");
  serve_cmd->add_option("--allowed-origin", flags.allowed_origins, "origin allowed to call the API (repeatable)");
  serve_cmd->add_option("--threads", flags.threads, "HTTP threads")->capture_default_str()->check(CLI::Range(1, 256));
  serve_cmd->add_option("--rate-limit", flags.rate, "API requests per second per client address (0: off)")->capture_default_str()->check(CLI::NonNegativeNumber);
  serve_cmd->add_option("--rate-burst", flags.burst, "API requests a client may send at once")->capture_default_str()->check(CLI::PositiveNumber);
  serve_cmd->add_option("--queue-limit", flags.queue_limit, "rows waiting for the store before 503")->capture_default_str()->check(CLI::PositiveNumber);
  serve_cmd->add_option("--synchronous", flags.synchronous, "SQLite synchronous mode: normal (survives a killed process) or full (also a power loss)")->capture_default_str()->check(CLI::IsMember({"full", "normal"}));
  serve_cmd->add_option("--max-db-pages", flags.max_db_pages, "cap the database size in pages (0: no cap)")->capture_default_str();
  serve_cmd->add_option("--group-rows", flags.group_rows, "rows that make a commit go at once (see docs/collector.md, \"Group commit\")")->capture_default_str()->check(CLI::PositiveNumber);
  serve_cmd->add_option("--group-window", flags.group_window_us, "microseconds a smaller group waits for more rows")->capture_default_str()->check(CLI::Range(0, 1000000));
  serve_cmd->add_flag("--secure-cookie", flags.secure_cookie, "always mark the rl_id cookie Secure");
  serve_cmd->add_flag("--trust-proxy", flags.trust_proxy, "use X-Forwarded-For and X-Forwarded-Proto");
  serve_cmd->add_option("--read-timeout", flags.read_timeout, "seconds to receive a whole request")->capture_default_str()->check(CLI::Range(1, 3600));
  serve_cmd->add_option("--idle-timeout", flags.idle_timeout, "seconds a kept-alive connection may stay idle")->capture_default_str()->check(CLI::Range(1, 3600));
  serve_cmd->add_option("--max-connections", flags.max_connections, "connections open at once (idle kept-alive ones are closed first; kept below the open-files limit)")->capture_default_str()->check(CLI::PositiveNumber);

  std::string export_db = "relance.db";
  std::int64_t since = 0;
  std::string type;
  bool optins = false;
  auto* export_cmd = app.add_subcommand("export", "print stored events as NDJSON");
  export_cmd->add_option("--db", export_db, "SQLite database file")->capture_default_str();
  export_cmd->add_option("--since", since, "only rows received at or after this time (ms since the epoch)");
  export_cmd->add_option("--type", type, "only events of this type");
  export_cmd->add_flag("--optins", optins, "print the opt-ins instead of the events");

  std::string config_path;
  auto* check_cmd = app.add_subcommand("check-config", "compile a site configuration and print its errors");
  check_cmd->add_option("file", config_path, "site configuration (JSON)")->required();

  std::string destinations_db = "relance.db";
  std::string destination_id;
  std::string destinations_file;
  auto* destinations_cmd = app.add_subcommand(
      "destinations", "the forwarding to destinations: print each one's state (or: dead, retry, check)");
  destinations_cmd->add_option("--db", destinations_db, "SQLite database file")->capture_default_str();
  destinations_cmd->fallthrough();  // --db after the subcommand's name works too
  auto* dead_cmd = destinations_cmd->add_subcommand("dead", "print the dead letters as NDJSON");
  dead_cmd->add_option("destination", destination_id, "only those of this destination");
  auto* retry_cmd = destinations_cmd->add_subcommand("retry", "send a destination's dead letters again");
  retry_cmd->add_option("destination", destination_id, "the destination's id")->required();
  auto* check_destinations_cmd = destinations_cmd->add_subcommand("check", "check a destinations file and its secrets");
  check_destinations_cmd->add_option("file", destinations_file, "destinations file (JSON)")->required();
  destinations_cmd->require_subcommand(0, 1);

  serve_cmd->add_option("--destinations", flags.destinations, "destinations file (JSON): where stored events and opt-ins are forwarded (see docs/collector.md, \"Destinations\")");
  serve_cmd->add_option("--destinations-ca", flags.destinations_ca, "PEM file of the certificate authorities trusted for https destinations, instead of the system's")
      ->check(CLI::ExistingFile);

  CLI11_PARSE(app, argc, argv);

  if (serve_cmd->parsed()) return serve(flags);
  if (export_cmd->parsed()) {
    std::ios::sync_with_stdio(false);
    std::string error = exportRows(export_db, optins ? "optins" : "events", since, type, std::cout);
    std::cout.flush();
    if (!error.empty()) {
      std::cerr << "relance-collector: " << error << "\n";
      return 1;
    }
    return 0;
  }
  if (check_cmd->parsed()) return checkConfig(config_path);
  if (destinations_cmd->parsed()) {
    std::string error;
    if (check_destinations_cmd->parsed()) {
      LoadedDestinations loaded = loadDestinations(destinations_file);
      if (loaded.ok()) {
        std::cout << destinations_file << ": ok (" << loaded.destinations.size() << " destinations)\n";
        return 0;
      }
      printDestinationErrors(loaded, std::cout, "");
      if (loaded.problem.empty()) {
        std::cout << loaded.errors.size() << (loaded.errors.size() == 1 ? " error" : " errors") << " in "
                  << destinations_file << "\n";
      }
      return 1;
    } else if (dead_cmd->parsed()) {
      error = printDeadLetters(destinations_db, destination_id, std::cout);
    } else if (retry_cmd->parsed()) {
      std::int64_t count = 0;
      error = requeueDeadLetters(destinations_db, destination_id, count);
      if (error.empty()) {
        std::cout << count << " dead letters of " << destination_id
                  << " requeued: the running collector sends them next\n";
      }
    } else {
      error = printDestinationStates(destinations_db, std::cout);
    }
    if (!error.empty()) {
      std::cerr << "relance-collector: " << error << "\n";
      return 1;
    }
    return 0;
  }
  return 2;
}
