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
#include <thrust/gather.h>
#include <thrust/iterator/constant_iterator.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/reduce.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform_reduce.h>

#include <algorithm>
#include <climits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../kernels/arena.cuh"
#include "../kernels/binning.cuh"
#include "../kernels/fire.cuh"
#include "../kernels/move.cuh"
#include "../kernels/observe.cuh"
#include "../kernels/sense.cuh"
#include "../kernels/settlement.cuh"
#include "../kernels/strike.cuh"
#include "../kernels/targeting.cuh"
#include "../kernels/territory.cuh"
#include "../kernels/units.cuh"
#include "backend.h"
#include "choose_passes.h"
#include "step_graph.h"

namespace salient::detail {

/// The GPU's way of running the pipeline, for the traits `Traits` of any Thrust system (its
/// policy()). Where the two systems' pipelines differ: the fire-support targets' segmented
/// reduction as passes of chunks and folds (choose_by_passes) and the control dilation cell
/// by cell, one thread each (ControlRowPass, ControlUpdate). Its primitives: one Thrust
/// for_each per phase, Thrust's sorts. CudaTraits takes all of it, and so does the test build that
/// runs it on the CPU (tests/host/test_device_algorithms.cpp).
template <class Traits>
struct DeviceAlgorithms {
  static constexpr bool kChooseOnDevice = true;
  static constexpr bool kControlByRow = false;
  /// No step graphs unless the system has them (CudaTraits): see ThrustBackend::run_graph.
  static constexpr bool kStepGraphs = false;
  using StepGraph = NoStepGraph;
  /// f(i) for i in [0, n): one device thread per i.
  template <class F>
  static void for_each(std::int32_t n, const F& f) {
    if (n > 0)
      thrust::for_each_n(Traits::policy(), thrust::counting_iterator<std::int32_t>(0), n, f);
  }
  /// The same (the hardware schedules the blocks).
  template <class F>
  static void for_each_dynamic(std::int32_t n, const F& f) {
    for_each(n, f);
  }
  /// Stable sort of value[0, n) by key[0, n) (keys in [0, max_key]; on CUDA, CUB's radix
  /// sort).
  static void stable_sort_by_key(std::int32_t* key, std::int32_t* value, std::int32_t n,
                                 std::int32_t /*max_key*/) {
    thrust::stable_sort_by_key(Traits::policy(), key, key + n, value);
  }
  /// Sort of key[0, n), keys in [0, max_key].
  static void sort_keys(std::int32_t* key, std::int32_t n, std::int32_t /*max_key*/) {
    thrust::sort(Traits::policy(), key, key + n);
  }
};

/// Sum of two tallies (a named functor: Thrust needs one usable on the device).
struct AddTally {
  SALIENT_HD Tally operator()(const Tally& a, const Tally& b) const { return a + b; }
};

/// Steps between reorderings of the agents' storage into bin order (ThrustBackend): agents
/// move a few metres a step, so the order decays slowly, and each reordering moves every
/// agent array once.
inline constexpr std::uint32_t kReorderEvery = 8;

/// Steps of settlement holders the device logs before the host must read them (ThrustBackend::
/// settlement_changes): on CUDA one wait every this many steps instead of one every step.
inline constexpr std::int32_t kSettlementLogSteps = 64;

/// Backend over a Thrust system. Traits supplies `vector<T>`, `policy()` and `kName`.
template <class Traits>
class ThrustBackend final : public Backend {
  template <class T>
  using vec = typename Traits::template vector<T>;

 public:
  std::string name() const override { return Traits::kName; }

  /// Reorders the agents' storage into bin order every `steps` steps (0: never; by default
  /// kReorderEvery). Where agents are stored changes no result (tests/host/test_storage.cpp).
  void set_reorder_every(std::uint32_t steps) { reorder_every_ = steps; }

  /// The agent id held in each storage slot (the identity until the first reordering).
  std::vector<std::int32_t> storage_ids() {
    std::vector<std::int32_t> ids;
    get(id_, ids);
    return ids;
  }

  void upload(const ModelParams& params, AgentArrays&& ag, const UnitArrays& un, RasterArrays&& ra,
              const SettlementLayout& sl) override {
    settle_strikes();  // nothing may still be coming down into the host's copies
    p_ = params;
    n_ = static_cast<std::int32_t>(ag.size());
    ncells_ = p_.nx * p_.ny;
    nbins_ = p_.bins_x * p_.bins_y;
    // Every copy of the initial state first, each host array freed once it is on the device,
    // and only then the step's own arrays: on the CPU backend, whose device is host memory,
    // the peak is then the backend's arrays and one host array (host/memory.h).
    take(terrain_, ra.terrain), take(settlement_, ra.settlement), take(cover_, ra.cover);
    take(control_, ra.control), take(crossing_, ra.crossing);
    for (int s = 0; s < kSides; ++s) take(presence_[s], ra.presence[s]);
    ra = RasterArrays{};  // damage and pictures start empty on the device
    agent_fields(ag, [](auto& d, auto& h) { take(d, h); });
    nunits_ = static_cast<std::int32_t>(un.size());
    unit_fields(un, [](auto& d, const auto& h) { put(d, h); });
    for (auto* v : {&bin_, &target_, &shot_target_, &key_, &order_, &sight_key_, &sight_order_})
      v->resize(n_);
    thrust::fill(shot_target_.begin(), shot_target_.end(), -1);
    n_friends_.resize(n_), n_enemies_.resize(n_), shot_outcome_.assign(n_, 0);
    binned_x_.resize(n_), binned_y_.resize(n_), binned_conceal_.resize(n_), binned_look_.resize(n_);
    binned_id_.resize(n_), ammo_scratch_.resize(n_);
    store_in_id_order();
    sight_target_.resize(n_), sight_outcome_.resize(n_), sight_x_.resize(n_), sight_y_.resize(n_);
    spotted_.assign(n_, 0), struck_by_.assign(n_, -1);
    bin_start_.resize(nbins_), bin_end_.resize(nbins_);
    cell_start_.resize(
        2 * static_cast<std::size_t>(nbins_) * p_.sense_cells_per_bin * p_.sense_cells_per_bin + 1);
    sight_start_.resize(2 * static_cast<std::size_t>(nbins_) + 1);
    sq_key_.resize(nunits_), sq_order_.resize(nunits_);
    u_sum_x_.resize(nunits_), u_sum_y_.resize(nunits_);
    sq_start_.resize(2 * static_cast<std::size_t>(nbins_)),
        sq_end_.resize(2 * static_cast<std::size_t>(nbins_));
    nsettlements_ = sl.count();
    put(sett_offsets_, sl.offsets), put(sett_cells_, sl.cells);
    for (auto* v : {&sett_holder_, &sett_last_side_}) v->assign(nsettlements_, kNoControl);
    sett_log_.resize(static_cast<std::size_t>(kSettlementLogSteps) * nsettlements_);
    sett_log_rows_ = 0;
    sett_drained_.assign(nsettlements_, kNoControl);
    sett_pending_.clear();
    sett_captures_.assign(2 * static_cast<std::size_t>(nsettlements_), 0);
    for (int s = 0; s < kSides; ++s) {
      reach_[s].resize(ncells_);
      seen_step_[s].assign(ncells_, -1), seen_error_[s].assign(ncells_, 0.0f);
    }
    row_reached_.assign(static_cast<std::size_t>(kSides) * p_.ny, 0);
    damage_.assign(ncells_, 0);
    drones_ =
        p_.picture[0].drone_cover_per_step > 0.0f || p_.picture[1].drone_cover_per_step > 0.0f;
    clock_.assign(2, 0);
    step_ = 0;
    reset_graphs();
    reduce_units();
    // Step 0 shows who holds what at the start (row 0 of the emptied log).
    Traits::for_each(n_, PresenceKey{p_, agents(), raw(key_)});
    territory(0u, false, 0u);
    logged_settlement_row(0);
  }

