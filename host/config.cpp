// Scenario loading: TOML (toml++) into ScenarioConfig, with strict validation. Every error is
// reported as one line "FILE:LINE:COLUMN: KEY: MESSAGE" (see config.h).
#include "config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

namespace salient {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();
constexpr std::array<const char*, 5> kTerrainNames{"open", "forest", "urban", "water", "road"};

/// Allowed values of a float key: lo..hi, lo excluded when open_lo; hi = kInf for "no upper bound".
struct Range {
  double lo, hi;
  bool open_lo;
  const char* unit;
};
/// [lo, hi]
constexpr Range in(double lo, double hi, const char* unit = "") { return {lo, hi, false, unit}; }
/// (lo, hi]
constexpr Range above(double lo, double hi = kInf, const char* unit = "") {
  return {lo, hi, true, unit};
}
constexpr Range kFraction = in(0, 1);

/// Shortest text that reads back as `v`.
std::string fmt(double v) {
  if (v == std::trunc(v) && std::fabs(v) < 1e15)
    return std::to_string(static_cast<std::int64_t>(v));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string describe(const Range& r) {
  std::string s = !std::isinf(r.hi)
                      ? (r.open_lo ? "in (" : "in [") + fmt(r.lo) + ", " + fmt(r.hi) + "]"
                      : (r.open_lo ? "> " : ">= ") + fmt(r.lo);
  return *r.unit ? s + " " + r.unit : s;
}

/// "a string (\"x\")", "a float (2.5)", ...: what a node holds, for "got ..." messages.
std::string got(const toml::node& n) {
  if (auto s = n.as_string()) {
    std::string v;
    for (char c : s->get()) v += std::iscntrl(static_cast<unsigned char>(c)) ? '?' : c;
    return "a string (\"" + v + "\")";
  }
  if (auto i = n.as_integer()) return "an integer (" + std::to_string(i->get()) + ")";
  if (auto f = n.as_floating_point()) return "a float (" + fmt(f->get()) + ")";
  if (auto b = n.as_boolean()) return b->get() ? "a boolean (true)" : "a boolean (false)";
  if (n.is_table()) return "a table";
  if (n.is_array()) return "an array";
  return "a date/time";
}

std::size_t levenshtein(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1])});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

/// "did you mean 'x'?" for the closest allowed key, or the list of allowed keys.
std::string suggest(std::string_view key, const std::vector<std::string>& allowed) {
  const std::string* best = nullptr;
  std::size_t best_d = 3;
  for (const auto& a : allowed) {
    std::size_t d = lower(a) == lower(key) ? 0 : levenshtein(key, a);
    if (d < best_d) best = &a, best_d = d;
  }
  if (best) return "did you mean '" + *best + "'?";
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return "allowed: " + list;
}

enum Need { kOptional, kRequired };

/// One TOML table being read. Each read registers its key as allowed; a missing required key
/// is remembered, so that done() can first report unknown keys (often the misspelt missing one).
class Section {
 public:
  Section(const std::string& file, const toml::table* t, std::string prefix,
          toml::source_region where)
      : file_(file), t_(t), prefix_(std::move(prefix)), where_(std::move(where)) {}

  /// Throws ConfigError for `key`, located at its node, or at this table if it is absent.
  [[noreturn]] void fail(std::string_view key, const std::string& msg) const {
    const toml::node* n = t_ ? t_->get(key) : nullptr;
    throw_at(n ? n->source() : where_, full(key), msg);
  }
  /// Throws for `key` at region r: its own file (a key from a base file names that file).
  [[noreturn]] void throw_at(const toml::source_region& r, const std::string& key,
                             const std::string& msg) const {
    const std::string& file = r.path ? *r.path : file_;
    throw ConfigError(file + ":" + std::to_string(r.begin.line) + ":" +
                      std::to_string(r.begin.column) + ": " + key + ": " + msg);
  }

  void number(std::string_view key, double& out, Range r, Need need = kOptional) {
    const toml::node* n = get(key, need);
    if (!n) return;
    if (!n->is_number()) fail(key, "expected a number " + describe(r) + ", got " + got(*n));
    double v = n->value<double>().value();
    if (!std::isfinite(v) || (r.open_lo ? v <= r.lo : v < r.lo) || v > r.hi)
      fail(key, "expected a number " + describe(r) + ", got " + fmt(v));
    out = v;
  }

