// Reading TOML text safely (host/config_section.h): a size-bounded reader of regular files,
// and a guard against keys so deeply dotted that toml++ would overflow the stack and against
// non-ASCII bytes outside strings and comments (undefined behaviour in toml++ 3.3).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "config_section.h"

namespace salient::detail {
namespace {

/// Index just past the string that starts at text[i] (a quote), counting its newlines.
std::size_t skip_string(const std::string& text, std::size_t i, std::size_t& line) {
  const char q = text[i];
  const bool triple = text.compare(i, 3, std::string(3, q)) == 0;
  i += triple ? 3 : 1;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\\' && q == '"') {
      i += 2;
      continue;
    }
    if (c == '\n') {
      if (!triple) return i;  // unterminated: toml++ reports it
      ++line;
    }
    if (c == q && (!triple || text.compare(i, 3, std::string(3, q)) == 0))
      return i + (triple ? 3 : 1);
    ++i;
  }
  return i;
}

}  // namespace

bool read_text_file(const std::string& path, std::uintmax_t max_bytes, std::string& text,
                    std::string& why) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    why = fs::exists(path, ec) ? "not a regular file" : "no such file";
    return false;
  }
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec || size > max_bytes) {
    why = ec ? "cannot read its size"
             : "too large (" + std::to_string(size) + " bytes, expected at most " +
                   std::to_string(max_bytes) + ")";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "cannot open";
    return false;
  }
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) {
    why = "cannot read";
    return false;
  }
  return true;
}

void check_key_depth(const std::string& text, const std::string& path) {
  std::size_t line = 1, dots = 0;
  bool in_key = true;      // at a key or table header (statement start, or in an inline table)
  std::vector<char> nest;  // open '[' and '{' of the value being read
  const std::size_t bom = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  for (std::size_t i = bom; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\'') {
      i = skip_string(text, i, line) - 1;
    } else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      // TOML allows non-ASCII only in strings and comments; toml++ 3.3 reaches an
      // "unreachable" branch on some such bytes elsewhere (undefined behaviour), so refuse
      // them before it parses.
      throw ConfigError(path + ":" + std::to_string(line) +
                        ":1: (syntax): expected ASCII outside strings and comments, got a "
                        "non-ASCII byte");
    } else if (c == '\n') {
      ++line;
      if (nest.empty()) in_key = true, dots = 0;
    } else if (in_key) {
      if (c == '.' && ++dots >= kMaxKeyParts) {
        throw ConfigError(path + ":" + std::to_string(line) +
                          ":1: (syntax): expected a key or table header of at most " +
                          std::to_string(kMaxKeyParts) + " dotted parts");
      }
      if (c == '=') in_key = false, dots = 0;
      if (c == ']') dots = 0;
      if (c == '}' && !nest.empty()) nest.pop_back(), in_key = false;
    } else if (c == '[' || c == '{') {
      nest.push_back(c);
      if (c == '{') in_key = true, dots = 0;
    } else if ((c == ']' || c == '}') && !nest.empty()) {
      nest.pop_back();
    } else if (c == ',' && !nest.empty() && nest.back() == '{') {
      in_key = true, dots = 0;
    }
  }
}

}  // namespace salient::detail
