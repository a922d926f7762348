// Scenario configuration: the typed contents of a scenario TOML file, loaded with strict
// validation (unknown keys, wrong types, out-of-range values and missing keys are errors).
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace salient {

/// A rectangle in region coordinates, metres: x0 < x1, y0 < y1.
struct Rect {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

/// Effects of one terrain class (see docs/MODEL.md, "Terrain").
struct TerrainConfig {
  double cover = 0;        ///< fraction of hits stopped, 0..1
  double concealment = 0;  ///< fraction by which detection is reduced, 0..1
  double speed = 1;        ///< movement speed factor, 0..3
};

/// One side of the fight ([[side]] table).
struct SideConfig {
  std::string name;           ///< identifier: [a-z][a-z0-9_]*
  std::int64_t count = 0;     ///< number of soldiers (agents)
  Rect start_zone;            ///< where its agents start, metres
  Rect objective;             ///< where its agents go, metres
  double speed = 1.0;         ///< m/s on open ground
  double sensor_range = 500;  ///< metres
  double detect_prob = 0.3;   ///< per-step detection probability at zero range, unconcealed
  double weapon_range = 400;  ///< metres
  double accuracy = 0.1;      ///< per-step hit probability at zero range in the open
  double half_range = 150;    ///< metres at which hit probability halves
  double kill_given_hit = 0.35;
  double wound_damage = 0.3;         ///< health lost per light wound (health starts at 1)
  double serious_given_wound = 0.5;  ///< share of non-lethal hits that are serious wounds
  double training = 0.5;             ///< 0..1: share of the suppression penalty ignored
  double cohesion_radius = 50;       ///< metres: squad spread beyond which it loses cohesion
  double assault_ratio = 1.5;        ///< (friends+1)/enemies needed to fire on the move
  std::int64_t ammunition = 120;     ///< aimed bursts carried
  double morale_baseline = 0.9;      ///< initial morale
  std::int64_t squad_size = 10, squads_per_platoon = 3, platoons_per_company = 3,
               companies_per_battalion = 3;
  int order =
      0;  ///< initial order of every unit: index into advance, assault, hold, withdraw, rest
  // Doctrine of the side's commander (host/commander.h).
  bool holds_start_zone = false;  ///< its start zone is its ground from the start
  bool commander = true;          ///< re-plan every model.replan_interval; false: keep `order`
  int role = 0;                   ///< 0 attack, 1 defend
  std::int64_t axes = 3;          ///< objectives pursued at once
  double rotate_below = 0.6;      ///< rotate a company out below this share of its strength
  double rest_hours = 6;          ///< hours a rotated company rests before returning
  double threat_radius = 1000;    ///< metres: enemy-held ground this close threatens a settlement
  double morale_break = 0.25;     ///< below: flee
  double morale_rally = 0.6;      ///< above: fleeing agents return
  // The side's picture of the enemy (kernels/picture.cuh).
  double sighting_error = 50;    ///< metres: position error of a soldier's sighting
  double sighting_decay = 1800;  ///< seconds: confidence in a sighting is exp(-age / this)
  double drone_coverage = 0;     ///< share of the region its drones overfly per hour
  double drone_detect = 0.5;     ///< probability that an overflight sees enemy presence
  double drone_error = 30;       ///< metres: position error of a drone sighting
};

/// A targeting policy ([[targeting]] table): how a side's fire-support assets pick targets.
struct TargetingConfig {
  std::string name;             ///< identifier that assets name as their `policy`
  int side = 0;                 ///< index of the side it belongs to
  int kind = 0;                 ///< 0 front_line, 1 settlement_bombing
  double max_distance = 1500;   ///< metres: front_line targets within this of own troops
  double safe_distance = 0;     ///< metres: no target this close to own troops (0: ignored)
  double min_confidence = 0.5;  ///< only sightings with exp(-age / decay) >= this
};

/// A fire-support asset: an artillery battery ([[artillery]]) or an air strike group ([[air]]).
struct AssetConfig {
  std::string name;                   ///< identifier (default artillery_<k> / air_<k>)
  int side = 0;                       ///< index of the side it fires for
  int kind = 0;                       ///< 0 artillery, 1 air
  int policy = 0;                     ///< index into ScenarioConfig::targeting
  double x = 0, y = 0;                ///< battery position, metres (artillery)
  double range = 24700;               ///< metres (artillery; air: unlimited)
  double per_day = 300;               ///< rounds (artillery) or sorties (air) per day
  double rate_of_fire = 6;            ///< rounds per minute (artillery); air: one sortie a step
  std::int64_t bombs_per_sortie = 2;  ///< air
  double cep = 120;                   ///< metres (artillery: at maximum range)
  double lethal_radius = 20;          ///< metres: Carleton R
  double suppression_radius = 100;    ///< metres
  double destruction_radius = 5;      ///< metres
  double kill_fraction = 0.35;        ///< share of casualties killed
};

/// A scheduled reinforcement ([[reinforcement]] table): agents of a side that arrive at an
/// entry zone on a given day, with their own troop quality and unit structure.
struct ReinforcementConfig {
  std::string name;        ///< identifier (default reinforcement_<k>)
  double day = 0;          ///< arrival, days after the start
  int side = 0;            ///< index of the side it joins
  std::int64_t count = 0;  ///< soldiers
  Rect entry_zone;         ///< where they appear (and first assemble), metres
  SideConfig quality;      ///< the side's parameters with this table's overrides
};

/// A whole scenario file.
struct ScenarioConfig {
  std::string path;  ///< file it was read from
  std::string text;  ///< the file's full text (stored in the output's metadata)

  // [run]
  std::uint64_t seed = 0;
  double dt = 10.0;                   ///< seconds
  double duration = 3600.0;           ///< seconds
  std::int64_t snapshot_every = 360;  ///< steps
  std::int64_t record_every = 1;      ///< steps
  std::int64_t checkpoint_every = 0;  ///< steps between checkpoints; 0: with every snapshot
  bool snapshot_agents = false;

  // [region]
  double width = 0, height = 0;  ///< metres
  double cell_size = 25.0;       ///< metres
  std::uint64_t region_seed = 1;
  double forest_fraction = 0.2;
  std::int64_t settlements = 10;
  double settlement_radius = 250;  ///< metres (villages)
  std::int64_t towns = 0;          ///< towns, in addition to the villages
  double town_radius = 750;        ///< metres
  std::int64_t rivers = 1;
  double river_width = 30;  ///< metres
  bool roads = true;
  /// HDF5 region file (host/region_io.h) replacing the generator; relative to the scenario
  /// file's folder. Empty: generate.
  std::string region_file;

  // [terrain]: indexed by TerrainClass (open, forest, urban, water, road)
  std::array<TerrainConfig, 5> terrain{
      {{0.0, 0.1, 1.0}, {0.4, 0.6, 0.5}, {0.6, 0.5, 0.7}, {0.0, 0.0, 0.0}, {0.0, 0.0, 1.5}}};

  // [model]
  double control_radius = 75;  ///< metres
  double suppression_per_shot = 0.15;
  double suppression_tau = 60;  ///< seconds
  double suppression_cover = 0.6;
  double suppression_accuracy = 0.7;
  double morale_loss_per_shot = 0.02;
  double morale_loss_outnumbered = 0.001;  ///< per second
  double morale_recovery = 0.0005;         ///< per second
  double jitter = 2.0;                     ///< metres per step (std. dev.)
  double arrive_radius = 25;               ///< metres
  double los_max_depth = 50;               ///< metres of forest/urban that block sight
  double stationary_detect = 0.5;          ///< detection factor for a still target
  double near_miss_radius = 10;            ///< metres
  double suppression_near_miss = 0.05;
  double casualty_radius = 50;           ///< metres
  double morale_loss_casualty = 0.05;    ///< per friend hit nearby
  double morale_loss_isolated = 0.002;   ///< per second alone
  double morale_loss_unit = 0.002;       ///< per second, times excess company losses
  double unit_break_losses = 0.2;        ///< company loss fraction where erosion starts
  double morale_recovery_rest = 0.002;   ///< per second under a rest order
  double morale_gain_cohesion = 0.0005;  ///< per second in a cohesive squad
  double cohesion_penalty = 0.7;         ///< accuracy factor of a squad without cohesion
  double moving_fire_accuracy = 0.5;     ///< accuracy factor firing on the move
  double assault_speed = 0.5;            ///< speed factor assaulting under fire
  double replan_interval = 3600;         ///< seconds between commanders' plans
  double in_cover_hit = 0.5;             ///< hit factor against a target in cover
  double strike_suppression = 0.5;       ///< suppression per impact within its radius
  double strike_morale_shock = 0.1;      ///< morale lost per impact within that radius
  double strike_prone_factor = 0.5;      ///< casualty factor for a soldier lying in cover
  double destruction_cover_loss = 0.34;  ///< share of urban cover lost per destroying hit

  // [arena]: the validation arena (kernels/arena.cuh) instead of the full model.
  int arena_law = 0;                       ///< 0 none, 1 square (aimed), 2 linear (area)
  std::array<double, 2> arena_rate{0, 0};  ///< per-capita kill rate of each side, see law

  std::vector<SideConfig> sides;  ///< exactly two
  std::vector<ReinforcementConfig> reinforcements;
  std::vector<TargetingConfig> targeting;
  std::vector<AssetConfig> assets;  ///< artillery batteries, then air strike groups

  /// Number of whole steps in `duration`.
  std::int64_t steps() const { return static_cast<std::int64_t>(duration / dt + 0.5); }
};

/// Most raster cells of a region (generated or read from region.file): 5e8 one-byte terrain
/// cells, and as many settlement ids, are about 2.5 GB.
inline constexpr double kMaxCells = 5e8;

/// A scenario that failed validation. what() is one line:
/// "FILE:LINE:COLUMN: KEY: what was expected (got ...)".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One numeric key of a scenario set to a value before validation (a plan's factor, see
/// host/plan.h). The key is a dotted path: "run.dt", "model.control_radius"; an element of an
/// array of tables by its name ("side.defender.count") or index ("side[1].count"); an element
/// of a numeric array by index ("arena.kill_rate[0]").
struct Override {
  std::string key;
  double value = 0;
};

/// How a key of the scenario can be overridden.
enum class KeyKind {
  kInteger,  ///< the scenario has an integer there
  kFloat,    ///< the scenario has a float there
  kAbsent,   ///< the key is not in the file (its default applies): the value decides
};

/// Reads and strictly validates a scenario file. Throws ConfigError on any problem.
ScenarioConfig load_scenario(const std::string& path);

/// Reads a scenario file with `overrides` applied (in order) after its base chain is merged
/// and before validation. Throws ConfigError for a key that does not lead to a number (or a
/// place for one) and for a value the validation refuses, naming the override.
ScenarioConfig load_scenario(const std::string& path, const std::vector<Override>& overrides);

/// What the scenario at `path` has at `key` (see Override). Throws ConfigError if the key
/// cannot hold a number (a table, a string, a missing [[side]] name, a bad index).
KeyKind scenario_key_kind(const std::string& path, const std::string& key);

/// Validates scenario text as if read from `path` (for tests). Throws ConfigError.
ScenarioConfig parse_scenario(const std::string& text, const std::string& path,
                              const std::vector<Override>& overrides = {});

}  // namespace salient
