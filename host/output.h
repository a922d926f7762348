// HDF5 output of one run: metadata, time series (chunked, extendible, appended as the run
// goes) and snapshots in the openPMD 1.1 layout. Layout: docs/OUTPUT.md.
#pragma once

#include <hdf5.h>

#include <array>
#include <stdexcept>
#include <cstdint>
#include <string>
#include <vector>

#include "../kernels/observe.cuh"
#include "../kernels/strike.cuh"
#include "region.h"
#include "state.h"

namespace salient {

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
  /// Creates `path`. Throws OutputError if it exists and `force` is false.
  OutputFile(const std::string& path, bool force, const RunMetadata& meta);
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
  /// Stores end-of-run attributes (wall time, steps run) in /salient and flushes.
  void finish(double wall_seconds, std::int64_t steps_run);

 private:
  void append_series();
  /// Creates /events/settlement_control and /events/strikes (host/output_events.cpp).
  void create_event_tables();
  /// Appends the buffered events (host/output_events.cpp).
  void append_events();

  hid_t file_ = -1;
  RunMetadata meta_;
  double cell_area_km2_ = 0;
  std::vector<Observation> pending_;
  std::vector<SettlementEvent> pending_events_;
  std::vector<StrikeEvent> pending_strikes_;
  std::int64_t rows_ = 0, event_rows_ = 0, strike_rows_ = 0;
};

}  // namespace salient
