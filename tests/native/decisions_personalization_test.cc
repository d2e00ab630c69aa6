#include <gtest/gtest.h>

#include "core/personalization.h"
#include "core/variant.h"
#include "decisions_harness.h"

namespace relance {
namespace {

const char* kRules = R"([
  {"id": "vip", "priority": 10, "condition": {"visitor.orders_year": {"$gte": 5}},
   "actions": [{"slot": "hero", "op": "set_html", "value": "<b onclick=x()>Early access</b><script>alert(1)</script>"},
               {"selector": ".banner", "op": "hide"}]},
  {"id": "everyone", "priority": 1,
   "actions": [{"slot": "hero", "op": "set_text", "value": "Welcome"},
               {"slot": "footer", "op": "add_class", "value": "promo"}]}
])";

std::shared_ptr<const PersonalizationConfig> compile(const std::string& text, PathErrors* out = nullptr) {
  PathErrors errors;
  auto config = compilePersonalization(parseOrDie(text.c_str()), "/personalization", errors);
  if (out != nullptr) *out = errors;
  else EXPECT_TRUE(errors.empty()) << errors[0].path << ": " << errors[0].message;
  return config;
}

TEST(DecisionsPersonalization, HighestPriorityWinsEachSlot) {
  auto config = compile(kRules);
  DecisionHarness h;
  auto decide = [&](DecisionStep& s) { decidePersonalization(*config, s); };
  h.context["visitor"]["orders_year"] = 6;
  Json a = h.run(decide, Json{{"type", "page_view"}}, kT0);
  ASSERT_EQ(a["personalize"].size(), 3u) << a.dump();
  EXPECT_EQ(a["personalize"][0], Json({{"slot", "hero"}, {"op", "set_html"}, {"value", "<b>Early access</b>"},
                                       {"rule_id", "vip"}, {"variant", "default"}}));
  EXPECT_EQ(a["personalize"][1]["selector"], ".banner");
  EXPECT_EQ(a["personalize"][2], Json({{"slot", "footer"}, {"op", "add_class"}, {"value", "promo"},
                                       {"rule_id", "everyone"}, {"variant", "default"}}));
  EXPECT_EQ(a["reveal"], Json({"footer", "hero"}));
  EXPECT_EQ(DecisionHarness::eventTypes(a), (std::vector<std::string>{"personalization_exposed", "personalization_exposed"}));

  h.context["visitor"]["orders_year"] = 1;
  Json b = h.run(decide, Json{{"type", "page_view"}}, kT0);
  ASSERT_EQ(b["personalize"].size(), 2u);
  EXPECT_EQ(b["personalize"][0]["value"], "Welcome");
  // Only page views decide: other signals leave the page alone.
  EXPECT_EQ(h.run(decide, Json{{"type", "scroll"}}, kT0), Json::object());
}

TEST(DecisionsPersonalization, VariantsAndHoldoutFollowTheHash) {
  auto config = compile(R"([{"id": "hero-test", "holdout": 0.2, "variants": [
      {"id": "a", "weight": 1, "actions": [{"slot": "hero", "op": "set_text", "value": "A"}]},
      {"id": "b", "weight": 1, "actions": [{"slot": "hero", "op": "set_text", "value": "B"}]}]}])");
  int seen_holdout = 0, seen_a = 0, seen_b = 0;
  for (int i = 0; i < 200; ++i) {
    DecisionHarness h;
    h.state["anonymous_id"] = "id-" + std::to_string(i);
    Json a = h.run([&](DecisionStep& s) { decidePersonalization(*config, s); }, Json{{"type", "page_view"}}, kT0);
    double bucket = variantBucket("id-" + std::to_string(i), "hero-test");
    std::string expected = bucket < 0.2 ? "holdout" : bucket < 0.6 ? "a" : "b";
    ASSERT_EQ(a["events"][0]["properties"]["variant"], expected);
    if (expected == "holdout") {
      ++seen_holdout;
      EXPECT_FALSE(a.contains("personalize"));  // the original page
      EXPECT_EQ(a["reveal"], Json({"hero"}));
    } else {
      (expected == "a" ? seen_a : seen_b)++;
      EXPECT_EQ(a["personalize"][0]["value"], expected == "a" ? "A" : "B");
    }
  }
  EXPECT_GT(seen_holdout, 0);
  EXPECT_GT(seen_a, 0);
  EXPECT_GT(seen_b, 0);
}

