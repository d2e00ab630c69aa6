#include <gtest/gtest.h>

#include "core/scoring.h"
#include "decisions_harness.h"

namespace relance {
namespace {

std::shared_ptr<const ScoringConfig> compile(const char* text, PathErrors* errors_out = nullptr) {
  PathErrors errors;
  auto config = compileScoring(parseOrDie(text), "/scoring", errors);
  if (errors_out != nullptr) *errors_out = errors;
  else EXPECT_TRUE(errors.empty()) << errors[0].path << ": " << errors[0].message;
  return config;
}

const char* kB2B = R"({
  "half_life_days": 10, "thresholds": [50],
  "rules": [
    {"id": "pricing", "points": 10, "max_per_day": 2, "condition": {"page.path": "/pricing"}},
    {"id": "guide", "points": 5, "condition": {"event.type": "custom.guide_download"}}
  ]})";

Json pageView(const char* path, DecisionHarness& h) {
  h.context["page"]["path"] = path;
  h.context.erase("event");
  return {{"type", "page_view"}, {"id", "x"}};
}

TEST(DecisionsScoring, DecayHalvesEachHalfLife) {
  EXPECT_DOUBLE_EQ(decayedScore(100, kT0, kT0 + 10 * kDay, 10), 50);
  EXPECT_DOUBLE_EQ(decayedScore(100, kT0, kT0 + 20 * kDay, 10), 25);
  EXPECT_NEAR(decayedScore(100, kT0, kT0 + 5 * kDay, 10), 70.7107, 1e-4);
  EXPECT_DOUBLE_EQ(decayedScore(100, kT0, kT0 + 20 * kDay, 0), 100);  // no half-life: no decay
  EXPECT_DOUBLE_EQ(decayedScore(100, kT0, kT0 - kDay, 10), 100);      // a clock going back changes nothing
}

TEST(DecisionsScoring, PointsCapsAndContext) {
  auto config = compile(kB2B);
  DecisionHarness h;
  auto decide = [&](DecisionStep& s) { decideScoring(*config, s); };
  Json a = h.run(decide, pageView("/pricing", h), kT0);
  ASSERT_EQ(DecisionHarness::eventTypes(a), std::vector<std::string>{"score_changed"});
  EXPECT_EQ(a["events"][0]["properties"], Json({{"score", 10}, {"delta", 10}, {"rule", "pricing"}}));
  EXPECT_EQ(h.context["visitor"]["score"], 10);
  h.run(decide, pageView("/pricing", h), kT0 + 1000);
  Json third = h.run(decide, pageView("/pricing", h), kT0 + 2000);  // max_per_day 2
  EXPECT_TRUE(DecisionHarness::eventTypes(third).empty());
  EXPECT_EQ(h.context["visitor"]["score"], 20);
  Json next_day = h.run(decide, pageView("/pricing", h), kT0 + kDay);
  ASSERT_EQ(DecisionHarness::eventTypes(next_day).size(), 1u);
  // 10 points at kT0, 10 at kT0 + 1 s, 10 now: each decays from its own time (10-day half-life).
  double second = static_cast<double>(kDay - 1000) / kDay;
  EXPECT_NEAR(h.state["score"]["value"].get<double>(), 10 * std::pow(0.5, 0.1) + 10 * std::pow(0.5, second / 10) + 10,
              0.01);  // kept to the cent
  Json other = h.run(decide, pageView("/about", h), kT0 + kDay + 1);
  EXPECT_TRUE(DecisionHarness::eventTypes(other).empty());
}

TEST(DecisionsScoring, ThresholdOncePerUpwardCrossing) {
  auto config = compile(R"({"half_life_days": 10, "thresholds": [50],
                            "rules": [{"id": "guide", "points": 30, "condition": {"event.type": "custom.guide"}}]})");
  DecisionHarness h;
  auto decide = [&](DecisionStep& s) { decideScoring(*config, s); };
  Json track = {{"type", "track"}, {"props", {{"event", "custom.guide"}}}};
  h.context["event"] = {{"type", "custom.guide"}};
  h.run(decide, track, kT0);
  Json crossing = h.run(decide, track, kT0 + 1);
  EXPECT_EQ(DecisionHarness::eventTypes(crossing), (std::vector<std::string>{"score_changed", "score_threshold_reached"}));
  EXPECT_EQ(crossing["events"][1]["properties"]["threshold"], 50);
  Json above = h.run(decide, track, kT0 + 2);
  EXPECT_EQ(DecisionHarness::eventTypes(above), std::vector<std::string>{"score_changed"});  // 90: no second announce
  // 90 decays below 50 after ~8.5 days: re-armed, then crossing again announces again.
  Json tick = h.run(decide, Json{{"type", "tick"}}, kT0 + 10 * kDay);
  EXPECT_TRUE(DecisionHarness::eventTypes(tick).empty());
  EXPECT_EQ(h.state["score"]["thresholds"], Json::array());
  Json again = h.run(decide, track, kT0 + 10 * kDay + 1);  // 45 + 30 = 75
  EXPECT_EQ(DecisionHarness::eventTypes(again), (std::vector<std::string>{"score_changed", "score_threshold_reached"}));
}

TEST(DecisionsScoring, BadConfigurationsSayWhere) {
  PathErrors errors;
  compile(R"({"rules": [{"id": "a b", "points": "ten", "condition": {"page.path": {"$nope": 1}}}, 3],
             "thresholds": [50, "x"], "half_life_days": -1, "extra": true})", &errors);
  std::vector<std::string> paths;
  for (const auto& e : errors) paths.push_back(e.path);
  for (const char* p : {"/scoring/rules/0/id", "/scoring/rules/0/points", "/scoring/rules/1", "/scoring/thresholds/1",
                        "/scoring/half_life_days", "/scoring/extra"})
    EXPECT_NE(std::find(paths.begin(), paths.end(), p), paths.end()) << p;
  bool condition_error = false;
  for (const auto& p : paths) condition_error = condition_error || p.rfind("/scoring/rules/0/condition", 0) == 0;
  EXPECT_TRUE(condition_error);
}

}  // namespace
}  // namespace relance
