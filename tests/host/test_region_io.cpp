// Region files: write/read round trip, settlements from urban clusters when /settlement is
// absent, other integer and string types, and one error (with its message) per validation.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "host/region_io.h"

namespace salient {
namespace {

namespace fs = std::filesystem;

/// A temp dir per process, removed after each test.
class RegionIo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("salient-region-io-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

/// Hand-made (possibly invalid) region files, written with the HDF5 C API.
class H5Writer {
 public:
  explicit H5Writer(const std::string& path)
      : file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) {
    EXPECT_GE(file_, 0) << path;
  }
  ~H5Writer() { H5Fclose(file_); }
  void cell_size(double v) {
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t attr =
        H5Acreate2(file_, "cell_size_m", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(H5Awrite(attr, H5T_NATIVE_DOUBLE, &v), 0);
    H5Aclose(attr);
    H5Sclose(space);
  }
  /// Dataset `name` (parent groups created) of file type `ftype` from memory of type `mtype`.
  void dataset(const char* name, hid_t ftype, hid_t mtype, std::vector<hsize_t> dims,
               const void* data) {
    const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t ds = H5Dcreate2(file_, name, ftype, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0) << name;
    H5Dclose(ds);
    H5Sclose(space);
    H5Pclose(lcpl);
  }
  void terrain(std::int32_t ny, std::int32_t nx, const std::vector<std::uint8_t>& t) {
    dataset("/terrain", H5T_STD_U8LE, H5T_NATIVE_UINT8, {hsize_t(ny), hsize_t(nx)}, t.data());
  }
  void settlement(std::int32_t ny, std::int32_t nx, const std::vector<std::int32_t>& s) {
    dataset("/settlement", H5T_STD_I32LE, H5T_NATIVE_INT32, {hsize_t(ny), hsize_t(nx)}, s.data());
  }

 private:
  hid_t file_;
};

/// The RegionFileError message of reading `path`, or "(no error)".
std::string read_error(const std::string& path) {
  try {
    read_region_file(path);
  } catch (const RegionFileError& e) {
    return e.what();
  }
  return "(no error)";
}

/// Sets cells [r0, r1) x [c0, c1) to terrain `t` and settlement `id`.
void fill(Region& g, int r0, int r1, int c0, int c1, std::uint8_t t, std::int32_t id = -1) {
  for (int r = r0; r < r1; ++r)
    for (int c = c0; c < c1; ++c) {
      g.terrain[static_cast<std::size_t>(r) * g.nx + c] = t;
      g.settlement[static_cast<std::size_t>(r) * g.nx + c] = id;
    }
}

TEST_F(RegionIo, RoundTrip) {
  Region g;
  g.nx = 40;
  g.ny = 30;
  g.cell_size = 25;
  g.terrain.assign(40 * 30, kOpen);
  g.settlement.assign(40 * 30, -1);
  fill(g, 0, 12, 20, 35, kForest);
  fill(g, 0, 30, 16, 18, kWater);
  fill(g, 15, 16, 0, 40, kRoad);
  fill(g, 5, 10, 5, 13, kUrban, 0);    // 40 cells, a town by its class dataset
  fill(g, 20, 25, 28, 34, kUrban, 1);  // 30 cells
  fill(g, 27, 28, 2, 3, kUrban);       // urban, outside any settlement
  g.terrain[21 * 40 + 34] = kUrban;    // ragged edge of settlement 1
  g.settlement[21 * 40 + 34] = 1;
  g.settlements = {{0, "Ostrovka", SettlementClass::kTown, 0, 0, 0, 40},
                   {1, "Mal", SettlementClass::kVillage, 0, 0, 0, 31}};
  const std::string file = path("round.h5");
  write_region_file(file, g);
  const Region r = read_region_file(file);

  EXPECT_EQ(r.nx, 40);
  EXPECT_EQ(r.ny, 30);
  EXPECT_EQ(r.cell_size, 25.0);
  EXPECT_EQ(r.terrain, g.terrain);
  EXPECT_EQ(r.settlement, g.settlement);
  ASSERT_EQ(r.settlements.size(), 2u);
  for (std::int32_t k = 0; k < 2; ++k) {
    const Settlement& s = r.settlements[k];
    EXPECT_EQ(s.id, k);
    EXPECT_EQ(s.name, g.settlements[k].name);
    EXPECT_EQ(s.size_class, g.settlements[k].size_class);
    EXPECT_EQ(s.cells, g.settlements[k].cells);
    double sx = 0, sy = 0;
    for (int row = 0; row < g.ny; ++row)
      for (int col = 0; col < g.nx; ++col)
        if (g.settlement[row * g.nx + col] == k) sx += (col + 0.5) * 25, sy += (row + 0.5) * 25;
    EXPECT_NEAR(s.x, sx / s.cells, 1e-9);
    EXPECT_NEAR(s.y, sy / s.cells, 1e-9);
    EXPECT_NEAR(s.radius_m, std::sqrt(s.cells * 625.0 / M_PI), 1e-9);
  }
  EXPECT_NEAR(r.settlements[0].x, 225.0, 1e-9);  // cols 5..12: mean centre 9 cells
  EXPECT_NEAR(r.settlements[0].y, 187.5, 1e-9);  // rows 5..9: mean centre 7.5 cells
}

TEST_F(RegionIo, UrbanClustersBecomeSettlementsWithoutSettlementDataset) {
  // Row 0 is the south edge. A: 4 cells (an L), B: 4 cells, C and D touch diagonally only.
  const std::int32_t nx = 10, ny = 8;
  std::vector<std::uint8_t> t(nx * ny, kOpen);
  for (int i : {0, 1, 2, 12}) t[i] = kUrban;     // A: (0,0) (0,1) (0,2) (1,2)
  for (int i : {17, 18, 27, 28}) t[i] = kUrban;  // B: (1,7) (1,8) (2,7) (2,8)
  t[40] = kUrban;                                // C: (4,0)
  t[51] = kUrban;                                // D: (5,1)
  t[70] = kForest;
  t[75] = kRoad;
  const std::string file = path("terrain_only.h5");
  {
    H5Writer w(file);
    w.cell_size(400);
    w.terrain(ny, nx, t);
  }
  const Region r = read_region_file(file);
  ASSERT_EQ(r.settlements.size(), 4u);
  EXPECT_EQ(r.terrain, t);
  const std::vector<std::int32_t> cells = {4, 4, 1, 1};
  for (std::int32_t k = 0; k < 4; ++k) {
    EXPECT_EQ(r.settlements[k].id, k);
    EXPECT_EQ(r.settlements[k].cells, cells[k]);
    EXPECT_EQ(r.settlements[k].name, "settlement-" + std::to_string(k));
    // 4 cells of 400 m: 0.64 km^2 >= 0.5 km^2, a town; 1 cell (0.16 km^2) a village.
    EXPECT_EQ(r.settlements[k].size_class,
              k < 2 ? SettlementClass::kTown : SettlementClass::kVillage);
  }
  EXPECT_EQ(r.settlement[12], 0);
  EXPECT_EQ(r.settlement[27], 1);
  EXPECT_EQ(r.settlement[40], 2);
  EXPECT_EQ(r.settlement[51], 3);
  EXPECT_EQ(r.settlement[70], -1);
  EXPECT_NEAR(r.settlements[0].x, 1.75 * 400, 1e-9);
  EXPECT_NEAR(r.settlements[0].y, 0.75 * 400, 1e-9);
}

TEST_F(RegionIo, ReadsOtherIntegerTypesAndVariableLengthNames) {
  const std::vector<std::int64_t> t = {kUrban, kUrban, kOpen, kWater, kOpen, kUrban};
  const std::vector<std::int16_t> s = {1, 1, -1, -1, -1, 0};
  const std::vector<std::int32_t> cls = {1, 0};
  const char* names[] = {"Novino", "Kamyanka"};
  const std::string file = path("types.h5");
  {
    H5Writer w(file);
    w.cell_size(10);
    w.dataset("/terrain", H5T_STD_I64BE, H5T_NATIVE_INT64, {2, 3}, t.data());
    w.dataset("/settlement", H5T_STD_I16LE, H5T_NATIVE_INT16, {2, 3}, s.data());
    w.dataset("/settlements/size_class", H5T_STD_I32LE, H5T_NATIVE_INT32, {2}, cls.data());
    const hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    w.dataset("/settlements/name", str, str, {2}, names);
    H5Tclose(str);
  }
  const Region r = read_region_file(file);
  EXPECT_EQ(r.nx, 3);
  EXPECT_EQ(r.ny, 2);
  EXPECT_EQ(r.terrain, (std::vector<std::uint8_t>{2, 2, 0, 3, 0, 2}));
  EXPECT_EQ(r.settlement, (std::vector<std::int32_t>{1, 1, -1, -1, -1, 0}));
  ASSERT_EQ(r.settlements.size(), 2u);
  EXPECT_EQ(r.settlements[0].name, "Novino");
  EXPECT_EQ(r.settlements[1].name, "Kamyanka");
  EXPECT_EQ(r.settlements[0].size_class, SettlementClass::kTown);
  EXPECT_EQ(r.settlements[1].cells, 2);
  EXPECT_NEAR(r.settlements[1].x, 10.0, 1e-12);
  EXPECT_NEAR(r.settlements[0].y, 15.0, 1e-12);
}

TEST_F(RegionIo, ErrorsNameTheFileTheDatasetAndTheProblem) {
  const std::vector<std::uint8_t> t = {kUrban, kUrban, kOpen,  kForest, kOpen,   //
                                       kOpen,  kOpen,  kUrban, kRoad,   kOpen,   //
                                       kOpen,  kOpen,  kOpen,  kOpen,   kWater,  //
                                       kOpen,  kUrban, kOpen,  kOpen,   kOpen};  // 4 x 5
  std::string file = path("missing.h5");
  std::string msg = read_error(file);
  EXPECT_NE(msg.find(file), std::string::npos) << msg;
  EXPECT_NE(msg.find("no such file"), std::string::npos) << msg;

  file = path("no_terrain.h5");
  H5Writer(file).cell_size(25);
  msg = read_error(file);
  EXPECT_NE(msg.find(file), std::string::npos) << msg;
  EXPECT_NE(msg.find("/terrain: missing"), std::string::npos) << msg;

  file = path("terrain7.h5");
  {
    auto bad = t;
    bad[2 * 5 + 3] = 7;
    H5Writer w(file);
    w.cell_size(25);
    w.terrain(4, 5, bad);
  }
  msg = read_error(file);
  EXPECT_NE(msg.find("/terrain: value 7 at cell (row 2, col 3)"), std::string::npos) << msg;

  file = path("shape.h5");
  {
    H5Writer w(file);
    w.cell_size(25);
    w.terrain(4, 5, t);
    w.settlement(5, 4, std::vector<std::int32_t>(20, -1));
  }
  msg = read_error(file);
  EXPECT_NE(msg.find("/settlement: expected shape [4, 5] (as /terrain), got [5, 4]"),
            std::string::npos)
      << msg;

  file = path("non_urban.h5");
  {
    std::vector<std::int32_t> s(20, -1);
    s[0] = s[1] = 0;
    s[7] = s[8] = 1;  // (1,2) urban, (1,3) road
    H5Writer w(file);
    w.cell_size(25);
    w.terrain(4, 5, t);
    w.settlement(4, 5, s);
  }
  msg = read_error(file);
  EXPECT_NE(msg.find("/settlement: id 1 at cell (row 1, col 3), a non-urban cell (terrain 4)"),
            std::string::npos)
      << msg;

  file = path("unused_id.h5");
  {
    std::vector<std::int32_t> s(20, -1);
    s[0] = 0;
    s[16] = 2;  // id 1 has no cells
    H5Writer w(file);
    w.cell_size(25);
    w.terrain(4, 5, t);
    w.settlement(4, 5, s);
  }
  msg = read_error(file);
  EXPECT_NE(msg.find("/settlement: id 1 has no cells"), std::string::npos) << msg;

  file = path("huge_id.h5");
  {
    std::vector<std::int32_t> s(20, -1);
    s[16] = 2147483647;  // must not allocate 2^31 settlements
    H5Writer w(file);
    w.cell_size(25);
    w.terrain(4, 5, t);
    w.settlement(4, 5, s);
  }
  msg = read_error(file);
  EXPECT_NE(msg.find("/settlement: id 2147483647 at cell (row 3, col 1), expected -1 or 0..19"),
            std::string::npos)
      << msg;

  file = path("no_cell_size.h5");
  H5Writer(file).terrain(4, 5, t);
  msg = read_error(file);
  EXPECT_NE(msg.find("cell_size_m: missing"), std::string::npos) << msg;

  file = path("zero_cell_size.h5");
  {
    H5Writer w(file);
    w.cell_size(0);
    w.terrain(4, 5, t);
  }
  msg = read_error(file);
  EXPECT_NE(msg.find("cell_size_m: expected > 0"), std::string::npos) << msg;

  file = path("names.h5");
  {
    H5Writer w(file);
    w.cell_size(25);
    w.terrain(4, 5, t);  // three urban clusters
    const char names[2][4] = {"Ab", "Cd"};
    const hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 4);
    w.dataset("/settlements/name", str, str, {2}, names);
    H5Tclose(str);
  }
  msg = read_error(file);
  EXPECT_NE(msg.find("/settlements/name: expected shape [3] (one per settlement id), got [2]"),
            std::string::npos)
      << msg;
}

TEST_F(RegionIo, ShapesAreCheckedBeforeAnythingIsAllocated) {
  // 10^6 x 10^6 cells declared (chunked, never written: the file is small). Reading it would
  // need 10^12 bytes; it must be refused from its shape alone.
  const std::string huge = path("huge.h5");
  {
    H5Writer w(huge);
    w.cell_size(25);
    const hsize_t dims[2] = {1000000, 1000000}, chunk[2] = {1, 1024};
    const hid_t space = H5Screate_simple(2, dims, nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    const hid_t file = H5Fopen(huge.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Dclose(H5Dcreate2(file, "/terrain", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    H5Fclose(file);
    H5Pclose(dcpl);
    H5Sclose(space);
  }
  std::string msg = read_error(huge);
  EXPECT_NE(msg.find("/terrain: expected shape [ny, nx] with 1 <= nx, ny and nx * ny <= 5e8 cells, "
                     "got [1000000, 1000000]"),
            std::string::npos)
      << msg;
  // A raster other than the scenario's is refused before it is read, too.
  const std::string small = path("small.h5");
  {
    H5Writer w(small);
    w.cell_size(25);
    w.terrain(2, 3, std::vector<std::uint8_t>(6, 0));
  }
  EXPECT_EQ(read_region_file(small).nx, 3);
  try {
    read_region_file(small, RegionExtent{4, 2, 25.0});
    ADD_FAILURE() << "no error";
  } catch (const RegionFileError& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find("/terrain: 3 x 2 cells of 25 m, but the scenario's region.width, "
                     "region.height and region.cell_size make 4 x 2 cells of 25 m"),
            std::string::npos)
      << msg;
}

TEST_F(RegionIo, OnlyThisFileIsRead) {
  const std::string other = path("other.h5"), linked = path("linked.h5");
  {
    H5Writer w(other);
    w.cell_size(25);
    w.terrain(2, 2, std::vector<std::uint8_t>(4, 0));
  }
  {
    H5Writer w(linked);
    w.cell_size(25);
  }
  const hid_t file = H5Fopen(linked.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Lcreate_external(other.c_str(), "/terrain", file, "/terrain", H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(file);
  const std::string msg = read_error(linked);
  EXPECT_NE(msg.find("/terrain: expected an object stored in this file, got an external link"),
            std::string::npos)
      << msg;
}

TEST_F(RegionIo, OutOfRangeValuesFailQuietly) {
  const std::vector<std::int16_t> t = {0, 1, 300, 2};  // 300 does not fit uint8
  const std::string file = path("overflow.h5");
  {
    H5Writer w(file);
    w.cell_size(25);
    w.dataset("/terrain", H5T_STD_I16LE, H5T_NATIVE_INT16, {2, 2}, t.data());
  }
  ::testing::internal::CaptureStderr();
  const std::string msg = read_error(file);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(msg.find("/terrain: cannot read"), std::string::npos) << msg;
  EXPECT_EQ(err, "");  // HDF5's own error stack is not printed
  EXPECT_THROW(write_region_file(path("bad.h5"), Region{}), RegionFileError);
}

}  // namespace
}  // namespace salient
