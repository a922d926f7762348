// RAII for HDF5 identifiers, shared by the output writer and the region reader.
#pragma once

#include <hdf5.h>

namespace salient {

/// Owns a valid HDF5 identifier and closes it with the matching H5*close. Callers check the
/// identifier first (each with its own error type) and derive a small wrapper that does so.
class Hdf5Handle {
 public:
  Hdf5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Hdf5Handle() { close_(id_); }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  operator hid_t() const { return id_; }

 private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

}  // namespace salient
