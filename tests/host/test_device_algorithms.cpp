// The GPU's algorithms, run on the CPU. Where the pipeline differs between the two systems
// (DeviceAlgorithms in host/thrust_backend.cuh: the fire-support targets by passes of
// chunks and folds, the control dilation cell by cell, Thrust's sorts, one Thrust for_each
// per phase), CI has no GPU to run the CUDA side. This builds the pipeline on the OpenMP system
// with CUDA's DeviceAlgorithms and checks it against the CPU backend bit for bit every step.
// What only nvcc sees (device code paths under __CUDA_ARCH__) is tested by function:
// Sense.HostDetectionRollsEqualEntryByEntryRolls, Model.HostFriendCountEqualsTheScalarLoop.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backend_compare.h"
#include "h5_read.h"
#include "host/omp_traits.h"
#include "host/thrust_backend.cuh"

namespace salient {
namespace {

/// The OpenMP system run the GPU's way: CUDA's algorithm choices and primitives.
struct DeviceAlgorithmTraits : detail::OmpTraits, detail::DeviceAlgorithms<DeviceAlgorithmTraits> {
  using Gpu = detail::DeviceAlgorithms<DeviceAlgorithmTraits>;
  using Gpu::for_each, Gpu::for_each_dynamic, Gpu::kControlByRow, Gpu::kChooseOnDevice,
      Gpu::sort_keys, Gpu::stable_sort_by_key, Gpu::kStepGraphs, Gpu::StepGraph;
  static constexpr const char* kName = "cpu with the GPU's algorithms";
};
static_assert(DeviceAlgorithmTraits::kChooseOnDevice != detail::OmpTraits::kChooseOnDevice &&
                  DeviceAlgorithmTraits::kControlByRow != detail::OmpTraits::kControlByRow,
              "the test is only worth its time while the two systems' choices differ");

std::unique_ptr<Backend> make_device_algorithm_backend() {
  return std::make_unique<detail::ThrustBackend<DeviceAlgorithmTraits>>();
}

/// Runs `cfg` on the CPU backend and on the GPU's algorithms, comparing every step.
void expect_same_as_cpu(const ScenarioConfig& cfg) {
  Simulation cpu(cfg, make_cpu_backend(0)), device(cfg, make_device_algorithm_backend());
  EXPECT_EQ(device.backend().name(), DeviceAlgorithmTraits::kName);
  std::size_t strikes = 0;
  test::expect_same_every_step(cpu, device, cfg.steps(), &strikes);
  EXPECT_GT(strikes, 0u) << "the scenario must fire, or choose_targets is not exercised";
}

TEST(DeviceAlgorithmsOnCpu, CiScenarioIdenticalEveryStep) {
  expect_same_as_cpu(test::ci_scenario(1800));
}

// The small Kursk variant: the full scenario's fire support on both sides, 14 settlements
// and a held start zone.
TEST(DeviceAlgorithmsOnCpu, KurskVariantIdenticalEveryStep) {
  expect_same_as_cpu(test::kursk_variant(1800));
}

// Fire support's choice of targets runs before sense, fire and resolve (choose_strikes), so
// that on a GPU its results come down while they run; it is the model's choice, made after
// resolve, only if those three phases change nothing it reads. Both systems check it every
// step (set_check_choice_inputs: a digest of the pictures, units, settlement raster and assets
// after the choice and after resolve), in the ci scenario, where direct fire hits, and in the
// small Kursk variant, where both sides' fire support strikes. It fails when resolve reduces
// the units again (at step 125 of ci) and when resolve writes a cell of a picture (at step
// 1): both tried.
template <class Traits>
void expect_choice_inputs_unchanged(const ScenarioConfig& cfg) {
  auto backend = std::make_unique<detail::ThrustBackend<Traits>>();
  backend->set_check_choice_inputs(true);
  Simulation sim(cfg, std::move(backend));
  std::size_t strikes = 0;
  std::int64_t hits = 0;
  for (std::int64_t k = 0; k < cfg.steps(); ++k) {
    ASSERT_NO_THROW(sim.step()) << Traits::kName << ", " << cfg.path;
    strikes += sim.backend().strikes().size();
    const Tally t = sim.backend().tally();
    hits += t.hits[0] + t.hits[1];
  }
  EXPECT_GT(strikes + static_cast<std::size_t>(hits), 0u)
      << Traits::kName << ", " << cfg.path << ": nothing struck, so nothing was tested";
}

TEST(DeviceAlgorithmsOnCpu, SenseFireResolveLeaveWhatFireSupportChoseFrom) {
  for (const ScenarioConfig& cfg : {test::ci_scenario(1800), test::kursk_variant(1800)}) {
    expect_choice_inputs_unchanged<detail::OmpTraits>(cfg);
    expect_choice_inputs_unchanged<DeviceAlgorithmTraits>(cfg);
  }
}

/// The GPU's algorithms, counting the transfers that make the host wait for the device on
/// CUDA (ThrustBackend's put and get, a finished download; Traits::Staging's uploads and
/// started downloads do not wait).
struct WaitCountingTraits : DeviceAlgorithmTraits {
  static std::int64_t& waits() {
    static std::int64_t w = 0;
    return w;
  }
  static void host_wait() { ++waits(); }
};

// Fire support makes the host wait for the device once in a step where some asset has
// budget (the choices come down, after sense, fire and resolve are launched), and once more
// for a step's impacts, when they are asked for (strikes), after the step's last launch
// sequence: the ready list and the impacts go up without a wait, the choice is reduced
// without one.
TEST(DeviceAlgorithmsOnCpu, FireSupportWaitsOnceAStepAndOnceForItsImpacts) {
  const ScenarioConfig cfg = test::kursk_variant(3600);
  Simulation sim(cfg, std::make_unique<detail::ThrustBackend<WaitCountingTraits>>());
  Backend& backend = sim.backend();  // stepped directly: no replanning, which also waits
  int ready_steps = 0, impact_steps = 0;
  for (int k = 1; k <= cfg.steps(); ++k) {
    std::int64_t before = WaitCountingTraits::waits();
    backend.step(static_cast<std::uint32_t>(k));
    const std::int64_t in_step = WaitCountingTraits::waits() - before;
    ASSERT_LE(in_step, 1) << "step " << k;
    ready_steps += in_step == 1;
    before = WaitCountingTraits::waits();
    const bool impacts = !backend.strikes().empty();
    const std::int64_t for_impacts = WaitCountingTraits::waits() - before;
    ASSERT_EQ(for_impacts, impacts ? 1 : 0) << "step " << k;
    if (impacts) {
      ASSERT_EQ(in_step, 1) << "step " << k << " chose its impacts' targets";
    }
    impact_steps += impacts;
    before = WaitCountingTraits::waits();
    ASSERT_EQ(backend.strikes().empty(), !impacts) << "asked again, the same impacts";
    ASSERT_EQ(WaitCountingTraits::waits(), before) << "and no second wait";
  }
  EXPECT_GT(impact_steps, 0);
  EXPECT_GT(ready_steps, impact_steps) << "some steps must choose targets and find none";
}

// A step's impacts count in the tally and the state even when nobody asked for them
// (strikes): tally and save_state collect them first, as does the next step. One run asks
// for the strikes after every step (as run_steps does), the other never.
TEST(DeviceAlgorithmsOnCpu, TallyAndStateCountImpactsNotAskedFor) {
  const ScenarioConfig cfg = test::ci_scenario(1800);
  Simulation asked(cfg, make_cpu_backend(0)), unasked(cfg, make_device_algorithm_backend());
  const auto casualties = [](Backend& b) {
    std::vector<std::int64_t> c;
    find_state(b.save_state(), "strike_casualties").to(c);
    return c;
  };
  std::int64_t struck_steps = 0;
  for (int k = 1; k <= cfg.steps(); ++k) {
    asked.step();
    unasked.step();
    struck_steps += !asked.backend().strikes().empty();
    if (k % 3 == 0) {  // the state first, then the tally
      ASSERT_EQ(casualties(asked.backend()), casualties(unasked.backend())) << "step " << k;
    }
    const Tally a = asked.backend().tally(), b = unasked.backend().tally();
    ASSERT_EQ(0, std::memcmp(&a, &b, sizeof(Tally))) << "step " << k;
  }
  const Tally t = asked.backend().tally();
  EXPECT_GT(struck_steps, 0);
  EXPECT_GT(t.strike_casualties[0] + t.strike_casualties[1], 0) << "the strikes must hit someone";
}

/// The GPU's algorithms with step graphs as CUDA makes them, on the CPU: a capture records
/// each launch (for_each and the sorts) with its arguments as they are then, and runs
/// nothing; a replay runs the records. So a replayed step reads what a CUDA graph's kernels
/// would: the step and the log row only through the step clock, and arrays only where they
/// were at the capture. Work launched some other way while capturing runs at once and is
/// missing from every replay, as it would be (or would break the capture) on CUDA.
struct ReplayTraits : DeviceAlgorithmTraits {
  using Base = DeviceAlgorithmTraits;
  static constexpr bool kStepGraphs = true;
  static constexpr const char* kName = "cpu with the GPU's algorithms, replayed";
  /// The recorded launches of one sequence.
  struct StepGraph {
    std::uint64_t key = 0;
    std::vector<std::function<void()>> launches;
    bool captured = false;
    bool ready() const { return captured; }
    void reset() { launches.clear(), captured = false; }
  };
  /// The graph being captured (null: launches run).
  static std::vector<std::function<void()>>*& recording() {
    static std::vector<std::function<void()>>* r = nullptr;
    return r;
  }
  /// Whether the next captures fail (the test of the fallback).
  static bool& fail_captures() {
    static bool fail = false;
    return fail;
  }
  template <class F>
  static bool capture(StepGraph& g, const F& enqueue, std::string& error) {
    g.reset();
    if (fail_captures()) {
      error = "capture refused by the test";
      return false;
    }
    recording() = &g.launches;
    enqueue();
    recording() = nullptr;
    g.captured = true;
    return true;
  }
  static void replay(StepGraph& g) {
    for (const auto& launch : g.launches) launch();
  }
  template <class F>
  static void for_each(std::int32_t n, const F& f) {
    launch([n, f] { Base::for_each(n, f); });
  }
  template <class F>
  static void for_each_dynamic(std::int32_t n, const F& f) {
    launch([n, f] { Base::for_each_dynamic(n, f); });
  }
  static void stable_sort_by_key(std::int32_t* key, std::int32_t* value, std::int32_t n,
                                 std::int32_t max_key) {
    launch([=] { Base::stable_sort_by_key(key, value, n, max_key); });
  }
  static void sort_keys(std::int32_t* key, std::int32_t n, std::int32_t max_key) {
    launch([=] { Base::sort_keys(key, n, max_key); });
  }

