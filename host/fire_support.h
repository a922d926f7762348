// Fire-support budgets (issue 4): how many rounds or bombs each asset may fire in a step.
// Host code shared by both backends, in exact integer steps of a double-precision
// allowance, so every backend fires the same rounds. Equations: docs/MODEL.md, "Budgets".
#pragma once

#include <cstdint>
#include <vector>

#include "../kernels/strike.cuh"
#include "config.h"

namespace salient {

/// The kernels' view of each asset of a scenario, in scenario order (p: the run's
/// parameters, for the age beyond which a sighting is too stale to target).
std::vector<AssetParams> make_assets(const ScenarioConfig& cfg, const ModelParams& p);

/// Budgets of all assets of a run. An asset's allowance accrues from zero at its daily rate
/// (per_day x elapsed / 1 day, rounded down); what it has not fired carries over. A battery
/// fires at most its rate of fire (a steady rate quantised to whole rounds per step), an air
/// strike group at most one sortie per step.
class FireBudget {
 public:
  FireBudget() = default;
  /// Budgets of cfg's assets, all unspent, for time step cfg.dt.
  explicit FireBudget(const ScenarioConfig& cfg);
  /// Number of assets.
  std::size_t size() const { return assets_.size(); }
  /// Sorties (air) or rounds (artillery) asset k may fire in step `step` (1-based).
  std::int64_t ready(std::size_t k, std::int64_t step) const;
  /// Rounds or bombs that `sorties_or_rounds` of asset k deliver.
  std::int64_t impacts(std::size_t k, std::int64_t sorties_or_rounds) const;
  /// Records that asset k fired `n` (rounds or sorties).
  void spend(std::size_t k, std::int64_t n) { fired_[k] += n; }
  /// Total fired by asset k so far (rounds or sorties).
  std::int64_t fired(std::size_t k) const { return fired_[k]; }
  /// What every asset has fired so far (a checkpoint's budgets).
  const std::vector<std::int64_t>& fired_all() const { return fired_; }
  /// Restores what every asset has fired (same number of assets; checked by the caller).
  void set_fired(const std::vector<std::int64_t>& fired) { fired_ = fired; }
  /// Upper bound of the impacts of one step, all assets together.
  std::int64_t max_impacts_per_step() const;

 private:
  struct Asset {
    bool air;
    double per_day;          ///< rounds or sorties a day
    double rounds_per_step;  ///< artillery rate of fire x dt
    std::int64_t bombs;      ///< per sortie (air)
  };
  std::vector<Asset> assets_;
  std::vector<std::int64_t> fired_;
  double dt_s_ = 0;
};

}  // namespace salient
