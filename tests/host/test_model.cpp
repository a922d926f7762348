// The first model's equations and rules, checked phase by phase on the host.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "h5_read.h"
#include "kernels/fire.cuh"
#include "kernels/sense.cuh"
#include "kernels/rng.cuh"
#include "kernels/territory.cuh"

namespace salient {
namespace {

SideParams side_params() {
  SideParams s{};
  s.sensor_range_m = 500;
  s.detect_prob = 0.4f;
  s.weapon_range_m = 400;
  s.accuracy = 0.2f;
  s.half_range_m = 100;
  return s;
}

TEST(Model, DetectionProbability) {
  const SideParams s = side_params();
  EXPECT_FLOAT_EQ(detection_probability(s, 0, 0, false, true, 0.5f), 0.4f);
  EXPECT_FLOAT_EQ(detection_probability(s, 250, 0, false, true, 0.5f), 0.2f);     // linear in range
  EXPECT_FLOAT_EQ(detection_probability(s, 250, 0.5f, false, true, 0.5f), 0.1f);  // concealment
  EXPECT_FLOAT_EQ(detection_probability(s, 250, 0.5f, true, true, 0.5f), 0.05f);  // in cover
  EXPECT_FLOAT_EQ(detection_probability(s, 250, 0.5f, true, false, 0.5f), 0.025f);  // still
  EXPECT_EQ(detection_probability(s, 501, 0, false, true, 0.5f), 0.0f);
}

TEST(Model, HitProbability) {
  const SideParams s = side_params();
  EXPECT_FLOAT_EQ(hit_probability(s, 0, 0, 0, 0.7f), 0.2f);
  EXPECT_NEAR(hit_probability(s, 100, 0, 0, 0.7f), 0.1f, 1e-7);  // halves at half_range
  EXPECT_NEAR(hit_probability(s, 200, 0, 0, 0.7f), 0.2f / 16, 1e-7);
  EXPECT_NEAR(hit_probability(s, 100, 0.6f, 0, 0.7f), 0.04f, 1e-7);  // cover
  EXPECT_NEAR(hit_probability(s, 100, 0, 1.0f, 0.7f), 0.03f, 1e-7);  // suppressed shooter
  SideParams trained = s;
  trained.training = 0.5f;  // ignores half the suppression penalty
  EXPECT_NEAR(hit_probability(trained, 100, 0, 1.0f, 0.7f), 0.065f, 1e-7);
  EXPECT_NEAR(hit_probability(s, 100, 0, 0, 0.7f, 0.5f), 0.05f, 1e-7);  // shooter quality
  EXPECT_EQ(hit_probability(s, 401, 0, 0, 0.7f), 0.0f);
}

/// Runs the control passes over a raster with the given presence.
void update_control(ModelParams& p, RasterArrays& r) {
  std::vector<std::uint8_t> reach0(r.size()), reach1(r.size());
  RasterView v{r.terrain.data(),
               r.cover.data(),
               r.control.data(),
               {r.presence[0].data(), r.presence[1].data()},
               {reach0.data(), reach1.data()},
               nullptr};
  for (int c = 0; c < p.nx * p.ny; ++c) ControlRowPass{p, v}(c);
  for (int c = 0; c < p.nx * p.ny; ++c) ControlUpdate{p, v}(c);
}

TEST(Model, ControlHeldByLoneSideWithinRadius) {
  ModelParams p{};
  p.nx = 20, p.ny = 20, p.control_radius_cells = 2;
  RasterArrays r;
  r.resize(20, 20);
  auto at = [](int col, int row) { return row * 20 + col; };
  r.presence[0][at(5, 5)] = 3;
  r.presence[1][at(15, 15)] = 1;
  r.presence[0][at(10, 12)] = 1;  // both sides within 2 cells of (10, 11): contested
  r.presence[1][at(10, 10)] = 1;
  update_control(p, r);
  for (int row = 0; row < 20; ++row)
    for (int col = 0; col < 20; ++col) {
      auto within = [&](int c, int rr) {
        return (col - c) * (col - c) + (row - rr) * (row - rr) <= 4;
      };
      const bool near0 = within(5, 5) || within(10, 12), near1 = within(15, 15) || within(10, 10);
      const int expect = near0 && !near1 ? 0 : (near1 && !near0 ? 1 : -1);
      EXPECT_EQ(r.control[at(col, row)], expect) << col << "," << row;
    }
  // Control persists when everybody leaves, and flips when the other side arrives alone.
  r.presence[0].assign(r.size(), 0);
  r.presence[1].assign(r.size(), 0);
  r.presence[1][at(5, 5)] = 1;
  update_control(p, r);
  EXPECT_EQ(r.control[at(5, 5)], 1);
  EXPECT_EQ(r.control[at(15, 15)], 1);
  EXPECT_EQ(r.control[at(10, 12)], -1);  // was contested, stays unheld
  EXPECT_EQ(r.control[at(10, 14)], 0);
}

TEST(Model, HostFriendCountEqualsTheScalarLoop) {
  // count_within on the host runs a clone built for this CPU (AVX2 or baseline): the same
  // count as the plain loop the GPU runs, for every length and start (unaligned tails), with
  // points exactly on the range and just inside and outside it.
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> coord(0.0f, 2000.0f);
  std::vector<float> x(300), y(300);
  for (std::size_t k = 0; k < x.size(); ++k) x[k] = coord(gen), y[k] = coord(gen);
  const float x0 = 1000.0f, y0 = 1000.0f, r = 800.0f;
  x[5] = x0 + r, y[5] = y0;                        // on the circle: counted (d2 == r2)
  x[6] = std::nextafter(x0 + r, 0.0f), y[6] = y0;  // just inside
  x[7] = std::nextafter(x0 + r, 1e9f), y[7] = y0;  // just outside
  std::uint64_t total = 0;
  for (std::int32_t k0 = 0; k0 < 9; ++k0)
    for (std::int32_t k1 = k0; k1 <= 300; k1 += 7) {
      const auto want = detail::count_within_loop(x.data(), y.data(), k0, k1, x0, y0, r * r);
      EXPECT_EQ(count_within(x.data(), y.data(), k0, k1, x0, y0, r * r), want);
      total += want;
    }
  EXPECT_GT(total, 10000u);  // most points counted somewhere
  EXPECT_EQ(count_within(x.data(), y.data(), 5, 8, x0, y0, r * r), 2u);
}

TEST(Model, ControlByRowEqualsControlByCell) {
  // The CPU backend's row sweeps (ControlRowSweep, ControlUpdateRow) against the per-cell
  // passes the CUDA backend runs, on random presence of varied density, radii 0 to 9 and
  // rows longer than the row update's 256-column chunk.
  std::mt19937 gen(7);
  int changed = 0;  // cells whose holder the passes changed
  for (const auto& [nx, ny] : {std::pair{37, 23}, std::pair{600, 9}, std::pair{1, 40}}) {
    for (const int rad : {0, 1, 2, 3, 9}) {
      for (const double density : {0.002, 0.03, 0.3}) {
        ModelParams p{};
        p.nx = nx, p.ny = ny, p.control_radius_cells = rad;
        RasterArrays cell;
        cell.resize(nx, ny);
        std::bernoulli_distribution occupied(density);
        std::uniform_int_distribution<int> holder(-1, 1);
        for (std::size_t c = 0; c < cell.size(); ++c) {
          cell.presence[0][c] = occupied(gen) ? 3 : 0;
          cell.presence[1][c] = occupied(gen) ? 1 : 0;
          cell.control[c] = static_cast<std::int8_t>(holder(gen));
        }
        RasterArrays row = cell;
        const std::vector<std::int8_t> initial = cell.control;
        std::vector<std::uint8_t> reach_cell[2], reach_row[2];
        for (int s = 0; s < 2; ++s)
          reach_cell[s].assign(cell.size(), 7), reach_row[s].assign(cell.size(), 9);
        const auto view = [](RasterArrays& r, std::vector<std::uint8_t>* reach) {
          return RasterView{r.terrain.data(),
                            r.cover.data(),
                            r.control.data(),
                            {r.presence[0].data(), r.presence[1].data()},
                            {reach[0].data(), reach[1].data()},
                            nullptr};
        };
        const RasterView vc = view(cell, reach_cell), vr = view(row, reach_row);
        for (int c = 0; c < nx * ny; ++c) ControlRowPass{p, vc}(c);
        for (int c = 0; c < nx * ny; ++c) ControlUpdate{p, vc}(c);
        std::vector<std::uint8_t> row_reached(2 * static_cast<std::size_t>(ny), 5);
        for (int y = 0; y < ny; ++y) ControlRowSweep{p, vr, row_reached.data()}(y);
        for (int y = 0; y < ny; ++y) ControlUpdateRow{p, vr, row_reached.data()}(y);
        SCOPED_TRACE(testing::Message()
                     << nx << "x" << ny << " radius " << rad << " density " << density);
        EXPECT_EQ(reach_row[0], reach_cell[0]);
        EXPECT_EQ(reach_row[1], reach_cell[1]);
        EXPECT_EQ(row.control, cell.control);
        for (std::size_t c = 0; c < initial.size(); ++c) changed += initial[c] != cell.control[c];
      }
    }
  }
  EXPECT_GT(changed, 1000);  // the passes did assign control
}

TEST(Model, PresenceRunsEqualTheRuleAppliedToEveryCell) {
  // PresenceRuns visits the runs of the sorted presence keys; against the rules applied to
  // every cell and side (presence = agents of the side in the cell; a spotted one marks the
  // cell in the other side's picture; the drones of s roll where side 1 - s is present), on
  // random presence (spotted or not, one cell crowded with 5,000 agents), terrain and
  // pictures, one side's drones on or off, with and without agents that hold no ground.
  std::mt19937 gen(5);
  const std::int32_t nx = 40, ny = 30, ncells = nx * ny;
  const std::uint32_t step = 77;
  std::int64_t sightings = 0, marks = 0;
  for (const float defender_cover : {0.0f, 0.7f})
    for (const bool sentinel : {true, false}) {
      ModelParams p = make_params(test::ci_scenario());
      p.nx = nx, p.ny = ny, p.seed = 1234;
      p.picture[0] = PictureParams{50.0f, 1800.0f, 0.6f, 0.8f, 30.0f};
      p.picture[1] = PictureParams{50.0f, 1800.0f, defender_cover, 0.9f, 20.0f};
      RasterArrays cell;
      cell.resize(nx, ny);
      std::vector<std::int32_t> keys;
      std::vector<std::uint8_t> spotted[2] = {std::vector<std::uint8_t>(ncells, 0),
                                              std::vector<std::uint8_t>(ncells, 0)};
      std::vector<std::uint16_t> want_presence[2] = {std::vector<std::uint16_t>(ncells, 0),
                                                     std::vector<std::uint16_t>(ncells, 0)};
      for (std::int32_t c = 0; c < ncells; ++c) {
        cell.terrain[c] = static_cast<std::uint8_t>(gen() % kTerrainClasses);
        for (int side = 0; side < 2; ++side) {
          int n = gen() % 5 < 3 ? 0 : static_cast<int>(gen() % 4) + 1;
          if (c == 617 && side == 1) n = 5000;
          want_presence[side][c] = static_cast<std::uint16_t>(n);
          for (int k = 0; k < n; ++k) {
            const int spot = gen() % 3 == 0 ? 1 : 0;
            spotted[side][c] |= spot;
            keys.push_back(4 * c + 2 * side + spot);
          }
        }
      }
      if (sentinel) keys.insert(keys.end(), 7, 4 * ncells);  // agents that hold no ground
      std::sort(keys.begin(), keys.end());
      std::vector<std::int32_t> seen_step[2];
      std::vector<float> seen_error[2];
      for (int s = 0; s < 2; ++s) {
        seen_step[s].resize(ncells), seen_error[s].resize(ncells);
        for (std::int32_t c = 0; c < ncells; ++c) {
          const int pick = static_cast<int>(gen() % 3);
          seen_step[s][c] = pick == 0 ? -1 : pick == 1 ? static_cast<std::int32_t>(step) - 9 : step;
          seen_error[s][c] = pick == 0 ? 0.0f : 10.0f + static_cast<float>(gen() % 40);
        }
      }
      std::vector<std::int32_t> want_step[2] = {seen_step[0], seen_step[1]};
      std::vector<float> want_error[2] = {seen_error[0], seen_error[1]};
      for (std::int32_t c = 0; c < ncells; ++c)
        for (int s = 0; s < 2; ++s) {
          if (spotted[1 - s][c]) {  // soldiers of s saw an enemy in c
            want_step[s][c] = static_cast<std::int32_t>(step);
            want_error[s][c] = p.picture[s].sighting_error_m;
            ++marks;
          }
          const PictureParams& q = p.picture[s];
          if (q.drone_cover_per_step <= 0.0f || want_presence[1 - s][c] == 0) continue;
          const auto rnd = philox(p.seed, step, static_cast<std::uint32_t>(c), Purpose::kDrone,
                                  static_cast<std::uint32_t>(s));
          if (uniform_float(rnd.v[0]) >= q.drone_cover_per_step) continue;
          if (uniform_float(rnd.v[1]) >=
              q.drone_detect * (1.0f - p.terrain[cell.terrain[c]].concealment))
            continue;
          if (want_step[s][c] != static_cast<std::int32_t>(step) ||
              q.drone_error_m < want_error[s][c])
            want_error[s][c] = q.drone_error_m;
          want_step[s][c] = static_cast<std::int32_t>(step);
          ++sightings;
        }
      const RasterView r{cell.terrain.data(), cell.cover.data(),
                         cell.control.data(), {cell.presence[0].data(), cell.presence[1].data()},
                         {nullptr, nullptr},  nullptr};
      const PictureView pic{{seen_step[0].data(), seen_step[1].data()},
                            {seen_error[0].data(), seen_error[1].data()}};
      const auto n = static_cast<std::int32_t>(keys.size());
      // Visited in reverse: each (cell, side) is written by one key only.
      for (std::int32_t k = n - 1; k >= 0; --k)
        PresenceRuns{p, r, pic, keys.data(), n, step, true}(k);
      SCOPED_TRACE(testing::Message()
                   << "defender drone cover " << defender_cover << ", sentinel " << sentinel);
      for (int s = 0; s < 2; ++s) {
        EXPECT_EQ(cell.presence[s], want_presence[s]);
        EXPECT_EQ(seen_step[s], want_step[s]);
        EXPECT_EQ(seen_error[s], want_error[s]);
      }
    }
  EXPECT_GT(sightings, 600);  // the drones did see something, both sides' on the second pass
  EXPECT_GT(marks, 1000);     // and so did the soldiers
}

TEST(Model, PresenceCountsActiveUnbrokenAgents) {
  const ScenarioConfig cfg = test::ci_scenario();
  Simulation sim(cfg, make_cpu_backend(0));
  for (int k = 0; k < 40; ++k) sim.step();
  AgentArrays a;
  RasterArrays r;
  sim.backend().download(a, r);
  const Tally t = sim.backend().tally();
  for (int s = 0; s < kSides; ++s) {
    const std::int64_t present =
        std::accumulate(r.presence[s].begin(), r.presence[s].end(), std::int64_t{0});
    EXPECT_EQ(present, t.strength[s] - t.fleeing[s]) << "side " << s;
    std::int64_t active = 0;
    for (std::size_t i = 0; i < a.size(); ++i) active += a.side[i] == s && a.status[i] == kActive;
    EXPECT_EQ(active, t.strength[s]);
  }
}

TEST(Model, InitialControlAroundStartPositions) {
  const ScenarioConfig cfg = test::ci_scenario();
  Simulation sim(cfg, make_cpu_backend(0));
  const Tally t = sim.backend().tally();
  // Before any step each side holds the ground around its own start zone (and not more than
  // the zone grown by the control radius).
  for (int s = 0; s < kSides; ++s) {
    const Rect& z = cfg.sides[s].start_zone;
    const double grown = (z.x1 - z.x0 + 2 * cfg.control_radius) *
                         (z.y1 - z.y0 + 2 * cfg.control_radius) / (cfg.cell_size * cfg.cell_size);
    EXPECT_GT(t.cells_held[s], 0) << "side " << s;
    EXPECT_LE(t.cells_held[s], grown) << "side " << s;
  }
}

TEST(Model, AttackerAdvancesAndBothSidesTakeCasualties) {
  const ScenarioConfig cfg = test::ci_scenario(1800);
  Simulation sim(cfg, make_cpu_backend(0));
  AgentArrays a0, a1;
  RasterArrays r;
  sim.backend().download(a0, r);
  while (sim.steps_done() < cfg.steps()) sim.step();
  sim.backend().download(a1, r);
  const Tally t = sim.backend().tally();
  double x0 = 0, x1 = 0;
  int n = 0;
  for (std::size_t i = 0; i < a0.size(); ++i)
    if (a0.side[i] == 0) x0 += a0.x[i], x1 += a1.x[i], ++n;
  EXPECT_GT(x1 / n - x0 / n, 300.0);  // the attacker's mean position moved east
  for (int s = 0; s < kSides; ++s) {
    EXPECT_GT(t.wounded[s] + t.killed[s], 0) << "side " << s;
    EXPECT_GT(t.cells_held[s], 0) << "side " << s;
    EXPECT_EQ(t.strength[s] + t.wounded[s] + t.killed[s], cfg.sides[s].count);
  }
}

}  // namespace
}  // namespace salient
