// SPDX-License-Identifier: Apache-2.0
#include "target.hpp"

#include "cache.hpp"
#include "codegen.hpp"
#include "host_build.hpp"
#include "report.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace weft::tool {
namespace fs = std::filesystem;
namespace {

const std::array<board_target, 4> targets = {{
    {"an521", "qemu-system-arm", "mps2-an521", "arm-none-eabi.cmake", "arm-none-eabi-clang.cmake", "arm-none-eabi-", 2},
    {"an386", "qemu-system-arm", "mps2-an386", "arm-none-eabi.cmake", "arm-none-eabi-clang.cmake", "arm-none-eabi-", 1},
    {"an500", "qemu-system-arm", "mps2-an500", "arm-none-eabi.cmake", "arm-none-eabi-clang.cmake", "arm-none-eabi-", 1},
    {"riscv-virt", "qemu-system-riscv32", "virt", "riscv32-elf.cmake", "riscv32-elf-clang.cmake",
     "riscv64-unknown-elf-", 8},
}};

// The source tree (or installed share/weft) holding examples/boards and
// cmake/toolchains.
fs::path resource_root(const char* argv0) {
  const fs::path include = weft_include_dir(argv0);
  for (const fs::path& root : {include.parent_path(), include.parent_path() / "share" / "weft"})
    if (fs::exists(root / "examples" / "boards" / "CMakeLists.txt")) return root;
  throw std::runtime_error("cannot find examples/boards next to weft's headers (" + include.string() + ")");
}

fs::path plugin_path(const char* argv0) {
  if (const char* p = std::getenv("WEFT_QEMU_PLUGIN"); p && *p && fs::exists(p)) return p;
#ifdef WEFT_QEMU_PLUGIN_PATH
  if (fs::exists(WEFT_QEMU_PLUGIN_PATH)) return WEFT_QEMU_PLUGIN_PATH;
#endif
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  if (!ec && fs::exists(exe.parent_path().parent_path() / "lib" / "weft" / "libweft_qemu_probe.so"))
    return exe.parent_path().parent_path() / "lib" / "weft" / "libweft_qemu_probe.so";
  (void)argv0;
  throw std::runtime_error("cannot find the QEMU plugin libweft_qemu_probe.so: set WEFT_QEMU_PLUGIN");
}

std::vector<std::string> qemu_args(const board_target& t, int cores, const fs::path& elf,
                                   const std::vector<std::string>& argv) {
  std::string semihosting = "enable=on,target=native,chardev=console,arg=firmware";
  for (const auto& a : argv) {
    if (a.find_first_of(", ") != std::string::npos)
      throw input_error("'" + a + "': paths given to an emulated board cannot hold commas or spaces");
    semihosting += ",arg=" + a;
  }
  std::vector<std::string> args = {"-M",
                                   t.machine,
                                   "-display",
                                   "none",
                                   "-monitor",
                                   "none",
                                   "-serial",
                                   "none",
                                   "-chardev",
                                   "stdio,id=console",
                                   "-semihosting-config",
                                   semihosting};
  if (t.qemu == "qemu-system-riscv32") {
    args.insert(args.end(), {"-smp", std::to_string(cores), "-bios", "none"});
  }
  args.insert(args.end(), {"-kernel", elf.string()});
  return args;
}

// "name size" lines of an ELF's symbols (nm -S -C), or its sections (size -A).
std::string tool_output(const board_target& t, const std::string& tool, const std::vector<std::string>& args) {
  std::string out;
  const int status = run_program(t.binutils + tool, args, out);
  if (status != 0) throw std::runtime_error(t.binutils + tool + " failed");
  return out;
}

struct symbol {
  std::uint64_t address = 0, size = 0;
};

symbol find_symbol(const std::string& nm, const std::string& name) {
  std::istringstream in(nm);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string addr, size, type, sym;
    if (words >> addr >> size >> type >> sym && sym == name)
      return {std::stoull(addr, nullptr, 16), std::stoull(size, nullptr, 16)};
  }
  throw std::runtime_error("the firmware has no symbol " + name);
}

}  // namespace