  void set_fire_support(const std::vector<AssetParams>& assets, const FireBudget& budget) override {
    assets_host_ = assets;
    put(assets_, assets);
    budget_ = budget;
    // Sized once for the largest step, so that a step's copies (staging_) never reallocate.
    impacts_.resize(static_cast<std::size_t>(budget_.max_impacts_per_step()));
    ready_.resize(assets.size()), choices_.resize(assets.size());
    std::int64_t first = 0, second = 0;  // on both backends: one memory estimate
    choose_scratch(static_cast<std::int64_t>(assets.size()), ncells_, first, second);
    choose_partial_[0].resize(static_cast<std::size_t>(first));
    choose_partial_[1].resize(static_cast<std::size_t>(second));
  }

  std::vector<Impact> strikes() override {
    settle_strikes();
    return impacts_host_;
  }

  void download_units(UnitArrays& un) override {
    un.resize(nunits_);
    unit_fields(un, [](auto& d, auto& h) { get(d, h); });
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
    drain_settlement_log();
    return std::exchange(sett_pending_, {});
  }

  void step(std::uint32_t step) override {
    if (p_.arena_law != kNoArena) {
      arena_step(step);
      return;
    }
    timer_.begin();
    // The agents' storage into bin order: at the first step (after the bin sort of where
    // they start) and every reorder_every_ steps (by the last step's sort).
    if (reorder_every_ > 0 && (!order_valid_ || ++steps_since_reorder_ >= reorder_every_)) {
      if (!order_valid_) sort_into_bins();
      reorder_agents();
    }
    make_room_in_settlement_log();
    // With step graphs the phases read the step and the log's row from the step clock, which
    // is written before the replays; otherwise they take them by value.
    const bool graphs = graphs_now(step);
    const auto row = static_cast<std::uint32_t>(sett_log_rows_);
    if (graphs) Traits::for_each(1, SetStepClock{raw(clock_), step, row});
    const ClockValue at = graphs ? ClockValue(raw(clock_)) : ClockValue(step);
    const ClockValue log_row = graphs ? ClockValue(raw(clock_) + 1) : ClockValue(row);

    // 1. Bin and the unit reductions (one graph).
    run_graph(bin_graph_, graphs, [&] { bin_and_units(); });
    // 5a. Fire support's choices, from the host's budgets (never in a graph): sense, fire and
    // resolve change nothing they read, so on a GPU they come down while those run.
    const bool striking = choose_strikes(step, units());
    const std::uint64_t chosen_from = check_choice_inputs_ ? choice_inputs_digest() : 0;
    timer_.mark(5);
    // 2-4. Sense, fire, resolve (one graph).
    run_graph(sense_graph_, graphs, [&] { sense_fire_resolve(at); });
    if (check_choice_inputs_ && choice_inputs_digest() != chosen_from)
      throw std::logic_error("step " + std::to_string(step) +
                             ": sense, fire or resolve changed what fire support's choice read");
    // 5b. The strikes' effects, after resolve.
    if (striking) strike_effects(step, agents(), raster(), bin_view());
    timer_.mark(5);
    // 6. Decide and move, territory and each side's sightings of the enemy (one graph).
    const bool drones_now = drones_ && step > 0;
    run_graph(move_graph_, graphs, [&] { move_and_territory(at, drones_now, log_row); });
    logged_settlement_row(step);
    timer_.end();
    step_ = step;
  }

  /// Captures each step's three fixed launch sequences once and replays them (CUDA graphs)
  /// where the system has them (Traits::kStepGraphs); elsewhere nothing changes. Off by
  /// default; time_phases turns them off while it times.
  bool set_step_graphs(bool on) override {
    step_graphs_ = on && Traits::kStepGraphs;
    reset_graphs();
    return Traits::kStepGraphs;
  }

  std::string step_graphs() const override {
    if (!Traits::kStepGraphs) return "not available";
    if (!graph_error_.empty()) return "off after a failed capture: " + graph_error_;
    if (!step_graphs_) return "off";
    if (timer_.enabled()) return "off while the phases are timed";
    return "on (" + std::to_string(graph_captures_) + " captures, " +
           std::to_string(graph_replays_) + " replays)";
  }

  /// Checks every step that sense, fire and resolve leave unchanged what fire support's
  /// choice of targets read before them (choose_strikes: the pictures, the units, the
  /// settlement raster, the assets), by a digest of those arrays after the choice and again
  /// after resolve; a std::logic_error names the step where they differ. For tests: it
  /// downloads those arrays twice a step.
  void set_check_choice_inputs(bool on) { check_choice_inputs_ = on; }

  /// Step graphs captured so far (each capture is of one of the three sequences).
  std::int64_t graph_captures() const { return graph_captures_; }
  /// Step graphs replayed so far.
  std::int64_t graph_replays() const { return graph_replays_; }

