#include <gtest/gtest.h>

#include "core/offers.h"
#include "decisions_harness.h"

namespace relance {
namespace {

const char* kOffers = R"([
  {"id": "welcome", "triggers": [{"type": "exit_intent"}, {"type": "scroll", "percent": 60}],
   "condition": {"page.path": {"$ne": "/checkout"}},
   "caps": {"max_per_session": 1, "dismiss_days": 7},
   "content": {"title": "-10% on your first order", "body": "Join us", "button": "Get my code",
               "success": "Check your inbox", "advantage": {"type": "percent", "value": 10},
               "fields": [{"name": "email", "required": true}, {"name": "first_name"}],
               "consent": {"text": "I agree to receive offers by e-mail.", "required": true}}},
  {"id": "cart", "triggers": [{"type": "event", "event": "add_to_cart"}],
   "content": {"title": "Free delivery today", "layout": "banner", "fields": [{"name": "email", "required": true}]}}
])";

struct DecisionsOfferFlow : ::testing::Test {
  std::shared_ptr<const OffersConfig> config;
  DecisionHarness h;
  void SetUp() override {
    PathErrors errors;
    config = compileOffers(parseOrDie(kOffers), "/offers", errors);
    ASSERT_TRUE(errors.empty()) << errors[0].path << ": " << errors[0].message;
  }
  Json run(const Json& signal, std::int64_t at) {
    return h.run([&](DecisionStep& s) { decideOffers(*config, s); }, signal, at);
  }
  Json submit(const Json& fields, bool consent, const std::string& honeypot = "") {
    return run({{"type", "offer_submit"}, {"id", "sig-9"},
                {"props", {{"offer_id", "welcome"}, {"fields", fields}, {"consent_checked", consent}, {"honeypot", honeypot}}}},
               kT0 + 5000);
  }
};

TEST_F(DecisionsOfferFlow, ExitIntentShowsOnceAndTheRenderModelIsComplete) {
  run({{"type", "page_view"}}, kT0);
  Json a = run({{"type", "exit_intent"}}, kT0 + 1000);
  ASSERT_TRUE(a.contains("offer")) << a.dump();
  const Json& show = a["offer"]["show"];
  EXPECT_EQ(show["offer_id"], "welcome");
  EXPECT_EQ(show["title"], "-10% on your first order");
  EXPECT_EQ(show["fields"][0], Json({{"name", "email"}, {"type", "email"}, {"autocomplete", "email"}, {"label", "E-mail"},
                                     {"placeholder", ""}, {"required", true}}));
  EXPECT_EQ(show["consent"]["text"], "I agree to receive offers by e-mail.");
  EXPECT_EQ(show["advantage"]["value"], 10);
  EXPECT_EQ(a["events"][0]["type"], "offer_shown");
  EXPECT_EQ(a["events"][0]["properties"]["trigger"], "exit_intent");
  // Second exit intent on the same page: the one-per-page cap; next page: the per-session cap.
  EXPECT_FALSE(run({{"type", "exit_intent"}}, kT0 + 2000).contains("offer"));
  run({{"type", "page_view"}}, kT0 + 3000);
  EXPECT_FALSE(run({{"type", "exit_intent"}}, kT0 + 4000).contains("offer"));
  // A new session shows it again.
  h.state["session"]["id"] = "s2";
  run({{"type", "page_view"}}, kT0 + kDay);
  EXPECT_TRUE(run({{"type", "scroll"}, {"props", {{"depth", 70}}}}, kT0 + kDay + 1).contains("offer"));
}

TEST_F(DecisionsOfferFlow, DismissalHoldsForTheConfiguredDays) {
  run({{"type", "page_view"}}, kT0);
  run({{"type", "exit_intent"}}, kT0 + 1);
  Json d = run({{"type", "offer_dismissed"}, {"props", {{"offer_id", "welcome"}, {"variant", "default"}}}}, kT0 + 2);
  EXPECT_EQ(d["events"][0], Json({{"type", "offer_dismissed"}, {"properties", {{"offer_id", "welcome"}, {"variant", "default"}}}}));
  h.state["session"]["id"] = "s2";
  run({{"type", "page_view"}}, kT0 + 6 * kDay);
  h.debug = true;
  Json held = run({{"type", "exit_intent"}}, kT0 + 6 * kDay + 1);
  EXPECT_FALSE(held.contains("offer"));
  EXPECT_NE(held["debug"][0]["why"].get<std::string>().find("dismissed"), std::string::npos);
  h.state["session"]["id"] = "s3";
  run({{"type", "page_view"}}, kT0 + 8 * kDay);
  EXPECT_TRUE(run({{"type", "exit_intent"}}, kT0 + 8 * kDay + 1).contains("offer"));
}

TEST_F(DecisionsOfferFlow, ConditionAndEventTriggers) {
  h.context["page"]["path"] = "/checkout";
  run({{"type", "page_view"}}, kT0);
  EXPECT_FALSE(run({{"type", "exit_intent"}}, kT0 + 1).contains("offer"));
  h.context["event"] = {{"type", "add_to_cart"}};  // as the engine does for an event it accepted
  Json cart = run({{"type", "track"}, {"props", {{"event", "add_to_cart"}}}}, kT0 + 2);
  ASSERT_TRUE(cart.contains("offer"));
  EXPECT_EQ(cart["offer"]["show"]["offer_id"], "cart");
  EXPECT_EQ(cart["offer"]["show"]["layout"], "banner");
}