const board_target& target_named(const std::string& name) {
  for (const auto& t : targets)
    if (t.name == name) return t;
  if (name == "rp2040")
    throw input_error("rp2040 has no emulator here; build examples/boards with its preset to check it compiles");
  throw input_error("unknown target '" + name + "': host, an521, an386, an500 or riscv-virt");
}

// The weft CMake package of an installed weft (<prefix>/lib/cmake/weft), for
// the board project's find_package(weft): an installed tool must not depend
// on its bin/ being in PATH for CMake to find it. Empty in a source tree.
fs::path installed_package_dir(const fs::path& include) {
  const fs::path prefix = include.parent_path();
  std::error_code ec;
  for (const fs::path& lib : {prefix / "lib", prefix / "lib64", prefix / "lib32"}) {
    if (fs::exists(lib / "cmake" / "weft" / "weftConfig.cmake", ec)) return lib / "cmake" / "weft";
    for (fs::directory_iterator it(lib, ec), end; !ec && it != end; it.increment(ec))  // lib/<multiarch>
      if (fs::exists(it->path() / "cmake" / "weft" / "weftConfig.cmake", ec)) return it->path() / "cmake" / "weft";
  }
  return {};
}

fs::path firmware_for(const imported_model& m, const std::string& source, const board_target& t, int cores,
                      const char* argv0, bool size, const std::string& compiler) {
  if (cores > t.max_cores)
    throw input_error(t.name + " has " + std::to_string(t.max_cores) + (t.max_cores == 1 ? " core" : " cores") +
                      ", not " + std::to_string(cores));
  const fs::path root = resource_root(argv0);
  const fs::path include = weft_include_dir(argv0);
  const fs::path toolchain = root / "cmake" / "toolchains" / (compiler == "clang" ? t.clang_toolchain : t.toolchain);
  if (!fs::exists(toolchain))
    throw input_error("--compiler " + compiler + " for " + t.name + " needs the toolchain file " + toolchain.string() +
                      ", which is missing");
  const std::string header = generate_header(m, "model", source);
  fnv1a hash;
  hash.add(header + t.name + std::to_string(cores) + (size ? "size" : "") +
           "compiler=" + (compiler.empty() ? "gcc" : compiler) + toolchain.filename().string());
  for (const fs::path& d : {root / "examples" / "boards", include / "weft", root / "cmake"}) hash.add_tree(d);
  const std::string key = hash.hex();
  const std::string name = "fw-" + key + "-" + t.name + "-" + std::to_string(cores) + "c" + (size ? "-size" : "") +
                           (compiler == "clang" ? "-clang" : "");
  // CMake records absolute paths in its build folder: the firmware is built
  // in the private folder and only firmware.elf is published (bench reads
  // nothing else: nm and size run on the ELF).
  return cached_product(name, "firmware.elf", [&](const fs::path& dir) {
    {
      std::ofstream out(dir / "model.hpp", std::ios::binary);
      out << header;
    }
    std::cerr << "weft: building " << source << " for " << t.name << ", " << cores << (cores == 1 ? " core" : " cores")
              << (size ? ", size configuration" : "") << (compiler == "clang" ? ", clang" : "") << " (once; cached in "
              << (cache_root() / name).string() << ")\n";
    std::string log;
    std::vector<std::string> configure = {"-S",
                                          (root / "examples" / "boards").string(),
                                          "-B",
                                          (dir / "build").string(),
                                          "-G",
                                          "Ninja",
                                          "--toolchain",
                                          toolchain.string(),
                                          "-DCMAKE_BUILD_TYPE=Release",
                                          "-DWEFT_BOARD=" + t.name,
                                          "-DWEFT_CORES=" + std::to_string(cores),
                                          "-DWEFT_MODEL_HEADER=" + (dir / "model.hpp").string(),
                                          std::string("-DWEFT_OPTIMIZE_SIZE=") + (size ? "ON" : "OFF")};
    if (const fs::path package = installed_package_dir(include); !package.empty())
      configure.push_back("-Dweft_DIR=" + package.string());
    if (run_program("cmake", configure, log) != 0 ||
        run_program("cmake", {"--build", (dir / "build").string()}, log) != 0) {
      std::cerr << log;
      throw std::runtime_error("the firmware build for " + t.name + " failed (log above)");
    }
    fs::rename(dir / "build" / "firmware.elf", dir / "firmware.elf");
    fs::remove_all(dir / "build");
  });
}

