// The signature of a webhook delivery, in Stripe's scheme: the header
//   Relance-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
// lets a receiver check integrity (only a holder of the secret can make v1)
// and freshness (t is signed too: refuse one older than a few minutes, so a
// captured delivery cannot be replayed later). docs/collector.md shows a
// receiver's check in Node.
#ifndef RELANCE_COLLECTOR_WEBHOOK_SIGNATURE_H_
#define RELANCE_COLLECTOR_WEBHOOK_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace relance::collector {

// Lowercase hex of HMAC-SHA256(key, message).
std::string hmacSha256Hex(std::string_view key, std::string_view message);

// The value of the Relance-Signature header for `body` sent at `unix_seconds`.
std::string webhookSignature(std::string_view secret, std::int64_t unix_seconds, std::string_view body);

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_WEBHOOK_SIGNATURE_H_
