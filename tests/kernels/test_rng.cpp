// Philox known-answer vectors and sampler statistics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/rng.cuh"

namespace salient {
namespace {

// Random123 tests/kat_vectors, the three "philox4x32 10" lines (counter, key, result).
TEST(Philox, KnownAnswerVectors) {
  struct Kat {
    r123::Philox4x32::ctr_type ctr;
    r123::Philox4x32::key_type key;
    r123::Philox4x32::ctr_type expect;
  };
  const Kat kats[] = {
      {{{0, 0, 0, 0}}, {{0, 0}}, {{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}}},
      {{{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}},
       {{0xffffffff, 0xffffffff}},
       {{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}}},
      {{{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}},
       {{0xa4093822, 0x299f31d0}},
       {{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}},
  };
  r123::Philox4x32 gen;
  for (const Kat& k : kats) {
    const auto r = gen(k.ctr, k.key);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(r.v[i], k.expect.v[i]) << "word " << i;
  }
}

TEST(Philox, KeyedBySeedStepEntityPurpose) {
  // The wrapper's mapping: counter (step, entity, purpose, sub), key (seed lo, seed hi).
  r123::Philox4x32 gen;
  const std::uint64_t seed = 0x299f31d0a4093822ULL;
  const auto direct =
      gen({{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}}, {{0xa4093822, 0x299f31d0}});
  EXPECT_EQ(direct.v[0], 0xd16cfe09u);
  const auto a = philox(seed, 7, 11, Purpose::kHit, 0);
  const auto b = philox(seed, 7, 11, Purpose::kDetect, 0);
  const auto c = philox(seed, 8, 11, Purpose::kHit, 0);
  const auto d = philox(seed + (1ULL << 32), 7, 11, Purpose::kHit, 0);
  EXPECT_NE(a.v[0], b.v[0]);
  EXPECT_NE(a.v[0], c.v[0]);
  EXPECT_NE(a.v[0], d.v[0]);  // the high half of the seed matters
  EXPECT_EQ(a.v[0], philox(seed, 7, 11, Purpose::kHit, 0).v[0]);  // stateless
}

TEST(Samplers, UniformRangeAndEdges) {
  EXPECT_GT(uniform_float(0u), 0.0f);
  EXPECT_LT(uniform_float(0xffffffffu), 1.0f);
  EXPECT_GT(uniform_double(0u, 0u), 0.0);
  EXPECT_LT(uniform_double(0xffffffffu, 0xffffffffu), 1.0);
}

// Mean and variance of 10^6 uniforms: tolerance 5 standard errors (false alarm ~6e-7).
// Chi-square over 100 equal bins: 99 degrees of freedom, 99.9% quantile 148.2.
TEST(Samplers, UniformMomentsAndChiSquare) {
  const int n = 1000000;
  std::vector<int> bins(100, 0);
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const auto r = philox(12345, 1, static_cast<std::uint32_t>(i), Purpose::kHit);
    const double u = uniform_float(r.v[0]);
    sum += u;
    sum2 += u * u;
    ++bins[static_cast<int>(u * 100)];
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.5, 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 5 * std::sqrt(1.0 / 180 / n));  // Var of u^2-based estimator
  double chi2 = 0;
  for (int c : bins) chi2 += (c - n / 100.0) * (c - n / 100.0) / (n / 100.0);
  EXPECT_LT(chi2, 148.2);
}

// 2x10^5 normal deviates: mean within 5 SE, variance within 5 SE (SE of s^2 = sqrt(2/n)),
// and Kolmogorov-Smirnov distance to the standard normal CDF below the 0.1% critical value
// 1.95 / sqrt(n).
TEST(Samplers, NormalMomentsAndKolmogorovSmirnov) {
  const int pairs = 100000, n = 2 * pairs;
  std::vector<double> z;
  z.reserve(n);
  for (int i = 0; i < pairs; ++i) {
    float z0, z1;
    normal_pair(philox(99, 3, static_cast<std::uint32_t>(i), Purpose::kMoveJitter), z0, z1);
    z.push_back(z0);
    z.push_back(z1);
  }
  double sum = 0, sum2 = 0;
  for (double v : z) sum += v, sum2 += v * v;
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5 / std::sqrt(double(n)));
  EXPECT_NEAR(var, 1.0, 5 * std::sqrt(2.0 / n));
  std::sort(z.begin(), z.end());
  double d = 0;
  for (int i = 0; i < n; ++i) {
    const double cdf = 0.5 * std::erfc(-z[i] / std::sqrt(2.0));
    d = std::max({d, std::abs(cdf - double(i) / n), std::abs(cdf - double(i + 1) / n)});
  }
  EXPECT_LT(d, 1.95 / std::sqrt(double(n)));
}

}  // namespace
}  // namespace salient
