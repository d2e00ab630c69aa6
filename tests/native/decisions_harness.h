// A stand-in for the engine in the decision modules' unit tests: holds a
// visitor state and a context, runs one module on one signal and collects the
// events it emits.
#ifndef RELANCE_TESTS_NATIVE_DECISIONS_HARNESS_H_
#define RELANCE_TESTS_NATIVE_DECISIONS_HARNESS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/decision_step.h"
#include "core/json.h"

namespace relance {

constexpr std::int64_t kT0 = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr std::int64_t kMinute = 60000;
constexpr std::int64_t kDay = 86400000;

inline Json parseOrDie(const char* text) {
  auto parsed = parseJson(text);
  EXPECT_TRUE(parsed.ok) << parsed.message;
  return parsed.value;
}

struct DecisionHarness {
  Json state = {{"v", 1}, {"anonymous_id", "anon-1"}, {"session", {{"id", "s1"}, {"pages", 1}}}};
  Json context = {{"page", {{"url", "https://shop.example/"}, {"path", "/"}}},
                  {"visitor", {{"score", 0}, {"subscribed", false}, {"orders_year", 0}}},
                  {"session", {{"pages", 1}}}};
  bool debug = false;

  // Runs `decide` on `signal` at `now_ms`; returns the actions (events under "events").
  template <typename Decide>
  Json run(Decide decide, const Json& signal, std::int64_t now_ms) {
    Json actions = Json::object();
    DecisionStep step{signal, now_ms, state, context, actions, debug,
                      [&actions](const std::string& type, Json properties) {
                        actions["events"].push_back({{"type", type}, {"properties", std::move(properties)}});
                      }};
    decide(step);
    return actions;
  }

  static std::vector<std::string> eventTypes(const Json& actions) {
    std::vector<std::string> types;
    auto it = actions.find("events");
    if (it == actions.end()) return types;
    for (const auto& e : *it) types.push_back(e["type"].get<std::string>());
    return types;
  }
};

}  // namespace relance

#endif  // RELANCE_TESTS_NATIVE_DECISIONS_HARNESS_H_
