// SPDX-License-Identifier: Apache-2.0
// Port: RISC-V harts with a CLINT (QEMU virt, SiFive-style SoCs), 1 to 8
// harts. Harts share counters with AMOs (std::atomic on RV32IMAC) and sleep
// in WFI while they wait; the hart that releases them sends a software
// interrupt (CLINT msip) to each. Waiting harts need mie.MSIE set and
// mstatus.MIE clear, so that WFI returns on the pending interrupt without
// trapping (enable_software_interrupt()).
//
//   weft::ports::riscv_harts<4> exec;  net.invoke(exec);   // hart 0
//   weft::ports::riscv_harts<4>::secondary_main(hart);     // harts 1..3, once released
#pragma once

#include "weft/exec/executor.hpp"
#include "weft/exec/pool.hpp"
#include "weft/plan/profile.hpp"

#include <atomic>
#include <cstdint>

namespace weft::ports {

/// The CLINT's machine software interrupt pending bit of hart h.
inline volatile std::uint32_t& clint_msip(int hart, std::uintptr_t clint_base = 0x02000000u) {
  return *reinterpret_cast<volatile std::uint32_t*>(clint_base + 4u * static_cast<std::uintptr_t>(hart));
}

inline int hart_id() {
  std::uint32_t id;
  __asm volatile("csrr %0, mhartid" : "=r"(id));
  return static_cast<int>(id);
}

/// Lets a software interrupt end WFI on this hart (mie.MSIE), without ever
/// taking it as a trap (mstatus.MIE stays clear).
inline void enable_software_interrupt() {
  __asm volatile("csrc mstatus, %0\n\tcsrs mie, %1" ::"r"(8u), "r"(8u));
}

namespace detail {

template <int Harts>
struct riscv_platform {
  using word = std::atomic<std::uint32_t>;
  static std::uint32_t load(const word& w) { return w.load(std::memory_order_acquire); }
  static void store(word& w, std::uint32_t v) { w.store(v, std::memory_order_release); }
  static std::uint32_t fetch_add(word& w, std::uint32_t v) { return w.fetch_add(v, std::memory_order_acq_rel); }
  static void wait_while(const word& w, std::uint32_t old) {
    const int me = hart_id();
    while (w.load(std::memory_order_acquire) == old) {
      __asm volatile("wfi" ::: "memory");
      clint_msip(me) = 0;  // consumed; the loop re-reads the word
    }
  }
  static void wake_all(const word&) {
    __asm volatile("fence rw, rw" ::: "memory");  // the store is visible before the interrupt
    const int me = hart_id();
    for (int h = 0; h < Harts; ++h)
      if (h != me) clint_msip(h) = 1;
  }
};

}  // namespace detail

template <int Harts>
class riscv_harts {
  static_assert(Harts >= 1 && Harts <= max_cores, "weft: 1 to 8 harts");

 public:
  static constexpr int cores = Harts;
  static constexpr core_profile profile = core_profile::uniform(Harts);

  /// Hart 0: runs j on all harts (hart 0 sleeps at barriers too, so it
  /// enables its software interrupt first).
  template <job J>
  void execute(const J& j) {
    enable_software_interrupt();
    pool_.execute(j);
  }

  /// Harts 1..Harts-1: serve jobs from hart 0, forever.
  [[noreturn]] static void secondary_main(int hart) {
    enable_software_interrupt();
    pool_.secondary(hart);
    for (;;) __asm volatile("wfi");
  }

 private:
  static constinit inline exec::static_pool<Harts, detail::riscv_platform<Harts>> pool_{};
};

static_assert(executor<riscv_harts<4>>);

}  // namespace weft::ports
