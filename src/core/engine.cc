#include "core/engine.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

#include "core/abandonment.h"
#include "core/context_builder.h"
#include "core/decision_step.h"
#include "core/error.h"
#include "core/event.h"
#include "core/offers.h"
#include "core/personalization.h"
#include "core/scoring.h"
#include "core/visitor_state.h"

namespace relance {
namespace {

constexpr std::int64_t kMinuteMs = 60000;
constexpr std::size_t kMaxSignalIdBytes = 56;  // leaves room for ":n" within the 64 of an event id

// Signals that show the visitor is there: they keep the session alive (or
// open a new one). tick, idle, visibility, consent and debug do not.
bool isActivity(const std::string& type) {
  return type != "tick" && type != "idle" && type != "visibility" && type != "consent" && type != "debug";
}

bool isKnownSignal(const std::string& type) {
  static const char* const kTypes[] = {"page_view", "track",      "identify",    "consent",         "scroll",
                                       "time",      "idle",       "exit_intent", "visibility",      "tick",
                                       "show_offer", "offer_dismissed", "offer_submit", "debug"};
  for (const char* t : kTypes)
    if (type == t) return true;
  return false;
}

const Json& member(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

double numberOr(const Json& object, const char* key, double fallback) {
  const Json& v = member(object, key);
  return v.is_number() ? v.get<double>() : fallback;
}

// Whole numbers are kept as integers in the state and events.
Json number(double d) {
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return Json(static_cast<std::int64_t>(d));
  return Json(d);
}

// `message` names the range ("must be a number from 0 to 100"): written out
// rather than formatted with %g, which the browser tag's snprintf does not
// have (src/wasm/tag_snprintf.cc: hexadecimal integers only).
void checkNumber(const Json& props, const char* key, double min, double max, const char* message,
                 PathErrors& errors) {
  const Json& v = member(props, key);
  if (!v.is_number() || v.get<double>() < min || v.get<double>() > max)
    errors.push_back({pointerAppend("/props", key), message});
}

void checkBool(const Json& props, const char* key, bool required, PathErrors& errors) {
  const Json& v = member(props, key);
  if ((v.is_null() && required) || (!v.is_null() && !v.is_boolean()))
    errors.push_back({pointerAppend("/props", key), "must be true or false"});
}

// Checks the envelope of a signal and the props the engine itself reads (the
// decision modules check the props of the offer signals).
PathErrors checkSignal(const Json& signal) {
  PathErrors errors;
  if (!signal.is_object()) {
    errors.push_back({"", "a signal must be an object {\"type\", \"id\", \"props\", \"context\"}"});
    return errors;
  }
  for (auto it = signal.begin(); it != signal.end(); ++it) {
    const std::string& k = it.key();
    if (k != "type" && k != "id" && k != "ts" && k != "props" && k != "context" && k != "gpc")
      errors.push_back({pointerAppend("", k), "unknown signal field"});
  }
  const Json& type = member(signal, "type");
  if (!type.is_string() || !isKnownSignal(type.get<std::string>())) {
    errors.push_back({"/type", "must be a known signal type (page_view, track, identify, consent, scroll, time, "
                               "idle, exit_intent, visibility, tick, show_offer, offer_dismissed, offer_submit, "
                               "debug)"});
    return errors;
  }
  const Json& id = member(signal, "id");
  if (!id.is_null() && (!id.is_string() || id.get_ref<const std::string&>().empty() ||
                        id.get_ref<const std::string&>().size() > kMaxSignalIdBytes))
    errors.push_back({"/id", "must be a string of 1 to 56 characters (a UUID)"});
  const Json& ts = member(signal, "ts");
  if (!ts.is_null() && (!ts.is_number() || ts.get<double>() < static_cast<double>(kMinTimestampMs) ||
                        ts.get<double>() > static_cast<double>(kMaxTimestampMs)))
    errors.push_back({"/ts", "must be a time in milliseconds since 1970 (between 2020 and 2100)"});
  const Json& props = member(signal, "props");
  if (!props.is_null() && !props.is_object()) errors.push_back({"/props", "must be an object"});
  const Json& context = member(signal, "context");
  if (!context.is_null() && !context.is_object()) errors.push_back({"/context", "must be an object"});
  const Json& gpc = member(signal, "gpc");
  if (!gpc.is_null() && !gpc.is_boolean()) errors.push_back({"/gpc", "must be true or false"});
  if (!errors.empty()) return errors;

  const std::string& t = type.get_ref<const std::string&>();
  if (t == "track") {
    const Json& event = member(props, "event");
    if (!event.is_string() || !isValidEventType(event.get<std::string>())) {
      errors.push_back({"/props/event", "must be an event type such as \"add_to_cart\" or \"custom.my_event\""});
    } else if (isEngineEventType(event.get<std::string>())) {
      errors.push_back({"/props/event", "\"" + event.get<std::string>() +
                                            "\" is emitted by Relance itself and cannot be tracked"});
    }
    const Json& properties = member(props, "properties");
    if (!properties.is_null() && !properties.is_object())
      errors.push_back({"/props/properties", "must be an object"});
  } else if (t == "identify") {
    const Json& user = member(props, "user_id");
    if (!user.is_string() || user.get_ref<const std::string&>().empty() ||
        user.get_ref<const std::string&>().size() > kMaxIdBytes)
      errors.push_back({"/props/user_id", "must be a string of 1 to 64 characters"});
    const Json& traits = member(props, "traits");
    if (!traits.is_null() && !traits.is_object()) errors.push_back({"/props/traits", "must be an object"});
    if (traits.is_object()) {
      if (traits.size() > kMaxTraits) errors.push_back({"/props/traits", "at most 30 traits"});
      for (auto it = traits.begin(); it != traits.end(); ++it) {
        const Json& v = it.value();
        bool ok = v.is_number() || v.is_boolean() || v.is_null() ||
                  (v.is_string() && v.get_ref<const std::string&>().size() <= kMaxTraitBytes);
        if (!ok || it.key().size() > 64)
          errors.push_back({pointerAppend("/props/traits", it.key()),
                            "a trait is a number, a boolean, null or a string of at most 256 bytes"});
      }
    }
  } else if (t == "consent") {
    checkBool(props, "analytics", false, errors);
    checkBool(props, "marketing", false, errors);
    checkBool(props, "gpc", false, errors);
  } else if (t == "scroll") {
    checkNumber(props, "depth", 0, 100, "must be a number from 0 to 100", errors);
  } else if (t == "time" || t == "idle") {
    checkNumber(props, "seconds", 0, 1e7, "must be a number from 0 to 1e+07", errors);
  } else if (t == "visibility") {
    checkBool(props, "hidden", true, errors);
  } else if (t == "debug") {
    checkBool(props, "on", true, errors);
  }
  return errors;
}

// FNV-1a, 64 bits: ids for signals that came without one (deterministic, so
// both builds agree).
std::string derivedId(const std::string& seed) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : seed) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "r-%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string safeDump(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

// At most `max` bytes of `s`, never cutting a UTF-8 sequence in two.
std::string truncateUtf8(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

// "%41" -> "A", "+" -> " ": enough for UTM values.
std::string percentDecode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      auto hex = [](char h) { return h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10; };
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The UTM of a landing page: the event context's "utm" when the host gave it,
// else the utm_* parameters of the page URL.
Json landingUtm(const Json& event_context) {
  static const char* const kKeys[] = {"source", "medium", "campaign", "term", "content"};
  Json utm = Json::object();
  const Json& given = member(event_context, "utm");
  if (given.is_object()) {
    for (const char* k : kKeys) {
      const Json& v = member(given, k);
      if (v.is_string() && !v.get_ref<const std::string&>().empty()) utm[k] = truncateUtf8(v.get<std::string>(), 200);
    }
    return utm;
  }
  const Json& url = member(member(event_context, "page"), "url");
  if (!url.is_string()) return utm;
  const std::string& u = url.get_ref<const std::string&>();
  std::size_t q = u.find('?');
  if (q == std::string::npos) return utm;
  std::size_t end = u.find('#', q);
  std::string query = u.substr(q + 1, end == std::string::npos ? std::string::npos : end - q - 1);
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    std::string pair = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    std::size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.compare(0, 4, "utm_") == 0) {
      std::string key = pair.substr(4, eq - 4);
      for (const char* k : kKeys) {
        if (key == k) {
          std::string value = truncateUtf8(percentDecode(pair.substr(eq + 1)), 200);
          if (!value.empty()) utm[k] = value;
        }
      }
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return utm;
}

std::string productId(const Json& properties) {
  const Json& id = member(member(properties, "product"), "id");
  if (id.is_string()) return id.get<std::string>();
  if (id.is_number()) return safeDump(id);
  return "";
}

void recomputeCartValue(Json& cart) {
  double value = 0;
  for (const auto& item : cart["items"]) value += numberOr(item, "quantity", 0) * numberOr(item, "price", 0);
  setMember(cart, "value", number(std::round(value * 100) / 100));
}

// The commerce events change the cart, the viewed products and the orders.
void applyTrackedEvent(Json& state, const std::string& type, const Json& properties, std::int64_t now) {
  Json& cart = state["cart"];
  if (type == "product_view") {
    std::string id = productId(properties);
    if (id.empty()) return;
    Json& viewed = state["viewed"];
    Json entry = object({{"id", id}, {"count", 0}, {"ms", 0}, {"last", now}});
    for (auto it = viewed.begin(); it != viewed.end(); ++it) {
      if (member(*it, "id") == id) {
        entry = std::move(*it);
        viewed.erase(it);
        break;
      }
    }
    setMember(entry, "count", number(numberOr(entry, "count", 0) + 1));
    setMember(entry, "last", now);
    viewed.push_back(std::move(entry));  // most recent last: the oldest go first when capped
    if (viewed.size() > kMaxViewed) viewed.erase(viewed.begin());
    setMember(state["page"], "product", id);
  } else if (type == "add_to_cart" || type == "remove_from_cart") {
    std::string id = productId(properties);
    if (id.empty()) return;
    Json& items = cart["items"];
    auto found = std::find_if(items.begin(), items.end(), [&](const Json& i) { return member(i, "id") == id; });
    double quantity = numberOr(properties, "quantity", type == "add_to_cart" ? 1 : 1e9);
    if (type == "add_to_cart") {
      if (found == items.end()) {
        Json item = object({{"id", id}, {"quantity", 0}, {"price", 0}});
        const Json& name = member(member(properties, "product"), "name");
        if (name.is_string()) setMember(item, "name", truncateUtf8(name.get<std::string>(), 200));
        items.push_back(std::move(item));
        found = items.end() - 1;
      }
      (*found)["quantity"] = number(numberOr(*found, "quantity", 0) + quantity);
      (*found)["price"] = number(numberOr(properties, "price", numberOr(*found, "price", 0)));
      if (items.size() > kMaxCartItems) items.erase(items.begin());
      const Json& currency = member(properties, "currency");
      if (currency.is_string()) setMember(cart, "currency", currency);
    } else if (found != items.end()) {
      double left = numberOr(*found, "quantity", 0) - quantity;
      if (left <= 0) {
        items.erase(found);
      } else {
        (*found)["quantity"] = number(left);
      }
    }
    recomputeCartValue(cart);
    setMember(cart, "updated", now);
  } else if (type == "purchase") {
    Json& orders = state["orders"];
    double revenue = numberOr(properties, "revenue", 0);
    setMember(orders, "count", number(numberOr(orders, "count", 0) + 1));
    setMember(orders, "revenue", number(std::round((numberOr(orders, "revenue", 0) + revenue) * 100) / 100));
    setMember(orders, "last", now);
    const Json& order_id = member(properties, "order_id");
    Json order = object({{"id", order_id.is_string() ? order_id.get<std::string>() : std::string()},
                         {"ts", now},
                         {"revenue", number(revenue)}});
    orders["recent"].push_back(std::move(order));
    if (orders["recent"].size() > kMaxOrders) orders["recent"].erase(orders["recent"].begin());
    setMember(cart, "items", Json::array());
    setMember(cart, "value", 0);
    setMember(cart, "updated", now);
  }
}

// Where a visitor stands on consent, and what that means for events.
struct ConsentView {
  bool analytics;  // stamped on events
  bool marketing;
  std::string deliver;  // "queue", "hold" or "drop"
  bool persist;         // may the state be stored
};

ConsentView viewConsent(const ConsentPolicy& policy, const Json& consent) {
  const Json& a = member(consent, "analytics");
  const Json& m = member(consent, "marketing");
  bool gpc = member(consent, "gpc").is_boolean() && member(consent, "gpc").get<bool>();
  ConsentView v;
  v.analytics = a.is_boolean() ? a.get<bool>() : !policy.required;
  v.marketing = m.is_boolean() ? m.get<bool>() : !policy.required;
  if (gpc && policy.honor_gpc) v.marketing = false;
  if (v.analytics || policy.exempt_measurement) {
    v.deliver = "queue";
  } else if (a.is_boolean()) {
    v.deliver = "drop";  // refused
  } else {
    v.deliver = policy.pending == "buffer" ? "hold" : "drop";  // not asked yet
  }
  v.persist = !policy.required || (a.is_boolean() && a.get<bool>());
  return v;
}

}  // namespace

Engine::Engine(std::shared_ptr<const SiteConfig> config)
    : config_(config ? std::move(config) : std::make_shared<const SiteConfig>()),
      state_(newVisitorState()),
      last_context_(Json::object()) {}

Json Engine::restore(std::string_view state_text, std::int64_t now_ms) {
  (void)now_ms;  // sessions are judged on the next signal, against its time
  RestoredState restored = parseVisitorState(state_text);
  keepOwnTabParts(restored.state, state_, tab_id_);  // another tab's page is not this tab's
  state_ = std::move(restored.state);
  boundVisitorState(state_);
  state_text_ = serializeVisitorState(state_);
  last_context_ = Json::object();
  Json actions = Json::object();
  setMember(actions, "state", state_);
  setMember(actions, "persist", viewConsent(config_->consent, state_["consent"]).persist);
  if (!restored.notes.empty()) setMember(actions, "notes", restored.notes);
  return actions;
}

Json Engine::observe(const Json& signal, std::int64_t now_ms) {
  Json actions = Json::object();
  PathErrors invalid = checkSignal(signal);
  if (!invalid.empty()) {
    setMember(actions, "errors", toJson(invalid));
    return actions;
  }
  const std::string type = signal["type"].get<std::string>();
  const Json& props_in = member(signal, "props");
  const Json props = props_in.is_object() ? props_in : Json::object();
  const Json& ts = member(signal, "ts");
  const std::int64_t event_ts = ts.is_number() ? static_cast<std::int64_t>(ts.get<double>()) : now_ms;
  const std::string base_id = member(signal, "id").is_string()
                                  ? signal["id"].get<std::string>()
                                  : derivedId(safeDump(signal) + decimalText(now_ms) + safeDump(state_["anonymous_id"]));

  if (tab_id_.empty()) tab_id_ = base_id;

  const Json& given_context = member(signal, "context");
  if (given_context.is_object() && !given_context.empty()) last_context_ = given_context;
  const Json& event_context = last_context_;

  if (!state_["anonymous_id"].is_string()) setMember(state_, "anonymous_id", base_id);
  if (member(signal, "gpc").is_boolean()) setMember(state_["consent"], "gpc", signal["gpc"]);
  const ConsentView consent_before = viewConsent(config_->consent, state_["consent"]);

  // Sessions: an activity after `timeout` of inactivity opens a new one.
  bool new_session = false;
  if (isActivity(type)) {
    Json& session = state_["session"];
    const std::int64_t timeout = static_cast<std::int64_t>(config_->session_timeout_minutes) * kMinuteMs;
    const std::int64_t last = static_cast<std::int64_t>(numberOr(session, "last", 0));
    if (!session["id"].is_string() || now_ms - last > timeout) {
      new_session = true;
      session = object({{"id", base_id}, {"start", now_ms},        {"last", now_ms},
                        {"pages", 0},    {"seconds", 0},          {"utm", landingUtm(event_context)}});
      setMember(state_, "visits", number(numberOr(state_, "visits", 0) + 1));
    }
    setMember(session, "last", std::max<std::int64_t>(now_ms, static_cast<std::int64_t>(numberOr(session, "last", 0))));
    if (numberOr(state_, "first_seen", 0) <= 0) setMember(state_, "first_seen", now_ms);
    setMember(state_, "last_seen", now_ms);
  }

  // Events: ids from the signal's id, validated before they leave.
  int emitted = 0;
  Json events = Json::array();
  Json errors = Json::array();
  auto emit = [&](const std::string& event_type, Json properties) -> bool {
    ConsentView c = viewConsent(config_->consent, state_["consent"]);
    Json event = Json::object();
    setMember(event, "id", emitted == 0 ? base_id : base_id + ":" + decimalText(emitted));
    setMember(event, "type", event_type);
    setMember(event, "ts", event_ts);
    setMember(event, "anonymous_id", state_["anonymous_id"]);
    if (state_["user_id"].is_string()) setMember(event, "user_id", state_["user_id"]);
    if (state_["session"]["id"].is_string()) setMember(event, "session_id", state_["session"]["id"]);
    setMember(event, "consent", object({{"analytics", c.analytics}, {"marketing", c.marketing}}));
    if (event_context.is_object() && !event_context.empty()) setMember(event, "context", event_context);
    setMember(event, "properties", properties.is_object() ? std::move(properties) : Json::object());
    PathErrors problems = validateEvent(event);
    if (!problems.empty()) {
      for (const auto& p : problems)
        errors.push_back(object({{"path", p.path}, {"message", p.message}, {"event", event_type}}));
      return false;
    }
    ++emitted;
    events.push_back(std::move(event));
    return true;
  };

  Json engine_event;  // {"type", "properties"} of the event this signal is about, for the context
  if (type == "page_view") {
    Json& page = state_["page"];
    const Json& p = member(event_context, "page");
    page = newPageState();
    for (const char* key : {"path", "url"})
      if (member(p, key).is_string()) page[key] = member(p, key);
    setMember(state_["session"], "pages", number(numberOr(state_["session"], "pages", 0) + 1));
    setMember(state_, "pages_total", number(numberOr(state_, "pages_total", 0) + 1));
    engine_event = object({{"type", "page_view"}, {"properties", Json::object()}});
    emit("page_view", Json::object());
  } else if (type == "track") {
    std::string event_type = props["event"].get<std::string>();
    Json properties = member(props, "properties").is_object() ? props["properties"] : Json::object();
    engine_event = object({{"type", event_type}, {"properties", properties}});
    if (emit(event_type, properties)) {
      applyTrackedEvent(state_, event_type, properties, now_ms);
    } else {
      engine_event = Json();  // refused: the decisions do not see it
    }
  } else if (type == "identify") {
    setMember(state_, "user_id", props["user_id"]);
    Json traits = member(props, "traits").is_object() ? props["traits"] : Json::object();
    Json& kept = state_["traits"];
    for (auto it = traits.begin(); it != traits.end(); ++it) {
      if (it.value().is_null()) {
        kept.erase(it.key());
      } else if (kept.contains(it.key()) || kept.size() < kMaxTraits) {
        kept[it.key()] = it.value();
      }
    }
    Json properties = object({{"user_id", props["user_id"]}, {"traits", traits}});
    engine_event = object({{"type", "identify"}, {"properties", properties}});
    emit("identify", properties);
  } else if (type == "consent") {
    Json& c = state_["consent"];
    for (const char* key : {"analytics", "marketing"})
      if (member(props, key).is_boolean()) c[key] = props[key];
    if (member(props, "gpc").is_boolean()) setMember(c, "gpc", props["gpc"]);
  } else if (type == "scroll") {
    Json& page = state_["page"];
    setMember(page, "scroll", number(std::max(numberOr(page, "scroll", 0), props["depth"].get<double>())));
  } else if (type == "time") {
    Json& page = state_["page"];
    double seconds = props["seconds"].get<double>();
    double delta = std::max(0.0, seconds - numberOr(page, "seconds", 0));
    setMember(page, "seconds", number(std::max(seconds, numberOr(page, "seconds", 0))));
    setMember(state_["session"], "seconds", number(numberOr(state_["session"], "seconds", 0) + delta));
    if (page["product"].is_string()) {
      for (auto& v : state_["viewed"])
        if (member(v, "id") == page["product"]) setMember(v, "ms", number(numberOr(v, "ms", 0) + delta * 1000));
    }
  } else if (type == "idle") {
    setMember(state_["page"], "idle", number(props["seconds"].get<double>()));
  } else if (type == "exit_intent") {
    setMember(state_["page"], "exit_intent", true);
  } else if (type == "visibility") {
    bool hidden = props["hidden"].get<bool>();
    setMember(state_["page"], "hidden", hidden);
    const std::int64_t since = static_cast<std::int64_t>(numberOr(state_["page"], "hidden_since", 0));
    setMember(state_["page"], "hidden_since", hidden ? (since > 0 ? since : now_ms) : 0);
  } else if (type == "debug") {
    setMember(state_, "debug", props["on"]);
  }

  // This tab's visibility, merged with the other tabs' (visitor_state.h, "Tabs").
  setTabHiddenSince(state_, tab_id_, static_cast<std::int64_t>(numberOr(state_["page"], "hidden_since", 0)));

  // The decisions, in the order of the contract.
  Json context = buildContext(*config_, state_,
                              ContextInputs{signal, event_context, engine_event.is_object() ? &engine_event : nullptr,
                                            new_session, now_ms});
  DecisionStep step{signal, now_ms, state_, context, actions,
                    state_["debug"].is_boolean() && state_["debug"].get<bool>(),
                    [&](const std::string& t, Json p) { emit(t, std::move(p)); }};
  if (config_->scoring) decideScoring(*config_->scoring, step);
  if (config_->abandonment) decideAbandonment(*config_->abandonment, step);
  if (config_->personalization) decidePersonalization(*config_->personalization, step);
  if (config_->offers) decideOffers(*config_->offers, step);

  const ConsentView consent_now = viewConsent(config_->consent, state_["consent"]);
  if (!events.empty()) {
    Json& out = actions["events"];
    if (!out.is_array()) out = Json::array();
    for (auto& e : events) out.push_back(std::move(e));
  }
  if (!errors.empty()) {
    Json& out = actions["errors"];
    if (!out.is_array()) out = Json::array();
    for (auto& e : errors) out.push_back(std::move(e));
  }
  if (!events.empty() || type == "consent") setMember(actions, "deliver", consent_now.deliver);
  if (type == "consent") {
    if (consent_before.deliver != "queue" && consent_now.deliver == "queue") {
      actions["release_held"] =
          object({{"consent", object({{"analytics", consent_now.analytics}, {"marketing", consent_now.marketing}})}});
    } else if (consent_before.deliver == "hold" && consent_now.deliver == "drop") {
      setMember(actions, "drop_held", true);
    }
  }
  // One serialisation tells both whether the state changed and whether it
  // still fits (cheaper than copying the state to compare it).
  std::string text = serializeVisitorState(state_);
  if (text.size() > kMaxStateBytes) {
    boundVisitorState(state_);
    text = serializeVisitorState(state_);
  }
  if (text != state_text_) {
    state_text_ = std::move(text);
    setMember(actions, "state", state_);
    setMember(actions, "persist", consent_now.persist);
  }
  return actions;
}

}  // namespace relance
