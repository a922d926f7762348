// Checks of a checkpoint's state before a run continues from it (host/simulation.cpp): a
// checkpoint is untrusted input, and the kernels index arrays with what it holds.
#pragma once

#include <cstdint>
#include <vector>

#include "../kernels/params.cuh"
#include "state_archive.h"

namespace salient {

/// Checks `arrays` (read from a checkpoint written after `steps` steps) against `fresh`, the
/// state of the same scenario just built: the arrays the scenario fixes (sides, units, the
/// region's layers, settlements' cells, the commanders' companies) must equal it; the others
/// must hold values the kernels can use: finite floats of sane size, enums and agent indices
/// in range. Types and lengths must match `fresh`. Throws CheckpointError naming the array and
/// the first bad element.
void check_state(const std::vector<StateArray>& arrays, const std::vector<StateArray>& fresh,
                 const ModelParams& params, std::int64_t steps);

}  // namespace salient
