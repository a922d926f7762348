// Weapon effects of artillery rounds and air-delivered bombs (issue 4): fire-support assets,
// impact dispersion by CEP, the Carleton damage function reduced by cover and posture, and
// the strike phase's functors: impact points, effects on agents (a pull over this step's
// impacts, in key order), destruction of urban cells, and each impact's own tally.
// Equations: docs/MODEL.md, "Fire support" and "Weapon effects".
#pragma once

#include "picture.cuh"
#include "rng.cuh"
#include "state.cuh"

namespace salient {

/// Effects of one weapon type.
struct WeaponEffect {
  float cep_m;                 ///< circular error probable at the range fired, metres
  float lethal_radius_m;       ///< Carleton radius R: P(casualty) = exp(-r^2 / R^2) in the open
  float kill_fraction;         ///< share of casualties that are killed (the rest wounded)
  float suppression_radius_m;  ///< suppression and morale shock within this radius
  float destruction_radius_m;  ///< urban cells within this radius are destroyed
};

/// sigma per axis of circular normal aiming error: CEP = sigma sqrt(2 ln 2) = 1.1774 sigma.
SALIENT_HD inline float cep_sigma(float cep_m) { return cep_m / 1.17741002f; }

/// Impact point of a round aimed at (aim_x, aim_y): bivariate normal error, independent
/// axes with sigma = CEP / 1.1774, from four random words.
SALIENT_HD inline void impact_point(const WeaponEffect& w, float aim_x, float aim_y,
                                    const r123::Philox4x32::ctr_type& r, float& x, float& y) {
  float z0 = 0.0f, z1 = 0.0f;
  normal_pair(r, z0, z1);
  const float sigma = cep_sigma(w.cep_m);
  x = aim_x + sigma * z0;
  y = aim_y + sigma * z1;
}

/// Probability that a soldier at squared distance r2 (m^2) from the impact becomes a
/// casualty: Carleton exp(-r^2 / R^2), times (1 - cover) of his cell, times `posture` (1
/// standing, less lying in cover).
SALIENT_HD inline float casualty_probability(const WeaponEffect& w, float r2, float cover,
                                             float posture) {
  const float r_over = r2 / (w.lethal_radius_m * w.lethal_radius_m);
  return detmath::expf(-r_over) * (1.0f - cover) * posture;
}

/// Kinds of fire-support asset.
enum WeaponKind : std::uint8_t { kArtillery = 0, kAirStrike = 1 };

/// Targeting policies (docs/MODEL.md, "Targeting").
enum TargetingKind : std::uint8_t {
  kFrontLine = 0,          ///< detected enemy within max_distance of own troops
  kSettlementBombing = 1,  ///< settlement cells with detected enemy presence, whoever holds them
};

/// A fire-support asset as kernels see it: weapon, position and its targeting policy.
struct AssetParams {
  std::uint8_t side;      ///< side it fires for
  std::uint8_t kind;      ///< WeaponKind
  std::uint8_t policy;    ///< TargetingKind
  float x_m, y_m;         ///< battery position (artillery), metres
  float range_m;          ///< maximum range, metres (<= 0: unlimited, air)
  WeaponEffect effect;    ///< cep_m is the CEP at maximum range for artillery
  float max_distance_m;   ///< front-line fire: targets within this of own troops, metres
  float safe_distance_m;  ///< no target closer than this to own troops (0: ignored), metres
  float min_confidence;   ///< only sightings at least this fresh: exp(-age / tau) >= this
  /// Sightings at least this many steps old fail min_confidence for certain (stale_age_steps;
  /// 0: test every age).
  std::int32_t stale_age_steps;
};

/// CEP (metres) of an asset's round aimed at distance d: constant for air-delivered guided
/// bombs; for artillery it grows with range, cep x (0.25 + 0.75 d / range).
SALIENT_HD inline float cep_at(const AssetParams& a, float d_m) {
  if (a.kind != kArtillery || a.range_m <= 0.0f) return a.effect.cep_m;
  const float f = d_m < a.range_m ? d_m / a.range_m : 1.0f;
  return a.effect.cep_m * (0.25f + 0.75f * f);
}

/// One round or bomb of this step. The host fills asset, cell and sighting error in key
/// order (asset, then round); ImpactPoints the points; ImpactTally the counts.
struct Impact {
  std::int32_t asset;            ///< firing asset
  std::int32_t cell;             ///< target cell of the firing side's picture
  float sighting_error;          ///< position error of that sighting, metres
  float aim_x, aim_y;            ///< where it was aimed, metres
  float x, y;                    ///< where it fell, metres
  float cep_m;                   ///< CEP at the range fired, metres
  std::int32_t killed, wounded;  ///< casualties it caused
  std::int32_t friendly;         ///< of which the firing side's own soldiers
  std::int32_t cells_destroyed;  ///< urban cells within its destruction radius
};

/// Centre of a raster cell, metres.
SALIENT_HD inline void cell_centre(const ModelParams& p, std::int32_t cell, float& x, float& y) {
  x = (static_cast<float>(cell % p.nx) + 0.5f) * p.cell_size_m;
  y = (static_cast<float>(cell / p.nx) + 0.5f) * p.cell_size_m;
}

/// Aim and impact points of impact k. The aim error is drawn once per asset and step (a
/// salvo or sortie shares its aim point); each round's dispersion is its own.
struct ImpactPoints {
  ModelParams p;
  const AssetParams* assets;
  Impact* impacts;
  std::uint32_t step;