  std::vector<StateArray> save_state() override {
    settle_strikes();
    std::vector<StateArray> out;
    // Agent arrays by id, other agents named by id: the same checkpoint however the agents
    // are stored.
    std::vector<std::int32_t> ids;
    get(id_, ids);
    agent_state_arrays([&](const char* name, auto& d, bool holds_slots) {
      auto h = by_id(d);
      if constexpr (std::is_same_v<typename decltype(h)::value_type, std::int32_t>)
        if (holds_slots)
          for (auto& v : h) v = v >= 0 ? ids[static_cast<std::size_t>(v)] : v;
      out.push_back(StateArray::of(name, h));
    });
    other_state_arrays([&out](const char* name, auto& d) {
      using T = typename std::decay_t<decltype(d)>::value_type;
      std::vector<T> h;
      get(d, h);
      out.push_back(StateArray::of(name, h));
    });
    out.push_back(StateArray::of("step", std::vector<std::uint32_t>{step_}));
    out.push_back(StateArray::of("strikes_step",
                                 std::vector<std::int64_t>(strikes_step_, strikes_step_ + kSides)));
    out.push_back(StateArray::of(
        "strikes_total", std::vector<std::int64_t>(strikes_total_, strikes_total_ + kSides)));
    out.push_back(
        StateArray::of("strike_casualties",
                       std::vector<std::int64_t>(strike_casualties_, strike_casualties_ + kSides)));
    out.push_back(StateArray::of("budget_fired", budget_.fired_all()));
    return out;
  }

  void load_state(const std::vector<StateArray>& arrays) override {
    settle_strikes();  // the last step's, before its totals are replaced
    // Check every array first, so that a bad checkpoint changes nothing.
    state_arrays([&arrays](const char* name, auto& d) {
      using T = typename std::decay_t<decltype(d)>::value_type;
      const StateArray& a = find_state(arrays, name);
      if (a.type != element_type_of<T>() || a.count != d.size() ||
          a.bytes.size() != a.count * sizeof(T))
        throw CheckpointError("state array '" + std::string(name) + "' has " +
                              std::to_string(a.count) + " elements of another shape or type, " +
                              "expected " + std::to_string(d.size()));
    });
    std::vector<std::uint32_t> step;
    std::vector<std::int64_t> strikes_step, strikes_total, casualties, fired;
    find_state(arrays, "step").to(step, 1);
    find_state(arrays, "strikes_step").to(strikes_step, kSides);
    find_state(arrays, "strikes_total").to(strikes_total, kSides);
    find_state(arrays, "strike_casualties").to(casualties, kSides);
    find_state(arrays, "budget_fired").to(fired, static_cast<std::int64_t>(budget_.size()));
    state_arrays([&arrays](const char* name, auto& d) {
      using T = typename std::decay_t<decltype(d)>::value_type;
      std::vector<T> h;
      find_state(arrays, name).to(h);
      put(d, h);
    });
    step_ = step[0];
    for (int s = 0; s < kSides; ++s) {
      strikes_step_[s] = strikes_step[s];
      strikes_total_[s] = strikes_total[s];
      strike_casualties_[s] = casualties[s];
    }
    budget_.set_fired(fired);
    impacts_host_.clear();
    store_in_id_order();
    sett_log_rows_ = 0;  // changes from here on are against the loaded holders
    get(sett_holder_, sett_drained_);
    sett_pending_.clear();
    reset_graphs();
  }

  void time_phases(bool on) override { timer_.enable(on); }
  std::vector<double> phase_seconds() const override { return timer_.seconds(); }
  void synchronize() override { Traits::synchronize(); }
  std::int64_t device_free_bytes() const override { return Traits::free_bytes(); }

  std::size_t state_bytes() const override {
    std::size_t bytes = 0;
    const auto add = [&bytes](const auto& v) {
      bytes += v.capacity() * sizeof(typename std::decay_t<decltype(v)>::value_type);
    };
    all_arrays(add);
    return bytes;
  }

  Tally tally() override {
    settle_strikes();
    auto pol = Traits::policy();
    const thrust::counting_iterator<std::int32_t> first(0);
    const Tally t_agents = thrust::transform_reduce(pol, first, first + n_, TallyAgent{agents()},
                                                    zero_tally(), AddTally{});
    const Tally t_cells = thrust::transform_reduce(pol, first, first + ncells_, TallyCell{raster()},
                                                   zero_tally(), AddTally{});
    const Tally t_settlements =
        thrust::transform_reduce(pol, first, first + nsettlements_, TallySettlement{settlements()},
                                 zero_tally(), AddTally{});
    Tally t = t_agents + t_cells + t_settlements;
    for (int s = 0; s < kSides; ++s) {
      t.strikes[s] = strikes_step_[s];
      t.strikes_total[s] = strikes_total_[s];
      t.strike_casualties[s] = strike_casualties_[s];
    }
    return t;
  }

  void download(AgentArrays& ag, RasterArrays& ra) override {
    ag.resize(n_);
    agent_fields(ag, [this](auto& d, auto& h) { h = by_id(d); });
    ra.resize(p_.nx, p_.ny);
    get(terrain_, ra.terrain), get(settlement_, ra.settlement), get(cover_, ra.cover);
    get(control_, ra.control);
    get(damage_, ra.damage);
    std::vector<std::int32_t> seen;
    for (int s = 0; s < kSides; ++s) {
      get(presence_[s], ra.presence[s]);
      get(seen_step_[s], seen);
      ra.picture[s].resize(seen.size());
      for (std::size_t c = 0; c < seen.size(); ++c)
        ra.picture[s][c] =
            sighting_confidence(seen[c], step_, p_.dt_s, p_.picture[s].sighting_tau_s);
    }
  }

 private:
  void activate(std::int32_t begin, std::int32_t end) override {
    thrust::for_each(Traits::policy(), thrust::counting_iterator<std::int32_t>(begin),
                     thrust::counting_iterator<std::int32_t>(end), ActivateReserve{agents()});
  }

  /// Bin of every agent and the stable sort of the slots by (bin, side, sense cell, slot) into
  /// order_ (key_ the sorted keys).
  void sort_into_bins() {
    Traits::for_each(n_, AssignBin{p_, agents(), raw(key_), raw(order_)});
    const std::int32_t cells = p_.sense_cells_per_bin * p_.sense_cells_per_bin;
    Traits::stable_sort_by_key(raw(key_), raw(order_), n_, 2 * nbins_ * cells);
    order_valid_ = true;
  }

  /// Agents stored by id (slot = id): at upload and after loading a checkpoint.
  void store_in_id_order() {
    id_.resize(n_), slot_.resize(n_);
    thrust::sequence(Traits::policy(), id_.begin(), id_.end());
    thrust::sequence(Traits::policy(), slot_.begin(), slot_.end());
    order_valid_ = false;
    steps_since_reorder_ = 0;
  }

