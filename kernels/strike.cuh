// Weapon effects of artillery rounds and air-delivered bombs (issue 4): impact dispersion by
// CEP and the Carleton damage function, reduced by cover and posture. Building blocks for
// the fire-support phase; not yet wired into the step (docs/MODEL.md, "Weapon effects").
#pragma once

#include "rng.cuh"

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

}  // namespace salient
