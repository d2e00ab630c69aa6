// Stable assignment of a visitor to a variant (or to the holdout group) of a
// personalization rule or an offer. The same anonymous id and rule id give the
// same answer forever and on both builds (native and WebAssembly): the bucket
// is FNV-1a 32 of "anonymous_id:rule_id", integer arithmetic only.
#ifndef RELANCE_CORE_VARIANT_H_
#define RELANCE_CORE_VARIANT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relance {

// FNV-1a, 32 bits, over the bytes of `text`.
std::uint32_t fnv1a32(std::string_view text);

// The visitor's bucket for `unit` (a rule or offer id), in [0, 1):
// fnv1a32(anonymous_id + ":" + unit) / 2^32.
double variantBucket(std::string_view anonymous_id, std::string_view unit);

// A variant and its weight (any non-negative number; only ratios matter).
struct WeightedVariant {
  std::string id;
  double weight = 1;
};

// Picks a variant for `bucket` (from variantBucket). The first `holdout`
// share of [0, 1) is the holdout group: returns -1. The rest is divided in
// proportion to the weights, in order. Returns the index of the variant, or
// -1 when every weight is 0.
int pickVariant(double bucket, double holdout, const std::vector<WeightedVariant>& variants);

}  // namespace relance

#endif  // RELANCE_CORE_VARIANT_H_