  template <class Int>
  void integer(std::string_view key, Int& out, std::int64_t lo, std::int64_t hi = kIntMax,
               Need need = kOptional) {
    const toml::node* n = get(key, need);
    if (!n) return;
    std::string want =
        "expected an integer " +
        (hi == kIntMax ? ">= " + std::to_string(lo)
                       : "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    if (!n->is_integer()) fail(key, want + ", got " + got(*n));
    std::int64_t v = n->as_integer()->get();
    if (v < lo || v > hi) fail(key, want + ", got " + std::to_string(v));
    out = static_cast<Int>(v);
  }

  void boolean(std::string_view key, bool& out) {
    if (const toml::node* n = get(key, kOptional)) {
      if (!n->is_boolean()) fail(key, "expected a boolean (true or false), got " + got(*n));
      out = n->as_boolean()->get();
    }
  }

  /// Required identifier matching [a-z][a-z0-9_]{0,31}.
  void name(std::string_view key, std::string& out) {
    const toml::node* n = get(key, kRequired);
    if (!n) return;
    const std::string want = "expected a string matching [a-z][a-z0-9_]{0,31}, got ";
    if (!n->is_string()) fail(key, want + got(*n));
    const std::string& s = n->as_string()->get();
    bool ok = !s.empty() && s.size() <= 32 && std::islower(static_cast<unsigned char>(s[0]));
    for (char c : s)
      ok = ok && (std::islower(static_cast<unsigned char>(c)) || c == '_' ||
                  std::isdigit(static_cast<unsigned char>(c)));
    if (!ok) fail(key, want + got(*n));
    out = s;
  }

  /// True if the table has `key`.
  bool has(std::string_view key) const { return t_ && t_->get(key); }

  /// Optional non-empty string.
  void text(std::string_view key, std::string& out) {
    const toml::node* n = get(key, kOptional);
    if (!n) return;
    if (!n->is_string() || n->as_string()->get().empty())
      fail(key, "expected a non-empty string, got " + got(*n));
    out = n->as_string()->get();
  }

  /// Optional string from a fixed list; stores its index.
  void choice(std::string_view key, int& out, std::initializer_list<const char*> allowed) {
    const toml::node* n = get(key, kOptional);
    if (!n) return;
    std::string list;
    for (const char* a : allowed) list += std::string(list.empty() ? "" : ", ") + a;
    if (n->is_string()) {
      int index = 0;
      for (const char* a : allowed) {
        if (n->as_string()->get() == a) {
          out = index;
          return;
        }
        ++index;
      }
    }
    fail(key, "expected one of " + list + ", got " + got(*n));
  }

  /// Required array of exactly N numbers (into v); false if absent. `want` starts messages.
  template <std::size_t N>
  bool numbers(std::string_view key, double (&v)[N], const std::string& want) {
    const toml::node* n = get(key, kRequired);
    if (!n) return false;
    const toml::array* a = n->as_array();
    if (!a) fail(key, want + got(*n));
    if (a->size() != N) fail(key, want + "an array of " + std::to_string(a->size()) + " elements");
    for (std::size_t i = 0; i < N; ++i) {
      const toml::node& e = *a->get(i);
      if (!e.is_number())
        throw_at(e.source(), full(key), want + got(e) + " as element " + std::to_string(i));
      v[i] = e.value<double>().value();
      if (!(std::fabs(v[i]) <= 1e7))
        throw_at(e.source(), full(key), "expected a number in [-1e7, 1e7], got " + fmt(v[i]));
    }
    return true;
  }

  /// Required [x0, y0, x1, y1] with x0 < x1, y0 < y1 inside [0, w] x [0, h].
  void rect(std::string_view key, Rect& out, double w, double h) {
    const std::string want =
        "expected [x0, y0, x1, y1] in metres with x0 < x1, y0 < y1, inside [0, " + fmt(w) +
        "] x [0, " + fmt(h) + "], got ";
    double v[4];
    if (!numbers(key, v, want)) return;
    if (!(0 <= v[0] && v[0] < v[2] && v[2] <= w && 0 <= v[1] && v[1] < v[3] && v[3] <= h))
      fail(key,
           want + "[" + fmt(v[0]) + ", " + fmt(v[1]) + ", " + fmt(v[2]) + ", " + fmt(v[3]) + "]");
    out = {v[0], v[1], v[2], v[3]};
  }

  /// Required [x, y] in metres (finite; may lie outside the region, e.g. a battery behind it).
  void point(std::string_view key, double& x, double& y) {
    double v[2];
    if (!numbers(key, v, "expected [x, y] in metres, got ")) return;
    x = v[0], y = v[1];
  }

  /// Sub-table `key` (an empty Section if absent).
  Section table(std::string_view key, Need need = kOptional) {
    const toml::node* n = get(key, need);
    if (n && !n->is_table()) fail(key, "expected a table, got " + got(*n));
    return Section(file_, n ? n->as_table() : nullptr, full(key), n ? n->source() : where_);
  }

  /// Array of tables `key`; null if absent.
  const toml::array* tables(std::string_view key) {
    const toml::node* n = get(key, kOptional);
    if (n && !n->is_array_of_tables()) fail(key, "expected an array of tables, got " + got(*n));
    return n ? n->as_array() : nullptr;
  }

  /// Reports the first unknown key, then the first missing required key.
  void done() const {
    if (t_) {
      for (auto&& [k, v] : *t_) {
        if (std::find(allowed_.begin(), allowed_.end(), k.str()) != allowed_.end()) continue;
        throw_at(k.source(), full(k.str()),
                 std::string(v.is_table() ? "unknown table; " : "unknown key; ") +
                     suggest(k.str(), allowed_));
      }
    }
    if (!missing_.empty()) fail(missing_, "required key is missing");
  }

  std::string full(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }

 private:
  const toml::node* get(std::string_view key, Need need) {
    allowed_.emplace_back(key);
    const toml::node* n = t_ ? t_->get(key) : nullptr;
    if (!n && need == kRequired && missing_.empty()) missing_ = key;
    return n;
  }

  const std::string& file_;
  const toml::table* t_;
  std::string prefix_;
  toml::source_region where_;  ///< the table's own place (for keys it lacks)
  std::vector<std::string> allowed_;
  std::string missing_;
};

void read_run(Section& s, ScenarioConfig& c) {
  s.integer("seed", c.seed, 0, kIntMax, kRequired);
  s.number("dt", c.dt, above(0, 600, "seconds"));
  s.number("duration", c.duration, above(0, kInf, "seconds"), kRequired);
  s.integer("snapshot_every", c.snapshot_every, 1);
  s.integer("record_every", c.record_every, 1);
  s.boolean("snapshot_agents", c.snapshot_agents);
  s.done();
  if (!(c.duration / c.dt <= 1e9))
    s.fail("duration", "expected duration/dt <= 1e9 steps, got " + fmt(c.duration / c.dt));
}

void read_region(Section& s, ScenarioConfig& c) {
  s.number("width", c.width, in(500, 1e6, "metres"), kRequired);
  s.number("height", c.height, in(500, 1e6, "metres"), kRequired);
  s.number("cell_size", c.cell_size, in(5, 1000, "metres"));
  s.integer("seed", c.region_seed, 0);
  s.number("forest_fraction", c.forest_fraction, in(0, 0.9));
  s.integer("settlements", c.settlements, 0, 100000);
  s.number("settlement_radius", c.settlement_radius, in(10, 10000, "metres"));
  s.integer("towns", c.towns, 0, 10000);
  s.number("town_radius", c.town_radius, in(10, 20000, "metres"));
  s.integer("rivers", c.rivers, 0, 20);
  s.number("river_width", c.river_width, in(1, 2000, "metres"));
  s.boolean("roads", c.roads);
  s.text("file", c.region_file);
  s.done();
  const double cells = (c.width / c.cell_size) * (c.height / c.cell_size);
  if (!(cells <= 5e8)) s.fail("cell_size", "expected at most 5e8 cells, got " + fmt(cells));
}

void read_terrain(Section& s, ScenarioConfig& c) {
  std::vector<Section> classes;
  for (const char* name : kTerrainNames) classes.push_back(s.table(name));
  s.done();
  for (std::size_t i = 0; i < classes.size(); ++i) {
    classes[i].number("cover", c.terrain[i].cover, kFraction);
    classes[i].number("concealment", c.terrain[i].concealment, kFraction);
    classes[i].number("speed", c.terrain[i].speed, in(0, 3));
    classes[i].done();
  }
}

void read_model(Section& s, ScenarioConfig& c) {
  s.number("control_radius", c.control_radius, above(0, 5000, "metres"));
  s.number("suppression_per_shot", c.suppression_per_shot, kFraction);
  s.number("suppression_tau", c.suppression_tau, above(0, kInf, "seconds"));
  s.number("suppression_cover", c.suppression_cover, kFraction);
  s.number("suppression_accuracy", c.suppression_accuracy, kFraction);
  s.number("morale_loss_per_shot", c.morale_loss_per_shot, kFraction);
  s.number("morale_loss_outnumbered", c.morale_loss_outnumbered, in(0, 1, "per second"));
  s.number("morale_recovery", c.morale_recovery, in(0, 1, "per second"));
  s.number("jitter", c.jitter, in(0, 1000, "metres"));
  s.number("arrive_radius", c.arrive_radius, in(0, 100000, "metres"));
  s.number("los_max_depth", c.los_max_depth, in(0, 100000, "metres"));
  s.number("stationary_detect", c.stationary_detect, kFraction);
  s.number("near_miss_radius", c.near_miss_radius, in(0, 1000, "metres"));
  s.number("suppression_near_miss", c.suppression_near_miss, kFraction);
  s.number("casualty_radius", c.casualty_radius, in(0, 1000, "metres"));
  s.number("morale_loss_casualty", c.morale_loss_casualty, kFraction);
  s.number("morale_loss_isolated", c.morale_loss_isolated, in(0, 1, "per second"));
  s.number("morale_loss_unit", c.morale_loss_unit, in(0, 1, "per second"));
  s.number("unit_break_losses", c.unit_break_losses, kFraction);
  s.number("morale_recovery_rest", c.morale_recovery_rest, in(0, 1, "per second"));
  s.number("morale_gain_cohesion", c.morale_gain_cohesion, in(0, 1, "per second"));
  s.number("cohesion_penalty", c.cohesion_penalty, kFraction);
  s.number("moving_fire_accuracy", c.moving_fire_accuracy, kFraction);
  s.number("assault_speed", c.assault_speed, kFraction);
  s.number("in_cover_hit", c.in_cover_hit, kFraction);
  s.number("replan_interval", c.replan_interval, above(0, kInf, "seconds"));
  s.number("strike_suppression", c.strike_suppression, kFraction);
  s.number("strike_morale_shock", c.strike_morale_shock, kFraction);
  s.number("strike_prone_factor", c.strike_prone_factor, kFraction);
  s.number("destruction_cover_loss", c.destruction_cover_loss, kFraction);
  s.done();
}

/// [arena]: law = "square" | "linear", kill_rate = [side 0, side 1] (both required).
void read_arena(Section& s, ScenarioConfig& c) {
  c.arena_law = 0;
  s.choice("law", c.arena_law, {"none", "square", "linear"});
  if (c.arena_law == 0) s.fail("law", "expected square or linear (an [arena] table needs a law)");
  double v[2] = {0, 0};
  if (s.numbers("kill_rate", v, "expected [rate of side 0, rate of side 1], per second, got ")) {
    for (int k = 0; k < 2; ++k)
      if (!(v[k] >= 0 && v[k] <= 1e3))
        s.fail("kill_rate", "expected rates in [0, 1000] per second, got " + fmt(v[k]));
    c.arena_rate = {v[0], v[1]};
  }
  s.done();
}

/// Troop-quality keys shared by [[side]] and [[reinforcement]] tables.
void read_quality(Section& s, SideConfig& q) {
  s.number("speed", q.speed, above(0, 20, "m/s"));
  s.number("accuracy", q.accuracy, kFraction);
  s.number("training", q.training, kFraction);
  s.number("cohesion_radius", q.cohesion_radius, above(0, 10000, "metres"));
  s.number("morale_baseline", q.morale_baseline, above(0, 1));
  s.number("morale_break", q.morale_break, kFraction);
  s.number("morale_rally", q.morale_rally, kFraction);
  s.integer("ammunition", q.ammunition, 0, 30000);
  s.integer("squad_size", q.squad_size, 1, 1000);
  s.integer("squads_per_platoon", q.squads_per_platoon, 1, 100);
  s.integer("platoons_per_company", q.platoons_per_company, 1, 100);
  s.integer("companies_per_battalion", q.companies_per_battalion, 1, 100);
}

/// Checks what read_quality cannot check key by key (call after Section::done).
void check_quality(Section& s, const SideConfig& q) {
  if (!(q.morale_rally > q.morale_break))
    s.fail("morale_rally", "expected morale_rally > morale_break (" + fmt(q.morale_break) +
                               "), got " + fmt(q.morale_rally));
}

void read_side(Section& s, SideConfig& d, const ScenarioConfig& c) {
  s.name("name", d.name);
  s.integer("count", d.count, 1, 100000000, kRequired);
  s.rect("start_zone", d.start_zone, c.width, c.height);
  s.rect("objective", d.objective, c.width, c.height);
  read_quality(s, d);
  s.number("sensor_range", d.sensor_range, above(0, 20000, "metres"));
  s.number("detect_prob", d.detect_prob, kFraction);
  s.number("weapon_range", d.weapon_range, above(0, 20000, "metres"));
  s.number("half_range", d.half_range, above(0, 20000, "metres"));
  s.number("kill_given_hit", d.kill_given_hit, kFraction);
  s.number("wound_damage", d.wound_damage, above(0, 1));
  s.number("serious_given_wound", d.serious_given_wound, kFraction);
  s.number("assault_ratio", d.assault_ratio, in(0, 100));
  s.choice("order", d.order, {"advance", "assault", "hold", "withdraw", "rest"});
  s.boolean("holds_start_zone", d.holds_start_zone);
  s.boolean("commander", d.commander);
  s.choice("role", d.role, {"attack", "defend"});
  s.integer("axes", d.axes, 1, 100);
  s.number("rotate_below", d.rotate_below, kFraction);
  s.number("rest_hours", d.rest_hours, in(0, 1000, "hours"));
  s.number("threat_radius", d.threat_radius, in(0, 100000, "metres"));
  s.number("sighting_error", d.sighting_error, in(0, 10000, "metres"));
  s.number("sighting_decay", d.sighting_decay, above(0, 1e7, "seconds"));
  s.number("drone_coverage", d.drone_coverage, in(0, 100, "per hour"));
  s.number("drone_detect", d.drone_detect, kFraction);
  s.number("drone_error", d.drone_error, in(0, 10000, "metres"));
  s.done();
  check_quality(s, d);
}

/// Required key `side`: the name of one of the two [[side]] tables; returns its index.
int read_side_name(Section& s, const ScenarioConfig& c) {
  std::string side;
  s.text("side", side);
  for (int k = 0; k < 2; ++k)
    if (c.sides[k].name == side) return k;
  s.fail("side", "expected the name of a [[side]] (" + c.sides[0].name + " or " + c.sides[1].name +
                     "), got " + (side.empty() ? "nothing" : "\"" + side + "\""));
}

/// A [[reinforcement]] table: which side, when, how many, where; quality overrides.
void read_reinforcement(Section& s, ReinforcementConfig& r, const ScenarioConfig& c) {
  if (s.has("name")) s.name("name", r.name);
  s.number("day", r.day, in(0, 100000, "days"), kRequired);
  r.side = read_side_name(s, c);
  s.integer("count", r.count, 1, 100000000, kRequired);
  s.rect("entry_zone", r.entry_zone, c.width, c.height);
  SideConfig& q = r.quality;
  q = c.sides[r.side];
  read_quality(s, q);
  s.done();
  check_quality(s, q);
}

/// A [[targeting]] table: a named policy of one side.
void read_targeting(Section& s, TargetingConfig& t, const ScenarioConfig& c) {
  s.name("name", t.name);
  t.side = read_side_name(s, c);
  t.kind = -1;
  s.choice("kind", t.kind, {"front_line", "settlement_bombing"});
  if (t.kind < 0) s.fail("kind", "required key is missing (front_line or settlement_bombing)");
  s.number("max_distance", t.max_distance, in(0, 1e5, "metres"));
  s.number("safe_distance", t.safe_distance, in(0, 1e5, "metres"));
  s.number("min_confidence", t.min_confidence, kFraction);
  s.done();
  for (const TargetingConfig& other : c.targeting)
    if (&other != &t && other.name == t.name)
      s.fail("name",
             "expected a name not used by another [[targeting]] table, got \"" + t.name + "\"");
}

/// An [[artillery]] (kind 0) or [[air]] (kind 1) table. Defaults differ by kind.
void read_asset(Section& s, AssetConfig& a, const ScenarioConfig& c) {
  if (a.kind == 1) {
    a.per_day = 12, a.cep = 30, a.lethal_radius = 50, a.suppression_radius = 300;
    a.destruction_radius = 25, a.kill_fraction = 0.5, a.range = 0;
  }
  if (s.has("name")) s.name("name", a.name);
  a.side = read_side_name(s, c);
  std::string policy;
  s.text("policy", policy);
  a.policy = -1;
  for (std::size_t k = 0; k < c.targeting.size(); ++k)
    if (c.targeting[k].name == policy && c.targeting[k].side == a.side)
      a.policy = static_cast<int>(k);
  if (a.policy < 0) {
    std::string names;
    for (const TargetingConfig& t : c.targeting)
      if (t.side == a.side) names += (names.empty() ? "" : ", ") + t.name;
    s.fail("policy", "expected the name of a [[targeting]] table of side " + c.sides[a.side].name +
                         " (" + (names.empty() ? "none defined" : names) + "), got " +
                         (policy.empty() ? "nothing" : "\"" + policy + "\""));
  }
  if (a.kind == 0) {
    s.point("position", a.x, a.y);
    s.number("range", a.range, above(0, 1e6, "metres"));
    s.number("rounds_per_day", a.per_day, in(0, 1e7, "rounds"));
    s.number("rate_of_fire", a.rate_of_fire, above(0, 1e4, "rounds per minute"));
  } else {
    s.number("sorties_per_day", a.per_day, in(0, 1e5, "sorties"));
    s.integer("bombs_per_sortie", a.bombs_per_sortie, 1, 100);
  }
  s.number("cep", a.cep, above(0, 1e5, "metres"));
  s.number("lethal_radius", a.lethal_radius, above(0, 1e4, "metres"));
  s.number("suppression_radius", a.suppression_radius, in(0, 1e5, "metres"));
  s.number("destruction_radius", a.destruction_radius, in(0, 1e4, "metres"));
  s.number("kill_fraction", a.kill_fraction, kFraction);
  s.done();
}

}  // namespace

