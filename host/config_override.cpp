// Overrides of numeric scenario keys (host/config.h, Override): the factors of a plan
// (host/plan.h) are applied to the merged scenario document before it is validated, so a
// factor's value is checked exactly like the same value written in the file.
#include <cmath>

#include "config_section.h"

namespace salient {
namespace detail {
namespace {

/// One step of an override path: a key, optionally followed by an index ("side[1]").
struct PathStep {
  std::string key;
  long index = -1;  ///< -1: none
};

[[noreturn]] void bad_key(const std::string& path, const std::string& key, const std::string& why) {
  throw ConfigError(path + ": " + key + ": " + why);
}

std::vector<PathStep> split_key(const std::string& path, const std::string& key) {
  std::vector<PathStep> steps;
  std::size_t start = 0;
  while (start <= key.size()) {
    const std::size_t dot = key.find('.', start);
    std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
    PathStep step;
    const std::size_t bracket = part.find('[');
    if (bracket != std::string::npos) {
      const std::string digits = part.substr(bracket + 1, part.size() - bracket - 2);
      long v = -1;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (part.back() != ']' || digits.empty() || ec != std::errc() ||
          end != digits.data() + digits.size() || v < 0 || v > 1000000)
        bad_key(path, key, "expected KEY[INDEX] with a non-negative index, got \"" + part + "\"");
      step.index = v;
      part.resize(bracket);
    }
    if (part.empty()) bad_key(path, key, "expected a dotted key such as run.dt or side.NAME.count");
    step.key = part;
    steps.push_back(step);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return steps;
}

/// The `name` of a table in an array of tables ("" if none).
std::string element_name(const toml::node& n) {
  const toml::table* t = n.as_table();
  const toml::node* name = t ? t->get("name") : nullptr;
  return name && name->is_string() ? name->as_string()->get() : std::string();
}

/// Where an override lands: the table that holds the key (or the array holding the element)
/// and the final step. Missing plain tables are created when `create` is set.
struct Place {
  toml::table* table = nullptr;
  toml::array* array = nullptr;  ///< set when the final step indexes a numeric array
  std::string key;
  long index = -1;
};

Place locate(toml::table& doc, const std::string& path, const std::string& key, bool create) {
  const std::vector<PathStep> steps = split_key(path, key);
  toml::table* t = &doc;
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
    const PathStep& s = steps[i];
    toml::node* n = t->get(s.key);
    if (!n) {
      if (!create || s.index >= 0)
        bad_key(path, key, "the scenario has no table \"" + s.key + "\"");
      t->insert(s.key, toml::table{});
      t = t->get(s.key)->as_table();
      continue;
    }
    if (n->is_table() && s.index < 0) {
      t = n->as_table();
      continue;
    }
    if (!n->is_array_of_tables())
      bad_key(path, key, "\"" + s.key + "\" is not a table or an array of tables");
    toml::array& a = *n->as_array();
    toml::node* e = nullptr;
    if (s.index >= 0) {
      if (static_cast<std::size_t>(s.index) >= a.size())
        bad_key(path, key,
                "the scenario has " + std::to_string(a.size()) + " [[" + s.key + "]] tables");
      e = a.get(static_cast<std::size_t>(s.index));
    } else {
      // The next step names the element.
      ++i;
      if (i + 1 >= steps.size())
        bad_key(path, key, "expected " + s.key + ".NAME.KEY or " + s.key + "[INDEX].KEY");
      // An element without a `name` answers to its default name KEY_<index>, as in the
      // scenario's own messages (artillery_0, reinforcement_1).
      std::string names;
      for (std::size_t j = 0; j < a.size(); ++j) {
        std::string name = element_name(*a.get(j));
        if (name.empty()) name = s.key + "_" + std::to_string(j);
        names += (names.empty() ? "" : ", ") + name;
        if (name == steps[i].key) e = a.get(j);
      }
      if (!e || steps[i].index >= 0)
        bad_key(path, key,
                "no [[" + s.key + "]] table named \"" + steps[i].key + "\" (names: " + names + ")");
    }
    t = e->as_table();
  }
  Place p;
  p.table = t;
  p.key = steps.back().key;
  p.index = steps.back().index;
  if (p.index >= 0) {
    toml::node* n = t->get(p.key);
    if (!n || !n->is_array())
      bad_key(path, key, "the scenario has no array \"" + p.key + "\" to index");
    p.array = n->as_array();
    if (static_cast<std::size_t>(p.index) >= p.array->size())
      bad_key(path, key, "\"" + p.key + "\" has " + std::to_string(p.array->size()) + " elements");
  }
  return p;
}

/// The node an override would replace (nullptr: absent).
const toml::node* current(const Place& p) {
  return p.array ? p.array->get(static_cast<std::size_t>(p.index)) : p.table->get(p.key);
}

KeyKind kind_at(const Place& p, const std::string& path, const std::string& key) {
  const toml::node* n = current(p);
  if (!n) return KeyKind::kAbsent;
  if (n->is_integer()) return KeyKind::kInteger;
  if (n->is_floating_point()) return KeyKind::kFloat;
  bad_key(path, key, "expected a numeric key, the scenario has " + got(*n) + " there");
}

}  // namespace

/// Sets each override in `doc` (integers where the scenario has an integer or the value is
/// whole, floats otherwise).
void apply_overrides(toml::table& doc, const std::string& path,
                     const std::vector<Override>& overrides) {
  for (const Override& o : overrides) {
    if (!std::isfinite(o.value)) bad_key(path, o.key, "expected a finite value");
    const Place p = locate(doc, path, o.key, true);
    const KeyKind kind = kind_at(p, path, o.key);
    const bool whole = o.value == std::rint(o.value) && std::fabs(o.value) < 9.0e15;
    if (kind == KeyKind::kInteger && !whole)
      bad_key(path, o.key, "expected a whole number for this integer key, got " + fmt(o.value));
    const bool as_int = kind == KeyKind::kInteger || (kind == KeyKind::kAbsent && whole);
    if (p.array) {
      if (as_int)
        p.array->replace(p.array->begin() + p.index, static_cast<std::int64_t>(o.value));
      else
        p.array->replace(p.array->begin() + p.index, o.value);
    } else if (as_int) {
      p.table->insert_or_assign(p.key, static_cast<std::int64_t>(o.value));
    } else {
      p.table->insert_or_assign(p.key, o.value);
    }
  }
}

}  // namespace detail

KeyKind scenario_key_kind(const std::string& path, const std::string& key) {
  std::string text, why;
  if (!detail::read_text_file(path, detail::kMaxScenarioBytes, text, why))
    throw ConfigError(path + ": cannot read file: " + why);
  std::vector<std::string> files;
  toml::table doc = detail::resolve_bases(detail::parse_toml(text, path), path, files);
  const detail::Place p = detail::locate(doc, path, key, true);
  return detail::kind_at(p, path, key);
}

}  // namespace salient
