// Region files (HDF5 C API): reader with validation and a writer of the same layout.
#include "region_io.h"

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <vector>

#include "../kernels/common.cuh"
#include "hdf5_handle.h"

namespace salient {
namespace {

/// Silences HDF5's automatic error printing while alive; restores the previous handler.
struct QuietErrors {
  QuietErrors() {
    H5Eget_auto2(H5E_DEFAULT, &func, &data);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func, data); }
  H5E_auto2_t func = nullptr;
  void* data = nullptr;
};

/// Error reporting for one file: messages read "region file 'PATH': OBJECT: PROBLEM".
struct Context {
  std::string path;
  template <class... Parts>
  [[noreturn]] void fail(const std::string& what, const Parts&... parts) const {
    std::ostringstream msg;
    (msg << ... << parts);
    throw RegionFileError("region file '" + path + "': " + what + ": " + msg.str());
  }
  /// Throws if an HDF5 call failed (negative id or status).
  hid_t check(hid_t id, const std::string& what, const char* msg = "HDF5 call failed") const {
    if (id < 0) fail(what, msg);
    return id;
  }
};

/// An HDF5 identifier checked with RegionFileError, closed on scope exit.
class Handle : public Hdf5Handle {
 public:
  Handle(hid_t id, herr_t (*close)(hid_t), const Context& cx, const std::string& what,
         const char* msg = "HDF5 call failed")
      : Hdf5Handle(cx.check(id, what, msg), close) {}
};

std::string cell_at(std::size_t i, std::int32_t nx) {
  return "cell (row " + std::to_string(i / nx) + ", col " + std::to_string(i % nx) + ")";
}

std::string shape(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

/// Makes a read fail instead of clipping values that do not fit the memory type.
H5T_conv_ret_t abort_on_overflow(H5T_conv_except_t, hid_t, hid_t, void*, void*, void*) {
  return H5T_CONV_ABORT;
}

constexpr hsize_t kAny = H5S_UNLIMITED;  ///< any extent in an expected shape

/// Throws if `name` or a group on its way is an external (or user-defined) link: only this
/// file is read, never one it names.
void require_local_link(const Context& cx, hid_t file, const char* name) {
  const std::string path(name);
  for (std::size_t end = path.find('/', 1);; end = path.find('/', end + 1)) {
    const std::string part = path.substr(0, end);  // "/settlements", then "/settlements/name"
    H5L_info_t info;
    if (H5Lget_info(file, part.c_str(), &info, H5P_DEFAULT) < 0)
      cx.fail(name, "cannot open dataset");
    if (info.type != H5L_TYPE_HARD && info.type != H5L_TYPE_SOFT)
      cx.fail(name, "expected an object stored in this file, got an external link at ", part);
    if (end == std::string::npos) return;
  }
}

/// An open dataset checked for its type class, storage and shape (`want`: extents or kAny,
/// `why`). Nothing of its data is read.
struct Dataset {
  Dataset(const Context& cx, hid_t file, const char* name, H5T_class_t cls,
          const std::vector<hsize_t>& want, const char* why)
      : ds((require_local_link(cx, file, name), H5Dopen2(file, name, H5P_DEFAULT)), H5Dclose, cx,
           name, "cannot open dataset"),
        type(H5Dget_type(ds), H5Tclose, cx, name),
        space(H5Dget_space(ds), H5Sclose, cx, name),
        dims(want.size()) {
    if (H5Tget_class(type) != cls)
      cx.fail(name, cls == H5T_INTEGER ? "expected an integer type" : "expected strings");
    const Handle dcpl(H5Dget_create_plist(ds), H5Pclose, cx, name);
    if (H5Pget_layout(dcpl) == H5D_VIRTUAL || H5Pget_external_count(dcpl) != 0)
      cx.fail(name, "expected data stored in this file (not external or virtual)");
    const int r = H5Sget_simple_extent_ndims(space);
    if (r != static_cast<int>(want.size()))
      cx.fail(name, "expected rank ", want.size(), ", got ", r);
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    for (std::size_t i = 0; i < dims.size(); ++i)
      if (want[i] != kAny && want[i] != dims[i])
        cx.fail(name, "expected shape ", shape(want), " (", why, "), got ", shape(dims));
  }
  /// Elements (the caller has bounded the shape).
  std::size_t size() const {
    std::size_t n = 1;
    for (hsize_t d : dims) n *= static_cast<std::size_t>(d);
    return n;
  }
  Handle ds, type, space;
  std::vector<hsize_t> dims;
};

/// Reads the integer dataset `d` (shape already bounded) into memory type `mem`.
template <class T>
std::vector<T> read_ints(const Context& cx, const Dataset& d, const char* name, hid_t mem) {
  std::vector<T> v(d.size());
  Handle xfer(H5Pcreate(H5P_DATASET_XFER), H5Pclose, cx, name);
  H5Pset_type_conv_cb(xfer, abort_on_overflow, nullptr);
  if (!v.empty() && H5Dread(d.ds, mem, H5S_ALL, H5S_ALL, xfer, v.data()) < 0)
    cx.fail(name, "cannot read as ", sizeof(T) == 1 ? "uint8" : "int32", " (values out of range?)");
  return v;
}

/// Longest fixed-length settlement name read, in bytes.
constexpr std::size_t kMaxNameBytes = 4096;

/// Reads a rank-1 string dataset (fixed or variable length) of `n` elements.
std::vector<std::string> read_strings(const Context& cx, hid_t file, const char* name,
                                      std::size_t n) {
  const Dataset d(cx, file, name, H5T_STRING, {n}, "one per settlement id");
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose, cx, name);
  const bool vlen = H5Tis_variable_str(d.type) > 0;
  const std::size_t size = vlen ? sizeof(char*) : H5Tget_size(d.type);
  if (size == 0 || size > kMaxNameBytes)
    cx.fail(name, "expected strings of at most ", kMaxNameBytes, " bytes, got ", size);
  H5Tset_cset(mem, H5Tget_cset(d.type));
  H5Tset_strpad(mem, H5T_STR_NULLPAD);
  H5Tset_size(mem, vlen ? H5T_VARIABLE : size);
  std::vector<char> buf(n * size);
  if (n > 0)
    cx.check(H5Dread(d.ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), name, "cannot read");
  std::vector<std::string> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const char* p = &buf[i * size];
    // A variable-length string: the buffer holds its char* (possibly unaligned).
    if (vlen) std::memcpy(&p, &buf[i * size], sizeof(const char*));
    out[i] = !p ? "" : vlen ? std::string(p) : std::string(p, strnlen(p, size));
  }
  if (vlen && n > 0) H5Dvlen_reclaim(mem, d.space, H5P_DEFAULT, buf.data());
  return out;
}

