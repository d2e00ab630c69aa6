// What the forwarder does with a destination's answer: delivered, retry later
// (and when), or refused. Pure functions, so the rules are tested alone.
#ifndef RELANCE_COLLECTOR_DELIVERY_POLICY_H_
#define RELANCE_COLLECTOR_DELIVERY_POLICY_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "collector/destinations.h"
#include "collector/webhook_client.h"

namespace relance::collector {

enum class DeliveryOutcome {
  kDelivered,  // 2xx
  kRetry,      // no answer (network, timeout, TLS), 408, 429, 5xx, and anything else unexpected (1xx, 3xx)
  kRefused,    // another 4xx: the receiver will refuse this batch again; dead-lettered at once
};

DeliveryOutcome classifyAnswer(const WebhookResult& result);

// The wait before the next attempt, after `failures` failed attempts (1 for
// the first): min_delay * 2^(failures-1), at most max_delay, times a random
// factor in [0.75, 1] (jitter, so that destinations failing together do
// not retry together), but never under min_delay. A Retry-After the
// receiver gave (seconds, -1: none) lengthens it, up to one hour.
// `unit_random` is in [0, 1).
std::chrono::milliseconds retryDelay(const RetryPolicy& policy, int failures, double unit_random,
                                     std::int64_t retry_after_seconds = -1);

// True when a batch failing since `failing_since_ms` after `attempts`
// attempts is given up: give_up_after passed AND min_attempts were made.
bool shouldGiveUp(const RetryPolicy& policy, int attempts, std::int64_t failing_since_ms, std::int64_t now_ms);

// A short reason without personal data: "HTTP 503", "connecting: Connection refused".
std::string describeFailure(const WebhookResult& result);

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_DELIVERY_POLICY_H_
