#include "collector/destinations.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "core/event.h"
#include "core/json.h"

namespace relance::collector {
namespace {

bool validId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Environment variable names as POSIX shells write them.
bool validEnvName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

class Checker {
 public:
  explicit Checker(std::vector<DestinationError>& errors) : errors_(errors) {}
  void error(const std::string& path, const std::string& message) { errors_.push_back({path, message}); }

  // true or false, when present.
  void boolean(const Json& object, const std::string& key, const std::string& path, bool& out) {
    auto it = object.find(key);
    if (it == object.end()) return;
    if (!it->is_boolean()) error(path + "/" + key, "must be true or false");
    else out = it->get<bool>();
  }

  // A positive number of seconds (or minutes: `unit_ms`) no larger than `most`.
  bool duration(const Json& object, const std::string& key, const std::string& path, double most,
                std::chrono::milliseconds unit, std::chrono::milliseconds& out) {
    auto it = object.find(key);
    if (it == object.end()) return true;
    if (!it->is_number() || it->get<double>() <= 0 || it->get<double>() > most) {
      std::ostringstream message;
      message << "must be a number above 0 and at most " << most;
      error(path + "/" + key, message.str());
      return false;
    }
    out = std::chrono::milliseconds(static_cast<std::int64_t>(it->get<double>() * static_cast<double>(unit.count())));
    return true;
  }

 private:
  std::vector<DestinationError>& errors_;
};

const std::set<std::string> kDestinationKeys = {"id",        "url",     "events",          "batch_size",
                                                "secret_env", "allow_http", "connect_timeout_seconds",
                                                "timeout_seconds", "retry", "optins"};
const std::set<std::string> kRetryKeys = {"min_seconds", "max_seconds", "give_up_minutes", "min_attempts"};

void parseRetry(const Json& value, const std::string& path, Checker& check, RetryPolicy& retry) {
  if (!value.is_object()) {
    check.error(path, "must be an object");
    return;
  }
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!kRetryKeys.count(it.key())) check.error(path + "/" + it.key(), "unknown field");
  }
  check.duration(value, "min_seconds", path, 3600, std::chrono::seconds(1), retry.min_delay);
  check.duration(value, "max_seconds", path, 86400, std::chrono::seconds(1), retry.max_delay);
  check.duration(value, "give_up_minutes", path, 7 * 24 * 60, std::chrono::minutes(1), retry.give_up_after);
  if (auto it = value.find("min_attempts"); it != value.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 1 || it->get<std::int64_t>() > 1000) {
      check.error(path + "/min_attempts", "must be an integer from 1 to 1000");
    } else {
      retry.min_attempts = static_cast<int>(it->get<std::int64_t>());
    }
  }
  if (retry.max_delay < retry.min_delay) check.error(path + "/max_seconds", "must be at least min_seconds");
}

void parseOne(const Json& value, const std::string& path, const EnvironmentReader& environment, Checker& check,
              Destination& out) {
  if (!value.is_object()) {
    check.error(path, "must be an object");
    return;
  }
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!kDestinationKeys.count(it.key())) check.error(path + "/" + it.key(), "unknown field");
  }
  auto id = value.find("id");
  if (id == value.end()) {
    check.error(path + "/id", "is required");
  } else if (!id->is_string() || !validId(id->get<std::string>())) {
    check.error(path + "/id", "must be 1 to 64 characters of a-z, 0-9, _ and -");
  } else {
    out.id = id->get<std::string>();
  }

  check.boolean(value, "allow_http", path, out.allow_http);
  // Off for a destination that must not receive personal data: opt-ins carry the contact.
  check.boolean(value, "optins", path, out.optins);
  auto url = value.find("url");
  if (url == value.end()) {
    check.error(path + "/url", "is required");
  } else if (!url->is_string()) {
    check.error(path + "/url", "must be a string");
  } else {
    out.url = url->get<std::string>();
    if (std::string problem = parseWebhookUrl(out.url, out.parsed); !problem.empty()) {
      check.error(path + "/url", problem);
    } else if (!out.parsed.https && !out.allow_http && !isLoopbackHost(out.parsed.host)) {
      check.error(path + "/url",
                  "must be https (plain http sends visitors' data in clear; set allow_http to true to accept it)");
    }
  }

  auto events = value.find("events");
  if (events == value.end()) {
    out.events = defaultDestinationEvents();
  } else if (!events->is_array() || events->empty()) {
    check.error(path + "/events", "must be a non-empty array of event types (or [\"*\"])");
  } else {
    for (std::size_t i = 0; i < events->size(); ++i) {
      const Json& type = (*events)[i];
      std::string at = path + "/events/" + std::to_string(i);
      if (!type.is_string()) {
        check.error(at, "must be a string");
      } else if (type.get<std::string>() != "*" && !isValidEventType(type.get<std::string>())) {
        check.error(at, "unknown event type " + type.get<std::string>() + " (see docs/events.md)");
      } else {
        out.events.push_back(type.get<std::string>());
      }
    }
  }

  if (auto batch = value.find("batch_size"); batch != value.end()) {
    if (!batch->is_number_integer() || batch->get<std::int64_t>() < 1 || batch->get<std::int64_t>() > 500) {
      check.error(path + "/batch_size", "must be an integer from 1 to 500");
    } else {
      out.batch_size = static_cast<std::size_t>(batch->get<std::int64_t>());
    }
  }

  auto secret = value.find("secret_env");
  if (secret == value.end()) {
    check.error(path + "/secret_env", "is required (the name of the environment variable holding the signing secret)");
  } else if (!secret->is_string() || !validEnvName(secret->get<std::string>())) {
    check.error(path + "/secret_env", "must be the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*)");
  } else {
    out.secret_env = secret->get<std::string>();
    out.secret = environment(out.secret_env);
    if (out.secret.empty()) {
      check.error(path + "/secret_env", "the environment variable " + out.secret_env + " is not set");
    } else if (out.secret.size() < 16) {
      check.error(path + "/secret_env", "the secret in " + out.secret_env + " must be at least 16 bytes");
    }
  }

  check.duration(value, "connect_timeout_seconds", path, 600, std::chrono::seconds(1), out.connect_timeout);
  check.duration(value, "timeout_seconds", path, 600, std::chrono::seconds(1), out.timeout);
  if (auto retry = value.find("retry"); retry != value.end()) parseRetry(*retry, path + "/retry", check, out.retry);
}

}  // namespace

