// What the collector keeps about a visitor: truncated addresses, device
// classes, bot flags, the rl_id cookie, the rate limiter.
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "collector/identity.h"
#include "collector/privacy.h"
#include "collector/rate_limiter.h"

namespace relance::collector {
namespace {

TEST(CollectorPrivacyTest, TruncatesAddresses) {
  EXPECT_EQ(truncateIp("203.0.113.77"), "203.0.113.0");
  EXPECT_EQ(truncateIp("::ffff:198.51.100.9"), "198.51.100.0");
  EXPECT_EQ(truncateIp("2001:db8:abcd:1234:5678::1"), "2001:db8:abcd::");
  EXPECT_EQ(truncateIp("not an address"), "");
}

TEST(CollectorPrivacyTest, DeviceClasses) {
  EXPECT_EQ(deviceClass(""), "unknown");
  EXPECT_EQ(deviceClass("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"), "mobile");
  EXPECT_EQ(deviceClass("Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/120 Mobile Safari/537.36"), "mobile");
  EXPECT_EQ(deviceClass("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)"), "tablet");
  EXPECT_EQ(deviceClass("Mozilla/5.0 (Linux; Android 14; SM-X710) Chrome/120 Safari/537.36"), "tablet");
  EXPECT_EQ(deviceClass("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120 Safari/537.36"), "desktop");
  EXPECT_EQ(deviceClass("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"), "bot");
}

TEST(CollectorPrivacyTest, RememberedDeviceClassesStayRight) {
  // Each thread remembers the classes it computed (256 user agents, then it
  // starts again): asked again, across a refill, and for a user agent too
  // long to be remembered, the answers do not change.
  const std::string phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148";
  const std::string bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
  const std::string long_bot = std::string(600, 'x') + " Googlebot/2.1";
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(deviceClass(phone), "mobile");
    EXPECT_EQ(deviceClass(bot), "bot");
    EXPECT_EQ(deviceClass(long_bot), "bot");
    for (int i = 0; i < 300; ++i) EXPECT_EQ(deviceClass("Mozilla/5.0 (Windows NT 10.0) Chrome/" + std::to_string(i)), "desktop");
  }
}

TEST(CollectorPrivacyTest, KnownBots) {
  EXPECT_TRUE(isBot("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"));
  EXPECT_TRUE(isBot("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0.0.0 Safari/537.36"));
  EXPECT_TRUE(isBot("curl/8.5.0"));
  EXPECT_FALSE(isBot("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15"));
  EXPECT_FALSE(isBot("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"));
}

TEST(CollectorPrivacyTest, MarkersAreFoundAnywhereInAnyCase) {
  EXPECT_TRUE(isBot("GPTBot/1.0"));                      // at the start
  EXPECT_TRUE(isBot("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0)"));
  EXPECT_TRUE(isBot("Mozilla/5.0 Playwright"));          // at the very end
  EXPECT_TRUE(isBot("x+http"));
  EXPECT_TRUE(isBot("\xC3\xA9 scrapy"));                  // after non-ASCII bytes
  EXPECT_FALSE(isBot("Playwrigh"));                      // a marker cut short
  EXPECT_FALSE(isBot(""));
}

TEST(CollectorIdentityTest, CookieReadAndWrite) {
  std::string id = newIdentity();
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) ids.insert(newIdentity());
  EXPECT_EQ(ids.size(), 100u);
  // Several threads (each keeps its own pool of random bytes) never repeat
  // an identity, across the refills of their pools.
  std::vector<std::string> a, b;
  std::thread first([&a] { for (int i = 0; i < 300; ++i) a.push_back(newIdentity()); });
  std::thread second([&b] { for (int i = 0; i < 300; ++i) b.push_back(newIdentity()); });
  first.join();
  second.join();
  ids.insert(a.begin(), a.end());
  ids.insert(b.begin(), b.end());
  EXPECT_EQ(ids.size(), 700u);
  EXPECT_EQ(readIdentityCookie("a=1; rl_id=" + id + "; b=2"), id);
  EXPECT_EQ(readIdentityCookie("rl_id=../../etc"), "") << "only values the collector could have made";
  EXPECT_EQ(readIdentityCookie("xrl_id=" + id), "");
  std::string cookie = identitySetCookie(id, false);
  EXPECT_EQ(cookie, "rl_id=" + id + "; Path=/; Max-Age=34128000; HttpOnly; SameSite=Lax");
  EXPECT_NE(identitySetCookie(id, true).find("; Secure"), std::string::npos);
}

TEST(CollectorRateLimiterTest, TokenBucketPerClient) {
  RateLimiter limiter(2, 3);
  std::int64_t t = 1000000;
  EXPECT_EQ(limiter.take("a", t), 0);
  EXPECT_EQ(limiter.take("a", t), 0);
  EXPECT_EQ(limiter.take("a", t), 0);
  EXPECT_GE(limiter.take("a", t), 1) << "burst of 3 spent";
  EXPECT_EQ(limiter.take("b", t), 0) << "another client has its own bucket";
  EXPECT_EQ(limiter.take("a", t + 500), 0) << "one token back after 0.5 s at 2/s";
  EXPECT_GE(limiter.take("a", t + 500), 1);
  RateLimiter off(0, 1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(off.take("a", t), 0);
}

TEST(CollectorRateLimiterTest, BoundedTable) {
  RateLimiter limiter(1, 1, 10);
  for (int i = 0; i < 1000; ++i) limiter.take("client" + std::to_string(i), 0);
  // The newest client was remembered: a second request right away is limited.
  EXPECT_GE(limiter.take("client999", 0), 1);
}

}  // namespace
}  // namespace relance::collector
