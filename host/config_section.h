// Internals of scenario loading (host/config.cpp, host/config_base.cpp): value ranges and
// messages, and Section, one TOML table being read with strict validation. Every error is
// reported as one line "FILE:LINE:COLUMN: KEY: MESSAGE" (see config.h).
#pragma once

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.h"

namespace salient::detail {

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();
inline constexpr std::array<const char*, 5> kTerrainNames{"open", "forest", "urban", "water",
                                                          "road"};

/// Allowed values of a float key: lo..hi, lo excluded when open_lo; hi = kInf for "no upper bound".
struct Range {
  double lo, hi;
  bool open_lo;
  const char* unit;
};
/// [lo, hi]
inline constexpr Range in(double lo, double hi, const char* unit = "") {
  return {lo, hi, false, unit};
}
/// (lo, hi]
inline constexpr Range above(double lo, double hi = kInf, const char* unit = "") {
  return {lo, hi, true, unit};
}
inline constexpr Range kFraction = in(0, 1);

/// Shortest text that reads back as `v`.
inline std::string fmt(double v) {
  if (v == std::trunc(v) && std::fabs(v) < 1e15)
    return std::to_string(static_cast<std::int64_t>(v));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

inline std::string describe(const Range& r) {
  std::string s = !std::isinf(r.hi)
                      ? (r.open_lo ? "in (" : "in [") + fmt(r.lo) + ", " + fmt(r.hi) + "]"
                      : (r.open_lo ? "> " : ">= ") + fmt(r.lo);
  return *r.unit ? s + " " + r.unit : s;
}

/// Longest key or string quoted whole in a message; longer ones are cut, ending in "...".
inline constexpr std::size_t kMaxQuoted = 100;

/// `s` cut to kMaxQuoted characters (then "..."), control characters as '?'.
inline std::string clip(std::string_view s) {
  std::string v;
  for (char c : s.substr(0, kMaxQuoted)) v += std::iscntrl(static_cast<unsigned char>(c)) ? '?' : c;
  return s.size() > kMaxQuoted ? v + "..." : v;
}

/// "a string (\"x\")", "a float (2.5)", ...: what a node holds, for "got ..." messages.
inline std::string got(const toml::node& n) {
  if (auto s = n.as_string()) return "a string (\"" + clip(s->get()) + "\")";
  if (auto i = n.as_integer()) return "an integer (" + std::to_string(i->get()) + ")";
  if (auto f = n.as_floating_point()) return "a float (" + fmt(f->get()) + ")";
  if (auto b = n.as_boolean()) return b->get() ? "a boolean (true)" : "a boolean (false)";
  if (n.is_table()) return "a table";
  if (n.is_array()) return "an array";
  return "a date/time";
}

inline std::size_t levenshtein(std::string_view a, std::string_view b) {
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

inline std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

/// "did you mean 'x'?" for the closest allowed key, or the list of allowed keys.
inline std::string suggest(std::string_view key, const std::vector<std::string>& allowed) {
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
                      std::to_string(r.begin.column) + ": " + clip(key) + ": " + msg);
  }

  /// The value of number node `n` as a double. toml++ gives no value<double>() for an integer
  /// that no double holds exactly (found by fuzz_scenario), so integers are converted here
  /// (the callers' range checks then reject them).
  static double as_double(const toml::node& n) {
    return n.is_integer() ? static_cast<double>(*n.value<std::int64_t>()) : *n.value<double>();
  }

  void number(std::string_view key, double& out, Range r, Need need = kOptional) {
    const toml::node* n = get(key, need);
    if (!n) return;
    if (!n->is_number()) fail(key, "expected a number " + describe(r) + ", got " + got(*n));
    const double v = as_double(*n);
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

  /// Optional string from a fixed list, stored as is.
  void choice_text(std::string_view key, std::string& out,
                   std::initializer_list<const char*> allowed) {
    int index = -1;
    choice(key, index, allowed);
    if (index >= 0) out = *(allowed.begin() + index);
  }

  /// Required array of exactly `n` finite numbers.
  std::vector<double> number_list(std::string_view key, std::size_t n) {
    std::vector<double> v;
    const toml::node* nd = get(key, kRequired);
    if (!nd) return v;
    const std::string want = "expected an array of " + std::to_string(n) + " numbers, got ";
    const toml::array* a = nd->as_array();
    if (!a || a->size() != n) fail(key, want + got(*nd));
    for (const toml::node& e : *a) {
      if (!e.is_number() || !std::isfinite(as_double(e)))
        throw_at(e.source(), full(key), want + got(e) + " as an element");
      v.push_back(as_double(e));
    }
    return v;
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
      v[i] = as_double(e);
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

/// Most dotted parts of one TOML key or table header (a scenario needs 3; toml++ recurses
/// once per part, so a file of 10^5 parts would overflow the stack).
inline constexpr std::size_t kMaxKeyParts = 64;

/// Largest scenario file read, in bytes (a scenario is a few KB).
inline constexpr std::uintmax_t kMaxScenarioBytes = 16u << 20;

/// Reads the regular file `path` of at most `max_bytes` into `text`; false (with `why`, e.g.
/// "no such file", "not a regular file", "too large (...)") otherwise. Never reads devices
/// or pipes, which could be endless.
bool read_text_file(const std::string& path, std::uintmax_t max_bytes, std::string& text,
                    std::string& why);

/// Throws ConfigError ("(syntax)") at the first key or table header of more than
/// kMaxKeyParts dotted parts, or the first non-ASCII byte outside strings and comments (a
/// leading UTF-8 BOM aside), found by a scan that skips strings, comments and values.
void check_key_depth(const std::string& text, const std::string& path);

/// Parses TOML text as read from `path`; a syntax error becomes a ConfigError.
toml::table parse_toml(const std::string& text, const std::string& path);

/// A scenario document with its `base` chain resolved (host/config_base.cpp). `files`
/// collects the chain, this file first.
toml::table resolve_bases(toml::table doc, const std::string& path,
                          std::vector<std::string>& files);

/// Sets each override's key in `doc` (host/config_override.cpp). Throws ConfigError for a
/// key that cannot hold a number.
void apply_overrides(toml::table& doc, const std::string& path,
                     const std::vector<Override>& overrides);

}  // namespace salient::detail