/// Required root attribute cell_size_m: one finite number > 0.
double read_cell_size(const Context& cx, hid_t file) {
  const char* what = "attribute cell_size_m";
  if (H5Aexists(file, "cell_size_m") <= 0)
    cx.fail(what, "missing (expected float64 on the root group, metres per cell)");
  Handle attr(H5Aopen(file, "cell_size_m", H5P_DEFAULT), H5Aclose, cx, what, "cannot open");
  Handle space(H5Aget_space(attr), H5Sclose, cx, what);
  double v = 0;  // a string or compound type fails to convert
  if (H5Sget_simple_extent_npoints(space) != 1 || H5Aread(attr, H5T_NATIVE_DOUBLE, &v) < 0)
    cx.fail(what, "expected one float64");
  if (!(std::isfinite(v) && v > 0)) cx.fail(what, "expected > 0, got ", v);
  return v;
}

/// Settlement ids of the 4-connected urban clusters, numbered in row-major order.
std::vector<std::int32_t> label_urban(const std::vector<std::uint8_t>& t, std::size_t nx) {
  std::vector<std::int32_t> id(t.size(), -1);
  std::vector<std::size_t> stack;
  std::int32_t next = 0;
  for (std::size_t start = 0; start < t.size(); ++start) {
    if (t[start] != kUrban || id[start] >= 0) continue;
    id[start] = next;
    stack.push_back(start);
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      auto visit = [&](std::size_t j) {
        if (t[j] == kUrban && id[j] < 0) id[j] = next, stack.push_back(j);
      };
      if (i % nx > 0) visit(i - 1);
      if (i % nx + 1 < nx) visit(i + 1);
      if (i >= nx) visit(i - nx);
      if (i + nx < t.size()) visit(i + nx);
    }
    ++next;
  }
  return id;
}