  SALIENT_HD void operator()(std::int32_t k) const {
    Impact& m = impacts[k];
    const AssetParams& a = assets[m.asset];
    float cx = 0.0f, cy = 0.0f, zx = 0.0f, zy = 0.0f;
    cell_centre(p, m.cell, cx, cy);
    normal_pair(philox(p.seed, step, static_cast<std::uint32_t>(m.asset), Purpose::kAim), zx, zy);
    m.aim_x = cx + m.sighting_error * zx;
    m.aim_y = cy + m.sighting_error * zy;
    const float dx = m.aim_x - a.x_m, dy = m.aim_y - a.y_m;
    WeaponEffect w = a.effect;
    w.cep_m = cep_at(a, sqrt_cr(dx * dx + dy * dy));
    m.cep_m = w.cep_m;
    impact_point(w, m.aim_x, m.aim_y,
                 philox(p.seed, step, static_cast<std::uint32_t>(k), Purpose::kImpact), m.x, m.y);
  }
};

/// Squared distance (m^2) beyond which an impact's casualty probability is taken as zero:
/// (3 R)^2, where exp(-9) = 1.2e-4 of the damage remains.
SALIENT_HD inline float lethal_cutoff2(const WeaponEffect& w) {
  return 9.0f * w.lethal_radius_m * w.lethal_radius_m;
}

/// Effects of this step's impacts on agent i, in impact order: the first impact whose
/// casualty draw succeeds kills or wounds it (struck_by records which); every impact within
/// its suppression radius adds suppression and a morale shock.
struct StrikeEffect {
  ModelParams p;
  AgentView a;
  RasterView r;
  const AssetParams* assets;
  const Impact* impacts;
  std::int32_t count;
  std::uint32_t step;

  SALIENT_HD void operator()(std::int32_t i) const {
    if (a.status[i] != kActive) return;
    const float xi = a.x[i], yi = a.y[i];
    const float cover = r.cover[cell_of(p, xi, yi)];
    const float posture = a.posture[i] == kInCover ? p.strike_prone_factor : 1.0f;
    float s = a.suppression[i], m = a.morale[i];
    for (std::int32_t k = 0; k < count; ++k) {
      const Impact& im = impacts[k];
      const WeaponEffect& w = assets[im.asset].effect;
      const float dx = im.x - xi, dy = im.y - yi;
      const float r2 = dx * dx + dy * dy;
      if (r2 <= w.suppression_radius_m * w.suppression_radius_m) {
        s += p.strike_suppression;
        m -= p.strike_morale_shock;
      }
      if (r2 > lethal_cutoff2(w)) continue;
      const auto rnd = philox(p.seed, step, static_cast<std::uint32_t>(a.id[i]), Purpose::kStrike,
                              static_cast<std::uint32_t>(k));
      if (uniform_float(rnd.v[0]) >= casualty_probability(w, r2, cover, posture)) continue;
      a.status[i] = uniform_float(rnd.v[1]) < w.kill_fraction ? kKilled : kWounded;
      a.health[i] = 0.0f;
      a.struck_by[i] = k;
      break;
    }
    a.suppression[i] = s > 1.0f ? 1.0f : s;
    a.morale[i] = m < 0.0f ? 0.0f : m;
  }
};

/// Destruction: urban cell `cells[k]` counts the impacts whose destruction radius reaches its
/// centre; each lowers its cover by destruction_cover_loss of the urban cover, for the rest
/// of the run (damage saturates at 255 hits).
struct StrikeDamage {
  ModelParams p;
  RasterView r;
  std::uint8_t* damage;
  const std::int32_t* cells;
  const AssetParams* assets;
  const Impact* impacts;
  std::int32_t count;