int run_on_target(const fs::path& elf, const board_target& t, int cores, const std::string& input,
                  const std::string& output) {
  const std::string in = fs::absolute(input).string(), out = fs::absolute(output).string();
  const std::string tmp = out + ".weft-tmp";
  const int status = run_program(t.qemu, qemu_args(t, cores, elf, {"run", in, tmp}));
  if (status == 0) {
    fs::rename(tmp, out);
  } else {
    std::error_code ec;
    fs::remove(tmp, ec);
  }
  return status;
}

target_bench bench_on_target(const imported_model& m, const fs::path& elf, const board_target& t, int cores,
                             const char* argv0) {
  const std::string nm = tool_output(t, "nm", {"-S", elf.string()});
  const symbol markers = find_symbol(nm, "weft_probe_markers"), mark = find_symbol(nm, "weft_probe_mark");
  const std::size_t slots = markers.size / 4 - 1;
  // Scratch files go to the temporary folder, not the cache entry: the entry
  // may be shared with other processes or read-only.
  const fs::path dir = fs::temp_directory_path();
  const fs::path counts = dir / ("counts." + std::to_string(::getpid())),
                 report = dir / ("report." + std::to_string(::getpid()));
  std::vector<std::string> args = qemu_args(t, cores, elf, {"bench", report.string()});
  char plugin[1024];
  std::snprintf(plugin, sizeof plugin, "%s,markers=0x%llx,slots=%zu,mark_lo=0x%llx,mark_hi=0x%llx,out=%s",
                plugin_path(argv0).c_str(), static_cast<unsigned long long>(markers.address), slots,
                static_cast<unsigned long long>(mark.address & ~1ull),
                static_cast<unsigned long long>((mark.address & ~1ull) + mark.size), counts.c_str());
  args.insert(args.end() - 2, {"-plugin", plugin});
  if (const int status = run_program(t.qemu, args); status != 0)
    throw std::runtime_error("the firmware exited with status " + std::to_string(status) + " on " + t.name);

  target_bench b;
  b.cores = cores;
  const tool_graph& g = *m.graph;
  const int ops = g.node_count;
  std::vector<std::vector<std::uint64_t>> per_slot(static_cast<std::size_t>(cores));
  std::istringstream lines(read_text(counts));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string tag, vcpu;
    words >> tag >> vcpu;
    const int v = std::stoi(vcpu);
    if (v >= cores) continue;
    for (std::uint64_t c; words >> c;) per_slot[static_cast<std::size_t>(v)].push_back(c);
  }
  std::error_code ec;
  fs::remove(counts, ec);
  for (const auto& s : per_slot)
    if (s.size() != slots + 1) throw std::runtime_error("the plugin's counts do not match the firmware's slots");
  const int waits = static_cast<int>(slots) - ops;
  b.op_instructions.assign(static_cast<std::size_t>(cores), std::vector<std::uint64_t>(static_cast<std::size_t>(ops)));
  b.work_instructions.assign(static_cast<std::size_t>(cores), 0);
  for (int c = 0; c < cores; ++c)
    for (int i = 0; i < ops; ++i) {
      b.op_instructions[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)] =
          per_slot[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)];
      b.work_instructions[static_cast<std::size_t>(c)] +=
          per_slot[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)];
    }
  for (int i = 0; i < ops; ++i) {
    std::uint64_t busiest = 0;
    for (int c = 0; c < cores; ++c)
      busiest = std::max(busiest, b.op_instructions[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)]);
    b.critical_path_work_instructions += busiest;
  }
  b.critical_path_instructions = b.critical_path_work_instructions;
  // A wait costs what the last core to arrive executes in it; the others
  // spin. Each wait is charged the least any core spent in any wait (the
  // path of a core that did not have to wait). Which core arrives last
  // varies, so this part may move by a few instructions per wait from run to
  // run; the work part does not. With one core there is no waiting at all.
  std::uint64_t uncontended = UINT64_MAX;
  for (int s = 0; s < waits && cores > 1; ++s) {
    std::uint64_t last = UINT64_MAX;
    for (int c = 0; c < cores; ++c)
      last = std::min(last, per_slot[static_cast<std::size_t>(c)][static_cast<std::size_t>(ops + s)]);
    b.wait_instructions.push_back(last);
    uncontended = std::min(uncontended, last);
  }
  if (!b.wait_instructions.empty()) b.critical_path_instructions += uncontended * b.wait_instructions.size();
  // A board's cores share no cache lines: its profile plans memory as one core's.
  const plan_summary sum = summarize(m, core_profile::uniform(cores));
  b.macs = sum.macs;
  b.arena_bytes = sum.arena_bytes;
  b.state_bytes = sum.state_bytes;

  // Flash: what the image puts in non-volatile memory; weights: the model's
  // constant arrays (namespace model_data); constants: the tables weft
  // derives from the model at compile time (folded biases, requantization
  // records, pad rows, add tables), counted apart from code.
  std::istringstream sections(tool_output(t, "size", {"-A", elf.string()}));
  std::size_t flash = 0;
  for (std::string line; std::getline(sections, line);) {
    std::istringstream words(line);
    std::string name;
    std::size_t size = 0;
    if (!(words >> name >> size)) continue;
    if (name == ".text" || name == ".rodata" || name == ".data" || name == ".init_array" || name == ".ARM.exidx")
      flash += size;
  }
  std::istringstream symbols(tool_output(t, "nm", {"-S", "-C", elf.string()}));
  for (std::string line; std::getline(symbols, line);) {
    const bool weights = line.find(" model_data::") != std::string::npos;
    const bool constants = line.find("weft::detail::node_constants<") != std::string::npos;
    if (!weights && !constants) continue;
    std::istringstream words(line);
    std::string addr, size;
    words >> addr >> size;
    (weights ? b.flash_weight_bytes : b.flash_constant_bytes) += std::stoull(size, nullptr, 16);
  }
  b.flash_code_bytes = flash - b.flash_weight_bytes - b.flash_constant_bytes;
  std::istringstream stacks(read_text(report));
  fs::remove(report, ec);
  std::string tag;
  stacks >> tag;
  for (std::size_t s; stacks >> s;) b.stack_bytes.push_back(s);
  return b;
}

