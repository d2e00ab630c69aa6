// Runs the scenario tables of tests/scenarios/*.json through the native
// engine, one GoogleTest per file (Scenarios.<file stem>). The WebAssembly
// build runs the same files in tests/js/scenarios.test.mjs; the format is in
// tests/scenarios/README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/config_loader.h"
#include "core/engine.h"
#include "core/json.h"
#include "core/site_config.h"

namespace relance {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "" when `actual` matches `expected` (tests/scenarios/README.md), else where
// and how it differs.
std::string matchDiff(const Json& expected, const Json& actual, const std::string& path) {
  if (expected.is_object()) {
    if (!actual.is_object()) return path + ": expected an object, got " + actual.dump();
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      auto found = actual.find(it.key());
      if (found == actual.end()) return path + "/" + it.key() + ": missing";
      std::string m = matchDiff(it.value(), *found, path + "/" + it.key());
      if (!m.empty()) return m;
    }
    return "";
  }
  if (expected.is_array()) {
    if (!actual.is_array()) return path + ": expected an array, got " + actual.dump();
    if (actual.size() != expected.size())
      return path + ": expected " + std::to_string(expected.size()) + " elements, got " +
             std::to_string(actual.size()) + ": " + actual.dump();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      std::string m = matchDiff(expected[i], actual[i], path + "/" + std::to_string(i));
      if (!m.empty()) return m;
    }
    return "";
  }
  if (expected.is_number() && actual.is_number()) {
    if (expected.get<double>() == actual.get<double>()) return "";
  } else if (expected == actual) {
    return "";
  }
  return path + ": expected " + expected.dump() + ", got " + actual.dump();
}

bool isEmpty(const Json& v) {
  return v.is_null() || ((v.is_object() || v.is_array() || v.is_string()) && v.empty());
}

// Runs one scenario; every answer (restore, then each step's actions) is
// appended to `trace`.
void runScenario(const std::shared_ptr<const SiteConfig>& config, const Json& scenario, std::vector<Json>& trace) {
  const Json* steps = scenario.contains("steps") ? &scenario["steps"] : nullptr;
  ASSERT_TRUE(steps != nullptr && steps->is_array()) << "a scenario needs \"steps\"";
  // The tabs of the visitor, by name; the scenario starts in tab "a".
  std::map<std::string, std::unique_ptr<Engine>> tabs;
  tabs["a"] = std::make_unique<Engine>(config);
  std::int64_t first_at = steps->empty() ? 0 : (*steps)[0].value("at", std::int64_t{0});
  std::string state_text;
  if (scenario.contains("state") && scenario["state"].is_string()) state_text = scenario["state"].get<std::string>();
  if (scenario.contains("state") && scenario["state"].is_object()) state_text = scenario["state"].dump();
  Json restored = tabs["a"]->restore(state_text, first_at);
  trace.push_back(restored);
  if (scenario.contains("expect_restore")) {
    std::string m = matchDiff(scenario["expect_restore"], restored, "restore");
    EXPECT_EQ(m, "") << "restore actions: " << restored.dump();
  }
  for (std::size_t i = 0; i < steps->size(); ++i) {
    const Json& step = (*steps)[i];
    SCOPED_TRACE("step " + std::to_string(i));
    std::int64_t at = step.value("at", std::int64_t{0});
    Json actions;
    std::unique_ptr<Engine>& engine = tabs[step.value("tab", std::string("a"))];
    if (step.contains("adopt")) {
      // This tab (opened now if new) adopts the state another tab saved.
      const std::unique_ptr<Engine>& other = tabs[step["adopt"].get<std::string>()];
      ASSERT_TRUE(other != nullptr) << "\"adopt\" names a tab that has not been opened";
      std::string text = other->state().dump();
      if (!engine) engine = std::make_unique<Engine>(config);
      actions = engine->restore(text, at);
    } else if (step.value("reload", false)) {
      ASSERT_TRUE(engine != nullptr) << "a step's \"tab\" must be opened first (\"adopt\")";
      std::string text = engine->state().dump();
      engine = std::make_unique<Engine>(config);
      actions = engine->restore(text, at);
    } else {
      ASSERT_TRUE(engine != nullptr) << "a step's \"tab\" must be opened first (\"adopt\")";
      ASSERT_TRUE(step.contains("signal")) << "a step needs \"signal\" or \"reload\"";
      Json signal = step["signal"];
      if (signal.is_object() && !signal.contains("ts")) signal["ts"] = at;
      actions = engine->observe(signal, at);
    }
    trace.push_back(actions);
    if (step.contains("expect")) {
      std::string m = matchDiff(step["expect"], actions, "actions");
      EXPECT_EQ(m, "") << "actions: " << actions.dump();
    }
    if (step.contains("absent")) {
      for (const auto& key : step["absent"]) {
        std::string k = key.get<std::string>();
        EXPECT_TRUE(!actions.contains(k) || isEmpty(actions[k])) << "\"" << k << "\" should be absent: "
                                                                 << actions.dump();
      }
    }
    if (step.contains("expect_state")) {
      std::string m = matchDiff(step["expect_state"], engine->state(), "state");
      EXPECT_EQ(m, "") << "state: " << engine->state().dump();
    }
  }
}

