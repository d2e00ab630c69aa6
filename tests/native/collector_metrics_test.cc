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

// Sums of seconds keep their digits: with the stream's default precision a
// sum past 100,000 s was printed in whole seconds (123456.75 as 123457).
TEST(CollectorMetrics, SumsOfSecondsKeepTheirFraction) {
  Metrics metrics;
  metrics.observeCommit(123456.5, 1);
  metrics.observeCommit(0.25, 1);
  Metrics::StoreFigures store;
  store.writer_checkpoint_seconds = 234567.125;
  std::string text = metrics.render(store);
  EXPECT_NE(text.find("relance_store_commit_seconds_sum 123456.75\n"), std::string::npos) << text;
  EXPECT_NE(text.find("relance_store_wal_restart_pause_seconds_sum 234567.125\n"), std::string::npos) << text;
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
