// The step pipeline over Thrust, written once and instantiated for two systems: OpenMP
// (host/backend_cpu.cpp, g++) and CUDA (host/backend_cuda.cu, nvcc). Each phase is a
// for_each over a counting range calling a functor from kernels/; sorts and reductions are
// Thrust algorithms whose results do not depend on thread count or order (stable sort,
// integer sums).
#pragma once

#include <thrust/binary_search.h>
#include <thrust/copy.h>
#include <thrust/count.h>
#include <thrust/fill.h>
#include <thrust/for_each.h>
#include <thrust/iterator/constant_iterator.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/reduce.h>
#include <thrust/sort.h>
#include <thrust/transform_reduce.h>

#include <string>
#include <vector>

#include "../kernels/binning.cuh"
#include "../kernels/fire.cuh"
#include "../kernels/move.cuh"
#include "../kernels/observe.cuh"
#include "../kernels/sense.cuh"
#include "../kernels/settlement.cuh"
#include "../kernels/territory.cuh"
#include "../kernels/units.cuh"
#include "backend.h"

namespace salient::detail {

/// Sum of two tallies (a named functor: Thrust needs one usable on the device).
struct AddTally {
  SALIENT_HD Tally operator()(const Tally& a, const Tally& b) const { return a + b; }
};

/// Backend over a Thrust system. Traits supplies `vector<T>`, `policy()` and `kName`.
template <class Traits>
class ThrustBackend final : public Backend {
  template <class T>
  using vec = typename Traits::template vector<T>;

 public:
  std::string name() const override { return Traits::kName; }

  void upload(const ModelParams& params, const AgentArrays& ag, const UnitArrays& un,
              const RasterArrays& ra, const SettlementLayout& sl) override {
    p_ = params;
    n_ = static_cast<std::int32_t>(ag.size());
    ncells_ = p_.nx * p_.ny;
    nbins_ = p_.bins_x * p_.bins_y;
    put(x_, ag.x), put(y_, ag.y), put(off_x_, ag.offset_x), put(off_y_, ag.offset_y);
    put(home_x_, ag.home_x), put(home_y_, ag.home_y), put(side_, ag.side), put(unit_, ag.unit);
    put(profile_, ag.profile);
    put(profile_, ag.profile);
    put(status_, ag.status), put(posture_, ag.posture), put(health_, ag.health);
    put(morale_, ag.morale), put(suppression_, ag.suppression), put(ammo_, ag.ammo);
    put(moved_, ag.moved);
    nunits_ = static_cast<std::int32_t>(un.size());
    put(u_side_, un.side), put(u_level_, un.level), put(u_order_, un.order);
    put(u_profile_, un.profile);
    put(u_parent_, un.parent), put(u_company_, un.company), put(u_begin_, un.agent_begin);
    put(u_end_, un.agent_end), put(u_strength_, un.strength), put(u_initial_, un.initial);
    put(u_obj_x_, un.objective_x), put(u_obj_y_, un.objective_y);
    put(u_cx_, un.centroid_x), put(u_cy_, un.centroid_y), put(u_spread_, un.spread);
    for (auto* v : {&bin_, &target_, &shot_target_, &key_, &order_, &ukey_, &count_}) v->resize(n_);
    thrust::fill(shot_target_.begin(), shot_target_.end(), -1);
    n_friends_.resize(n_), n_enemies_.resize(n_), shot_outcome_.assign(n_, 0);
    bin_start_.resize(nbins_), bin_end_.resize(nbins_);
    put(terrain_, ra.terrain), put(settlement_, ra.settlement), put(cover_, ra.cover);
    put(control_, ra.control), put(crossing_, ra.crossing);
    nsettlements_ = sl.count();
    put(sett_offsets_, sl.offsets), put(sett_cells_, sl.cells);
    for (auto* v : {&sett_holder_, &sett_previous_, &sett_last_side_})
      v->assign(nsettlements_, kNoControl);
    sett_changed_.assign(nsettlements_, 0);
    sett_captures_.assign(2 * static_cast<std::size_t>(nsettlements_), 0);
    for (int s = 0; s < kSides; ++s) put(presence_[s], ra.presence[s]), reach_[s].resize(ncells_);
    reduce_units();
    territory();  // step 0 shows who holds what at the start
  }

  void download_units(UnitArrays& un) override {
    un.resize(nunits_);
    get(u_side_, un.side), get(u_level_, un.level), get(u_order_, un.order);
    get(u_profile_, un.profile);
    get(u_parent_, un.parent), get(u_company_, un.company), get(u_begin_, un.agent_begin);
    get(u_end_, un.agent_end), get(u_strength_, un.strength), get(u_initial_, un.initial);
    get(u_obj_x_, un.objective_x), get(u_obj_y_, un.objective_y);
    get(u_cx_, un.centroid_x), get(u_cy_, un.centroid_y), get(u_spread_, un.spread);
  }