TEST(DecisionsPersonalization, DebugSaysWhyNot) {
  auto config = compile(kRules);
  DecisionHarness h;
  h.debug = true;
  Json a = h.run([&](DecisionStep& s) { decidePersonalization(*config, s); }, Json{{"type", "page_view"}}, kT0);
  ASSERT_TRUE(a.contains("debug"));
  EXPECT_EQ(a["debug"][0]["id"], "vip");
  EXPECT_EQ(a["debug"][0]["matched"], false);
  EXPECT_NE(a["debug"][0]["why"].get<std::string>().find("visitor.orders_year"), std::string::npos) << a["debug"].dump();
  EXPECT_EQ(a["debug"][1]["matched"], true);
}

TEST(DecisionsPersonalization, RefusesUnsafeOrBrokenActions) {
  PathErrors errors;
  compile(R"J([{"id": "r", "actions": [
      {"slot": "hero", "op": "set_attr", "name": "href", "value": "javascript:alert(1)"},
      {"slot": "hero", "op": "set_attr", "name": "onclick", "value": "x"},
      {"slot": "hero", "selector": "#x", "op": "hide"},
      {"slot": "hero", "op": "explode", "value": "x"},
      {"slot": "hero", "op": "add_class", "value": "a b"},
      {"slot": "hero", "op": "set_attr", "name": "src", "value": "data:text/html,x"}]},
    {"id": "r"}])J", &errors);
  std::vector<std::string> paths;
  for (const auto& e : errors) paths.push_back(e.path);
  for (const char* p : {"/personalization/0/actions/0/value", "/personalization/0/actions/1/name",
                        "/personalization/0/actions/2", "/personalization/0/actions/3/op",
                        "/personalization/0/actions/4/value", "/personalization/0/actions/5/value",
                        "/personalization/1/id", "/personalization/1"})
    EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << p;
}

// A slot name ends up in a CSS attribute selector ([data-relance-slot="..."]):
// a quote, a backslash or a space in it would break or change that selector.
TEST(DecisionsPersonalization, RefusesSlotNamesOutsideTheSafeCharacters) {
  PathErrors errors;
  compile(R"J([{"id": "r", "actions": [
      {"slot": "hero\"] , body [x=\"", "op": "hide"},
      {"slot": "a b", "op": "hide"},
      {"slot": "back\\slash", "op": "hide"},
      {"slot": "", "op": "hide"},
      {"slot": "x123456789x123456789x123456789x123456789x123456789x123456789abcde", "op": "hide"},
      {"slot": "caf\u00e9", "op": "hide"},
      {"slot": 7, "op": "hide"},
      {"slot": "Hero_2-b", "op": "hide"},
      {"slot": "x123456789x123456789x123456789x123456789x123456789x123456789abcd", "op": "hide"},
      {"selector": "[data-x=\"a b\"]", "op": "hide"}]}])J", &errors);
  std::vector<std::string> paths;
  for (const auto& e : errors) paths.push_back(e.path);
  std::vector<std::string> expected;
  for (int i = 0; i <= 5; ++i) expected.push_back("/personalization/0/actions/" + std::to_string(i) + "/slot");
  expected.push_back("/personalization/0/actions/6/slot");  // not a string: readString's own error
  EXPECT_EQ(paths, expected);
  for (std::size_t i = 0; i < 6 && i < errors.size(); ++i)
    EXPECT_EQ(errors[i].message, "must be 1 to 64 characters among A-Z a-z 0-9 _ -") << errors[i].path;
}

}  // namespace
}  // namespace relance
