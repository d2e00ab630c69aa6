#include "core/context_builder.h"

#include <utility>
#include <vector>

namespace relance {
namespace {

constexpr std::int64_t kDayMs = 86400000;

// The member `key` of `object`, or null (never asserts on a missing key,
// unlike the const operator[]).
const Json& field(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

double numberOr(const Json& object, const char* key, double fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : fallback;
}

Json objectOr(const Json& object, const char* key) {
  if (!object.is_object()) return Json::object();
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : Json::object();
}

// Whole numbers stay integers in the context so that conditions such as
// {"visitor.orders": 5} compare the same on both builds.
Json number(double d) {
  if (d == static_cast<double>(static_cast<std::int64_t>(d))) return Json(static_cast<std::int64_t>(d));
  return Json(d);
}

Json visitorContext(const Json& state, std::int64_t now) {
  const Json& orders = field(state, "orders");
  const Json& traits = field(state, "traits");
  double count = numberOr(orders, "count", 0);
  double revenue = numberOr(orders, "revenue", 0);
  double last_order = numberOr(orders, "last", 0);
  double orders_year = 0;
  for (const auto& o : field(orders, "recent"))
    if (numberOr(o, "ts", 0) > static_cast<double>(now - 365 * kDayMs)) ++orders_year;
  // The site's back office knows more than this browser: customer-value
  // traits given with identify take precedence (docs/engine.md).
  count = numberOr(traits, "orders", count);
  orders_year = numberOr(traits, "orders_year", orders_year);
  revenue = numberOr(traits, "revenue", revenue);
  last_order = numberOr(traits, "last_order_at", last_order);

  Json v = Json::object();
  setMember(v, "visits", field(state, "visits"));
  setMember(v, "pages_total", field(state, "pages_total"));
  setMember(v, "score", number(numberOr(field(state, "score"), "value", 0)));
  setMember(v, "identified", field(state, "user_id").is_string());
  setMember(v, "subscribed", field(state, "subscribed").is_boolean() && field(state, "subscribed").get<bool>());
  setMember(v, "orders", number(count));
  setMember(v, "orders_year", number(orders_year));
  setMember(v, "revenue", number(revenue));
  v["last_order_days"] =
      last_order > 0 ? Json(daysBetween(static_cast<std::int64_t>(last_order), now)) : Json(nullptr);
  double first_seen = numberOr(state, "first_seen", 0);
  setMember(v, "first_seen_days", first_seen > 0 ? daysBetween(static_cast<std::int64_t>(first_seen), now) : 0);
  setMember(v, "traits", traits);
  return v;
}

Json cartContext(const Json& cart) {
  Json items = Json::array();
  double quantity = 0;
  for (const auto& item : field(cart, "items")) {
    items.push_back(item);
    quantity += numberOr(item, "quantity", 0);
  }
  return object({{"items", std::move(items)},
                 {"quantity", number(quantity)},
                 {"value", number(numberOr(cart, "value", 0))},
                 {"currency", field(cart, "currency")}});
}

// The viewed product ids, most recently viewed first (ties keep the state's
// order). A stable insertion sort written out, not std::stable_sort: the
// list holds at most kMaxViewed (50) entries, where libc++'s stable_sort runs
// the same insertion sort, and its merge code cost the tag 2 KB of wasm.
Json viewedContext(const Json& viewed) {
  std::vector<std::pair<double, const Json*>> entries;  // (last viewed, entry)
  for (const auto& v : viewed) {
    std::pair<double, const Json*> entry{numberOr(v, "last", 0), &v};
    std::size_t i = entries.size();
    entries.push_back(entry);
    for (; i > 0 && entry.first > entries[i - 1].first; --i) entries[i] = entries[i - 1];
    entries[i] = entry;
  }
  Json ids = Json::array();
  for (const auto& entry : entries) ids.push_back(field(*entry.second, "id"));
  return ids;
}

}  // namespace

std::int64_t daysBetween(std::int64_t from_ms, std::int64_t to_ms) {
  return to_ms <= from_ms ? 0 : (to_ms - from_ms) / kDayMs;
}

Json buildContext(const SiteConfig& config, const Json& state, const ContextInputs& in) {
  Json c = Json::object();
  setMember(c, "page", objectOr(in.event_context, "page"));
  setMember(c, "utm", objectOr(field(state, "session"), "utm"));
  setMember(c, "device", objectOr(in.event_context, "device"));
  auto locale = in.event_context.find("locale");
  setMember(c, "locale", locale != in.event_context.end() && locale->is_string() ? *locale : Json(nullptr));
  setMember(c, "visitor", visitorContext(state, in.now_ms));
  const Json& session = field(state, "session");
  double start = numberOr(session, "start", 0);
  c["session"] = object({{"pages", field(session, "pages")},
                         {"seconds", number(numberOr(session, "seconds", 0))},
                         {"number", field(state, "visits")},
                         {"new", in.new_session},
                         {"age_seconds", start > 0 ? (in.now_ms - static_cast<std::int64_t>(start)) / 1000 : 0}});
  setMember(c, "cart", cartContext(field(state, "cart")));
  setMember(c, "viewed", viewedContext(field(state, "viewed")));
  if (in.event != nullptr) setMember(c, "event", *in.event);
  Json signal = objectOr(in.signal, "props");
  setMember(signal, "type", field(in.signal, "type"));
  setMember(c, "signal", std::move(signal));
  setMember(c, "now", in.now_ms);

  Json segments = Json::array();
  for (const auto& segment : config.compiled_segments)
    if (evaluate(*segment.condition, c)) segments.push_back(segment.name);
  setMember(c, "segments", std::move(segments));
  return c;
}

}  // namespace relance