  SALIENT_HD void operator()(std::int32_t k) const {
    const std::int32_t c = cells[k];
    if (r.terrain[c] != kUrban) return;
    float cx = 0.0f, cy = 0.0f;
    cell_centre(p, c, cx, cy);
    std::int32_t hits = damage[c];
    for (std::int32_t j = 0; j < count; ++j) {
      const Impact& im = impacts[j];
      const float rad = assets[im.asset].effect.destruction_radius_m;
      const float dx = im.x - cx, dy = im.y - cy;
      if (dx * dx + dy * dy <= rad * rad) ++hits;
    }
    if (hits == damage[c]) return;
    hits = hits > 255 ? 255 : hits;
    damage[c] = static_cast<std::uint8_t>(hits);
    const float left = 1.0f - p.destruction_cover_loss * static_cast<float>(hits);
    r.cover[c] = p.terrain[kUrban].cover * (left > 0.0f ? left : 0.0f);
  }
};

/// Impact k's own tally: the agents it struck (from the 3x3 bins around it, which reach
/// beyond its lethal cutoff) and the urban cells within its destruction radius.
struct ImpactTally {
  ModelParams p;
  AgentView a;
  RasterView r;
  BinView bins;
  const AssetParams* assets;
  Impact* impacts;

  SALIENT_HD void operator()(std::int32_t k) const {
    Impact& im = impacts[k];
    const AssetParams& as = assets[im.asset];
    std::int32_t bx = static_cast<std::int32_t>(im.x / p.bin_size_m);
    std::int32_t by = static_cast<std::int32_t>(im.y / p.bin_size_m);
    bx = bx < 0 ? 0 : (bx >= p.bins_x ? p.bins_x - 1 : bx);
    by = by < 0 ? 0 : (by >= p.bins_y ? p.bins_y - 1 : by);
    std::int32_t killed = 0, wounded = 0, friendly = 0;
    for_each_neighbour(p, bins, by * p.bins_x + bx, [&](std::int32_t i) {
      if (a.struck_by[i] != k) return;
      killed += a.status[i] == kKilled;
      wounded += a.status[i] == kWounded;
      friendly += a.side[i] == as.side;
    });
    std::int32_t cells = 0;
    const float rad = as.effect.destruction_radius_m;
    if (rad > 0.0f) {
      const auto lo = [&](float v) {
        const auto c = static_cast<std::int32_t>((v - rad) / p.cell_size_m);
        return c < 0 ? 0 : c;
      };
      std::int32_t c1 = static_cast<std::int32_t>((im.x + rad) / p.cell_size_m);
      std::int32_t r1 = static_cast<std::int32_t>((im.y + rad) / p.cell_size_m);
      c1 = c1 >= p.nx ? p.nx - 1 : c1;
      r1 = r1 >= p.ny ? p.ny - 1 : r1;
      for (std::int32_t row = lo(im.y); row <= r1; ++row)
        for (std::int32_t col = lo(im.x); col <= c1; ++col) {
          const std::int32_t c = row * p.nx + col;
          float cx = 0.0f, cy = 0.0f;
          cell_centre(p, c, cx, cy);
          const float dx = im.x - cx, dy = im.y - cy;
          cells += r.terrain[c] == kUrban && dx * dx + dy * dy <= rad * rad;
        }
    }
    im.killed = killed, im.wounded = wounded, im.friendly = friendly, im.cells_destroyed = cells;
  }
};

}  // namespace salient
