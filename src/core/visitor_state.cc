#include "core/visitor_state.h"

#include <algorithm>
#include <iterator>

namespace relance {
namespace {

// The state of a visitor never seen, as the JSON it persists as. Parsed once
// and copied at each use: the text costs the browser tag's wasm far less than
// code building its 46 members one by one (docs/design/performance.md,
// "Browser tag", session 6). Its integers parse as unsigned, as those of every
// stored state do; both kinds compare and serialise alike.
const char kNewVisitorState[] =
    R"({"v":1,"anonymous_id":null,"user_id":null,"first_seen":0,"last_seen":0,"visits":0,)"
    R"("session":{"id":null,"start":0,"last":0,"pages":0,"seconds":0,"utm":{}},"pages_total":0,)"
    R"("consent":{"analytics":null,"marketing":null,"gpc":false},"subscribed":false,"score":{},)"
    R"("cart":{"items":[],"value":0,"currency":null,"updated":0},"viewed":[],)"
    R"("orders":{"count":0,"revenue":0,"last":0,"recent":[]},"offers":{},"abandonment":{},"traits":{},"tabs":{},)"
    R"("page":{"path":null,"url":null,"scroll":0,"seconds":0,"idle":0,"hidden":false,"hidden_since":0,)"
    R"("exit_intent":false,"offer_shown":false,"product":null},"debug":false})";
static_assert(kVisitorStateVersion == 1, "kNewVisitorState's \"v\" is the version");

// Two JSON values have a compatible type for the state: numbers of any kind
// are one type; a null in the template accepts null or a string.
bool sameKind(const Json& value, const Json& model) {
  if (model.is_null()) return value.is_null() || value.is_string();
  if (model.is_number()) return value.is_number();
  return value.type() == model.type();
}

// Makes `value` have the keys and types of `model`: a missing key gets the
// model's value, a key of the wrong type is reset (with a note), keys the
// model does not know are dropped. Nested objects are checked the same way;
// arrays and the free-form objects (empty in the model) only by type.
void conform(Json& value, const Json& model, const std::string& path, std::vector<std::string>& notes) {
  Json out = Json::object();
  for (auto it = model.begin(); it != model.end(); ++it) {
    auto found = value.find(it.key());
    std::string where = path + "/" + it.key();
    if (found == value.end()) {
      out[it.key()] = it.value();
    } else if (!sameKind(*found, it.value())) {
      notes.push_back("visitor state " + where + " had the wrong type: reset");
      out[it.key()] = it.value();
    } else if (it.value().is_object() && !it.value().empty()) {
      Json nested = std::move(*found);
      conform(nested, it.value(), where, notes);
      out[it.key()] = std::move(nested);
    } else {
      out[it.key()] = std::move(*found);
    }
  }
  value = std::move(out);
}

// Keeps the elements of a list that are objects with a string "id" and
// numbers where `numeric` says.
void keepWellFormed(Json& list, std::initializer_list<const char*> numeric, const std::string& where,
                    std::vector<std::string>& notes) {
  Json out = Json::array();
  for (auto& item : list) {
    bool ok = item.is_object() && item.contains("id") && item["id"].is_string();
    for (const char* key : numeric) {
      auto it = ok ? item.find(key) : item.end();
      ok = ok && it != item.end() && it->is_number();
    }
    if (ok) out.push_back(std::move(item));
  }
  if (out.size() != list.size()) notes.push_back("visitor state " + where + ": malformed entries dropped");
  list = std::move(out);
}

// A tab's entry in "tabs": the time it was hidden since; anything else 0.
double tabSince(const Json& entry) { return entry.is_number() ? entry.get<double>() : 0; }

void repairV1(Json& state, std::vector<std::string>& notes) {
  // Consent answers are true, false or null (not asked): kept aside because
  // the model's null otherwise means "a string or null".
  Json answers = Json::object();
  auto consent = state.find("consent");
  if (consent != state.end() && consent->is_object())
    for (const char* key : {"analytics", "marketing"}) {
      auto it = consent->find(key);
      if (it != consent->end() && it->is_boolean()) answers[key] = *it;
    }
  Json model = newVisitorState();
  conform(state, model, "", notes);
  for (auto it = answers.begin(); it != answers.end(); ++it) state["consent"][it.key()] = it.value();
  if (!state["session"].is_null() && !state["session"].is_object()) setMember(state, "session", nullptr);
  keepWellFormed(state["cart"]["items"], {"quantity", "price"}, "/cart/items", notes);
  keepWellFormed(state["viewed"], {"count", "last"}, "/viewed", notes);
  keepWellFormed(state["orders"]["recent"], {"ts", "revenue"}, "/orders/recent", notes);
  // A tab's entry is the time it was hidden since (0: visible): anything else
  // would count as a visible tab for good, so it goes.
  Json& tabs = state["tabs"];
  std::size_t before = tabs.size();
  for (auto it = tabs.begin(); it != tabs.end();) it = it->is_number() && tabSince(*it) >= 0 ? std::next(it) : tabs.erase(it);
  if (tabs.size() != before) notes.push_back("visitor state /tabs: malformed entries dropped");
  for (const char* key : {"anonymous_id", "user_id"}) {
    Json& id = state[key];
    if (id.is_string() && (id.get_ref<const std::string&>().empty() || id.get_ref<const std::string&>().size() > 64)) {
      notes.push_back(std::string("visitor state /") + key + " was not a valid id: reset");
      id = nullptr;
    }
  }
  for (const char* key : {"analytics", "marketing"}) {
    Json& c = state["consent"][key];
    if (!c.is_null() && !c.is_boolean()) {
      notes.push_back(std::string("visitor state /consent/") + key + " had the wrong type: reset");
      c = nullptr;
    }
  }
}

// Version 0, the shape of the pre-release tag:
// {"version": 0, "anon": "...", "visits": n, "pages": n, "first": ms, "last": ms,
//  "cart": [{"id", "quantity", "price"}]}.
Json migrateV0(const Json& old) {
  Json state = newVisitorState();
  auto copyIf = [&](const char* from, const char* to, bool want_string) {
    auto it = old.find(from);
    if (it == old.end()) return;
    if (want_string ? it->is_string() : it->is_number()) state[to] = *it;
  };
  copyIf("anon", "anonymous_id", true);
  copyIf("visits", "visits", false);
  copyIf("pages", "pages_total", false);
  copyIf("first", "first_seen", false);
  copyIf("last", "last_seen", false);
  auto cart = old.find("cart");
  if (cart != old.end() && cart->is_array()) {
    double value = 0;
    for (const auto& item : *cart) {
      if (!item.is_object()) continue;
      auto id = item.find("id");
      auto q = item.find("quantity");
      auto p = item.find("price");
      if (id == item.end() || !id->is_string() || q == item.end() || !q->is_number() || p == item.end() ||
          !p->is_number())
        continue;
      state["cart"]["items"].push_back(object({{"id", *id}, {"quantity", *q}, {"price", *p}}));
      value += q->get<double>() * p->get<double>();
    }
    setMember(state["cart"], "value", value);
  }
  return state;
}

// Drops the first element of an array, or the entry of an object whose
// `field` (a time) is the smallest. False when there was nothing to drop.
bool dropOldest(Json& list) {
  if (list.is_array() && !list.empty()) {
    list.erase(list.begin());
    return true;
  }
  return false;
}

bool dropOldestEntry(Json* found, const char* time_field) {
  if (found == nullptr || !found->is_object() || found->empty()) return false;
  Json& map = *found;
  auto oldest = map.begin();
  double oldest_time = 0;
  bool first = true;
  for (auto it = map.begin(); it != map.end(); ++it) {
    double t = 0;
    if (it->is_number()) {
      t = it->get<double>();
    } else if (it->is_object()) {
      auto f = it->find(time_field);
      if (f != it->end() && f->is_number()) t = f->get<double>();
    }
    if (first || t < oldest_time) {
      oldest = it;
      oldest_time = t;
      first = false;
    }
  }
  map.erase(oldest);
  return true;
}

// The member `key` of `object`, or null when there is none (never adds the
// key, unlike operator[]).
Json* child(Json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const Json& newStateTemplate() {
  static const Json* const kState = new Json(parseJson(kNewVisitorState).value);  // immutable, never freed
  return *kState;
}

}  // namespace

Json newVisitorState() { return newStateTemplate(); }

Json newPageState() { return newStateTemplate()["page"]; }

RestoredState parseVisitorState(std::string_view text) {
  RestoredState out;
  if (text.empty()) {
    out.state = newVisitorState();
    return out;
  }
  ParsedJson parsed = parseJson(text, 16);
  if (!parsed.ok || !parsed.value.is_object()) {
    out.state = newVisitorState();
    out.notes.push_back("visitor state was corrupt (" +
                        (parsed.ok ? std::string("not an object") : parsed.message) + "): reset");
    return out;
  }
  Json& old = parsed.value;
  auto v = old.find("v");
  auto version = old.find("version");
  if (v == old.end() && version != old.end() && version->is_number() && version->get<double>() == 0) {
    out.state = migrateV0(old);
    out.notes.push_back("visitor state migrated from version 0 to 1");
    return out;
  }
  if (v == old.end() || !v->is_number() || v->get<double>() != kVisitorStateVersion) {
    out.state = newVisitorState();
    out.notes.push_back("visitor state has an unknown version: reset");
    return out;
  }
  out.state = std::move(old);
  repairV1(out.state, out.notes);
  std::size_t before = out.state.dump(-1, ' ', false, Json::error_handler_t::replace).size();
  if (before > kMaxStateBytes) {
    boundVisitorState(out.state);
    out.notes.push_back("visitor state was larger than 16 KiB: oldest entries dropped");
  }
  return out;
}

std::size_t boundVisitorState(Json& state) {
  auto cap = [](Json& list, std::size_t max) {
    if (list.is_array() && list.size() > max) list.erase(list.begin(), list.end() - static_cast<long>(max));
  };
  cap(state["viewed"], kMaxViewed);
  cap(state["cart"]["items"], kMaxCartItems);
  cap(state["orders"]["recent"], kMaxOrders);
  std::size_t size = state.dump(-1, ' ', false, Json::error_handler_t::replace).size();
  // Then, only if still too big, drop the oldest entries, least useful first.
  // Each pass removes one entry; the loop ends because every list shrinks.
  while (size > kMaxStateBytes) {
    bool dropped = dropOldestEntry(child(state["abandonment"], "browse"), "") ||
                   dropOldestEntry(child(state["score"], "rules"), "day") || dropOldest(state["viewed"]) ||
                   dropOldest(state["orders"]["recent"]) || dropOldestEntry(&state["offers"], "last_shown") ||
                   dropOldestEntry(&state["traits"], "") || dropOldest(state["cart"]["items"]);
    if (!dropped) {
      // Nothing left to trim but the state is still too big (an oversized
      // string somewhere): keep identity and counters, drop the rest.
      Json fresh = newVisitorState();
      for (const char* key : {"anonymous_id", "user_id", "first_seen", "last_seen", "visits", "pages_total",
                              "consent", "subscribed"})
        fresh[key] = state[key];
      state = std::move(fresh);
      size = state.dump(-1, ' ', false, Json::error_handler_t::replace).size();
      if (size > kMaxStateBytes) setMember(state, "user_id", nullptr);
      return state.dump(-1, ' ', false, Json::error_handler_t::replace).size();
    }
    size = state.dump(-1, ' ', false, Json::error_handler_t::replace).size();
  }
  return size;
}

void setTabHiddenSince(Json& state, const std::string& tab, std::int64_t hidden_since) {
  Json& tabs = state["tabs"];
  if (!tabs.is_object()) tabs = Json::object();
  tabs[tab] = hidden_since;
  // Bounded: every page load is a new tab (reloads, navigations), and a tab
  // that closes stays in the map as hidden. The tab hidden first goes first
  // (it no longer changes visitorHiddenSince), else, when more than
  // kMaxTabs are visible, any other: a tab still open writes its entry back
  // on its next signal.
  while (tabs.size() > kMaxTabs) {
    auto drop = tabs.end();
    for (auto it = tabs.begin(); it != tabs.end(); ++it) {
      if (it.key() == tab) continue;
      double since = tabSince(*it);
      if (drop == tabs.end() || (since > 0 && (tabSince(*drop) <= 0 || since < tabSince(*drop)))) drop = it;
    }
    tabs.erase(drop);
  }
}

std::int64_t visitorHiddenSince(const Json& state) {
  auto tabs = state.find("tabs");
  if (tabs == state.end() || !tabs->is_object() || tabs->empty()) return 0;
  double latest = 0;
  for (const auto& entry : *tabs) {
    if (tabSince(entry) <= 0) return 0;  // one tab is visible: the visitor is there
    latest = std::max(latest, tabSince(entry));
  }
  return static_cast<std::int64_t>(latest);
}

void keepOwnTabParts(Json& adopted, Json& own, const std::string& tab) {
  Json* page = child(own, "page");
  if (page == nullptr || !page->is_object()) page = &(own["page"] = newPageState());
  std::int64_t hidden_since = static_cast<std::int64_t>(tabSince((*page)["hidden_since"]));
  adopted["page"] = std::move(*page);
  if (!tab.empty()) setTabHiddenSince(adopted, tab, hidden_since);
  // Browse abandonment's memory of the session keeps which product this
  // tab's page shows and how much of its time was counted: this tab's too.
  Json* own_session = child(own["abandonment"], "session");
  Json* session = child(adopted["abandonment"], "session");
  if (own_session == nullptr || session == nullptr || !session->is_object()) return;
  Json* own_id = child(*own_session, "id");
  Json* id = child(*session, "id");
  if (own_id == nullptr || id == nullptr || *own_id != *id) return;
  for (const char* key : {"product", "page_ms"})
    if (Json* value = child(*own_session, key)) (*session)[key] = std::move(*value);
}

std::string serializeVisitorState(const Json& state) {
  return state.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace relance
