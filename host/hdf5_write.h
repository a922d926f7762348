// Small helpers over the HDF5 C API for the output writer (host/output*.cpp): checked
// handles, groups, attributes, compressed arrays and extendible tables appended row by row.
#pragma once

#include <hdf5.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../kernels/common.cuh"
#include "hdf5_handle.h"
#include "output.h"

namespace salient::h5 {

/// The reason of the HDF5 failure just reported, from the default error stack: the system's
/// message where a read or write failed (e.g. "No space left on device"), else the innermost
/// HDF5 description; empty if the stack holds nothing.
inline std::string error_detail() {
  struct Found {
    std::string system, innermost;
  } found;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned n, const H5E_error2_t* e, void* data) -> herr_t {
        auto* f = static_cast<Found*>(data);
        const std::string desc = e->desc ? e->desc : "";
        const std::string key = "error message = '";
        const auto at = desc.find(key);
        if (at != std::string::npos && f->system.empty()) {
          const auto end = desc.find('\'', at + key.size());
          f->system =
              desc.substr(at + key.size(),
                          end == std::string::npos ? std::string::npos : end - at - key.size());
        }
        if (n == 0) f->innermost = desc;
        return 0;
      },
      &found);
  return found.system.empty() ? found.innermost : found.system;
}

/// Throws OutputError if an HDF5 call failed (negative id or status), with the reason.
inline hid_t check(hid_t id, const char* what) {
  if (id < 0) {
    const std::string why = error_detail();
    throw OutputError(std::string("HDF5 error: ") + what + (why.empty() ? "" : ": " + why));
  }
  return id;
}

/// An HDF5 identifier checked with OutputError, closed on scope exit.
class Handle : public Hdf5Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t), const char* what) : Hdf5Handle(check(id, what), close) {}
};

inline Handle group(hid_t parent, const std::string& name) {
  return Handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                name.c_str());
}

/// Writes attribute `name` (replacing one of that name): n values, or one scalar value.
inline void attr_raw(hid_t obj, const char* name, hid_t type, hsize_t n, const void* data,
                     bool scalar) {
  if (H5Aexists(obj, name) > 0) check(H5Adelete(obj, name), name);
  Handle space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose, name);
  Handle attr(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
  check(H5Awrite(attr, type, data), name);
}

/// Fixed-length ASCII string attribute.
inline void attr(hid_t obj, const char* name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, name);
  H5Tset_size(type, value.empty() ? 1 : value.size());
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  attr_raw(obj, name, type, 1, value.empty() ? "" : value.data(), true);
}

/// Array of fixed-length strings (padded to the longest).
inline void attr(hid_t obj, const char* name, const std::vector<std::string>& values) {
  std::size_t len = 1;
  for (const auto& v : values) len = std::max(len, v.size());
  std::string buf(len * values.size(), '\0');
  for (std::size_t i = 0; i < values.size(); ++i) buf.replace(i * len, values[i].size(), values[i]);
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, name);
  H5Tset_size(type, len);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  attr_raw(obj, name, type, values.size(), buf.data(), false);
}

inline void attr(hid_t obj, const char* name, double v) {
  attr_raw(obj, name, H5T_NATIVE_DOUBLE, 1, &v, true);
}
inline void attr_f32(hid_t obj, const char* name, float v) {
  attr_raw(obj, name, H5T_NATIVE_FLOAT, 1, &v, true);
}
inline void attr(hid_t obj, const char* name, const std::vector<double>& v) {
  attr_raw(obj, name, H5T_NATIVE_DOUBLE, v.size(), v.data(), false);
}
template <class T>
inline void attr_int(hid_t obj, const char* name, hid_t type, T v) {
  attr_raw(obj, name, type, 1, &v, true);
}

/// openPMD unitDimension: powers of (L, M, T, I, theta, N, J).
inline const std::vector<double> kDimensionless(7, 0.0);
inline const std::vector<double> kLength = {1, 0, 0, 0, 0, 0, 0};

/// Writes a chunked, compressed dataset of rank 1 or 2.
inline void write_array(hid_t loc, const std::string& name, hid_t type, std::vector<hsize_t> dims,
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

/// Creates an empty extendible dataset [0] or [0, kSides].
inline void extendible(hid_t loc, const char* name, hid_t type, bool per_side) {
  const int rank = per_side ? 2 : 1;
  hsize_t dims[2] = {0, kSides}, maxdims[2] = {H5S_UNLIMITED, kSides}, chunk[2] = {1024, kSides};
  Handle space(H5Screate_simple(rank, dims, maxdims), H5Sclose, name);
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, name);
  H5Pset_chunk(plist, rank, chunk);
  Handle ds(H5Dcreate2(loc, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT), H5Dclose, name);
}

/// Appends `rows` rows to an extendible dataset starting at row `at`.
inline void append(hid_t loc, const char* name, hid_t type, hsize_t at, hsize_t rows, bool per_side,
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

}  // namespace salient::h5
