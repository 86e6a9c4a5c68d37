// SPDX-License-Identifier: Apache-2.0
#include "cache.hpp"

#include "model.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <system_error>
#include <vector>

namespace weft::tool {
namespace fs = std::filesystem;

void fnv1a::feed(std::string_view bytes) {
  for (const char c : bytes) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
}

void fnv1a::add(const std::string& s) {
  feed(s);
  h = (h ^ 0xffu) * 1099511628211ull;  // separator
}

void fnv1a::add_tree(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    add(fs::relative(f, root).string());
    add(read_text(f));
  }
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

std::string fnv1a::hex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

fs::path cache_root() {
  if (const char* d = std::getenv("WEFT_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return fs::path(d) / "weft";
  if (const char* d = std::getenv("HOME"); d && *d) return fs::path(d) / ".cache" / "weft";
  return fs::temp_directory_path() / "weft-cache";
}

namespace {

constexpr const char* marker_name = "complete";
constexpr const char* temporary_tag = ".tmp-";

// "<size> <FNV-1a 64 of the bytes>" of a file, or "" when it cannot be read.
std::string fingerprint(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "";
  fnv1a hash;
  std::uint64_t size = 0;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    const auto n = static_cast<std::size_t>(in.gcount());
    hash.feed({buf, n});
    size += n;
  }
  if (in.bad()) return "";
  return std::to_string(size) + " " + hash.hex();
}

enum class state { missing, good, damaged };

// An entry is good when its marker (written last, before publishing) names
// the product's exact size and hash, and the product is not empty.
state check(const fs::path& entry, const std::string& product) {
  std::error_code ec;
  if (!fs::exists(entry, ec)) return state::missing;
  std::ifstream in(entry / marker_name);
  std::string recorded;
  std::getline(in, recorded);
  const std::string actual = fingerprint(entry / product);
  if (!in || actual.empty() || actual[0] == '0' || recorded != actual) return state::damaged;
  return state::good;
}

std::string unique_suffix() {
  std::random_device rd;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s%ld-%08x", temporary_tag, static_cast<long>(::getpid()), rd());
  return buf;
}

bool process_alive(long pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

// Temporary folders left by weft processes that died (killed, power cut):
// their owner is gone, or they are older than any build takes.
void clean_stale(const fs::path& root) {
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const auto at = name.rfind(temporary_tag);
    if (at == std::string::npos) continue;
    const long pid = std::strtol(name.c_str() + at + std::char_traits<char>::length(temporary_tag), nullptr, 10);
    std::error_code tec;
    const auto written = fs::last_write_time(it->path(), tec);
    const bool old = !tec && now - written > std::chrono::hours(1);
    if (pid == ::getpid() || (process_alive(pid) && !old)) continue;
    // Renamed first so that two cleaners never delete one folder together.
    const fs::path doomed = root / (".stale" + unique_suffix());
    std::error_code rec;
    fs::rename(it->path(), doomed, rec);
    if (!rec) fs::remove_all(doomed, rec);
  }
}

// Holds the cache's lock file: replacing a damaged entry happens under it, so
// that a process never removes an entry that another one has just rebuilt.
// (Also one lock per entry, taken while building it: processes that want
// the same entry wait for the first one instead of all building it. The
// kernel releases a lock when its process dies, so none is ever stale.)
struct cache_lock {
  int fd = -1;
  explicit cache_lock(const fs::path& root, const std::string& file = ".lock", const std::string& waiting = "") {
    fd = ::open((root / file).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
      throw input_error("cannot write in the cache folder '" + root.string() + "': " + std::strerror(errno) +
                        "; set WEFT_CACHE_DIR to a writable folder");
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return;
    if (!waiting.empty()) std::cerr << waiting;
    while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~cache_lock() { ::close(fd); }
  cache_lock(const cache_lock&) = delete;
  cache_lock& operator=(const cache_lock&) = delete;
};

// Moves a damaged entry out of the way (and deletes it), unless another
// process already did or has published a good one meanwhile.
void discard_damaged(const fs::path& root, const fs::path& entry, const std::string& product) {
  cache_lock lock(root);
  if (check(entry, product) != state::damaged) return;
  std::cerr << "weft: cache entry " << entry.string() << " is damaged; rebuilding\n";
  const fs::path doomed = root / (".damaged" + unique_suffix());
  std::error_code ec;
  fs::rename(entry, doomed, ec);
  if (ec) throw input_error("cannot replace the damaged cache entry '" + entry.string() + "': " + ec.message());
  fs::remove_all(doomed, ec);
}

std::string unwritable(const fs::path& root, const std::error_code& ec) {
  return "cannot write in the cache folder '" + root.string() + "' (" + ec.message() +
         "); set WEFT_CACHE_DIR to a writable folder";
}

}  // namespace

fs::path cached_product(const std::string& name, const std::string& product,
                        const std::function<void(const fs::path& folder)>& build) {
  const fs::path root = cache_root();
  const fs::path entry = root / name;
  switch (check(entry, product)) {
    case state::good:
      return entry / product;
    case state::damaged:
      discard_damaged(root, entry, product);
      if (check(entry, product) == state::good) return entry / product;  // another process rebuilt it
      break;
    case state::missing:
      break;
  }

  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw input_error(unwritable(root, ec));
  if (::access(root.c_str(), W_OK) != 0)
    throw input_error(unwritable(root, std::error_code(errno, std::generic_category())));
  clean_stale(root);
  const cache_lock building(root, name + ".lock",
                            "weft: waiting for another weft process building " + entry.string() + "\n");
  if (check(entry, product) == state::good) return entry / product;
  const fs::path folder = root / (name + unique_suffix());
  fs::create_directory(folder, ec);
  if (ec) throw input_error(unwritable(root, ec));
  struct remover {
    fs::path p;
    ~remover() {
      std::error_code e;
      if (!p.empty()) fs::remove_all(p, e);
    }
  } guard{folder};

  build(folder);
  const std::string print = fingerprint(folder / product);
  if (print.empty() || print[0] == '0')
    throw std::runtime_error("the build left no " + product + " in " + folder.string());
  {
    std::ofstream marker(folder / marker_name);
    marker << print << "\n";
    marker.close();
    if (!marker) throw input_error(unwritable(root, std::make_error_code(std::errc::io_error)));
  }
  // Publish. If another process published first, use its entry (they are
  // the same build) and drop ours; if what is there is damaged, replace it.
  for (int attempt = 0; attempt < 3; ++attempt) {
    fs::rename(folder, entry, ec);
    if (!ec) {
      guard.p.clear();
      return entry / product;
    }
    if (check(entry, product) == state::good) return entry / product;
    if (check(entry, product) == state::damaged) discard_damaged(root, entry, product);
  }
  throw input_error("cannot publish the cache entry '" + entry.string() + "': " + ec.message());
}

}  // namespace weft::tool
