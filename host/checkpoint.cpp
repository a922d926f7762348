// Checkpoint files (host/checkpoint.h): HDF5 with the header as root attributes and one
// dataset per state array in /state.
#include "checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "disk_space.h"
#include "hdf5_read.h"
#include "hdf5_write.h"
#include "version.h"

namespace salient {
namespace {

using namespace h5;

constexpr const char* kFormat = "salient checkpoint";
constexpr std::int32_t kFormatVersion = 1;

/// The native HDF5 type of an element type.
hid_t native_type(ElementType t) {
  switch (t) {
    case ElementType::kU8:
      return H5T_NATIVE_UINT8;
    case ElementType::kI8:
      return H5T_NATIVE_INT8;
    case ElementType::kU16:
      return H5T_NATIVE_UINT16;
    case ElementType::kI16:
      return H5T_NATIVE_INT16;
    case ElementType::kU32:
      return H5T_NATIVE_UINT32;
    case ElementType::kI32:
      return H5T_NATIVE_INT32;
    case ElementType::kI64:
      return H5T_NATIVE_INT64;
    case ElementType::kF32:
      return H5T_NATIVE_FLOAT;
    case ElementType::kF64:
      return H5T_NATIVE_DOUBLE;
  }
  return H5T_NATIVE_UINT8;
}

/// Flushes a file's data to the disk (so that a rename after it cannot expose an empty file).
void sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return;
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw OutputError(path + ": cannot sync to disk");
}

/// Opens `path` read-only as a checkpoint; throws CheckpointError if it is not one.
AttributeReader open_checkpoint(const std::string& path) {
  AttributeReader r{"checkpoint '" + path + "'", -1};
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) r.fail("file", "missing or not a file");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (H5Fis_hdf5(path.c_str()) <= 0) r.fail("file", "not an HDF5 file (or truncated)");
  r.obj = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (r.obj < 0) r.fail("file", "cannot open it as HDF5");
  return r;
}

}  // namespace

std::string checkpoint_path(const std::string& output) { return output + ".checkpoint"; }

void write_checkpoint(const std::string& path, const CheckpointHeader& header,
                      const std::vector<StateArray>& state) {
  const std::string temp = path + ".part";
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::int64_t bytes = 128 << 10;  // metadata
  for (const StateArray& a : state) bytes += static_cast<std::int64_t>(a.bytes.size());
  ensure_room(temp, bytes, "the checkpoint");
  try {
    {
      const hid_t id = H5Fcreate(temp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
      Handle f(id, H5Fclose, "cannot create the checkpoint");
      attr(f, "format", std::string(kFormat));
      attr_int<std::int32_t>(f, "format_version", H5T_NATIVE_INT32, kFormatVersion);
      attr_int<std::int64_t>(f, "step", H5T_NATIVE_INT64, header.step);
      attr(f, "time_s", header.time_s);
      attr_int<std::int64_t>(f, "series_rows", H5T_NATIVE_INT64, header.rows.series);
      attr_int<std::int64_t>(f, "settlement_event_rows", H5T_NATIVE_INT64,
                             header.rows.settlement_events);
      attr_int<std::int64_t>(f, "strike_event_rows", H5T_NATIVE_INT64, header.rows.strike_events);
      attr(f, "scenario_sha256", header.scenario_sha256);
      attr_int<std::uint64_t>(f, "seed", H5T_NATIVE_UINT64, header.seed);
      attr(f, "salient_version", std::string(version()));
      attr(f, "git_commit", std::string(git_commit()));
      Handle g = group(f, "state");
      for (const StateArray& a : state)
        write_array(g, a.name, native_type(a.type), {a.count}, a.bytes.data(),
                    element_size(a.type));
      check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
    }
    sync_file(temp);
  } catch (const OutputError& e) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);  // the older checkpoint stays whole
    throw OutputError(path + ": cannot write the checkpoint (" + e.what() + ")");
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0)
    throw OutputError("cannot rename " + temp + " to " + path);
  const std::string dir = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) ::fsync(fd), ::close(fd);  // the rename itself reaches the disk
}

