// Tests of scenario loading and validation (host/config.cpp).
//
// tests/config/good.toml is a valid scenario; every tests/config/bad/*.toml has exactly one
// defect and starts with "# expect-line: N" and "# expect-key: KEY": loading it must fail with
// a ConfigError that names FILE:N: and KEY.
#include "host/config.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#ifndef SALIENT_TEST_DATA_DIR
#error "SALIENT_TEST_DATA_DIR must name the tests/config folder"
#endif

namespace {

namespace fs = std::filesystem;
using salient::ConfigError;
using salient::load_scenario;
using salient::parse_scenario;

const std::string kDataDir = SALIENT_TEST_DATA_DIR;
const std::string kGood = kDataDir + "/good.toml";

/// A bad scenario file and what its header says the error must contain.
struct BadCase {
  std::string path;
  std::string line;  ///< expected line, as text
  std::string key;   ///< expected dotted key
};

std::vector<BadCase> bad_cases() {
  std::vector<BadCase> cases;
  for (const auto& e : fs::directory_iterator(kDataDir + "/bad")) {
    if (e.path().extension() != ".toml") continue;
    std::ifstream in(e.path());
    std::string l1, l2;
    std::getline(in, l1);
    std::getline(in, l2);
    const std::string p1 = "# expect-line: ", p2 = "# expect-key: ";
    BadCase c{e.path().string(), "", ""};
    if (l1.rfind(p1, 0) == 0) c.line = l1.substr(p1.size());
    if (l2.rfind(p2, 0) == 0) c.key = l2.substr(p2.size());
    cases.push_back(c);
  }
  std::sort(cases.begin(), cases.end(), [](auto& a, auto& b) { return a.path < b.path; });
  return cases;
}

/// The message of the ConfigError thrown by f, or "" (with a test failure) if none was thrown.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError thrown";
  return "";
}

std::string error_of_text(const std::string& text) {
  return error_of([&] { parse_scenario(text, "t.toml"); });
}

/// A minimal valid scenario, to which tests append or in which they replace text.
const std::string kMinimal = R"([run]
seed = 1
duration = 600.0
[region]
width = 2000.0
height = 2000.0
[[side]]
name = "a"
count = 5
start_zone = [0, 0, 100, 100]
objective = [1900, 1900, 2000, 2000]
[[side]]
name = "b"
count = 6
start_zone = [1900, 1900, 2000, 2000]
objective = [0, 0, 100, 100]
)";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  auto i = s.find(from);
  EXPECT_NE(i, std::string::npos) << from;
  return i == std::string::npos ? s : s.replace(i, from.size(), to);
}