void runFile(const fs::path& path) {
  ParsedJson parsed = parseJson(readFile(path));
  ASSERT_TRUE(parsed.ok) << path << ": " << parsed.message;
  const Json& table = parsed.value;
  Json config_source = Json::object();
  if (table.contains("config")) {
    config_source = table["config"];
  } else if (table.contains("config_file")) {
    ParsedJson config_text = parseJson(readFile(fs::path(RELANCE_SOURCE_DIR) / table["config_file"].get<std::string>()));
    ASSERT_TRUE(config_text.ok) << table["config_file"] << ": " << config_text.message;
    config_source = config_text.value;
  }
  CompileSiteConfigResult compiled = compileSiteConfig(config_source);
  if (table.contains("expect_config_errors")) {
    std::string m = matchDiff(table["expect_config_errors"], toJson(compiled.errors), "errors");
    EXPECT_EQ(m, "") << "config errors: " << toJson(compiled.errors).dump();
  } else {
    ASSERT_TRUE(compiled.errors.empty()) << "config refused: " << toJson(compiled.errors).dump();
  }
  if (!compiled.config) return;
  // The browser's tag loads the compiled form (GET /v1/config) instead: the
  // same scenarios must give exactly the same answers through it.
  CompileSiteConfigResult loaded = loadCompiledConfig(compiled.config->toBrowserJson());
  ASSERT_TRUE(loaded.errors.empty()) << "compiled form refused: " << toJson(loaded.errors).dump();
  if (!table.contains("scenarios")) return;
  for (const auto& scenario : table["scenarios"]) {
    SCOPED_TRACE(scenario.value("name", std::string("(unnamed scenario)")));
    std::vector<Json> compiled_trace, loaded_trace;
    runScenario(compiled.config, scenario, compiled_trace);
    {
      SCOPED_TRACE("through the compiled form");
      runScenario(loaded.config, scenario, loaded_trace);
    }
    ASSERT_EQ(compiled_trace.size(), loaded_trace.size());
    for (std::size_t i = 0; i < compiled_trace.size(); ++i)
      EXPECT_EQ(compiled_trace[i], loaded_trace[i]) << "answer " << i << " differs through the compiled form";
  }
}

class ScenarioFileTest : public testing::Test {
 public:
  explicit ScenarioFileTest(fs::path path) : path_(std::move(path)) {}
  void TestBody() override { runFile(path_); }

 private:
  fs::path path_;
};

// One test per table file, registered before main runs.
int registerScenarioFiles() {
  fs::path dir = fs::path(RELANCE_SOURCE_DIR) / "tests" / "scenarios";
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    testing::RegisterTest("Scenarios", file.stem().string().c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [file]() -> testing::Test* { return new ScenarioFileTest(file); });
  }
  return static_cast<int>(files.size());
}

const int kScenarioFiles = registerScenarioFiles();

TEST(ScenarioRunner, FindsTheTables) { EXPECT_GT(kScenarioFiles, 0); }

TEST(ScenarioRunner, MatchingFollowsTheFormat) {
  Json actual = Json::parse(R"({"events":[{"type":"page_view","id":"s1"}],"deliver":"queue","n":2.0})");
  EXPECT_EQ(matchDiff(Json::parse(R"({"events":[{"type":"page_view"}]})"), actual, ""), "");
  EXPECT_EQ(matchDiff(Json::parse(R"({"n":2})"), actual, ""), "");
  EXPECT_NE(matchDiff(Json::parse(R"({"events":[]})"), actual, ""), "");
  EXPECT_NE(matchDiff(Json::parse(R"({"events":[{"type":"identify"}]})"), actual, ""), "");
  EXPECT_NE(matchDiff(Json::parse(R"({"offer":{}})"), actual, ""), "");
  EXPECT_NE(matchDiff(Json::parse(R"({"deliver":"hold"})"), actual, ""), "");
}

}  // namespace
}  // namespace relance
