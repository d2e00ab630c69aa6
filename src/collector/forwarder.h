// The forwarder: after the acknowledgement, sends stored events and opt-ins
// to each destination, in commit order, at least once
// (docs/design/destinations.md).
//
// One thread per destination and stream ("lane": the events, and the
// opt-ins unless the destination says "optins": false), each with its own database
// connection (DestinationFeed) and HTTP client, so that a destination that
// is down (waiting out its backoff, or a slow receiver up to its timeout)
// never holds back another. A lane reads a batch after its durable cursor,
// posts it signed, and moves the cursor only once the receiver answered
// 2xx; a crash between the two sends the batch again (the receiver
// deduplicates on each event's `id`). Failures retry with backoff
// (delivery_policy.h); batches given up on become dead letters.
#ifndef RELANCE_COLLECTOR_FORWARDER_H_
#define RELANCE_COLLECTOR_FORWARDER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collector/destinations.h"

namespace relance::collector {

struct ForwarderOptions {
  std::string db_path;
  std::string ca_file;      // PEM bundle trusted instead of the system's store (tests); "" for the system's
  std::string user_agent = "relance-collector";
  // An idle lane looks at the feed this often even without notify().
  std::chrono::milliseconds poll{1000};
};

class Forwarder {
 public:
  Forwarder(ForwarderOptions options, std::vector<Destination> destinations);
  ~Forwarder();  // calls stop()
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Loads every destination's cursor (a new destination's is set at the end
  // of the feed), then starts one thread per destination. Call it after the
  // store started (the events table exists) and before the server listens.
  // A lane that cannot open the database logs why and retries.
  void start();

  // Events were committed: idle lanes look at the feed now. Cheap; called
  // after every commit.
  void notify();

  // Stops promptly: a post in progress is cut, a backoff is not waited out.
  // The cursors stay exact (a cut post is sent again after a restart).
  void stop();

  // Prometheus lines of every destination (delivered, dead, retries, lag).
  std::string renderMetrics() const;

 private:
  struct Lane;
  std::string open(Lane& lane);
  void run(Lane& lane);

  ForwarderOptions options_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::mutex mutex_;
  // notify() runs on the store's writer thread after every commit: it wakes
  // a lane only when one waits for a commit (an idle lane), and otherwise
  // costs an atomic increment. Backoffs and pauses wait on `stopped_`,
  // which only stop() signals.
  std::condition_variable committed_;
  std::condition_variable stopped_;
  std::atomic<std::uint64_t> generation_{0};  // notify() calls
  std::atomic<int> commit_waiters_{0};        // lanes in waitForCommit
  bool stopping_ = false;                     // under mutex_
};

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_FORWARDER_H_
