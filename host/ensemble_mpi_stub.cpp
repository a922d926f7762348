// `salient ensemble` in a build without MPI (host/cli.h).
#include <cstdio>

#include "cli.h"

namespace salient::cli {

int ensemble(const std::string&, const TaskOptions&) {
  std::fprintf(stderr,
               "salient ensemble: this salient was built without MPI (install Debian's "
               "libopenmpi-dev and rebuild); `salient run --plan PLAN --task all` runs a plan "
               "without it\n");
  return kExitUsage;
}

}  // namespace salient::cli
