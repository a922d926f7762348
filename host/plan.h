// Plans of ensembles: design points x replicates of one scenario, each task with its own
// seed and factor values, written as a TOML file that `salient run --plan` and
// `salient ensemble` execute task by task (docs/HPC.md).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "config.h"

namespace salient {

/// One varied scenario key and its range (`--vary KEY=LO:HI`).
struct Factor {
  std::string key;        ///< dotted scenario key (config.h, Override)
  double lo = 0, hi = 0;  ///< values at the ends of the design's [0, 1]
  bool integer = false;   ///< values are rounded to whole numbers
};

/// One run of a plan.
struct PlanTask {
  std::int64_t id = 0;         ///< index in the plan: point * replicates + replicate
  std::int64_t point = 0;      ///< design point
  std::int64_t replicate = 0;  ///< replicate within the point
  std::uint64_t seed = 0;      ///< the run's seed
  std::vector<double> values;  ///< one per factor
};

/// A whole plan.
struct Plan {
  std::string path;             ///< the plan file (when read or written)
  std::string scenario;         ///< scenario file, as stored (relative to the plan's folder)
  std::string scenario_sha256;  ///< of the scenario's merged text when planned
  std::uint64_t seed = 0;       ///< base seed of the task seeds
  std::string design = "none";  ///< none (no factors), grid, lhs or olh
  std::int64_t points = 1, replicates = 1;
  std::string output_dir;  ///< relative to the plan's folder
  std::vector<Factor> factors;
  std::vector<PlanTask> tasks;

  /// The scenario path resolved against the plan's folder.
  std::string scenario_file() const;
  /// The output folder resolved against the plan's folder.
  std::string output_folder() const;
  /// The overrides of task `t`.
  std::vector<Override> overrides(const PlanTask& t) const;
};

/// A plan that cannot be made, read or used. what() is one line naming the file.
class PlanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Parses "KEY=LO:HI" (LO < HI finite numbers). Throws PlanError.
Factor parse_factor(const std::string& spec);

/// The seed of replicate `replicate` of design point `point` (Philox keyed by the base seed).
std::uint64_t task_seed(std::uint64_t base_seed, std::int64_t point, std::int64_t replicate);

/// What `salient plan` was asked for.
struct PlanRequest {
  std::string scenario;    ///< path as given
  std::string output;      ///< plan file to write
  std::string output_dir;  ///< "" : the plan's name without .toml, beside it
  std::int64_t replicates = 1;
  std::vector<std::string> vary;  ///< KEY=LO:HI
  std::string design = "grid";    ///< grid, lhs or olh (ignored without factors)
  int levels = 3;                 ///< grid
  int points = 10;                ///< lhs
  bool seed_given = false;
  std::uint64_t seed = 0;  ///< default: the scenario's run.seed
};

/// Builds a plan: checks the scenario and every factor (its key must hold a number, and the
/// scenario must validate at both ends of its range), then lays out the design. Throws
/// ConfigError (scenario or factor key) or PlanError.
Plan make_plan(const PlanRequest& request);

/// Writes `plan` to `path` as TOML (via a temporary file and a rename). Throws OutputError.
void write_plan(const Plan& plan, const std::string& path);

/// Reads and checks a plan file. Throws PlanError (malformed plan, or a scenario that
/// changed since it was planned).
Plan read_plan(const std::string& path);

}  // namespace salient
