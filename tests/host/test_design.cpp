// Designs of plans (host/design.h): Latin property, orthogonality of Ye's design, grids.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "host/design.h"

namespace salient {
namespace {

/// Pearson correlation of two columns.
double correlation(const Design& d, std::size_t a, std::size_t b) {
  const double n = static_cast<double>(d.size());
  double ma = 0, mb = 0;
  for (const auto& row : d) ma += row[a] / n, mb += row[b] / n;
  double sab = 0, saa = 0, sbb = 0;
  for (const auto& row : d) {
    sab += (row[a] - ma) * (row[b] - mb);
    saa += (row[a] - ma) * (row[a] - ma);
    sbb += (row[b] - mb) * (row[b] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

TEST(Design, YeColumnsAreLatinAndPairwiseOrthogonal) {
  for (int m = 2; m <= 7; ++m) {
    const auto x = ye_olh(m);
    const int half = 1 << (m - 1);
    ASSERT_EQ(x.size(), static_cast<std::size_t>(2 * half + 1)) << "m=" << m;
    ASSERT_EQ(x[0].size(), static_cast<std::size_t>(2 * m - 2)) << "m=" << m;
    for (std::size_t c = 0; c < x[0].size(); ++c) {
      std::set<int> levels;
      for (const auto& row : x) levels.insert(row[c]);
      EXPECT_EQ(levels.size(), x.size()) << "m=" << m << " column " << c << " repeats a level";
      EXPECT_EQ(*levels.begin(), -half);
      EXPECT_EQ(*levels.rbegin(), half);
      // Integer levels centred on 0: orthogonal means an exactly zero dot product.
      for (std::size_t d = c + 1; d < x[0].size(); ++d) {
        long dot = 0;
        for (const auto& row : x) dot += static_cast<long>(row[c]) * row[d];
        EXPECT_EQ(dot, 0) << "m=" << m << " columns " << c << ", " << d;
      }
    }
  }
}

TEST(Design, OlhScaledToUnitCubeKeepsZeroCorrelation) {
  for (int k : {1, 2, 3, 4, 5, 6, 9}) {
    const Design d = olh_design(k);
    int m = 2;
    while (2 * m - 2 < k) ++m;
    ASSERT_EQ(d.size(), static_cast<std::size_t>((1 << m) + 1)) << "k=" << k;
    for (const auto& row : d)
      for (double v : row) {
        EXPECT_GE(v, 0.0);
        EXPECT_LE(v, 1.0);
      }
    for (int a = 0; a < k; ++a)
      for (int b = a + 1; b < k; ++b)
        EXPECT_NEAR(correlation(d, static_cast<std::size_t>(a), static_cast<std::size_t>(b)), 0.0,
                    1e-12)
            << "k=" << k;
  }
}

TEST(Design, LatinHypercubeHasOnePointPerStratumAndDependsOnlyOnItsSeed) {
  const int n = 37, k = 4;
  const Design d = lhs_design(k, n, 99);
  for (int f = 0; f < k; ++f) {
    std::set<int> strata;
    for (const auto& row : d)
      strata.insert(static_cast<int>(std::floor(row[static_cast<std::size_t>(f)] * n)));
    EXPECT_EQ(strata.size(), static_cast<std::size_t>(n)) << "factor " << f;
  }
  EXPECT_EQ(lhs_design(k, n, 99), d);
  EXPECT_NE(lhs_design(k, n, 100), d);
}

TEST(Design, GridHasEveryCombinationOnce) {
  const Design d = grid_design(3, 4);
  ASSERT_EQ(d.size(), 64u);
  std::set<std::vector<double>> unique(d.begin(), d.end());
  EXPECT_EQ(unique.size(), 64u);
  EXPECT_EQ(d.front(), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(d.back(), (std::vector<double>{1, 1, 1}));
  EXPECT_THROW(grid_design(30, 3), std::invalid_argument);  // 3^30 points
}

}  // namespace
}  // namespace salient
