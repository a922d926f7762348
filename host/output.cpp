// HDF5 writer (C API). Snapshots follow openPMD 1.1: /data/<step>/meshes/<record> with the
// standard's mesh attributes, /data/<step>/particles/agents/<record> with per-record
// unitDimension/timeOffset and per-component unitSI. Non-openPMD data (/salient metadata,
// /timeseries) lives outside basePath.
#include "output.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>

#include "disk_space.h"
#include "hdf5_commit.h"
#include "hdf5_write.h"
#include "sha256.h"
#include "state_archive.h"
#include "version.h"

namespace salient {
namespace {

using namespace h5;

/// openPMD mesh record attributes for a [ny][nx] raster.
void mesh_attrs(hid_t rec, double cell) {
  attr(rec, "geometry", std::string("cartesian"));
  attr(rec, "dataOrder", std::string("C"));
  attr(rec, "axisLabels", std::vector<std::string>{"y", "x"});
  attr(rec, "gridSpacing", std::vector<double>{cell, cell});
  attr(rec, "gridGlobalOffset", std::vector<double>{0.0, 0.0});
  attr(rec, "gridUnitSI", 1.0);
  attr(rec, "unitDimension", kDimensionless);
  attr_f32(rec, "timeOffset", 0.0f);
}

/// openPMD mesh record component attributes (cell-centred values).
void component_attrs(hid_t comp) {
  attr(comp, "unitSI", 1.0);
  attr(comp, "position", std::vector<double>{0.5, 0.5});
}

template <class T>
void scalar_mesh(hid_t meshes, const char* name, hid_t type, const std::vector<T>& v,
                 const RunMetadata& m) {
  write_array(meshes, name, type, {hsize_t(m.ny), hsize_t(m.nx)}, v.data(), sizeof(T));
  Handle ds(H5Dopen2(meshes, name, H5P_DEFAULT), H5Dclose, name);
  mesh_attrs(ds, m.cell_size_m);
  component_attrs(ds);
}

/// openPMD scalar particle record (a dataset with unitDimension, timeOffset, unitSI).
template <class T>
void particle_scalar(hid_t species, const char* name, hid_t type, const std::vector<T>& v,
                     const std::vector<double>& dim = kDimensionless) {
  write_array(species, name, type, {hsize_t(v.size())}, v.data(), sizeof(T));
  Handle ds(H5Dopen2(species, name, H5P_DEFAULT), H5Dclose, name);
  attr(ds, "unitDimension", dim);
  attr_f32(ds, "timeOffset", 0.0f);
  attr(ds, "unitSI", 1.0);
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000", std::gmtime(&t));
  return buf;
}

/// Names, HDF5 types and accessors of the per-side time series.
struct Series {
  const char* name;
  const std::int64_t* (*get)(const Tally&);
};
const Series kSeries[] = {
    {"strength", [](const Tally& t) { return t.strength; }},
    {"wounded", [](const Tally& t) { return t.wounded; }},
    {"killed", [](const Tally& t) { return t.killed; }},
    {"fleeing", [](const Tally& t) { return t.fleeing; }},
    {"reserve", [](const Tally& t) { return t.reserve; }},
    {"cells_held", [](const Tally& t) { return t.cells_held; }},
    {"shots", [](const Tally& t) { return t.shots; }},
    {"hits", [](const Tally& t) { return t.hits; }},
    {"settlements_held", [](const Tally& t) { return t.settlements_held; }},
    {"changes_of_hands", [](const Tally& t) { return t.captures; }},
    {"strikes", [](const Tally& t) { return t.strikes; }},
    {"strikes_total", [](const Tally& t) { return t.strikes_total; }},
    {"strike_casualties", [](const Tally& t) { return t.strike_casualties; }},
};

/// File access: dirty metadata stays in memory until a flush (no evictions), so that between
/// flushes only new data past the file's end reaches the disk, and the commit-on-flush driver
/// (host/hdf5_commit.h) holds a flush's writes into what is on disk until the flush has
/// written all else: a run killed at any moment leaves everything flushed before readable.
hid_t access_plist() {
  const hid_t fapl = check(H5Pcreate(H5P_FILE_ACCESS), "file access");
  if (use_commit_driver(fapl) < 0) {
    H5Pclose(fapl);
    check(-1, "file driver");
  }
  H5AC_cache_config_t mdc;
  mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
  H5Pget_mdc_config(fapl, &mdc);
  mdc.evictions_enabled = false;
  mdc.incr_mode = H5C_incr__off;
  mdc.flash_incr_mode = H5C_flash_incr__off;
  mdc.decr_mode = H5C_decr__off;
  if (H5Pset_mdc_config(fapl, &mdc) < 0) {
    H5Pclose(fapl);
    check(-1, "metadata cache");
  }
  return fapl;
}

/// File creation: freed file space is never reused within a session, so nothing the last
/// flush left on disk is overwritten by later data before the next flush.
hid_t creation_plist() {
  const hid_t fcpl = check(H5Pcreate(H5P_FILE_CREATE), "file creation");
  H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, 0, 1);
  return fcpl;
}

/// Shrinks every dataset directly in group `path` to `rows` rows; throws CheckpointError if
/// one has fewer.
void truncate_table(hid_t file, const char* path, std::int64_t rows) {
  Handle g(H5Gopen2(file, path, H5P_DEFAULT), H5Gclose, path);
  H5G_info_t info;
  check(H5Gget_info(g, &info), path);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[256];
    if (H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT) <
        0)
      throw CheckpointError(std::string(path) + ": cannot list its datasets");
    Handle ds(H5Dopen2(g, name, H5P_DEFAULT), H5Dclose, name);
    Handle space(H5Dget_space(ds), H5Sclose, name);
    hsize_t dims[2] = {0, 0};
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 1 || rank > 2 || H5Sget_simple_extent_dims(space, dims, nullptr) < 0)
      throw CheckpointError(std::string(path) + "/" + name + ": expected a table column");
    if (dims[0] < static_cast<hsize_t>(rows))
      throw CheckpointError(std::string(path) + "/" + name + ": has " + std::to_string(dims[0]) +
                            " rows, the checkpoint expects at least " + std::to_string(rows));
    dims[0] = static_cast<hsize_t>(rows);
    check(H5Dset_extent(ds, dims), name);
  }
}

