// HDF5 output: round trip of a snapshot, openPMD 1.1 attributes, time series, no overwrite.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "h5_read.h"
#include "host/output.h"
#include "host/sha256.h"

namespace salient {
namespace {

/// True if object `obj_path` in `file` has attribute `name`.
bool has_attr(hid_t file, const std::string& obj_path, const char* name) {
  return H5Aexists_by_name(file, obj_path.c_str(), name, H5P_DEFAULT) > 0;
}

/// Reads a fixed-length string attribute.
std::string str_attr(hid_t file, const std::string& obj_path, const char* name) {
  hid_t a = H5Aopen_by_name(file, obj_path.c_str(), name, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0) return "<missing>";
  hid_t t = H5Aget_type(a);
  std::string s(H5Tget_size(t), '\0');
  H5Aread(a, t, s.data());
  H5Tclose(t);
  H5Aclose(a);
  return s.substr(0, s.find('\0'));
}

/// HDF5 class and size of an attribute's type.
std::pair<H5T_class_t, size_t> attr_type(hid_t file, const std::string& obj_path, const char* n) {
  hid_t a = H5Aopen_by_name(file, obj_path.c_str(), n, H5P_DEFAULT, H5P_DEFAULT);
  if (a < 0) return {H5T_NO_CLASS, 0};
  hid_t t = H5Aget_type(a);
  std::pair<H5T_class_t, size_t> r{H5Tget_class(t), H5Tget_size(t)};
  H5Tclose(t);
  H5Aclose(a);
  return r;
}

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Output, OpenPmdAttributesPresent) {
  const std::string path = test::run_to_file(test::ci_scenario(), "openpmd.h5");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  EXPECT_EQ(str_attr(f, "/", "openPMD"), "1.1.0");
  EXPECT_EQ(attr_type(f, "/", "openPMDextension"), std::make_pair(H5T_INTEGER, size_t(4)));
  EXPECT_EQ(str_attr(f, "/", "basePath"), "/data/%T/");
  EXPECT_EQ(str_attr(f, "/", "meshesPath"), "meshes/");
  EXPECT_EQ(str_attr(f, "/", "particlesPath"), "particles/");
  EXPECT_EQ(str_attr(f, "/", "iterationEncoding"), "groupBased");
  EXPECT_EQ(str_attr(f, "/", "iterationFormat"), "/data/%T/");
  for (const char* it : {"/data/0", "/data/60"}) {
    for (const char* a : {"time", "dt", "timeUnitSI"}) EXPECT_TRUE(has_attr(f, it, a)) << it << a;
    const std::string m = std::string(it) + "/meshes/";
    for (const std::string rec : {"terrain", "control", "cover", "presence"}) {
      for (const char* a : {"geometry", "dataOrder", "axisLabels", "gridSpacing",
                            "gridGlobalOffset", "gridUnitSI", "unitDimension", "timeOffset"})
        EXPECT_TRUE(has_attr(f, m + rec, a)) << m + rec << " " << a;
    }
    for (const std::string comp : {"terrain", "control", "presence/attacker", "presence/defender"})
      for (const char* a : {"unitSI", "position"}) EXPECT_TRUE(has_attr(f, m + comp, a)) << comp;
    const std::string sp = std::string(it) + "/particles/agents/";
    for (const std::string rec : {"position", "positionOffset", "id", "side", "status"})
      for (const char* a : {"unitDimension", "timeOffset"}) EXPECT_TRUE(has_attr(f, sp + rec, a));
    for (const std::string comp : {"position/x", "position/y", "positionOffset/x", "id"})
      EXPECT_TRUE(has_attr(f, sp + comp, "unitSI")) << comp;
    EXPECT_TRUE(has_attr(f, sp + "positionOffset/x", "value"));
    EXPECT_TRUE(has_attr(f, sp + "positionOffset/x", "shape"));
  }
  H5Fclose(f);
}

TEST(Output, MetadataAndTimeSeries) {
  const ScenarioConfig cfg = test::ci_scenario(600);
  const std::string path = test::run_to_file(cfg, "series.h5");
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  EXPECT_EQ(str_attr(f, "/salient", "backend"), "cpu");
  EXPECT_EQ(str_attr(f, "/salient", "scenario_text"), cfg.text);
  EXPECT_EQ(str_attr(f, "/salient", "scenario_sha256"), sha256_hex(cfg.text));
  H5Fclose(f);

  const auto ds = test::read_datasets(path, {"/timeseries"});
  const std::size_t rows = cfg.steps() / cfg.record_every + 1;
  ASSERT_EQ(ds.at("/timeseries/time").size(), rows * sizeof(double));
  std::vector<std::int64_t> strength(rows * 2);
  std::memcpy(strength.data(), ds.at("/timeseries/strength").data(), strength.size() * 8);
  EXPECT_EQ(strength[0], cfg.sides[0].count);
  EXPECT_EQ(strength[1], cfg.sides[1].count);
  std::vector<double> time(rows);
  std::memcpy(time.data(), ds.at("/timeseries/time").data(), rows * 8);
  EXPECT_EQ(time.back(), cfg.duration);
}

TEST(Output, SnapshotRoundTrip) {
  RunMetadata meta;
  meta.sides = {"red", "blue"};
  meta.cell_size_m = 10;
  meta.dt_s = 5;
  meta.nx = 7;
  meta.ny = 3;
  RasterArrays raster;
  raster.resize(7, 3);
  for (std::size_t i = 0; i < raster.size(); ++i) {
    raster.terrain[i] = static_cast<std::uint8_t>(i % 5);
    raster.cover[i] = 0.1f * static_cast<float>(i);
    raster.control[i] = static_cast<std::int8_t>(static_cast<int>(i % 3) - 1);
    raster.presence[0][i] = static_cast<std::uint16_t>(i * 3);
    raster.presence[1][i] = static_cast<std::uint16_t>(1000 + i);
  }
  AgentArrays agents;
  agents.resize(4);
  for (int i = 0; i < 4; ++i) agents.x[i] = 1.5f * i, agents.morale[i] = 0.25f * i;
  const std::string path = test::temp_path("roundtrip.h5");
  {
    OutputFile out(path, false, meta);
    out.snapshot(42, 210.0, raster, &agents);
  }
  const auto ds = test::read_datasets(path);
  auto bytes = [](const auto& v) {
    const char* p = reinterpret_cast<const char*>(v.data());
    return std::vector<char>(p, p + v.size() * sizeof(v[0]));
  };
  EXPECT_EQ(ds.at("/data/42/meshes/terrain"), bytes(raster.terrain));
  EXPECT_EQ(ds.at("/data/42/meshes/cover"), bytes(raster.cover));
  EXPECT_EQ(ds.at("/data/42/meshes/control"), bytes(raster.control));
  EXPECT_EQ(ds.at("/data/42/meshes/presence/red"), bytes(raster.presence[0]));
  EXPECT_EQ(ds.at("/data/42/meshes/presence/blue"), bytes(raster.presence[1]));
  EXPECT_EQ(ds.at("/data/42/particles/agents/position/x"), bytes(agents.x));
  EXPECT_EQ(ds.at("/data/42/particles/agents/morale"), bytes(agents.morale));
}

TEST(Output, NeverOverwritesWithoutForce) {
  const std::string path = test::temp_path("exists.h5");
  { std::ofstream(path) << "precious"; }
  RunMetadata meta;
  meta.sides = {"a", "b"};
  EXPECT_THROW(OutputFile(path, false, meta), OutputError);
  std::ifstream in(path);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
  EXPECT_NO_THROW(OutputFile(path, true, meta));
}

// A run killed with SIGKILL keeps every snapshot written before the kill, readable, and the
// time series up to the last snapshot (DESIGN.md: flushed after every snapshot).
/// Starts `salient run cfg -o path` for 1,000 simulated hours in a child process, with a
/// snapshot every `snapshot_every` steps; returns its pid (-1 if fork failed).
pid_t start_long_run(const std::string& cfg, const std::string& path, const char* snapshot_every) {
  const pid_t pid = fork();
  if (pid == 0) {
    execl(SALIENT_EXE, SALIENT_EXE, "run", cfg.c_str(), "-o", path.c_str(), "--quiet", "--backend",
          "cpu", "--duration", "3600000", "--snapshot-every", snapshot_every, nullptr);
    _exit(127);
  }
  return pid;
}

TEST(Output, KilledRunKeepsFlushedSnapshots) {
  const std::string path = test::temp_path("killed.h5");
  const std::string cfg = test::source_dir() + "/configs/ci.toml";
  const pid_t pid = start_long_run(cfg, path, "20");
  ASSERT_GE(pid, 0);
  // Wait until a few snapshots exist, then kill without warning. Peeking at a file that is
  // being written needs HDF5's file locking off and may fail now and then: just retry.
  setenv("HDF5_USE_FILE_LOCKING", "FALSE", 1);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  auto snapshots_so_far = [&]() -> hsize_t {
    // File locking off for this open (the environment variable alone is read only when the
    // library starts, which an earlier test in this process may already have done).
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_file_locking(fapl, false, true);
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    if (f < 0) return 0;
    H5G_info_t info{};
    hsize_t n = 0;
    if (H5Gget_info_by_name(f, "/data", &info, H5P_DEFAULT) >= 0) n = info.nlinks;
    H5Fclose(f);
    return n;
  };
  for (int i = 0; i < 600 && snapshots_so_far() < 4; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run ended before it was killed";

  const auto ds = test::read_datasets(path);
  std::size_t snapshots = 0;
  for (const auto& [name, bytes] : ds)
    if (name.size() > 15 && name.substr(name.size() - 15) == "/meshes/control") {
      ++snapshots;
      EXPECT_EQ(bytes.size(), 120u * 80u) << name;  // 3000 x 2000 m at 25 m
    }
  EXPECT_GE(snapshots, 2u);
  // Time series rows reach at least the step of the last snapshot that was surely flushed:
  // the last visible one may have been caught between its writing and its flush.
  const auto& step = ds.at("/timeseries/step");
  ASSERT_GE(step.size(), 8u);
  std::int64_t last = 0;
  std::memcpy(&last, step.data() + step.size() - 8, 8);
  EXPECT_GE(last, static_cast<std::int64_t>((snapshots - 2) * 20));
}

// SIGTERM (or Ctrl-C) ends a run cleanly: exit 1, a snapshot of the step reached, and time
// series and events flushed up to it (snapshots here would come only every 100,000 steps).
TEST(Output, TerminatedRunWritesItsLastStep) {
  const std::string path = test::temp_path("terminated.h5");
  const std::string cfg = test::source_dir() + "/configs/ci.toml";
  std::filesystem::remove(path);
  const pid_t pid = start_long_run(cfg, path, "100000");
  ASSERT_GE(pid, 0);
  for (int i = 0; i < 600 && !std::filesystem::exists(path); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // some steps
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);  // issue 8: 143, after a clean close
  const auto ds = test::read_datasets(path);
  const auto step = test::column<std::int64_t>(ds, "/timeseries/step");
  ASSERT_GE(step.size(), 2u);
  const std::int64_t last = step.back();
  EXPECT_GT(last, 0);
  EXPECT_TRUE(ds.count("/data/" + std::to_string(last) + "/meshes/control"))
      << "a snapshot of the last step " << last;
}

}  // namespace
}  // namespace salient