std::string bench_json(const target_bench& b, const board_target& t, const std::string& source) {
  auto list = [](const auto& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
  };
  std::uint64_t total = 0;
  for (auto w : b.work_instructions) total += w;
  std::ostringstream os;
  os.precision(4);
  os << "{\"target\": " << json_string(t.name) << ", \"model\": " << json_string(source) << ", \"cores\": " << b.cores
     << ", \"macs\": " << b.macs << ", \"work_instructions\": " << list(b.work_instructions)
     << ", \"critical_path_instructions\": " << b.critical_path_instructions
     << ", \"critical_path_work_instructions\": " << b.critical_path_work_instructions << ", \"macs_per_instruction\": "
     << static_cast<double>(b.macs) / static_cast<double>(std::max<std::uint64_t>(total, 1))
     << ", \"wait_instructions\": " << list(b.wait_instructions) << ", \"arena_bytes\": " << b.arena_bytes
     << ", \"state_bytes\": " << b.state_bytes << ", \"flash_code_bytes\": " << b.flash_code_bytes
     << ", \"flash_constant_bytes\": " << b.flash_constant_bytes << ", \"flash_weight_bytes\": " << b.flash_weight_bytes
     << ", \"stack_bytes\": " << list(b.stack_bytes) << ", \"ops\": [";
  for (std::size_t i = 0; i < b.op_instructions.front().size(); ++i) {
    os << (i ? ", " : "") << "[";
    for (int c = 0; c < b.cores; ++c) os << (c ? ", " : "") << b.op_instructions[static_cast<std::size_t>(c)][i];
    os << "]";
  }
  os << "]}\n";
  return os.str();
}

