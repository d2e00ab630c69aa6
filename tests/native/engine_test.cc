// Engine and visitor state: what the scenario tables do not show easily
// (sizes, notes, ids, the context shape, hostile input).
#include <gtest/gtest.h>

#include <string>

#include "core/context_builder.h"
#include "core/engine.h"
#include "core/site_config.h"
#include "core/visitor_state.h"

namespace relance {
namespace {

constexpr std::int64_t kT0 = 1767225600000;

std::shared_ptr<const SiteConfig> configFrom(const char* text) {
  CompileSiteConfigResult r = compileSiteConfig(Json::parse(text));
  EXPECT_TRUE(r.errors.empty()) << toJson(r.errors).dump();
  return r.config;
}

Json pageView(const std::string& id, const std::string& path) {
  return Json{{"type", "page_view"}, {"id", id},
              {"context", {{"page", {{"url", "https://shop.example" + path}, {"path", path}}}}}};
}

TEST(VisitorState, CorruptUnknownAndOldStatesLeaveNotes) {
  EXPECT_TRUE(parseVisitorState("").notes.empty());
  RestoredState corrupt = parseVisitorState("{\"v\":1,");
  ASSERT_EQ(corrupt.notes.size(), 1u);
  EXPECT_NE(corrupt.notes[0].find("corrupt"), std::string::npos);
  EXPECT_EQ(corrupt.state, newVisitorState());
  RestoredState future = parseVisitorState(R"({"v":2,"anonymous_id":"x"})");
  ASSERT_EQ(future.notes.size(), 1u);
  EXPECT_NE(future.notes[0].find("unknown version"), std::string::npos);
  EXPECT_TRUE(future.state["anonymous_id"].is_null());
  RestoredState old = parseVisitorState(R"({"version":0,"anon":"a1","visits":2})");
  ASSERT_EQ(old.notes.size(), 1u);
  EXPECT_NE(old.notes[0].find("migrated"), std::string::npos);
  EXPECT_EQ(old.state["anonymous_id"], "a1");
  EXPECT_EQ(old.state["visits"], 2);
  RestoredState repaired = parseVisitorState(R"({"v":1,"visits":"two","anonymous_id":"a"})");
  ASSERT_EQ(repaired.notes.size(), 1u);
  EXPECT_NE(repaired.notes[0].find("/visits"), std::string::npos);
}

// newVisitorState() is parsed from a text: it must be exactly this value
// (the member-by-member construction it replaced), never null.
TEST(VisitorState, ANewStateHasTheDocumentedShape) {
  Json session = {{"id", nullptr}, {"start", 0}, {"last", 0}, {"pages", 0}, {"seconds", 0}, {"utm", Json::object()}};
  Json page = {{"path", nullptr},     {"url", nullptr},      {"scroll", 0},          {"seconds", 0},
               {"idle", 0},           {"hidden", false},     {"hidden_since", 0},    {"exit_intent", false},
               {"offer_shown", false}, {"product", nullptr}};
  Json expected = {{"v", kVisitorStateVersion},
                   {"anonymous_id", nullptr},
                   {"user_id", nullptr},
                   {"first_seen", 0},
                   {"last_seen", 0},
                   {"visits", 0},
                   {"session", session},
                   {"pages_total", 0},
                   {"consent", {{"analytics", nullptr}, {"marketing", nullptr}, {"gpc", false}}},
                   {"subscribed", false},
                   {"score", Json::object()},
                   {"cart", {{"items", Json::array()}, {"value", 0}, {"currency", nullptr}, {"updated", 0}}},
                   {"viewed", Json::array()},
                   {"orders", {{"count", 0}, {"revenue", 0}, {"last", 0}, {"recent", Json::array()}}},
                   {"offers", Json::object()},
                   {"abandonment", Json::object()},
                   {"traits", Json::object()},
                   {"tabs", Json::object()},
                   {"page", page},
                   {"debug", false}};
  EXPECT_EQ(newVisitorState(), expected);
  EXPECT_EQ(newVisitorState().dump(), expected.dump());
  Json changed = newVisitorState();
  changed["visits"] = 3;
  EXPECT_EQ(newVisitorState()["visits"], 0);  // each call is a fresh copy
}

TEST(VisitorState, AStateRoundTripsUnchanged) {
  Engine engine(configFrom("{}"));
  engine.restore("", kT0);
  engine.observe(pageView("s1", "/"), kT0);
  engine.observe(Json{{"type", "identify"}, {"id", "s2"}, {"props", {{"user_id", "u1"}, {"traits", {{"a", 1}}}}}},
                 kT0 + 1);
  RestoredState again = parseVisitorState(serializeVisitorState(engine.state()));
  EXPECT_TRUE(again.notes.empty());
  EXPECT_EQ(again.state, engine.state());
}

TEST(VisitorState, StaysWithin16KiBWhateverHappens) {
  Engine engine(configFrom("{}"));
  engine.restore("", kT0);
  engine.observe(pageView("s0", "/"), kT0);
  std::string long_name(190, 'n');
  for (int i = 0; i < 400; ++i) {
    std::string sku = "sku-" + std::to_string(i) + "-" + std::string(40, 'x');
    engine.observe(Json{{"type", "track"}, {"id", "v" + std::to_string(i)},
                        {"props", {{"event", "product_view"}, {"properties", {{"product", {{"id", sku}}}}}}}},
                   kT0 + i);
    engine.observe(Json{{"type", "track"}, {"id", "c" + std::to_string(i)},
                        {"props", {{"event", "add_to_cart"},
                                   {"properties", {{"product", {{"id", sku}, {"name", long_name}}},
                                                   {"quantity", 1}, {"price", 1}, {"currency", "EUR"}}}}}},
                   kT0 + i);
    ASSERT_LE(serializeVisitorState(engine.state()).size(), kMaxStateBytes) << "after " << i;
  }
  EXPECT_LE(engine.state()["viewed"].size(), kMaxViewed);
  EXPECT_LE(engine.state()["cart"]["items"].size(), kMaxCartItems);
  // The newest entries are the ones kept.
  EXPECT_EQ(engine.state()["viewed"].back()["id"], "sku-399-" + std::string(40, 'x'));
}

TEST(Engine, FurtherEventsOfOneSignalGetNumberedIds) {
  // A purchase that crosses no threshold emits one event; identify one. The
  // ":n" numbering is checked through the DecisionStep emitter: a scoring
  // threshold makes a second event on the same signal when scoring is
  // configured (see decisions scenarios); here the first id is the signal's.
  Engine engine(configFrom("{}"));
  engine.restore("", kT0);
  Json a = engine.observe(pageView("11111111-2222-3333-4444-555555555555", "/"), kT0);
  ASSERT_EQ(a["events"].size(), 1u);
  EXPECT_EQ(a["events"][0]["id"], "11111111-2222-3333-4444-555555555555");
}

TEST(Engine, ASignalWithoutIdGetsAStableDerivedId) {
  Engine first(configFrom("{}"));
  Engine second(configFrom("{}"));
  Json signal = {{"type", "page_view"}, {"context", {{"page", {{"path", "/"}}}}}};
  Json a = first.observe(signal, kT0);
  Json b = second.observe(signal, kT0);
  ASSERT_EQ(a["events"].size(), 1u);
  EXPECT_EQ(a["events"][0]["id"], b["events"][0]["id"]);
  EXPECT_EQ(a["events"][0]["id"].get<std::string>().rfind("r-", 0), 0u);
  EXPECT_EQ(a["events"][0]["anonymous_id"], a["events"][0]["id"]);
}

TEST(Engine, HostileSignalsAreAnsweredWithErrorsNotCrashes) {
  Engine engine(configFrom("{}"));
  engine.restore("", kT0);
  const char* hostile[] = {"null", "[]", "\"page_view\"", "{}", R"({"type": 5})", R"({"type":"track"})",
                           R"({"type":"track","props":{"event":"add_to_cart","properties":[]}})",
                           R"({"type":"page_view","id":""})", R"({"type":"page_view","props":[]})",
                           R"({"type":"page_view","context":"x"})", R"({"type":"time","props":{"seconds":-1}})",
                           R"({"type":"visibility","props":{}})", R"({"type":"consent","props":{"analytics":"y"}})",
                           R"({"type":"page_view","ts":12})"};
  for (const char* text : hostile) {
    Json actions = engine.observe(Json::parse(text), kT0);
    ASSERT_TRUE(actions.contains("errors")) << text;
    EXPECT_FALSE(actions["errors"].empty()) << text;
    EXPECT_FALSE(actions.contains("state")) << text;
    for (const auto& e : actions["errors"]) EXPECT_TRUE(e["path"].is_string() && e["message"].is_string());
  }
  EXPECT_EQ(engine.state()["visits"], 0);
}

TEST(Engine, TheContextHasTheDocumentedShape) {
  auto config = configFrom(R"({"segments": {"returning": {"visitor.visits": {"$gte": 2}},
                                             "carted": {"cart.quantity": {"$gt": 0}}}})");
  Json state = newVisitorState();
  state["visits"] = 2;
  state["pages_total"] = 7;
  state["first_seen"] = kT0 - 3 * 86400000LL;
  state["user_id"] = "u1";
  state["cart"]["items"] = Json::array({{{"id", "a"}, {"quantity", 2}, {"price", 5}}});
  state["cart"]["value"] = 10;
  state["orders"]["recent"] = Json::array({{{"id", "o1"}, {"ts", kT0 - 400 * 86400000LL}, {"revenue", 5}},
                                           {{"id", "o2"}, {"ts", kT0 - 10 * 86400000LL}, {"revenue", 5}}});
  state["orders"]["count"] = 2;
  state["orders"]["last"] = kT0 - 10 * 86400000LL;
  state["viewed"] = Json::array({{{"id", "old"}, {"count", 1}, {"last", 1}}, {{"id", "new"}, {"count", 1}, {"last", 2}}});
  Json signal = {{"type", "track"}, {"props", {{"event", "add_to_cart"}, {"properties", {{"q", 1}}}}}};
  Json event_context = {{"page", {{"path", "/p"}}}, {"device", {{"type", "mobile"}}}, {"locale", "fr-FR"}};
  Json event = {{"type", "add_to_cart"}, {"properties", {{"q", 1}}}};
  Json c = buildContext(*config, state, ContextInputs{signal, event_context, &event, false, kT0});
  EXPECT_EQ(c["page"]["path"], "/p");
  EXPECT_EQ(c["device"]["type"], "mobile");
  EXPECT_EQ(c["locale"], "fr-FR");
  EXPECT_EQ(c["visitor"]["visits"], 2);
  EXPECT_EQ(c["visitor"]["identified"], true);
  EXPECT_EQ(c["visitor"]["subscribed"], false);
  EXPECT_EQ(c["visitor"]["orders"], 2);
  EXPECT_EQ(c["visitor"]["orders_year"], 1);
  EXPECT_EQ(c["visitor"]["last_order_days"], 10);
  EXPECT_EQ(c["visitor"]["first_seen_days"], 3);
  EXPECT_EQ(c["cart"]["quantity"], 2);
  EXPECT_EQ(c["cart"]["value"], 10);
  EXPECT_EQ(c["viewed"], Json::array({"new", "old"}));
  EXPECT_EQ(c["event"]["type"], "add_to_cart");
  EXPECT_EQ(c["signal"]["type"], "track");
  EXPECT_EQ(c["signal"]["event"], "add_to_cart");
  EXPECT_EQ(c["now"], kT0);
  EXPECT_EQ(c["segments"], Json::array({"carted", "returning"}));
  // The form docs/configuration.md shows for "in segment".
  CompileConditionResult in_segment = compileCondition(Json::parse(R"({"segments": {"$elemMatch": {"$eq": "carted"}}})"));
  ASSERT_TRUE(in_segment.errors.empty());
  EXPECT_TRUE(evaluate(*in_segment.condition, c));
  CompileConditionResult not_in = compileCondition(Json::parse(R"({"segments": {"$elemMatch": {"$eq": "vip"}}})"));
  EXPECT_FALSE(evaluate(*not_in.condition, c));
}