bool wantsEventType(const std::vector<std::string>& types, std::string_view type) {
  return std::any_of(types.begin(), types.end(), [&](const std::string& t) { return t == "*" || t == type; });
}

const std::vector<std::string>& defaultDestinationEvents() {
  static const std::vector<std::string> kDefault = {"cart_abandoned", "browse_abandoned", "optin",   "optin_no_cart",
                                                    "offer_converted", "purchase",        "identify"};
  return kDefault;
}

LoadedDestinations parseDestinations(const std::string& text, const EnvironmentReader& environment) {
  LoadedDestinations loaded;
  ParsedJson parsed = parseJson(text);
  if (!parsed.ok) {
    loaded.problem = "malformed JSON at byte " + std::to_string(parsed.offset) + ": " + parsed.message;
    return loaded;
  }
  Checker check(loaded.errors);
  const Json& root = parsed.value;
  if (!root.is_object()) {
    check.error("", "must be an object {\"destinations\": [...]}");
    return loaded;
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    if (it.key() != "destinations") check.error("/" + it.key(), "unknown field");
  }
  auto list = root.find("destinations");
  if (list == root.end() || !list->is_array()) {
    check.error("/destinations", "must be an array of destinations");
    return loaded;
  }
  std::set<std::string> ids;
  for (std::size_t i = 0; i < list->size(); ++i) {
    std::string path = "/destinations/" + std::to_string(i);
    Destination destination;
    parseOne((*list)[i], path, environment, check, destination);
    if (!destination.id.empty() && !ids.insert(destination.id).second) {
      check.error(path + "/id", "repeats the id " + destination.id);
    }
    loaded.destinations.push_back(std::move(destination));
  }
  if (!loaded.errors.empty()) loaded.destinations.clear();
  return loaded;
}

LoadedDestinations loadDestinations(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    LoadedDestinations loaded;
    loaded.problem = path + ": cannot be read";
    return loaded;
  }
  std::ostringstream text;
  text << file.rdbuf();
  LoadedDestinations loaded = parseDestinations(text.str(), [](const std::string& name) {
    const char* value = std::getenv(name.c_str());
    return std::string(value ? value : "");
  });
  if (!loaded.problem.empty()) loaded.problem = path + ": " + loaded.problem;
  return loaded;
}

std::string parseWebhookUrl(const std::string& text, WebhookUrl& url) {
  std::string rest;
  if (text.rfind("https://", 0) == 0) {
    url.https = true;
    url.port = "443";
    rest = text.substr(8);
  } else if (text.rfind("http://", 0) == 0) {
    url.https = false;
    url.port = "80";
    rest = text.substr(7);
  } else {
    return "must start with https:// (or http://)";
  }
  if (std::any_of(text.begin(), text.end(), [](unsigned char c) { return c <= ' ' || c >= 0x7f; })) {
    return "must not contain spaces, control or non-ASCII characters (percent-encode them)";
  }
  std::size_t slash = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, slash);
  url.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (url.target[0] == '?') url.target = "/" + url.target;
  if (url.target.find('#') != std::string::npos) return "must not have a fragment (#...)";
  if (authority.find('@') != std::string::npos) return "must not carry credentials (user@): use the signature";
  if (!authority.empty() && authority[0] == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string::npos) return "has an unclosed [ in its host";
    url.host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return "has something after its IPv6 host";
      url.port = after.substr(1);
    }
  } else {
    std::size_t colon = authority.find(':');
    url.host = authority.substr(0, colon);
    if (colon != std::string::npos) url.port = authority.substr(colon + 1);
  }
  if (url.host.empty()) return "has no host";
  if (url.port.empty() || url.port.size() > 5 ||
      !std::all_of(url.port.begin(), url.port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(url.port) < 1 || std::stoi(url.port) > 65535) {
    return "has an invalid port";
  }
  return "";
}

bool isLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1") return true;
  return host.rfind("127.", 0) == 0 &&
         std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace relance::collector
