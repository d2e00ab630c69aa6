// Browse, cart and post opt-in abandonment, noticed locally (the collector
// schedules the follow-ups).
//
// State: state["abandonment"] = {
//   "browse": {"sku": last_emitted_ms},      at most kMaxBrowseMemory products
//   "session": {"id", "products": {"sku": {"views", "ms"}}, "carted": [...], "product", "page_ms"},
//   "cart": "hash of the cart state last reported (or checked out)",
//   "activity": last_activity_ms (when the page is hidden: state "tabs", visitor_state.h),
//   "optin": optin_ms (0: none pending), "optin_offer": "offer id" }
#include "core/abandonment.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/compiled_reader.h"
#include "core/section_reader.h"
#include "core/variant.h"
#include "core/visitor_state.h"

namespace relance {

class AbandonmentConfig {
 public:
  bool browse_enabled = false;
  int browse_views = 3;            // views of one product in a session
  double browse_seconds = 0;       // or seconds on its pages in all (0: not used)
  double browse_period_days = 7;   // once per product per period
  bool cart_enabled = false;
  double cart_idle_minutes = 30;   // the session ends after this much inactivity
  double cart_hidden_minutes = 10; // or the page stays hidden this long
  bool optin_enabled = false;
  double optin_delay_minutes = 60;
};

namespace {

constexpr std::size_t kMaxBrowseMemory = 100;
constexpr std::size_t kMaxSessionProducts = 50;

// Signals that show the visitor is there (timers and visibility do not).
bool isActivity(const std::string& type) {
  return type == "page_view" || type == "track" || type == "identify" || type == "scroll" ||
         type == "exit_intent" || type == "show_offer" || type == "offer_dismissed" || type == "offer_submit";
}

// The type of the event a `track` signal produced, or "" for other signals
// and for a tracked event the engine refused (the context then has no
// "event"): an add_to_cart with quantity 0 is no add to cart, and a refused
// checkout_started does not save the cart from abandonment.
std::string trackedEvent(const DecisionStep& step) {
  if (signalType(step) != "track" || member(step.context, "event") == nullptr) return "";
  return stringMember(signalProps(step), "event");
}

const Json& trackedProperties(const DecisionStep& step) {
  const Json* p = member(signalProps(step), "properties");
  static const Json* const kEmpty = new Json(Json::object());
  return p != nullptr && p->is_object() ? *p : *kEmpty;
}

std::string productId(const Json& properties) {
  const Json* product = member(properties, "product");
  if (product != nullptr) return stringMember(*product, "id");
  return stringMember(properties, "product_id");
}

// The cart as the engine keeps it (state.cart, else context.cart), or null when empty.
const Json* currentCart(const DecisionStep& step) {
  const Json* cart = member(step.state, "cart");
  if (cart == nullptr || member(*cart, "items") == nullptr) cart = member(step.context, "cart");
  if (cart == nullptr) return nullptr;
  const Json* items = member(*cart, "items");
  if (items == nullptr || !items->is_array() || items->empty()) return nullptr;
  return cart;
}

std::string cartHash(const Json& cart) {
  std::string key;
  for (const auto& item : *member(cart, "items")) {
    key += stringMember(item, "id") + "*" + decimalText(integerMember(item, "quantity", 1)) + "@" +
           Json(numberMember(item, "price")).dump() + ";";
  }
  char hex[9];
  static const char kDigits[] = "0123456789abcdef";
  std::uint32_t h = fnv1a32(key);
  for (int i = 7; i >= 0; --i, h >>= 4) hex[i] = kDigits[h & 0xF];
  hex[8] = '\0';
  return hex;
}

double cartValue(const Json& cart) {
  if (const Json* v = member(cart, "value"); v != nullptr && v->is_number()) return numberMember(cart, "value");
  double total = 0;
  for (const auto& item : *member(cart, "items"))
    total += numberMember(item, "price") * static_cast<double>(integerMember(item, "quantity", 1));
  return std::round(total * 100) / 100;
}

void reportCart(const Json& cart, const char* reason, Json& memory, DecisionStep& step) {
  std::string hash = cartHash(cart);
  if (stringMember(memory, "cart") == hash) return;  // once per cart state
  setMember(memory, "cart", hash);
  Json items = Json::array();
  for (const auto& item : *member(cart, "items")) {
    items.push_back(object({{"id", stringMember(item, "id")},
                            {"quantity", integerMember(item, "quantity", 1)},
                            {"price", numberMember(item, "price")}}));
  }
  step.emit("cart_abandoned", object({{"items", items},
                                      {"value", cartValue(cart)},
                                      {"currency", stringMember(cart, "currency", "EUR")},
                                      {"reason", reason}}));
}

void checkCart(const AbandonmentConfig& config, Json& memory, DecisionStep& step) {
  const Json* cart = currentCart(step);
  std::string event = trackedEvent(step);
  if (cart != nullptr && (event == "checkout_started" || event == "purchase")) {
    memory["cart"] = cartHash(*cart);  // checked out: this cart state is not abandoned
    return;
  }
  std::int64_t activity = integerMember(memory, "activity", 0);
  // Hidden only while every tab is (state "tabs", kept by the engine): a
  // visible tab that adopted the state of a hidden one is a visitor still there.
  std::int64_t hidden = visitorHiddenSince(step.state);
  if (cart != nullptr) {
    if (activity > 0 && step.now_ms - activity >= static_cast<std::int64_t>(config.cart_idle_minutes * 60000)) {
      reportCart(*cart, "inactivity", memory, step);
    } else if (hidden > 0 &&
               step.now_ms - hidden >= static_cast<std::int64_t>(config.cart_hidden_minutes * 60000)) {
      reportCart(*cart, "hidden", memory, step);
    }
  }
  if (memory.contains("hidden")) memory.erase("hidden");  // kept here before the tabs map: a one-tab view
}

void checkBrowse(const AbandonmentConfig& config, Json& memory, DecisionStep& step, const std::string& type) {
  std::string session_id = stringMember(member(step.state, "session") ? *member(step.state, "session") : Json(), "id");
  Json& session = memory["session"];
  if (!session.is_object() || stringMember(session, "id") != session_id) {
    session = object({{"id", session_id}, {"products", Json::object()}, {"carted", Json::array()}, {"product", ""},
                      {"page_ms", 0}});
  }
  Json& products = session["products"];
  if (!products.is_object()) products = Json::object();
  if (!session["carted"].is_array()) setMember(session, "carted", Json::array());
  std::string event = trackedEvent(step);
  std::string touched;  // the product whose counters moved
  if (type == "page_view") {
    setMember(session, "product", "");
    setMember(session, "page_ms", 0);
  } else if (event == "product_view" || event == "add_to_cart") {
    std::string id = productId(trackedProperties(step));
    if (id.empty() || id.size() > 64) return;
    if (event == "add_to_cart") {
      Json& carted = session["carted"];
      if (std::find(carted.begin(), carted.end(), Json(id)) == carted.end() && carted.size() < kMaxSessionProducts)
        carted.push_back(id);
      return;
    }
    if (!products.contains(id) && products.size() >= kMaxSessionProducts) return;
    Json& p = products[id];
    if (!p.is_object()) p = object({{"views", 0}, {"ms", 0}});
    setMember(p, "views", integerMember(p, "views") + 1);
    setMember(session, "product", id);
    setMember(session, "page_ms", 0);
    touched = id;
  } else if (type == "time") {
    std::string id = stringMember(session, "product");
    if (id.empty() || !products.contains(id)) return;
    std::int64_t page_ms = static_cast<std::int64_t>(numberMember(signalProps(step), "seconds") * 1000);
    std::int64_t counted = integerMember(session, "page_ms");
    if (page_ms <= counted) return;
    products[id]["ms"] = integerMember(products[id], "ms") + (page_ms - counted);
    setMember(session, "page_ms", page_ms);
    touched = id;
  }
  if (touched.empty()) return;
  const Json& p = products[touched];
  bool viewed_enough = integerMember(p, "views") >= config.browse_views;
  bool stayed_enough = config.browse_seconds > 0 &&
                       integerMember(p, "ms") >= static_cast<std::int64_t>(config.browse_seconds * 1000);
  if (!viewed_enough && !stayed_enough) return;
  const Json& carted = session["carted"];
  if (std::find(carted.begin(), carted.end(), Json(touched)) != carted.end()) return;
  Json& reported = memory["browse"];
  if (!reported.is_object()) reported = Json::object();
  std::int64_t last = integerMember(reported, touched.c_str(), 0);
  if (last > 0 && step.now_ms - last < static_cast<std::int64_t>(config.browse_period_days * kDayMs)) return;
  reported.erase(touched);
  while (reported.size() >= kMaxBrowseMemory) {  // forget the oldest report
    auto oldest = reported.begin();
    for (auto it = reported.begin(); it != reported.end(); ++it)
      if (integerMember(reported, it.key().c_str()) < integerMember(reported, oldest.key().c_str())) oldest = it;
    reported.erase(oldest);
  }
  reported[touched] = step.now_ms;
  step.emit("browse_abandoned",
            object({{"products", Json::array({object({{"id", touched},
                                               {"views", integerMember(p, "views")},
                                               {"seconds", integerMember(p, "ms") / 1000}})})},
                    {"reason", viewed_enough ? "views" : "time"}}));
}

void checkOptin(const AbandonmentConfig& config, Json& memory, DecisionStep& step) {
  std::int64_t optin = integerMember(memory, "optin", 0);
  if (optin <= 0) return;
  if (trackedEvent(step) == "add_to_cart") {
    setMember(memory, "optin", 0);
    return;
  }
  if (step.now_ms - optin < static_cast<std::int64_t>(config.optin_delay_minutes * 60000)) return;
  setMember(memory, "optin", 0);
  Json properties = object({{"minutes", config.optin_delay_minutes}});
  std::string offer = stringMember(memory, "optin_offer");
  if (!offer.empty()) setMember(properties, "offer_id", offer);
  step.emit("optin_no_cart", properties);
}

void readSwitch(const Json& section, const char* key, const std::string& path, PathErrors& errors, bool& enabled,
                const Json*& out) {
  out = member(section, key);
  if (out == nullptr) return;
  std::string at = pointerAppend(path, key);
  if (out->is_boolean()) {
    enabled = out->get<bool>();
    out = nullptr;
    return;
  }
  if (!out->is_object()) {
    errors.push_back({at, "must be an object (or true / false)"});
    out = nullptr;
    return;
  }
  enabled = boolMember(*out, "enabled", true);
  readBool(*out, "enabled", at, errors, enabled);
}

}  // namespace

std::shared_ptr<const AbandonmentConfig> compileAbandonment(const Json& section, const std::string& path,
                                                            PathErrors& errors) {
  auto config = std::make_shared<AbandonmentConfig>();
  if (section.is_null()) return config;
  if (!section.is_object()) {
    errors.push_back({path, "must be an object {browse, cart, optin}"});
    return nullptr;
  }
  std::size_t before = errors.size();
  checkKnownKeys(section, {"browse", "cart", "optin"}, path, errors);
  const Json* browse = nullptr;
  readSwitch(section, "browse", path, errors, config->browse_enabled, browse);
  if (browse != nullptr) {
    std::string at = pointerAppend(path, "browse");
    checkKnownKeys(*browse, {"enabled", "views", "seconds", "period_days"}, at, errors);
    double views = config->browse_views;
    readNumber(*browse, "views", at, errors, views, 1, 1000);
    if (views != std::floor(views)) errors.push_back({pointerAppend(at, "views"), "must be a whole number"});
    config->browse_views = static_cast<int>(views);
    readNumber(*browse, "seconds", at, errors, config->browse_seconds, 0, 86400);
    readNumber(*browse, "period_days", at, errors, config->browse_period_days, 0, 365);
  }
  const Json* cart = nullptr;
  readSwitch(section, "cart", path, errors, config->cart_enabled, cart);
  if (cart != nullptr) {
    std::string at = pointerAppend(path, "cart");
    checkKnownKeys(*cart, {"enabled", "idle_minutes", "hidden_minutes"}, at, errors);
    readNumber(*cart, "idle_minutes", at, errors, config->cart_idle_minutes, 1, 10080);
    readNumber(*cart, "hidden_minutes", at, errors, config->cart_hidden_minutes, 1, 10080);
  }
  const Json* optin = nullptr;
  readSwitch(section, "optin", path, errors, config->optin_enabled, optin);
  if (optin != nullptr) {
    std::string at = pointerAppend(path, "optin");
    checkKnownKeys(*optin, {"enabled", "delay_minutes"}, at, errors);
    readNumber(*optin, "delay_minutes", at, errors, config->optin_delay_minutes, 1, 43200);
  }
  return errors.size() == before ? config : nullptr;
}

std::shared_ptr<const AbandonmentConfig> loadAbandonment(const Json& section, const std::string& path,
                                                         CompiledReader& in) {
  auto config = std::make_shared<AbandonmentConfig>();
  if (section.is_null()) return config;
  std::string at = pointerAppend(path, "browse");
  const Json& browse = in.objectMember(section, "browse", path);
  config->browse_enabled = in.boolean(browse, "enabled", at);
  config->browse_views = static_cast<int>(in.number(browse, "views", at, 1, 1000));
  config->browse_seconds = in.number(browse, "seconds", at, 0, 86400);
  config->browse_period_days = in.number(browse, "period_days", at, 0, 365);
  at = pointerAppend(path, "cart");
  const Json& cart = in.objectMember(section, "cart", path);
  config->cart_enabled = in.boolean(cart, "enabled", at);
  config->cart_idle_minutes = in.number(cart, "idle_minutes", at, 1, 10080);
  config->cart_hidden_minutes = in.number(cart, "hidden_minutes", at, 1, 10080);
  at = pointerAppend(path, "optin");
  const Json& optin = in.objectMember(section, "optin", path);
  config->optin_enabled = in.boolean(optin, "enabled", at);
  config->optin_delay_minutes = in.number(optin, "delay_minutes", at, 1, 43200);
  return in.ok() ? config : nullptr;
}

Json abandonmentToJson(const AbandonmentConfig& config) {
  if (!config.browse_enabled && !config.cart_enabled && !config.optin_enabled) return nullptr;
  return object({{"browse", object({{"enabled", config.browse_enabled}, {"views", config.browse_views},
                             {"seconds", config.browse_seconds}, {"period_days", config.browse_period_days}})},
                 {"cart", object({{"enabled", config.cart_enabled}, {"idle_minutes", config.cart_idle_minutes},
                           {"hidden_minutes", config.cart_hidden_minutes}})},
                 {"optin", object({{"enabled", config.optin_enabled}, {"delay_minutes", config.optin_delay_minutes}})}});
}

void decideAbandonment(const AbandonmentConfig& config, DecisionStep& step) {
  if (!config.browse_enabled && !config.cart_enabled && !config.optin_enabled) return;
  Json& memory = stateObject(step.state, "abandonment");
  std::string type = signalType(step);
  if (config.cart_enabled) checkCart(config, memory, step);
  if (config.browse_enabled) checkBrowse(config, memory, step, type);
  if (config.optin_enabled) checkOptin(config, memory, step);
  if (isActivity(type)) setMember(memory, "activity", step.now_ms);
}

void noteOptin(Json& state, const std::string& offer_id, std::int64_t now_ms) {
  Json& memory = stateObject(state, "abandonment");
  setMember(memory, "optin", now_ms);
  setMember(memory, "optin_offer", offer_id);
}

}  // namespace relance
