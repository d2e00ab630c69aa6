// The compiled configuration (core/config_loader.h): what the browser's tag
// loads without the validator. It must load to the same configuration, and
// a form of another version, or an altered one, must be refused cleanly.
#include <fstream>
#include <functional>
#include <sstream>

#include <gtest/gtest.h>

#include "json_pointers.h"

#include "core/config_loader.h"
#include "core/site_config.h"

namespace relance {
namespace {

Json servedShop() {
  std::ifstream file(std::string(RELANCE_SOURCE_DIR) + "/tests/scenarios/configs/decisions_shop.json");
  std::stringstream text;
  text << file.rdbuf();
  auto parsed = parseJson(text.str());
  EXPECT_TRUE(parsed.ok) << parsed.message;
  Json source = parsed.value;
  source["offers"][0]["variants"] = {{{"id", "a"}, {"weight", 1}},
                                     {{"id", "b"}, {"weight", 2}, {"content", {{"title", "Your -10% code"}}}}};
  source["segments"] = {{"vip", {{"visitor.score", {{"$gte", 50}}}}}};
  auto compiled = compileSiteConfig(source);
  EXPECT_TRUE(compiled.errors.empty()) << toJson(compiled.errors).dump();
  return compiled.config->toBrowserJson();
}

TEST(ConfigLoader, LoadsTheServedFormToTheSameConfiguration) {
  Json served = servedShop();
  EXPECT_EQ(served["compiled"], kCompiledFormVersion);
  auto loaded = loadCompiledConfig(served);
  ASSERT_TRUE(loaded.errors.empty()) << toJson(loaded.errors).dump();
  EXPECT_EQ(loaded.config->toBrowserJson(), served);
  EXPECT_EQ(loaded.config->compiled_segments.size(), 1u);
}

TEST(ConfigLoader, TheDefaultsLoadToo) {
  auto compiled = compileSiteConfig(Json::object());
  ASSERT_TRUE(compiled.errors.empty());
  auto loaded = loadCompiledConfig(compiled.config->toBrowserJson());
  ASSERT_TRUE(loaded.errors.empty()) << toJson(loaded.errors).dump();
  EXPECT_EQ(loaded.config->toBrowserJson(), compiled.config->toBrowserJson());
}

// An old tag and a new collector (or the reverse) must not misread each other.
TEST(ConfigLoader, RefusesAnotherVersionOrASourceConfiguration) {
  Json served = servedShop();
  for (Json version : {Json(kCompiledFormVersion - 1), Json(kCompiledFormVersion + 1), Json(0), Json("2"), Json(1.5),
                       Json()}) {
    Json other = served;
    other["compiled"] = version;
    auto loaded = loadCompiledConfig(other);
    EXPECT_EQ(loaded.config, nullptr);
    ASSERT_EQ(loaded.errors.size(), 1u);
    EXPECT_EQ(loaded.errors[0].path, "/compiled");
  }
  Json source = served;
  source.erase("compiled");
  EXPECT_EQ(loadCompiledConfig(source).errors.at(0).path, "/compiled");
  EXPECT_EQ(loadCompiledConfig(Json::array()).errors.at(0).path, "/compiled");
  EXPECT_EQ(loadCompiledConfig(Json("x")).errors.at(0).path, "/compiled");
}

// The full compiler accepts the compiled form (a developer may hand GET
// /v1/config to the npm package), but only of its own version.
TEST(ConfigLoader, TheCompilerAcceptsTheCompiledFormOfItsVersion) {
  Json served = servedShop();
  EXPECT_TRUE(compileSiteConfig(served).errors.empty());
  served["compiled"] = kCompiledFormVersion - 1;
  auto compiled = compileSiteConfig(served);
  ASSERT_EQ(compiled.errors.size(), 1u);
  EXPECT_EQ(compiled.errors[0].path, "/compiled");
}

TEST(ConfigLoader, NamesTheFirstDamagedPlace) {
  Json served = servedShop();
  Json damaged = served;
  damaged["offers"][0]["priority"] = "high";
  auto loaded = loadCompiledConfig(damaged);
  EXPECT_EQ(loaded.config, nullptr);
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].path, "/offers/0/priority");
  EXPECT_NE(loaded.errors[0].message.find("damaged"), std::string::npos);

