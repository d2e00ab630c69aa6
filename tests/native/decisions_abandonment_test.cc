#include <gtest/gtest.h>

#include "core/abandonment.h"
#include "core/visitor_state.h"
#include "decisions_harness.h"

namespace relance {
namespace {

struct DecisionsAbandonmentFlow : ::testing::Test {
  std::shared_ptr<const AbandonmentConfig> config;
  DecisionHarness h;
  void SetUp() override {
    PathErrors errors;
    config = compileAbandonment(parseOrDie(R"({"browse": {"views": 3, "seconds": 120, "period_days": 7},
                                               "cart": {"idle_minutes": 30, "hidden_minutes": 10},
                                               "optin": {"delay_minutes": 60}})"),
                                "/abandonment", errors);
    ASSERT_TRUE(errors.empty()) << errors[0].path << ": " << errors[0].message;
  }
  // As the engine does, the context carries the event a track signal produced
  // (these signals are all valid; scenarios cover refused ones).
  Json run(const Json& signal, std::int64_t at) {
    h.context.erase("event");
    if (signal.value("type", "") == "track") {
      const Json& props = signal["props"];
      h.context["event"] = {{"type", props["event"]}, {"properties", props.value("properties", Json::object())}};
    }
    return h.run([&](DecisionStep& s) { decideAbandonment(*config, s); }, signal, at);
  }
  Json track(const char* event, const char* sku, std::int64_t at) {
    return run({{"type", "track"}, {"props", {{"event", event}, {"properties", {{"product", {{"id", sku}}}}}}}}, at);
  }
  void fillCart() {
    h.state["cart"] = {{"items", {{{"id", "sku-1"}, {"quantity", 2}, {"price", 10}}}}, {"value", 20}, {"currency", "EUR"}};
  }
};

TEST_F(DecisionsAbandonmentFlow, BrowseAfterThreeViewsOncePerPeriod) {
  EXPECT_FALSE(track("product_view", "sku-1", kT0).contains("events"));
  EXPECT_FALSE(track("product_view", "sku-1", kT0 + kMinute).contains("events"));
  Json third = track("product_view", "sku-1", kT0 + 2 * kMinute);
  ASSERT_EQ(DecisionHarness::eventTypes(third), std::vector<std::string>{"browse_abandoned"});
  EXPECT_EQ(third["events"][0]["properties"]["products"][0]["id"], "sku-1");
  EXPECT_EQ(third["events"][0]["properties"]["products"][0]["views"], 3);
  EXPECT_FALSE(track("product_view", "sku-1", kT0 + 3 * kMinute).contains("events"));  // once per period
  h.state["session"]["id"] = "s2";  // a new session a week later: counted afresh, reported again
  for (int i = 0; i < 2; ++i) track("product_view", "sku-1", kT0 + 8 * kDay + i);
  EXPECT_TRUE(track("product_view", "sku-1", kT0 + 8 * kDay + 5).contains("events"));
}

TEST_F(DecisionsAbandonmentFlow, NoBrowseAbandonmentAfterAddToCart) {
  track("product_view", "sku-1", kT0);
  track("add_to_cart", "sku-1", kT0 + 1);
  track("product_view", "sku-1", kT0 + 2);
  EXPECT_FALSE(track("product_view", "sku-1", kT0 + 3).contains("events"));
}

TEST_F(DecisionsAbandonmentFlow, BrowseByTimeOnTheProductPage) {
  run({{"type", "page_view"}}, kT0);
  track("product_view", "sku-2", kT0);
  EXPECT_FALSE(run({{"type", "time"}, {"props", {{"seconds", 60}}}}, kT0 + 60000).contains("events"));
  Json enough = run({{"type", "time"}, {"props", {{"seconds", 125}}}}, kT0 + 125000);
  ASSERT_EQ(DecisionHarness::eventTypes(enough), std::vector<std::string>{"browse_abandoned"});
  EXPECT_EQ(enough["events"][0]["properties"]["reason"], "time");
}

TEST_F(DecisionsAbandonmentFlow, CartAbandonedWhenTheSessionEndsOncePerCartState) {
  fillCart();
  run({{"type", "page_view"}}, kT0);
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + 29 * kMinute).contains("events"));
  Json ended = run({{"type", "tick"}}, kT0 + 30 * kMinute);
  ASSERT_EQ(DecisionHarness::eventTypes(ended), std::vector<std::string>{"cart_abandoned"});
  EXPECT_EQ(ended["events"][0]["properties"], Json({{"items", {{{"id", "sku-1"}, {"quantity", 2}, {"price", 10}}}},
                                                    {"value", 20}, {"currency", "EUR"}, {"reason", "inactivity"}}));
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + 31 * kMinute).contains("events"));
  EXPECT_FALSE(run({{"type", "page_view"}}, kT0 + 60 * kMinute).contains("events"));  // same cart: once
  h.state["cart"]["items"][0]["quantity"] = 3;  // a changed cart is a new state
  EXPECT_TRUE(run({{"type", "page_view"}}, kT0 + 120 * kMinute).contains("events"));
}

