// Program version and the git commit it was built from (generated at build time).
#pragma once

namespace salient {
/// Semantic version of salient.
const char* version();
/// Short git commit hash of the source tree, "-dirty" if modified, or "unknown".
const char* git_commit();
}  // namespace salient
