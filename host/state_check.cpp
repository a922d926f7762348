// Checkpoint state checks (host/state_check.h).
#include "state_check.h"

#include <cmath>
#include <cstdint>
#include <string>

namespace salient {
namespace {

/// Arrays a scenario fixes: a checkpoint of the same scenario holds them unchanged.
constexpr const char* kFixed[] = {"side",
                                  "unit",
                                  "profile",
                                  "unit_side",
                                  "unit_level",
                                  "unit_profile",
                                  "unit_parent",
                                  "unit_company",
                                  "unit_agent_begin",
                                  "unit_agent_end",
                                  "terrain",
                                  "cell_settlement",
                                  "crossing",
                                  "settlement_offsets",
                                  "settlement_cells",
                                  "commander0.company",
                                  "commander1.company"};

bool is_fixed(const std::string& name) {
  for (const char* f : kFixed)
    if (name == f) return true;
  return false;
}

[[noreturn]] void bad(const StateArray& a, std::size_t i, const std::string& problem) {
  throw CheckpointError("state array '" + a.name + "', element " + std::to_string(i) + ": " +
                        problem);
}

/// Every value of integer array `a` (type T) in [lo, hi].
template <class T>
void in_range(const StateArray& a, std::int64_t lo, std::int64_t hi) {
  std::vector<T> v;
  a.to(v);
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] < lo || v[i] > hi)
      bad(a, i,
          std::to_string(static_cast<std::int64_t>(v[i])) + " is outside " + std::to_string(lo) +
              ".." + std::to_string(hi));
}

/// Every value of a float array finite and of sane size (kernels convert them to indices).
template <class T>
void finite(const StateArray& a) {
  std::vector<T> v;
  a.to(v);
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i]) || std::fabs(v[i]) > 1e9)
      bad(a, i, "expected a finite value of magnitude <= 1e9");
}

}  // namespace

void check_state(const std::vector<StateArray>& arrays, const std::vector<StateArray>& fresh,
                 const ModelParams& p, std::int64_t steps) {
  std::int64_t agents = 0;
  for (const StateArray& want : fresh) {
    const StateArray& a = find_state(arrays, want.name);
    if (a.type != want.type || a.count != want.count || a.bytes.size() != want.bytes.size())
      throw CheckpointError("state array '" + a.name + "': " + std::to_string(a.count) +
                            " elements of another type or length, expected " +
                            std::to_string(want.count));
    if (want.name == "x") agents = static_cast<std::int64_t>(want.count);
  }
  const std::int64_t bins = static_cast<std::int64_t>(p.bins_x) * p.bins_y;
  for (const StateArray& want : fresh) {
    const StateArray& a = find_state(arrays, want.name);
    const std::string& n = a.name;
    if (is_fixed(n)) {
      if (a.bytes != want.bytes)
        throw CheckpointError("state array '" + n +
                              "' differs from this scenario's: the checkpoint belongs to "
                              "another scenario or region");
    } else if (a.type == ElementType::kF32) {
      finite<float>(a);
    } else if (a.type == ElementType::kF64) {
      finite<double>(a);
    } else if (n == "status" || n == "posture") {
      in_range<std::uint8_t>(a, 0, 3);
    } else if (n == "shot_outcome" || n == "unit_order") {
      in_range<std::uint8_t>(a, 0, 4);
    } else if (n == "bin") {
      in_range<std::int32_t>(a, 0, bins);
    } else if (n == "target" || n == "shot_target") {
      in_range<std::int32_t>(a, -1, agents - 1);
    } else if (n == "control" || n == "settlement_holder" || n == "settlement_last_side") {
      in_range<std::int8_t>(a, -1, 1);
    } else if (n == "seen_step_0" || n == "seen_step_1") {
      in_range<std::int32_t>(a, -1, steps);
    } else if (n == "step") {
      in_range<std::uint32_t>(a, steps, steps);
    } else if (n == "unit_strength" || n == "unit_initial") {
      in_range<std::int32_t>(a, 0, agents);
    } else if (n == "settlement_captures") {
      in_range<std::int32_t>(a, 0, INT32_MAX);
    } else if (n == "budget_fired" || n == "strikes_total" || n == "strike_casualties" ||
               n == "strikes_step" || n == "commander0.reference" || n == "commander1.reference") {
      if (a.type == ElementType::kI64)
        in_range<std::int64_t>(a, 0, std::int64_t{1} << 62);
      else
        in_range<std::int32_t>(a, 0, agents);
    }
  }
}

}  // namespace salient