  void set_orders(const std::vector<std::uint8_t>& order, const std::vector<float>& x,
                  const std::vector<float>& y) override {
    put(u_order_, order), put(u_obj_x_, x), put(u_obj_y_, y);
  }

  std::vector<std::int8_t> control() override {
    std::vector<std::int8_t> c;
    get(control_, c);
    return c;
  }

  std::vector<std::int8_t> settlement_holders() override {
    std::vector<std::int8_t> h;
    get(sett_holder_, h);
    return h;
  }

  std::vector<SettlementChange> settlement_changes() override {
    std::vector<SettlementChange> out;
    if (nsettlements_ == 0 ||
        thrust::count(Traits::policy(), sett_changed_.begin(), sett_changed_.end(), 1) == 0)
      return out;
    std::vector<std::uint8_t> changed;
    std::vector<std::int8_t> holder, previous;
    get(sett_changed_, changed), get(sett_holder_, holder), get(sett_previous_, previous);
    for (std::int32_t k = 0; k < nsettlements_; ++k)
      if (changed[k]) out.push_back(SettlementChange{k, previous[k], holder[k]});
    return out;
  }

  void step(std::uint32_t step) override {
    auto pol = Traits::policy();
    const thrust::counting_iterator<std::int32_t> first(0);
    const AgentView a = agents();
    const RasterView r = raster();

    // 1. Bin: stable sort of ids by bin gives (bin, id) order; then each bin's range.
    thrust::for_each_n(pol, first, n_, AssignBin{p_, a, raw(key_), raw(order_)});
    thrust::stable_sort_by_key(pol, key_.begin(), key_.end(), order_.begin());
    thrust::lower_bound(pol, key_.begin(), key_.end(), first, first + nbins_, bin_start_.begin());
    thrust::upper_bound(pol, key_.begin(), key_.end(), first, first + nbins_, bin_end_.begin());
    const BinView bins{nbins_, raw(order_), raw(bin_start_), raw(bin_end_)};

    // Unit strength, centroid and spread for this step's cohesion and morale.
    reduce_units();
    const UnitView u = units();

    // 2-5. Sense, fire, resolve, decide and move.
    thrust::for_each_n(pol, first, n_, Sense{p_, a, bins, r, step});
    thrust::for_each_n(pol, first, n_, Fire{p_, a, u, r, step});
    thrust::for_each_n(pol, first, n_, Resolve{p_, a, u, bins});
    thrust::for_each_n(pol, first, n_, DecideAndMove{p_, a, u, r, step});

    // 6. Territory.
    territory();
  }

  Tally tally() override {
    auto pol = Traits::policy();
    const thrust::counting_iterator<std::int32_t> first(0);
    const Tally t_agents = thrust::transform_reduce(pol, first, first + n_, TallyAgent{agents()},
                                                    zero_tally(), AddTally{});
    const Tally t_cells = thrust::transform_reduce(pol, first, first + ncells_, TallyCell{raster()},
                                                   zero_tally(), AddTally{});
    const Tally t_settlements =
        thrust::transform_reduce(pol, first, first + nsettlements_, TallySettlement{settlements()},
                                 zero_tally(), AddTally{});
    return t_agents + t_cells + t_settlements;
  }

  void download(AgentArrays& ag, RasterArrays& ra) override {
    ag.resize(n_);
    get(x_, ag.x), get(y_, ag.y), get(off_x_, ag.offset_x), get(off_y_, ag.offset_y);
    get(home_x_, ag.home_x), get(home_y_, ag.home_y), get(side_, ag.side), get(unit_, ag.unit);
    get(profile_, ag.profile);
    get(profile_, ag.profile);
    get(status_, ag.status), get(posture_, ag.posture), get(health_, ag.health);
    get(morale_, ag.morale), get(suppression_, ag.suppression), get(ammo_, ag.ammo);
    get(moved_, ag.moved);
    ra.resize(p_.nx, p_.ny);
    get(terrain_, ra.terrain), get(settlement_, ra.settlement), get(cover_, ra.cover);
    get(control_, ra.control);
    for (int s = 0; s < kSides; ++s) get(presence_[s], ra.presence[s]);
  }

 private:
  void activate(std::int32_t begin, std::int32_t end) override {
    thrust::for_each(Traits::policy(), thrust::counting_iterator<std::int32_t>(begin),
                     thrust::counting_iterator<std::int32_t>(end), ActivateReserve{agents()});
  }

  /// Unit reductions over each unit's own agents.
  void reduce_units() {
    thrust::for_each_n(Traits::policy(), thrust::counting_iterator<std::int32_t>(0), nunits_,
                       UnitReduce{agents(), units()});
  }

