// Line of sight: blocking depth by grid traversal against hand-computed cases, against a
// brute-force sampling of the segment, symmetry, and line_of_sight's early exit.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "kernels/los.cuh"

namespace salient {
namespace {

constexpr float kCell = 25.0f;

ModelParams raster_params(std::int32_t nx, std::int32_t ny, float cell = kCell) {
  ModelParams p{};
  p.nx = nx;
  p.ny = ny;
  p.cell_size_m = cell;
  p.width_m = static_cast<float>(nx) * cell;
  p.height_m = static_cast<float>(ny) * cell;
  return p;
}

struct Raster {
  ModelParams p;
  std::vector<std::uint8_t> terrain;
  Raster(std::int32_t nx, std::int32_t ny, std::uint8_t fill = kOpen)
      : p(raster_params(nx, ny)), terrain(static_cast<std::size_t>(nx) * ny, fill) {}
  std::uint8_t& at(std::int32_t col, std::int32_t row) { return terrain[row * p.nx + col]; }
  /// Columns [c0, c1] of every row set to `cls`.
  void column_belt(std::int32_t c0, std::int32_t c1, std::uint8_t cls) {
    for (std::int32_t r = 0; r < p.ny; ++r)
      for (std::int32_t c = c0; c <= c1; ++c) at(c, r) = cls;
  }
  /// Rows [r0, r1] of every column set to `cls`.
  void row_belt(std::int32_t r0, std::int32_t r1, std::uint8_t cls) {
    for (std::int32_t r = r0; r <= r1; ++r)
      for (std::int32_t c = 0; c < p.nx; ++c) at(c, r) = cls;
  }
  float depth(float x0, float y0, float x1, float y1) const {
    return blocking_depth(p, terrain.data(), x0, y0, x1, y1);
  }
  bool los(float x0, float y0, float x1, float y1, float max_depth) const {
    return line_of_sight(p, terrain.data(), x0, y0, x1, y1, max_depth);
  }
};

/// Minimal 64-bit LCG (Knuth's MMIX constants), high bits as a uniform in [0, 1).
struct Lcg {
  std::uint64_t s;
  explicit Lcg(std::uint64_t seed) : s(seed) {}
  std::uint32_t next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>(s >> 32);
  }
  double uniform() { return next() * (1.0 / 4294967296.0); }
};

/// Random raster: about 40 % forest, 10 % urban, the rest open, water or road.
Raster random_raster(std::int32_t nx, std::int32_t ny, Lcg& rng) {
  Raster r(nx, ny);
  for (auto& t : r.terrain) {
    const double u = rng.uniform();
    t = u < 0.4 ? kForest : u < 0.5 ? kUrban : u < 0.7 ? kOpen : u < 0.85 ? kWater : kRoad;
  }
  return r;
}

/// Brute force in double: the segment cut into n equal steps, each step counted (whole) as
/// blocking if its midpoint lies in a blocking cell other than the endpoints' cells.
double reference_depth(const Raster& r, float x0, float y0, float x1, float y1, int n) {
  const ModelParams& p = r.p;
  const std::int32_t start = cell_of(p, x0, y0), end = cell_of(p, x1, y1);
  if (start == end) return 0.0;
  const double dx = double(x1) - x0, dy = double(y1) - y0;
  const double len = std::sqrt(dx * dx + dy * dy);
  auto clamp = [](double v, std::int32_t n) {
    const double c = std::floor(v);
    return c < 0 ? 0 : (c >= n ? n - 1 : static_cast<std::int32_t>(c));
  };
  double depth = 0.0;
  for (int i = 0; i < n; ++i) {
    const double t = (i + 0.5) / n;
    const std::int32_t c = clamp((x0 + t * dx) / p.cell_size_m, p.nx);
    const std::int32_t rw = clamp((y0 + t * dy) / p.cell_size_m, p.ny);
    const std::int32_t cell = rw * p.nx + c;
    if (cell == start || cell == end) continue;
    const std::uint8_t cls = r.terrain[cell];
    if (cls == kForest || cls == kUrban) depth += len / n;
  }
  return depth;
}

/// Cell boundaries the segment crosses (|dcol| + |drow| between the clamped endpoint cells).
int boundaries_crossed(const ModelParams& p, float x0, float y0, float x1, float y1) {
  const std::int32_t a = cell_of(p, x0, y0), b = cell_of(p, x1, y1);
  return std::abs(a % p.nx - b % p.nx) + std::abs(a / p.nx - b / p.nx);
}

TEST(LineOfSight, OpenRasterIsAlwaysVisible) {
  const Raster r(40, 40, kOpen);
  const float pts[][4] = {{12.5f, 12.5f, 987.5f, 987.5f},
                          {0.0f, 500.0f, 1000.0f, 500.0f},
                          {333.3f, 10.0f, 333.3f, 990.0f},
                          {1.0f, 999.0f, 998.0f, 3.0f}};
  for (const auto& s : pts) {
    EXPECT_EQ(r.depth(s[0], s[1], s[2], s[3]), 0.0f);
    EXPECT_TRUE(r.los(s[0], s[1], s[2], s[3], 1e-6f));
  }
}

TEST(LineOfSight, HorizontalCrossingOfForestBelt) {
  Raster r(40, 40);
  r.column_belt(10, 13, kForest);  // x in [250, 350): 100 m deep
  const float y = 262.5f;
  EXPECT_NEAR(r.depth(62.5f, y, 812.5f, y), 100.0f, 1e-3f);
  EXPECT_NEAR(r.depth(812.5f, y, 62.5f, y), 100.0f, 1e-3f);
  EXPECT_FALSE(r.los(62.5f, y, 812.5f, y, 50.0f));
  EXPECT_TRUE(r.los(62.5f, y, 812.5f, y, 150.0f));
  // Short of the belt, and ending just inside it (target's own cell excluded).
  EXPECT_EQ(r.depth(62.5f, y, 240.0f, y), 0.0f);
  EXPECT_NEAR(r.depth(62.5f, y, 330.0f, y), 75.0f, 1e-3f);  // cols 10..12 full, 13 is target's
}

TEST(LineOfSight, VerticalCrossingOfForestBelt) {
  Raster r(40, 40);
  r.row_belt(20, 23, kForest);  // y in [500, 600)
  EXPECT_NEAR(r.depth(437.5f, 100.0f, 437.5f, 900.0f), 100.0f, 1e-3f);
  EXPECT_NEAR(r.depth(437.5f, 900.0f, 437.5f, 100.0f), 100.0f, 1e-3f);
  EXPECT_FALSE(r.los(437.5f, 100.0f, 437.5f, 900.0f, 50.0f));
  EXPECT_TRUE(r.los(437.5f, 100.0f, 437.5f, 900.0f, 150.0f));
}

TEST(LineOfSight, DiagonalCrossingOfForestBelt) {
  Raster r(40, 40);
  r.column_belt(10, 13, kForest);
  const float expect = 100.0f * std::sqrt(2.0f);
  // 45 degrees, off the cell corners and through them.
  EXPECT_NEAR(r.depth(62.5f, 37.5f, 662.5f, 637.5f), expect, 1e-3f);
  EXPECT_NEAR(r.depth(50.0f, 50.0f, 700.0f, 700.0f), expect, 1e-3f);
  EXPECT_NEAR(r.depth(662.5f, 937.5f, 62.5f, 337.5f), expect, 1e-3f);  // up-left
  EXPECT_FALSE(r.los(62.5f, 37.5f, 662.5f, 637.5f, 140.0f));
  EXPECT_TRUE(r.los(62.5f, 37.5f, 662.5f, 637.5f, 150.0f));
}

TEST(LineOfSight, ThroughCellCornersOnlyTheDiagonalCounts) {
  // y = x passes exactly through cell corners: the diagonal cells hold the whole segment, the
  // cells beside it are only touched at a point.
  Raster diag(20, 20), beside(20, 20);
  for (std::int32_t i = 0; i < 20; ++i) {
    diag.at(i, i) = kForest;
    if (i + 1 < 20) beside.at(i + 1, i) = kForest;
    if (i + 1 < 20) beside.at(i, i + 1) = kForest;
  }
  // Cells 1..18 lie strictly between start (0,0) and end (19,19).
  EXPECT_NEAR(diag.depth(12.5f, 12.5f, 487.5f, 487.5f), 18 * 25.0f * std::sqrt(2.0f), 1e-3f);
  EXPECT_NEAR(beside.depth(12.5f, 12.5f, 487.5f, 487.5f), 0.0f, 1e-3f);
  EXPECT_NEAR(beside.depth(487.5f, 487.5f, 12.5f, 12.5f), 0.0f, 1e-3f);
}

TEST(LineOfSight, OwnCellsDoNotCount) {
  Raster r(40, 40);
  r.at(2, 10) = kForest;   // observer's cell
  r.at(30, 10) = kForest;  // target's cell
  const float y = 262.5f;
  EXPECT_EQ(r.depth(62.5f, y, 762.5f, y), 0.0f);
  EXPECT_TRUE(r.los(62.5f, y, 762.5f, y, 1e-6f));
  // Same cell: always zero, even inside forest.
  EXPECT_EQ(r.depth(51.0f, 251.0f, 74.0f, 274.0f), 0.0f);
  // Observer standing in the edge cell of a belt: only the three cells beyond count.
  r.column_belt(10, 13, kForest);
  EXPECT_NEAR(r.depth(260.0f, y, 762.5f, y), 75.0f, 1e-3f);
  EXPECT_NEAR(r.depth(762.5f, y, 260.0f, y), 75.0f, 1e-3f);
}

TEST(LineOfSight, UrbanBlocksWaterAndRoadDoNot) {
  const float y = 262.5f;
  for (std::uint8_t cls : {kForest, kUrban, kWater, kRoad, kOpen}) {
    Raster r(40, 40);
    r.column_belt(10, 13, cls);
    const bool blocks = cls == kForest || cls == kUrban;
    EXPECT_NEAR(r.depth(62.5f, y, 812.5f, y), blocks ? 100.0f : 0.0f, 1e-3f) << int(cls);
    EXPECT_EQ(r.los(62.5f, y, 812.5f, y, 50.0f), !blocks) << int(cls);
  }
  // Mixed: two urban cells and two forest cells make one 100 m belt.
  Raster m(40, 40);
  m.column_belt(10, 11, kUrban);
  m.column_belt(12, 13, kForest);
  EXPECT_NEAR(m.depth(62.5f, y, 812.5f, y), 100.0f, 1e-3f);
}

TEST(LineOfSight, RasterEdges) {
  Raster r(40, 40);  // 1000 m x 1000 m
  r.column_belt(10, 13, kForest);
  r.row_belt(36, 39, kUrban);  // y in [900, 1000)
  // Along the bottom and top edges (y = 0 is row 0, y = 1000 clamps to row 39).
  EXPECT_NEAR(r.depth(0.0f, 0.0f, 1000.0f, 0.0f), 100.0f, 1e-3f);
  EXPECT_NEAR(r.depth(1000.0f, 1000.0f, 0.0f, 1000.0f), 1000.0f - 50.0f, 1e-3f);
  // Along the right edge x = 1000 (clamps to column 39): rows 36..38 lie between the endpoints.
  EXPECT_NEAR(r.depth(1000.0f, 0.0f, 1000.0f, 1000.0f), 75.0f, 1e-3f);
  // Corner to corner: the diagonal crosses the forest belt and the urban rows 36..38.
  EXPECT_NEAR(r.depth(0.0f, 0.0f, 1000.0f, 1000.0f), (100.0f + 75.0f) * std::sqrt(2.0f), 1e-3f);
  // Endpoints outside the raster clamp to the edge cells like cell_of.
  EXPECT_NEAR(r.depth(-40.0f, 262.5f, 1040.0f, 262.5f), 100.0f, 1e-3f);
  EXPECT_EQ(r.depth(-40.0f, -40.0f, -10.0f, -5.0f), 0.0f);
}

TEST(LineOfSight, SymmetricBitForBit) {
  Lcg rng(12345);
  const Raster r = random_raster(64, 48, rng);
  for (int i = 0; i < 1000; ++i) {
    const float x0 = static_cast<float>(rng.uniform() * r.p.width_m);
    const float y0 = static_cast<float>(rng.uniform() * r.p.height_m);
    const float x1 = static_cast<float>(rng.uniform() * r.p.width_m);
    const float y1 = static_cast<float>(rng.uniform() * r.p.height_m);
    const float ab = r.depth(x0, y0, x1, y1), ba = r.depth(x1, y1, x0, y0);
    ASSERT_EQ(ab, ba) << i << ": (" << x0 << ", " << y0 << ") - (" << x1 << ", " << y1 << ")";
  }
}

TEST(LineOfSight, AgreesWithBruteForceSampling) {
  // Reference: n = 10,000 equal steps classified by their midpoint. A step straddling a cell
  // boundary is misattributed by at most len/(2n), and no other step is; the traversal's own
  // float rounding is a few ulp of t (~1e-7 len) per boundary. Bound: 2 len / n per boundary.
  constexpr int kSamples = 10000;
  Lcg rng(2024);
  const Raster r = random_raster(64, 48, rng);
  double worst_error = 0.0, worst_ratio = 0.0, sum_depth = 0.0;
  for (int i = 0; i < 200; ++i) {
    float x0 = static_cast<float>(rng.uniform() * r.p.width_m);
    float y0 = static_cast<float>(rng.uniform() * r.p.height_m);
    float x1 = static_cast<float>(rng.uniform() * r.p.width_m);
    float y1 = static_cast<float>(rng.uniform() * r.p.height_m);
    if (i % 10 == 1) x1 = x0;  // vertical
    if (i % 10 == 2) y1 = y0;  // horizontal
    const double got = r.depth(x0, y0, x1, y1);
    const double ref = reference_depth(r, x0, y0, x1, y1, kSamples);
    const double dx = double(x1) - x0, dy = double(y1) - y0;
    const double len = std::sqrt(dx * dx + dy * dy);
    const int crossed = boundaries_crossed(r.p, x0, y0, x1, y1);
    const double tol = 2.0 * len / kSamples * crossed + 1e-6;
    const double err = std::fabs(got - ref);
    EXPECT_LE(err, tol) << i << ": (" << x0 << ", " << y0 << ") - (" << x1 << ", " << y1 << ") got "
                        << got << " reference " << ref;
    worst_error = std::fmax(worst_error, err);
    worst_ratio = std::fmax(worst_ratio, err / tol);
    sum_depth += got;
  }
  EXPECT_GT(sum_depth, 0.0);  // the random raster does block
  std::printf("brute force: max |error| %.4g m, max error/bound %.3f, mean depth %.1f m\n",
              worst_error, worst_ratio, sum_depth / 200);
}

TEST(LineOfSight, EarlyExitMatchesFullDepth) {
  Lcg rng(99);
  const Raster r = random_raster(64, 48, rng);
  for (int i = 0; i < 1000; ++i) {
    const float x0 = static_cast<float>(rng.uniform() * r.p.width_m);
    const float y0 = static_cast<float>(rng.uniform() * r.p.height_m);
    const float x1 = static_cast<float>(rng.uniform() * r.p.width_m);
    const float y1 = static_cast<float>(rng.uniform() * r.p.height_m);
    const float d = r.depth(x0, y0, x1, y1);
    const float limits[] = {
        0.0f,      1e-3f, 12.5f, d * 0.5f, std::nextafter(d, 0.0f), d, std::nextafter(d, 1e30f),
        d + 25.0f, 1e30f};
    for (float m : limits) {
      ASSERT_EQ(r.los(x0, y0, x1, y1, m), d < m) << i << " depth " << d << " limit " << m;
      ASSERT_EQ(r.los(x1, y1, x0, y0, m), d < m) << i << " depth " << d << " limit " << m;
    }
  }
}

}  // namespace
}  // namespace salient