  damaged = served;
  damaged["transport"].erase("batch_size");
  EXPECT_EQ(loadCompiledConfig(damaged).errors.at(0).path, "/transport/batch_size");
  damaged = served;
  damaged["consent"]["pending_limit"] = 1e12;
  EXPECT_EQ(loadCompiledConfig(damaged).errors.at(0).path, "/consent/pending_limit");
  damaged = served;
  damaged["segments"]["vip"] = {{"$where", "1"}};
  EXPECT_EQ(loadCompiledConfig(damaged).errors.at(0).path, "/segments/vip");
  damaged = served;
  damaged["conditions"]["regexes"][0]["program"][0] = {4, 1000};  // a jump past the end
  EXPECT_EQ(loadCompiledConfig(damaged).errors.at(0).path, "/conditions/regexes/0");
  damaged = served;
  damaged["segments"]["vip"][0]["path"] = 99;
  EXPECT_EQ(loadCompiledConfig(damaged).errors.at(0).path, "/segments/vip");
  damaged = served;
  damaged["scoring"]["thresholds"] = {50, 10};
  EXPECT_EQ(loadCompiledConfig(damaged).errors.at(0).path, "/scoring/thresholds");
}

// What reaches the page is checked again: an altered copy must not inject
// markup, script URLs or CSS.
TEST(ConfigLoader, WhatReachesThePageIsCheckedAgain) {
  Json served = servedShop();
  Json altered = served;
  Json& html = altered["personalization"][0]["variants"][0]["actions"][0];
  html = {{"slot", "hero"}, {"op", "set_html"}, {"value", "<b>hi</b><script>alert(1)</script>"}};
  auto loaded = loadCompiledConfig(altered);
  ASSERT_TRUE(loaded.errors.empty()) << toJson(loaded.errors).dump();
  std::string value = loaded.config->toBrowserJson()["personalization"][0]["variants"][0]["actions"][0]["value"].get<std::string>();
  EXPECT_EQ(value.find("script"), std::string::npos) << value;

  altered = served;
  altered["personalization"][0]["variants"][0]["actions"][0] = {
      {"selector", "a.promo"}, {"op", "set_attr"}, {"name", "href"}, {"value", "javascript:alert(1)"}};
  EXPECT_FALSE(loadCompiledConfig(altered).errors.empty());
  altered["personalization"][0]["variants"][0]["actions"][0]["name"] = "onclick";
  altered["personalization"][0]["variants"][0]["actions"][0]["value"] = "alert(1)";
  EXPECT_FALSE(loadCompiledConfig(altered).errors.empty());
  altered = served;
  altered["personalization"][0]["variants"][0]["actions"][0]["op"] = "eval";
  EXPECT_FALSE(loadCompiledConfig(altered).errors.empty());
  altered = served;
  altered["offers"][0]["content"]["theme"] = {{"accent", "red;background:url(//x)"}};
  EXPECT_FALSE(loadCompiledConfig(altered).errors.empty());
}

// Every value of the served form replaced by one of another kind, and every
// key removed: the loader answers (a configuration or an error), it never
// crashes or reads out of bounds (this test runs under the sanitizers in CI's
// fuzz build too).
TEST(ConfigLoader, SurvivesEveryAlteration) {
  const Json served = servedShop();
  const std::vector<Json::json_pointer> pointers = everyPointer(served);
  const Json replacements[] = {Json(), Json(true), Json(-1), Json(1e300), Json("x"), Json::array(), Json::object()};
  int refused = 0;
  for (const auto& at : pointers) {
    for (const Json& r : replacements) {
      Json altered = served;
      altered[at] = r;
      refused += loadCompiledConfig(altered).config == nullptr;
    }
    if (at.empty()) continue;
    Json removed = served;
    removed[at.parent_pointer()].is_object() ? (void)removed[at.parent_pointer()].erase(at.back())
                                             : (void)removed[at.parent_pointer()].erase(std::stoul(at.back()));
    refused += loadCompiledConfig(removed).config == nullptr;
  }
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace relance
