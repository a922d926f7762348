// Common definitions for single-source model code compiled by nvcc (device) and g++ (host).
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
/// Marks a function callable from host and device code.
#define SALIENT_HD __host__ __device__
#else
#define SALIENT_HD
#endif

namespace salient {

/// Correctly rounded square roots (IEEE on both backends; nvcc keeps -prec-sqrt=true).
SALIENT_HD inline double sqrt_cr(double x) { return sqrt(x); }
SALIENT_HD inline float sqrt_cr(float x) { return sqrtf(x); }

/// Number of sides in a scenario (attacker and defender).
constexpr int kSides = 2;

/// Agent status: only `active` agents move, sense, fire and hold ground.
enum AgentStatus : std::uint8_t {
  kActive = 0,   ///< in the fight
  kWounded = 1,  ///< out of action by wounds (casualty, not dead)
  kKilled = 2,   ///< dead
  kReserve = 3,  ///< not arrived yet (a scheduled reinforcement)
};

/// Agent posture chosen each step in the decide/move phase.
enum AgentPosture : std::uint8_t {
  kAdvancing = 0,  ///< moving toward its objective
  kEngaging = 1,   ///< holding position and firing at a detected enemy
  kInCover = 2,    ///< suppressed: lying in cover, neither moving nor firing well
  kFleeing = 3,    ///< morale broken: moving to its rally point, not fighting
};

/// Terrain classes of the raster.
enum TerrainClass : std::uint8_t {
  kOpen = 0,
  kForest = 1,
  kUrban = 2,
  kWater = 3,
  kRoad = 4,
};
constexpr int kTerrainClasses = 5;

/// Raster control value of a cell nobody has held yet.
constexpr std::int8_t kNoControl = -1;

/// A 32-bit value a phase reads when it runs, such as the step number: given by value, or read
/// from a word in the backend's memory (the step clock, ThrustBackend::clock_). A CUDA graph
/// captured once and replayed every step keeps its kernels' arguments, so the phases it holds
/// take the step this way; the backend writes the clock before each replay.
struct ClockValue {
  std::uint32_t value = 0;
  const std::uint32_t* at = nullptr;  ///< if not null, the value is *at

  SALIENT_HD ClockValue(std::uint32_t v) : value(v) {}  // NOLINT: converts like the value
  SALIENT_HD explicit ClockValue(const std::uint32_t* word) : at(word) {}
  SALIENT_HD operator std::uint32_t() const { return at ? *at : value; }  // NOLINT
};

/// Two phases fused into one pass: f(i), then g(i) in the same thread. Only for a g whose
/// element i reads nothing that f writes for another element: it then sees what it would
/// see after the whole of f, and the two loops cost one launch and one read of what both
/// read.
template <class F, class G>
struct Fused {
  F f;
  G g;
  SALIENT_HD void operator()(std::int32_t i) const {
    f(i);
    g(i);
  }
};

}  // namespace salient
