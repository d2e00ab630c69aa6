// Destinations, the pure parts: the signature, the retry schedule, the rules
// that turn an answer into delivered / retry / dead letter, and the file's
// errors with their paths.
#include <algorithm>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "collector/delivery_policy.h"
#include "collector/destinations.h"
#include "collector/webhook_signature.h"

namespace relance::collector {
namespace {

using std::chrono::milliseconds;

TEST(DestinationSignature, HmacSha256MatchesRfc4231) {
  // RFC 4231, test case 2.
  EXPECT_EQ(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(DestinationSignature, SignsTheTimestampAndTheBody) {
  std::string body = "{\"events\":[]}";
  // Computed independently: printf '1700000000.{"events":[]}' | openssl dgst -sha256 -hmac whsec_0123456789abcdef
  EXPECT_EQ(webhookSignature("whsec_0123456789abcdef", 1700000000, body),
            "t=1700000000,v1=" + hmacSha256Hex("whsec_0123456789abcdef", "1700000000." + body));
  EXPECT_NE(webhookSignature("whsec_0123456789abcdef", 1700000001, body),
            webhookSignature("whsec_0123456789abcdef", 1700000000, body));
}

TEST(DestinationPolicy, BackoffDoublesFromTenSecondsToFiveMinutes) {
  RetryPolicy policy;
  // Without jitter (random 1.0): 10, 20, 40, 80, 160, 300, 300 s.
  std::vector<std::int64_t> seconds;
  for (int failures = 1; failures <= 7; ++failures) seconds.push_back(retryDelay(policy, failures, 1.0).count() / 1000);
  EXPECT_EQ(seconds, (std::vector<std::int64_t>{10, 20, 40, 80, 160, 300, 300}));
  // The jitter takes up to a quarter off, never under the minimum.
  EXPECT_EQ(retryDelay(policy, 1, 0.0), milliseconds(10000));
  EXPECT_EQ(retryDelay(policy, 2, 0.0), milliseconds(15000));
  EXPECT_EQ(retryDelay(policy, 9, 0.0), milliseconds(225000));
  for (double random : {0.0, 0.3, 0.999}) {
    auto delay = retryDelay(policy, 4, random);
    EXPECT_GE(delay, milliseconds(60000));
    EXPECT_LE(delay, milliseconds(80000));
  }
}

TEST(DestinationPolicy, RetryAfterLengthensTheWaitUpToAnHour) {
  RetryPolicy policy;
  EXPECT_EQ(retryDelay(policy, 1, 1.0, 120), milliseconds(120000));
  EXPECT_EQ(retryDelay(policy, 1, 1.0, 2), milliseconds(10000));  // never shorter than the backoff
  EXPECT_EQ(retryDelay(policy, 1, 1.0, 86400), milliseconds(3600000));
}

TEST(DestinationPolicy, AnswersAreDeliveredRetriedOrRefused) {
  auto outcome = [](int status) { return classifyAnswer(WebhookResult{status, status ? "" : "connecting: refused", -1, ""}); };
  for (int status : {200, 201, 202, 204}) EXPECT_EQ(outcome(status), DeliveryOutcome::kDelivered) << status;
  for (int status : {0, 408, 429, 500, 502, 503, 504, 301, 302}) EXPECT_EQ(outcome(status), DeliveryOutcome::kRetry) << status;
  for (int status : {400, 401, 403, 404, 409, 410, 413, 422}) EXPECT_EQ(outcome(status), DeliveryOutcome::kRefused) << status;
}

TEST(DestinationPolicy, GivesUpAfterThreeHoursAndThreeAttempts) {
  RetryPolicy policy;
  std::int64_t since = 1700000000000;
  std::int64_t hours3 = 180LL * 60 * 1000;
  EXPECT_FALSE(shouldGiveUp(policy, 2, since, since + hours3 * 10));  // long, but only 2 attempts
  EXPECT_FALSE(shouldGiveUp(policy, 50, since, since + hours3 - 1));  // many attempts, not yet 3 hours
  EXPECT_TRUE(shouldGiveUp(policy, 3, since, since + hours3));
}

TEST(DestinationPolicy, FailuresAreDescribedWithoutTheAnswer) {
  EXPECT_EQ(describeFailure(WebhookResult{503, "", -1, "user ana@example.com"}), "HTTP 503");
  EXPECT_EQ(describeFailure(WebhookResult{0, "connecting: Connection refused", -1, ""}),
            "connecting: Connection refused");
}

// ------------------------------------------------------------------ the file

std::map<std::string, std::string> environment = {{"CRM_SECRET", "whsec_0123456789abcdef"}, {"SHORT", "abc"}};
LoadedDestinations parse(const std::string& text) {
  return parseDestinations(text, [](const std::string& name) {
    auto it = environment.find(name);
    return it == environment.end() ? std::string() : it->second;
  });
}

std::vector<std::string> paths(const LoadedDestinations& loaded) {
  std::vector<std::string> out;
  for (const auto& error : loaded.errors) out.push_back(error.path);
  return out;
}

TEST(DestinationFile, AValidFileWithDefaults) {
  auto loaded = parse(R"({"destinations": [{"id": "crm", "url": "https://crm.example/hooks/relance?x=1",
                         "secret_env": "CRM_SECRET"}]})");
  ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? loaded.problem : loaded.errors[0].message);
  ASSERT_EQ(loaded.destinations.size(), 1u);
  const Destination& crm = loaded.destinations[0];
  EXPECT_EQ(crm.secret, "whsec_0123456789abcdef");
  EXPECT_TRUE(crm.parsed.https);
  EXPECT_EQ(crm.parsed.host, "crm.example");
  EXPECT_EQ(crm.parsed.port, "443");
  EXPECT_EQ(crm.parsed.target, "/hooks/relance?x=1");
  EXPECT_EQ(crm.events, defaultDestinationEvents());
  EXPECT_TRUE(wantsEventType(crm.events, "cart_abandoned"));
  EXPECT_FALSE(wantsEventType(crm.events, "page_view"));
  EXPECT_TRUE(wantsEventType({"*"}, "page_view"));
  EXPECT_EQ(crm.batch_size, 50u);
  EXPECT_EQ(crm.retry.min_attempts, 3);
  EXPECT_TRUE(crm.optins);  // the contacts are what a CRM needs
}

