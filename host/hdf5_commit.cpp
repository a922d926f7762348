// The commit-on-flush HDF5 file driver (host/hdf5_commit.h): POSIX I/O like HDF5's sec2
// driver, except that writes into the committed part of the file wait for the next flush.
//
// Why: HDF5 1.10 updates its on-disk structures in place and in no crash-safe order. With
// the metadata cache's evictions off and no reuse of freed space (host/output.cpp) nothing
// reaches the file between flushes but new data past its end; yet H5Fflush itself rewrites
// object headers, B-tree nodes, heaps and the superblock one after the other, so a process
// killed inside a flush left headers pointing past the end the file admits, or a heap that
// disagrees with its header (9 damaged files in 500 kills with a flush every step,
// docs/OUTPUT.md). Here those writes are held until HDF5 has written all else of the flush,
// then the commit writes those of them that change the file, from a process of its own.
#include "hdf5_commit.h"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#if defined(__clang__) || defined(__GNUC__)
#define SALIENT_NO_SANITIZE __attribute__((no_sanitize("address", "undefined")))
#else
#define SALIENT_NO_SANITIZE
#endif

namespace salient {
namespace {

std::atomic<long> g_exit_after{-1};
std::atomic<long> g_writes{0};
std::atomic<bool> g_write_through{false};

/// Bytes at the start of a file that are always held: the superblock (48 bytes in version 2,
/// which salient's files have; 96 in version 0) and some margin, so that a new file, which
/// has no committed part yet, gets its superblock only at its first commit.
constexpr haddr_t kSuperblockBytes = 512;
/// The largest address a POSIX file offset holds.
constexpr haddr_t kMaxAddr = (haddr_t(1) << (8 * sizeof(off_t) - 1)) - 1;
/// The largest single read or write (Linux transfers at most 0x7ffff000 bytes per call).
constexpr size_t kMaxIo = size_t(1) << 30;

/// What the driver keeps of one open file besides HDF5's part.
struct State {
  int fd = -1;
  dev_t device = 0;
  ino_t inode = 0;
  bool writable = false;
  bool ignore_disabled_locks = false;
  bool failed = false;    ///< a write failed since the last commit: the next is refused
  bool unsynced = false;  ///< written past the committed part since the last commit
  haddr_t eoa = 0;        ///< HDF5's end of allocated space
  haddr_t eof = 0;        ///< the end HDF5 is told of (sec2's: last write or truncation)
  haddr_t on_disk = 0;    ///< the file's size on disk
  haddr_t committed = 0;  ///< writes below this address are held until the next commit
  std::map<haddr_t, std::vector<unsigned char>> held;  ///< disjoint, non-adjacent extents
};

/// An open file: HDF5's public part first, so that HDF5 can hold it as an H5FD_t.
struct CommitFile {
  H5FD_t pub;
  State* state;
};

State& state_of(const H5FD_t* f) { return *reinterpret_cast<const CommitFile*>(f)->state; }

herr_t fail(const char* func, hid_t major, hid_t minor, const std::string& what) {
  H5Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, H5E_ERR_CLS, major, minor, "%s", what.c_str());
  return -1;
}

/// As HDF5's own drivers word a failed system call, which error_detail() reads back.
herr_t fail_errno(const char* func, hid_t minor, const std::string& what, int err) {
  return fail(
      func, H5E_IO, minor,
      what + ", errno = " + std::to_string(err) + ", error message = '" + std::strerror(err) + "'");
}

/// Writes `n` bytes at `at`, in as many calls as it takes; returns errno of a failure, 0 if
/// all were written. Only system calls, no sanitizer checks: the commit writer runs it too.
SALIENT_NO_SANITIZE int pwrite_all(int fd, haddr_t at, const unsigned char* p, size_t n) {
  while (n > 0) {
    const long w = syscall(SYS_pwrite64, fd, p, n < kMaxIo ? n : kMaxIo, at);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return w == 0 ? EIO : errno;
    p += w, n -= static_cast<size_t>(w), at += static_cast<haddr_t>(w);
  }
  return 0;
}

/// Reads up to `n` bytes at `at` (fewer past the file's end); returns the bytes read, or -1
/// with errno set.
ssize_t pread_up_to(int fd, haddr_t at, unsigned char* p, size_t n) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = pread(fd, p + got, std::min(n - got, kMaxIo), static_cast<off_t>(at + got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  return static_cast<ssize_t>(got);
}

/// Holds `n` bytes at `addr`, merging them with the held extents they overlap or touch.
void hold(State& s, haddr_t addr, const unsigned char* p, size_t n) {
  const haddr_t lo = addr, hi = addr + n;
  auto first = s.held.upper_bound(lo);
  if (first != s.held.begin()) {
    auto prev = std::prev(first);
    if (prev->first + prev->second.size() >= lo) first = prev;
  }
  if (first != s.held.end() && first->first <= lo && first->first + first->second.size() >= hi) {
    std::memcpy(first->second.data() + (lo - first->first), p, n);  // inside one extent
    return;
  }
  haddr_t new_lo = lo, new_hi = hi;
  auto last = first;
  for (; last != s.held.end() && last->first <= hi; ++last) {
    new_lo = std::min(new_lo, last->first);
    new_hi = std::max<haddr_t>(new_hi, last->first + last->second.size());
  }
  std::vector<unsigned char> merged(new_hi - new_lo);
  for (auto it = first; it != last; ++it)
    std::memcpy(merged.data() + (it->first - new_lo), it->second.data(), it->second.size());
  std::memcpy(merged.data() + (lo - new_lo), p, n);
  s.held.erase(first, last);
  s.held.emplace(new_lo, std::move(merged));
}

/// Copies the held bytes within [addr, addr + n) over `out`.
void overlay(const State& s, haddr_t addr, size_t n, unsigned char* out) {
  const haddr_t hi = addr + n;
  auto it = s.held.upper_bound(addr);
  if (it != s.held.begin()) --it;
  for (; it != s.held.end() && it->first < hi; ++it) {
    const haddr_t a = std::max(addr, it->first);
    const haddr_t b = std::min<haddr_t>(hi, it->first + it->second.size());
    if (a < b) std::memcpy(out + (a - addr), it->second.data() + (a - it->first), b - a);
  }
}

/// A run of held bytes that differ from the file's.
struct Run {
  haddr_t addr;
  const unsigned char* bytes;
  size_t n;
};

/// Bytes compared at a time when looking for the held bytes that differ from the file's.
constexpr size_t kCompareBlock = 64;
/// Two changed runs of one extent at most this far apart are written as one (the bytes
/// between are the file's own): fewer writes in the commit.
constexpr size_t kJoinGap = 512;

/// Appends to `runs` the blocks of the held extent (addr, bytes) that differ from the file,
/// adjacent blocks joined. Returns false (errno set) if the file cannot be read.
bool changed_runs(const State& s, haddr_t addr, const std::vector<unsigned char>& bytes,
                  std::vector<unsigned char>& scratch, std::vector<Run>& runs) {
  const size_t n = bytes.size(), first_run = runs.size();
  const size_t on_disk = addr < s.on_disk ? std::min<size_t>(n, s.on_disk - addr) : 0;
  scratch.resize(on_disk);
  const ssize_t read = pread_up_to(s.fd, addr, scratch.data(), on_disk);
  if (read < 0) return false;
  const size_t got = static_cast<size_t>(read);
  for (size_t at = 0; at < n; at += kCompareBlock) {
    const size_t len = std::min(kCompareBlock, n - at);
    const bool same =
        at + len <= got && std::memcmp(scratch.data() + at, bytes.data() + at, len) == 0;
    if (same) continue;
    Run* last = runs.size() > first_run ? &runs.back() : nullptr;  // this extent's last
    if (last && last->addr + last->n + kJoinGap >= addr + at)
      last->n = addr + at + len - last->addr;
    else
      runs.push_back({addr + at, bytes.data() + at, len});
  }
  return true;
}

/// The writes of one commit, for the process that carries them out.
struct CommitJob {
  int fd;
  const Run* runs;
  size_t count;
  bool kill_caller;  ///< test hook: the writer kills the process it commits for (SIGKILL)
  int error;         ///< errno of the write that failed; 0: all done
};

/// fdatasync, where the file system has it; returns errno of a failure, 0 otherwise.
SALIENT_NO_SANITIZE int sync_data(int fd) {
  while (syscall(SYS_fdatasync, fd) < 0) {
    if (errno == EINTR) continue;
    return errno == EINVAL || errno == EROFS ? 0 : errno;  // no syncing here: nothing to wait for
  }
  return 0;
}

/// Carries out a commit's writes and waits for them to reach the disk: only system calls, no
/// allocation, no sanitizer checks, as it runs in the commit writer (below) on a stack of its
/// own. (errno is the calling thread's, shared with the writer: that thread only waits.)
SALIENT_NO_SANITIZE int write_runs(CommitJob* job) {
  for (size_t i = 0; i < job->count; ++i) {
    const Run& r = job->runs[i];
    if (const int err = pwrite_all(job->fd, r.addr, r.bytes, r.n)) return err;
    if (i == 0 && job->kill_caller) syscall(SYS_kill, syscall(SYS_getppid), SIGKILL);
  }
  return sync_data(job->fd);
}

std::atomic<bool> g_kill_in_commit{false};

#if defined(__linux__)
/// Entry of the commit writer: a process of its own that shares this one's memory and runs
/// while this one waits (clone with CLONE_VM | CLONE_VFORK, as vfork), so that a kill of this
/// process during a commit does not stop the commit half-way. Its exit status is the error.
SALIENT_NO_SANITIZE int commit_writer(void* job) {
  auto* j = static_cast<CommitJob*>(job);
  j->error = write_runs(j);
  syscall(SYS_exit, j->error);
  return j->error;
}

constexpr size_t kWriterStack = 64 << 10;
std::mutex g_writer_mutex;
void* g_writer_stack = nullptr;
#endif

/// Carries out a commit's writes in the commit writer; in this process where no writer can
/// be started. Returns errno of a failed write, 0 if all were done.
int apply_runs(int fd, const std::vector<Run>& runs) {
  CommitJob job{fd, runs.data(), runs.size(), false, 0};
  if (runs.empty()) return 0;
#if defined(__linux__)
  std::lock_guard<std::mutex> lock(g_writer_mutex);
  if (g_writer_stack == nullptr) {
    void* stack = mmap(nullptr, kWriterStack, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack != MAP_FAILED) g_writer_stack = stack;
  }
  if (g_writer_stack != nullptr) {
    job.kill_caller = g_kill_in_commit.load();
    // Every signal blocked meanwhile, in this thread and so in the writer: a Ctrl-C to the
    // process group, say, waits for the commit and is this process's, not the writer's.
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    const pid_t pid = clone(commit_writer, static_cast<char*>(g_writer_stack) + kWriterStack,
                            CLONE_VM | CLONE_VFORK | SIGCHLD, &job);
    int status = 0;
    const bool waited = pid > 0 && [&] {
      pid_t r;
      while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
      }
      return r == pid;
    }();
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    if (pid > 0) {
      // The exit status carries the error where the writer's memory was a copy (valgrind
      // runs a vfork as a fork); with SIGCHLD ignored there is no status, only job.error.
      if (!waited) return job.error;
      if (WIFEXITED(status)) return WEXITSTATUS(status) != 0 ? WEXITSTATUS(status) : job.error;
      return EIO;  // the writer was killed: the commit may be half done
    }
  }
#endif
  return write_runs(&job);
}

/// Commits a flush: waits for the writes past the committed part to reach the disk, then
/// writes the held bytes that differ from the file's (the time series' rewritten chunks
/// differ only in their new rows), in address order, the superblock first, in the commit
/// writer, which also waits for them to reach the disk; then cuts the file to its end if HDF5
/// truncated it since. Refused, dropping everything held, if a write failed since the last
/// commit. Put off (everything stays held) while the file is shorter than HDF5's allocated
/// space, as when HDF5 flushes the superblock of a file it is creating before the rest
/// exists: committed, that would be a file HDF5 refuses to open ("truncated file"), or one
/// whose root group is not yet on disk. Every H5Fflush and close makes them equal first.
herr_t commit(State& s, bool closing) {
  if (s.failed) {
    s.held.clear();
    return fail("commit", H5E_IO, H5E_WRITEERROR,
                "an earlier write failed: this flush is not committed, and the file stays as "
                "the last flush left it");
  }
  if (s.eof < s.eoa && !closing) return 0;
  std::vector<Run> runs;
  std::vector<unsigned char> scratch;
  for (const auto& [addr, bytes] : s.held)
    if (!changed_runs(s, addr, bytes, scratch, runs)) {
      s.failed = true;
      return fail_errno("commit", H5E_READERROR, "file read failed at commit", errno);
    }
  // What the held bytes refer to reaches the disk before them, so that a power failure
  // after the commit's writes cannot leave them pointing at data still in memory.
  if (const int err = s.unsynced || !runs.empty() ? sync_data(s.fd) : 0) {
    s.failed = true;
    return fail_errno("commit", H5E_WRITEERROR, "file sync failed at commit", err);
  }
  s.unsynced = false;
  if (const int err = apply_runs(s.fd, runs)) {
    s.failed = true;
    return fail_errno("commit", H5E_WRITEERROR, "file write failed at commit", err);
  }
  s.held.clear();
  if (s.writable && s.on_disk > s.eof) {
    if (ftruncate(s.fd, static_cast<off_t>(s.eof)) < 0)
      return fail_errno("commit", H5E_SEEKERROR, "unable to truncate the file", errno);
    s.on_disk = s.eof;
  }
  s.committed = std::max(s.on_disk, s.eoa);
  return 0;
}

H5FD_t* cf_open(const char* name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
  if (name == nullptr || *name == '\0') {
    fail("open", H5E_ARGS, H5E_BADVALUE, "invalid file name");
    return nullptr;
  }
  if (maxaddr == 0 || maxaddr == HADDR_UNDEF || maxaddr > kMaxAddr) {
    fail("open", H5E_ARGS, H5E_BADRANGE, "bogus maxaddr");
    return nullptr;
  }
  int o_flags = (flags & H5F_ACC_RDWR) ? O_RDWR : O_RDONLY;
  if (flags & H5F_ACC_TRUNC) o_flags |= O_TRUNC;
  if (flags & H5F_ACC_CREAT) o_flags |= O_CREAT;
  if (flags & H5F_ACC_EXCL) o_flags |= O_EXCL;
  const int fd = ::open(name, o_flags | O_CLOEXEC, 0666);
  if (fd < 0) {
    fail_errno("open", H5E_CANTOPENFILE, std::string("unable to open file: name = '") + name + "'",
               errno);
    return nullptr;
  }
  struct stat sb {};
  if (fstat(fd, &sb) < 0) {
    fail_errno("open", H5E_BADFILE, "unable to fstat file", errno);
    ::close(fd);
    return nullptr;
  }
  auto* s = new State;
  s->fd = fd;
  s->device = sb.st_dev;
  s->inode = sb.st_ino;
  s->writable = (flags & H5F_ACC_RDWR) != 0;
  s->eof = s->on_disk = s->committed = static_cast<haddr_t>(sb.st_size);
  hbool_t use_locks = true, ignore_disabled = false;
  if (H5Pget_file_locking(fapl, &use_locks, &ignore_disabled) >= 0)
    s->ignore_disabled_locks = ignore_disabled;
  auto* file = new CommitFile{};
  file->state = s;
  return &file->pub;
}

herr_t cf_close(H5FD_t* f) {
  auto* file = reinterpret_cast<CommitFile*>(f);
  State& s = *file->state;
  herr_t status = s.writable ? commit(s, true) : 0;
  if (::close(s.fd) < 0 && status >= 0)
    status = fail_errno("close", H5E_CANTCLOSEFILE, "unable to close file", errno);
  delete file->state;
  delete file;
  return status;
}

int cf_cmp(const H5FD_t* a, const H5FD_t* b) {
  const State &x = state_of(a), &y = state_of(b);
  if (x.device != y.device) return x.device < y.device ? -1 : 1;
  if (x.inode != y.inode) return x.inode < y.inode ? -1 : 1;
  return 0;
}

herr_t cf_query(const H5FD_t*, unsigned long* flags) {
  // As sec2, but no H5FD_FEAT_POSIX_COMPAT_HANDLE: a write through the descriptor would pass
  // by the held extents.
  if (flags)
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
             H5FD_FEAT_AGGREGATE_SMALLDATA | H5FD_FEAT_DEFAULT_VFD_COMPATIBLE;
  return 0;
}

haddr_t cf_get_eoa(const H5FD_t* f, H5FD_mem_t) { return state_of(f).eoa; }

herr_t cf_set_eoa(H5FD_t* f, H5FD_mem_t, haddr_t addr) {
  if (addr > kMaxAddr) return fail("set_eoa", H5E_ARGS, H5E_OVERFLOW, "address overflow");
  state_of(f).eoa = addr;
  return 0;
}

haddr_t cf_get_eof(const H5FD_t* f, H5FD_mem_t) { return state_of(f).eof; }

herr_t cf_get_handle(H5FD_t* f, hid_t, void** handle) {
  if (handle == nullptr) return fail("get_handle", H5E_ARGS, H5E_BADVALUE, "no handle pointer");
  *handle = &state_of(f).fd;
  return 0;
}

herr_t cf_read(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buf) {
  State& s = state_of(f);
  if (addr == HADDR_UNDEF || addr > kMaxAddr || addr + size > s.eoa)
    return fail("read", H5E_ARGS, H5E_OVERFLOW, "addr overflow");
  auto* out = static_cast<unsigned char*>(buf);
  const ssize_t got = pread_up_to(s.fd, addr, out, size);
  if (got < 0) return fail_errno("read", H5E_READERROR, "file read failed", errno);
  std::memset(out + got, 0, size - static_cast<size_t>(got));  // past the end: zeros, as sec2
  overlay(s, addr, size, out);
  return 0;
}

herr_t cf_write(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t addr, size_t size, const void* buf) {
  g_writes.fetch_add(1);
  const long left = g_exit_after.load();
  if (left == 0) _exit(detail::kCommitTestExit);
  if (left > 0) g_exit_after.store(left - 1);

  State& s = state_of(f);
  if (addr == HADDR_UNDEF || addr > kMaxAddr || addr + size > s.eoa)
    return fail("write", H5E_ARGS, H5E_OVERFLOW, "addr overflow");
  const auto* p = static_cast<const unsigned char*>(buf);
  const haddr_t end = addr + size;
  const haddr_t limit = g_write_through.load() ? 0 : std::max(s.committed, kSuperblockBytes);
  if (addr < limit) {
    const haddr_t held_end = std::min(end, limit);
    hold(s, addr, p, held_end - addr);
    p += held_end - addr;
    addr = held_end;
  }
  if (addr < end) {
    if (const int err = pwrite_all(s.fd, addr, p, end - addr)) {
      s.failed = true;
      return fail_errno("write", H5E_WRITEERROR, "file write failed", err);
    }
    s.on_disk = std::max(s.on_disk, end);
    s.unsynced = true;
  }
  s.eof = std::max(s.eof, end);
  return 0;
}

herr_t cf_flush(H5FD_t* f, hid_t, hbool_t closing) { return commit(state_of(f), closing); }

/// Makes the file as long as HDF5's allocated space. Growing is done at once (it only adds
/// zeros past the end); shrinking waits for the commit, which writes the superblock that
/// records the shorter end first.
herr_t cf_truncate(H5FD_t* f, hid_t, hbool_t) {
  State& s = state_of(f);
  if (s.eoa > s.on_disk) {
    if (ftruncate(s.fd, static_cast<off_t>(s.eoa)) < 0)
      return fail_errno("truncate", H5E_SEEKERROR, "unable to extend the file", errno);
    s.on_disk = s.eoa;
  }
  s.eof = s.eoa;
  return 0;
}

herr_t cf_lock(H5FD_t* f, hbool_t rw) {
  State& s = state_of(f);
  if (flock(s.fd, (rw ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
    if (s.ignore_disabled_locks && errno == ENOSYS) return 0;
    return fail_errno("lock", H5E_BADFILE, "unable to lock file", errno);
  }
  return 0;
}

herr_t cf_unlock(H5FD_t* f) {
  State& s = state_of(f);
  if (flock(s.fd, LOCK_UN) < 0) {
    if (s.ignore_disabled_locks && errno == ENOSYS) return 0;
    return fail_errno("unlock", H5E_BADFILE, "unable to unlock file", errno);
  }
  return 0;
}

std::mutex g_register_mutex;
hid_t g_driver = H5I_INVALID_HID;

herr_t cf_terminate() {
  g_driver = H5I_INVALID_HID;
  return 0;
}

const H5FD_class_t kCommitDriver = {
    .name = "salient_commit",
    .maxaddr = kMaxAddr,
    .fc_degree = H5F_CLOSE_WEAK,
    .terminate = cf_terminate,
    .sb_size = nullptr,
    .sb_encode = nullptr,
    .sb_decode = nullptr,
    .fapl_size = 0,
    .fapl_get = nullptr,
    .fapl_copy = nullptr,
    .fapl_free = nullptr,
    .dxpl_size = 0,
    .dxpl_copy = nullptr,
    .dxpl_free = nullptr,
    .open = cf_open,
    .close = cf_close,
    .cmp = cf_cmp,
    .query = cf_query,
    .get_type_map = nullptr,
    .alloc = nullptr,
    .free = nullptr,
    .get_eoa = cf_get_eoa,
    .set_eoa = cf_set_eoa,
    .get_eof = cf_get_eof,
    .get_handle = cf_get_handle,
    .read = cf_read,
    .write = cf_write,
    .flush = cf_flush,
    .truncate = cf_truncate,
    .lock = cf_lock,
    .unlock = cf_unlock,
    .fl_map = H5FD_FLMAP_DICHOTOMY,
};

}  // namespace

herr_t use_commit_driver(hid_t fapl) {
  hid_t id;
  {
    std::lock_guard<std::mutex> lock(g_register_mutex);
    if (g_driver < 0 || H5Iget_type(g_driver) != H5I_VFL) g_driver = H5FDregister(&kCommitDriver);
    id = g_driver;
  }
  if (id < 0) return -1;
  return H5Pset_driver(fapl, id, nullptr);
}

namespace detail {

void set_exit_after_writes(long n) { g_exit_after.store(n < 0 ? -1 : n); }

long commit_driver_writes() { return g_writes.load(); }

void set_write_through(bool on) { g_write_through.store(on); }

void set_kill_in_commit(bool on) { g_kill_in_commit.store(on); }

}  // namespace detail
}  // namespace salient
