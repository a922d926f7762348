// Commander plans. Equations and rules: docs/MODEL.md, "Commanders".
#include "commander.h"

#include <algorithm>
#include <cmath>

#include "../kernels/state.cuh"

namespace salient {

Commander::Commander(const ScenarioConfig& cfg, int side, const UnitArrays& u, const Region& region)
    : cfg_(cfg), side_(side), doctrine_(cfg.sides[side]), region_(region) {
  const Rect& z = doctrine_.start_zone;
  rear_x_ = static_cast<float>(0.5 * (z.x0 + z.x1));
  rear_y_ = static_cast<float>(0.5 * (z.y0 + z.y1));
  offset_x_.assign(u.size(), 0.0f);
  offset_y_.assign(u.size(), 0.0f);
  for (std::size_t k = 0; k < u.size(); ++k) {
    if (u.side[k] != side) continue;
    const std::int32_t c = u.company[k];
    offset_x_[k] = u.objective_x[k] - u.objective_x[c];
    offset_y_[k] = u.objective_y[k] - u.objective_y[c];
    if (u.level[k] == kCompany) companies_.push_back({static_cast<std::int32_t>(k), u.initial[k]});
  }
  ever_held_.assign(region.settlements.size(), false);
}

void Commander::order_company(UnitArrays& u, std::int32_t company, std::uint8_t order, float x,
                              float y) const {
  for (std::size_t k = 0; k < u.size(); ++k) {
    if (u.company[k] != company || u.level[k] > kCompany) continue;
    u.order[k] = order;
    u.objective_x[k] = std::clamp(x + offset_x_[k], 0.0f, static_cast<float>(cfg_.width) - 0.01f);
    u.objective_y[k] = std::clamp(y + offset_y_[k], 0.0f, static_cast<float>(cfg_.height) - 0.01f);
  }
}

void Commander::rotate(double time_s, UnitArrays& u, std::vector<std::int32_t>& pool) {
  for (Company& c : companies_) {
    const std::int32_t strength = u.strength[c.unit];
    if (c.rest_until_s >= 0 && time_s >= c.rest_until_s) {  // rested: back into the pool
      c.rest_until_s = -1;
      c.reference = strength;
    }
    if (strength == 0) continue;
    if (c.rest_until_s >= 0) {
      order_company(u, c.unit, kRest, rear_x_, rear_y_);
      continue;
    }
    if (strength < doctrine_.rotate_below * c.reference) {  // worn: rotate out
      c.rest_until_s = time_s + doctrine_.rest_hours * 3600.0;
      order_company(u, c.unit, kWithdraw, rear_x_, rear_y_);
      continue;
    }
    pool.push_back(c.unit);
  }
}

bool Commander::threatened(std::int32_t k, const std::vector<std::int8_t>& control) const {
  const Settlement& s = region_.settlements[k];
  const double cell = region_.cell_size, r = doctrine_.threat_radius;
  const auto c0 = static_cast<std::int32_t>(std::max(0.0, (s.x - r) / cell));
  const auto c1 = static_cast<std::int32_t>(std::min(region_.nx - 1.0, (s.x + r) / cell));
  const auto r0 = static_cast<std::int32_t>(std::max(0.0, (s.y - r) / cell));
  const auto r1 = static_cast<std::int32_t>(std::min(region_.ny - 1.0, (s.y + r) / cell));
  for (std::int32_t row = r0; row <= r1; ++row)
    for (std::int32_t col = c0; col <= c1; ++col) {
      const double dx = (col + 0.5) * cell - s.x, dy = (row + 0.5) * cell - s.y;
      if (dx * dx + dy * dy <= r * r &&
          control[static_cast<std::size_t>(row) * region_.nx + col] == 1 - side_)
        return true;
    }
  return false;
}

std::vector<Commander::Target> Commander::attack_targets(const std::vector<std::int8_t>& holders,
                                                         float cx, float cy) const {
  std::vector<std::pair<double, std::int32_t>> candidates;
  for (std::size_t k = 0; k < holders.size(); ++k) {
    if (holders[k] == side_) continue;
    const double dx = region_.settlements[k].x - cx, dy = region_.settlements[k].y - cy;
    candidates.push_back({dx * dx + dy * dy, static_cast<std::int32_t>(k)});
  }
  std::sort(candidates.begin(), candidates.end());
  std::vector<Target> out;
  for (const auto& [d2, k] : candidates) {
    if (static_cast<std::int64_t>(out.size()) >= doctrine_.axes) break;
    out.push_back({k, kAssault, 0});
  }
  return out;
}

std::vector<Commander::Target> Commander::defence_targets(const std::vector<std::int8_t>& holders,
                                                          const std::vector<std::int8_t>& control,
                                                          float cx, float cy) const {
  std::vector<std::pair<double, std::int32_t>> lost, held;
  for (std::size_t k = 0; k < holders.size(); ++k) {
    const double dx = region_.settlements[k].x - cx, dy = region_.settlements[k].y - cy;
    const auto id = static_cast<std::int32_t>(k);
    if (holders[k] != side_ && ever_held_[k]) lost.push_back({dx * dx + dy * dy, id});
    if (holders[k] == side_ && threatened(id, control)) held.push_back({dx * dx + dy * dy, id});
  }
  std::sort(lost.begin(), lost.end());
  std::sort(held.begin(), held.end());
  std::vector<Target> out;
  for (const auto& [d2, k] : lost) {  // counter-attack the nearest lost settlements
    if (static_cast<std::int64_t>(out.size()) >= doctrine_.axes) break;
    out.push_back({k, kAssault, 2});
  }
  for (const auto& [d2, k] : held) out.push_back({k, kHold, 1});  // reinforce threatened ones
  return out;
}

void Commander::plan(double time_s, UnitArrays& u, const std::vector<std::int8_t>& holders,
                     const std::vector<std::int8_t>& control) {
  for (std::size_t k = 0; k < holders.size(); ++k)
    ever_held_[k] = ever_held_[k] || holders[k] == side_;
  std::vector<std::int32_t> pool;
  rotate(time_s, u, pool);
  if (pool.empty()) return;
  double sx = 0, sy = 0;
  for (std::int32_t c : pool) sx += u.centroid_x[c], sy += u.centroid_y[c];
  const auto cx = static_cast<float>(sx / pool.size()), cy = static_cast<float>(sy / pool.size());

  std::vector<Target> targets = doctrine_.role == 0 ? attack_targets(holders, cx, cy)
                                                    : defence_targets(holders, control, cx, cy);
  // An attacker shares its whole pool among its axes; a defender sends what each target wants
  // and leaves the rest holding where they are.
  const std::size_t share =
      targets.empty() ? 0 : (pool.size() + targets.size() - 1) / targets.size();
  std::vector<bool> used(pool.size(), false);
  for (const Target& t : targets) {
    const std::size_t wanted = doctrine_.role == 0 ? share : static_cast<std::size_t>(t.wanted);
    const Settlement& s = region_.settlements[t.settlement];
    for (std::size_t n = 0; n < wanted; ++n) {
      std::size_t best = pool.size();
      double best_d2 = 0;
      for (std::size_t j = 0; j < pool.size(); ++j) {
        if (used[j]) continue;
        const double dx = u.centroid_x[pool[j]] - s.x, dy = u.centroid_y[pool[j]] - s.y;
        if (best == pool.size() || dx * dx + dy * dy < best_d2)
          best = j, best_d2 = dx * dx + dy * dy;
      }
      if (best == pool.size()) break;
      used[best] = true;
      order_company(u, pool[best], t.order, static_cast<float>(s.x), static_cast<float>(s.y));
    }
  }
  for (std::size_t j = 0; j < pool.size(); ++j) {
    if (used[j]) continue;
    // Unassigned companies hold where they were last sent (a rested one, at the rear).
    order_company(u, pool[j], kHold, u.objective_x[pool[j]], u.objective_y[pool[j]]);
  }
}

std::vector<StateArray> Commander::save_state() const {
  const std::string at = "commander" + std::to_string(side_) + ".";
  std::vector<std::int32_t> unit, reference;
  std::vector<double> rest;
  for (const Company& c : companies_)
    unit.push_back(c.unit), reference.push_back(c.reference), rest.push_back(c.rest_until_s);
  const std::vector<std::uint8_t> held(ever_held_.begin(), ever_held_.end());
  return {StateArray::of(at + "company", unit), StateArray::of(at + "reference", reference),
          StateArray::of(at + "rest_until_s", rest), StateArray::of(at + "ever_held", held)};
}

void Commander::load_state(const std::vector<StateArray>& arrays) {
  const std::string at = "commander" + std::to_string(side_) + ".";
  const auto n = static_cast<std::int64_t>(companies_.size());
  std::vector<std::int32_t> unit, reference;
  std::vector<double> rest;
  std::vector<std::uint8_t> held;
  find_state(arrays, at + "company").to(unit, n);
  find_state(arrays, at + "reference").to(reference, n);
  find_state(arrays, at + "rest_until_s").to(rest, n);
  find_state(arrays, at + "ever_held").to(held, static_cast<std::int64_t>(ever_held_.size()));
  for (std::int64_t i = 0; i < n; ++i) {
    if (unit[i] != companies_[i].unit)
      throw CheckpointError("state array '" + at + "company' does not list this side's companies");
    if (!std::isfinite(rest[i]))
      throw CheckpointError("state array '" + at + "rest_until_s' holds a non-finite time");
  }
  for (std::int64_t i = 0; i < n; ++i)
    companies_[i].reference = reference[i], companies_[i].rest_until_s = rest[i];
  for (std::size_t k = 0; k < held.size(); ++k) ever_held_[k] = held[k] != 0;
}

}  // namespace salient
