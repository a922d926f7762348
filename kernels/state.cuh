// Non-owning views of the simulation state (struct of arrays). The backend owns the memory;
// phase functors receive these views by value and touch only raw pointers.
#pragma once

#include "common.cuh"
#include "params.cuh"

namespace salient {

/// Agent arrays, indexed by storage slot (0..n-1). One agent is one soldier. The backend
/// keeps agents stored in bin order (slot != id once it has reordered them); an agent's id,
/// which names it in every output and keys its random draws, is id[slot], and slot[id] finds
/// it. Fields that hold another agent (target, shot_target) hold its slot.
struct AgentView {
  std::int32_t n;
  float* x;         ///< position east, metres
  float* y;         ///< position north, metres
  float* offset_x;  ///< own offset from its squad's objective point, metres
  float* offset_y;
  float* home_x;  ///< rally point (start position), metres
  float* home_y;
  std::uint8_t* side;
  std::uint8_t* profile;  ///< index into ModelParams::profile (troop quality)
  std::int32_t* unit;     ///< squad id
  std::uint8_t* status;   ///< AgentStatus
  std::uint8_t* posture;  ///< AgentPosture
  float* health;          ///< 1 = unhurt, <= 0 = out of action
  float* morale;          ///< 0..1
  float* suppression;     ///< 0..1
  std::int16_t* ammo;     ///< aimed bursts left
  std::uint8_t* moved;    ///< 1 if the agent moved in its last decide/move phase
  // Per-step scratch written by one phase and read by later ones.
  std::int32_t* bin;           ///< bin of the agent at the binning phase (nbins if inactive)
  std::int32_t* target;        ///< nearest detected enemy (-1: none)
  std::uint16_t* n_friends;    ///< friends within sensor range
  std::uint16_t* n_enemies;    ///< detected enemies within sensor range
  std::int32_t* shot_target;   ///< agent fired at this step (-1: did not fire)
  std::uint8_t* shot_outcome;  ///< ShotOutcome
  std::uint8_t* spotted;       ///< 1 if some enemy soldier had it as detected target this step
  std::int32_t* struck_by;     ///< impact that made it a casualty this step (-1: none)
  const std::int32_t* id;      ///< agent id of each slot
  const std::int32_t* slot;    ///< slot of each agent id (the inverse of id)
};

/// Outcome of one agent's fire in one step.
enum ShotOutcome : std::uint8_t {
  kNoShot = 0,
  kMiss = 1,
  kLightWound = 2,    ///< stays in action, loses health
  kSeriousWound = 3,  ///< out of action, evacuated
  kKill = 4,
};

/// True for outcomes that hit the target.
SALIENT_HD inline bool is_hit(std::uint8_t outcome) { return outcome >= kLightWound; }

/// Orders a unit can be given (by the scenario or a commander).
enum UnitOrder : std::uint8_t {
  kAdvance = 0,   ///< move to the objective, stop to fight when engaged
  kAssault = 1,   ///< move to the objective, fire on the move when strong enough locally
  kHold = 2,      ///< go to the objective and stay, fight from there
  kWithdraw = 3,  ///< move to the objective (a rear point) without stopping to fight
  kRest = 4,      ///< stay; morale recovers faster and ammunition is replenished
};

/// Level of a unit in the hierarchy.
enum UnitLevel : std::uint8_t { kSquad = 0, kPlatoon = 1, kCompany = 2, kBattalion = 3 };

/// Unit arrays. Units cover contiguous agent id ranges (agents are numbered squad by squad,
/// squads platoon by platoon, ...), so every reduction is a loop over its own range of ids.
struct UnitView {
  std::int32_t n;
  std::uint8_t* side;
  std::uint8_t* profile;  ///< troop-quality profile of its agents
  std::uint8_t* level;    ///< UnitLevel
  std::int32_t* parent;   ///< enclosing unit, -1 for a battalion
  std::int32_t* company;  ///< the company a unit belongs to (itself for a company)
  std::uint8_t* order;    ///< UnitOrder (squads follow the order written to them)
  float* objective_x;     ///< objective point, metres
  float* objective_y;
  std::int32_t* agent_begin;  ///< id of the first agent of the unit
  std::int32_t* agent_end;    ///< one past the last agent's id
  std::int32_t* strength;     ///< active agents (updated each step)
  std::int32_t* initial;      ///< agents at the start (or on arrival)
  float* centroid_x;          ///< mean position of active agents (fixed-point sum), metres
  float* centroid_y;
  float* spread;  ///< RMS distance of active agents from the centroid, metres
};

/// Spatial bins: agent slots sorted by (bin, side, sense cell, slot) and the [start, end)
/// range of each bin; and, where a phase scans positions, copies of the agents' x, y, id and
/// of how an observer sees them (concealment and look) in that sorted order (entry k is the
/// agent in slot sorted_slot[k]; active agents' entries only), so that a neighbour scan reads
/// them contiguously instead of through the slots (null where not gathered).
struct BinView {
  std::int32_t nbins;
  const std::int32_t* sorted_slot;
  const std::int32_t* start;
  const std::int32_t* end;
  const float* x = nullptr;  ///< metres
  const float* y = nullptr;
  const float* concealment = nullptr;  ///< of the agent's cell's terrain
  const std::uint8_t* look = nullptr;  ///< kLookInCover | kLookMoved
  /// Where the entries are sorted by (bin, side, sense cell, slot): the first index of sense
  /// cell (row r, column c) of side s in bin b is cell_start[(2 b + s) G^2 + r G + c], with
  /// G = ModelParams::sense_cells_per_bin (2 nbins G^2 + 1 values); side s of bin b is
  /// [cell_start[(2 b + s) G^2], cell_start[(2 b + s + 1) G^2]).
  const std::int32_t* cell_start = nullptr;
  const std::int32_t* id = nullptr;  ///< agent id (AgentView::id) of each entry
};

namespace detail {
/// count_within's loop: a branch-free count over contiguous copies, which the compiler
/// vectorises.
SALIENT_HD inline std::uint32_t count_within_loop(const float* x, const float* y, std::int32_t k0,
                                                  std::int32_t k1, float x0, float y0, float r2) {
  std::uint32_t count = 0;
  for (std::int32_t k = k0; k < k1; ++k) {
    const float dx = x[k] - x0, dy = y[k] - y0;
    count += !(dx * dx + dy * dy > r2) ? 1u : 0u;
  }
  return count;
}

/// The same loop on the host, compiled for AVX2 and for baseline x86-64 and picked at run
/// time (host/count_within.cpp). Each lane computes the same IEEE products, sum and
/// comparison as the scalar code, so the count is the same on every machine.
std::uint32_t count_within_host(const float* x, const float* y, std::int32_t k0, std::int32_t k1,
                                float x0, float y0, float r2);
}  // namespace detail

/// How many of the sorted entries [k0, k1) lie within squared distance r2 of (x0, y0).
SALIENT_HD inline std::uint32_t count_within(const float* x, const float* y, std::int32_t k0,
                                             std::int32_t k1, float x0, float y0, float r2) {
#if defined(__CUDA_ARCH__)
  return detail::count_within_loop(x, y, k0, k1, x0, y0, r2);
#else
  return detail::count_within_host(x, y, k0, k1, x0, y0, r2);
#endif
}

/// Raster arrays, row-major [ny][nx], cell (col, row) at index row * nx + col.
struct RasterView {
  std::uint8_t* terrain;            ///< TerrainClass
  float* cover;                     ///< fraction of hits stopped, 0..1
  std::int8_t* control;             ///< side holding the cell, or kNoControl
  std::uint16_t* presence[kSides];  ///< active, unbroken agents per cell and side
  std::uint8_t* reach[kSides];   ///< scratch: row distance (cells) to nearest presence, 255 = none
  const std::int32_t* crossing;  ///< nearest crossing (road cell beside water), -1 if none
};

/// Index of the raster cell containing point (x, y), clamped to the raster.
SALIENT_HD inline std::int32_t cell_of(const ModelParams& p, float x, float y) {
  std::int32_t c = static_cast<std::int32_t>(x / p.cell_size_m);
  std::int32_t r = static_cast<std::int32_t>(y / p.cell_size_m);
  c = c < 0 ? 0 : (c >= p.nx ? p.nx - 1 : c);
  r = r < 0 ? 0 : (r >= p.ny ? p.ny - 1 : r);
  return r * p.nx + c;
}

/// BinView::look bits: the agent lies in cover; it moved last step.
inline constexpr std::uint8_t kLookInCover = 1, kLookMoved = 2;

/// Gathers BinView's sorted copies (entry k from the agent in slot sorted_slot[k]): position,
/// id, the concealment of the terrain under the agent and its look bits, all that Sense reads
/// of a target. Active agents only: the others sort last, in no bin, and their entries are
/// left as they were.
struct GatherBinned {
  ModelParams p;
  AgentView a;
  const std::uint8_t* terrain;  ///< raster terrain classes
  const std::int32_t* sorted_slot;
  float* x;
  float* y;
  float* concealment;
  std::uint8_t* look;
  std::int32_t* id;