TEST(Config, GoodFileLoads) {
  const salient::ScenarioConfig c = load_scenario(kGood);
  EXPECT_EQ(c.path, kGood);
  EXPECT_NE(c.text.find("[[side]]"), std::string::npos);
  EXPECT_EQ(c.seed, 42u);
  EXPECT_DOUBLE_EQ(c.dt, 10.0);
  EXPECT_DOUBLE_EQ(c.duration, 600.0);
  EXPECT_EQ(c.steps(), 60);
  EXPECT_EQ(c.snapshot_every, 30);
  EXPECT_EQ(c.record_every, 2);
  EXPECT_TRUE(c.snapshot_agents);
  EXPECT_DOUBLE_EQ(c.width, 2000.0);
  EXPECT_DOUBLE_EQ(c.height, 2000.0);
  EXPECT_DOUBLE_EQ(c.cell_size, 25.0);
  EXPECT_EQ(c.region_seed, 7u);
  EXPECT_DOUBLE_EQ(c.forest_fraction, 0.3);
  EXPECT_EQ(c.settlements, 3);
  EXPECT_DOUBLE_EQ(c.settlement_radius, 150.0);
  EXPECT_EQ(c.rivers, 0);
  EXPECT_DOUBLE_EQ(c.river_width, 20.0);
  EXPECT_FALSE(c.roads);
  EXPECT_DOUBLE_EQ(c.terrain[1].cover, 0.5);
  EXPECT_DOUBLE_EQ(c.terrain[1].concealment, 0.7);
  EXPECT_DOUBLE_EQ(c.terrain[1].speed, 0.4);
  EXPECT_DOUBLE_EQ(c.terrain[2].cover, 0.65);
  EXPECT_DOUBLE_EQ(c.terrain[2].concealment, 0.5);  // default kept
  EXPECT_DOUBLE_EQ(c.terrain[4].speed, 1.5);        // default kept
  EXPECT_DOUBLE_EQ(c.control_radius, 50.0);
  EXPECT_DOUBLE_EQ(c.jitter, 1.5);
  EXPECT_DOUBLE_EQ(c.suppression_tau, 60.0);  // default kept
  ASSERT_EQ(c.sides.size(), 2u);
  EXPECT_EQ(c.sides[0].name, "attacker");
  EXPECT_EQ(c.sides[0].count, 50);
  EXPECT_DOUBLE_EQ(c.sides[0].start_zone.x1, 400.0);
  EXPECT_DOUBLE_EQ(c.sides[0].start_zone.y1, 2000.0);
  EXPECT_DOUBLE_EQ(c.sides[0].objective.x0, 1600.0);
  EXPECT_DOUBLE_EQ(c.sides[0].speed, 1.2);
  EXPECT_DOUBLE_EQ(c.sides[0].morale_break, 0.3);
  EXPECT_DOUBLE_EQ(c.sides[0].morale_rally, 0.7);
  EXPECT_EQ(c.sides[1].name, "defender");
  EXPECT_EQ(c.sides[1].count, 50);
  EXPECT_DOUBLE_EQ(c.sides[1].accuracy, 0.15);
  EXPECT_DOUBLE_EQ(c.sides[1].weapon_range, 400.0);  // default kept
  // Fire support: policies by name and side, assets with kind-specific defaults.
  ASSERT_EQ(c.targeting.size(), 2u);
  EXPECT_EQ(c.targeting[0].kind, 0);
  EXPECT_DOUBLE_EQ(c.targeting[0].safe_distance, 150.0);
  EXPECT_EQ(c.targeting[1].kind, 1);
  EXPECT_DOUBLE_EQ(c.targeting[1].safe_distance, 0.0);  // default: ignore own troops
  ASSERT_EQ(c.assets.size(), 2u);
  EXPECT_EQ(c.assets[0].name, "artillery_0");
  EXPECT_EQ(c.assets[0].kind, 0);
  EXPECT_EQ(c.assets[0].policy, 0);
  EXPECT_DOUBLE_EQ(c.assets[0].x, -3000.0);
  EXPECT_DOUBLE_EQ(c.assets[0].per_day, 500.0);
  EXPECT_DOUBLE_EQ(c.assets[0].cep, 120.0);  // artillery default
  EXPECT_EQ(c.assets[1].name, "glide_bombs");
  EXPECT_EQ(c.assets[1].kind, 1);
  EXPECT_EQ(c.assets[1].policy, 1);
  EXPECT_DOUBLE_EQ(c.assets[1].per_day, 24.0);
  EXPECT_DOUBLE_EQ(c.assets[1].cep, 30.0);  // air default
}

TEST(Config, MinimalScenarioKeepsDefaults) {
  const salient::ScenarioConfig c = parse_scenario(kMinimal, "m.toml");
  const salient::ScenarioConfig d;
  EXPECT_EQ(c.path, "m.toml");
  EXPECT_EQ(c.text, kMinimal);
  EXPECT_DOUBLE_EQ(c.dt, d.dt);
  EXPECT_DOUBLE_EQ(c.cell_size, d.cell_size);
  EXPECT_EQ(c.region_seed, d.region_seed);
  EXPECT_DOUBLE_EQ(c.terrain[3].speed, d.terrain[3].speed);
  EXPECT_DOUBLE_EQ(c.arrive_radius, d.arrive_radius);
  EXPECT_EQ(c.sides[1].count, 6);
}

