#include "core/variant.h"

namespace relance {

std::uint32_t fnv1a32(std::string_view text) {
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

double variantBucket(std::string_view anonymous_id, std::string_view unit) {
  std::string key;
  key.reserve(anonymous_id.size() + 1 + unit.size());
  key.append(anonymous_id).push_back(':');
  key.append(unit);
  // Exact in a double: a 32-bit integer divided by a power of two.
  return static_cast<double>(fnv1a32(key)) / 4294967296.0;
}

int pickVariant(double bucket, double holdout, const std::vector<WeightedVariant>& variants) {
  if (bucket < holdout) return -1;
  double total = 0;
  for (const auto& v : variants) total += v.weight > 0 ? v.weight : 0;
  if (total <= 0) return -1;
  // Rescale the part outside the holdout to [0, total).
  double position = holdout < 1 ? (bucket - holdout) / (1 - holdout) * total : 0;
  double edge = 0;
  int last = -1;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    if (variants[i].weight <= 0) continue;
    edge += variants[i].weight;
    last = static_cast<int>(i);
    if (position < edge) return last;
  }
  return last;  // rounding at the very top
}

}  // namespace relance
