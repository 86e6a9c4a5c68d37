// SPDX-License-Identifier: Apache-2.0
// What the firmware example needs from a board: its executor and core
// profile, starting the other cores, semihosting (console, files, exit) and
// where each core's stack is. One of WEFT_BOARD_AN521, _MPS2 (AN386, AN500),
// _RISCV_VIRT or _RP2040 is defined, and WEFT_CORES.
#pragma once

#include <weft/weft.hpp>

#include <cstddef>
#include <cstdint>
#include <span>

#if defined(WEFT_BOARD_AN521)
#include <weft/ports/sse200.hpp>
#elif defined(WEFT_BOARD_RISCV_VIRT)
#include <weft/ports/riscv_harts.hpp>
#elif defined(WEFT_BOARD_RP2040)
#include <weft/ports/rp2040.hpp>
#endif

namespace board {

inline constexpr int cores = WEFT_CORES;

#if defined(WEFT_BOARD_AN521)
static_assert(cores == 1 || cores == 2, "the SSE-200 has two cores");
using executor = std::conditional_t<cores == 2, weft::ports::sse200, weft::sequential<1>>;
inline constexpr weft::core_profile profile = cores == 2 ? weft::ports::sse200::profile : weft::core_profile{};
#elif defined(WEFT_BOARD_RISCV_VIRT)
static_assert(cores >= 1 && cores <= 8, "QEMU virt: 1 to 8 harts");
using executor = std::conditional_t<cores == 1, weft::sequential<1>, weft::ports::riscv_harts<cores>>;
#elif defined(WEFT_BOARD_RP2040)
static_assert(cores == 1 || cores == 2, "the RP2040 has two cores");
using executor = std::conditional_t<cores == 2, weft::ports::rp2040, weft::sequential<1>>;
#else
static_assert(cores == 1, "this board has one core");
using executor = weft::sequential<1>;
// The Cortex-M4F (AN386) and Cortex-M7 (AN500) have an FPU and the DSP extension.
inline constexpr weft::core_profile profile = weft::core_profile{}.with_features(0, weft::isa::fpu | weft::isa::dsp);
#endif
#if defined(WEFT_BOARD_RISCV_VIRT) || defined(WEFT_BOARD_RP2040)
inline constexpr weft::core_profile profile = weft::core_profile::uniform(cores);
#endif

/// A semihosting call (ARM: BKPT 0xAB; RISC-V: the ebreak sequence).
long semihost(std::uint32_t op, const void* arg);

/// Ends the program; QEMU exits with `status`.
[[noreturn]] void exit(int status);

/// Core 0, after start-up: lets the other cores run their executor loops.
void start_secondaries();

/// Core c's stack, lowest address first.
std::span<std::uint32_t> stack_of(int core);

}  // namespace board