std::string bench_text(const target_bench& b, const imported_model& m, const board_target& t,
                       const std::string& source) {
  const tool_graph& g = *m.graph;
  std::ostringstream os;
  char line[512];
  os << source << " on " << t.name << " (QEMU " << t.machine << "), " << b.cores << (b.cores == 1 ? " core" : " cores")
     << ": instructions executed in one inference\n\n";
  std::snprintf(line, sizeof line, "%4s  %-17s %10s", "op", "operator", "MACs");
  os << line;
  for (int c = 0; c < b.cores; ++c) {
    std::snprintf(line, sizeof line, " %11s", ("core " + std::to_string(c)).c_str());
    os << line;
  }
  os << "  MACs/instr\n";
  for (int i = 0; i < g.node_count; ++i) {
    std::uint64_t sum = 0;
    std::snprintf(line, sizeof line, "%4d  %-17s %10lld", i, name_of(g.at(i).kind),
                  static_cast<long long>(g.at(i).macs));
    os << line;
    for (int c = 0; c < b.cores; ++c) {
      const auto v = b.op_instructions[static_cast<std::size_t>(c)][static_cast<std::size_t>(i)];
      sum += v;
      std::snprintf(line, sizeof line, " %11llu", static_cast<unsigned long long>(v));
      os << line;
    }
    if (g.at(i).macs > 0 && sum > 0) {
      std::snprintf(line, sizeof line, "  %.3f", static_cast<double>(g.at(i).macs) / static_cast<double>(sum));
      os << line;
    }
    os << "\n";
  }
  std::uint64_t total = 0;
  for (auto w : b.work_instructions) total += w;
  os << "\nwork instructions per core: ";
  for (int c = 0; c < b.cores; ++c) os << (c ? ", " : "") << b.work_instructions[static_cast<std::size_t>(c)];
  const std::uint64_t wait_cost =
      b.wait_instructions.empty() ? 0 : *std::min_element(b.wait_instructions.begin(), b.wait_instructions.end());
  os << "\ncritical path:              " << b.critical_path_instructions
     << " instructions (busiest core per operator, plus " << b.wait_instructions.size() << " waits of " << wait_cost
     << ")\n";
  std::snprintf(
      line, sizeof line, "MACs per instruction:       %.3f (all cores' work); %.3f along the critical path\n",
      static_cast<double>(b.macs) / static_cast<double>(std::max<std::uint64_t>(total, 1)),
      static_cast<double>(b.macs) / static_cast<double>(std::max<std::uint64_t>(b.critical_path_instructions, 1)));
  os << line << "arena bytes:                " << b.arena_bytes << "\nstate bytes:                " << b.state_bytes
     << "\nflash bytes:                " << b.flash_code_bytes << " code, " << b.flash_constant_bytes
     << " per-operator constants, " << b.flash_weight_bytes << " weights\nstack bytes per core:       ";
  for (std::size_t c = 0; c < b.stack_bytes.size(); ++c) os << (c ? ", " : "") << b.stack_bytes[c];
  os << "\n";
  return os.str();
}

}  // namespace weft::tool