TEST_F(DecisionsOfferFlow, SubmitValidatesEachField) {
  Json bad = submit({{"email", "ana@"}, {"first_name", "Ana"}}, false);
  EXPECT_EQ(bad["offer_result"], Json({{"ok", false}, {"errors", {
      {{"field", "email"}, {"message", "enter an e-mail address like name@example.com"}},
      {{"field", "consent"}, {"message", "please tick the box to agree"}}}}}));
  EXPECT_FALSE(bad.contains("events"));
  EXPECT_FALSE(bad.contains("optin"));
  Json missing = submit(Json::object(), true);
  EXPECT_EQ(missing["offer_result"]["errors"][0], Json({{"field", "email"}, {"message", "this field is required"}}));
}

TEST_F(DecisionsOfferFlow, SubmitConvertsAndStopsTheOffer) {
  h.context["page"]["url"] = "https://shop.example/p/1";
  Json ok = submit({{"email", " ana@example.com "}, {"first_name", "Ana"}}, true);
  EXPECT_EQ(ok["offer_result"], Json({{"ok", true}, {"message", "Check your inbox"}}));
  EXPECT_EQ(DecisionHarness::eventTypes(ok), (std::vector<std::string>{"offer_converted", "optin"}));
  EXPECT_EQ(ok["events"][1]["properties"].dump().find("ana@"), std::string::npos);  // no contact in events
  EXPECT_EQ(ok["optin"], Json({{"id", "sig-9"}, {"ts", kT0 + 5000}, {"anonymous_id", "anon-1"}, {"user_id", nullptr},
                               {"offer_id", "welcome"}, {"variant", "default"}, {"email", "ana@example.com"},
                               {"first_name", "Ana"},
                               {"consent", {{"text", "I agree to receive offers by e-mail."}, {"checked", true},
                                            {"ts", kT0 + 5000}, {"page", "https://shop.example/p/1"}}}}));
  EXPECT_EQ(h.state["subscribed"], true);
  EXPECT_EQ(h.state["abandonment"]["optin"], kT0 + 5000);
  h.state["session"]["id"] = "s2";
  run({{"type", "page_view"}}, kT0 + 30 * kDay);
  EXPECT_FALSE(run({{"type", "exit_intent"}}, kT0 + 30 * kDay + 1).contains("offer"));
}

TEST_F(DecisionsOfferFlow, HoneypotLooksFineToTheBotButDoesNothing) {
  Json bot = submit({{"email", "bot@example.com"}}, true, "http://spam.example");
  EXPECT_EQ(bot["offer_result"]["ok"], true);
  EXPECT_FALSE(bot.contains("events"));
  EXPECT_FALSE(bot.contains("optin"));
  EXPECT_FALSE(h.state.contains("subscribed"));
}

TEST_F(DecisionsOfferFlow, PreviewShowsWhateverTheCaps) {
  h.state["subscribed"] = true;
  Json p = run({{"type", "show_offer"}, {"props", {{"offer_id", "welcome"}, {"preview", true}}}}, kT0);
  EXPECT_EQ(p["offer"]["show"]["preview"], true);
  EXPECT_FALSE(p.contains("events"));
  Json manual = run({{"type", "show_offer"}, {"props", {{"offer_id", "welcome"}}}}, kT0);
  EXPECT_FALSE(manual.contains("offer"));  // a subscriber: the cap holds for the site's own call
  Json unknown = run({{"type", "show_offer"}, {"props", {{"offer_id", "nope"}}}}, kT0);
  EXPECT_EQ(unknown["errors"][0]["path"], "/props/offer_id");
}

TEST(DecisionsOffers, BadConfigurationsSayWhere) {
  PathErrors errors;
  compileOffers(parseOrDie(R"([{"id": "a", "triggers": [{"type": "hover"}, {"type": "scroll", "percent": 150},
      {"type": "after_dismiss", "offer": "ghost"}],
     "content": {"body": 3, "fields": [{"name": "ssn"}], "theme": {"accent": "red;}body{display:none"}},
     "caps": {"max_per_session": 0}}])"), "/offers", errors);
  std::vector<std::string> paths;
  for (const auto& e : errors) paths.push_back(e.path);
  for (const char* p : {"/offers/0/triggers/0/type", "/offers/0/triggers/1/percent", "/offers/0/triggers/2/offer",
                        "/offers/0/content/title", "/offers/0/content/body", "/offers/0/content/fields/0/name",
                        "/offers/0/content/theme/accent", "/offers/0/caps/max_per_session"})
    EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << p;
}

// An event trigger that could never fire is refused, not left silent: a type
// that is not an event type (a typo), or one the engine emits itself (a site
// cannot track it).
TEST(DecisionsOffers, EventTriggersNameATrackableType) {
  PathErrors errors;
  compileOffers(parseOrDie(R"([{"id": "a", "content": {"title": "t"},
      "triggers": [{"type": "event", "event": "add_to_cart"}, {"type": "event", "event": "custom.quiz_done"},
                   {"type": "event", "event": "add-to-cart"}, {"type": "event", "event": "page_view"}]}])"),
                "/offers", errors);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].path, "/offers/0/triggers/2/event");
  EXPECT_EQ(errors[0].message, "must be an event type such as \"add_to_cart\" or \"custom.my_event\"");
  EXPECT_EQ(errors[1].path, "/offers/0/triggers/3/event");
  EXPECT_EQ(errors[1].message, "\"page_view\" is emitted by Relance itself and cannot be tracked");
}

}  // namespace
}  // namespace relance
