// Checkpoints (issue 8): a run continued from a saved state equals a run that never stopped,
// bit for bit, across thread counts and through the checkpoint file; a state that does not
// fit the scenario is refused before anything changes.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "../../host/checkpoint.h"
#include "h5_read.h"

namespace salient {
namespace {

/// Every array of a state, byte for byte.
void expect_same_state(const std::vector<StateArray>& a, const std::vector<StateArray>& b,
                       std::int64_t step) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].name, b[i].name);
    EXPECT_TRUE(a[i].bytes == b[i].bytes) << a[i].name << " differs at step " << step;
  }
}

TEST(Checkpoint, ResumedRunEqualsUninterruptedOnEveryStep) {
  const ScenarioConfig cfg = test::ci_scenario(1800);
  const std::int64_t stop = 67;  // not a snapshot or re-plan step
  Simulation whole(cfg, make_cpu_backend(2)), first(cfg, make_cpu_backend(2));
  for (std::int64_t k = 0; k < stop; ++k) whole.step(), first.step();
  const std::string file = test::temp_path("resume_state.checkpoint");
  CheckpointHeader h;
  h.step = stop;
  write_checkpoint(file, h, first.save_state());
  EXPECT_EQ(read_checkpoint_header(file).step, stop);

  Simulation resumed(cfg, make_cpu_backend(1));  // another thread count
  resumed.load_state(stop, read_checkpoint_state(file, resumed.save_state()));
  expect_same_state(whole.save_state(), resumed.save_state(), stop);
  std::size_t strikes = 0;
  for (std::int64_t k = stop + 1; k <= cfg.steps(); ++k) {
    whole.step(), resumed.step();
    ASSERT_EQ(whole.steps_done(), resumed.steps_done());
    const Tally a = whole.backend().tally(), b = resumed.backend().tally();
    ASSERT_EQ(0, std::memcmp(&a, &b, sizeof(Tally))) << "tally at step " << k;
    const auto sa = whole.backend().strikes(), sb = resumed.backend().strikes();
    ASSERT_EQ(sa.size(), sb.size()) << "strikes at step " << k;
    strikes += sa.size();
    if (k % 100 == 0) expect_same_state(whole.save_state(), resumed.save_state(), k);
  }
  EXPECT_GT(strikes, 0u) << "the ci scenario has strikes after the stop";
  expect_same_state(whole.save_state(), resumed.save_state(), cfg.steps());
}

TEST(Checkpoint, NotResumingDiffers) {
  // Control for the test above: a run restarted from step 0 where it stopped is not equal.
  const ScenarioConfig cfg = test::ci_scenario(1800);
  Simulation whole(cfg, make_cpu_backend(2)), fresh(cfg, make_cpu_backend(2));
  for (int k = 0; k < 67; ++k) whole.step();
  std::vector<StateArray> s = fresh.save_state();
  fresh.load_state(67, [&] {
    // The fresh state with only the step counter moved on: what a resume that forgot the
    // agents would do.
    for (StateArray& a : s)
      if (a.name == "step") a = StateArray::of("step", std::vector<std::uint32_t>{67});
    return s;
  }());
  for (int k = 0; k < 30; ++k) whole.step(), fresh.step();
  const Tally a = whole.backend().tally(), b = fresh.backend().tally();
  EXPECT_NE(0, std::memcmp(&a, &b, sizeof(Tally)));
}

/// Returns `state` with array `name` changed by `f`, element type T.
template <class T, class F>
std::vector<StateArray> altered(std::vector<StateArray> state, const std::string& name, F f) {
  for (StateArray& a : state)
    if (a.name == name) {
      std::vector<T> v;
      a.to(v);
      f(v);
      a = StateArray::of(name, v);
    }
  return state;
}

TEST(Checkpoint, RefusesStateThatDoesNotFitAndChangesNothing) {
  const ScenarioConfig cfg = test::ci_scenario(600);
  Simulation sim(cfg, make_cpu_backend(2));
  for (int k = 0; k < 10; ++k) sim.step();
  const std::vector<StateArray> good = sim.save_state();
  const std::vector<std::pair<std::string, std::vector<StateArray>>> bad = {
      {"missing",
       [&] {
         auto s = good;
         s.erase(s.begin());
         return s;
       }()},
      {"shorter", altered<float>(good, "x", [](auto& v) { v.pop_back(); })},
      {"NaN position", altered<float>(good, "x", [](auto& v) { v[3] = std::nanf(""); })},
      {"huge morale", altered<float>(good, "morale", [](auto& v) { v[0] = 1e30f; })},
      {"target out of range",
       altered<std::int32_t>(good, "target", [](auto& v) { v[1] = 1 << 30; })},
      {"status unknown", altered<std::uint8_t>(good, "status", [](auto& v) { v[2] = 9; })},
      {"another side", altered<std::uint8_t>(good, "side", [](auto& v) { v[0] ^= 1; })},
      {"another terrain", altered<std::uint8_t>(good, "terrain", [](auto& v) { v[5] = 4 - v[5]; })},
      {"future sighting", altered<std::int32_t>(good, "seen_step_0", [](auto& v) { v[0] = 1000; })},
      {"step counter", altered<std::uint32_t>(good, "step", [](auto& v) { v[0] = 11; })},
      {"negative budget", altered<std::int64_t>(good, "budget_fired", [](auto& v) { v[0] = -5; })},
      {"commander companies",
       altered<std::int32_t>(good, "commander0.company", [](auto& v) { v[0] += 1; })},
  };
  for (const auto& [what, state] : bad) {
    EXPECT_THROW(sim.load_state(10, state), CheckpointError) << what;
    expect_same_state(good, sim.save_state(), 10);
  }
  EXPECT_THROW(sim.load_state(cfg.steps() + 1, good), CheckpointError) << "step past the end";
  EXPECT_NO_THROW(sim.load_state(10, good));
}

TEST(Checkpoint, FileErrorsNameTheProblem) {
  const std::string junk = test::temp_path("junk.checkpoint");
  {
    std::FILE* f = std::fopen(junk.c_str(), "wb");
    std::fputs("not hdf5 at all", f);
    std::fclose(f);
  }
  try {
    read_checkpoint_header(junk);
    FAIL() << "accepted a text file";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("not an HDF5 file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_checkpoint_header(test::temp_path("no_such.checkpoint")), CheckpointError);
}

}  // namespace
}  // namespace salient
