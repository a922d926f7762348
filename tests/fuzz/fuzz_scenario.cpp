// libFuzzer target for the scenario loader (docs/TESTING.md): the input bytes are the text of a
// scenario file given to salient::parse_scenario. ConfigError is the documented rejection of a
// bad scenario; any other exception, a crash, a hang or a sanitizer report is a finding.
// A line "#= KEY VALUE" (a TOML comment) also passes the override KEY = VALUE, as a plan does.
//
// The scenario is read as if it were <temp dir>/fuzz.toml, where the temp dir holds a copy of
// configs/ (so that `base = "default.toml"` or `base = "kursk_salient.toml"` merge a real base
// scenario). The loader only ever reads files (a base scenario must be a regular file), so an
// input naming any other path, absolute or relative, cannot change the file system.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "host/config.h"

namespace {

namespace fs = std::filesystem;

fs::path g_dir;  ///< the temp dir with the copy of configs/

/// Removes the temp dir at exit.
void remove_dir() {
  std::error_code ec;
  if (!g_dir.empty()) fs::remove_all(g_dir, ec);
}

}  // namespace

/// Makes the temp dir with a copy of configs/ (libFuzzer calls this once, before any input).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string tmpl = (fs::temp_directory_path() / "salient-fuzz-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) std::abort();
  g_dir = tmpl;
  std::atexit(remove_dir);
  fs::copy(fs::path(SALIENT_SOURCE_DIR) / "configs", g_dir, fs::copy_options::recursive);
  return 0;
}

/// One input: parse it as a scenario; a ConfigError is a valid answer, anything else escapes.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<salient::Override> overrides;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("#= ", 0) != 0) continue;
    std::istringstream words(line.substr(3));
    salient::Override o;
    std::string value;
    words >> o.key >> value;
    o.value = std::strtod(value.c_str(), nullptr);
    overrides.push_back(o);
  }
  try {
    salient::parse_scenario(text, (g_dir / "fuzz.toml").string(), overrides);
  } catch (const salient::ConfigError&) {
  }
  return 0;
}
