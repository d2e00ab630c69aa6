#include "collector/rate_limiter.h"

#include <algorithm>
#include <cmath>

#include <boost/asio/ip/address.hpp>

namespace relance::collector {

std::string rateLimitKey(const std::string& address) {
  // IPv4 (the common case) without parsing it: no colon.
  if (address.find(':') == std::string::npos) return address;
  boost::system::error_code ec;
  auto ip = boost::asio::ip::make_address(address, ec);
  if (ec) return address;
  if (ip.is_v6() && ip.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6()).to_string();
  }
  if (!ip.is_v6()) return ip.to_string();
  auto bytes = ip.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

RateLimiter::RateLimiter(double per_second, double burst, std::size_t max_clients)
    : per_second_(per_second), burst_(std::max(1.0, burst)), max_clients_(std::max<std::size_t>(1, max_clients)) {}

int RateLimiter::take(const std::string& client, std::int64_t now_ms) {
  if (per_second_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) forgetIdle(now_ms);
    it = buckets_.emplace(client, Bucket{burst_, now_ms}).first;
  }
  Bucket& bucket = it->second;
  double elapsed = std::max<std::int64_t>(0, now_ms - bucket.updated_ms) / 1000.0;
  bucket.tokens = std::min(burst_, bucket.tokens + elapsed * per_second_);
  bucket.updated_ms = now_ms;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return 0;
  }
  double wait = (1.0 - bucket.tokens) / per_second_;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

int RateLimiter::wait(const std::string& client, std::int64_t now_ms) const {
  if (per_second_ <= 0) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) return 0;  // a new client has its whole burst
  double elapsed = std::max<std::int64_t>(0, now_ms - it->second.updated_ms) / 1000.0;
  double tokens = std::min(burst_, it->second.tokens + elapsed * per_second_);
  if (tokens >= 1.0) return 0;
  return std::max(1, static_cast<int>(std::ceil((1.0 - tokens) / per_second_)));
}

void RateLimiter::forgetIdle(std::int64_t now_ms) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    double elapsed = std::max<std::int64_t>(0, now_ms - it->second.updated_ms) / 1000.0;
    if (it->second.tokens + elapsed * per_second_ >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  // Every client is active: drop an arbitrary one rather than grow.
  if (buckets_.size() >= max_clients_) buckets_.erase(buckets_.begin());
}

}  // namespace relance::collector
