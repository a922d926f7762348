// Scenario variants: a file that names a `base` scenario is merged over it (host/config.h,
// docs/MODEL.md "Variants"), and TOML parsing with errors as ConfigError.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "config_section.h"

namespace salient::detail {
namespace {

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

}  // namespace

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
  // Only a regular file: a device or a FIFO ("/dev/zero", "/dev/stdin") would never end.
  std::error_code ec;
  if (!fs::is_regular_file(base_path, ec))
    self.fail("base", "cannot read the base scenario \"" + base_path + "\" (not a file)");
  std::ifstream in(base_path, std::ios::binary);
  if (!in) self.fail("base", "cannot read the base scenario \"" + base_path + "\"");
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

}  // namespace salient::detail
