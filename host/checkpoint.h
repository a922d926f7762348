// Checkpoint files: the whole state of a run after some step, beside its output file
// (RUN.h5 -> RUN.h5.checkpoint), written to a temporary name, flushed to disk and renamed, so
// a kill at any moment leaves the previous checkpoint whole. Layout: docs/OUTPUT.md,
// "Checkpoints". `salient resume` reads it back (host/resume.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "output.h"
#include "state_archive.h"

namespace salient {

/// What a checkpoint says about the run it belongs to.
struct CheckpointHeader {
  std::int64_t step = 0;        ///< steps done when it was written
  double time_s = 0;            ///< simulated time of that step
  OutputRows rows;              ///< rows of the output's tables up to and including that step
  std::string scenario_sha256;  ///< of the scenario text stored in the output
  std::uint64_t seed = 0;
  std::string version, git_commit;  ///< of the salient that wrote it
};

/// The checkpoint file of output file `output`: output + ".checkpoint".
std::string checkpoint_path(const std::string& output);

/// Writes `state` with `header` to `path` (via path + ".part", fsync, rename). Throws
/// OutputError (with the system's reason, e.g. no space left) and leaves any older
/// checkpoint at `path` as it was.
void write_checkpoint(const std::string& path, const CheckpointHeader& header,
                      const std::vector<StateArray>& state);

/// Reads and checks a checkpoint's header. Throws CheckpointError naming the file and what is
/// wrong (not HDF5, not a checkpoint, a missing or mistyped attribute).
CheckpointHeader read_checkpoint_header(const std::string& path);

/// Reads a checkpoint's arrays, each checked against `like` (the state of a fresh run of the
/// same scenario: names, element types and lengths) before anything is read; datasets not in
/// `like` are ignored. Throws CheckpointError.
std::vector<StateArray> read_checkpoint_state(const std::string& path,
                                              const std::vector<StateArray>& like);

}  // namespace salient
