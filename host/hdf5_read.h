// Checked reads of HDF5 attributes from untrusted files (checkpoints, outputs to resume):
// each read checks presence, type class and size first and throws CheckpointError naming the
// file, the attribute and what was expected.
#pragma once

#include <hdf5.h>

#include <string>

#include "hdf5_handle.h"
#include "state_archive.h"

namespace salient {

/// Reads attributes of one object; messages read "LABEL: NAME: PROBLEM".
struct AttributeReader {
  std::string label;  ///< e.g. "checkpoint 'run.h5.checkpoint'"
  hid_t obj = -1;     ///< the object whose attributes are read (not owned)

  /// Throws CheckpointError "LABEL: WHAT: PROBLEM".
  [[noreturn]] void fail(const std::string& what, const std::string& problem) const {
    throw CheckpointError(label + ": " + what + ": " + problem);
  }

  /// An attribute opened with its type and dataspace; fails if it is missing.
  struct Opened {
    Opened(const AttributeReader& r, const char* name)
        : attr(open(r, name), H5Aclose),
          type(H5Aget_type(attr), H5Tclose),
          space(H5Aget_space(attr), H5Sclose) {}
    static hid_t open(const AttributeReader& r, const char* name) {
      if (H5Aexists(r.obj, name) <= 0) r.fail(name, "attribute missing");
      const hid_t a = H5Aopen(r.obj, name, H5P_DEFAULT);
      if (a < 0) r.fail(name, "cannot open the attribute");
      return a;
    }
    Hdf5Handle attr, type, space;
  };

  /// A scalar attribute of class `cls`, read as memory type `mem` (T must match it).
  template <class T>
  T scalar(const char* name, H5T_class_t cls, hid_t mem) const {
    const Opened a(*this, name);
    if (H5Tget_class(a.type) != cls || H5Sget_simple_extent_npoints(a.space) != 1)
      fail(name,
           cls == H5T_FLOAT ? "expected one floating-point value" : "expected one integer value");
    T v{};
    if (H5Aread(a.attr, mem, &v) < 0) fail(name, "value out of range for its type");
    return v;
  }

  /// A fixed-length string attribute of at most 64 MiB (text up to its first NUL).
  std::string text(const char* name) const {
    const Opened a(*this, name);
    const std::size_t size = H5Tget_size(a.type);
    if (H5Tget_class(a.type) != H5T_STRING || H5Tis_variable_str(a.type) > 0 || size == 0 ||
        size > (std::size_t{64} << 20) || H5Sget_simple_extent_npoints(a.space) != 1)
      fail(name, "expected one fixed-length string");
    std::string v(size, '\0');
    if (H5Aread(a.attr, a.type, v.data()) < 0) fail(name, "cannot read the attribute");
    return v.substr(0, v.find('\0'));
  }
};

}  // namespace salient