TEST(DestinationFile, EveryErrorWithItsPath) {
  auto loaded = parse(R"({"destinations": [
      {"id": "Bad Id", "url": "ftp://x", "events": ["page_view", "nope", 3], "batch_size": 0,
       "secret_env": "MISSING", "colour": "red", "optins": "no"},
      {"id": "crm", "url": "http://crm.example/hook", "secret_env": "SHORT", "timeout_seconds": -1,
       "retry": {"min_seconds": 60, "max_seconds": 30, "min_attempts": 0, "forever": true}},
      {"id": "crm", "url": "https://[::1", "secret_env": "CRM_SECRET"},
      {"url": "https://ok.example", "secret_env": "1X"}
    ], "extra": 1})");
  EXPECT_FALSE(loaded.ok());
  EXPECT_TRUE(loaded.destinations.empty());
  std::vector<std::string> expected = {
      "/extra",
      "/destinations/0/colour",
      "/destinations/0/id",
      "/destinations/0/url",
      "/destinations/0/events/1",
      "/destinations/0/events/2",
      "/destinations/0/batch_size",
      "/destinations/0/optins",
      "/destinations/0/secret_env",
      "/destinations/1/url",
      "/destinations/1/secret_env",
      "/destinations/1/timeout_seconds",
      "/destinations/1/retry/forever",
      "/destinations/1/retry/min_attempts",
      "/destinations/1/retry/max_seconds",
      "/destinations/2/url",
      "/destinations/2/id",
      "/destinations/3/id",
      "/destinations/3/secret_env",
  };
  auto got = paths(loaded);
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(got, expected);
  for (const auto& error : loaded.errors) {
    EXPECT_EQ(error.message.find("abc"), std::string::npos) << "a secret leaked into " << error.message;
  }
}

TEST(DestinationFile, PlainHttpOnlyToLoopbackOrWhenAllowed) {
  EXPECT_TRUE(parse(R"({"destinations": [{"id": "a", "url": "http://127.0.0.1:9000/h", "secret_env": "CRM_SECRET"}]})").ok());
  EXPECT_TRUE(parse(R"({"destinations": [{"id": "a", "url": "http://localhost/h", "secret_env": "CRM_SECRET"}]})").ok());
  EXPECT_TRUE(parse(R"({"destinations": [{"id": "a", "url": "http://[::1]:81/", "secret_env": "CRM_SECRET"}]})").ok());
  auto refused = parse(R"({"destinations": [{"id": "a", "url": "http://crm.example/h", "secret_env": "CRM_SECRET"}]})");
  ASSERT_EQ(paths(refused), std::vector<std::string>{"/destinations/0/url"});
  EXPECT_NE(refused.errors[0].message.find("allow_http"), std::string::npos);
  EXPECT_TRUE(parse(R"({"destinations": [{"id": "a", "url": "http://crm.example/h", "allow_http": true,
                        "secret_env": "CRM_SECRET"}]})").ok());
}

TEST(DestinationFile, OptinsCanBeTurnedOff) {
  auto loaded = parse(R"({"destinations": [{"id": "a", "url": "http://127.0.0.1/h", "secret_env": "CRM_SECRET",
                          "optins": false}]})");
  ASSERT_TRUE(loaded.ok());
  EXPECT_FALSE(loaded.destinations[0].optins);
}

TEST(DestinationFile, NotJsonIsOneProblem) {
  auto loaded = parse("{\"destinations\": [");
  EXPECT_FALSE(loaded.ok());
  EXPECT_NE(loaded.problem.find("malformed JSON"), std::string::npos);
  EXPECT_EQ(loadDestinations("/nonexistent/destinations.json").problem,
            "/nonexistent/destinations.json: cannot be read");
}

TEST(DestinationFile, UrlsAreParsed) {
  WebhookUrl url;
  EXPECT_EQ(parseWebhookUrl("https://[2001:db8::1]:8443", url), "");
  EXPECT_EQ(url.host, "2001:db8::1");
  EXPECT_EQ(url.port, "8443");
  EXPECT_EQ(url.target, "/");
  EXPECT_EQ(parseWebhookUrl("http://h?q=1", url), "");
  EXPECT_EQ(url.target, "/?q=1");
  EXPECT_NE(parseWebhookUrl("https://user:pw@h/", url), "");
  EXPECT_NE(parseWebhookUrl("https://h:99999/", url), "");
  EXPECT_NE(parseWebhookUrl("https://h/a b", url), "");
  EXPECT_NE(parseWebhookUrl("https:///x", url), "");
  EXPECT_FALSE(isLoopbackHost("127.example.com"));
  EXPECT_TRUE(isLoopbackHost("127.0.0.2"));
}

}  // namespace
}  // namespace relance::collector