TEST(Config, BadFilesFailWithLineAndKey) {
  const auto cases = bad_cases();
  EXPECT_GE(cases.size(), 12u) << "too few bad scenario files in " << kDataDir << "/bad";
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    ASSERT_FALSE(c.line.empty()) << "missing '# expect-line: N' header";
    ASSERT_FALSE(c.key.empty()) << "missing '# expect-key: KEY' header";
    const std::string msg = error_of([&] { load_scenario(c.path); });
    EXPECT_EQ(msg.rfind(c.path + ":" + c.line + ":", 0), 0u) << msg;
    EXPECT_NE(msg.find(": " + c.key + ": "), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(Config, MisspelledKeySuggestsClosest) {
  const std::string msg =
      error_of([] { load_scenario(kDataDir + "/bad/01_misspelled_count.toml"); });
  EXPECT_NE(msg.find("side[1].cont: unknown key; did you mean 'count'?"), std::string::npos) << msg;
  EXPECT_NE(error_of_text(kMinimal + "[Model]\n").find("unknown table; did you mean 'model'?"),
            std::string::npos);
  const std::string far = error_of_text(replaced(kMinimal, "seed = 1", "seed = 1\nzzzzzz = 2"));
  EXPECT_NE(far.find("t.toml:3:1: run.zzzzzz: unknown key; allowed: seed, dt, duration"),
            std::string::npos)
      << far;
}

TEST(Config, MessagesSayWhatWasExpectedAndGot) {
  EXPECT_EQ(error_of_text(replaced(kMinimal, "[region]", "dt = -5\n[region]")),
            "t.toml:4:6: run.dt: expected a number in (0, 600] seconds, got -5");
  EXPECT_EQ(
      error_of_text(replaced(kMinimal, "count = 5", "count = \"5\"")),
      "t.toml:9:9: side[0].count: expected an integer in [1, 100000000], got a string (\"5\")");
  EXPECT_EQ(error_of_text(replaced(kMinimal, "seed = 1", "seed = 1.0")),
            "t.toml:2:8: run.seed: expected an integer >= 0, got a float (1)");
  EXPECT_EQ(error_of_text(replaced(kMinimal, "seed = 1\n", "")),
            "t.toml:1:1: run.seed: required key is missing");
  EXPECT_EQ(error_of_text("a = = 1\n").rfind("t.toml:1:5: (syntax): ", 0), 0u);
  EXPECT_EQ(error_of_text(""), "t.toml:1:1: run: required key is missing");
}

TEST(Config, IntegersAcceptedForFloatsButNotOtherTypes) {
  EXPECT_DOUBLE_EQ(parse_scenario(replaced(kMinimal, "600.0", "600"), "t").duration, 600.0);
  // An integer no double holds exactly (found by fuzz_scenario): a range error, not a crash.
  EXPECT_NE(error_of_text(replaced(kMinimal, "[region]", "dt = 9223372036854775807\n[region]"))
                .find(": run.dt: expected a number in (0, 600] seconds, got "),
            std::string::npos);
  const std::string big = "9223372036854775807";
  EXPECT_NE(error_of_text(replaced(kMinimal, "start_zone = [0, 0, 100, 100]",
                                   "start_zone = [0, 0, 1, " + big + "]"))
                .find("expected a number in [-1e7, 1e7], got "),
            std::string::npos);
  for (const char* v : {"true", "\"10\"", "[10]", "{ a = 1 }", "1979-05-27", "nan", "inf"}) {
    SCOPED_TRACE(v);
    std::string msg =
        error_of_text(replaced(kMinimal, "[region]", "dt = " + std::string(v) + "\n[region]"));
    EXPECT_NE(msg.find(": run.dt: expected a number in (0, 600] seconds"), std::string::npos)
        << msg;
  }
}

TEST(Config, RangesAndCrossChecks) {
  auto fails = [](const std::string& text, const std::string& key) {
    const std::string msg = error_of_text(text);
    EXPECT_NE(msg.find(": " + key + ": "), std::string::npos) << msg;
  };
  fails(replaced(kMinimal, "[region]", "dt = 600.5\n[region]"), "run.dt");
  fails(replaced(kMinimal, "[region]", "snapshot_every = 0\n[region]"), "run.snapshot_every");
  fails(replaced(kMinimal, "width = 2000.0", "width = 499"), "region.width");
  fails(replaced(kMinimal, "[[side]]", "forest_fraction = 0.95\n[[side]]"),
        "region.forest_fraction");
  fails(replaced(kMinimal, "[[side]]", "rivers = 21\n[[side]]"), "region.rivers");
  fails(replaced(kMinimal, "[[side]]", "roads = 1\n[[side]]"), "region.roads");
  fails(kMinimal + "wound_damage = 0\n", "side[1].wound_damage");
  fails(kMinimal + "speed = 20.5\n", "side[1].speed");
  fails(kMinimal + "name2 = 1\n", "side[1].name2");
  fails(replaced(kMinimal, "\"a\"", "\"a-b\""), "side[0].name");
  fails(replaced(kMinimal, "\"a\"", "\"a234567890123456789012345678901234\""), "side[0].name");
  fails(replaced(kMinimal, "\"a\"", "\"\""), "side[0].name");
  fails(replaced(kMinimal, "[0, 0, 100, 100]", "[0, 0, 100, \"x\"]"), "side[0].start_zone");
  fails(replaced(kMinimal, "[0, 0, 100, 100]", "[-1, 0, 100, 100]"), "side[0].start_zone");
  fails(kMinimal + "[terrain]\nswamp = {}\n", "terrain.swamp");
  fails(kMinimal + "[terrain]\nforest = 1\n", "terrain.forest");
  fails(kMinimal + "[model]\nsuppression_tau = 0\n", "model.suppression_tau");
  fails(kMinimal + "[model]\ncontrol_radius = 5001\n", "model.control_radius");
  fails(kMinimal + "[[side]]\nname = \"c\"\n", "side");
  fails("side = 3\n" + kMinimal.substr(0, kMinimal.find("[[side]]")), "side");
  fails("seed = 1\n" + kMinimal, "seed");
}

TEST(Config, SidesAsInlineTablesAreAccepted) {
  const std::string text = R"(side = [
  { name = "x", count = 1, start_zone = [0, 0, 1, 1], objective = [0, 0, 1, 1] },
  { name = "y", count = 2, start_zone = [0, 0, 1, 1], objective = [0, 0, 1, 1] },
]
[run]
seed = 3
duration = 10
[region]
width = 500
height = 500
)";
  const auto c = parse_scenario(text, "t");
  EXPECT_EQ(c.sides[1].name, "y");
  EXPECT_EQ(c.sides[1].count, 2);
}