/// Writes a contiguous dataset with file type `ftype` from memory of type `mtype`.
void write_array(const Context& cx, hid_t loc, const char* name, hid_t ftype, hid_t mtype,
                 const std::vector<hsize_t>& dims, const void* data) {
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, cx,
               name);
  Handle ds(H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
            cx, name, "cannot create dataset");
  if (H5Sget_simple_extent_npoints(space) > 0)
    cx.check(H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), name, "cannot write");
}

/// Throws unless the terrain's shape is ny x nx with 1 <= nx, ny and at most kMaxCells cells,
/// and, when given, the scenario's raster.
void check_extent(const Context& cx, const std::vector<hsize_t>& dims, double cell_size,
                  const std::optional<RegionExtent>& expect) {
  if (dims[0] < 1 || dims[1] < 1 || dims[0] > kMaxCells || dims[1] > kMaxCells / dims[0])
    cx.fail("/terrain", "expected shape [ny, nx] with 1 <= nx, ny and nx * ny <= 5e8 cells, got ",
            shape(dims));
  if (!expect) return;
  if (std::abs(cell_size - expect->cell_size) > 1e-9 * expect->cell_size ||
      dims[0] != hsize_t(expect->ny) || dims[1] != hsize_t(expect->nx))
    cx.fail("/terrain", dims[1], " x ", dims[0], " cells of ", cell_size,
            " m, but the scenario's region.width, region.height and region.cell_size make ",
            expect->nx, " x ", expect->ny, " cells of ", expect->cell_size, " m");
}

/// Throws unless every id 0..count-1 of the settlement raster has a cell.
void check_ids_used(const Context& cx, const std::vector<std::int32_t>& settlement,
                    std::int32_t count) {
  std::vector<char> used(static_cast<std::size_t>(count), 0);
  for (std::int32_t id : settlement)
    if (id >= 0) used[static_cast<std::size_t>(id)] = 1;
  for (std::int32_t k = 0; k < count; ++k)
    if (!used[static_cast<std::size_t>(k)])
      cx.fail("/settlement", "id ", k, " has no cells, expected ids 0..", count - 1, " all used");
}

}  // namespace

Region read_region_file(const std::string& path, const std::optional<RegionExtent>& expect) {
  const QuietErrors quiet;
  const Context cx{path};
  if (std::error_code ec; !std::filesystem::is_regular_file(path, ec))
    cx.fail("file", "no such file");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, cx, "file",
              "cannot open (expected an HDF5 file)");
  Region g;
  g.cell_size = read_cell_size(cx, file);
  if (H5Lexists(file, "/terrain", H5P_DEFAULT) <= 0)
    cx.fail("/terrain", "missing dataset (expected uint8 [ny][nx])");
  const Dataset terrain(cx, file, "/terrain", H5T_INTEGER, {kAny, kAny}, "");
  const std::vector<hsize_t> dims = terrain.dims;
  check_extent(cx, dims, g.cell_size, expect);
  g.terrain = read_ints<std::uint8_t>(cx, terrain, "/terrain", H5T_NATIVE_UINT8);
  g.ny = static_cast<std::int32_t>(dims[0]), g.nx = static_cast<std::int32_t>(dims[1]);
  for (std::size_t i = 0; i < g.terrain.size(); ++i)
    if (g.terrain[i] >= kTerrainClasses)
      cx.fail("/terrain", "value ", int(g.terrain[i]), " at ", cell_at(i, g.nx),
              ", expected 0..4 (open, forest, urban, water, road)");
  if (H5Lexists(file, "/settlement", H5P_DEFAULT) > 0) {
    const Dataset d(cx, file, "/settlement", H5T_INTEGER, dims, "as /terrain");
    g.settlement = read_ints<std::int32_t>(cx, d, "/settlement", H5T_NATIVE_INT32);
    for (std::size_t i = 0; i < g.settlement.size(); ++i) {
      const std::int32_t id = g.settlement[i];
      if (id < -1 || id >= static_cast<std::int32_t>(g.settlement.size()))  // ids are dense
        cx.fail("/settlement", "id ", id, " at ", cell_at(i, g.nx), ", expected -1 or 0..",
                g.settlement.size() - 1, " (ids 0..K-1, all used)");
      if (id >= 0 && g.terrain[i] != kUrban)
        cx.fail("/settlement", "id ", id, " at ", cell_at(i, g.nx), ", a non-urban cell (terrain ",
                int(g.terrain[i]), "), expected every settlement cell urban (2)");
    }
  } else {
    g.settlement = label_urban(g.terrain, g.nx);
  }
  const std::int32_t count = *std::max_element(g.settlement.begin(), g.settlement.end()) + 1;
  check_ids_used(cx, g.settlement, count);
  const bool group = H5Lexists(file, "/settlements", H5P_DEFAULT) > 0;
  std::vector<std::string> names;
  std::vector<std::uint8_t> classes;
  if (group && H5Lexists(file, "/settlements/name", H5P_DEFAULT) > 0)
    names = read_strings(cx, file, "/settlements/name", count);
  if (group && H5Lexists(file, "/settlements/size_class", H5P_DEFAULT) > 0) {
    const Dataset d(cx, file, "/settlements/size_class", H5T_INTEGER, {hsize_t(count)},
                    "one per settlement id");
    classes = read_ints<std::uint8_t>(cx, d, "/settlements/size_class", H5T_NATIVE_UINT8);
  }
  const double cell = g.cell_size;
  g.settlements.resize(count);
  compute_settlement_geometry(g);
  for (std::int32_t k = 0; k < count; ++k) {
    Settlement& s = g.settlements[k];
    if (s.cells == 0)
      cx.fail("/settlement", "id ", k, " has no cells, expected ids 0..", count - 1, " all used");
    if (!classes.empty() && classes[k] > 1)
      cx.fail("/settlements/size_class", "value ", int(classes[k]), " for id ", k,
              ", expected 0 (village) or 1 (town)");
    s.id = k;
    s.name = names.empty() || names[k].empty() ? "settlement-" + std::to_string(k) : names[k];
    const bool town = classes.empty() ? s.cells * cell * cell >= kTownMinAreaM2 : classes[k] == 1;
    s.size_class = town ? SettlementClass::kTown : SettlementClass::kVillage;
  }
  return g;
}

