// Fire-support budgets and the kernels' view of the assets.
#include "fire_support.h"

#include "../kernels/picture.cuh"

#include <algorithm>
#include <cmath>

namespace salient {

std::vector<AssetParams> make_assets(const ScenarioConfig& cfg, const ModelParams& p) {
  std::vector<AssetParams> out;
  for (const AssetConfig& a : cfg.assets) {
    const TargetingConfig& t = cfg.targeting[static_cast<std::size_t>(a.policy)];
    AssetParams q{};
    q.side = static_cast<std::uint8_t>(a.side);
    q.kind = a.kind == 0 ? kArtillery : kAirStrike;
    q.policy = t.kind == 0 ? kFrontLine : kSettlementBombing;
    q.x_m = static_cast<float>(a.x);
    q.y_m = static_cast<float>(a.y);
    q.range_m = a.kind == 0 ? static_cast<float>(a.range) : 0.0f;
    q.effect =
        WeaponEffect{static_cast<float>(a.cep), static_cast<float>(a.lethal_radius),
                     static_cast<float>(a.kill_fraction), static_cast<float>(a.suppression_radius),
                     static_cast<float>(a.destruction_radius)};
    q.max_distance_m = static_cast<float>(t.max_distance);
    q.safe_distance_m = static_cast<float>(t.safe_distance);
    q.min_confidence = static_cast<float>(t.min_confidence);
    q.stale_age_steps = stale_age_steps(p.dt_s, p.picture[q.side].sighting_tau_s, q.min_confidence);
    out.push_back(q);
  }
  return out;
}

FireBudget::FireBudget(const ScenarioConfig& cfg) : dt_s_(cfg.dt) {
  for (const AssetConfig& a : cfg.assets)
    assets_.push_back({a.kind == 1, a.per_day, a.rate_of_fire * cfg.dt / 60.0, a.bombs_per_sortie});
  fired_.assign(assets_.size(), 0);
}

std::int64_t FireBudget::ready(std::size_t k, std::int64_t step) const {
  const Asset& a = assets_[k];
  const auto allowance = static_cast<std::int64_t>(
      std::floor(a.per_day * (static_cast<double>(step) * dt_s_) / 86400.0));
  const std::int64_t left = std::max<std::int64_t>(0, allowance - fired_[k]);
  if (a.air) return std::min<std::int64_t>(left, 1);
  const auto rate =
      static_cast<std::int64_t>(std::floor(a.rounds_per_step * static_cast<double>(step)) -
                                std::floor(a.rounds_per_step * static_cast<double>(step - 1)));
  return std::min(left, rate);
}

std::int64_t FireBudget::impacts(std::size_t k, std::int64_t n) const {
  return assets_[k].air ? n * assets_[k].bombs : n;
}

std::int64_t FireBudget::max_impacts_per_step() const {
  std::int64_t total = 0;
  for (const Asset& a : assets_)
    total += a.air ? a.bombs : static_cast<std::int64_t>(std::ceil(a.rounds_per_step));
  return total;
}

}  // namespace salient