/// good.toml's text with one misspelt key ("jiter" for "jitter").
std::string kGoodTextWithTypo() {
  std::ifstream in(kGood);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto i = text.find("jitter");
  return text.replace(i, 6, "jiter");
}

/// Writes `text` to a fresh file in a temporary folder; returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("salient-config-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / name) << text;
  return (dir / name).string();
}

// A variant names a base scenario: its tables merge over the base's, a [[side]] with a base
// side's name changes that side only, `drop` removes top-level keys of the base, and the
// merged scenario stored for the output reads back as the same scenario.
TEST(Config, VariantOverridesItsBase) {
  const std::string variant =
      write_temp("variant.toml", "base = \"" + kGood +
                                     "\"\n"
                                     "drop = [\"air\"]\n"
                                     "[run]\nduration = 1200.0\n"
                                     "[[side]]\nname = \"defender\"\ncount = 70\n");
  const salient::ScenarioConfig base = load_scenario(kGood), c = load_scenario(variant);
  EXPECT_DOUBLE_EQ(c.duration, 1200.0);
  EXPECT_DOUBLE_EQ(c.dt, base.dt);  // kept from the base
  ASSERT_EQ(c.sides.size(), 2u);
  EXPECT_EQ(c.sides[0].count, base.sides[0].count);
  EXPECT_EQ(c.sides[1].count, 70);
  EXPECT_DOUBLE_EQ(c.sides[1].accuracy, base.sides[1].accuracy);  // the rest of that side kept
  ASSERT_EQ(c.assets.size(), 1u);  // the [[air]] table dropped, the [[artillery]] kept
  EXPECT_EQ(c.assets[0].kind, 0);
  EXPECT_EQ(c.path, variant);
  const salient::ScenarioConfig again = parse_scenario(c.text, variant);
  EXPECT_EQ(again.sides[1].count, 70);
  EXPECT_DOUBLE_EQ(again.duration, 1200.0);
  EXPECT_EQ(again.assets.size(), 1u);
}

// "KEY.NAME" in drop removes one named element of an array of tables.
TEST(Config, VariantDropsANamedElement) {
  const std::string variant =
      write_temp("drop_one.toml", "base = \"" + kGood + "\"\ndrop = [\"air.glide_bombs\"]\n");
  const salient::ScenarioConfig c = load_scenario(variant);
  ASSERT_EQ(c.assets.size(), 1u);
  EXPECT_EQ(c.assets[0].kind, 0);
  const std::string wrong =
      write_temp("drop_wrong.toml", "base = \"" + kGood + "\"\ndrop = [\"air.no_such\"]\n");
  EXPECT_NE(error_of([&] { load_scenario(wrong); }).find("KEY.NAME"), std::string::npos);
}

