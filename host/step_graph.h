// Step graphs: a backend's fixed launch sequences, captured once and replayed every step
// (ThrustBackend::run_graph). A system that has them (CudaTraits: CUDA graphs) supplies a
// StepGraph type, capture() and replay(); the others use NoStepGraph and never capture.
#pragma once

#include <cstddef>
#include <cstdint>

namespace salient::detail {

/// The step graph of a system without graphs (never captured).
struct NoStepGraph {
  std::uint64_t key = 0;  ///< the layout the graph was captured for (ThrustBackend::layout_key)
  bool ready() const { return false; }
  void reset() {}
};

/// The starting value of an FNV-1a hash (mix_bytes, mix_layout).
inline constexpr std::uint64_t kHashBasis = 0xcbf29ce484222325ull;

/// Mixes `n` bytes from `p` into the hash `h` (FNV-1a): ThrustBackend::choice_inputs_digest.
inline std::uint64_t mix_bytes(std::uint64_t h, const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

/// Mixes `v` into the hash `h` (FNV-1a over the value's 8 bytes): ThrustBackend::layout_key.
inline std::uint64_t mix_layout(std::uint64_t h, std::uint64_t v) {
  for (int b = 0; b < 8; ++b) h = (h ^ ((v >> (8 * b)) & 0xffu)) * 0x100000001b3ull;
  return h;
}

}  // namespace salient::detail