/// Deletes the snapshots /data/<n> with n > step, and /data/<step> unless `keep_step`.
void drop_snapshots_after(hid_t file, std::int64_t step, bool keep_step) {
  Handle data(H5Gopen2(file, "data", H5P_DEFAULT), H5Gclose, "data");
  H5G_info_t info;
  check(H5Gget_info(data, &info), "data");
  std::vector<std::string> later;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[64];
    const ssize_t len = H5Lget_name_by_idx(data, ".", H5_INDEX_NAME, H5_ITER_INC, i, name,
                                           sizeof name, H5P_DEFAULT);
    if (len <= 0 || len >= static_cast<ssize_t>(sizeof name)) continue;
    char* end = nullptr;
    const long long n = std::strtoll(name, &end, 10);
    if (end && *end == '\0' && (n > step || (n == step && !keep_step))) later.emplace_back(name);
  }
  for (const std::string& name : later) check(H5Ldelete(data, name.c_str(), H5P_DEFAULT), "data");
}

}  // namespace

OutputFile::OutputFile(const std::string& path, const RunMetadata& meta, const OutputRows& keep,
                       std::int64_t step, bool keep_snapshot)
    : path_(path), meta_(meta), cell_area_km2_(meta.cell_size_m * meta.cell_size_m / 1e6) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Handle fapl(access_plist(), H5Pclose, "file access");
  file_ = H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl);
  if (file_ < 0) throw OutputError(path + ": cannot open the output file to continue it");
  try {
    try {
      truncate_table(file_, "timeseries", keep.series);
      truncate_table(file_, "events/settlement_control", keep.settlement_events);
      truncate_table(file_, "events/strikes", keep.strike_events);
      drop_snapshots_after(file_, step, keep_snapshot);
    } catch (const OutputError& e) {
      throw CheckpointError(path + ": not the output of a salient run (" + e.what() + ")");
    }
    rows_ = keep.series, event_rows_ = keep.settlement_events, strike_rows_ = keep.strike_events;
    Handle s(H5Gopen2(file_, "salient", H5P_DEFAULT), H5Gclose, "salient");
    std::vector<std::int64_t> resumed;
    if (H5Aexists(s, "resumed_at_steps") > 0) {
      Handle a(H5Aopen(s, "resumed_at_steps", H5P_DEFAULT), H5Aclose, "resumed_at_steps");
      Handle space(H5Aget_space(a), H5Sclose, "resumed_at_steps");
      const hssize_t n = H5Sget_simple_extent_npoints(space);
      if (n > 0 && n < 1000000) {
        resumed.resize(static_cast<std::size_t>(n));
        check(H5Aread(a, H5T_NATIVE_INT64, resumed.data()), "resumed_at_steps");
      }
    }
    resumed.push_back(step);
    attr_raw(s, "resumed_at_steps", H5T_NATIVE_INT64, resumed.size(), resumed.data(), false);
    set_status("running");
    check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
  } catch (...) {
    H5Fclose(file_);
    file_ = -1;
    throw;
  }
}

