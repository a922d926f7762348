// Aggregation of an ensemble's task files (host/ensemble.h) into a summary: per design point
// and observable, mean, standard deviation and 95 % intervals over replicates at every
// recorded time, and the final values of every task with its factor values (docs/HPC.md).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace salient {

/// Task files that cannot be aggregated (not salient task files, from different plans,
/// mismatched shapes). what() names the file.
class AggregateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What `salient aggregate` was asked for.
struct AggregateRequest {
  std::string dir;     ///< folder of task_NNNNNN.h5 files
  std::string output;  ///< SUMMARY.h5; SUMMARY_final.csv and SUMMARY_bands.csv beside it
  bool force = false;  ///< overwrite existing outputs
};

/// What was aggregated.
struct AggregateResult {
  std::int64_t tasks_found = 0, tasks_expected = 0, points = 0;
};

/// Student's t quantile t(0.975, df) for df >= 1 (exact table to 30, Cornish-Fisher beyond).
double student_t_975(std::int64_t df);

/// Quantile q of `sorted` (ascending, non-empty) by linear interpolation between order
/// statistics, numpy.quantile's default rule: h = (n - 1) q.
double linear_quantile(const std::vector<double>& sorted, double q);

/// Writes `text` to `path` through a temporary file renamed into place, so that `path` is
/// either the old file or the whole new one. Throws OutputError.
void write_text_file(const std::string& path, const std::string& text);

/// Reads every complete task file in `dir` and writes the summary files (each via a
/// temporary name). Throws AggregateError or OutputError.
AggregateResult aggregate(const AggregateRequest& request);

}  // namespace salient
