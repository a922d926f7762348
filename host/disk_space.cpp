// Room left for a file (host/disk_space.h).
#include "disk_space.h"

#include <sys/resource.h>
#include <sys/statvfs.h>

#include <cstdlib>
#include <filesystem>
#include <limits>

#include "memory.h"
#include "output.h"

namespace salient {

std::int64_t room_for(const std::string& path) {
  namespace fs = std::filesystem;
  std::int64_t room = std::numeric_limits<std::int64_t>::max();
  std::string dir = fs::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  struct statvfs vfs {};
  if (statvfs(dir.c_str(), &vfs) == 0)
    room = static_cast<std::int64_t>(vfs.f_bavail) * static_cast<std::int64_t>(vfs.f_frsize);
  struct rlimit lim {};
  if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    std::error_code ec;
    const auto size = fs::exists(path, ec) ? fs::file_size(path, ec) : 0;
    const auto limit = static_cast<std::int64_t>(lim.rlim_cur);
    room = std::min(room, limit - static_cast<std::int64_t>(ec ? 0 : size));
  }
  return room;
}

void ensure_room(const std::string& path, std::int64_t bytes, const std::string& what) {
  // Tests only: let the write itself fail, to exercise that path (tests/reliability).
  if (std::getenv("SALIENT_TEST_NO_ROOM_CHECK") != nullptr) return;
  const std::int64_t room = room_for(path);
  if (room < bytes)
    throw OutputError(path + ": no space left for " + what + ": it needs about " +
                      format_bytes(bytes) + ", " + format_bytes(std::max<std::int64_t>(room, 0)) +
                      " can be written (file system full, or the file-size limit reached); "
                      "everything written before is readable");
}

}  // namespace salient
