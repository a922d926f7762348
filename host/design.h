// Experimental designs for parameter sweeps (data farming): points in the unit cube
// [0, 1]^k that a plan (host/plan.h) scales to each factor's range. docs/HPC.md, "Designs".
#pragma once

#include <cstdint>
#include <vector>

namespace salient {

/// Rows are design points, columns factors; values in [0, 1].
using Design = std::vector<std::vector<double>>;

/// Full factorial: every combination of `levels` equally spaced levels (0, 1/(L-1), ..., 1)
/// of each of `k` factors, the last factor varying fastest. levels >= 2.
Design grid_design(int k, int levels);

/// Random Latin hypercube (McKay, Beckman & Conover 1979): `points` rows; in each column
/// every stratum [i/n, (i+1)/n) holds exactly one point, at a uniform position inside it.
/// Deterministic in `seed` (Philox).
Design lhs_design(int k, int points, std::uint64_t seed);

/// Ye's (1998) orthogonal Latin hypercube for 2^m + 1 runs and 2m - 2 factors (m >= 2), in
/// its integer levels -2^(m-1) .. 2^(m-1): every column holds each level once, and any two
/// columns are orthogonal (zero correlation).
std::vector<std::vector<int>> ye_olh(int m);

/// The smallest Ye design with at least `k` columns, its first `k` columns scaled to
/// [0, 1]. k >= 1; 2^m + 1 points with m = max(2, ceil((k + 2) / 2)).
Design olh_design(int k);

}  // namespace salient