void write_region_file(const std::string& path, const Region& region) {
  const QuietErrors quiet;
  const Context cx{path};
  const auto cells = static_cast<std::size_t>(region.nx) * static_cast<std::size_t>(region.ny);
  if (region.nx < 1 || region.ny < 1 || region.terrain.size() != cells ||
      region.settlement.size() != cells || !(region.cell_size > 0))
    cx.fail("region", "expected nx, ny >= 1, terrain and settlement of nx * ny, cell_size > 0");
  Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, cx,
              "file", "cannot create");
  const char* what = "attribute cell_size_m";
  Handle scalar(H5Screate(H5S_SCALAR), H5Sclose, cx, what);
  Handle attr(H5Acreate2(file, "cell_size_m", H5T_IEEE_F64LE, scalar, H5P_DEFAULT, H5P_DEFAULT),
              H5Aclose, cx, what, "cannot create");
  cx.check(H5Awrite(attr, H5T_NATIVE_DOUBLE, &region.cell_size), what, "cannot write");
  const std::vector<hsize_t> dims = {hsize_t(region.ny), hsize_t(region.nx)};
  write_array(cx, file, "/terrain", H5T_STD_U8LE, H5T_NATIVE_UINT8, dims, region.terrain.data());
  write_array(cx, file, "/settlement", H5T_STD_I32LE, H5T_NATIVE_INT32, dims,
              region.settlement.data());
  Handle group(H5Gcreate2(file, "/settlements", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
               cx, "/settlements", "cannot create group");
  std::size_t len = 1;
  for (const Settlement& s : region.settlements) len = std::max(len, s.name.size());
  std::string names(len * region.settlements.size(), '\0');
  std::vector<std::uint8_t> classes;
  for (const Settlement& s : region.settlements) {
    names.replace(classes.size() * len, s.name.size(), s.name);
    classes.push_back(static_cast<std::uint8_t>(s.size_class));
  }
  Handle str(H5Tcopy(H5T_C_S1), H5Tclose, cx, "/settlements/name");
  H5Tset_size(str, len);
  H5Tset_strpad(str, H5T_STR_NULLPAD);
  write_array(cx, group, "name", str, str, {hsize_t(classes.size())}, names.data());
  write_array(cx, group, "size_class", H5T_STD_U8LE, H5T_NATIVE_UINT8, {hsize_t(classes.size())},
              classes.data());
  cx.check(H5Fflush(file, H5F_SCOPE_LOCAL), "file", "cannot flush");
}

}  // namespace salient
