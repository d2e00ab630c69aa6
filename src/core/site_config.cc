#include "core/site_config.h"

#include <cmath>
#include <initializer_list>

#include "core/abandonment.h"
#include "core/condition_form.h"
#include "core/config_loader.h"
#include "core/offers.h"
#include "core/personalization.h"
#include "core/scoring.h"

namespace relance {
namespace {

// Reads the fields of one JSON object section, recording an error (with its
// JSON Pointer) for every wrong type, out-of-range value and unknown key.
class SectionReader {
 public:
  SectionReader(const Json& source, std::string path, PathErrors& errors)
      : source_(source), path_(std::move(path)), errors_(errors) {}

  // False (and an error) when the section is present but not an object.
  bool isObject() {
    if (source_.is_object()) return true;
    errors_.push_back({path_, "must be an object"});
    return false;
  }

  void rejectUnknown(std::initializer_list<const char*> known) {
    for (auto it = source_.begin(); it != source_.end(); ++it) {
      bool found = false;
      for (const char* k : known) found = found || it.key() == k;
      if (!found) errors_.push_back({pointerAppend(path_, it.key()), "unknown key"});
    }
  }

  void readString(const char* key, std::string& out, bool non_empty = false) {
    const Json* v = find(key);
    if (v == nullptr) return;
    if (!v->is_string() || (non_empty && v->get_ref<const std::string&>().empty())) {
      error(key, non_empty ? "must be a non-empty string" : "must be a string");
      return;
    }
    out = v->get<std::string>();
  }

  void readBool(const char* key, bool& out) {
    const Json* v = find(key);
    if (v == nullptr) return;
    if (!v->is_boolean()) {
      error(key, "must be true or false");
      return;
    }
    out = v->get<bool>();
  }

  void readInt(const char* key, int& out, int min, int max) {
    const Json* v = find(key);
    if (v == nullptr) return;
    bool integral = v->is_number_integer() || v->is_number_unsigned() ||
                    (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>());
    double d = v->is_number() ? v->get<double>() : 0;
    if (!integral || d < min || d > max) {
      error(key, "must be an integer from " + decimalText(min) + " to " + decimalText(max));
      return;
    }
    out = static_cast<int>(d);
  }

  void readOneOf(const char* key, std::string& out, std::initializer_list<const char*> allowed) {
    const Json* v = find(key);
    if (v == nullptr) return;
    std::string list;
    for (const char* a : allowed) {
      if (v->is_string() && v->get_ref<const std::string&>() == a) {
        out = a;
        return;
      }
      list += list.empty() ? std::string("\"") + a + "\"" : std::string(" or \"") + a + "\"";
    }
    error(key, "must be " + list);
  }

  const Json* find(const char* key) const {
    auto it = source_.find(key);
    return it == source_.end() ? nullptr : &*it;
  }

  void error(const char* key, std::string message) {
    errors_.push_back({pointerAppend(path_, key), std::move(message)});
  }

