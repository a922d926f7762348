// Own transcendentals against glibc's libm (itself accurate to < 1 ulp for these functions):
// the bound is 2 ulp in double, and the float wrappers within 1 ulp of libm rounded to float.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "kernels/detmath.cuh"

namespace salient {
namespace {

/// Distance in units in the last place between two finite doubles of the same sign.
std::int64_t ulp_distance(double a, double b) {
  std::int64_t ia, ib;
  std::memcpy(&ia, &a, 8);
  std::memcpy(&ib, &b, 8);
  if (ia < 0) ia = std::numeric_limits<std::int64_t>::min() - ia;
  if (ib < 0) ib = std::numeric_limits<std::int64_t>::min() - ib;
  return ia > ib ? ia - ib : ib - ia;
}

std::int64_t ulp_distance_f(float a, float b) {
  std::int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if (ia < 0) ia = std::numeric_limits<std::int32_t>::min() - ia;
  if (ib < 0) ib = std::numeric_limits<std::int32_t>::min() - ib;
  return ia > ib ? std::int64_t(ia) - ib : std::int64_t(ib) - ia;
}

/// Sweeps [lo, hi] with n points and returns the largest ulp error of f against g.
template <class F, class G>
std::int64_t max_ulp(F f, G g, double lo, double hi, int n) {
  std::int64_t worst = 0;
  for (int i = 0; i <= n; ++i) {
    const double x = lo + (hi - lo) * i / n;
    worst = std::max(worst, ulp_distance(f(x), g(x)));
  }
  return worst;
}

constexpr int kPoints = 400000;

TEST(DetMath, ExpWithin2Ulp) {
  auto f = [](double x) { return detmath::exp(x); };
  auto g = [](double x) { return std::exp(x); };
  EXPECT_LE(max_ulp(f, g, -700, 700, kPoints), 2);
  EXPECT_LE(max_ulp(f, g, -1, 1, kPoints), 2);
  EXPECT_EQ(detmath::exp(0.0), 1.0);
  EXPECT_EQ(detmath::exp(-800.0), 0.0);
  EXPECT_TRUE(std::isinf(detmath::exp(800.0)));
  EXPECT_LE(ulp_distance(detmath::exp(-740.0), std::exp(-740.0)), 2);  // subnormal result
}

TEST(DetMath, LogWithin2Ulp) {
  auto f = [](double x) { return detmath::log(x); };
  auto g = [](double x) { return std::log(x); };
  EXPECT_LE(max_ulp(f, g, 1e-300, 1e-290, kPoints / 4), 2);
  EXPECT_LE(max_ulp(f, g, 0.5, 2.0, kPoints), 2);
  EXPECT_LE(max_ulp(f, g, 1e-6, 1e6, kPoints), 2);
  EXPECT_EQ(detmath::log(1.0), 0.0);
  EXPECT_TRUE(std::isinf(detmath::log(0.0)));
  EXPECT_TRUE(std::isnan(detmath::log(-1.0)));
  EXPECT_LE(ulp_distance(detmath::log(4.9e-324), std::log(4.9e-324)), 2);  // subnormal input
}

TEST(DetMath, SinCosWithin2UlpOnModelRange) {
  // Away from zeros of the function, where relative ulp error is meaningful.
  auto s = [](double x) { return detmath::sin(x); };
  auto c = [](double x) { return detmath::cos(x); };
  auto ls = [](double x) { return std::sin(x); };
  auto lc = [](double x) { return std::cos(x); };
  EXPECT_LE(max_ulp(s, ls, 0.01, 3.13, kPoints), 2);
  EXPECT_LE(max_ulp(c, lc, -1.56, 1.56, kPoints), 2);
  EXPECT_LE(max_ulp(s, ls, 3.15, 6.27, kPoints), 2);
  // Absolute error over the whole Box-Muller range [0, 2 pi] and further.
  for (int i = 0; i <= kPoints; ++i) {
    const double x = -100.0 + 200.0 * i / kPoints;
    ASSERT_NEAR(detmath::sin(x), std::sin(x), 4e-16) << x;
    ASSERT_NEAR(detmath::cos(x), std::cos(x), 4e-16) << x;
  }
}

TEST(DetMath, FloatWrappersWithin1Ulp) {
  for (int i = 0; i <= kPoints; ++i) {
    const float x = -80.0f + 160.0f * static_cast<float>(i) / kPoints;
    ASSERT_LE(ulp_distance_f(detmath::expf(x), static_cast<float>(std::exp(double(x)))), 1) << x;
    const float y = 1e-3f + 1000.0f * static_cast<float>(i) / kPoints;
    ASSERT_LE(ulp_distance_f(detmath::logf(y), static_cast<float>(std::log(double(y)))), 1) << y;
  }
}

}  // namespace
}  // namespace salient
