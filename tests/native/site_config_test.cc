// compileSiteConfig: the top-level sections, their defaults, their errors.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/site_config.h"

namespace relance {
namespace {

std::set<std::string> errorPaths(const Json& source) {
  std::set<std::string> paths;
  for (const auto& e : compileSiteConfig(source).errors) paths.insert(e.path);
  return paths;
}

TEST(SiteConfig, EmptyConfigurationGetsTheDefaults) {
  CompileSiteConfigResult r = compileSiteConfig(Json::object());
  ASSERT_TRUE(r.errors.empty());
  ASSERT_TRUE(r.config);
  EXPECT_EQ(r.config->session_timeout_minutes, 30);
  EXPECT_FALSE(r.config->consent.required);
  EXPECT_EQ(r.config->consent.pending, "buffer");
  Json browser = r.config->toBrowserJson();
  EXPECT_EQ(browser["transport"]["endpoint"], "/v1/events");
  EXPECT_EQ(browser["transport"]["batch_size"], 20);
  EXPECT_EQ(browser["session"]["timeout_minutes"], 30);
  EXPECT_EQ(browser["site"]["currency"], "EUR");
  EXPECT_TRUE(compileSiteConfig(browser).errors.empty()) << "the defaults compile again";
}

TEST(SiteConfig, ReadsEverySection) {
  Json source = Json::parse(R"({
    "version": 1,
    "site": {"id": "demo", "name": "Demo", "currency": "USD", "allowed_origins": ["https://shop.example", "http://localhost:8080"]},
    "consent": {"required": true, "honor_gpc": false, "exempt_measurement": true, "pending": "drop", "pending_limit": 10},
    "bots": {"drop": true},
    "transport": {"endpoint": "/e", "optin_endpoint": "/o", "batch_size": 5, "flush_ms": 200, "queue_limit": 100},
    "session": {"timeout_minutes": 45},
    "segments": {"vip": {"visitor.orders_year": {"$gte": 5}}}
  })");
  CompileSiteConfigResult r = compileSiteConfig(source);
  ASSERT_TRUE(r.errors.empty()) << toJson(r.errors).dump();
  const SiteConfig& c = *r.config;
  EXPECT_EQ(c.site_id, "demo");
  EXPECT_EQ(c.currency, "USD");
  EXPECT_EQ(c.allowed_origins.size(), 2u);
  EXPECT_TRUE(c.consent.required);
  EXPECT_FALSE(c.consent.honor_gpc);
  EXPECT_TRUE(c.consent.exempt_measurement);
  EXPECT_EQ(c.consent.pending, "drop");
  EXPECT_EQ(c.consent.pending_limit, 10);
  EXPECT_TRUE(c.drop_bots);
  EXPECT_EQ(c.transport.batch_size, 5);
  EXPECT_EQ(c.transport.queue_limit, 100);
  EXPECT_EQ(c.session_timeout_minutes, 45);
  ASSERT_EQ(c.compiled_segments.size(), 1u);
  EXPECT_EQ(c.compiled_segments[0].name, "vip");
}

TEST(SiteConfig, BrowserJsonLeavesServerOnlyFieldsOutAndCompilesAgain) {
  Json source = Json::parse(R"({"site": {"id": "demo", "allowed_origins": ["https://shop.example"]},
                                "bots": {"drop": true}, "segments": {"vip": {"visitor.orders": {"$gte": 5}}}})");
  CompileSiteConfigResult r = compileSiteConfig(source);
  ASSERT_TRUE(r.errors.empty());
  Json browser = r.config->toBrowserJson();
  EXPECT_FALSE(browser["site"].contains("allowed_origins"));
  EXPECT_FALSE(browser.contains("bots"));
  // The segment's condition is served compiled (core/condition_form.h).
  EXPECT_EQ(browser["conditions"]["paths"], Json::array({"visitor.orders"}));
  EXPECT_EQ(browser["segments"]["vip"].dump(), R"([{"path":0,"test":{"ops":[{"op":"$gte","value":5}]}}])");
  CompileSiteConfigResult again = compileSiteConfig(browser);
  ASSERT_TRUE(again.errors.empty()) << toJson(again.errors).dump();
  EXPECT_EQ(again.config->toBrowserJson(), browser);
}

TEST(SiteConfig, EveryErrorHasItsPath) {
  Json source = Json::parse(R"({
    "version": 2, "colour": "blue",
    "site": {"id": "", "currency": "eur", "allowed_origins": ["https://ok.example", "shop.example/path", 3], "owner": 1},
    "consent": {"required": "yes", "pending": "wait", "pending_limit": -1},
    "bots": {"drop": 1},
    "transport": {"batch_size": 0, "flush_ms": 1.5, "endpoint": 7},
    "session": {"timeout_minutes": 0},
    "segments": {"bad name": {"a": 1}, "vip": {"visitor.orders": {"$nope": 1}}, "list": [1]}
  })");
  std::set<std::string> expected = {"/version", "/colour", "/site/id", "/site/currency",
                                    "/site/allowed_origins/1", "/site/allowed_origins/2", "/site/owner",
                                    "/consent/required", "/consent/pending", "/consent/pending_limit",
                                    "/bots/drop", "/transport/batch_size", "/transport/flush_ms",
                                    "/transport/endpoint", "/session/timeout_minutes", "/segments/bad name",
                                    "/segments/list"};
  std::set<std::string> paths = errorPaths(source);
  for (const auto& p : expected) EXPECT_EQ(paths.count(p), 1u) << "missing error at " << p;
  bool segment_operator_error = false;
  for (const auto& p : paths) segment_operator_error = segment_operator_error || p.rfind("/segments/vip", 0) == 0;
  EXPECT_TRUE(segment_operator_error) << "an unknown operator in a segment is an error under /segments/vip";
  EXPECT_FALSE(compileSiteConfig(source).config);
}

// The browser appends the endpoints to the collector's base URL (the
// snippet's, or createRelance's `endpoint`): a full URL or a relative path
// could never be reached, so they are refused rather than silently lost.
TEST(SiteConfig, TransportEndpointsArePaths) {
  EXPECT_TRUE(errorPaths(Json::parse(R"({"transport": {"endpoint": "/e", "optin_endpoint": "/s/v1/optin"}})")).empty());
  std::set<std::string> paths = errorPaths(Json::parse(
      R"({"transport": {"endpoint": "https://t.shop.example/v1/events", "optin_endpoint": "v1/optin"}})"));
  EXPECT_EQ(paths, (std::set<std::string>{"/transport/endpoint", "/transport/optin_endpoint"}));
  CompileSiteConfigResult r = compileSiteConfig(Json::parse(R"({"transport": {"endpoint": "//evil.example/x"}})"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "must be a path starting with \"/\" (the browser adds it to the collector's base URL)");
}

TEST(SiteConfig, SectionsOfTheWrongTypeAreErrors) {
  std::set<std::string> paths = errorPaths(Json::parse(R"({"site": 1, "consent": [], "session": "30", "segments": 2})"));
  EXPECT_EQ(paths, (std::set<std::string>{"/site", "/consent", "/session", "/segments"}));
  EXPECT_EQ(errorPaths(Json::array()), (std::set<std::string>{""}));
}

}  // namespace
}  // namespace relance
