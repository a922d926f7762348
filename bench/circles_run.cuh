// The Circles step over Thrust, written once and instantiated for two systems: OpenMP
// (circles_cpu.cpp, g++) and CUDA (circles_cuda.cu, nvcc). Traits supplies `vector<T>`,
// `kName` and a `Context` with `policy()` and a step timer (`start()`, `stop_ms()`).
//
// One step, struct of arrays, two layouts (CirclesLayout) with the same (bin, id) order:
//
//   layout "agents" (the default)        layout "ids"
//   1 key[s] = bin << 32 | id[s]          key[i] = bin, order[i] = i   (agents in id order)
//   2 sort_by_key(key, perm)              stable_sort_by_key(key, order)
//   3 bin starts from the sorted keys     the same
//   4 gather x, y, z, id by perm (into    gather the message list mx[s] = x[order[s]]
//     the back buffers, then swap)
//   5 forces over s, written at s         forces over s, scattered to order[s]
//   6 x[s] += f[s]                        x[i] += f[i]
//
// "agents" keeps each agent next to its bin's neighbours, so step 5 reads and writes coalesced
// and step 4 is nearly coalesced (few agents change bin in a step), at the price of a sort on
// 64-bit keys; "ids" sorts 32-bit keys but gathers and scatters at random. Positions are double
// buffered: the force pass reads the sorted positions (the message list) and writes forces; the
// move pass then updates the positions, which no pass is reading.
#pragma once

#include <thrust/copy.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/iterator/transform_iterator.h>
#include <thrust/scan.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/transform_reduce.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "circles.h"

namespace salient::bench::detail {

/// int32 -> int64 (counts summed without overflow).
struct ToInt64 {
  SALIENT_HD std::int64_t operator()(std::int32_t v) const { return v; }
};
struct AddInt64 {
  SALIENT_HD std::int64_t operator()(std::int64_t a, std::int64_t b) const { return a + b; }
};

template <class Traits>
class CirclesThrust final : public CirclesSim {
  template <class T>
  using vec = typename Traits::template vector<T>;

 public:
  std::string name() const override { return Traits::kName; }

  void init(const CirclesParams& p) override {
    p_ = p;
    grid_ = make_grid(p);
    n_ = static_cast<std::int32_t>(p.agents);
    for (auto* v : {&x_, &y_, &z_, &xb_, &yb_, &zb_, &fx_, &fy_, &fz_}) v->resize(n_);
    for (auto* v : {&id_, &idb_, &order_}) v->resize(n_);
    if (agents_layout()) {
      key64_.resize(n_), key32_.clear();
    } else {
      key32_.resize(n_), key64_.clear();
    }
    start_.resize(static_cast<std::size_t>(grid_.nbins) + 1);
    thrust::for_each_n(ctx_.policy(), first(), n_,
                       InitPositions{grid_, p.seed, raw(x_), raw(y_), raw(z_), raw(id_)});
    forces_valid_ = false;
  }

  void set_positions(const std::vector<float>& x, const std::vector<float>& y,
                     const std::vector<float>& z) override {
    const auto n = static_cast<std::size_t>(n_);
    if (x.size() != n || y.size() != n || z.size() != n)
      throw std::invalid_argument("set_positions: sizes differ from the agent count");
    thrust::copy(x.begin(), x.end(), x_.begin());
    thrust::copy(y.begin(), y.end(), y_.begin());
    thrust::copy(z.begin(), z.end(), z_.begin());
    thrust::sequence(ctx_.policy(), id_.begin(), id_.end());
    forces_valid_ = false;
  }

  void step() override {
    bin_and_sort();
    force();
    move();
  }

  double timed_step_ms() override {
    ctx_.start();
    step();
    return ctx_.stop_ms();
  }

  CirclesPhases timed_step_phases() override {
    CirclesPhases t;
    ctx_.start();
    bin_and_sort();
    t.bin_sort = ctx_.stop_ms();
    ctx_.start();
    force();
    t.force = ctx_.stop_ms();
    ctx_.start();
    move();
    t.move = ctx_.stop_ms();
    return t;
  }

  void positions(std::vector<float>& x, std::vector<float>& y, std::vector<float>& z) override {
    to_id_order(x_, x), to_id_order(y_, y), to_id_order(z_, z);
  }

  void forces(std::vector<float>& fx, std::vector<float>& fy, std::vector<float>& fz) override {
    if (!forces_valid_) throw std::logic_error("forces: no step since the agents were re-binned");
    to_id_order(fx_, fx), to_id_order(fy_, fy), to_id_order(fz_, fz);
  }

  CirclesStats stats() override {
    count();
    auto pol = ctx_.policy();
    CirclesStats s;
    s.neighbours = thrust::transform_reduce(pol, cnt_n_.begin(), cnt_n_.end(), ToInt64{},
                                            std::int64_t{0}, AddInt64{});
    s.candidates = thrust::transform_reduce(pol, cnt_m_.begin(), cnt_m_.end(), ToInt64{},
                                            std::int64_t{0}, AddInt64{});
    return s;
  }