  /// Stores the agents in the order of the last bin sort (order_: by bin, side, sense cell,
  /// the inactive last), so that agents near each other share cache lines: the phases that
  /// visit agents in bin order, or read a neighbour or a target, then read memory nearly in
  /// sequence. Moves every agent array that carries state into the next step; the step's own
  /// (bin, target, friends and enemies, shot, struck_by) are rewritten before they are read.
  /// The scratch arrays lent for the move are rewritten before they are read too.
  void reorder_agents() {
    auto pol = Traits::policy();
    const auto permute = [&](auto& v, auto& scratch) {
      thrust::gather(pol, order_.begin(), order_.end(), v.begin(), scratch.begin());
      if constexpr (Traits::kStepGraphs)  // the arrays stay where the graphs read them
        thrust::copy(pol, scratch.begin(), scratch.begin() + n_, v.begin());
      else
        v.swap(scratch);
    };
    for (auto* v :
         {&x_, &y_, &off_x_, &off_y_, &home_x_, &home_y_, &health_, &morale_, &suppression_})
      permute(*v, binned_x_);
    for (auto* v : {&side_, &profile_, &status_, &posture_, &moved_, &spotted_})
      permute(*v, binned_look_);
    for (auto* v : {&unit_, &id_}) permute(*v, sight_key_);
    permute(ammo_, ammo_scratch_);
    Traits::for_each(n_, InvertIds{raw(id_), raw(slot_)});
    steps_since_reorder_ = 0;
  }

  /// Device array `d` of an agent field in id order, on the host.
  template <class T>
  std::vector<T> by_id(vec<T>& d) {
    vec<T> in_id_order(d.size());
    thrust::gather(Traits::policy(), slot_.begin(), slot_.end(), d.begin(), in_id_order.begin());
    std::vector<T> h;
    get(in_id_order, h);
    return h;
  }

  /// The unit reductions: squads from their agents, then the larger units from their squads.
  void reduce_units() {
    for (const bool squad_pass : {true, false})
      Traits::for_each_dynamic(
          nunits_, UnitReduce{agents(), units(), raw(u_sum_x_), raw(u_sum_y_), squad_pass});
  }

  /// The validation arena's step: alive soldiers per side (an integer reduction), then each
  /// soldier's attrition draw with its side's kill probability.
  void arena_step(std::uint32_t step) {
    auto pol = Traits::policy();
    const thrust::counting_iterator<std::int32_t> first(0);
    const Tally t = thrust::transform_reduce(pol, first, first + n_, TallyAgent{agents()},
                                             zero_tally(), AddTally{});
    ArenaAttrition f{p_, agents(), {0.0f, 0.0f}, step};
    for (int s = 0; s < kSides; ++s)
      f.kill_probability[s] = arena_kill_probability(p_.arena_law, p_.arena_rate[1 - s], p_.dt_s,
                                                     t.strength[s], t.strength[1 - s]);
    Traits::for_each(n_, f);
    step_ = step;
  }

  /// Fire support, first half (after the unit reductions, before sense): the assets with
  /// budget this step pick their targets from their side's pictures (one max-reduction by
  /// asset over all cells), from what sense, fire and resolve do not change: the pictures,
  /// the units and the budgets. On a GPU the choices start coming down (choose_targets) while
  /// sense, fire and resolve run. Returns whether any asset chose (strike_effects then).
  bool choose_strikes(std::uint32_t step, const UnitView& u) {
    settle_strikes();
    impacts_host_.clear();
    for (int s = 0; s < kSides; ++s) strikes_step_[s] = 0;
    ready_host_.clear(), ready_amount_.clear();
    bool need_squads = false;
    for (std::size_t k = 0; k < assets_host_.size(); ++k) {
      const std::int64_t n = budget_.ready(k, step);
      if (n <= 0) continue;
      ready_host_.push_back(static_cast<std::int32_t>(k)), ready_amount_.push_back(n);
      const AssetParams& as = assets_host_[k];
      need_squads = need_squads || as.policy == kFrontLine || as.safe_distance_m > 0.0f;
    }
    if (ready_host_.empty()) return false;
    const SquadBins squads = need_squads ? bin_squads(u) : SquadBins{};
    choose_targets(step, u, squads);
    return true;
  }

  /// Fire support, second half (after resolve): the choices (the step's one wait for fire
  /// support on a GPU) spend the budgets; then the impacts' points, their effects on agents
  /// and urban cells, and each impact's tally, which start coming down (settle_strikes
  /// collects them). Impacts are listed in key order (asset, then round).
  void strike_effects(std::uint32_t step, const AgentView& a, const RasterView& r,
                      const BinView& bins) {
    const std::vector<TargetChoice> choices = chosen_targets();
    for (std::size_t j = 0; j < ready_host_.size(); ++j) {
      const TargetChoice& c = choices[j];
      if (c.seen < 0) continue;
      const auto k = static_cast<std::size_t>(ready_host_[j]);
      budget_.spend(k, ready_amount_[j]);
      const std::int64_t rounds = budget_.impacts(k, ready_amount_[j]);
      for (std::int64_t i = 0; i < rounds; ++i)
        impacts_host_.push_back(Impact{static_cast<std::int32_t>(k), c.cell, c.sighting_error, 0, 0,
                                       0, 0, 0, 0, 0, 0, 0});
      const int side = assets_host_[k].side;
      strikes_step_[side] += rounds;
      strikes_total_[side] += rounds;
    }
    if (impacts_host_.empty()) return;
    if (impacts_host_.size() > impacts_.size())
      throw std::logic_error("fire support: more impacts than FireBudget::max_impacts_per_step");
    const auto count = static_cast<std::int32_t>(impacts_host_.size());
    staging_.upload(raw(impacts_), impacts_host_.data(), impacts_host_.size() * sizeof(Impact));
    const AssetParams* assets = raw(assets_);
    Traits::for_each(count, ImpactPoints{p_, assets, raw(impacts_), step});
    Traits::for_each(n_, StrikeEffect{p_, a, r, assets, raw(impacts_), count, step});
    Traits::for_each(
        static_cast<std::int32_t>(sett_cells_.size()),
        StrikeDamage{p_, r, raw(damage_), raw(sett_cells_), assets, raw(impacts_), count});
    Traits::for_each(count, ImpactTally{p_, a, r, bins, assets, raw(impacts_)});
    staging_.start_download(raw(impacts_), impacts_host_.size() * sizeof(Impact));
    impacts_pending_ = impacts_host_.size();
  }

  /// Collects the last step's impacts, with their effects, if they are still coming down
  /// (strike_effects), and adds their casualties to the totals: before anything reads them
  /// (strikes, tally, save_state) and before the next step's fire support. On a GPU a wait,
  /// made after the step's last launch sequence has been launched.
  void settle_strikes() {
    if (impacts_pending_ == 0) return;
    impacts_host_.resize(impacts_pending_);
    impacts_pending_ = 0;
    Traits::host_wait();
    staging_.finish_download(impacts_host_.data(), impacts_host_.size() * sizeof(Impact));
    for (const Impact& m : impacts_host_) {
      const int side = assets_host_[static_cast<std::size_t>(m.asset)].side;
      strike_casualties_[side] += m.friendly;
      strike_casualties_[1 - side] += m.killed + m.wounded - m.friendly;
    }
  }