TEST_F(DecisionsAbandonmentFlow, CheckoutIsNotAbandonment) {
  fillCart();
  run({{"type", "track"}, {"props", {{"event", "checkout_started"}}}}, kT0);
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + 60 * kMinute).contains("events"));
}

TEST_F(DecisionsAbandonmentFlow, CartAbandonedWhenHiddenTooLong) {
  fillCart();
  run({{"type", "page_view"}}, kT0);
  setTabHiddenSince(h.state, "tab-1", kT0 + kMinute);  // the engine does it on a visibility signal
  run({{"type", "visibility"}, {"props", {{"hidden", true}}}}, kT0 + kMinute);
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + 10 * kMinute).contains("events"));
  Json hidden = run({{"type", "tick"}}, kT0 + 11 * kMinute);
  ASSERT_EQ(DecisionHarness::eventTypes(hidden), std::vector<std::string>{"cart_abandoned"});
  EXPECT_EQ(hidden["events"][0]["properties"]["reason"], "hidden");
}

// Another tab of the visitor is visible (review, session 8): the tab that is
// hidden reports nothing, however long, until every tab is hidden.
TEST_F(DecisionsAbandonmentFlow, CartNotAbandonedWhileAnotherTabIsVisible) {
  fillCart();
  run({{"type", "page_view"}}, kT0);
  setTabHiddenSince(h.state, "tab-1", kT0 + kMinute);
  setTabHiddenSince(h.state, "tab-2", 0);
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + 20 * kMinute).contains("events"));
  run({{"type", "scroll"}}, kT0 + 20 * kMinute);  // the visitor is active in tab 2, then leaves it
  setTabHiddenSince(h.state, "tab-2", kT0 + 21 * kMinute);
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + 31 * kMinute - 1).contains("events"));
  Json hidden = run({{"type", "tick"}}, kT0 + 31 * kMinute);
  ASSERT_EQ(DecisionHarness::eventTypes(hidden), std::vector<std::string>{"cart_abandoned"});
  EXPECT_EQ(hidden["events"][0]["properties"]["reason"], "hidden");
}

// A state saved before the tabs map kept "hidden" in abandonment's memory: a
// one-tab view, ignored (and dropped) now.
TEST_F(DecisionsAbandonmentFlow, AnOldOneTabHiddenTimeIsIgnored) {
  fillCart();
  h.state["abandonment"] = {{"activity", kT0}, {"hidden", kT0}};
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + 20 * kMinute).contains("events"));
  EXPECT_FALSE(h.state["abandonment"].contains("hidden"));
}

TEST_F(DecisionsAbandonmentFlow, OptinWithoutCart) {
  noteOptin(h.state, "welcome", kT0);
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + 59 * kMinute).contains("events"));
  Json late = run({{"type", "tick"}}, kT0 + 60 * kMinute);
  ASSERT_EQ(DecisionHarness::eventTypes(late), std::vector<std::string>{"optin_no_cart"});
  EXPECT_EQ(late["events"][0]["properties"]["offer_id"], "welcome");
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + 61 * kMinute).contains("events"));
  noteOptin(h.state, "welcome", kT0 + kDay);
  track("add_to_cart", "sku-1", kT0 + kDay + kMinute);
  EXPECT_FALSE(run({{"type", "tick"}}, kT0 + kDay + 2 * 60 * kMinute).contains("events"));
}

TEST(DecisionsAbandonment, BadConfigurationsSayWhere) {
  PathErrors errors;
  compileAbandonment(parseOrDie(R"({"browse": {"views": 0}, "cart": "yes", "optin": {"delay": 5}, "x": 1})"),
                     "/abandonment", errors);
  std::vector<std::string> paths;
  for (const auto& e : errors) paths.push_back(e.path);
  for (const char* p : {"/abandonment/browse/views", "/abandonment/cart", "/abandonment/optin/delay", "/abandonment/x"})
    EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << p;
}

}  // namespace
}  // namespace relance
