// Plans of ensembles (host/plan.h): making, writing and reading them.
#include "plan.h"

#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "../kernels/rng.cuh"
#include "aggregate.h"
#include "config_section.h"
#include "design.h"
#include "output.h"
#include "sha256.h"

namespace salient {
namespace fs = std::filesystem;

namespace {

/// Largest plan file read (10^7 tasks of about 100 bytes each).
constexpr std::uintmax_t kMaxPlanBytes = std::uintmax_t{4} << 30;

/// Most factors of a plan.
constexpr std::size_t kMaxFactors = 100;

/// The folder of a plan file ("." for a bare name).
fs::path folder_of(const std::string& path) {
  const fs::path p = fs::path(path).parent_path();
  return p.empty() ? fs::path(".") : p;
}

/// `target` relative to `from` when both resolve (absolute otherwise).
std::string relative_to(const std::string& target, const fs::path& from) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(fs::absolute(target), ec);
  const fs::path b = fs::weakly_canonical(fs::absolute(from), ec);
  const fs::path r = a.lexically_relative(b);
  return r.empty() ? a.string() : r.string();
}

/// True if the text of a number has no fraction or exponent ("12", "-3").
bool whole_text(const std::string& s) { return s.find_first_of(".eE") == std::string::npos; }

double parse_number(const std::string& text, const std::string& spec) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
    throw PlanError("--vary " + spec + ": \"" + text + "\" is not a finite number");
  return v;
}

/// Digest of a scenario's content: its merged text without the header line that names the
/// files (which depends on the path the scenario was reached by).
std::string scenario_digest(const ScenarioConfig& cfg) {
  const std::string& t = cfg.text;
  const std::size_t eol = t.find('\n');
  if (t.rfind("# ", 0) == 0 && eol != std::string::npos &&
      t.substr(0, eol).find("; merged by salient") != std::string::npos)
    return sha256_hex(t.substr(eol + 1));
  return sha256_hex(t);
}

}  // namespace

std::string Plan::scenario_file() const {
  return fs::path(scenario).is_absolute() ? scenario : (folder_of(path) / scenario).string();
}

std::string Plan::output_folder() const {
  return fs::path(output_dir).is_absolute() ? output_dir : (folder_of(path) / output_dir).string();
}

std::vector<Override> Plan::overrides(const PlanTask& t) const {
  std::vector<Override> o;
  for (std::size_t f = 0; f < factors.size(); ++f) o.push_back({factors[f].key, t.values[f]});
  return o;
}

Factor parse_factor(const std::string& spec) {
  const auto eq = spec.find('=');
  const auto colon = spec.find(':', eq == std::string::npos ? 0 : eq);
  if (eq == std::string::npos || eq == 0 || colon == std::string::npos)
    throw PlanError("--vary " + spec + ": expected KEY=LO:HI, e.g. model.control_radius=50:100");
  Factor f;
  f.key = spec.substr(0, eq);
  const std::string lo = spec.substr(eq + 1, colon - eq - 1), hi = spec.substr(colon + 1);
  f.lo = parse_number(lo, spec);
  f.hi = parse_number(hi, spec);
  if (!(f.lo < f.hi)) throw PlanError("--vary " + spec + ": expected LO < HI");
  f.integer = whole_text(lo) && whole_text(hi);  // refined by the scenario in make_plan
  return f;
}

std::uint64_t task_seed(std::uint64_t base_seed, std::int64_t point, std::int64_t replicate) {
  const auto r =
      philox(base_seed, static_cast<std::uint32_t>(point), static_cast<std::uint32_t>(replicate),
             Purpose::kPlan, static_cast<std::uint32_t>(point >> 32) ^ 0x5eedu);
  // 63 bits: seeds are TOML integers (signed 64-bit).
  return (static_cast<std::uint64_t>(r[0]) << 32 | r[1]) >> 1;
}

