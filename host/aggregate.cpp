// Aggregation of an ensemble's task files (host/aggregate.h). Layout of the summary:
// docs/HPC.md, "Aggregation".
#include "aggregate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include "hdf5_write.h"

namespace salient {
namespace fs = std::filesystem;

namespace detail {
namespace {

/// One task file's content that the summary needs.
struct TaskData {
  std::string file, plan, design, sha, scenario;
  std::int64_t task = 0, point = 0, replicate = 0, tasks = 0, points = 0, replicates = 0;
  std::uint64_t seed = 0, plan_seed = 0;
  std::vector<std::string> factors, sides;
  std::vector<double> values, time;
  std::map<std::string, std::vector<double>> series;  ///< [rows * 2], per observable
};

/// Reads one task file, throwing AggregateError with the file and object on any mismatch.
class Reader {
 public:
  explicit Reader(const std::string& file) : file_(file) {
    f_ = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f_ < 0) fail("", "cannot open as HDF5");
  }
  ~Reader() {
    if (f_ >= 0) H5Fclose(f_);
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  [[noreturn]] void fail(const std::string& what, const std::string& msg) const {
    throw AggregateError(file_ + (what.empty() ? "" : ": " + what) + ": " + msg);
  }

  /// Scalar numeric attribute of `obj` converted to `mem`.
  template <class T>
  T scalar(const char* obj, const char* name, hid_t mem) const {
    const std::string where = std::string(obj) + "@" + name;
    if (H5Aexists_by_name(f_, obj, name, H5P_DEFAULT) <= 0)
      fail(where, "missing (not a task file of a plan?)");
    h5::Handle a(H5Aopen_by_name(f_, obj, name, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
    h5::Handle space(H5Aget_space(a), H5Sclose, name);
    if (H5Sget_simple_extent_npoints(space) != 1) fail(where, "expected a scalar");
    T v{};
    if (H5Aread(a, mem, &v) < 0) fail(where, "cannot read as a number");
    return v;
  }

  /// String or string-array attribute (fixed-length strings); empty if absent and optional.
  std::vector<std::string> strings(const char* obj, const char* name, bool required) const {
    const std::string where = std::string(obj) + "@" + name;
    if (H5Aexists_by_name(f_, obj, name, H5P_DEFAULT) <= 0) {
      if (required) fail(where, "missing (not a task file of a plan?)");
      return {};
    }
    h5::Handle a(H5Aopen_by_name(f_, obj, name, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
    h5::Handle type(H5Aget_type(a), H5Tclose, name);
    if (H5Tget_class(type) != H5T_STRING || H5Tis_variable_str(type) > 0)
      fail(where, "expected fixed-length strings");
    h5::Handle space(H5Aget_space(a), H5Sclose, name);
    const hssize_t n = H5Sget_simple_extent_npoints(space);
    const std::size_t len = H5Tget_size(type);
    if (n < 1 || n > 4096 || len < 1 || len > 65536) fail(where, "unexpected size");
    std::string buf(static_cast<std::size_t>(n) * len, '\0');
    if (H5Aread(a, type, buf.data()) < 0) fail(where, "cannot read");
    std::vector<std::string> out;
    for (hssize_t i = 0; i < n; ++i) {
      std::string s = buf.substr(static_cast<std::size_t>(i) * len, len);
      s.resize(std::strlen(s.c_str()));
      out.push_back(s);
    }
    return out;
  }

  std::vector<double> doubles_attr(const char* obj, const char* name, std::size_t n) const {
    const std::string where = std::string(obj) + "@" + name;
    if (H5Aexists_by_name(f_, obj, name, H5P_DEFAULT) <= 0) fail(where, "missing");
    h5::Handle a(H5Aopen_by_name(f_, obj, name, H5P_DEFAULT, H5P_DEFAULT), H5Aclose, name);
    h5::Handle space(H5Aget_space(a), H5Sclose, name);
    if (H5Sget_simple_extent_npoints(space) != static_cast<hssize_t>(n))
      fail(where, "expected " + std::to_string(n) + " values");
    std::vector<double> v(n);
    if (H5Aread(a, H5T_NATIVE_DOUBLE, v.data()) < 0) fail(where, "cannot read as numbers");
    return v;
  }

  /// Dataset as doubles; `dims` receives its shape (rank 1 or 2 accepted).
  std::vector<double> dataset(const std::string& path, std::vector<hsize_t>& dims) const {
    if (H5Lexists(f_, path.c_str(), H5P_DEFAULT) <= 0) fail(path, "missing");
    h5::Handle ds(H5Dopen2(f_, path.c_str(), H5P_DEFAULT), H5Dclose, path.c_str());
    h5::Handle space(H5Dget_space(ds), H5Sclose, path.c_str());
    const int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 1 || rank > 2) fail(path, "expected rank 1 or 2");
    dims.assign(static_cast<std::size_t>(rank), 0);
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    hsize_t total = 1;
    for (hsize_t d : dims) total *= d;
    if (total > (hsize_t{1} << 28)) fail(path, "too large");
    h5::Handle type(H5Dget_type(ds), H5Tclose, path.c_str());
    const H5T_class_t c = H5Tget_class(type);
    if (c != H5T_INTEGER && c != H5T_FLOAT) fail(path, "expected numbers");
    std::vector<double> v(total);
    if (total > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
      fail(path, "cannot read");
    for (double x : v)
      if (!std::isfinite(x)) fail(path, "holds a value that is not finite");
    return v;
  }

  /// Names of the rank-2 [n, 2] datasets of /timeseries.
  std::vector<std::string> per_side_series() const {
    std::vector<std::string> names;
    if (H5Lexists(f_, "/timeseries", H5P_DEFAULT) <= 0) fail("/timeseries", "missing");
    H5Literate_by_name(
        f_, "/timeseries", H5_INDEX_NAME, H5_ITER_INC, nullptr,
        [](hid_t g, const char* name, const H5L_info_t*, void* data) -> herr_t {
          hid_t ds = H5Dopen2(g, name, H5P_DEFAULT);
          if (ds < 0) return 0;
          hid_t space = H5Dget_space(ds);
          hsize_t dims[2] = {0, 0};
          if (H5Sget_simple_extent_ndims(space) == 2) {
            H5Sget_simple_extent_dims(space, dims, nullptr);
            if (dims[1] == 2) static_cast<std::vector<std::string>*>(data)->push_back(name);
          }
          H5Sclose(space);
          H5Dclose(ds);
          return 0;
        },
        &names, H5P_DEFAULT);
    return names;
  }

 private:
  std::string file_;
  hid_t f_ = -1;
};

TaskData read_task(const std::string& file) {
  Reader r(file);
  TaskData t;
  t.file = file;
  const char* p = "/salient/plan";
  t.plan = r.strings(p, "plan", true)[0];
  t.sha = r.strings(p, "scenario_sha256", true)[0];
  t.design = r.strings(p, "design", true)[0];
  t.scenario = r.strings("/salient", "scenario_path", true)[0];
  t.task = r.scalar<std::int64_t>(p, "task", H5T_NATIVE_INT64);
  t.point = r.scalar<std::int64_t>(p, "point", H5T_NATIVE_INT64);
  t.replicate = r.scalar<std::int64_t>(p, "replicate", H5T_NATIVE_INT64);
  t.tasks = r.scalar<std::int64_t>(p, "tasks", H5T_NATIVE_INT64);
  t.points = r.scalar<std::int64_t>(p, "points", H5T_NATIVE_INT64);
  t.replicates = r.scalar<std::int64_t>(p, "replicates", H5T_NATIVE_INT64);
  t.seed = r.scalar<std::uint64_t>(p, "seed", H5T_NATIVE_UINT64);
  t.plan_seed = r.scalar<std::uint64_t>(p, "plan_seed", H5T_NATIVE_UINT64);
  if (t.tasks < 1 || t.points < 1 || t.replicates < 1 || t.tasks != t.points * t.replicates ||
      t.task < 0 || t.task >= t.tasks || t.point < 0 || t.point >= t.points || t.replicate < 0 ||
      t.replicate >= t.replicates || t.task != t.point * t.replicates + t.replicate)
    r.fail(p, "inconsistent task, point, replicate and plan sizes");
  t.factors = r.strings(p, "factors", false);
  if (!t.factors.empty()) t.values = r.doubles_attr(p, "values", t.factors.size());
  t.sides = r.strings("/timeseries", "sides", true);
  if (t.sides.size() != 2) r.fail("/timeseries@sides", "expected two side names");
  std::vector<hsize_t> dims;
  t.time = r.dataset("/timeseries/time", dims);
  if (dims.size() != 1 || t.time.empty())
    r.fail("/timeseries/time", "expected a non-empty [n] array");
  for (const std::string& name : r.per_side_series()) {
    std::vector<double> v = r.dataset("/timeseries/" + name, dims);
    if (dims[0] != t.time.size())
      r.fail("/timeseries/" + name, "expected " + std::to_string(t.time.size()) + " rows");
    t.series[name] = std::move(v);
  }
  if (t.series.empty()) r.fail("/timeseries", "no per-side series");
  return t;
}

/// Statistics of one sample (in replicate order).
struct Stats {
  double mean = 0, sd = 0, ci_lo = 0, ci_hi = 0, p_lo = 0, p_hi = 0;
};

Stats stats(std::vector<double> x) {
  Stats s;
  const double n = static_cast<double>(x.size());
  for (double v : x) s.mean += v;
  s.mean /= n;
  if (x.size() > 1) {
    double ss = 0;
    for (double v : x) ss += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(ss / (n - 1));
  }
  const double half =
      x.size() > 1 ? student_t_975(static_cast<std::int64_t>(x.size()) - 1) * s.sd / std::sqrt(n)
                   : 0;
  s.ci_lo = s.mean - half;
  s.ci_hi = s.mean + half;
  std::sort(x.begin(), x.end());
  s.p_lo = linear_quantile(x, 0.025);
  s.p_hi = linear_quantile(x, 0.975);
  return s;
}

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace
}  // namespace detail

double linear_quantile(const std::vector<double>& sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

void write_text_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".part";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw OutputError("cannot write " + path);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw OutputError("cannot write " + path + ": " + ec.message());
}

double student_t_975(std::int64_t df) {
  static const double table[31] = {
      0,          12.70620474, 4.30265273, 3.18244631, 2.77644511, 2.57058184, 2.44691185,
      2.36462425, 2.30600414,  2.26215716, 2.22813885, 2.20098516, 2.17881283, 2.16036866,
      2.14478669, 2.13144955,  2.11990530, 2.10981558, 2.10092204, 2.09302405, 2.08596345,
      2.07961384, 2.07387307,  2.06865761, 2.06389856, 2.05953855, 2.05552944, 2.05183052,
      2.04840714, 2.04522964,  2.04227246};
  if (df < 1) return 0;
  if (df <= 30) return table[df];
  // Cornish-Fisher expansion around the normal quantile (error < 1e-6 for df > 30).
  const double z = 1.959963984540054, v = static_cast<double>(df);
  const double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
}

AggregateResult aggregate(const AggregateRequest& req) {
  using detail::TaskData;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported as exceptions
  std::error_code ec;
  if (!fs::is_directory(req.dir, ec)) throw AggregateError(req.dir + ": not a folder");
  std::vector<std::string> files;
  const std::regex name(R"(task_[0-9]{6,}\.h5)");
  for (const auto& e : fs::directory_iterator(req.dir, ec))
    if (e.is_regular_file() && std::regex_match(e.path().filename().string(), name))
      files.push_back(e.path().string());
  if (ec) throw AggregateError(req.dir + ": " + ec.message());
  if (files.empty()) throw AggregateError(req.dir + ": no complete task files (task_NNNNNN.h5)");
  std::sort(files.begin(), files.end());
  const std::string csv_final = fs::path(req.output).replace_extension().string() + "_final.csv";
  const std::string csv_bands = fs::path(req.output).replace_extension().string() + "_bands.csv";
  if (!req.force)
    for (const std::string& out : {req.output, csv_final, csv_bands})
      if (fs::exists(out)) throw OutputError(out + " exists; use --force to overwrite it");

  std::vector<TaskData> tasks;
  for (const std::string& f : files) tasks.push_back(detail::read_task(f));
  const TaskData& first = tasks.front();
  std::vector<std::string> observables;
  for (const auto& [k, v] : first.series) observables.push_back(k);
  for (const TaskData& t : tasks) {
    if (t.sha != first.sha || t.plan_seed != first.plan_seed || t.tasks != first.tasks ||
        t.points != first.points || t.factors != first.factors)
      throw AggregateError(t.file + ": from another plan than " + first.file);
    if (t.series.size() != first.series.size())
      throw AggregateError(t.file + ": other time series than " + first.file);
    for (const auto& [k, v] : first.series)
      if (!t.series.count(k)) throw AggregateError(t.file + ": no /timeseries/" + k);
  }
  std::sort(tasks.begin(), tasks.end(),
            [](const TaskData& a, const TaskData& b) { return a.task < b.task; });
  for (std::size_t i = 1; i < tasks.size(); ++i)
    if (tasks[i].task == tasks[i - 1].task)
      throw AggregateError(tasks[i].file + ": the same task as " + tasks[i - 1].file);

  const std::size_t k = first.factors.size();
  AggregateResult result;
  result.tasks_found = static_cast<std::int64_t>(tasks.size());
  result.tasks_expected = first.tasks;
  result.points = first.points;
  std::vector<std::int64_t> missing;
  {
    std::size_t at = 0;
    for (std::int64_t id = 0; id < first.tasks; ++id) {
      if (at < tasks.size() && tasks[at].task == id)
        ++at;
      else
        missing.push_back(id);
    }
  }

  const std::string tmp = req.output + ".part";
  fs::remove(tmp, ec);
  std::string bands_csv = "point,";
  for (const std::string& f : first.factors) bands_csv += f + ",";
  bands_csv += "time,n,observable,side,mean,std,ci95_lo,ci95_hi,p2_5,p97_5\n";
  {
    using namespace h5;
    Handle file(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                tmp.c_str());
    attr(file, "software", std::string("salient"));
    attr(file, "plan", first.plan);
    attr(file, "scenario", first.scenario);
    attr(file, "scenario_sha256", first.sha);
    attr(file, "design", first.design);
    if (k > 0) attr(file, "factors", first.factors);
    attr(file, "sides", first.sides);
    attr_int<std::int64_t>(file, "points", H5T_NATIVE_INT64, first.points);
    attr_int<std::int64_t>(file, "replicates", H5T_NATIVE_INT64, first.replicates);
    attr_int<std::int64_t>(file, "tasks_found", H5T_NATIVE_INT64, result.tasks_found);
    attr_int<std::int64_t>(file, "tasks_expected", H5T_NATIVE_INT64, result.tasks_expected);
    if (!missing.empty())
      attr_raw(file, "missing_tasks", H5T_NATIVE_INT64, missing.size(), missing.data(), false);

    // Design points: factor values and replicates found.
    const std::size_t P = static_cast<std::size_t>(first.points);
    std::vector<std::vector<const TaskData*>> by_point(P);
    for (const TaskData& t : tasks) by_point[static_cast<std::size_t>(t.point)].push_back(&t);
    Handle points(group(file, "points"));
    std::vector<std::int64_t> found(P);
    std::vector<double> values(P * std::max<std::size_t>(k, 1), std::nan(""));
    for (std::size_t p = 0; p < P; ++p) {
      found[p] = static_cast<std::int64_t>(by_point[p].size());
      for (std::size_t f = 0; f < k && !by_point[p].empty(); ++f)
        values[p * k + f] = by_point[p][0]->values[f];
    }
    write_array(points, "replicates", H5T_NATIVE_INT64, {P}, found.data(), 8);
    if (k > 0) write_array(points, "values", H5T_NATIVE_DOUBLE, {P, k}, values.data(), 8);

    Handle bands(group(file, "bands"));
    for (std::size_t p = 0; p < P; ++p) {
      const auto& reps = by_point[p];
      if (reps.empty()) continue;
      const TaskData* longest = reps[0];
      for (const TaskData* t : reps)
        if (t->time.size() > longest->time.size()) longest = t;
      for (const TaskData* t : reps)
        if (!std::equal(t->time.begin(), t->time.end(), longest->time.begin()))
          throw AggregateError(t->file + ": recorded at other times than " + longest->file);
      char gname[32];
      std::snprintf(gname, sizeof gname, "point_%04zu", p);
      Handle g(group(bands, gname));
      const std::size_t T = longest->time.size();
      std::vector<std::int64_t> n(T);
      for (std::size_t i = 0; i < T; ++i)
        for (const TaskData* t : reps) n[i] += t->time.size() > i ? 1 : 0;
      write_array(g, "time", H5T_NATIVE_DOUBLE, {T}, longest->time.data(), 8);
      write_array(g, "n", H5T_NATIVE_INT64, {T}, n.data(), 8);
      std::string factor_cells;
      for (std::size_t f = 0; f < k; ++f) factor_cells += detail::num(reps[0]->values[f]) + ",";
      for (const std::string& obs : observables) {
        std::vector<double> mean(T * 2), sd(T * 2), clo(T * 2), chi(T * 2), plo(T * 2), phi(T * 2);
        for (std::size_t i = 0; i < T; ++i)
          for (std::size_t s = 0; s < 2; ++s) {
            std::vector<double> x;
            for (const TaskData* t : reps)
              if (t->time.size() > i) x.push_back(t->series.at(obs)[i * 2 + s]);
            const detail::Stats st = detail::stats(x);
            const std::size_t j = i * 2 + s;
            mean[j] = st.mean, sd[j] = st.sd, clo[j] = st.ci_lo, chi[j] = st.ci_hi;
            plo[j] = st.p_lo, phi[j] = st.p_hi;
            bands_csv += std::to_string(p) + "," + factor_cells + detail::num(longest->time[i]) +
                         "," + std::to_string(n[i]) + "," + obs + "," + first.sides[s] + "," +
                         detail::num(st.mean) + "," + detail::num(st.sd) + "," +
                         detail::num(st.ci_lo) + "," + detail::num(st.ci_hi) + "," +
                         detail::num(st.p_lo) + "," + detail::num(st.p_hi) + "\n";
          }
        Handle og(group(g, obs));
        const std::pair<const char*, std::vector<double>*> outs[] = {
            {"mean", &mean},   {"std", &sd},   {"ci95_lo", &clo},
            {"ci95_hi", &chi}, {"p2_5", &plo}, {"p97_5", &phi}};
        for (const auto& [nm, v] : outs)
          write_array(og, nm, H5T_NATIVE_DOUBLE, {T, 2}, v->data(), 8);
      }
    }

    // Final values per task.
    Handle fin(group(file, "final"));
    const std::size_t N = tasks.size();
    std::vector<std::int64_t> id(N), point(N), rep(N);
    std::vector<std::uint64_t> seed(N);
    std::vector<double> last_time(N), factors(N * std::max<std::size_t>(k, 1));
    for (std::size_t i = 0; i < N; ++i) {
      id[i] = tasks[i].task, point[i] = tasks[i].point, rep[i] = tasks[i].replicate;
      seed[i] = tasks[i].seed, last_time[i] = tasks[i].time.back();
      for (std::size_t f = 0; f < k; ++f) factors[i * k + f] = tasks[i].values[f];
    }
    write_array(fin, "task", H5T_NATIVE_INT64, {N}, id.data(), 8);
    write_array(fin, "point", H5T_NATIVE_INT64, {N}, point.data(), 8);
    write_array(fin, "replicate", H5T_NATIVE_INT64, {N}, rep.data(), 8);
    write_array(fin, "seed", H5T_NATIVE_UINT64, {N}, seed.data(), 8);
    write_array(fin, "time", H5T_NATIVE_DOUBLE, {N}, last_time.data(), 8);
    if (k > 0) write_array(fin, "factors", H5T_NATIVE_DOUBLE, {N, k}, factors.data(), 8);
    for (const std::string& obs : observables) {
      std::vector<double> v(N * 2);
      for (std::size_t i = 0; i < N; ++i) {
        const std::vector<double>& s = tasks[i].series.at(obs);
        v[i * 2] = s[s.size() - 2];
        v[i * 2 + 1] = s[s.size() - 1];
      }
      write_array(fin, obs, H5T_NATIVE_DOUBLE, {N, 2}, v.data(), 8);
    }
  }

  // The regression table: one row per task.
  std::string final_csv = "task,point,replicate,seed,";
  for (const std::string& f : first.factors) final_csv += f + ",";
  final_csv += "time";
  for (const std::string& obs : observables)
    for (const std::string& side : first.sides)
      final_csv.append(",").append(obs).append("_").append(side);
  final_csv += "\n";
  for (const TaskData& t : tasks) {
    final_csv += std::to_string(t.task) + "," + std::to_string(t.point) + "," +
                 std::to_string(t.replicate) + "," + std::to_string(t.seed) + ",";
    for (double v : t.values) final_csv += detail::num(v) + ",";
    final_csv += detail::num(t.time.back());
    for (const std::string& obs : observables) {
      const std::vector<double>& s = t.series.at(obs);
      final_csv.append(",").append(detail::num(s[s.size() - 2]));
      final_csv.append(",").append(detail::num(s[s.size() - 1]));
    }
    final_csv += "\n";
  }
  write_text_file(csv_final, final_csv);
  write_text_file(csv_bands, bands_csv);
  fs::rename(tmp, req.output, ec);
  if (ec) throw OutputError("cannot write " + req.output + ": " + ec.message());
  return result;
}

}  // namespace salient