 private:
  const Json& source_;
  std::string path_;
  PathErrors& errors_;
};

bool isCurrencyCode(const std::string& s) {
  if (s.size() != 3) return false;
  for (char c : s)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

// "https://shop.example" or "http://localhost:8080": a scheme, a host, maybe
// a port, nothing after (the browser's Origin header has exactly this form).
bool isOrigin(const std::string& s) {
  std::size_t rest;
  if (s.rfind("https://", 0) == 0) {
    rest = 8;
  } else if (s.rfind("http://", 0) == 0) {
    rest = 7;
  } else {
    return false;
  }
  if (rest == s.size()) return false;
  for (std::size_t i = rest; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':' ||
              c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

void compileSite(const Json& section, PathErrors& errors, SiteConfig& config) {
  SectionReader r(section, "/site", errors);
  if (!r.isObject()) return;
  r.rejectUnknown({"id", "name", "currency", "allowed_origins"});
  r.readString("id", config.site_id, true);
  r.readString("name", config.site_name);
  if (const Json* c = r.find("currency")) {
    if (c->is_string() && isCurrencyCode(c->get<std::string>())) {
      config.currency = c->get<std::string>();
    } else {
      r.error("currency", "must be an ISO 4217 code of three capital letters, like \"EUR\"");
    }
  }
  if (const Json* origins = r.find("allowed_origins")) {
    if (!origins->is_array()) {
      r.error("allowed_origins", "must be an array of origins like \"https://shop.example\"");
      return;
    }
    for (std::size_t i = 0; i < origins->size(); ++i) {
      const Json& o = (*origins)[i];
      if (o.is_string() && (o.get<std::string>() == "*" || isOrigin(o.get<std::string>()))) {
        config.allowed_origins.push_back(o.get<std::string>());
      } else {
        errors.push_back({pointerAppend("/site/allowed_origins", i),
                          "must be an origin like \"https://shop.example\" (scheme and host, "
                          "lower case, no path) or \"*\""});
      }
    }
  }
}

void compileConsent(const Json& section, PathErrors& errors, ConsentPolicy& consent) {
  SectionReader r(section, "/consent", errors);
  if (!r.isObject()) return;
  r.rejectUnknown({"required", "honor_gpc", "exempt_measurement", "pending", "pending_limit"});
  r.readBool("required", consent.required);
  r.readBool("honor_gpc", consent.honor_gpc);
  r.readBool("exempt_measurement", consent.exempt_measurement);
  r.readOneOf("pending", consent.pending, {"buffer", "drop"});
  r.readInt("pending_limit", consent.pending_limit, 0, 1000);
}

void compileBots(const Json& section, PathErrors& errors, SiteConfig& config) {
  SectionReader r(section, "/bots", errors);
  if (!r.isObject()) return;
  r.rejectUnknown({"drop"});
  r.readBool("drop", config.drop_bots);
}

void compileTransport(const Json& section, PathErrors& errors, TransportPolicy& t) {
  SectionReader r(section, "/transport", errors);
  if (!r.isObject()) return;
  r.rejectUnknown({"endpoint", "optin_endpoint", "batch_size", "flush_ms", "queue_limit"});
  r.readString("endpoint", t.endpoint, true);
  r.readString("optin_endpoint", t.optin_endpoint, true);
  // The browser posts to base URL + path (base "" is the page's own origin,
  // where "//host/x" would name another host): only "/path" can work.
  for (const char* key : {"endpoint", "optin_endpoint"}) {
    const Json* v = r.find(key);
    if (v == nullptr || !v->is_string()) continue;
    const std::string& path = v->get_ref<const std::string&>();
    if (path.empty() || path[0] != '/' || (path.size() > 1 && path[1] == '/'))
      r.error(key, "must be a path starting with \"/\" (the browser adds it to the collector's base URL)");
  }
  r.readInt("batch_size", t.batch_size, 1, 100);
  r.readInt("flush_ms", t.flush_ms, 0, 60000);
  r.readInt("queue_limit", t.queue_limit, 1, 5000);
}

void compileSession(const Json& section, PathErrors& errors, SiteConfig& config) {
  SectionReader r(section, "/session", errors);
  if (!r.isObject()) return;
  r.rejectUnknown({"timeout_minutes"});
  r.readInt("timeout_minutes", config.session_timeout_minutes, 1, 24 * 60);
}

bool isSegmentName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-';
    if (!ok) return false;
  }
  return true;
}

void compileSegments(const Json& section, PathErrors& errors, SiteConfig& config) {
  if (!section.is_object()) {
    errors.push_back({"/segments", "must be an object: segment name -> condition"});
    return;
  }
  for (auto it = section.begin(); it != section.end(); ++it) {
    std::string path = pointerAppend("/segments", it.key());
    if (!isSegmentName(it.key())) {
      errors.push_back({path, "segment names are 1 to 64 letters, digits, '_' or '-'"});
      continue;
    }
    if (!it.value().is_object()) {
      errors.push_back({path, "must be a condition (an object)"});
      continue;
    }
    CompileConditionResult compiled = compileCondition(it.value(), path);
    if (!compiled.errors.empty() || compiled.condition == nullptr) {
      for (auto& e : compiled.errors) errors.push_back(e);
      if (compiled.errors.empty()) errors.push_back({path, "invalid condition"});
      continue;
    }
    config.compiled_segments.push_back({it.key(), compiled.condition});
  }
}

}  // namespace

Json SiteConfig::toBrowserJson() const {
  Json out = Json::object();
  out["version"] = 1;
  out["compiled"] = kCompiledFormVersion;
  out["site"] = object({{"currency", currency}});
  if (!site_id.empty()) out["site"]["id"] = site_id;
  if (!site_name.empty()) out["site"]["name"] = site_name;
  out["consent"] = object({{"required", consent.required},
                           {"honor_gpc", consent.honor_gpc},
                           {"exempt_measurement", consent.exempt_measurement},
                           {"pending", consent.pending},
                           {"pending_limit", consent.pending_limit}});
  out["transport"] = object({{"endpoint", transport.endpoint},
                             {"optin_endpoint", transport.optin_endpoint},
                             {"batch_size", transport.batch_size},
                             {"flush_ms", transport.flush_ms},
                             {"queue_limit", transport.queue_limit}});
  out["session"] = object({{"timeout_minutes", session_timeout_minutes}});
  // Conditions as the programs compiled here (core/condition_form.h), their
  // paths and regular expressions numbered once for the whole configuration.
  ConditionFormWriter conditions;
  Json segment_forms = Json::object();
  for (const Segment& s : compiled_segments) segment_forms[s.name] = conditions.write(*s.condition);
  out["segments"] = std::move(segment_forms);
  if (personalization) out["personalization"] = personalizationToJson(*personalization, conditions);
  if (offers) out["offers"] = offersToJson(*offers, conditions);
  if (scoring) out["scoring"] = scoringToJson(*scoring, conditions);
  if (abandonment) out["abandonment"] = abandonmentToJson(*abandonment);
  out["conditions"] = conditions.tables();
  // A module answers null for "nothing configured": leave the key out.
  for (const char* key : {"personalization", "offers", "scoring", "abandonment"}) {
    auto it = out.find(key);
    if (it != out.end() && it->is_null()) out.erase(it);
  }
  return out;
}

CompileSiteConfigResult compileSiteConfig(const Json& source) {
  CompileSiteConfigResult result;
  PathErrors& errors = result.errors;
  if (!source.is_object()) {
    errors.push_back({"", "must be a JSON object (the site configuration)"});
    return result;
  }
  // The compiled form (toBrowserJson) is a configuration too; its
  // conditions are programs, which only the loader reads.
  if (source.find("compiled") != source.end()) return loadCompiledConfig(source);
  auto config = std::make_shared<SiteConfig>();
  SectionReader top(source, "", errors);
  top.rejectUnknown({"version", "site", "consent", "bots", "transport", "session", "segments",
                     "personalization", "offers", "scoring", "abandonment"});
  if (const Json* v = top.find("version")) {
    if (!(v->is_number_integer() || v->is_number_unsigned()) || v->get<long long>() != 1)
      errors.push_back({"/version", "must be 1 (the only configuration version)"});
  }
  if (const Json* s = top.find("site")) compileSite(*s, errors, *config);
  if (const Json* s = top.find("consent")) compileConsent(*s, errors, config->consent);
  if (const Json* s = top.find("bots")) compileBots(*s, errors, *config);
  if (const Json* s = top.find("transport")) compileTransport(*s, errors, config->transport);
  if (const Json* s = top.find("session")) compileSession(*s, errors, *config);
  if (const Json* s = top.find("segments")) compileSegments(*s, errors, *config);

  // The decision modules: each gets its section (null when absent) and
  // reports errors under its own path.
  static const Json kAbsent;
  auto section = [&](const char* key) -> const Json& {
    const Json* s = top.find(key);
    return s == nullptr ? kAbsent : *s;
  };
  config->personalization = compilePersonalization(section("personalization"), "/personalization", errors);
  config->offers = compileOffers(section("offers"), "/offers", errors);
  config->scoring = compileScoring(section("scoring"), "/scoring", errors);
  config->abandonment = compileAbandonment(section("abandonment"), "/abandonment", errors);

  if (errors.empty()) result.config = config;
  return result;
}

}  // namespace relance
