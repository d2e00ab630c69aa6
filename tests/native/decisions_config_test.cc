#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/site_config.h"

namespace relance {
namespace {

Json loadShop() {
  std::ifstream file(std::string(RELANCE_SOURCE_DIR) + "/tests/scenarios/configs/decisions_shop.json");
  std::stringstream text;
  text << file.rdbuf();
  auto parsed = parseJson(text.str());
  EXPECT_TRUE(parsed.ok) << parsed.message;
  return parsed.value;
}

// The browser compiles what GET /v1/config serves: it must compile again to
// the same configuration.
TEST(DecisionsConfig, BrowserJsonCompilesAgainToTheSame) {
  Json source = loadShop();
  source["offers"][0]["variants"] = {{{"id", "a"}, {"weight", 1}},
                                     {{"id", "b"}, {"weight", 2}, {"content", {{"title", "Your -10% code"}}}}};
  auto first = compileSiteConfig(source);
  ASSERT_TRUE(first.errors.empty()) << first.errors[0].path << ": " << first.errors[0].message;
  Json served = first.config->toBrowserJson();
  EXPECT_TRUE(served.contains("personalization") && served.contains("offers") && served.contains("scoring") &&
              served.contains("abandonment"));
  // set_html arrives already sanitised.
  EXPECT_EQ(served["personalization"][0]["variants"][0]["actions"][0]["value"].get<std::string>().find("script"),
            std::string::npos);
  auto second = compileSiteConfig(served);
  ASSERT_TRUE(second.errors.empty()) << second.errors[0].path << ": " << second.errors[0].message;
  EXPECT_EQ(second.config->toBrowserJson(), served);
}

TEST(DecisionsConfig, EmptySectionsAreLeftOut) {
  auto compiled = compileSiteConfig({{"version", 1}, {"site", {{"id", "s"}}}});
  ASSERT_TRUE(compiled.errors.empty());
  Json served = compiled.config->toBrowserJson();
  for (const char* key : {"personalization", "offers", "scoring", "abandonment"}) EXPECT_FALSE(served.contains(key)) << key;
}

TEST(DecisionsConfig, EveryDecisionErrorIsReportedAtOnce) {
  Json source = loadShop();
  source["personalization"][1]["priority"] = "high";
  source["offers"][0]["triggers"][0]["type"] = "hover";
  source["scoring"]["rules"][0]["points"] = nullptr;
  source["abandonment"]["cart"]["idle_minutes"] = 0;
  auto compiled = compileSiteConfig(source);
  EXPECT_EQ(compiled.config, nullptr);
  std::vector<std::string> paths;
  for (const auto& e : compiled.errors) paths.push_back(e.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/personalization/1/priority", "/offers/0/triggers/0/type",
                                             "/scoring/rules/0/points", "/abandonment/cart/idle_minutes"}));
}

}  // namespace
}  // namespace relance
