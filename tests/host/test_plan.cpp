// Plans (host/plan.h), scenario overrides (host/config.h) and running a plan's tasks
// (host/ensemble.h).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "host/ensemble.h"
#include "host/plan.h"
#include "tests/host/h5_read.h"

namespace salient {
namespace {
namespace fs = std::filesystem;

const std::string kCi = std::string(SALIENT_SOURCE_DIR) + "/configs/ci.toml";

/// A fresh folder under the system's temporary folder.
std::string temp_dir(const std::string& name) {
  const fs::path p =
      fs::temp_directory_path() / ("salient_plan_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Override, SetsKeysByNameIndexAndInTablesTheFileLacks) {
  const ScenarioConfig base = load_scenario(kCi);
  const ScenarioConfig cfg =
      load_scenario(kCi, {{"side.defender.count", 123},
                          {"side[0].accuracy", 0.25},
                          {"model.jitter", 3.5},
                          {"artillery.artillery_1.rounds_per_day", 77}});  // default name
  EXPECT_EQ(cfg.sides[1].count, 123);
  ASSERT_GE(cfg.assets.size(), 2u);
  EXPECT_EQ(cfg.assets[1].per_day, 77);
  EXPECT_NE(cfg.assets[0].per_day, 77);
  EXPECT_EQ(cfg.sides[0].accuracy, 0.25);
  EXPECT_EQ(cfg.jitter, 3.5);
  EXPECT_EQ(cfg.sides[0].count, base.sides[0].count);
  // The stored scenario reproduces the run: it names the overrides and holds the values.
  EXPECT_NE(cfg.text.find("side.defender.count = 123"), std::string::npos);
  EXPECT_NE(load_scenario(kCi).text, cfg.text);
}

TEST(Override, RejectsKeysThatCannotHoldANumberAndValuesOutOfRange) {
  EXPECT_THROW(load_scenario(kCi, {{"side.nobody.count", 1}}), ConfigError);
  EXPECT_THROW(load_scenario(kCi, {{"side[5].count", 1}}), ConfigError);
  EXPECT_THROW(load_scenario(kCi, {{"side.defender.name", 1}}), ConfigError);  // a string
  EXPECT_THROW(load_scenario(kCi, {{"model.no_such_key", 1}}), ConfigError);   // strict check
  EXPECT_THROW(load_scenario(kCi, {{"nosuchtable.x", 1}}), ConfigError);
  EXPECT_THROW(load_scenario(kCi, {{"side.defender.count", 12.5}}), ConfigError);  // integer
  try {
    load_scenario(kCi, {{"side.defender.accuracy", 7}});
    FAIL() << "accuracy 7 accepted";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("override"), std::string::npos) << msg;
    EXPECT_NE(msg.find("accuracy"), std::string::npos) << msg;
  }
}

PlanRequest request(const std::string& dir) {
  PlanRequest r;
  r.scenario = kCi;
  r.output = dir + "/sweep.toml";
  r.replicates = 3;
  r.vary = {"model.control_radius=50:100", "side.defender.count=200:400"};
  r.design = "olh";
  return r;
}

TEST(Plan, TasksCoverPointsTimesReplicatesWithDistinctReproducibleSeeds) {
  const std::string dir = temp_dir("layout");
  const Plan p = make_plan(request(dir));
  ASSERT_EQ(p.points, 5);  // Ye's design for 2 factors: 2^2 + 1 runs
  ASSERT_EQ(p.tasks.size(), 15u);
  std::set<std::uint64_t> seeds;
  for (const PlanTask& t : p.tasks) {
    EXPECT_EQ(t.id, t.point * 3 + t.replicate);
    EXPECT_EQ(t.seed, task_seed(p.seed, t.point, t.replicate));
    seeds.insert(t.seed);
    ASSERT_EQ(t.values.size(), 2u);
    EXPECT_GE(t.values[0], 50.0);
    EXPECT_LE(t.values[0], 100.0);
    EXPECT_EQ(t.values[1], std::rint(t.values[1])) << "count is an integer key";
  }
  EXPECT_EQ(seeds.size(), 15u);
  // The same request writes the same file; another seed other task seeds.
  for (const char* sub : {"/a", "/b"}) {
    fs::create_directories(dir + sub);
    write_plan(make_plan(request(dir + sub)), dir + sub + "/sweep.toml");
  }
  EXPECT_EQ(slurp(dir + "/a/sweep.toml"), slurp(dir + "/b/sweep.toml"));
  PlanRequest other = request(dir);
  other.seed_given = true;
  other.seed = 12345;
  EXPECT_NE(make_plan(other).tasks[0].seed, p.tasks[0].seed);
}

TEST(Plan, ReadsBackWhatItWroteAndRefusesAChangedScenario) {
  const std::string dir = temp_dir("roundtrip");
  fs::copy_file(kCi, dir + "/scenario.toml");
  PlanRequest r = request(dir);
  r.scenario = dir + "/scenario.toml";
  const Plan p = make_plan(r);
  write_plan(p, r.output);
  const Plan q = read_plan(r.output);
  ASSERT_EQ(q.tasks.size(), p.tasks.size());
  for (std::size_t i = 0; i < p.tasks.size(); ++i) {
    EXPECT_EQ(q.tasks[i].seed, p.tasks[i].seed);
    EXPECT_EQ(q.tasks[i].values, p.tasks[i].values);
  }
  EXPECT_TRUE(fs::equivalent(q.scenario_file(), dir + "/scenario.toml")) << q.scenario_file();
  std::ofstream(dir + "/scenario.toml", std::ios::app) << "\n# edited\n";
  EXPECT_THROW(read_plan(r.output), PlanError);
}

TEST(Plan, UnknownOrNonNumericFactorFailsBeforeAnythingIsWritten) {
  const std::string dir = temp_dir("badkey");
  for (const char* bad : {"model.control_radus=1:2", "side.nobody.count=1:2",
                          "side.defender.name=1:2", "side.defender.count=-5:10"}) {
    PlanRequest r = request(dir);
    r.vary = {bad};
    EXPECT_THROW(make_plan(r), ConfigError) << bad;
  }
  PlanRequest r = request(dir);
  r.vary = {"model.control_radius=100:50"};
  EXPECT_THROW(make_plan(r), PlanError);
  r.vary = {"model.control_radius"};
  EXPECT_THROW(make_plan(r), PlanError);
  EXPECT_FALSE(fs::exists(r.output));
}

/// The message of the exception that reading the plan at `path` throws ("" if none).
std::string read_error(const std::string& path) {
  try {
    read_plan(path);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

/// `text` with its first `from` replaced by `to` (`from` must occur).
std::string edited(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(Plan, ReadingChecksTaskPlacesValuesAndFactorsAgainstTheScenario) {
  const std::string dir = temp_dir("hostile");
  fs::copy_file(kCi, dir + "/scenario.toml");
  PlanRequest r = request(dir);
  r.scenario = dir + "/scenario.toml";
  r.vary = {"side.defender.count=200:400"};
  r.design = "grid";
  r.levels = 2;
  r.replicates = 2;
  write_plan(make_plan(r), r.output);
  const std::string text = slurp(r.output);
  const std::string bad = dir + "/bad.toml";
  const std::pair<std::string, std::string> cases[] = {
      {edited(text, "id = 1\npoint = 0\nreplicate = 1", "id = 1\npoint = 0\nreplicate = 0"),
       "task[1].id: expected id = point x replicates + replicate (0), got 1"},
      {edited(text, "values = [ 400.0 ]", "values = [ 1e9 ]"),
       "task[2].values: expected a whole number in [200, 400] for side.defender.count"},
      {edited(text, "values = [ 400.0 ]", "values = [ 250.5 ]"), "got 250.5"},
      {edited(text, "key = 'side.defender.count'", "key = 'side.defender.cont'"),
       "factor[0].lo: the scenario refuses this factor: "},
      {edited(text, "key = 'side.defender.count'", "key = 'side[-1].count'"),
       "factor[0].key: the scenario refuses this factor: "},
      {edited(text, "scenario = 'scenario.toml'", "scenario = '/dev/zero'"),
       ": its scenario is not valid: /dev/zero: cannot read file: not a regular file"},
  };
  for (const auto& [plan_text, want] : cases) {
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << plan_text;
    const std::string msg = read_error(bad);
    EXPECT_EQ(msg.rfind(bad + ":", 0), 0u) << msg;
    EXPECT_NE(msg.find(want), std::string::npos) << msg;
  }
  EXPECT_EQ(read_error(r.output), "");
}

TEST(Plan, TaskRunsIntoItsOwnFileOnceAndCarriesItsPlace) {
  const std::string dir = temp_dir("run");
  PlanRequest r = request(dir);
  r.replicates = 1;
  r.vary = {"side.defender.count=200:400"};
  r.design = "grid";
  r.levels = 2;
  const Plan p0 = make_plan(r);
  write_plan(p0, r.output);
  const Plan p = read_plan(r.output);
  TaskOptions opt;
  opt.backend = "cpu";
  const std::string out = task_file(p.output_folder(), 1);
  // A killed attempt's leftover temporary file is replaced.
  fs::create_directories(p.output_folder());
  std::ofstream(task_temp_file(p.output_folder(), 1)) << "garbage";
  ASSERT_EQ(run_task(p, 1, opt), TaskOutcome::kDone);
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(task_temp_file(p.output_folder(), 1)));
  const auto before = fs::last_write_time(out);
  EXPECT_EQ(run_task(p, 1, opt), TaskOutcome::kAlreadyComplete);
  EXPECT_EQ(fs::last_write_time(out), before);
  // The run is the scenario with the task's value and seed: the same as running it directly.
  ScenarioConfig cfg = load_scenario(kCi, {{"side.defender.count", 400}});
  cfg.seed = p.tasks[1].seed;
  const std::string direct = dir + "/direct.h5";
  RunOptions ro;
  ro.output = direct;
  ro.backend = "cpu";
  ro.quiet = true;
  run_scenario(cfg, ro);
  EXPECT_EQ(test::read_datasets(out, {"/timeseries", "/data"}),
            test::read_datasets(direct, {"/timeseries", "/data"}));
  EXPECT_THROW(run_task(p, 2, opt), PlanError);
}

}  // namespace
}  // namespace salient