  /// FNV-1a digest of the arrays the choice of targets reads (set_check_choice_inputs). The
  /// squads' bins are left out: the choice builds them from the units each step.
  std::uint64_t choice_inputs_digest() {
    std::uint64_t h = kHashBasis;
    const auto add = [&h](auto& d) {
      std::vector<typename std::decay_t<decltype(d)>::value_type> v;
      get(d, v);
      h = mix_bytes(h, v.data(), v.size() * sizeof(v[0]));
    };
    add(settlement_), add(assets_);
    for (int s = 0; s < kSides; ++s) add(seen_step_[s]), add(seen_error_[s]);
    UnitArrays none;
    unit_fields(none, [&add](auto& d, auto&) { add(d); });
    return h;
  }

  /// Each ready asset's choice (ready_host_): element i of segment j scores cell i for asset
  /// ready_host_[j] (ReadyTargetCandidate), and a max-reduction by segment picks the best. On
  /// the CPU one parallel pass over the cells scoring every asset (Traits::best_per_segment;
  /// Thrust's OpenMP reduce_by_key was 7x slower here: it evaluates the scores more than
  /// once), kept for chosen_targets. On a GPU choose_by_passes, and the choices start coming
  /// down; the ready list goes up without a wait (Traits::Staging).
  void choose_targets(std::uint32_t step, const UnitView& u, const SquadBins& squads) {
    const auto nready = static_cast<std::int32_t>(ready_host_.size());
    staging_.upload(raw(ready_), ready_host_.data(), ready_host_.size() * sizeof(std::int32_t));
    const ReadyTargetCandidate score{p_,          raw(settlement_), picture(), u,     raw(assets_),
                                     raw(ready_), ncells_,          step,      squads};
    if constexpr (!Traits::kChooseOnDevice) {  // CPU: every asset in one pass over the cells
      choices_host_ = Traits::best_per_segment(nready, ncells_, score, no_target(), BetterTarget{});
    } else {
      TargetChoice* const scratch[2] = {raw(choose_partial_[0]), raw(choose_partial_[1])};
      choose_by_passes([](std::int32_t n, const auto& f) { Traits::for_each(n, f); }, score, nready,
                       scratch, raw(choices_));
      staging_.start_download(raw(choices_), ready_host_.size() * sizeof(TargetChoice));
    }
  }

  /// The choices of choose_targets, in ready_host_'s order (on a GPU: a wait, at once if sense,
  /// fire and resolve took longer than the host's launches).
  std::vector<TargetChoice> chosen_targets() {
    if constexpr (!Traits::kChooseOnDevice) {
      return std::exchange(choices_host_, {});
    } else {
      std::vector<TargetChoice> out(ready_host_.size());
      Traits::host_wait();
      staging_.finish_download(out.data(), out.size() * sizeof(TargetChoice));
      return out;
    }
  }

  /// This step's sightings (who detected whom) grouped by the bin of the target, from the
  /// keys SightingKey wrote (with Fire): a stable sort of agent ids by that bin, each bin's
  /// range, and the copies Resolve reads (GatherSightings).
  SightingView sort_sightings() {
    const AgentView a = agents();
    const std::int32_t block = p_.impact_cells_per_bin * p_.impact_cells_per_bin;
    Traits::stable_sort_by_key(raw(sight_key_), raw(sight_order_), n_, 2 * nbins_ * block);
    Traits::for_each(2 * nbins_ + 1, BlockStarts{raw(sight_key_), n_, block, raw(sight_start_)});
    Traits::for_each(n_, GatherSightings{a, raw(sight_order_), raw(sight_target_),
                                         raw(sight_outcome_), raw(sight_x_), raw(sight_y_)});
    return SightingView{raw(sight_key_),     raw(sight_start_), raw(sight_target_),
                        raw(sight_outcome_), raw(sight_x_),     raw(sight_y_)};
  }

  /// Own squads by side and bin (kernels/targeting.cuh, SquadBins), for the targeting
  /// policies' distance to own troops: a sort of unit ids by key and each key's range.
  SquadBins bin_squads(const UnitView& u) {
    auto pol = Traits::policy();
    const thrust::counting_iterator<std::int32_t> first(0);
    Traits::for_each(nunits_, SquadBinKey{p_, u, raw(sq_key_), raw(sq_order_)});
    thrust::stable_sort_by_key(pol, sq_key_.begin(), sq_key_.end(), sq_order_.begin());
    const std::int32_t keys = 2 * nbins_;
    thrust::lower_bound(pol, sq_key_.begin(), sq_key_.end(), first, first + keys,
                        sq_start_.begin());
    thrust::upper_bound(pol, sq_key_.begin(), sq_key_.end(), first, first + keys, sq_end_.begin());
    return SquadBins{nbins_, raw(sq_order_), raw(sq_start_), raw(sq_end_)};
  }

  /// Phase 6: presence by sort and one pass over the sorted keys (recording sightings and
  /// drone sightings in the pictures, drones only if `drones_now`), then control by dilation,
  /// settlement holders and their row `log_row` of the log. Nothing comes back to the host.
  /// The presence keys (PresenceKey) must be in key_.
  void territory(ClockValue step, bool drones_now, ClockValue log_row) {
    const RasterView r = raster();
    Traits::sort_keys(raw(key_), n_, 4 * ncells_);
    Traits::for_each(ncells_, ZeroPresence{r});
    Traits::for_each(n_, PresenceRuns{p_, r, picture(), raw(key_), n_, step, drones_now});
    if constexpr (Traits::kControlByRow) {
      Traits::for_each(p_.ny, ControlRowSweep{p_, r, raw(row_reached_)});
      Traits::for_each(p_.ny, ControlUpdateRow{p_, r, raw(row_reached_)});
    } else {
      Traits::for_each(ncells_, ControlRowPass{p_, r});
      Traits::for_each(ncells_, ControlUpdate{p_, r});
    }
    // Each settlement's holder, then the same thread copies it into this step's row of the
    // device log (sett_log_), which comes back to the host only when the changes are asked
    // for or the log is full: a step waits for nothing to find out whether a settlement
    // changed hands.
    Traits::for_each(nsettlements_, Fused<SettlementControl, LogSettlementHolders>{
                                        SettlementControl{settlements(), raw(control_)},
                                        LogSettlementHolders{raw(sett_holder_), raw(sett_log_),
                                                             nsettlements_, log_row}});
  }