// Errors in a base file name that file and line; a base chain may not loop; `drop` needs a
// base and names only keys it has.
TEST(Config, VariantErrorsNameTheirFile) {
  const std::string bad_base = write_temp("bad_base.toml", kGoodTextWithTypo());
  const std::string v1 = write_temp("v1.toml", "base = \"bad_base.toml\"\n");
  EXPECT_NE(error_of([&] { load_scenario(v1); }).find(bad_base + ":"), std::string::npos);
  const std::string loop = write_temp("loop.toml", "base = \"loop.toml\"\n");
  EXPECT_NE(error_of([&] { load_scenario(loop); }).find("does not include itself"),
            std::string::npos);
  const std::string no_base = write_temp("no_base.toml", "drop = [\"air\"]\n");
  EXPECT_NE(error_of([&] { load_scenario(no_base); }).find("drop"), std::string::npos);
  const std::string unknown =
      write_temp("unknown.toml", "base = \"" + kGood + "\"\ndrop = [\"navy\"]\n");
  EXPECT_NE(error_of([&] { load_scenario(unknown); }).find(unknown + ":2:"), std::string::npos);
  const std::string missing = write_temp("missing.toml", "base = \"nowhere.toml\"\n");
  EXPECT_NE(error_of([&] { load_scenario(missing); }).find("cannot read the base scenario"),
            std::string::npos);
  // A base that is not a regular file is refused at once (reading /dev/zero would not end).
  const std::string device = write_temp("device.toml", "base = \"/dev/zero\"\n");
  EXPECT_NE(error_of([&] { load_scenario(device); }).find("not a regular file"), std::string::npos);
}

TEST(Config, UnreadableFile) {
  const std::string missing = kDataDir + "/no_such_file.toml";
  EXPECT_EQ(error_of([&] { load_scenario(missing); }),
            missing + ": cannot read file: no such file");
  EXPECT_EQ(error_of([&] { load_scenario(kDataDir); }),
            kDataDir + ": cannot read file: not a regular file");
  // A device would never end: it is refused before reading, as a scenario and as a base.
  EXPECT_EQ(error_of([] { load_scenario("/dev/zero"); }),
            "/dev/zero: cannot read file: not a regular file");
  const std::string dev = write_temp("dev.toml", "base = \"/dev/zero\"\n");
  EXPECT_NE(error_of([&] { load_scenario(dev); }).find("not a regular file"), std::string::npos);
}

TEST(Config, DeeplyDottedKeysAreRefusedBeforeParsing) {
  std::string key = "a";
  for (int i = 0; i < 100000; ++i) key += ".a";
  const std::string msg = error_of_text(kMinimal + key + " = 1\n");
  EXPECT_NE(msg.find("t.toml:17:1: (syntax): expected a key or table header of at most 64 dotted"),
            std::string::npos)
      << msg.substr(0, 300);
  EXPECT_NE(error_of_text("[" + key + "]\n").find("t.toml:1:1: (syntax)"), std::string::npos);
  // Dots in strings, comments, numbers and values are not key parts.
  const std::string dots(200, '.');
  const std::string ok = replaced(kMinimal, "seed = 1",
                                  "seed = 1 # " + dots + "\n\"" + dots + "\" = 1.5\n" +
                                      "x = [1.5, \"\"\"\n" + dots + "\n\"\"\"]");
  const std::string msg2 = error_of_text(ok);  // fails later, as an unknown key
  EXPECT_NE(msg2.find("unknown key"), std::string::npos) << msg2.substr(0, 300);
}

TEST(Config, LongKeysAndStringsAreCutInMessages) {
  const std::string msg = error_of_text(
      replaced(kMinimal, "seed = 1", "seed = 1\n" + std::string(100000, 'k') + " = 1"));
  EXPECT_LT(msg.size(), 400u);
  EXPECT_NE(msg.find(": run." + std::string(96, 'k') + "...: unknown key"), std::string::npos)
      << msg;
}

#ifdef SALIENT_EXE
/// Runs `salient validate FILE`, returns (exit status, stdout+stderr).
std::pair<int, std::string> validate(const std::string& file) {
  const std::string cmd = std::string("'") + SALIENT_EXE + "' validate '" + file + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

TEST(Config, ValidateCommand) {
  auto [good_rc, good_out] = validate(kGood);
  EXPECT_EQ(good_rc, 0) << good_out;
  const auto cases = bad_cases();
  EXPECT_GE(cases.size(), 12u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path);
    auto [rc, out] = validate(c.path);
    EXPECT_EQ(rc, 2) << out;
    EXPECT_NE(out.find(c.path + ":" + c.line + ":"), std::string::npos) << out;
    EXPECT_NE(out.find(c.key), std::string::npos) << out;
    for (const char* crash : {"AddressSanitizer", "runtime error:", "terminate called"})
      EXPECT_EQ(out.find(crash), std::string::npos) << out;
  }
}
#endif

}  // namespace