Plan make_plan(const PlanRequest& req) {
  if (req.replicates < 1 || req.replicates > 1000000)
    throw PlanError("--replicates: expected 1 to 10^6");
  const ScenarioConfig base = load_scenario(req.scenario);
  Plan plan;
  plan.path = req.output;
  plan.scenario = relative_to(req.scenario, folder_of(req.output));
  plan.scenario_sha256 = scenario_digest(base);
  plan.seed = req.seed_given ? req.seed : base.seed;
  plan.replicates = req.replicates;
  std::string out_dir = req.output_dir;
  if (out_dir.empty()) out_dir = fs::path(req.output).replace_extension().string();
  plan.output_dir = relative_to(out_dir, folder_of(req.output));

  if (req.vary.size() > kMaxFactors)
    throw PlanError("--vary: at most " + std::to_string(kMaxFactors) + " factors");
  std::set<std::string> keys;
  for (const std::string& spec : req.vary) {
    Factor f = parse_factor(spec);
    if (!keys.insert(f.key).second) throw PlanError("--vary " + f.key + ": given twice");
    const KeyKind kind = scenario_key_kind(req.scenario, f.key);  // ConfigError if not numeric
    if (kind != KeyKind::kAbsent) f.integer = kind == KeyKind::kInteger;
    if (f.integer && (f.lo != std::rint(f.lo) || f.hi != std::rint(f.hi)))
      throw PlanError("--vary " + spec + ": " + f.key + " is an integer; expected whole LO and HI");
    for (double v : {f.lo, f.hi}) load_scenario(req.scenario, {{f.key, v}});  // both ends valid
    plan.factors.push_back(f);
  }

  const int k = static_cast<int>(plan.factors.size());
  Design unit{{}};
  if (k > 0) {
    plan.design = req.design;
    if (req.design == "grid")
      unit = grid_design(k, req.levels);
    else if (req.design == "lhs")
      unit = lhs_design(k, req.points, plan.seed);
    else if (req.design == "olh") {
      if (k > 22) throw PlanError("--design olh: at most 22 factors");
      unit = olh_design(k);
    } else
      throw PlanError("--design: expected grid, lhs or olh, got " + req.design);
  }
  plan.points = static_cast<std::int64_t>(unit.size());
  if (plan.points * plan.replicates > 10000000)
    throw PlanError("the plan would have more than 10^7 tasks");
  for (std::int64_t p = 0; p < plan.points; ++p) {
    std::vector<double> values;
    for (int f = 0; f < k; ++f) {
      const Factor& fa = plan.factors[static_cast<std::size_t>(f)];
      double v =
          fa.lo + unit[static_cast<std::size_t>(p)][static_cast<std::size_t>(f)] * (fa.hi - fa.lo);
      if (fa.integer) v = std::rint(v);
      values.push_back(v);
    }
    for (std::int64_t r = 0; r < plan.replicates; ++r)
      plan.tasks.push_back({p * plan.replicates + r, p, r, task_seed(plan.seed, p, r), values});
  }
  return plan;
}

void write_plan(const Plan& plan, const std::string& path) {
  toml::table head{{"scenario", plan.scenario},
                   {"scenario_sha256", plan.scenario_sha256},
                   {"seed", static_cast<std::int64_t>(plan.seed)},
                   {"design", plan.design},
                   {"points", plan.points},
                   {"replicates", plan.replicates},
                   {"tasks", static_cast<std::int64_t>(plan.tasks.size())},
                   {"output_dir", plan.output_dir}};
  toml::array factors, tasks;
  for (const Factor& f : plan.factors)
    factors.push_back(
        toml::table{{"key", f.key}, {"lo", f.lo}, {"hi", f.hi}, {"integer", f.integer}});
  for (const PlanTask& t : plan.tasks) {
    toml::array values;
    for (double v : t.values) values.push_back(v);
    tasks.push_back(toml::table{{"id", t.id},
                                {"point", t.point},
                                {"replicate", t.replicate},
                                {"seed", static_cast<std::int64_t>(t.seed)},
                                {"values", values}});
  }
  toml::table doc{{"plan", head}};
  if (!factors.empty()) doc.insert("factor", factors);
  doc.insert("task", tasks);
  std::ostringstream out;
  out << "# salient plan: " << plan.tasks.size() << " tasks of " << plan.scenario
      << "\n# run one with `salient run --plan " << fs::path(path).filename().string()
      << " --task I` (docs/HPC.md)\n\n"
      << doc << "\n";
  write_text_file(path, out.str());
}

