#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/variant.h"

namespace relance {
namespace {

TEST(DecisionsVariant, Fnv1aMatchesTheReferenceVectors) {
  // Test vectors of the FNV reference (Fowler, Noll, Vo), 32-bit FNV-1a.
  EXPECT_EQ(fnv1a32(""), 0x811c9dc5u);
  EXPECT_EQ(fnv1a32("a"), 0xe40c292cu);
  EXPECT_EQ(fnv1a32("foobar"), 0xbf9cf968u);
}

TEST(DecisionsVariant, BucketIsTheHashOfIdColonUnit) {
  EXPECT_EQ(variantBucket("anon", "rule"), fnv1a32("anon:rule") / 4294967296.0);
  EXPECT_EQ(variantBucket("fo", "obar"), fnv1a32("fo:obar") / 4294967296.0);
  EXPECT_NE(variantBucket("anon", "rule-a"), variantBucket("anon", "rule-b"));
}

TEST(DecisionsVariant, PicksByWeightAndHoldout) {
  std::vector<WeightedVariant> v = {{"a", 1}, {"b", 3}};
  EXPECT_EQ(pickVariant(0.0, 0, v), 0);
  EXPECT_EQ(pickVariant(0.24, 0, v), 0);
  EXPECT_EQ(pickVariant(0.26, 0, v), 1);
  EXPECT_EQ(pickVariant(0.999, 0, v), 1);
  EXPECT_EQ(pickVariant(0.05, 0.1, v), -1);  // holdout
  EXPECT_EQ(pickVariant(0.2, 0.1, v), 0);    // (0.2-0.1)/0.9*4 = 0.44 < 1
  EXPECT_EQ(pickVariant(0.5, 0.1, v), 1);
  EXPECT_EQ(pickVariant(0.5, 0, {{"a", 0}, {"b", 0}}), -1);
  EXPECT_EQ(pickVariant(0.1, 0, {{"a", 0}, {"b", 1}}), 1);
}

TEST(DecisionsVariant, DistributionOver100000IdsFitsTheWeights) {
  // Weights 1:2:1 with a 10% holdout: expected shares 10%, 22.5%, 45%, 22.5%.
  std::vector<WeightedVariant> variants = {{"a", 1}, {"b", 2}, {"c", 1}};
  const double expected_share[] = {0.10, 0.225, 0.45, 0.225};
  const int n = 100000;
  int counts[4] = {0, 0, 0, 0};
  for (int i = 0; i < n; ++i) {
    // Ids shaped like the browser's (UUID v7, web/src/ids.ts) would be ideal;
    // a counter with a fixed prefix is a harder case for a hash.
    std::string id = "visitor-" + std::to_string(i);
    int pick = pickVariant(variantBucket(id, "hero-test"), 0.1, variants);
    counts[pick + 1]++;
  }
  double chi_square = 0;
  for (int k = 0; k < 4; ++k) {
    double e = expected_share[k] * n;
    chi_square += (counts[k] - e) * (counts[k] - e) / e;
  }
  // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
  EXPECT_LT(chi_square, 16.27) << counts[0] << " " << counts[1] << " " << counts[2] << " " << counts[3];
}

TEST(DecisionsVariant, BucketsAreUniform) {
  const int n = 100000, bins = 20;
  std::vector<int> hist(bins, 0);
  for (int i = 0; i < n; ++i) hist[static_cast<int>(variantBucket("a" + std::to_string(i * 7919), "offer") * bins)]++;
  double chi_square = 0, e = static_cast<double>(n) / bins;
  for (int c : hist) chi_square += (c - e) * (c - e) / e;
  // 19 degrees of freedom: P(chi2 > 43.82) = 0.001.
  EXPECT_LT(chi_square, 43.82);
}

}  // namespace
}  // namespace relance