  /// Phase 1 of a step: the bin sort of the agents and the ranges of the cells and bins, the
  /// gathers, and the unit reductions. Only launches work (a step graph).
  void bin_and_units() {
    const AgentView a = agents();
    // 1. Bin: a stable sort of slots by key gives (bin, side, sense cell, slot) order; then
    // each cell's and bin's range.
    sort_into_bins();
    const std::int32_t cells = p_.sense_cells_per_bin * p_.sense_cells_per_bin;
    Traits::for_each(n_ + 1, CellStarts{raw(key_), n_, 2 * nbins_ * cells, raw(cell_start_)});
    Traits::for_each(nbins_, BinRanges{raw(cell_start_), cells, raw(bin_start_), raw(bin_end_)});
    Traits::for_each(n_,
                     GatherBinned{p_, a, raw(terrain_), raw(order_), raw(binned_x_), raw(binned_y_),
                                  raw(binned_conceal_), raw(binned_look_), raw(binned_id_)});
    timer_.mark(0);
    // Unit strength, centroid and spread for this step's cohesion and morale.
    reduce_units();
    timer_.mark(1);
  }

  /// Phases 2-4 of a step: sense, fire and resolve. Only launches work (a step graph).
  void sense_fire_resolve(ClockValue step) {
    const AgentView a = agents();
    const RasterView r = raster();
    const BinView bins = bin_view();
    const UnitView u = units();
    Traits::for_each_dynamic(n_, InBinOrder<Sense>{Sense{p_, a, bins, r, step}, raw(order_)});
    timer_.mark(2);
    // Each soldier's shot, and the sort key of what it saw (SightingKey reads its target's
    // bin, position and side, which Fire does not write).
    Traits::for_each(
        n_, Fused<Fire, SightingKey>{Fire{p_, a, u, r, step},
                                     SightingKey{p_, a, raw(sight_key_), raw(sight_order_)}});
    timer_.mark(3);
    const SightingView sightings = sort_sightings();
    Traits::for_each_dynamic(n_, InBinOrder<Resolve>{Resolve{p_, a, u, sightings}, raw(order_)});
    timer_.mark(4);
  }

  /// Phase 6 of a step: decide and move, then territory. Only launches work (a step graph).
  void move_and_territory(ClockValue step, bool drones_now, ClockValue log_row) {
    // Each soldier's move, then its presence key from where it now stands (PresenceKey reads
    // only the soldier's own fields).
    Traits::for_each(
        n_, Fused<DecideAndMove, PresenceKey>{DecideAndMove{p_, agents(), units(), raster(), step},
                                              PresenceKey{p_, agents(), raw(key_)}});
    timer_.mark(6);
    territory(step, drones_now, log_row);
    timer_.mark(7);
  }

  /// The bins of the last bin sort (BinView).
  BinView bin_view() {
    return BinView{nbins_,           raw(order_),    raw(bin_start_),      raw(bin_end_),
                   raw(binned_x_),   raw(binned_y_), raw(binned_conceal_), raw(binned_look_),
                   raw(cell_start_), raw(binned_id_)};
  }

  /// Drains the settlement log if it is full (one wait in kSettlementLogSteps steps), so that
  /// this step's holders have a row: row sett_log_rows_.
  void make_room_in_settlement_log() {
    if (nsettlements_ > 0 && sett_log_rows_ == kSettlementLogSteps) drain_settlement_log();
  }
  /// Counts the row territory() wrote this step's holders into, and its step.
  void logged_settlement_row(std::uint32_t step) {
    if (nsettlements_ == 0) return;
    sett_log_steps_[static_cast<std::size_t>(sett_log_rows_++)] = step;
  }

  /// Whether this step replays step graphs: the system has them, they are on and did not
  /// fail, and the phases are not being timed (timing needs the marks between them).
  bool graphs_now(std::uint32_t step) const {
    return Traits::kStepGraphs && step_graphs_ && graph_error_.empty() && !timer_.enabled() &&
           step > 0;
  }

  /// Runs `enqueue` (work launched on the device, nothing else) as step graph `g`: captured
  /// at the first call and again whenever an array it may read has moved (layout_key), then
  /// replayed. If a capture fails the work runs as it is, and so does every step after.
  /// Without graphs, runs `enqueue`.
  template <class F>
  void run_graph(typename Traits::StepGraph& g, bool graphs, F&& enqueue) {
    if constexpr (Traits::kStepGraphs) {
      if (graphs) {
        const std::uint64_t key = layout_key();
        if (!g.ready() || g.key != key) {
          std::string error;
          if (!Traits::capture(g, enqueue, error)) {
            graph_error_ = error.empty() ? "unknown error" : error;
            reset_graphs();
            enqueue();
            return;
          }
          g.key = key;
          ++graph_captures_;
        }
        Traits::replay(g);
        ++graph_replays_;
        return;
      }
    }
    static_cast<void>(graphs);
    enqueue();
  }

  /// Drops the captured step graphs (the next step captures them again).
  void reset_graphs() {
    bin_graph_.reset();
    sense_graph_.reset();
    move_graph_.reset();
  }

  /// A hash of where every device array a step graph may read is and how long: a graph holds
  /// its arrays' addresses, so it is captured again when this changes. Left out: the arrays
  /// only fire support uses (choose_strikes, strike_effects: never in a graph).
  std::uint64_t layout_key() const {
    std::uint64_t h = kHashBasis;
    const void* strike_only[] = {&assets_,  &impacts_,           &ready_,
                                 &choices_, &choose_partial_[0], &choose_partial_[1]};
    all_arrays([&](const auto& v) {
      if (std::find(std::begin(strike_only), std::end(strike_only), &v) != std::end(strike_only))
        return;
      h = mix_layout(h, reinterpret_cast<std::uintptr_t>(thrust::raw_pointer_cast(v.data())));
      h = mix_layout(h, v.size());
    });
    return h;
  }

  /// Brings the logged holders to the host and appends every change (a holder unlike the one
  /// logged before it, or, for the first row, the one drained last) to sett_pending_, in step
  /// order and settlement order within a step. Empties the log.
  void drain_settlement_log() {
    if (sett_log_rows_ == 0) return;
    std::vector<std::int8_t> rows(static_cast<std::size_t>(sett_log_rows_) * nsettlements_);
    thrust::copy(sett_log_.begin(), sett_log_.begin() + static_cast<std::ptrdiff_t>(rows.size()),
                 rows.begin());
    for (std::int32_t row = 0; row < sett_log_rows_; ++row)
      for (std::int32_t k = 0; k < nsettlements_; ++k) {
        const std::int8_t to = rows[static_cast<std::size_t>(row) * nsettlements_ + k];
        std::int8_t& from = sett_drained_[static_cast<std::size_t>(k)];
        if (to == from) continue;
        sett_pending_.push_back(
            SettlementChange{k, from, to, sett_log_steps_[static_cast<std::size_t>(row)]});
        from = to;
      }
    sett_log_rows_ = 0;
  }

