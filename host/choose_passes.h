// The GPU's choice of fire-support targets as passes that launch work and wait for nothing
// (ThrustBackend::choose_targets on CUDA): a thin driver over BestOfChunk and FoldBest
// (kernels/targeting.cuh), shared with the tests. Host code.
#pragma once

#include <algorithm>
#include <cstdint>

#include "../kernels/targeting.cuh"

namespace salient::detail {

/// Each ready asset's choice, into result[0, nready): BestOfChunk over chunks of kChooseChunk
/// cells, then FoldBest rounds of kChooseFold entries until one is left per asset, for up to
/// kChooseBatch assets at a time. `launch(n, f)` runs f(i) for i in [0, n) (Traits::for_each);
/// scratch[0] and scratch[1] hold choose_scratch's entries. Unlike reduce_by_key, which returns
/// its run count to the host, nothing here waits for the device.
template <class Launch>
void choose_by_passes(const Launch& launch, const ReadyTargetCandidate& score, std::int32_t nready,
                      TargetChoice* const scratch[2], TargetChoice* result) {
  const auto chunks = static_cast<std::int32_t>(choose_chunks(score.ncells));
  const std::int32_t per_batch = std::min(kChooseBatch, std::max(1, INT32_MAX / chunks));
  for (std::int32_t j0 = 0; j0 < nready; j0 += per_batch) {
    const std::int32_t segments = std::min(nready - j0, per_batch);
    ReadyTargetCandidate batch = score;
    batch.ready += j0;
    TargetChoice* const choices = result + j0;
    std::int32_t per = chunks;
    int in = 0;  // which scratch array holds the last pass's entries
    launch(segments * chunks, BestOfChunk{batch, chunks, per == 1 ? choices : scratch[0]});
    while (per > 1) {
      const std::int32_t next = (per + kChooseFold - 1) / kChooseFold;
      TargetChoice* const out = next == 1 ? choices : scratch[1 - in];
      launch(segments * next, FoldBest{scratch[in], per, next, out});
      per = next, in = 1 - in;
    }
  }
}

}  // namespace salient::detail
