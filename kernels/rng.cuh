// Counter-based random numbers: Philox4x32-10 (Random123) keyed by the run seed, with the
// counter (step, entity, purpose, sub-stream). No generator state is stored anywhere.
#pragma once

#include <cstdint>

#include "common.cuh"
#include "detmath.cuh"

// Random123 marks its functions __device__ only under nvcc; the model calls them from
// __host__ __device__ code, so make them callable from both.
#if defined(__CUDACC__) && !defined(R123_CUDA_DEVICE)
#define R123_CUDA_DEVICE __host__ __device__
#endif
#include <Random123/philox.h>

namespace salient {

/// What a random draw is for: part of the Philox counter, so draws never collide.
enum class Purpose : std::uint32_t {
  kInitPosition = 1,
  kInitObjective = 2,
  kDetect = 3,
  kHit = 4,
  kMoveJitter = 5,
  kRegion = 6,
  kDrone = 7,    ///< drone overflight and detection, per cell
  kTarget = 8,   ///< tie-break among equally fresh targets, per cell
  kAim = 9,      ///< aim error from the sighting's position error, per asset
  kImpact = 10,  ///< ballistic dispersion, per impact
  kStrike = 11,  ///< casualty draws, per agent and impact
  kArena = 12,   ///< attrition in the validation arena, per agent
  kPlan = 13,    ///< plans (host/design.cpp, host/plan.cpp): designs and task seeds
};

/// Four independent 32-bit random words for (seed, step, entity, purpose, sub).
SALIENT_HD inline r123::Philox4x32::ctr_type philox(std::uint64_t seed, std::uint32_t step,
                                                    std::uint32_t entity, Purpose purpose,
                                                    std::uint32_t sub = 0) {
  r123::Philox4x32 gen;
  r123::Philox4x32::ctr_type ctr = {{step, entity, static_cast<std::uint32_t>(purpose), sub}};
  r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}};
  return gen(ctr, key);
}

/// Uniform float in the open interval (0, 1) from 32 random bits (23-bit resolution, so
/// that k + 0.5 is exact in float and the largest value is 1 - 2^-24).
SALIENT_HD inline float uniform_float(std::uint32_t bits) {
  return (static_cast<float>(bits >> 9) + 0.5f) * (1.0f / 8388608.0f);
}

/// Uniform double in the open interval (0, 1) from 64 random bits (52-bit resolution, so
/// that k + 0.5 is exact in double).
SALIENT_HD inline double uniform_double(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t b = (static_cast<std::uint64_t>(hi) << 32 | lo) >> 12;
  return (static_cast<double>(b) + 0.5) * (1.0 / 4503599627370496.0);
}

/// Two independent standard normal deviates from four random words (Box-Muller, double
/// precision internally, own log/sin/cos so both backends agree).
SALIENT_HD inline void normal_pair(const r123::Philox4x32::ctr_type& r, float& z0, float& z1) {
  const double u1 = uniform_double(r.v[0], r.v[1]);
  const double u2 = uniform_double(r.v[2], r.v[3]);
  const double radius = sqrt_cr(-2.0 * detmath::log(u1));
  const double angle = 6.283185307179586 * u2;
  z0 = static_cast<float>(radius * detmath::cos(angle));
  z1 = static_cast<float>(radius * detmath::sin(angle));
}

}  // namespace salient
