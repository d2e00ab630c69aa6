// Metrics: requests counted by route and status, rendered as Prometheus text.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "collector/metrics.h"

namespace relance::collector {
namespace {

TEST(CollectorMetrics, CountsRequestsByRouteAndStatus) {
  Metrics metrics;
  metrics.countRequest("events", 200);
  metrics.countRequest("events", 200);
  metrics.countRequest("events", 503);
  metrics.countRequest("static", 404);
  metrics.countRequest("a_route_of_tomorrow", 200);
  metrics.countRequest("events", 999);
  std::string text = metrics.render({});
  EXPECT_NE(text.find("relance_http_requests_total{route=\"events\",status=\"200\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("relance_http_requests_total{route=\"events\",status=\"503\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("relance_http_requests_total{route=\"static\",status=\"404\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("relance_http_requests_total{route=\"a_route_of_tomorrow\",status=\"200\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("relance_http_requests_total{route=\"events\",status=\"999\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("status=\"201\""), std::string::npos);  // nothing for what never happened
}

TEST(CollectorMetrics, CountsFromManyThreadsWithoutLosingAny) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 10000; ++i) metrics.countRequest("events", 200);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_NE(metrics.render({}).find("relance_http_requests_total{route=\"events\",status=\"200\"} 40000\n"),
            std::string::npos);
}

}  // namespace
}  // namespace relance::collector
