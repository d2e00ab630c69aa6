// Counters for GET /metrics, in the Prometheus text format.
#ifndef RELANCE_COLLECTOR_METRICS_H_
#define RELANCE_COLLECTOR_METRICS_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace relance::collector {

class Metrics {
 public:
  // One answered request. `route` is one of a fixed set of names ("events",
  // "static", ...), never the raw path, so the series stay bounded.
  void countRequest(const std::string& route, int status);

  // Events of a request: stored, already stored, refused, dropped as bots.
  void countEvents(std::size_t accepted, std::size_t duplicates, std::size_t rejected, std::size_t dropped);

  // One group commit: its duration and the number of requests it carried.
  void observeCommit(double seconds, std::size_t batches);

  // What the store says of itself, read by the caller for each exposition.
  struct StoreFigures {
    std::size_t queue_rows = 0;
    bool ready = false;
    std::uint64_t checkpoints = 0;
    std::uint64_t writer_checkpoints = 0;
    double writer_checkpoint_seconds = 0;
    std::int64_t log_frames = 0;
    std::int64_t uncopied_frames = 0;
  };

  // The exposition text.
  std::string render(const StoreFigures& store) const;

  // Adds the lines `section` returns to every exposition (the forwarder's
  // per-destination figures). Called before the server starts.
  void addSection(std::function<std::string()> section) { sections_.push_back(std::move(section)); }

 private:
  static constexpr std::array<double, 11> kCommitBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                            0.05,   0.1,   0.25,   0.5,   1.0};
  std::vector<std::function<std::string()>> sections_;
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;
  std::array<std::uint64_t, kCommitBuckets.size()> commit_buckets_{};
  std::uint64_t commit_count_ = 0;
  double commit_sum_ = 0;
  std::uint64_t commit_batches_ = 0;
  std::atomic<std::uint64_t> accepted_{0}, duplicates_{0}, rejected_{0}, dropped_{0};
};

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_METRICS_H_