  /// Calls f(device array, host array) for every agent array that a state transfer moves
  /// (AgentArrays); one list for both directions.
  template <class A, class F>
  void agent_fields(A& ag, F&& f) {
    f(x_, ag.x), f(y_, ag.y), f(off_x_, ag.offset_x), f(off_y_, ag.offset_y);
    f(home_x_, ag.home_x), f(home_y_, ag.home_y), f(side_, ag.side), f(unit_, ag.unit);
    f(profile_, ag.profile), f(status_, ag.status), f(posture_, ag.posture);
    f(health_, ag.health), f(morale_, ag.morale), f(suppression_, ag.suppression);
    f(ammo_, ag.ammo), f(moved_, ag.moved);
  }
  /// The same for the unit arrays.
  template <class U, class F>
  void unit_fields(U& un, F&& f) {
    f(u_side_, un.side), f(u_level_, un.level), f(u_order_, un.order), f(u_profile_, un.profile);
    f(u_parent_, un.parent), f(u_company_, un.company), f(u_begin_, un.agent_begin);
    f(u_end_, un.agent_end), f(u_strength_, un.strength), f(u_initial_, un.initial);
    f(u_obj_x_, un.objective_x), f(u_obj_y_, un.objective_y);
    f(u_cx_, un.centroid_x), f(u_cy_, un.centroid_y), f(u_spread_, un.spread);
  }

