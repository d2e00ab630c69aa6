#include "collector/delivery_policy.h"

#include <algorithm>
#include <cmath>

namespace relance::collector {

DeliveryOutcome classifyAnswer(const WebhookResult& result) {
  int status = result.status;
  if (status >= 200 && status < 300) return DeliveryOutcome::kDelivered;
  if (status >= 400 && status < 500 && status != 408 && status != 429) return DeliveryOutcome::kRefused;
  return DeliveryOutcome::kRetry;
}

std::chrono::milliseconds retryDelay(const RetryPolicy& policy, int failures, double unit_random,
                                     std::int64_t retry_after_seconds) {
  double min_ms = static_cast<double>(policy.min_delay.count());
  double max_ms = static_cast<double>(policy.max_delay.count());
  int doublings = std::clamp(failures - 1, 0, 40);
  double nominal = std::min(max_ms, min_ms * std::ldexp(1.0, doublings));
  double jittered = std::max(min_ms, nominal * (0.75 + 0.25 * std::clamp(unit_random, 0.0, 1.0)));
  if (retry_after_seconds >= 0) {
    double asked = static_cast<double>(std::min<std::int64_t>(retry_after_seconds, 3600)) * 1000.0;
    jittered = std::max(jittered, asked);
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(jittered));
}

bool shouldGiveUp(const RetryPolicy& policy, int attempts, std::int64_t failing_since_ms, std::int64_t now_ms) {
  return attempts >= policy.min_attempts && failing_since_ms > 0 &&
         now_ms - failing_since_ms >= policy.give_up_after.count();
}

std::string describeFailure(const WebhookResult& result) {
  if (result.status != 0) return "HTTP " + std::to_string(result.status);
  return result.error.empty() ? "no answer" : result.error;
}

}  // namespace relance::collector
