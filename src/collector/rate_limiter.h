// Per-client rate limit: one token bucket per client (see rateLimitKey).
#ifndef RELANCE_COLLECTOR_RATE_LIMITER_H_
#define RELANCE_COLLECTOR_RATE_LIMITER_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace relance::collector {

// The key of a client's bucket: an IPv4 address as it is; an IPv6 address
// reduced to its /64, the block one subscriber line or host is given (a
// client picks any address in it, so a bucket per address limited nothing).
std::string rateLimitKey(const std::string& address);

class RateLimiter {
 public:
  // `per_second` tokens are added each second up to `burst`. per_second <= 0
  // turns the limit off. At most `max_clients` buckets are kept: when the
  // table is full, full (idle) buckets are forgotten, so memory is bounded.
  RateLimiter(double per_second, double burst, std::size_t max_clients = 100000);

  // Takes one token for `client` at `now_ms`. Returns 0 when allowed, else the
  // whole number of seconds (>= 1) after which a retry would be allowed.
  int take(const std::string& client, std::int64_t now_ms);

  // What take() would answer now, without taking a token: used to refuse a
  // request on its header (Expect: 100-continue) that take() will count
  // once its body has come.
  int wait(const std::string& client, std::int64_t now_ms) const;

  bool enabled() const { return per_second_ > 0; }

 private:
  struct Bucket {
    double tokens;
    std::int64_t updated_ms;
  };
  void forgetIdle(std::int64_t now_ms);

  double per_second_;
  double burst_;
  std::size_t max_clients_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_RATE_LIMITER_H_