void OutputFile::set_status(const std::string& status) {
  Handle s(H5Gopen2(file_, "salient", H5P_DEFAULT), H5Gclose, "salient");
  attr(s, "status", status);
  attr_int<std::uint8_t>(s, "complete", H5T_NATIVE_UINT8, status == "complete" ? 1 : 0);
}

void OutputFile::interrupted(std::int64_t step) {
  Handle s(H5Gopen2(file_, "salient", H5P_DEFAULT), H5Gclose, "salient");
  attr_int<std::int64_t>(s, "interrupted_at_step", H5T_NATIVE_INT64, step);
  set_status("interrupted");
  flush();
}

OutputFile::OutputFile(const std::string& path, bool force, const RunMetadata& meta)
    : path_(path), meta_(meta), cell_area_km2_(meta.cell_size_m * meta.cell_size_m / 1e6) {
  namespace fs = std::filesystem;
  if (fs::exists(path) && !force)
    throw OutputError(path + ": file exists; use --force to overwrite it");
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  {
    Handle fcpl(creation_plist(), H5Pclose, "file creation");
    Handle fapl(access_plist(), H5Pclose, "file access");
    file_ = H5Fcreate(path.c_str(), force ? H5F_ACC_TRUNC : H5F_ACC_EXCL, fcpl, fapl);
  }
  if (file_ < 0) {
    const std::string why = error_detail();
    throw OutputError(path + ": cannot create the output file" + (why.empty() ? "" : ": " + why));
  }

  attr(file_, "openPMD", std::string("1.1.0"));
  attr_int<std::uint32_t>(file_, "openPMDextension", H5T_NATIVE_UINT32, 0);
  attr(file_, "basePath", std::string("/data/%T/"));
  attr(file_, "meshesPath", std::string("meshes/"));
  attr(file_, "particlesPath", std::string("particles/"));
  attr(file_, "iterationEncoding", std::string("groupBased"));
  attr(file_, "iterationFormat", std::string("/data/%T/"));
  attr(file_, "software", std::string("salient"));
  attr(file_, "softwareVersion", std::string(version()));
  attr(file_, "date", utc_now());

  Handle s = group(file_, "salient");
  attr(s, "version", std::string(version()));
  attr(s, "git_commit", std::string(git_commit()));
  attr(s, "backend", meta.backend);
  attr_int<std::int32_t>(s, "threads", H5T_NATIVE_INT32, meta.threads);
  attr_int<std::uint64_t>(s, "seed", H5T_NATIVE_UINT64, meta.seed);
  attr(s, "scenario_path", meta.scenario_path);
  attr(s, "scenario_text", meta.scenario_text);
  attr(s, "scenario_sha256", sha256_hex(meta.scenario_text));
  attr(s, "sides", std::vector<std::string>(meta.sides.begin(), meta.sides.end()));
  attr(s, "cell_size_m", meta.cell_size_m);
  attr(s, "dt_s", meta.dt_s);
  attr_int<std::int32_t>(s, "nx", H5T_NATIVE_INT32, meta.nx);
  attr_int<std::int32_t>(s, "ny", H5T_NATIVE_INT32, meta.ny);
  attr(s, "started_utc", utc_now());
  attr(s, "duration_s", meta.settings.duration_s);
  attr_int<std::int64_t>(s, "snapshot_every", H5T_NATIVE_INT64, meta.settings.snapshot_every);
  attr_int<std::int64_t>(s, "record_every", H5T_NATIVE_INT64, meta.settings.record_every);
  attr_int<std::int64_t>(s, "checkpoint_every", H5T_NATIVE_INT64, meta.settings.checkpoint_every);
  attr(s, "region_file", meta.settings.region_file);
  attr(s, "status", std::string("running"));
  attr_int<std::uint8_t>(s, "complete", H5T_NATIVE_UINT8, 0);

  Handle ts = group(file_, "timeseries");
  attr(ts, "sides", std::vector<std::string>(meta.sides.begin(), meta.sides.end()));
  extendible(ts, "time", H5T_NATIVE_DOUBLE, false);
  extendible(ts, "step", H5T_NATIVE_INT64, false);
  for (const auto& series : kSeries) extendible(ts, series.name, H5T_NATIVE_INT64, true);
  extendible(ts, "area_held_km2", H5T_NATIVE_DOUBLE, true);
  {
    Handle st = group(file_, "settlements");
    const auto& v = meta.settlements;
    std::vector<std::int32_t> id, cells;
    std::vector<std::uint8_t> size_class;
    std::vector<double> x, y, radius;
    std::vector<std::string> names;
    for (const Settlement& z : v) {
      id.push_back(z.id), cells.push_back(z.cells), names.push_back(z.name);
      size_class.push_back(static_cast<std::uint8_t>(z.size_class));
      x.push_back(z.x), y.push_back(z.y), radius.push_back(z.radius_m);
    }
    const hsize_t n = v.size();
    write_array(st, "id", H5T_NATIVE_INT32, {n}, id.data(), 4);
    write_array(st, "size_class", H5T_NATIVE_UINT8, {n}, size_class.data(), 1);
    write_array(st, "x", H5T_NATIVE_DOUBLE, {n}, x.data(), 8);
    write_array(st, "y", H5T_NATIVE_DOUBLE, {n}, y.data(), 8);
    write_array(st, "radius_m", H5T_NATIVE_DOUBLE, {n}, radius.data(), 8);
    write_array(st, "cells", H5T_NATIVE_INT32, {n}, cells.data(), 4);
    attr(st, "size_classes", std::vector<std::string>{"village", "town"});
    std::size_t len = 1;
    for (const auto& name : names) len = std::max(len, name.size());
    std::string packed(len * names.size(), '\0');
    for (std::size_t i = 0; i < names.size(); ++i)
      packed.replace(i * len, names[i].size(), names[i]);
    Handle name_type(H5Tcopy(H5T_C_S1), H5Tclose, "name");
    H5Tset_size(name_type, len);
    H5Tset_strpad(name_type, H5T_STR_NULLPAD);
    write_array(st, "name", name_type, {n}, packed.data(), len);
  }
  create_event_tables();
  Handle data = group(file_, "data");
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

OutputFile::~OutputFile() {
  if (file_ < 0) return;
  if (!broken_) try {
      append_series();
    } catch (...) {
    }
  H5Fclose(file_);
}

void OutputFile::record(const Observation& obs) { pending_.push_back(obs); }

void OutputFile::append_series() {
  append_events();
  if (pending_.empty()) return;
  const hsize_t rows = pending_.size();
  Handle ts(H5Gopen2(file_, "timeseries", H5P_DEFAULT), H5Gclose, "timeseries");
  std::vector<double> time(rows), area(rows * kSides);
  std::vector<std::int64_t> step(rows), values(rows * kSides);
  for (hsize_t r = 0; r < rows; ++r) {
    time[r] = pending_[r].time_s;
    step[r] = pending_[r].step;
    for (int s = 0; s < kSides; ++s)
      area[r * kSides + s] = static_cast<double>(pending_[r].tally.cells_held[s]) * cell_area_km2_;
  }
  append(ts, "time", H5T_NATIVE_DOUBLE, rows_, rows, false, time.data());
  append(ts, "step", H5T_NATIVE_INT64, rows_, rows, false, step.data());
  append(ts, "area_held_km2", H5T_NATIVE_DOUBLE, rows_, rows, true, area.data());
  for (const auto& series : kSeries) {
    for (hsize_t r = 0; r < rows; ++r)
      for (int s = 0; s < kSides; ++s) values[r * kSides + s] = series.get(pending_[r].tally)[s];
    append(ts, series.name, H5T_NATIVE_INT64, rows_, rows, true, values.data());
  }
  rows_ += static_cast<std::int64_t>(rows);
  pending_.clear();
}

std::int64_t OutputFile::pending_bytes() const {
  // Metadata, plus a new chunk (1024 rows) of every column whose table crosses a chunk's end.
  constexpr std::int64_t kMetadata = 128 << 10, kChunkRows = 1024;
  const auto crosses = [](std::int64_t rows, std::size_t more) {
    return more > 0 && rows / kChunkRows != (rows + static_cast<std::int64_t>(more)) / kChunkRows;
  };
  std::int64_t bytes = kMetadata;
  bytes += static_cast<std::int64_t>(pending_.size()) * 16 * 8 * kSides;
  bytes += static_cast<std::int64_t>(pending_events_.size()) * 32;
  bytes += static_cast<std::int64_t>(pending_strikes_.size()) * 64;
  if (crosses(rows_, pending_.size())) bytes += 17 * kChunkRows * 8 * kSides;
  if (crosses(event_rows_, pending_events_.size())) bytes += 5 * kChunkRows * 8;
  if (crosses(strike_rows_, pending_strikes_.size())) bytes += 15 * kChunkRows * 8;
  return bytes;
}

void OutputFile::guarded(const std::function<void()>& write) {
  if (broken_) throw OutputError(path_ + ": an earlier write failed; nothing more is written");
  try {
    write();
  } catch (const OutputError& e) {
    broken_ = true;
    throw OutputError(path_ + ": cannot write (" + e.what() + "); nothing more is written " +
                      "to it, and it stays as its last flush left it");
  }
}

void OutputFile::flush() {
  ensure_room(path_, pending_bytes(), "the time series");
  guarded([this] {
    append_series();
    check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
  });
}

void OutputFile::snapshot(std::int64_t step, double time_s, const RasterArrays& raster,
                          const AgentArrays* agents) {
  // Room first: a write that fails half-way may leave HDF5's structures inconsistent.
  const auto cells = static_cast<std::int64_t>(raster.size());
  const std::int64_t bytes =
      cells * 32 + (agents ? static_cast<std::int64_t>(agents->size()) * 40 : 0);
  ensure_room(path_, bytes + pending_bytes(), "snapshot " + std::to_string(step));
  guarded([&] { write_snapshot(step, time_s, raster, agents); });
  flush();
}

void OutputFile::write_snapshot(std::int64_t step, double time_s, const RasterArrays& raster,
                                const AgentArrays* agents) {
  Handle data(H5Gopen2(file_, "data", H5P_DEFAULT), H5Gclose, "data");
  Handle it = group(data, std::to_string(step));
  attr(it, "time", time_s);
  attr(it, "dt", meta_.dt_s);
  attr(it, "timeUnitSI", 1.0);

  Handle meshes = group(it, "meshes");
  scalar_mesh(meshes, "terrain", H5T_NATIVE_UINT8, raster.terrain, meta_);
  scalar_mesh(meshes, "settlement", H5T_NATIVE_INT32, raster.settlement, meta_);
  scalar_mesh(meshes, "cover", H5T_NATIVE_FLOAT, raster.cover, meta_);
  scalar_mesh(meshes, "control", H5T_NATIVE_INT8, raster.control, meta_);
  scalar_mesh(meshes, "destruction", H5T_NATIVE_UINT8, raster.damage, meta_);
  {
    Handle picture = group(meshes, "picture");
    mesh_attrs(picture, meta_.cell_size_m);
    for (int s = 0; s < kSides; ++s) {
      const std::string& side = meta_.sides[s];
      write_array(picture, side, H5T_NATIVE_FLOAT, {hsize_t(meta_.ny), hsize_t(meta_.nx)},
                  raster.picture[s].data(), sizeof(float));
      Handle ds(H5Dopen2(picture, side.c_str(), H5P_DEFAULT), H5Dclose, side.c_str());
      component_attrs(ds);
    }
  }
  {
    Handle presence = group(meshes, "presence");
    mesh_attrs(presence, meta_.cell_size_m);
    for (int s = 0; s < kSides; ++s) {
      const std::string& side = meta_.sides[s];
      write_array(presence, side, H5T_NATIVE_UINT16, {hsize_t(meta_.ny), hsize_t(meta_.nx)},
                  raster.presence[s].data(), sizeof(std::uint16_t));
      Handle ds(H5Dopen2(presence, side.c_str(), H5P_DEFAULT), H5Dclose, side.c_str());
      component_attrs(ds);
    }
  }

  if (agents != nullptr) {
    const AgentArrays& a = *agents;
    Handle particles = group(it, "particles");
    Handle sp = group(particles, "agents");
    {
      Handle pos = group(sp, "position");
      attr(pos, "unitDimension", kLength);
      attr_f32(pos, "timeOffset", 0.0f);
      for (const auto& [axis, v] : {std::pair{"x", &a.x}, std::pair{"y", &a.y}}) {
        write_array(pos, axis, H5T_NATIVE_FLOAT, {hsize_t(v->size())}, v->data(), sizeof(float));
        Handle ds(H5Dopen2(pos, axis, H5P_DEFAULT), H5Dclose, axis);
        attr(ds, "unitSI", 1.0);
      }
      Handle off = group(sp, "positionOffset");
      attr(off, "unitDimension", kLength);
      attr_f32(off, "timeOffset", 0.0f);
      for (const char* axis : {"x", "y"}) {
        Handle c = group(off, axis);
        attr_f32(c, "value", 0.0f);
        const std::vector<std::uint64_t> shape = {a.size()};
        attr_raw(c, "shape", H5T_NATIVE_UINT64, 1, shape.data(), false);
        attr(c, "unitSI", 1.0);
      }
    }
    std::vector<std::uint32_t> id(a.size());
    for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint32_t>(i);
    particle_scalar(sp, "id", H5T_NATIVE_UINT32, id);
    particle_scalar(sp, "side", H5T_NATIVE_UINT8, a.side);
    particle_scalar(sp, "profile", H5T_NATIVE_UINT8, a.profile);
    particle_scalar(sp, "ammo", H5T_NATIVE_INT16, a.ammo);
    particle_scalar(sp, "unit", H5T_NATIVE_INT32, a.unit);
    particle_scalar(sp, "status", H5T_NATIVE_UINT8, a.status);
    particle_scalar(sp, "posture", H5T_NATIVE_UINT8, a.posture);
    particle_scalar(sp, "health", H5T_NATIVE_FLOAT, a.health);
    particle_scalar(sp, "morale", H5T_NATIVE_FLOAT, a.morale);
    particle_scalar(sp, "suppression", H5T_NATIVE_FLOAT, a.suppression);
  }
}

void OutputFile::finish(double wall_seconds, std::int64_t steps_run) {
  Handle s(H5Gopen2(file_, "salient", H5P_DEFAULT), H5Gclose, "salient");
  attr(s, "wall_seconds", wall_seconds);
  attr_int<std::int64_t>(s, "steps_run", H5T_NATIVE_INT64, steps_run);
  set_status("complete");
  flush();
}

}  // namespace salient
