// Room left for a file: free space of its file system and the process's file-size limit.
// Writers check it before each flush, so that a full disk stops a run while the file on disk
// is still the consistent file of the last flush (HDF5 cannot promise that of a write that
// fails half-way).
#pragma once

#include <cstdint>
#include <string>

namespace salient {

/// Bytes that `path` (existing or not) may still grow by: the free space of its file system
/// for an unprivileged user, and the room under RLIMIT_FSIZE, whichever is smaller.
std::int64_t room_for(const std::string& path);

/// Throws OutputError naming `path` and `what` if fewer than `bytes` can still be written
/// to it (see room_for).
void ensure_room(const std::string& path, std::int64_t bytes, const std::string& what);

}  // namespace salient