  SALIENT_HD void operator()(std::int32_t k) const {
    const std::int32_t j = sorted_slot[k];
    if (a.status[j] != kActive) return;  // sorted last, in no bin: never read
    x[k] = a.x[j];
    y[k] = a.y[j];
    concealment[k] = p.terrain[terrain[cell_of(p, a.x[j], a.y[j])]].concealment;
    look[k] = static_cast<std::uint8_t>((a.posture[j] == kInCover ? kLookInCover : 0) |
                                        (a.moved[j] != 0 ? kLookMoved : 0));
    id[k] = a.id[j];
  }
};

/// Calls f(i) for the slot i of every agent in the 3x3 bins around `bin`, in sorted order.
template <class F>
SALIENT_HD void for_each_neighbour(const ModelParams& p, const BinView& b, std::int32_t bin,
                                   F&& f) {
  const std::int32_t bx = bin % p.bins_x;
  const std::int32_t by = bin / p.bins_x;
  for (std::int32_t ny = by - 1; ny <= by + 1; ++ny) {
    if (ny < 0 || ny >= p.bins_y) continue;
    for (std::int32_t nx = bx - 1; nx <= bx + 1; ++nx) {
      if (nx < 0 || nx >= p.bins_x) continue;
      const std::int32_t nb = ny * p.bins_x + nx;
      for (std::int32_t k = b.start[nb]; k < b.end[nb]; ++k) f(b.sorted_slot[k]);
    }
  }
}

}  // namespace salient
