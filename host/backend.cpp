// Backend selection and the host state helpers.
#include "backend.h"

#include <cstdlib>
#include <stdexcept>

namespace salient {

void AgentArrays::resize(std::size_t n) {
  for (auto* v : {&x, &y, &offset_x, &offset_y, &home_x, &home_y, &health, &morale, &suppression})
    v->resize(n);
  for (auto* v : {&side, &profile, &status, &posture, &moved}) v->resize(n);
  unit.resize(n);
  ammo.resize(n);
}

void UnitArrays::resize(std::size_t n) {
  for (auto* v : {&side, &profile, &level, &order}) v->resize(n);
  for (auto* v : {&parent, &company, &agent_begin, &agent_end, &strength, &initial}) v->resize(n);
  for (auto* v : {&objective_x, &objective_y, &centroid_x, &centroid_y, &spread}) v->resize(n);
}

namespace {
/// Bytes held by the vectors: the sum of size() * sizeof(element).
template <class... V>
std::int64_t bytes_of(const V&... v) {
  return ((static_cast<std::int64_t>(v.size()) *
           static_cast<std::int64_t>(sizeof(typename V::value_type))) +
          ...);
}
}  // namespace

std::int64_t AgentArrays::bytes() const {
  return bytes_of(x, y, offset_x, offset_y, home_x, home_y, side, profile, status, posture, moved,
                  unit, health, morale, suppression, ammo);
}

std::int64_t UnitArrays::bytes() const {
  return bytes_of(side, profile, level, order, parent, company, agent_begin, agent_end, strength,
                  initial, objective_x, objective_y, centroid_x, centroid_y, spread);
}

std::int64_t RasterArrays::bytes() const {
  static_assert(kSides == 2, "two presence and picture arrays");
  return bytes_of(terrain, settlement, crossing, cover, control, presence[0], presence[1], damage,
                  picture[0], picture[1]);
}

void RasterArrays::resize(std::int32_t nx_, std::int32_t ny_) {
  nx = nx_;
  ny = ny_;
  const std::size_t n = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  terrain.resize(n);
  settlement.assign(n, -1);
  crossing.assign(n, -1);
  cover.resize(n);
  control.assign(n, kNoControl);
  for (auto& p : presence) p.assign(n, 0);
  damage.assign(n, 0);
  for (auto& p : picture) p.assign(n, 0.0f);
}

bool step_graphs_requested() {
  const char* v = std::getenv("SALIENT_CUDA_GRAPHS");
  if (!v || !*v || std::string(v) == "0") return false;
  if (std::string(v) == "1") return true;
  throw std::runtime_error("SALIENT_CUDA_GRAPHS must be 0 or 1, not '" + std::string(v) + "'");
}

std::unique_ptr<Backend> make_backend(const std::string& which, int threads) {
  if (which == "cpu") return make_cpu_backend(threads);
  if (which == "cuda") {
    if (!cuda_compiled()) throw std::runtime_error("--backend cuda: built without CUDA");
    if (cuda_device_count() == 0) throw std::runtime_error("--backend cuda: no usable device");
    return make_cuda_backend();
  }
  if (which == "auto") {
    if (cuda_compiled() && cuda_device_count() > 0) return make_cuda_backend();
    return make_cpu_backend(threads);
  }
  throw std::runtime_error("unknown backend '" + which + "' (expected auto, cpu or cuda)");
}

}  // namespace salient
