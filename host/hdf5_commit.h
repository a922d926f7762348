// The commit-on-flush HDF5 file driver: an output killed at any moment keeps exactly what its
// last flush left (docs/OUTPUT.md, the opening section).
#pragma once

#include <hdf5.h>

namespace salient {

/// Sets the file access list `fapl` to the commit-on-flush driver (host/hdf5_commit.cpp). A
/// write that lands in the part of the file the last flush left on disk (the superblock,
/// object headers, B-tree nodes, heaps, a chunk rewritten in place) is held in memory; writes
/// past that part go straight to the file, where nothing on disk refers to them yet. When
/// HDF5 has written everything else of a flush (H5Fflush, or the close), the driver waits for
/// it to reach the disk (fdatasync), then the commit writer, a process of its own that shares
/// this one's memory, writes the held bytes that changed, superblock first, and waits for
/// them too. So a process killed at any moment leaves the file as its last flush left it, or
/// as the flush whose commit had begun; a flush after a failed write is refused, leaving the
/// file as the flush before; and a new file killed before its first flush has no superblock.
/// The file is a plain HDF5 file, which any program reads with HDF5's default driver.
/// Returns a negative value if the driver cannot be registered or set.
herr_t use_commit_driver(hid_t fapl);

namespace detail {

/// Exit code of a process stopped by set_exit_after_writes().
constexpr int kCommitTestExit = 86;

/// Test hook: the process ends with _exit(kCommitTestExit) when HDF5 has asked the driver
/// for `n` more writes (n = 0: at the next one), before the n-th is carried out; the held
/// writes of a commit are not counted (a kill among them is not covered). Negative: never.
void set_exit_after_writes(long n);

/// Test hook: the writes HDF5 has asked of the driver since the process started.
long commit_driver_writes();

/// Test hook: when true, every write goes straight to the file, as with HDF5's default
/// driver (sec2), so a test can show what the driver prevents.
void set_write_through(bool on);

/// Test hook: when true, the commit writer of the next commit kills this process (SIGKILL)
/// after its first write, then finishes the commit.
void set_kill_in_commit(bool on);

}  // namespace detail
}  // namespace salient
