// `salient resume` (host/resume.h).
#include "resume.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "checkpoint.h"
#include "hdf5_read.h"
#include "sha256.h"
#include "version.h"

namespace salient {
namespace fs = std::filesystem;

namespace {

/// True for a run length the scenario validator would accept: > 0, at most 1e9 steps.
bool valid_duration(double duration_s, double dt_s) {
  return duration_s > 0 && duration_s / dt_s <= 1e9;
}

}  // namespace

ScenarioConfig read_run_scenario(const std::string& path, bool* complete) {
  AttributeReader r{"output '" + path + "'", -1};
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) r.fail("file", "missing or not a file");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0)
    r.fail("file",
           "not an HDF5 file, or one killed before its first flush (run the scenario again "
           "with --force)");
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) r.fail("file", "cannot open it as HDF5");
  Hdf5Handle file(f, H5Fclose);
  if (H5Lexists(f, "salient", H5P_DEFAULT) <= 0) r.fail("/salient", "group missing");
  const hid_t g = H5Gopen2(f, "salient", H5P_DEFAULT);
  if (g < 0) r.fail("/salient", "not a group");
  Hdf5Handle group(g, H5Gclose);
  r.obj = g;
  r.label += " /salient";
  const std::string text = r.text("scenario_text");
  const std::string scenario_path = r.text("scenario_path");
  ScenarioConfig cfg = parse_scenario(text, scenario_path);
  cfg.text = text;  // as stored: the checkpoint's digest is of this text
  cfg.seed = r.scalar<std::uint64_t>("seed", H5T_INTEGER, H5T_NATIVE_UINT64);
  cfg.duration = r.scalar<double>("duration_s", H5T_FLOAT, H5T_NATIVE_DOUBLE);
  cfg.snapshot_every = r.scalar<std::int64_t>("snapshot_every", H5T_INTEGER, H5T_NATIVE_INT64);
  cfg.record_every = r.scalar<std::int64_t>("record_every", H5T_INTEGER, H5T_NATIVE_INT64);
  cfg.checkpoint_every = r.scalar<std::int64_t>("checkpoint_every", H5T_INTEGER, H5T_NATIVE_INT64);
  if (!valid_duration(cfg.duration, cfg.dt))
    r.fail("duration_s", "expected a duration > 0 of at most 1e9 steps");
  if (cfg.snapshot_every < 1) r.fail("snapshot_every", "expected >= 1");
  if (cfg.record_every < 1) r.fail("record_every", "expected >= 1");
  if (cfg.checkpoint_every < 0) r.fail("checkpoint_every", "expected >= 0");
  const std::string region = r.text("region_file");
  if (!cfg.region_file.empty()) cfg.region_file = region;
  const auto done = r.scalar<std::uint8_t>("complete", H5T_INTEGER, H5T_NATIVE_UINT8);
  if (complete) *complete = done != 0;
  return cfg;
}

ResumeResult resume_run(const ResumeRequest& request) {
  const std::string& path = request.run.output;
  ResumeResult res;
  bool complete = false;
  res.cfg = read_run_scenario(path, &complete);
  ScenarioConfig& cfg = res.cfg;
  if (request.checkpoint_every) cfg.checkpoint_every = *request.checkpoint_every;
  const std::string ckpt = checkpoint_path(path);
  std::error_code ec;
  const bool have_checkpoint = fs::exists(ckpt, ec);
  CheckpointHeader header;
  if (have_checkpoint) {
    header = read_checkpoint_header(ckpt);
    if (header.scenario_sha256 != sha256_hex(cfg.text) || header.seed != cfg.seed)
      throw CheckpointError("checkpoint '" + ckpt + "': belongs to another run (scenario or " +
                            "seed differs from " + path + ")");
    if (header.git_commit != git_commit() && !request.run.quiet)
      std::fprintf(stderr,
                   "salient: warning: the checkpoint was written by salient %s (commit %s), "
                   "this is %s (commit %s): the continued run may differ from one that never "
                   "stopped\n",
                   header.version.c_str(), header.git_commit.c_str(), version(), git_commit());
  }
  if (request.duration_s) {
    if (!valid_duration(*request.duration_s, cfg.dt))
      throw CheckpointError("--duration: expected a duration > 0 of at most 1e9 steps");
    cfg.duration = *request.duration_s;
  }
  const std::int64_t from = have_checkpoint ? header.step : 0;
  if (from > cfg.steps())
    throw CheckpointError("checkpoint '" + ckpt + "': at step " + std::to_string(from) + " (" +
                          std::to_string(header.time_s) + " s), after the end of the run (" +
                          std::to_string(cfg.steps()) + " steps)");
  if (complete && !request.duration_s) {
    res.already_complete = true;
    res.from_step = from;
    return res;
  }

  res.from_step = from;
  if (!have_checkpoint) {
    // Nothing to continue from: run again from the start, into the same file.
    if (!request.run.quiet)
      std::fprintf(stderr, "salient: %s has no checkpoint; running again from step 0\n",
                   path.c_str());
    RunOptions options = request.run;
    options.force = true;
    res.run = run_scenario(cfg, options);
    return res;
  }
  auto backend = make_backend(request.run.backend, request.run.threads);
  const std::string backend_name = backend->name();
  Simulation sim(cfg, std::move(backend));
  const Tally initial = sim.backend().tally();
  RunMetadata meta = make_run_metadata(cfg, backend_name, request.run.threads, sim);
  try {
    const std::vector<StateArray> fresh = sim.save_state();
    sim.load_state(from, read_checkpoint_state(ckpt, fresh), &fresh);
  } catch (const CheckpointError& e) {
    const std::string msg = e.what();
    if (msg.rfind("checkpoint '", 0) == 0) throw;
    throw CheckpointError("checkpoint '" + ckpt + "': " + msg);
  }
  const bool regular_snapshot = from % cfg.snapshot_every == 0 || from == cfg.steps();
  std::optional<OutputFile> reopened;
  try {
    reopened.emplace(path, meta, header.rows, from, regular_snapshot);
  } catch (const CheckpointError& e) {
    throw CheckpointError("output '" + path + "' and its checkpoint disagree: " + e.what());
  }
  OutputFile& out = *reopened;
  if (!request.run.quiet)
    std::fprintf(stderr, "salient: resuming %s from step %lld (%.0f s simulated) on %s\n",
                 path.c_str(), static_cast<long long>(from), header.time_s, backend_name.c_str());
  res.run = run_steps(cfg, sim, out, request.run);
  for (int s = 0; s < kSides; ++s) res.run.initial[s] = initial.strength[s];
  return res;
}

}  // namespace salient