namespace {

/// Parses TOML text as read from `path`; a syntax error becomes a ConfigError.
toml::table parse_toml(const std::string& text, const std::string& path) {
  try {
    return toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    std::string msg(e.description());
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    const auto& p = e.source().begin;
    throw ConfigError(path + ":" + std::to_string(p.line) + ":" + std::to_string(p.column) +
                      ": (syntax): " + msg);
  }
}

/// The `name` of a table in an array of tables ("" if none).
std::string name_of(const toml::node& n) {
  const toml::table* t = n.as_table();
  const toml::node* name = t ? t->get("name") : nullptr;
  return name && name->is_string() ? name->as_string()->get() : std::string();
}

/// Moves every key of `over` into `base`: tables merge key by key; in arrays of tables an
/// element whose `name` matches a base element's merges into it and others are appended;
/// anything else replaces what the base had. Nodes keep their file and line.
void merge(toml::table& base, toml::table& over) {
  for (auto&& [k, v] : over) {
    toml::node* b = base.get(k.str());
    if (b && b->is_table() && v.is_table()) {
      merge(*b->as_table(), *v.as_table());
      continue;
    }
    if (b && b->is_array_of_tables() && v.is_array_of_tables()) {
      toml::array& into = *b->as_array();
      for (toml::node& e : *v.as_array()) {
        const std::string name = name_of(e);
        toml::node* same = nullptr;
        for (toml::node& old : into)
          if (!name.empty() && name_of(old) == name) same = &old;
        if (same)
          merge(*same->as_table(), *e.as_table());
        else
          into.push_back(std::move(*e.as_table()));
      }
      continue;
    }
    v.visit([&, &key = k](auto&& n) { base.insert_or_assign(key, std::move(n)); });
  }
}

/// A scenario document with its `base` chain resolved: a file may name a base scenario
/// (`base = "file.toml"`, relative to its own folder) whose keys it overrides (merge above:
/// a [[side]] with a base side's name changes that side), and `drop` a list of top-level
/// keys of the base to remove (e.g. ["air"]). `files` collects the chain.
toml::table resolve_bases(toml::table doc, const std::string& path,
                          std::vector<std::string>& files) {
  files.push_back(path);
  const toml::node* b = doc.get("base");
  const toml::node* d = doc.get("drop");
  Section self(path, &doc, "", toml::source_region{{1, 1}, {1, 1}, nullptr});
  if (!b) {
    if (d) self.fail("drop", "expected no 'drop' without a 'base' scenario");
    return doc;
  }
  if (!b->is_string() || b->as_string()->get().empty())
    self.fail("base", "expected the path of a base scenario file, got " + got(*b));
  if (files.size() > 8) self.fail("base", "expected at most 8 nested base scenarios");
  namespace fs = std::filesystem;
  const std::string base_path =
      (fs::path(path).parent_path() / b->as_string()->get()).lexically_normal().string();
  for (const std::string& f : files)
    if (fs::path(f).lexically_normal() == fs::path(base_path))
      self.fail("base",
                "expected a scenario that does not include itself, got \"" + base_path + "\"");
  std::ifstream in(base_path, std::ios::binary);
  std::error_code ec;
  if (!in || fs::is_directory(base_path, ec))
    self.fail("base", "cannot read the base scenario \"" + base_path + "\"");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  toml::table merged = resolve_bases(parse_toml(text, base_path), base_path, files);
  if (d) {
    const toml::array* list = d->as_array();
    if (!list) self.fail("drop", "expected an array of top-level key names, got " + got(*d));
    for (const toml::node& e : *list) {
      // "key" drops a top-level key; "key.name" one named element of an array of tables.
      const std::string what = e.is_string() ? e.as_string()->get() : std::string();
      const auto dot = what.find('.');
      const std::string top = what.substr(0, dot);
      toml::node* n = merged.get(top);
      bool dropped = false;
      if (n && dot == std::string::npos) {
        merged.erase(top);
        dropped = true;
      } else if (n && n->is_array_of_tables()) {
        toml::array& a = *n->as_array();
        for (auto it = a.begin(); it != a.end(); ++it)
          if (name_of(*it) == what.substr(dot + 1)) {
            a.erase(it);
            dropped = true;
            break;
          }
        if (a.empty()) merged.erase(top);  // an empty array is not an array of tables
      }
      if (!dropped)
        self.throw_at(e.source(), "drop",
                      "expected a top-level key of the base scenario, or KEY.NAME for a named "
                      "[[KEY]] table, got " +
                          got(e));
    }
  }
  doc.erase("base");
  doc.erase("drop");
  merge(merged, doc);
  return merged;
}

}  // namespace