 private:
  template <class L>
  static void launch(L&& l) {
    if (recording())
      recording()->emplace_back(std::forward<L>(l));
    else
      l();
  }
};

/// One scenario on the CPU backend and on the GPU's algorithms with step graphs on.
struct ReplayedRun {
  explicit ReplayedRun(const ScenarioConfig& cfg)
      : ReplayedRun(cfg, std::make_unique<detail::ThrustBackend<ReplayTraits>>()) {}
  /// Steps both `steps` times, comparing them after every step; returns the strikes seen.
  std::size_t compare(int steps) {
    std::size_t strikes = 0;
    test::expect_same_every_step(cpu, device, steps, &strikes);
    return strikes;
  }
  detail::ThrustBackend<ReplayTraits>* graphs;  ///< device's backend
  Simulation cpu, device;

 private:
  ReplayedRun(const ScenarioConfig& cfg, std::unique_ptr<detail::ThrustBackend<ReplayTraits>> b)
      : graphs(b.get()), cpu(cfg, make_cpu_backend(0)), device(cfg, std::move(b)) {
    graphs->set_step_graphs(true);
  }
};

// Each of the three sequences is captured once (the agents' reordering every 8 steps moves
// the arrays' contents, not the arrays) and replayed at every step; fire support's halves run
// between them.
TEST(StepGraphsOnCpu, ScenariosReplayedIdenticalEveryStep) {
  for (const ScenarioConfig& cfg : {test::ci_scenario(1800), test::kursk_variant(1800)}) {
    ReplayedRun run(cfg);
    EXPECT_GT(run.compare(cfg.steps()), 0u) << "the scenario must fire: " << cfg.path;
    EXPECT_EQ(run.graphs->graph_captures(), 3) << cfg.path;
    EXPECT_EQ(run.graphs->graph_replays(), 3 * cfg.steps()) << cfg.path;
  }
}

// A capture that fails leaves the step to run as it is, and graphs off from then on.
TEST(StepGraphsOnCpu, FailedCaptureRunsTheStepsAsTheyAre) {
  ReplayTraits::fail_captures() = true;
  ReplayedRun run(test::ci_scenario(300));
  run.compare(300);
  ReplayTraits::fail_captures() = false;
  EXPECT_EQ(run.graphs->graph_replays(), 0);
  EXPECT_EQ(run.graphs->step_graphs(), "off after a failed capture: capture refused by the test");
}

// Loading a checkpoint captures the graphs again; the resumed run equals one that never
// stopped.
TEST(StepGraphsOnCpu, ResumedFromStateEqualsTheUninterruptedRun) {
  ReplayedRun run(test::kursk_variant(900));
  run.compare(300);
  run.device.backend().load_state(run.device.backend().save_state());
  run.compare(300);
  EXPECT_EQ(run.graphs->graph_captures(), 6);
  EXPECT_EQ(run.graphs->graph_replays(), 3 * 600);
}

}  // namespace
}  // namespace salient
