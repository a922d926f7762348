// Weapon-effect statistics (issue 4 acceptance): CEP fractions and the Carleton lethal area.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/strike.cuh"

namespace salient {
namespace {

// 20,000 impacts: the fraction within 1 CEP is 0.5 and within 2 CEP 1 - 2^-4 = 0.9375, each
// within 3 binomial standard deviations sqrt(q (1 - q) / n).
TEST(Strike, CepFractions) {
  const WeaponEffect w{30.0f, 20.0f, 0.3f, 50.0f, 25.0f};
  const int n = 20000;
  int within1 = 0, within2 = 0;
  for (int k = 0; k < n; ++k) {
    float x, y;
    impact_point(w, 1000.0f, 2000.0f, philox(5, 1, static_cast<std::uint32_t>(k), Purpose::kHit, 9),
                 x, y);
    const float d = std::hypot(x - 1000.0f, y - 2000.0f);
    within1 += d <= w.cep_m;
    within2 += d <= 2 * w.cep_m;
  }
  EXPECT_NEAR(within1 / double(n), 0.5, 3 * std::sqrt(0.25 / n));
  EXPECT_NEAR(within2 / double(n), 0.9375, 3 * std::sqrt(0.9375 * 0.0625 / n));
}

/// Mean casualties of one strike at the centre of N agents uniform in a square of side 10 R
/// (exp(-25) of the damage lies outside it), over `trials` independent placements.
double mean_casualties(const WeaponEffect& w, float cover, int agents, int trials) {
  const float half = 5.0f * w.lethal_radius_m;
  long long total = 0;
  for (int t = 0; t < trials; ++t)
    for (int i = 0; i < agents; ++i) {
      const auto r = philox(11, static_cast<std::uint32_t>(t), static_cast<std::uint32_t>(i),
                            Purpose::kInitPosition);
      const float x = half * (2 * uniform_float(r.v[0]) - 1);
      const float y = half * (2 * uniform_float(r.v[1]) - 1);
      total += uniform_float(r.v[2]) < casualty_probability(w, x * x + y * y, cover, 1.0f);
    }
  return static_cast<double>(total) / trials;
}

// Lethal area: mean casualties = density x pi R^2. With 1,000 agents (density 1000 / 100 R^2)
// the expected count is 10 pi = 31.4 with a per-trial variance of at most 31.4 (a sum of
// Bernoulli draws), so 1,000 trials give a standard error of 0.18 = 0.56 %: 3 % is 5 sigma.
TEST(Strike, CarletonLethalArea) {
  const WeaponEffect w{30.0f, 20.0f, 0.3f, 50.0f, 25.0f};
  const double expected = 1000.0 / (100.0 * 400.0) * 3.141592653589793 * 400.0;
  EXPECT_NEAR(mean_casualties(w, 0.0f, 1000, 1000), expected, 0.03 * expected);
}

// Cover: in cells of cover c the same strike causes (1 - c) times the casualties (3 % of 12.6
// is 3.4 standard errors of 0.11 over 1,000 trials).
TEST(Strike, CoverReducesCasualtiesByItsFactor) {
  const WeaponEffect w{30.0f, 20.0f, 0.3f, 50.0f, 25.0f};
  const double open = 10.0 * 3.141592653589793, cover = 0.6;
  EXPECT_NEAR(mean_casualties(w, cover, 1000, 1000), (1 - cover) * open, 0.03 * (1 - cover) * open);
}

}  // namespace
}  // namespace salient
