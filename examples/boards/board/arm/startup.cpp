// SPDX-License-Identifier: Apache-2.0
// Start-up for the Arm Cortex-M boards (no CMSIS, no crt0): vector tables for
// core 0 (and core 1 on dual-core chips), .data and .bss set-up, constructors,
// main, then a semihosting exit. Core 1's reset handler touches nothing of
// .data or .bss before core 0 releases it.
#include "board.hpp"

#include <cstdint>

extern "C" {
extern std::uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern std::uint32_t __stack_bottom0[], __stack_top0[], __stack_bottom1[], __stack_top1[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
// The program's main, by its symbol: C++ lets no code call main by name.
int program_main() __asm__("main");
[[noreturn]] void Reset_Handler();
[[noreturn]] void Core1_Reset();
[[noreturn]] void Fault_Handler();
}

namespace {

struct vector_table {
  const void* stack_top;
  void (*handler[15])();
};

constexpr vector_table make_table(const void* sp, void (*reset)()) {
  vector_table t{sp, {}};
  t.handler[0] = reset;
  for (int i = 1; i < 15; ++i) t.handler[i] = Fault_Handler;  // NMI, HardFault, ... SysTick
  return t;
}

}  // namespace

[[gnu::section(".vectors.core0"), gnu::used]] const vector_table core0_vectors =
    make_table(__stack_top0, Reset_Handler);
[[gnu::section(".vectors.core1"), gnu::used]] const vector_table core1_vectors = make_table(__stack_top1, Core1_Reset);

namespace {
void enable_fpu() {
#if defined(__ARM_FP)
  auto* const cpacr = reinterpret_cast<volatile std::uint32_t*>(0xE000ED88u);
  *cpacr = *cpacr | 0xFu << 20;  // CP10, CP11 full access
  __asm volatile("dsb\n\tisb" ::: "memory");
#endif
}
}  // namespace

extern "C" [[noreturn]] void Reset_Handler() {
  enable_fpu();
  for (std::uint32_t *s = __data_load, *d = __data_start; d < __data_end;) *d++ = *s++;
  for (std::uint32_t* d = __bss_start; d < __bss_end;) *d++ = 0;
  for (auto f = __init_array_start; f < __init_array_end; ++f) (*f)();
  board::exit(program_main());
}

extern "C" [[noreturn]] void Core1_Reset() {
  enable_fpu();
#if defined(WEFT_BOARD_AN521)
  if constexpr (board::cores == 2) weft::ports::sse200::core1_main();
#endif
  for (;;) __asm volatile("wfe");
}

extern "C" [[noreturn]] void Fault_Handler() {
  board::semihost(0x04, "firmware: fault (HardFault or unexpected exception)\n");
  board::exit(99);
}

namespace board {

long semihost(std::uint32_t op, const void* arg) {
  register std::uint32_t r0 __asm("r0") = op;
  register const void* r1 __asm("r1") = arg;
  __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return static_cast<long>(r0);
}

[[noreturn]] void exit(int status) {
  const std::uint32_t block[2] = {0x20026u, static_cast<std::uint32_t>(status)};  // ADP_Stopped_ApplicationExit
  semihost(0x20, block);                                                          // SYS_EXIT_EXTENDED
  for (;;) __asm volatile("wfe");
}

void start_secondaries() {
#if defined(WEFT_BOARD_AN521)
  if constexpr (cores == 2) weft::ports::sse200::start_core1(&core1_vectors);
#elif defined(WEFT_BOARD_RP2040)
  if constexpr (cores == 2)
    weft::ports::rp2040::start_core1(&core1_vectors, __stack_top1, [] { weft::ports::rp2040::core1_main(); });
#endif
}

std::span<std::uint32_t> stack_of(int core) {
  return core == 0 ? std::span<std::uint32_t>(__stack_bottom0, __stack_top0)
                   : std::span<std::uint32_t>(__stack_bottom1, __stack_top1);
}

}  // namespace board
