// The wall clock, in milliseconds since the Unix epoch: what the collector
// stamps (received_at, log lines, cursors) and hands the core as `now`.
#ifndef RELANCE_COLLECTOR_CLOCK_H_
#define RELANCE_COLLECTOR_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace relance::collector {

inline std::int64_t wallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_CLOCK_H_