  /// Phase 6: presence by sort and segmented count, then control by dilation.
  void territory() {
    auto pol = Traits::policy();
    const thrust::counting_iterator<std::int32_t> first(0);
    const RasterView r = raster();
    thrust::for_each_n(pol, first, n_, PresenceKey{p_, agents(), raw(key_)});
    thrust::sort(pol, key_.begin(), key_.end());
    const auto ends = thrust::reduce_by_key(pol, key_.begin(), key_.end(),
                                            thrust::constant_iterator<std::int32_t>(1),
                                            ukey_.begin(), count_.begin());
    const auto unique = static_cast<std::int32_t>(ends.first - ukey_.begin());
    for (int s = 0; s < kSides; ++s) thrust::fill(pol, presence_[s].begin(), presence_[s].end(), 0);
    thrust::for_each_n(pol, first, unique, ScatterPresence{ncells_, r, raw(ukey_), raw(count_)});
    thrust::for_each_n(pol, first, ncells_, ControlRowPass{p_, r});
    thrust::for_each_n(pol, first, ncells_, ControlUpdate{p_, r});
    thrust::for_each_n(pol, first, nsettlements_, SettlementControl{settlements(), raw(control_)});
  }

  template <class T>
  static T* raw(vec<T>& v) {
    return thrust::raw_pointer_cast(v.data());
  }
  template <class T>
  static void put(vec<T>& d, const std::vector<T>& h) {
    d.assign(h.begin(), h.end());
  }
  template <class T>
  static void get(vec<T>& d, std::vector<T>& h) {
    h.resize(d.size());
    thrust::copy(d.begin(), d.end(), h.begin());
  }

  AgentView agents() {
    return AgentView{n_,
                     raw(x_),
                     raw(y_),
                     raw(off_x_),
                     raw(off_y_),
                     raw(home_x_),
                     raw(home_y_),
                     raw(side_),
                     raw(profile_),
                     raw(unit_),
                     raw(status_),
                     raw(posture_),
                     raw(health_),
                     raw(morale_),
                     raw(suppression_),
                     raw(ammo_),
                     raw(moved_),
                     raw(bin_),
                     raw(target_),
                     raw(n_friends_),
                     raw(n_enemies_),
                     raw(shot_target_),
                     raw(shot_outcome_)};
  }
  UnitView units() {
    return UnitView{nunits_,         raw(u_side_),    raw(u_profile_), raw(u_level_),
                    raw(u_parent_),  raw(u_company_), raw(u_order_),   raw(u_obj_x_),
                    raw(u_obj_y_),   raw(u_begin_),   raw(u_end_),     raw(u_strength_),
                    raw(u_initial_), raw(u_cx_),      raw(u_cy_),      raw(u_spread_)};
  }
  SettlementView settlements() {
    return SettlementView{nsettlements_,      raw(sett_offsets_),  raw(sett_cells_),
                          raw(sett_holder_),  raw(sett_previous_), raw(sett_last_side_),
                          raw(sett_changed_), raw(sett_captures_)};
  }
  RasterView raster() {
    return RasterView{raw(terrain_),
                      raw(cover_),
                      raw(control_),
                      {raw(presence_[0]), raw(presence_[1])},
                      {raw(reach_[0]), raw(reach_[1])},
                      raw(crossing_)};
  }

  ModelParams p_{};
  std::int32_t n_ = 0, ncells_ = 0, nbins_ = 0, nsettlements_ = 0, nunits_ = 0;
  vec<float> x_, y_, off_x_, off_y_, home_x_, home_y_, health_, morale_, suppression_;
  vec<std::uint8_t> side_, status_, posture_, shot_outcome_, moved_;
  vec<std::int16_t> ammo_;
  vec<std::uint8_t> u_side_, u_profile_, u_level_, u_order_;
  vec<std::uint8_t> profile_;
  vec<std::int32_t> u_parent_, u_company_, u_begin_, u_end_, u_strength_, u_initial_;
  vec<float> u_obj_x_, u_obj_y_, u_cx_, u_cy_, u_spread_;
  vec<std::int32_t> unit_, bin_, target_, shot_target_, key_, order_, ukey_, count_;
  vec<std::int32_t> bin_start_, bin_end_;
  vec<std::uint16_t> n_friends_, n_enemies_;
  vec<std::uint8_t> terrain_;
  vec<float> cover_;
  vec<std::int8_t> control_;
  vec<std::int32_t> crossing_;
  vec<std::int32_t> settlement_, sett_offsets_, sett_cells_, sett_captures_;
  vec<std::int8_t> sett_holder_, sett_previous_, sett_last_side_;
  vec<std::uint8_t> sett_changed_;
  vec<std::uint16_t> presence_[kSides];
  vec<std::uint8_t> reach_[kSides];
};

}  // namespace salient::detail