Plan read_plan(const std::string& path) {
  using namespace detail;
  std::string text, why;
  if (!read_text_file(path, kMaxPlanBytes, text, why))
    throw PlanError(path + ": cannot read the plan: " + why);
  toml::table doc = parse_toml(text, path);
  Section root(path, &doc, "", toml::source_region{{1, 1}, {1, 1}, nullptr});
  Section head = root.table("plan", kRequired);
  const toml::array* factors = root.tables("factor");
  const toml::array* tasks = root.tables("task");
  root.done();
  Plan plan;
  plan.path = path;
  std::int64_t seed = 0, count = 0;
  head.text("scenario", plan.scenario);
  head.text("scenario_sha256", plan.scenario_sha256);
  head.integer("seed", seed, 0);
  head.choice_text("design", plan.design, {"none", "grid", "lhs", "olh"});
  head.integer("points", plan.points, 1, 10000000);
  head.integer("replicates", plan.replicates, 1, 1000000);
  head.integer("tasks", count, 1, 10000000);
  head.text("output_dir", plan.output_dir);
  head.done();
  plan.seed = static_cast<std::uint64_t>(seed);
  if (plan.scenario.empty() || plan.output_dir.empty() || plan.scenario_sha256.empty())
    head.fail("scenario", "expected scenario, scenario_sha256 and output_dir in [plan]");
  if (factors && factors->size() > kMaxFactors)
    root.fail("factor", "expected at most " + std::to_string(kMaxFactors) +
                            " [[factor]] tables, got " + std::to_string(factors->size()));
  std::vector<Section> factor_sections;
  for (std::size_t i = 0; factors && i < factors->size(); ++i) {
    const toml::table& t = *factors->get(i)->as_table();
    Section& s =
        factor_sections.emplace_back(path, &t, "factor[" + std::to_string(i) + "]", t.source());
    Factor& f = plan.factors.emplace_back();
    s.text("key", f.key);
    s.number("lo", f.lo, in(-1e300, 1e300), kRequired);
    s.number("hi", f.hi, in(-1e300, 1e300), kRequired);
    s.boolean("integer", f.integer);
    s.done();
  }
  if (!tasks || static_cast<std::int64_t>(tasks->size()) != count ||
      count != plan.points * plan.replicates)
    root.fail("task", "expected tasks = points x replicates [[task]] tables (" +
                          std::to_string(plan.points * plan.replicates) + "), got " +
                          std::to_string(tasks ? tasks->size() : 0));
  for (std::size_t i = 0; i < tasks->size(); ++i) {
    const toml::table& t = *tasks->get(i)->as_table();
    Section s(path, &t, "task[" + std::to_string(i) + "]", t.source());
    PlanTask& task = plan.tasks.emplace_back();
    std::int64_t task_seed_value = 0;
    s.integer("id", task.id, static_cast<std::int64_t>(i), static_cast<std::int64_t>(i), kRequired);
    s.integer("point", task.point, 0, plan.points - 1, kRequired);
    s.integer("replicate", task.replicate, 0, plan.replicates - 1, kRequired);
    s.integer("seed", task_seed_value, 0, kIntMax, kRequired);
    if (task.id != task.point * plan.replicates + task.replicate)
      s.fail("id", "expected id = point x replicates + replicate (" +
                       std::to_string(task.point * plan.replicates + task.replicate) + "), got " +
                       std::to_string(task.id));
    task.seed = static_cast<std::uint64_t>(task_seed_value);
    task.values = s.number_list("values", plan.factors.size());
    for (std::size_t f = 0; f < plan.factors.size(); ++f) {
      const Factor& fa = plan.factors[f];
      const double v = task.values[f];
      if (v < fa.lo || v > fa.hi || (fa.integer && v != std::rint(v)))
        s.fail("values", "expected " + std::string(fa.integer ? "a whole number" : "a value") +
                             " in [" + fmt(fa.lo) + ", " + fmt(fa.hi) + "] for " + clip(fa.key) +
                             ", got " + fmt(v));
    }
    s.done();
  }
  // The scenario must be the one planned: same merged text.
  ScenarioConfig cfg;
  try {
    cfg = load_scenario(plan.scenario_file());
  } catch (const ConfigError& e) {
    throw PlanError(path + ": its scenario is not valid: " + e.what());
  }
  if (scenario_digest(cfg) != plan.scenario_sha256)
    throw PlanError(path + ": the scenario " + plan.scenario_file() +
                    " changed since the plan was made (sha256 differs); make a new plan");
  // Every factor must name a numeric key of that scenario, valid at both ends of its range.
  const std::string scenario = plan.scenario_file();
  for (std::size_t i = 0; i < plan.factors.size(); ++i) {
    const Factor& f = plan.factors[i];
    const std::string refused = "the scenario refuses this factor: ";
    try {
      scenario_key_kind(scenario, f.key);
    } catch (const ConfigError& e) {
      factor_sections[i].fail("key", refused + e.what());
    }
    for (const auto& [end, value] : {std::pair{"lo", f.lo}, std::pair{"hi", f.hi}}) {
      try {
        load_scenario(scenario, {{f.key, value}});
      } catch (const ConfigError& e) {
        factor_sections[i].fail(end, refused + e.what());
      }
    }
  }
  return plan;
}

}  // namespace salient
