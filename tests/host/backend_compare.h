// Test helpers: step two simulations of one scenario side by side and compare their whole
// state bit for bit after every step (two backends, or two builds of one).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "host/simulation.h"

namespace salient::test {

/// Expects the same bytes in `a` and `b` (step `step`, array `what`).
template <class T>
void expect_same(const std::vector<T>& a, const std::vector<T>& b, const char* what, int step) {
  ASSERT_EQ(a.size(), b.size()) << what;
  ASSERT_EQ(0, std::memcmp(a.data(), b.data(), a.size() * sizeof(T))) << what << " step " << step;
}

/// Expects the same settlement changes (settlement, from, to, step) in `a` and `b`.
inline void expect_same_changes(const std::vector<SettlementChange>& a,
                                const std::vector<SettlementChange>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t e = 0; e < a.size(); ++e) {
    EXPECT_EQ(a[e].settlement, b[e].settlement) << "change " << e;
    EXPECT_EQ(a[e].from, b[e].from) << "change " << e;
    EXPECT_EQ(a[e].to, b[e].to) << "change " << e;
    EXPECT_EQ(a[e].step, b[e].step) << "change " << e;
  }
}

/// Steps `a` and `b` `steps` times, comparing after every step the agents, units, rasters and
/// strikes, then the settlement changes and the tally. Adds the strikes seen to `*strikes`.
inline void expect_same_every_step(Simulation& a, Simulation& b, int steps, std::size_t* strikes) {
  AgentArrays aa, ab;
  RasterArrays ra, rb;
  UnitArrays ua, ub;
  for (int k = 1; k <= steps; ++k) {
    a.step();
    b.step();
    a.backend().download(aa, ra);
    b.backend().download(ab, rb);
    expect_same(aa.x, ab.x, "x", k);
    expect_same(aa.y, ab.y, "y", k);
    expect_same(aa.status, ab.status, "status", k);
    expect_same(aa.posture, ab.posture, "posture", k);
    expect_same(aa.health, ab.health, "health", k);
    expect_same(aa.morale, ab.morale, "morale", k);
    expect_same(aa.suppression, ab.suppression, "suppression", k);
    expect_same(aa.ammo, ab.ammo, "ammo", k);
    expect_same(aa.moved, ab.moved, "moved", k);
    a.backend().download_units(ua);
    b.backend().download_units(ub);
    expect_same(ua.strength, ub.strength, "unit strength", k);
    expect_same(ua.centroid_x, ub.centroid_x, "unit centroid x", k);
    expect_same(ua.centroid_y, ub.centroid_y, "unit centroid y", k);
    expect_same(ua.spread, ub.spread, "unit spread", k);
    expect_same(ra.control, rb.control, "control", k);
    expect_same(ra.presence[0], rb.presence[0], "presence0", k);
    expect_same(ra.presence[1], rb.presence[1], "presence1", k);
    expect_same(ra.cover, rb.cover, "cover", k);
    expect_same(ra.damage, rb.damage, "destruction", k);
    expect_same(ra.picture[0], rb.picture[0], "picture0", k);
    expect_same(ra.picture[1], rb.picture[1], "picture1", k);
    if (::testing::Test::HasFatalFailure()) return;
    const std::vector<Impact> sa = a.backend().strikes(), sb = b.backend().strikes();
    ASSERT_EQ(sa.size(), sb.size()) << "strikes at step " << k;
    *strikes += sa.size();
    if (!sa.empty()) {
      ASSERT_EQ(0, std::memcmp(sa.data(), sb.data(), sa.size() * sizeof(Impact))) << "step " << k;
    }
  }
  expect_same_changes(a.backend().settlement_changes(), b.backend().settlement_changes());
  if (::testing::Test::HasFatalFailure()) return;
  const Tally ta = a.backend().tally(), tb = b.backend().tally();
  EXPECT_EQ(0, std::memcmp(&ta, &tb, sizeof(Tally)));
}

}  // namespace salient::test
