// HDF5 output of one run: metadata, time series (chunked, extendible, appended as the run
// goes) and snapshots in the openPMD 1.1 layout. Layout: docs/OUTPUT.md.
#pragma once

#include <hdf5.h>

#include <array>
#include <stdexcept>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "../kernels/observe.cuh"
#include "../kernels/strike.cuh"
#include "region.h"
#include "state.h"

namespace salient {

/// Rows of the output's tables: time series records, settlement and strike events.
struct OutputRows {
  std::int64_t series = 0, settlement_events = 0, strike_events = 0;
};

/// Run settings stored in /salient beside the scenario text, so that `salient resume` can
/// rebuild the run from the output file alone (command-line overrides included).
struct RunSettings {
  double duration_s = 0;
  std::int64_t snapshot_every = 0, record_every = 0;
  std::int64_t checkpoint_every = 0;  ///< steps; 0: with every snapshot
  std::string region_file;            ///< absolute path of scenario's region.file, or empty
};

/// Run metadata stored in /salient.
struct RunMetadata {
  std::string backend;
  int threads = 0;
  std::uint64_t seed = 0;
  std::string scenario_path, scenario_text;
  std::array<std::string, kSides> sides;
  double cell_size_m = 0, dt_s = 0;
  std::int32_t nx = 0, ny = 0;
  std::vector<Settlement> settlements;
  /// Fire-support assets: name, side index and weapon (0 artillery, 1 air), in asset order.
  std::vector<std::string> asset_names;
  std::vector<std::int8_t> asset_sides;
  std::vector<std::uint8_t> asset_weapons;
  RunSettings settings;
};

/// One round or bomb that fell, at a step.
struct StrikeEvent {
  std::int64_t step = 0;
  double time_s = 0;
  Impact impact{};
};

/// A change of a settlement's holder, at a step.
struct SettlementEvent {
  std::int64_t step = 0;
  double time_s = 0;
  SettlementChange change{};
};

/// One record of the time series.
struct Observation {
  std::int64_t step = 0;
  double time_s = 0;
  Tally tally{};
};

/// Error of the output file (cannot create, refusing to overwrite, HDF5 failure).
class OutputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An open output file. Time series records are buffered and written at every flush().
class OutputFile {
 public:
  /// Creates `path`. Throws OutputError if it exists and `force` is false. /salient/status
  /// reads "running" (complete = 0) until finish() or interrupted().
  OutputFile(const std::string& path, bool force, const RunMetadata& meta);
  /// Reopens the output of an unfinished run to continue it after step `step`: drops the
  /// table rows beyond `keep` and the snapshots after `step` (what a run wrote after its
  /// last checkpoint; the snapshot of `step` too unless `keep_snapshot`), marks it running
  /// again and records the resume. Throws CheckpointError if the file has fewer rows than
  /// `keep` or lacks a table, OutputError if it cannot be opened for writing.
  OutputFile(const std::string& path, const RunMetadata& meta, const OutputRows& keep,
             std::int64_t step, bool keep_snapshot);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Buffers one time-series record.
  void record(const Observation& obs);
  /// Buffers one settlement event.
  void event(const SettlementEvent& e);
  /// Buffers one strike event.
  void strike(const StrikeEvent& e);
  /// Writes snapshot `step` at `time_s`: rasters always, agents when `agents` is non-null.
  /// Flushes the file afterwards.
  void snapshot(std::int64_t step, double time_s, const RasterArrays& raster,
                const AgentArrays* agents);
  /// Writes buffered records and the final attributes, then H5Fflush.
  void flush();
  /// Stores end-of-run attributes (wall time, steps run), marks the file complete and flushes.
  void finish(double wall_seconds, std::int64_t steps_run);
  /// Marks the file as stopped by a signal at step `step` (still incomplete) and flushes.
  void interrupted(std::int64_t step);
  /// Rows written to the file so far (call after flush(): nothing pending).
  OutputRows rows() const { return {rows_, event_rows_, strike_rows_}; }
  /// The file's path.
  const std::string& path() const { return path_; }

 private:
  void append_series();
  /// Creates /events/settlement_control and /events/strikes (host/output_events.cpp).
  void create_event_tables();
  /// Appends the buffered events (host/output_events.cpp).
  void append_events();
  /// Writes /salient/status and /salient/complete.
  void set_status(const std::string& status);
  /// The groups and datasets of one snapshot (snapshot() checks room first and flushes).
  void write_snapshot(std::int64_t step, double time_s, const RasterArrays& raster,
                      const AgentArrays* agents);
  /// Bytes the buffered records and events need at the next flush, with a margin.
  std::int64_t pending_bytes() const;
  /// Runs `write`; an HDF5 failure marks the file broken (nothing more is written to it) and
  /// is rethrown naming the file.
  void guarded(const std::function<void()>& write);

  bool broken_ = false;

  std::string path_;
  hid_t file_ = -1;
  RunMetadata meta_;
  double cell_area_km2_ = 0;
  std::vector<Observation> pending_;
  std::vector<SettlementEvent> pending_events_;
  std::vector<StrikeEvent> pending_strikes_;
  std::int64_t rows_ = 0, event_rows_ = 0, strike_rows_ = 0;
};

}  // namespace salient
