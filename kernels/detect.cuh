// Detection rolls of the sense phase: whether an observer, rolling for one enemy entry of the
// bin-sorted copies, is within sensor range and draws u < pd. Line of sight is checked after
// (kernels/sense.cuh), only for the entries that pass.
// Equations: docs/MODEL.md, "Detection".
#pragma once

#include <cstdint>

#include "params.cuh"
#include "rng.cuh"
#include "state.cuh"

namespace salient {

/// detection_probability for a distance within sensor range: the product of the factors,
/// left to right (every path that rolls for detection computes it this way).
SALIENT_HD inline float detection_probability_in_range(const SideParams& observer, float d,
                                                       float concealment, bool target_in_cover,
                                                       bool target_moved, float stationary) {
  const float range_factor = 1.0f - d / observer.sensor_range_m;
  const float posture_factor = target_in_cover ? 0.5f : 1.0f;
  const float movement_factor = target_moved ? 1.0f : stationary;
  return observer.detect_prob * (1.0f - concealment) * range_factor * posture_factor *
         movement_factor;
}

/// Probability that an observer detects a target at distance d (metres) in one step, given
/// line of sight: the target's concealment, posture (in cover halves it) and movement (a
/// target that did not move is seen with factor `stationary`).
SALIENT_HD inline float detection_probability(const SideParams& observer, float d,
                                              float concealment, bool target_in_cover,
                                              bool target_moved, float stationary) {
  if (d > observer.sensor_range_m) return 0.0f;
  return detection_probability_in_range(observer, d, concealment, target_in_cover, target_moved,
                                        stationary);
}

/// The detection draw u in (0, 1) of observer i for target j in this step.
SALIENT_HD inline float detection_draw(std::uint64_t seed, std::uint32_t step, std::uint32_t i,
                                       std::uint32_t j) {
  return uniform_float(philox(seed, step, i, Purpose::kDetect, j).v[0]);
}

/// One observer's side of its detection rolls: where it is and what it rolls with.
struct DetectObserver {
  SideParams side;     ///< the observer's troop profile (sensor range, detection probability)
  float x, y;          ///< metres
  float range2;        ///< sensor range squared, square metres
  float stationary;    ///< ModelParams::stationary_detect
  std::uint64_t seed;  ///< run seed
  std::uint32_t step;  ///< step index
  std::uint32_t id;    ///< observer's agent id (AgentView::id)
};

/// Whether the observer detects entry k of the sorted copies, line of sight aside: within
/// range (d^2 <= range^2) and the draw not at or above pd. The entry's concealment, posture
/// and movement come from the bin-ordered copies (GatherBinned).
SALIENT_HD inline bool detect_roll(const DetectObserver& o, const BinView& bins, std::int32_t k) {
  const float dx = bins.x[k] - o.x, dy = bins.y[k] - o.y;
  const float d2 = dx * dx + dy * dy;
  if (d2 > o.range2) return false;
  const std::uint8_t look = bins.look[k];
  const float pd =
      detection_probability(o.side, sqrt_cr(d2), bins.concealment[k], (look & kLookInCover) != 0,
                            (look & kLookMoved) != 0, o.stationary);
  const float u = detection_draw(o.seed, o.step, o.id, static_cast<std::uint32_t>(bins.id[k]));
  return !(u >= pd);
}

namespace detail {
/// The host's scratch for detection rolls: the entries within range, packed, and rolled a
/// batch at a time in vector lanes (host/detect_rolls.cpp).
struct InRange {
  static constexpr std::int32_t kScan = 64;            ///< entries scanned per call of pack
  static constexpr std::int32_t kRoll = 64;            ///< packed entries that start a roll
  static constexpr std::int32_t kCap = kScan + kRoll;  ///< below kRoll plus a scan; 8 k
  alignas(32) float d2[kCap];                          ///< square metres
  alignas(32) std::uint32_t look[kCap];                ///< BinView::look
  alignas(32) std::int32_t k[kCap];                    ///< index into the sorted copies
  std::int32_t n = 0;                                  ///< entries packed
};

/// Scans entries [k0, min(k1, k0 + kScan)) and appends those within range to `in` (which
/// must hold fewer than kRoll); returns where the scan stopped. Vectorised for AVX2 and
/// baseline x86-64, picked at run time.
std::int32_t pack_in_range(const DetectObserver& o, const BinView& bins, std::int32_t k0,
                           std::int32_t k1, InRange& in);

/// Rolls for the packed entries of `in` exactly as detect_roll does, writes those that pass
/// to `passed` (room for InRange::kCap), empties `in` and returns how many passed.
/// Vectorised for AVX2 and baseline x86-64, picked at run time.
std::int32_t roll_in_range(const DetectObserver& o, const BinView& bins, InRange& in,
                           std::int32_t* passed);
}  // namespace detail

/// One observer's detection rolls over any number of ranges of the sorted copies: calls f(k)
/// for each entry k of them for which detect_roll holds, in no set order (what is done with
/// the entries must not depend on it: a count and a minimum under a total order do not).
/// Detected = line of sight AND the roll; neither depends on the other (the roll is a
/// counter-based draw for the pair), so f checks line of sight only for the entries the
/// cheap roll lets through. The GPU rolls entry by entry; the host packs the entries within
/// range from all ranges and rolls them in vector lanes, a batch at a time, with the same
/// entries passing. Call finish(f) after the last range.
class DetectionRolls {
 public:
  SALIENT_HD explicit DetectionRolls(const DetectObserver& o) : o_(o) {}

  /// Rolls for entries [k0, k1); f(k) for those that pass (now, or at a later call).
  template <class F>
  SALIENT_HD void add(const BinView& bins, std::int32_t k0, std::int32_t k1, F&& f) {
#if defined(__CUDA_ARCH__)
    for (std::int32_t k = k0; k < k1; ++k)
      if (detect_roll(o_, bins, k)) f(k);
#else
    while (k0 < k1) {
      k0 = detail::pack_in_range(o_, bins, k0, k1, in_);
      if (in_.n >= detail::InRange::kRoll) roll(bins, f);
    }
#endif
  }

  /// Rolls for what is still packed.
  template <class F>
  SALIENT_HD void finish(const BinView& bins, F&& f) {
#if !defined(__CUDA_ARCH__)
    if (in_.n > 0) roll(bins, f);
#else
    (void)bins;
    (void)f;
#endif
  }

 private:
#if !defined(__CUDA_ARCH__)
  template <class F>
  void roll(const BinView& bins, F&& f) {
    std::int32_t passed[detail::InRange::kCap];
    const std::int32_t n = detail::roll_in_range(o_, bins, in_, passed);
    for (std::int32_t m = 0; m < n; ++m) f(passed[m]);
  }
  detail::InRange in_;
#endif
  DetectObserver o_;
};

}  // namespace salient
