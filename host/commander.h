// Commanders, one per side, re-plan on the host every model.replan_interval from the
// settlement holders, the control raster and their own units' state: the attacker sends
// assault groups at several enemy-held settlements at once; the defender counter-attacks lost
// settlements and reinforces threatened ones; both rotate worn companies out to rest.
// Doctrine is scenario data (side.role, axes, rotate_below, rest_hours, threat_radius).
#pragma once

#include <cstdint>
#include <vector>

#include "config.h"
#include "region.h"
#include "state.h"
#include "state_archive.h"

namespace salient {

/// One side's commander. Plans are deterministic functions of their inputs.
class Commander {
 public:
  /// `units` is the initial unit state (its objectives define the squads' formation offsets).
  Commander(const ScenarioConfig& cfg, int side, const UnitArrays& units, const Region& region);

  /// Writes new orders and objectives for this side's units into `units` (order,
  /// objective_x/y of companies, platoons and squads). `holders` are the settlement holders,
  /// `control` the control raster.
  void plan(double time_s, UnitArrays& units, const std::vector<std::int8_t>& holders,
            const std::vector<std::int8_t>& control);

  /// The side this commander leads.
  int side() const { return side_; }
  /// What the commander remembers between plans (companies' reference strength and rest,
  /// settlements ever held), as named arrays for a checkpoint ("commander<side>.*").
  std::vector<StateArray> save_state() const;
  /// Restores what save_state() returned for the same scenario; throws CheckpointError if an
  /// array is missing or does not match this side's companies and settlements.
  void load_state(const std::vector<StateArray>& arrays);

 private:
  struct Company {
    std::int32_t unit;
    std::int32_t reference;    ///< strength when it last (re)joined the fight
    double rest_until_s = -1;  ///< >= 0 while rotated out
  };
  struct Target {
    std::int32_t settlement;
    std::uint8_t order;
    std::int32_t wanted;  ///< companies to send
  };

  void rotate(double time_s, UnitArrays& u, std::vector<std::int32_t>& pool);
  std::vector<Target> attack_targets(const std::vector<std::int8_t>& holders, float cx,
                                     float cy) const;
  std::vector<Target> defence_targets(const std::vector<std::int8_t>& holders,
                                      const std::vector<std::int8_t>& control, float cx,
                                      float cy) const;
  bool threatened(std::int32_t settlement, const std::vector<std::int8_t>& control) const;
  void order_company(UnitArrays& u, std::int32_t company, std::uint8_t order, float x,
                     float y) const;

  const ScenarioConfig& cfg_;
  int side_;
  const SideConfig& doctrine_;
  const Region& region_;
  float rear_x_, rear_y_;
  std::vector<Company> companies_;
  std::vector<float> offset_x_, offset_y_;  ///< per unit: objective minus its company's
  std::vector<bool> ever_held_;
};

}  // namespace salient
