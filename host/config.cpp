// Scenario loading: TOML (toml++) into ScenarioConfig, with strict validation. Every error is
// reported as one line "FILE:LINE:COLUMN: KEY: MESSAGE" (see config.h).
#include "config.h"

#include <filesystem>
#include <sstream>

#include "config_section.h"

namespace salient {
namespace {

using namespace detail;

void read_run(Section& s, ScenarioConfig& c) {
  s.integer("seed", c.seed, 0, kIntMax, kRequired);
  s.number("dt", c.dt, above(0, 600, "seconds"));
  s.number("duration", c.duration, above(0, kInf, "seconds"), kRequired);
  s.integer("snapshot_every", c.snapshot_every, 1);
  s.integer("record_every", c.record_every, 1);
  s.integer("checkpoint_every", c.checkpoint_every, 0);
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
  static_assert(kMaxCells == 5e8, "the message below names the limit");
  if (!(cells <= kMaxCells)) s.fail("cell_size", "expected at most 5e8 cells, got " + fmt(cells));
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

/// Validates the merged document `doc` of the scenario at `path` (the readers above).
ScenarioConfig read_scenario(const toml::table& doc, const std::string& path) {
  ScenarioConfig cfg;
  cfg.path = path;
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

}  // namespace

ScenarioConfig parse_scenario(const std::string& text, const std::string& path,
                              const std::vector<Override>& overrides) {
  std::vector<std::string> files;
  toml::table doc = resolve_bases(parse_toml(text, path), path, files);
  apply_overrides(doc, path, overrides);
  ScenarioConfig cfg;
  try {
    cfg = read_scenario(doc, path);
  } catch (const ConfigError& e) {
    // A value set by an override has no place in a file: name the override instead.
    const std::string at = path + ":0:0: ";
    const std::string msg = e.what();
    if (!overrides.empty() && msg.rfind(at, 0) == 0)
      throw ConfigError(path + ": override " + msg.substr(at.size()));
    throw;
  }
  cfg.text = text;
  if (files.size() > 1 || !overrides.empty()) {
    // Store the merged scenario: it alone reproduces the run.
    std::ostringstream merged;
    merged << "# " << path;
    if (files.size() > 1) merged << " over its base";
    for (std::size_t i = 1; i < files.size(); ++i) merged << (i > 1 ? ", over " : " ") << files[i];
    for (std::size_t i = 0; i < overrides.size(); ++i)
      merged << (i == 0 ? " with " : ", ") << overrides[i].key << " = " << fmt(overrides[i].value);
    merged << "; merged by salient\n" << doc << "\n";
    cfg.text = merged.str();
  }
  return cfg;
}

ScenarioConfig load_scenario(const std::string& path) { return load_scenario(path, {}); }

ScenarioConfig load_scenario(const std::string& path, const std::vector<Override>& overrides) {
  std::string text, why;
  if (!read_text_file(path, kMaxScenarioBytes, text, why))
    throw ConfigError(path + ": cannot read file: " + why);
  return parse_scenario(text, path, overrides);
}

}  // namespace salient