  void neighbours(std::vector<std::int64_t>& offsets, std::vector<std::int32_t>& ids) override {
    count();
    auto pol = ctx_.policy();
    vec<std::int64_t> off(static_cast<std::size_t>(n_) + 1, 0);
    thrust::inclusive_scan(pol, thrust::make_transform_iterator(cnt_n_.begin(), ToInt64{}),
                           thrust::make_transform_iterator(cnt_n_.end(), ToInt64{}),
                           off.begin() + 1);
    const std::int64_t total = off.back();
    vec<std::int32_t> list(static_cast<std::size_t>(total));
    const Messages m = messages();
    thrust::for_each_n(
        pol, first(), n_,
        ListNeighbours{grid_, raw(start_), m.x, m.y, m.z, m.id, raw(off), raw(list)});
    offsets.resize(off.size()), ids.resize(list.size());
    thrust::copy(off.begin(), off.end(), offsets.begin());
    thrust::copy(list.begin(), list.end(), ids.begin());
  }

 private:
  /// The positions in (bin, id) order and the id at each sorted position.
  struct Messages {
    const float* x;
    const float* y;
    const float* z;
    const std::int32_t* id;
  };

  bool agents_layout() const { return p_.layout == CirclesLayout::kSortAgents; }
  static thrust::counting_iterator<std::int32_t> first() {
    return thrust::counting_iterator<std::int32_t>(0);
  }
  template <class T>
  static T* raw(vec<T>& v) {
    return thrust::raw_pointer_cast(v.data());
  }

  Messages messages() {
    if (agents_layout()) return {raw(x_), raw(y_), raw(z_), raw(id_)};
    return {raw(xb_), raw(yb_), raw(zb_), raw(order_)};
  }

  /// Steps 1-4: keys, sort, bin starts, gather (see the top of this file).
  void bin_and_sort() {
    auto pol = ctx_.policy();
    const std::int32_t nb = grid_.nbins;
    if (agents_layout()) {
      thrust::for_each_n(
          pol, first(), n_,
          AgentKey{grid_, raw(x_), raw(y_), raw(z_), raw(id_), raw(key64_), raw(order_)});
      thrust::sort_by_key(pol, key64_.begin(), key64_.end(), order_.begin());
      thrust::for_each_n(pol, first(), n_ + 1,
                         BinStarts<std::uint64_t>{raw(key64_), n_, nb, raw(start_)});
      thrust::for_each_n(pol, first(), n_,
                         GatherAgents{raw(order_), raw(x_), raw(y_), raw(z_), raw(id_), raw(xb_),
                                      raw(yb_), raw(zb_), raw(idb_)});
      x_.swap(xb_), y_.swap(yb_), z_.swap(zb_), id_.swap(idb_);
      forces_valid_ = false;  // the forces are in the previous order
    } else {
      thrust::for_each_n(pol, first(), n_,
                         BinKey{grid_, raw(x_), raw(y_), raw(z_), raw(key32_), raw(order_)});
      thrust::stable_sort_by_key(pol, key32_.begin(), key32_.end(), order_.begin());
      thrust::for_each_n(pol, first(), n_ + 1,
                         BinStarts<std::int32_t>{raw(key32_), n_, nb, raw(start_)});
      thrust::for_each_n(
          pol, first(), n_,
          GatherMessages{raw(order_), raw(x_), raw(y_), raw(z_), raw(xb_), raw(yb_), raw(zb_)});
    }
  }

  /// Step 5: the force on every agent.
  void force() {
    const Messages m = messages();
    thrust::for_each_n(
        ctx_.policy(), first(), n_,
        Force{grid_, raw(start_), m.x, m.y, m.z, agents_layout() ? nullptr : raw(order_), raw(fx_),
              raw(fy_), raw(fz_)});
    forces_valid_ = true;
  }

  /// Step 6: x += f.
  void move() {
    thrust::for_each_n(ctx_.policy(), first(), n_,
                       Move{raw(x_), raw(y_), raw(z_), raw(fx_), raw(fy_), raw(fz_)});
  }

  /// Bins the current positions and counts, per agent in id order, neighbours and messages.
  void count() {
    bin_and_sort();
    cnt_n_.resize(n_), cnt_m_.resize(n_);
    const Messages m = messages();
    thrust::for_each_n(
        ctx_.policy(), first(), n_,
        CountNeighbours{grid_, raw(start_), m.x, m.y, m.z, m.id, raw(cnt_n_), raw(cnt_m_)});
  }

  /// A per-agent array to the host in id order (layout "agents": scattered by id).
  void to_id_order(vec<float>& d, std::vector<float>& h) {
    h.resize(static_cast<std::size_t>(n_));
    if (!agents_layout()) {
      thrust::copy(d.begin(), d.end(), h.begin());
      return;
    }
    std::vector<float> sorted(h.size());
    std::vector<std::int32_t> id(h.size());
    thrust::copy(d.begin(), d.end(), sorted.begin());
    thrust::copy(id_.begin(), id_.end(), id.begin());
    for (std::size_t s = 0; s < sorted.size(); ++s) h[static_cast<std::size_t>(id[s])] = sorted[s];
  }

  typename Traits::Context ctx_;
  CirclesParams p_{};
  vec<float> x_, y_, z_;     ///< positions (layout "agents": in the last (bin, id) order)
  vec<float> xb_, yb_, zb_;  ///< back buffers ("agents") or the message list ("ids")
  vec<float> fx_, fy_, fz_;  ///< the last step's forces, in the order of x_
  vec<std::int32_t> id_, idb_, order_;
  vec<std::int32_t> key32_;
  vec<std::uint64_t> key64_;
  vec<std::int32_t> start_;  ///< nbins + 1 bin starts
  vec<std::int32_t> cnt_n_, cnt_m_;
  bool forces_valid_ = false;
};

}  // namespace salient::bench::detail
