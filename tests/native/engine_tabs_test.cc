// Several tabs of one visitor (visitor_state.h, "Tabs"): each runs its own
// engine on the state the tabs share through localStorage. A tab's own parts
// (its page) are never taken from another tab's state, and the visitor is
// hidden only when every tab is. The scenario table engine_tabs.json shows the
// same through both builds; these tests reach the edges.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/engine.h"
#include "core/site_config.h"
#include "core/visitor_state.h"

namespace relance {
namespace {

constexpr std::int64_t kT0 = 1767225600000;
constexpr std::int64_t kMinute = 60000;

std::shared_ptr<const SiteConfig> cartConfig() {
  CompileSiteConfigResult r = compileSiteConfig(Json::parse(R"({"version": 1, "site": {"id": "s", "currency": "EUR"},
      "abandonment": {"cart": {"enabled": true, "idle_minutes": 30, "hidden_minutes": 10}}})"));
  EXPECT_TRUE(r.errors.empty()) << toJson(r.errors).dump();
  return r.config;
}

Json signal(const std::string& type, const std::string& id, Json props = Json::object()) {
  return Json{{"type", type}, {"id", id}, {"props", std::move(props)},
              {"context", {{"page", {{"url", "https://s/p"}, {"path", "/p"}}}}}};
}

std::vector<std::string> reasons(const Json& actions) {
  std::vector<std::string> out;
  if (!actions.contains("events")) return out;
  for (const auto& e : actions["events"])
    if (e["type"] == "cart_abandoned") out.push_back(e["properties"]["reason"].get<std::string>());
  return out;
}

// The review's probe (session 8), natively: tab A (the cart) goes hidden as
// the visitor switches to tab B, whose engine then adopts A's state. Before,
// B reported cart_abandoned "hidden" ten minutes later while the visitor was
// active in it.
TEST(EngineTabs, AVisibleTabAdoptingAHiddenTabsStateReportsNothing) {
  auto config = cartConfig();
  Engine a(config), b(config);
  a.restore("", kT0);
  a.observe(signal("page_view", "a1"), kT0);
  a.observe(signal("track", "a2", {{"event", "add_to_cart"},
                                    {"properties", {{"product", {{"id", "sku"}}}, {"quantity", 1}, {"price", 10},
                                                    {"currency", "EUR"}}}}),
            kT0);
  b.restore(serializeVisitorState(a.state()), kT0);
  b.observe(signal("page_view", "b1"), kT0 + 1000);
  a.restore(serializeVisitorState(b.state()), kT0 + 1500);
  b.observe(signal("visibility", "b2", {{"hidden", false}}), kT0 + 2000);
  a.observe(signal("visibility", "a3", {{"hidden", true}}), kT0 + 2000);
  b.restore(serializeVisitorState(a.state()), kT0 + 2001);
  EXPECT_FALSE(b.state()["page"]["hidden"].get<bool>());
  for (int m = 1; m <= 25; ++m) {  // at 30 minutes without activity, "inactivity" would be right
    SCOPED_TRACE("minute " + std::to_string(m));
    b.observe(signal("time", "bt" + std::to_string(m), {{"seconds", m * 60}}), kT0 + 2000 + m * kMinute - 1);
    EXPECT_EQ(reasons(b.observe(signal("tick", "bk" + std::to_string(m)), kT0 + 2000 + m * kMinute)),
              std::vector<std::string>{});
    // The hidden tab ticks too (a minute apart when throttled): B is visible.
    EXPECT_EQ(reasons(a.observe(signal("tick", "ak" + std::to_string(m)), kT0 + 2000 + m * kMinute)),
              std::vector<std::string>{});
  }
}

TEST(EngineTabs, AdoptingKeepsThisTabsPageAndAFreshEngineStartsFromAFreshPage) {
  auto config = cartConfig();
  Engine a(config), b(config);
  a.restore("", kT0);
  a.observe(signal("page_view", "a1"), kT0);
  a.observe(signal("scroll", "a2", {{"depth", 100}}), kT0 + 1);
  a.observe(signal("exit_intent", "a3"), kT0 + 2);
  // A fresh engine (a new page) does not start from the stored page.
  b.restore(serializeVisitorState(a.state()), kT0 + 3);
  EXPECT_EQ(b.state()["page"], newPageState());
  b.observe(signal("page_view", "b1"), kT0 + 4);
  b.observe(signal("visibility", "b2", {{"hidden", true}}), kT0 + 5);
  Json page_before = a.state()["page"];
  a.restore(serializeVisitorState(b.state()), kT0 + 6);
  EXPECT_EQ(a.state()["page"], page_before);
  EXPECT_EQ(a.state()["tabs"], Json({{"a1", 0}, {"b1", kT0 + 5}}));
  EXPECT_EQ(a.state()["session"]["pages"], 2);  // the shared parts are adopted
}

// Browse abandonment counts time on the product this tab shows: another tab's
// current product (or its counted time) does not move to this tab.
TEST(EngineTabs, BrowseTimeStaysOnTheProductThisTabShows) {
  CompileSiteConfigResult r = compileSiteConfig(Json::parse(R"({"version": 1, "site": {"id": "s"},
      "abandonment": {"browse": {"enabled": true, "views": 100, "seconds": 60}}})"));
  ASSERT_TRUE(r.errors.empty()) << toJson(r.errors).dump();
  Engine a(r.config), b(r.config);
  a.restore("", kT0);
  a.observe(signal("page_view", "a1"), kT0);
  a.observe(signal("track", "a2", {{"event", "product_view"}, {"properties", {{"product", {{"id", "mug"}}}}}}), kT0);
  b.restore(serializeVisitorState(a.state()), kT0 + 1);
  b.observe(signal("page_view", "b1"), kT0 + 2);
  b.observe(signal("track", "b2", {{"event", "product_view"}, {"properties", {{"product", {{"id", "tea"}}}}}}), kT0 + 3);
  a.restore(serializeVisitorState(b.state()), kT0 + 4);
  Json late = a.observe(signal("time", "a3", {{"seconds", 61}}), kT0 + 61000);
  ASSERT_TRUE(late.contains("events")) << late.dump();
  EXPECT_EQ(late["events"][0]["type"], "browse_abandoned");
  EXPECT_EQ(late["events"][0]["properties"]["products"][0]["id"], "mug");
}

TEST(EngineTabs, TheVisitorIsHiddenOnlyWhenEveryTabIs) {
  Json state = newVisitorState();
  EXPECT_EQ(visitorHiddenSince(state), 0);  // no tab said anything
  setTabHiddenSince(state, "t1", kT0);
  EXPECT_EQ(visitorHiddenSince(state), kT0);
  setTabHiddenSince(state, "t2", 0);
  EXPECT_EQ(visitorHiddenSince(state), 0);
  setTabHiddenSince(state, "t2", kT0 + kMinute);
  EXPECT_EQ(visitorHiddenSince(state), kT0 + kMinute);  // since the last one went hidden
}

TEST(EngineTabs, TheTabsMapIsBoundedAndKeepsWhatDecides) {
  Json state = newVisitorState();
  setTabHiddenSince(state, "visible", 0);
  for (int i = 0; i < 20; ++i) setTabHiddenSince(state, "closed" + std::to_string(i), kT0 + i);
  EXPECT_EQ(state["tabs"].size(), kMaxTabs);
  EXPECT_TRUE(state["tabs"].contains("visible"));      // a visible tab is kept before hidden ones
  EXPECT_TRUE(state["tabs"].contains("closed19"));     // the one writing is kept
  EXPECT_FALSE(state["tabs"].contains("closed0"));     // the first hidden went first
  EXPECT_EQ(visitorHiddenSince(state), 0);
  for (int i = 0; i < 20; ++i) setTabHiddenSince(state, "open" + std::to_string(i), 0);
  EXPECT_EQ(state["tabs"].size(), kMaxTabs);
  EXPECT_TRUE(state["tabs"].contains("open19"));
}

TEST(EngineTabs, OldAndDamagedTabsLoadWithoutACrash) {
  // A v1 state saved before the tabs map: loads as it was, with an empty map.
  RestoredState old = parseVisitorState(R"({"v":1,"anonymous_id":"a","abandonment":{"hidden":5}})");
  EXPECT_TRUE(old.notes.empty());
  EXPECT_EQ(old.state["tabs"], Json::object());
  RestoredState wrong = parseVisitorState(R"({"v":1,"tabs":[1]})");
  EXPECT_EQ(wrong.state["tabs"], Json::object());
  EXPECT_EQ(wrong.notes.size(), 1u);
  RestoredState entries = parseVisitorState(R"({"v":1,"tabs":{"a":"x","b":-1,"c":null,"d":7}})");
  EXPECT_EQ(entries.state["tabs"], Json({{"d", 7}}));
  EXPECT_EQ(entries.notes.size(), 1u);
}

}  // namespace
}  // namespace relance
