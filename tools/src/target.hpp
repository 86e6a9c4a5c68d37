// SPDX-License-Identifier: Apache-2.0
// Emulated boards: `weft run --target` and `weft bench --target` build the
// firmware example (examples/boards) for a model, board and core count,
// cache it, and run it in QEMU; bench counts instructions per core and per
// operator with the project's QEMU plugin (bench/qemu_plugin).
#pragma once

#include "model.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace weft::tool {

struct board_target {
  std::string name;             // an521, an386, an500, riscv-virt
  std::string qemu;             // qemu-system-arm, qemu-system-riscv32
  std::string machine;          // -M
  std::string toolchain;        // cmake/toolchains/<file>, GCC
  std::string clang_toolchain;  // the same with Clang (--compiler clang)
  std::string binutils;         // prefix of nm and size
  int max_cores;
};

/// The emulated board called `name`; throws input_error for an unknown one.
const board_target& target_named(const std::string& name);

/// Builds (or finds in the cache) the firmware for m on `cores` cores of t,
/// in weft's speed configuration or (size) its size configuration, with
/// `compiler` ("gcc", the default, or "clang").
std::filesystem::path firmware_for(const imported_model& m, const std::string& source, const board_target& t, int cores,
                                   const char* argv0, bool size = false, const std::string& compiler = "");

/// Runs the firmware on one input; returns the firmware's exit status.
int run_on_target(const std::filesystem::path& elf, const board_target& t, int cores, const std::string& input,
                  const std::string& output);

struct target_bench {
  int cores = 1;
  std::int64_t macs = 0;
  std::vector<std::vector<std::uint64_t>> op_instructions;  // [core][operator]
  std::vector<std::uint64_t> work_instructions;             // per core, operators only
  std::vector<std::uint64_t> wait_instructions;             // per wait: what the last core to arrive spent
  std::uint64_t critical_path_work_instructions = 0;        // busiest core per operator: exact, run after run
  std::uint64_t critical_path_instructions = 0;             // plus the waits (a few instructions each may vary)
  std::size_t arena_bytes = 0;
  std::size_t state_bytes = 0;
  std::size_t flash_code_bytes = 0;      // flash less the two below: instructions, harness, libc
  std::size_t flash_constant_bytes = 0;  // per-operator tables derived from the model (weft::detail::node_constants)
  std::size_t flash_weight_bytes = 0;    // the model's weight arrays (namespace model_data)
  std::vector<std::size_t> stack_bytes;  // per core
};

/// One probed inference in QEMU, counted by the plugin.
target_bench bench_on_target(const imported_model& m, const std::filesystem::path& elf, const board_target& t,
                             int cores, const char* argv0);

std::string bench_json(const target_bench& b, const board_target& t, const std::string& source);
std::string bench_text(const target_bench& b, const imported_model& m, const board_target& t,
                       const std::string& source);

}  // namespace weft::tool
