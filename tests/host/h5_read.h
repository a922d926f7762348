// Test helpers: read every dataset of an HDF5 file (or of some groups) as raw bytes, and
// run a scenario into a temporary file.
#pragma once

#include <hdf5.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/config.h"
#include "host/simulation.h"

namespace salient::test {

namespace detail {

/// Raw bytes of the datasets whose path starts with one of `prefixes` (all if empty). With
/// `strict`, nullopt if the file does not open or an object cannot be visited or read;
/// otherwise what could be read (an empty or zero-filled entry for a dataset that could not).
inline std::optional<std::map<std::string, std::vector<char>>> visit_datasets(
    const std::string& path, const std::vector<std::string>& prefixes, bool strict) {
  struct Ctx {
    std::map<std::string, std::vector<char>> out;
    std::vector<std::string> prefixes;
    bool strict;
  } ctx{{}, prefixes, strict};
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return strict ? std::nullopt : std::optional(ctx.out);
  const herr_t visited = H5Ovisit(
      f, H5_INDEX_NAME, H5_ITER_NATIVE,
      [](hid_t obj, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        auto& c = *static_cast<Ctx*>(data);
        if (info->type != H5O_TYPE_DATASET) return 0;
        const std::string p = std::string("/") + name;
        bool keep = c.prefixes.empty();
        for (const auto& pre : c.prefixes) keep = keep || p.rfind(pre, 0) == 0;
        if (!keep) return 0;
        hid_t ds = H5Dopen2(obj, name, H5P_DEFAULT);
        hid_t type = H5Dget_type(ds);
        hid_t space = H5Dget_space(ds);
        const hssize_t n = H5Sget_simple_extent_npoints(space);
        std::vector<char> buf(static_cast<std::size_t>(std::max<hssize_t>(n, 0)) *
                              H5Tget_size(type));
        const herr_t read =
            n > 0 ? H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) : 0;
        c.out[p] = std::move(buf);
        H5Sclose(space);
        H5Tclose(type);
        H5Dclose(ds);
        return c.strict && (ds < 0 || n < 0 || read < 0) ? -1 : 0;
      },
      &ctx);
  H5Fclose(f);
  if (strict && visited < 0) return std::nullopt;
  return ctx.out;
}

}  // namespace detail

/// Raw bytes of every dataset whose path starts with one of `prefixes` (all if empty); of a
/// damaged file, what could be read.
inline std::map<std::string, std::vector<char>> read_datasets(
    const std::string& path, const std::vector<std::string>& prefixes = {}) {
  return *detail::visit_datasets(path, prefixes, false);
}

/// Every dataset of the file, as read_datasets; nullopt if the file does not open or any
/// object in it cannot be visited or read (a damaged file).
inline std::optional<std::map<std::string, std::vector<char>>> read_datasets_strictly(
    const std::string& path) {
  return detail::visit_datasets(path, {}, true);
}

/// A column of an HDF5 dataset read by read_datasets.
template <class T>
std::vector<T> column(const std::map<std::string, std::vector<char>>& ds, const std::string& name) {
  const auto& bytes = ds.at(name);
  std::vector<T> v(bytes.size() / sizeof(T));
  std::memcpy(v.data(), bytes.data(), bytes.size());
  return v;
}

/// A fresh path under the system temp directory.
inline std::string temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "salient-tests";
  std::filesystem::create_directories(dir);
  const auto p = dir / (std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove(p);
  return p.string();
}

/// The source tree: $SALIENT_SOURCE_DIR if set (tests run on another machine, e.g. a bundled
/// test_gpu on a GPU host), else the folder the tests were built from.
inline std::string source_dir() {
  const char* env = std::getenv("SALIENT_SOURCE_DIR");
  return env && *env ? env : SALIENT_SOURCE_DIR;
}

/// The ci scenario, shortened to `duration` seconds.
inline ScenarioConfig ci_scenario(double duration = 600) {
  ScenarioConfig cfg = load_scenario(source_dir() + "/configs/ci.toml");
  cfg.duration = duration;
  return cfg;
}

/// The small Kursk variant (configs/kursk/ci.toml), run for `duration` seconds.
inline ScenarioConfig kursk_variant(double duration) {
  ScenarioConfig cfg = load_scenario(source_dir() + "/configs/kursk/ci.toml");
  cfg.duration = duration;
  return cfg;
}

/// Runs `cfg` quietly on `backend` with `threads` into a new temp file; returns its path.
inline std::string run_to_file(const ScenarioConfig& cfg, const std::string& name,
                               const std::string& backend = "cpu", int threads = 0) {
  RunOptions opt;
  opt.output = temp_path(name);
  opt.backend = backend;
  opt.threads = threads;
  opt.quiet = true;
  run_scenario(cfg, opt);
  return opt.output;
}

}  // namespace salient::test
