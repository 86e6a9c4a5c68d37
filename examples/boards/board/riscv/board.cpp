// SPDX-License-Identifier: Apache-2.0
// QEMU riscv virt: hart 0 sets up .bss and constructors and runs main; the
// other harts wait in WFI, touching nothing shared, until hart 0 releases
// them with a software interrupt, then serve the executor.
#include "board.hpp"

#include <cstdint>

extern "C" {
extern std::uint32_t __bss_start[], __bss_end[], __stack_top[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
// The program's main, by its symbol: C++ lets no code call main by name.
int program_main() __asm__("main");
}

namespace {
constexpr std::size_t stack_words = 0x4000 / 4;  // link.ld's STACK_SIZE
volatile std::uint32_t& test_device() { return *reinterpret_cast<volatile std::uint32_t*>(0x100000u); }
}  // namespace

extern "C" [[noreturn]] void hart_entry(int hart) {
  if (hart == 0) {
    for (std::uint32_t* d = __bss_start; d < __bss_end;) *d++ = 0;
    for (auto f = __init_array_start; f < __init_array_end; ++f) (*f)();
    board::exit(program_main());
  }
  if (hart < board::cores) {
    weft::ports::enable_software_interrupt();
    while (weft::ports::clint_msip(hart) == 0) __asm volatile("wfi");
    weft::ports::clint_msip(hart) = 0;
    if constexpr (board::cores > 1)
      weft::ports::riscv_harts<(board::cores > 1 ? board::cores : 2)>::secondary_main(hart);
  }
  for (;;) __asm volatile("wfi");
}

extern "C" [[noreturn]] void trap_report(std::uint32_t cause, std::uint32_t pc) {
  char line[] = "firmware: trap, mcause 0x........ mepc 0x........\n";
  auto hex = [](char* at, std::uint32_t v) {
    for (int i = 7; i >= 0; --i, v >>= 4) at[i] = "0123456789abcdef"[v & 15u];
  };
  hex(line + 25, cause);
  hex(line + 41, pc);
  board::semihost(0x04, line);
  board::exit(99);
}

namespace board {

long semihost(std::uint32_t op, const void* arg) {
  register std::uint32_t a0 __asm("a0") = op;
  register const void* a1 __asm("a1") = arg;
  // The semihosting trap: these three uncompressed instructions, in one page.
  __asm volatile(
      ".balign 16\n\t.option push\n\t.option norvc\n\t"
      "slli x0, x0, 0x1f\n\tebreak\n\tsrai x0, x0, 7\n\t"
      ".option pop"
      : "+r"(a0)
      : "r"(a1)
      : "memory");
  return static_cast<long>(a0);
}

[[noreturn]] void exit(int status) {
  test_device() = status == 0 ? 0x5555u : (static_cast<std::uint32_t>(status) << 16) | 0x3333u;
  for (;;) __asm volatile("wfi");
}

void start_secondaries() {
  for (int h = 1; h < cores; ++h) weft::ports::clint_msip(h) = 1;
}

std::span<std::uint32_t> stack_of(int core) {
  std::uint32_t* top = __stack_top - static_cast<std::size_t>(core) * stack_words;
  return {top - stack_words, top};
}

}  // namespace board