ScenarioConfig parse_scenario(const std::string& text, const std::string& path) {
  std::vector<std::string> files;
  toml::table doc = resolve_bases(parse_toml(text, path), path, files);

  ScenarioConfig cfg;
  cfg.path = path;
  cfg.text = text;
  if (files.size() > 1) {  // store the merged scenario: it alone reproduces the run
    std::ostringstream merged;
    merged << "# " << path << " over its base";
    for (std::size_t i = 1; i < files.size(); ++i) merged << (i > 1 ? ", over " : " ") << files[i];
    merged << "; merged by salient\n" << doc << "\n";
    cfg.text = merged.str();
  }
  Section root(path, &doc, "", toml::source_region{{1, 1}, {1, 1}, nullptr});
  Section run = root.table("run", kRequired);
  Section region = root.table("region", kRequired);
  Section terrain = root.table("terrain");
  Section model = root.table("model");
  const toml::array* sides = root.tables("side");
  const toml::array* reinforcements = root.tables("reinforcement");
  root.tables("targeting");
  const toml::array* artillery = root.tables("artillery");
  const toml::array* air = root.tables("air");
  const bool arena = root.has("arena");
  Section arena_section = root.table("arena");
  root.done();
  if (arena) read_arena(arena_section, cfg);

  read_run(run, cfg);
  read_region(region, cfg);
  if (!cfg.region_file.empty() && std::filesystem::path(cfg.region_file).is_relative()) {
    // Relative to the folder of the file that names it (a base scenario may).
    const toml::node* n = doc.at_path("region.file").node();
    const std::string from = n && n->source().path ? *n->source().path : path;
    cfg.region_file = (std::filesystem::path(from).parent_path() / cfg.region_file).string();
  }
  read_terrain(terrain, cfg);
  read_model(model, cfg);
  if (!sides || sides->size() != 2)
    root.fail("side", "expected exactly two [[side]] tables, got " +
                          (sides ? std::to_string(sides->size()) : std::string("none")));
  std::vector<Section> side_sections;
  for (std::size_t i = 0; i < 2; ++i) {
    const toml::table& t = *sides->get(i)->as_table();
    side_sections.emplace_back(path, &t, "side[" + std::to_string(i) + "]", t.source());
    SideConfig& side = cfg.sides.emplace_back();
    side.role = i == 0 ? 0 : 1;  // by default the first side attacks, the second defends
    read_side(side_sections.back(), side, cfg);
  }
  if (cfg.sides[0].name == cfg.sides[1].name)
    side_sections[1].fail(
        "name", "expected a name different from side[0]'s, got \"" + cfg.sides[1].name + "\"");
  std::int64_t total = cfg.sides[0].count + cfg.sides[1].count;
  if (reinforcements) {
    if (reinforcements->size() > 14) root.fail("reinforcement", "expected at most 14 tables");
    for (std::size_t i = 0; i < reinforcements->size(); ++i) {
      const toml::table& t = *reinforcements->get(i)->as_table();
      Section s(path, &t, "reinforcement[" + std::to_string(i) + "]", t.source());
      ReinforcementConfig& r = cfg.reinforcements.emplace_back();
      r.name = "reinforcement_" + std::to_string(i);
      read_reinforcement(s, r, cfg);
      total += r.count;
    }
  }
  if (const toml::array* t = root.tables("targeting")) {
    for (std::size_t i = 0; i < t->size(); ++i) {
      const toml::table& tt = *t->get(i)->as_table();
      Section s(path, &tt, "targeting[" + std::to_string(i) + "]", tt.source());
      read_targeting(s, cfg.targeting.emplace_back(), cfg);
    }
  }
  std::size_t per_kind[2] = {0, 0};
  for (int kind = 0; kind < 2; ++kind) {
    const char* table = kind == 0 ? "artillery" : "air";
    const toml::array* list = kind == 0 ? artillery : air;
    if (!list) continue;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::table& t = *list->get(i)->as_table();
      Section s(path, &t, std::string(table) + "[" + std::to_string(i) + "]", t.source());
      AssetConfig& a = cfg.assets.emplace_back();
      a.kind = kind;
      a.name = std::string(table) + "_" + std::to_string(per_kind[kind]++);
      read_asset(s, a, cfg);
    }
  }
  if (cfg.assets.size() > 256)
    root.fail("artillery", "expected at most 256 [[artillery]] and [[air]] tables in all");
  if (total > std::numeric_limits<std::int32_t>::max())
    root.fail("side", "expected at most 2^31-1 agents in all");
  return cfg;
}

ScenarioConfig load_scenario(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec))
    throw ConfigError(path + ": cannot read file");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ConfigError(path + ": cannot read file");
  return parse_scenario(text, path);
}

}  // namespace salient
