// `salient resume RUN.h5`: continues a run that stopped (signal, time limit, kill, crash) from
// its last checkpoint, rebuilding the run from what the output file stores (scenario text,
// seed, run settings). The result is bit-identical to a run that never stopped.
#pragma once

#include <optional>
#include <string>

#include "config.h"
#include "simulation.h"

namespace salient {

/// What `salient resume` was asked.
struct ResumeRequest {
  RunOptions run;                                ///< run.output: the output file to continue
  std::optional<double> duration_s;              ///< a new run length (>= the checkpoint's time)
  std::optional<std::int64_t> checkpoint_every;  ///< steps (0: with every snapshot)
};

/// How a resume went.
struct ResumeResult {
  RunResult run;
  ScenarioConfig cfg;             ///< the run's scenario as rebuilt from the output
  std::int64_t from_step = 0;     ///< the checkpoint's step (0: no checkpoint, started again)
  bool already_complete = false;  ///< nothing to do: the file is complete
};

/// The scenario of the run stored in output file `path` (/salient: scenario text and path,
/// seed, run settings); `complete` (if given) receives /salient@complete. Throws
/// CheckpointError (not a salient output, attribute missing or mistyped) or ConfigError (the
/// stored scenario is invalid).
ScenarioConfig read_run_scenario(const std::string& path, bool* complete = nullptr);

/// Continues the run in request.run.output from its checkpoint (or from step 0 when it has
/// none). Throws CheckpointError / ConfigError for unusable inputs (exit 2), OutputError when
/// the file cannot be written (exit 3).
ResumeResult resume_run(const ResumeRequest& request);

}  // namespace salient
