// HDF5 writer (C API). Snapshots follow openPMD 1.1: /data/<step>/meshes/<record> with the
// standard's mesh attributes, /data/<step>/particles/agents/<record> with per-record
// unitDimension/timeOffset and per-component unitSI. Non-openPMD data (/salient metadata,
// /timeseries) lives outside basePath.
#include "output.h"

#include <ctime>
#include <filesystem>

#include "hdf5_handle.h"
#include "sha256.h"
#include "version.h"

namespace salient {
namespace {

/// Throws OutputError if an HDF5 call failed (negative id or status).
hid_t check(hid_t id, const char* what) {
  if (id < 0) throw OutputError(std::string("HDF5 error: ") + what);
  return id;
}

/// An HDF5 identifier checked with OutputError, closed on scope exit.
class Handle : public Hdf5Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t), const char* what) : Hdf5Handle(check(id, what), close) {}
};

Handle group(hid_t parent, const std::string& name) {
  return Handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                name.c_str());
}

void attr_raw(hid_t obj, const char* name, hid_t type, hsize_t n, const void* data, bool scalar) {
  Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  Handle attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
  check(H5Awrite(attr, type, data), name);
}

/// Fixed-length ASCII string attribute.
void attr(hid_t obj, const char* name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, name);
  H5Tset_size(type, value.empty() ? 1 : value.size());
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  attr_raw(obj, name, type, 1, value.empty() ? "" : value.data(), true);
}

/// Array of fixed-length strings (padded to the longest).
void attr(hid_t obj, const char* name, const std::vector<std::string>& values) {
  std::size_t len = 1;
  for (const auto& v : values) len = std::max(len, v.size());
  std::string buf(len * values.size(), '\0');
  for (std::size_t i = 0; i < values.size(); ++i) buf.replace(i * len, values[i].size(), values[i]);
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, name);
  H5Tset_size(type, len);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  attr_raw(obj, name, type, values.size(), buf.data(), false);
}

void attr(hid_t obj, const char* name, double v) {
  attr_raw(obj, name, H5T_NATIVE_DOUBLE, 1, &v, true);
}
void attr_f32(hid_t obj, const char* name, float v) {
  attr_raw(obj, name, H5T_NATIVE_FLOAT, 1, &v, true);
}
void attr(hid_t obj, const char* name, const std::vector<double>& v) {
  attr_raw(obj, name, H5T_NATIVE_DOUBLE, v.size(), v.data(), false);
}
template <class T>
void attr_int(hid_t obj, const char* name, hid_t type, T v) {
  attr_raw(obj, name, type, 1, &v, true);
}

/// openPMD unitDimension: powers of (L, M, T, I, theta, N, J).
const std::vector<double> kDimensionless(7, 0.0);
const std::vector<double> kLength = {1, 0, 0, 0, 0, 0, 0};

/// Writes a chunked, compressed dataset of rank 1 or 2.
void write_array(hid_t loc, const std::string& name, hid_t type, std::vector<hsize_t> dims,
                 const void* data, std::size_t elem_size) {
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose,
               name.c_str());
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, name.c_str());
  hsize_t total = 1;
  for (auto d : dims) total *= d;
  if (total > 0) {
    // Chunks of at most 1 MiB (the default chunk cache), whole rows where possible.
    std::vector<hsize_t> chunk = dims;
    const hsize_t max_elems = (1u << 20) / elem_size;
    if (dims.size() == 2) {
      chunk[1] = std::min<hsize_t>(dims[1], max_elems);
      chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(dims[0], max_elems / chunk[1]));
    } else {
      chunk[0] = std::min<hsize_t>(dims[0], max_elems);
    }
    H5Pset_chunk(plist, static_cast<int>(chunk.size()), chunk.data());
    H5Pset_shuffle(plist);
    H5Pset_deflate(plist, 4);
  }
  Handle ds(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose,
            name.c_str());
  if (total > 0) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), name.c_str());
}

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
};

/// Creates an empty extendible dataset [0] or [0, kSides].
void extendible(hid_t loc, const char* name, hid_t type, bool per_side) {
  const int rank = per_side ? 2 : 1;
  hsize_t dims[2] = {0, kSides}, maxdims[2] = {H5S_UNLIMITED, kSides}, chunk[2] = {4096, kSides};
  Handle space(H5Screate_simple(rank, dims, maxdims), H5Sclose, name);
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, name);
  H5Pset_chunk(plist, rank, chunk);
  Handle ds(H5Dcreate2(loc, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose, name);
}