CheckpointHeader read_checkpoint_header(const std::string& path) {
  AttributeReader r = open_checkpoint(path);
  Hdf5Handle file(r.obj, H5Fclose);
  if (r.text("format") != kFormat) r.fail("format", "not a salient checkpoint");
  const auto v = r.scalar<std::int32_t>("format_version", H5T_INTEGER, H5T_NATIVE_INT32);
  if (v != kFormatVersion)
    r.fail("format_version", "version " + std::to_string(v) + ", this salient reads " +
                                 std::to_string(kFormatVersion));
  CheckpointHeader h;
  h.step = r.scalar<std::int64_t>("step", H5T_INTEGER, H5T_NATIVE_INT64);
  h.time_s = r.scalar<double>("time_s", H5T_FLOAT, H5T_NATIVE_DOUBLE);
  h.rows.series = r.scalar<std::int64_t>("series_rows", H5T_INTEGER, H5T_NATIVE_INT64);
  h.rows.settlement_events =
      r.scalar<std::int64_t>("settlement_event_rows", H5T_INTEGER, H5T_NATIVE_INT64);
  h.rows.strike_events = r.scalar<std::int64_t>("strike_event_rows", H5T_INTEGER, H5T_NATIVE_INT64);
  h.scenario_sha256 = r.text("scenario_sha256");
  h.seed = r.scalar<std::uint64_t>("seed", H5T_INTEGER, H5T_NATIVE_UINT64);
  h.version = r.text("salient_version");
  h.git_commit = r.text("git_commit");
  if (h.step < 0) r.fail("step", "negative");
  if (!std::isfinite(h.time_s) || h.time_s < 0) r.fail("time_s", "expected a finite time >= 0");
  if (h.rows.series < 0 || h.rows.settlement_events < 0 || h.rows.strike_events < 0)
    r.fail("rows", "negative row count");
  return h;
}

std::vector<StateArray> read_checkpoint_state(const std::string& path,
                                              const std::vector<StateArray>& like) {
  AttributeReader r = open_checkpoint(path);
  Hdf5Handle file(r.obj, H5Fclose);
  if (H5Lexists(r.obj, "state", H5P_DEFAULT) <= 0) r.fail("state", "group missing");
  std::vector<StateArray> out;
  out.reserve(like.size());
  for (const StateArray& want : like) {
    const std::string name = "state/" + want.name;
    if (H5Lexists(r.obj, name.c_str(), H5P_DEFAULT) <= 0) r.fail(name, "dataset missing");
    const hid_t id = H5Dopen2(r.obj, name.c_str(), H5P_DEFAULT);
    if (id < 0) r.fail(name, "cannot open it as a dataset");
    Hdf5Handle ds(id, H5Dclose);
    Hdf5Handle type(H5Dget_type(ds), H5Tclose);
    Hdf5Handle space(H5Dget_space(ds), H5Sclose);
    const hid_t mem = native_type(want.type);
    const bool is_float = want.type == ElementType::kF32 || want.type == ElementType::kF64;
    if (H5Tget_class(type) != (is_float ? H5T_FLOAT : H5T_INTEGER) ||
        H5Tget_size(type) != element_size(want.type) ||
        (!is_float && H5Tget_sign(type) != H5Tget_sign(mem)))
      r.fail(name, "wrong element type");
    hsize_t dims[1] = {0};
    if (H5Sget_simple_extent_ndims(space) != 1 ||
        H5Sget_simple_extent_dims(space, dims, nullptr) < 0)
      r.fail(name, "expected a one-dimensional array");
    if (dims[0] != want.count)
      r.fail(name, std::to_string(dims[0]) + " elements, this scenario has " +
                       std::to_string(want.count));
    StateArray a{want.name, want.type, want.count, {}};
    a.bytes.resize(want.count * element_size(want.type));
    if (want.count > 0 && H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.bytes.data()) < 0)
      r.fail(name, "cannot read it (damaged file?)");
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace salient