// The context's "viewed" lists ids most recently viewed first; entries viewed
// at the same time keep the state's order, whatever order the state holds.
TEST(Engine, TheContextListsViewedProductsMostRecentFirstTiesInStateOrder) {
  auto config = configFrom("{}");
  Json state = newVisitorState();
  state["viewed"] = Json::array({{{"id", "a"}, {"last", 5}}, {{"id", "b"}, {"last", 9}}, {{"id", "c"}, {"last", 5}},
                                 {{"id", "d"}}, {{"id", "e"}, {"last", 9}}, {{"id", "f"}, {"last", 7}}});
  Json signal = {{"type", "tick"}};
  Json c = buildContext(*config, state, ContextInputs{signal, Json::object(), nullptr, false, kT0});
  EXPECT_EQ(c["viewed"], Json::array({"b", "e", "f", "a", "c", "d"}));
}

TEST(Engine, BackOfficeTraitsOverrideLocalOrderCounts) {
  auto config = configFrom("{}");
  Json state = newVisitorState();
  state["traits"] = {{"orders_year", 6}, {"last_order_at", kT0 - 200 * 86400000LL}};
  Json signal = {{"type", "tick"}};
  Json c = buildContext(*config, state, ContextInputs{signal, Json::object(), nullptr, false, kT0});
  EXPECT_EQ(c["visitor"]["orders_year"], 6);
  EXPECT_EQ(c["visitor"]["last_order_days"], 200);
  EXPECT_TRUE(c["visitor"]["revenue"].is_number());
}

}  // namespace
}  // namespace relance