/// Appends `rows` rows to an extendible dataset starting at row `at`.
void append(hid_t loc, const char* name, hid_t type, hsize_t at, hsize_t rows, bool per_side,
            const void* data) {
  const int rank = per_side ? 2 : 1;
  Handle ds(H5Dopen2(loc, name, H5P_DEFAULT), H5Dclose, name);
  hsize_t size[2] = {at + rows, kSides}, start[2] = {at, 0}, count[2] = {rows, kSides};
  check(H5Dset_extent(ds, size), name);
  Handle file_space(H5Dget_space(ds), H5Sclose, name);
  check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, nullptr, count, nullptr), name);
  Handle mem_space(H5Screate_simple(rank, count, nullptr), H5Sclose, name);
  check(H5Dwrite(ds, type, mem_space, file_space, H5P_DEFAULT, data), name);
}

}  // namespace

OutputFile::OutputFile(const std::string& path, bool force, const RunMetadata& meta)
    : meta_(meta), cell_area_km2_(meta.cell_size_m * meta.cell_size_m / 1e6) {
  namespace fs = std::filesystem;
  if (fs::exists(path) && !force)
    throw OutputError(path + ": file exists; use --force to overwrite it");
  const fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  file_ = H5Fcreate(path.c_str(), force ? H5F_ACC_TRUNC : H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw OutputError(path + ": cannot create the output file");

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
  {
    Handle ev = group(file_, "events");
    Handle sc = group(ev, "settlement_control");
    attr(sc, "description",
         std::string("every change of a settlement's holder: from/to are side indices, -1 = "
                     "contested or never held"));
    extendible(sc, "step", H5T_NATIVE_INT64, false);
    extendible(sc, "time", H5T_NATIVE_DOUBLE, false);
    extendible(sc, "settlement", H5T_NATIVE_INT32, false);
    extendible(sc, "from", H5T_NATIVE_INT8, false);
    extendible(sc, "to", H5T_NATIVE_INT8, false);
  }
  Handle data = group(file_, "data");
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

OutputFile::~OutputFile() {
  if (file_ < 0) return;
  try {
    append_series();
  } catch (...) {
  }
  H5Fclose(file_);
}

void OutputFile::record(const Observation& obs) { pending_.push_back(obs); }

void OutputFile::event(const SettlementEvent& e) { pending_events_.push_back(e); }

void OutputFile::append_series() {
  if (!pending_events_.empty()) {
    const hsize_t rows = pending_events_.size();
    std::vector<std::int64_t> step(rows);
    std::vector<double> time(rows);
    std::vector<std::int32_t> settlement(rows);
    std::vector<std::int8_t> from(rows), to(rows);
    for (hsize_t r = 0; r < rows; ++r) {
      const SettlementEvent& e = pending_events_[r];
      step[r] = e.step, time[r] = e.time_s, settlement[r] = e.change.settlement;
      from[r] = e.change.from, to[r] = e.change.to;
    }
    Handle sc(H5Gopen2(file_, "events/settlement_control", H5P_DEFAULT), H5Gclose, "events");
    const auto at = static_cast<hsize_t>(event_rows_);
    append(sc, "step", H5T_NATIVE_INT64, at, rows, false, step.data());
    append(sc, "time", H5T_NATIVE_DOUBLE, at, rows, false, time.data());
    append(sc, "settlement", H5T_NATIVE_INT32, at, rows, false, settlement.data());
    append(sc, "from", H5T_NATIVE_INT8, at, rows, false, from.data());
    append(sc, "to", H5T_NATIVE_INT8, at, rows, false, to.data());
    event_rows_ += static_cast<std::int64_t>(rows);
    pending_events_.clear();
  }
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

void OutputFile::flush() {
  append_series();
  check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush");
}

void OutputFile::snapshot(std::int64_t step, double time_s, const RasterArrays& raster,
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
  flush();
}

void OutputFile::finish(double wall_seconds, std::int64_t steps_run) {
  Handle s(H5Gopen2(file_, "salient", H5P_DEFAULT), H5Gclose, "salient");
  attr(s, "wall_seconds", wall_seconds);
  attr_int<std::int64_t>(s, "steps_run", H5T_NATIVE_INT64, steps_run);
  flush();
}

}  // namespace salient