  template <class T>
  static T* raw(vec<T>& v) {
    return thrust::raw_pointer_cast(v.data());
  }
  /// Copies host array `h` into device array `d` (resized to match); on CUDA the host waits
  /// for the device's work before (Traits::host_wait counts it). An empty `h` only clears
  /// `d`: Thrust's assign dereferences the first iterator even of an empty range, which for an
  /// empty std::vector is a null pointer (UBSan: reference binding to null pointer).
  template <class T>
  static void put(vec<T>& d, const std::vector<T>& h) {
    if (h.empty()) {
      d.clear();
      return;
    }
    Traits::host_wait();
    d.assign(h.begin(), h.end());
  }
  /// put(d, h), then frees `h`: for the initial state, which the host needs no longer.
  template <class T>
  static void take(vec<T>& d, std::vector<T>& h) {
    put(d, h);
    std::vector<T>().swap(h);
  }
  /// Copies device array `d` into host array `h` (resized to match); nothing to copy if empty.
  template <class T>
  static void get(vec<T>& d, std::vector<T>& h) {
    get_n(d, d.size(), h);
  }
  /// Copies the first n elements of device array `d` into host array `h` (resized to n).
  /// On CUDA the host waits for the device's work before (Traits::host_wait counts it).
  template <class T>
  static void get_n(vec<T>& d, std::size_t n, std::vector<T>& h) {
    h.resize(n);
    if (n == 0) return;
    Traits::host_wait();
    thrust::copy(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(n), h.begin());
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
                     raw(shot_outcome_),
                     raw(spotted_),
                     raw(struck_by_),
                     raw(id_),
                     raw(slot_)};
  }
  PictureView picture() {
    return PictureView{{raw(seen_step_[0]), raw(seen_step_[1])},
                       {raw(seen_error_[0]), raw(seen_error_[1])}};
  }
  UnitView units() {
    return UnitView{nunits_,         raw(u_side_),    raw(u_profile_), raw(u_level_),
                    raw(u_parent_),  raw(u_company_), raw(u_order_),   raw(u_obj_x_),
                    raw(u_obj_y_),   raw(u_begin_),   raw(u_end_),     raw(u_strength_),
                    raw(u_initial_), raw(u_cx_),      raw(u_cy_),      raw(u_spread_)};
  }
  SettlementView settlements() {
    return SettlementView{nsettlements_,     raw(sett_offsets_),   raw(sett_cells_),
                          raw(sett_holder_), raw(sett_last_side_), raw(sett_captures_)};
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
  vec<std::int64_t> u_sum_x_, u_sum_y_;  ///< the unit reductions' fixed-point sums (scratch)
  vec<std::int32_t> unit_, bin_, target_, shot_target_, key_, order_;
  vec<std::int32_t> bin_start_, bin_end_, cell_start_;
  vec<std::int32_t> sight_key_, sight_order_, sight_start_;  ///< Resolve's sightings
  vec<float> binned_x_, binned_y_;                           ///< positions in bin order (BinView)
  vec<float> binned_conceal_;       ///< concealment under each, in bin order
  vec<std::uint8_t> binned_look_;   ///< kLookInCover | kLookMoved, in bin order
  vec<std::int32_t> binned_id_;     ///< agent ids in bin order
  vec<std::int32_t> id_, slot_;     ///< agent id of each storage slot and its inverse
  vec<std::int16_t> ammo_scratch_;  ///< reorder_agents' room for ammo
  bool order_valid_ = false;        ///< order_ holds a bin sort of the current agents
  std::uint32_t reorder_every_ = kReorderEvery, steps_since_reorder_ = 0;
  vec<std::int32_t> sight_target_;  ///< SightingView's copies
  vec<std::uint8_t> sight_outcome_;
  vec<float> sight_x_, sight_y_;
  vec<std::int32_t> sq_key_, sq_order_, sq_start_, sq_end_;  ///< SquadBins
  vec<std::uint16_t> n_friends_, n_enemies_;
  vec<std::uint8_t> terrain_;
  vec<float> cover_;
  vec<std::int8_t> control_;
  vec<std::int32_t> crossing_;
  vec<std::int32_t> settlement_, sett_offsets_, sett_cells_, sett_captures_;
  vec<std::int8_t> sett_holder_, sett_last_side_;
  vec<std::int8_t> sett_log_;       ///< [kSettlementLogSteps][settlements]: holders after a step
  std::int32_t sett_log_rows_ = 0;  ///< steps logged in sett_log_ since the last drain
  std::uint32_t sett_log_steps_[kSettlementLogSteps] = {};  ///< the step of each row
  std::vector<std::int8_t> sett_drained_;       ///< the holders as of the last row drained
  std::vector<SettlementChange> sett_pending_;  ///< drained, not yet asked for
  vec<std::uint16_t> presence_[kSides];
  vec<std::uint8_t> reach_[kSides];
  vec<std::uint8_t> row_reached_;  ///< rows with presence, per side (the CPU's control passes)
  // Pictures, destruction and fire support.
  vec<std::int32_t> seen_step_[kSides];
  vec<float> seen_error_[kSides];
  vec<std::uint8_t> damage_, spotted_;
  vec<std::int32_t> struck_by_;
  bool drones_ = false;
  std::uint32_t step_ = 0;  ///< last step run
  std::vector<AssetParams> assets_host_;
  vec<AssetParams> assets_;
  FireBudget budget_;
  std::vector<Impact> impacts_host_;  ///< the last step's impacts
  vec<Impact> impacts_;
  std::vector<std::int32_t> ready_host_;    ///< assets that fire this step
  std::vector<std::int64_t> ready_amount_;  ///< what each of them may fire
  vec<std::int32_t> ready_;                 ///< the ready assets, [assets]
  vec<TargetChoice> choices_;               ///< each ready asset's choice, [assets]
  vec<TargetChoice> choose_partial_[2];     ///< choose_by_passes' scratch
  std::vector<TargetChoice> choices_host_;  ///< the CPU's choices, until chosen_targets
  std::size_t impacts_pending_ = 0;         ///< impacts still coming down (settle_strikes)
  typename Traits::Staging staging_;        ///< copies that do not wait (on CUDA)
  std::int64_t strikes_step_[kSides] = {0, 0}, strikes_total_[kSides] = {0, 0};
  std::int64_t strike_casualties_[kSides] = {0, 0};
  typename Traits::PhaseTimer timer_;
  vec<std::uint32_t> clock_;          ///< the step clock: [0] the step, [1] its settlement log row
  bool step_graphs_ = false;          ///< set_step_graphs
  bool check_choice_inputs_ = false;  ///< set_check_choice_inputs
  std::string graph_error_;           ///< why the last capture failed (then graphs stay off)
  std::int64_t graph_captures_ = 0, graph_replays_ = 0;
  /// Phase 1, phases 2-4 and phase 6: the three launch sequences, fire support between them.
  typename Traits::StepGraph bin_graph_, sense_graph_, move_graph_;

  /// Calls f(name, array) for every device array that carries state from one step to the next
  /// or that a later phase reads (a checkpoint's arrays). Left out: the sort buffers that
  /// every step rebuilds before reading (keys, orders, bin and squad-bin ranges, the
  /// territory sort's runs), the per-step impact list and the storage order (a checkpoint
  /// holds agents by id).
  template <class F>
  void state_arrays(F&& f) {
    agent_state_arrays([&f](const char* name, auto& d, bool) { f(name, d); });
    other_state_arrays(f);
  }
  /// The agent arrays of state_arrays, as f(name, array, holds_slots): holds_slots for those
  /// whose values are other agents' slots.
  template <class F>
  void agent_state_arrays(F&& f) {
    f("x", x_, false), f("y", y_, false), f("offset_x", off_x_, false);
    f("offset_y", off_y_, false), f("home_x", home_x_, false), f("home_y", home_y_, false);
    f("side", side_, false), f("unit", unit_, false), f("profile", profile_, false);
    f("status", status_, false), f("posture", posture_, false), f("health", health_, false);
    f("morale", morale_, false), f("suppression", suppression_, false), f("ammo", ammo_, false);
    f("moved", moved_, false), f("bin", bin_, false), f("target", target_, true);
    f("n_friends", n_friends_, false), f("n_enemies", n_enemies_, false);
    f("shot_target", shot_target_, true), f("shot_outcome", shot_outcome_, false);
    f("spotted", spotted_, false), f("struck_by", struck_by_, false);
  }
  /// The rest of state_arrays: units, rasters, settlements, pictures.
  template <class F>
  void other_state_arrays(F&& f) {
    f("unit_side", u_side_), f("unit_level", u_level_), f("unit_order", u_order_);
    f("unit_profile", u_profile_), f("unit_parent", u_parent_), f("unit_company", u_company_);
    f("unit_agent_begin", u_begin_), f("unit_agent_end", u_end_);
    f("unit_strength", u_strength_), f("unit_initial", u_initial_);
    f("unit_objective_x", u_obj_x_), f("unit_objective_y", u_obj_y_);
    f("unit_centroid_x", u_cx_), f("unit_centroid_y", u_cy_), f("unit_spread", u_spread_);
    f("terrain", terrain_), f("cell_settlement", settlement_), f("cover", cover_);
    f("control", control_), f("crossing", crossing_), f("damage", damage_);
    f("settlement_offsets", sett_offsets_), f("settlement_cells", sett_cells_);
    f("settlement_holder", sett_holder_), f("settlement_last_side", sett_last_side_);
    f("settlement_captures", sett_captures_);
    f("presence_0", presence_[0]), f("presence_1", presence_[1]);
    f("reach_0", reach_[0]), f("reach_1", reach_[1]);
    f("seen_step_0", seen_step_[0]), f("seen_step_1", seen_step_[1]);
    f("seen_error_0", seen_error_[0]), f("seen_error_1", seen_error_[1]);
  }

  /// Calls f(array) for every device array the backend holds (state_bytes).
  template <class F>
  void all_arrays(F&& f) const {
    for (const auto* v :
         {&x_,      &y_,           &off_x_,    &off_y_,          &home_x_,  &home_y_, &health_,
          &morale_, &suppression_, &u_obj_x_,  &u_obj_y_,        &u_cx_,    &u_cy_,   &u_spread_,
          &cover_,  &binned_x_,    &binned_y_, &binned_conceal_, &sight_x_, &sight_y_})
      f(*v);
    for (const auto* v :
         {&side_, &status_, &posture_, &shot_outcome_, &moved_, &u_side_, &u_profile_, &u_level_,
          &u_order_, &profile_, &terrain_, &damage_, &spotted_, &reach_[0], &reach_[1],
          &row_reached_, &binned_look_, &sight_outcome_})
      f(*v);
    for (const auto* v :
         {&u_parent_,     &u_company_,    &u_begin_,      &u_end_,       &u_strength_,
          &u_initial_,    &unit_,         &bin_,          &target_,      &shot_target_,
          &key_,          &order_,        &bin_start_,    &bin_end_,     &cell_start_,
          &crossing_,     &settlement_,   &sett_offsets_, &sett_cells_,  &sett_captures_,
          &seen_step_[0], &seen_step_[1], &struck_by_,    &sq_key_,      &sq_order_,
          &sq_start_,     &sq_end_,       &sight_key_,    &sight_order_, &sight_start_,
          &sight_target_, &binned_id_,    &id_,           &slot_})
      f(*v);
    for (const auto* v : {&n_friends_, &n_enemies_, &presence_[0], &presence_[1]}) f(*v);
    for (const auto* v : {&control_, &sett_holder_, &sett_last_side_, &sett_log_}) f(*v);
    for (const auto* v : {&seen_error_[0], &seen_error_[1]}) f(*v);
    f(ammo_), f(ammo_scratch_), f(assets_), f(impacts_), f(ready_), f(choices_);
    f(choose_partial_[0]), f(choose_partial_[1]);
    f(u_sum_x_), f(u_sum_y_), f(clock_);
  }
};

}  // namespace salient::detail
