// The Circles benchmark model (bench/circles.cuh) on the CPU backend against brute force:
// the binned search finds exactly the pairs an O(N^2) search finds, one step's forces equal an
// O(N^2) sum bit for bit, and results do not depend on the thread count or the layout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <utility>
#include <vector>

#include "bench/circles.h"

namespace salient::bench {
namespace {

struct Positions {
  std::vector<float> x, y, z;
};

Positions positions_of(CirclesSim& sim) {
  Positions p;
  sim.positions(p.x, p.y, p.z);
  return p;
}

std::unique_ptr<CirclesSim> make(std::int64_t n, CirclesLayout layout, int threads = 2,
                                 std::uint64_t seed = 7, float radius = 2.0f) {
  auto sim = make_circles_cpu(threads);
  CirclesParams p;
  p.agents = n;
  p.seed = seed;
  p.radius = radius;
  p.layout = layout;
  sim->init(p);
  return sim;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// Every pair (i, j), j != i, at 0 < sqrt(d2) < r, by FLAME GPU's test on every pair.
std::vector<std::vector<std::int32_t>> brute_pairs(const Positions& p, float r) {
  const std::size_t n = p.x.size();
  std::vector<std::vector<std::int32_t>> out(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const float dx = p.x[j] - p.x[i], dy = p.y[j] - p.y[i], dz = p.z[j] - p.z[i];
      const float d = std::sqrt(dx * dx + dy * dy + dz * dz);
      if (d < r && d > 0.0f) out[i].push_back(static_cast<std::int32_t>(j));
    }
  return out;
}

/// The binned search's lists as sorted sets per agent.
std::vector<std::vector<std::int32_t>> binned_pairs(CirclesSim& sim) {
  std::vector<std::int64_t> off;
  std::vector<std::int32_t> ids;
  sim.neighbours(off, ids);
  std::vector<std::vector<std::int32_t>> out(off.size() - 1);
  for (std::size_t i = 0; i + 1 < off.size(); ++i) {
    out[i].assign(ids.begin() + off[i], ids.begin() + off[i + 1]);
    std::sort(out[i].begin(), out[i].end());
  }
  return out;
}

/// Mean force on each agent by an O(N^2) loop over all agents in (bin, id) order (the order
/// in which the binned search visits the 27 bins), with FLAME GPU's tests and arithmetic.
void brute_forces(const Positions& p, const CirclesGrid& g, std::vector<float>& fx,
                  std::vector<float>& fy, std::vector<float>& fz) {
  const std::size_t n = p.x.size();
  std::vector<std::pair<std::int32_t, std::int32_t>> order(n);
  for (std::size_t i = 0; i < n; ++i)
    order[i] = {bin_of(p.x[i], p.y[i], p.z[i], g), static_cast<std::int32_t>(i)};
  std::sort(order.begin(), order.end());
  fx.assign(n, 0.0f), fy.assign(n, 0.0f), fz.assign(n, 0.0f);
  for (std::size_t i = 0; i < n; ++i) {
    float sx = 0.0f, sy = 0.0f, sz = 0.0f;
    int count = 0;
    for (const auto& [bin, j] : order) {
      const float dx = p.x[j] - p.x[i], dy = p.y[j] - p.y[i], dz = p.z[j] - p.z[i];
      const float d = std::sqrt(dx * dx + dy * dy + dz * dz);
      if (d < g.radius && d > 0.0f) {
        const float k = detmath::sinf((d / g.radius) * 3.141f * -2) * g.repulse;
        sx += k * (dx / d);
        sy += k * (dy / d);
        sz += k * (dz / d);
        ++count;
      }
    }
    const float c = count > 0 ? static_cast<float>(count) : 1.0f;
    fx[i] = sx / c, fy[i] = sy / c, fz[i] = sz / c;
  }
}

const CirclesLayout kLayouts[] = {CirclesLayout::kSortAgents, CirclesLayout::kSortIds};

TEST(Circles, GridFollowsDensityAndRadius) {
  CirclesParams p;
  p.agents = 1000000;
  const CirclesGrid g = make_grid(p);
  EXPECT_EQ(g.width, 100.0f);
  EXPECT_EQ(g.min, -50.0f);
  EXPECT_EQ(g.dim, 50);
  EXPECT_EQ(g.nbins, 125000);
  // d2 < d2_limit is exactly sqrtf(d2) < r.
  for (const float r : {2.0f, 1.7f, 0.3f, 5.5f}) {
    const float t = sqrt_limit(r);
    EXPECT_GE(std::sqrt(t), r);
    EXPECT_LT(std::sqrt(std::nextafter(t, 0.0f)), r);
  }
}

TEST(Circles, TwoAgentsRepelAtHalfRadius) {
  for (const CirclesLayout layout : kLayouts) {
    auto sim = make(2, layout);
    sim->set_positions({0.0f, 0.5f}, {0.0f, 0.0f}, {0.0f, 0.0f});
    sim->step();
    std::vector<float> fx, fy, fz;
    sim->forces(fx, fy, fz);
    const double expect = std::sin(0.25 * 3.141 * -2.0) * 0.05;  // about -0.05: pushed apart
    EXPECT_NEAR(fx[0], expect, 1e-8);
    EXPECT_EQ(fx[1], -fx[0]);
    EXPECT_EQ(fy[0], 0.0f);
    EXPECT_EQ(fz[1], 0.0f);
    const Positions p = positions_of(*sim);
    EXPECT_TRUE(same_bits(p.x[0], fx[0]));  // 0 + fx
    EXPECT_TRUE(same_bits(p.x[1], 0.5f + fx[1]));
  }
}

TEST(Circles, InitialPositionsInTheCubeAndReproducible) {
  auto a = make(5000, CirclesLayout::kSortAgents, 2, 11);
  auto b = make(5000, CirclesLayout::kSortIds, 1, 11);
  auto c = make(5000, CirclesLayout::kSortAgents, 2, 12);
  const Positions pa = positions_of(*a), pb = positions_of(*b), pc = positions_of(*c);
  const CirclesGrid& g = a->grid();
  for (const auto* v : {&pa.x, &pa.y, &pa.z})
    for (const float q : *v) {
      EXPECT_GE(q, g.min);
      EXPECT_LE(q, g.min + g.width);
    }
  EXPECT_EQ(position_checksum(pa.x, pa.y, pa.z), position_checksum(pb.x, pb.y, pb.z));
  EXPECT_NE(position_checksum(pa.x, pa.y, pa.z), position_checksum(pc.x, pc.y, pc.z));
}

TEST(Circles, BinnedSearchFindsExactlyTheBruteForcePairs) {
  for (const CirclesLayout layout : kLayouts) {
    for (const float r : {2.0f, 1.7f}) {  // 1.7: W / r is not an integer (a partial last bin)
      auto sim = make(2000, layout, 2, 3, r);
      // Some agents outside the cube (clamped into the edge bins), some exactly coincident.
      Positions p = positions_of(*sim);
      const float w = sim->grid().width, lo = sim->grid().min;
      for (std::size_t i = 0; i < 200; ++i) {
        p.x[i] = lo - 1.5f * r + (w + 3.0f * r) * static_cast<float>(i) / 200.0f;
        p.z[i] = i % 2 ? lo - 0.3f * r : lo + w + 0.6f * r;
      }
      p.x[300] = p.x[301], p.y[300] = p.y[301], p.z[300] = p.z[301];
      sim->set_positions(p.x, p.y, p.z);
      for (int round = 0; round < 2; ++round) {
        const auto expect = brute_pairs(p, r);
        const auto got = binned_pairs(*sim);
        std::size_t pairs = 0;
        for (std::size_t i = 0; i < expect.size(); ++i) {
          ASSERT_EQ(got[i], expect[i]) << "agent " << i << ", layout " << layout_name(layout);
          pairs += expect[i].size();
        }
        EXPECT_GT(pairs, 2000u * 10u);
        EXPECT_EQ(sim->stats().neighbours, static_cast<std::int64_t>(pairs));
        // Again after three steps (agents moved, some further out of the cube).
        for (int s = 0; s < 3; ++s) sim->step();
        p = positions_of(*sim);
      }
    }
  }
}

TEST(Circles, OneStepForcesEqualBruteForceBitForBit) {
  for (const CirclesLayout layout : kLayouts) {
    auto sim = make(2000, layout);
    sim->step();  // from the initial positions, then from the moved ones
    const Positions p = positions_of(*sim);
    sim->step();
    std::vector<float> fx, fy, fz, bx, by, bz;
    sim->forces(fx, fy, fz);
    brute_forces(p, sim->grid(), bx, by, bz);
    const Positions q = positions_of(*sim);
    std::size_t moved = 0;
    for (std::size_t i = 0; i < p.x.size(); ++i) {
      ASSERT_TRUE(same_bits(fx[i], bx[i]) && same_bits(fy[i], by[i]) && same_bits(fz[i], bz[i]))
          << "agent " << i << ": " << fx[i] << " vs " << bx[i] << ", layout "
          << layout_name(layout);
      ASSERT_TRUE(same_bits(q.x[i], p.x[i] + bx[i]) && same_bits(q.y[i], p.y[i] + by[i]) &&
                  same_bits(q.z[i], p.z[i] + bz[i]));
      moved += bx[i] != 0.0f;
    }
    EXPECT_GT(moved, 1900u);
  }
}

TEST(Circles, IdenticalForOneAndTwoThreadsAndBothLayouts) {
  std::vector<std::uint64_t> sums;
  CirclesStats first{};
  for (const int threads : {1, 2})
    for (const CirclesLayout layout : kLayouts) {
      auto sim = make(30000, layout, threads, 5);
      EXPECT_EQ(circles_cpu_threads(), threads);
      for (int s = 0; s < 4; ++s) sim->step();
      const Positions p = positions_of(*sim);
      sums.push_back(position_checksum(p.x, p.y, p.z));
      const CirclesStats st = sim->stats();
      if (sums.size() == 1) first = st;
      EXPECT_EQ(st.neighbours, first.neighbours);
      EXPECT_EQ(st.candidates, first.candidates);
      // Density 1, r = 2: 4/3 pi 8 = 33.5 neighbours in the bulk, fewer near the faces.
      const double mean = static_cast<double>(st.neighbours) / 30000.0;
      EXPECT_GT(mean, 28.0);
      EXPECT_LT(mean, 34.0);
    }
  for (const std::uint64_t s : sums) EXPECT_EQ(s, sums[0]);
}

}  // namespace
}  // namespace salient::bench
