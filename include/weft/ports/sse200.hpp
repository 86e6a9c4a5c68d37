// SPDX-License-Identifier: Apache-2.0
// Port: Arm SSE-200 subsystem with two Cortex-M33 cores (MPS2 AN521 and
// QEMU's mps2-an521; also mps3-an524, Musca). Core 0 releases core 1, then
// hands it jobs; cores share a counter with exclusive accesses (LDREX/STREX
// behind std::atomic) and wait with WFE, woken by SEV.
//
//   weft::ports::sse200::start_core1(&core1_vectors);   // core 0, once, after .data/.bss
//   weft::ports::sse200 exec;  net.invoke(exec);         // core 0
//   weft::ports::sse200::core1_main();                   // core 1's reset handler calls this
#pragma once

#include "weft/exec/executor.hpp"
#include "weft/exec/pool.hpp"
#include "weft/plan/profile.hpp"

#include <atomic>
#include <cstdint>

namespace weft::ports {

namespace detail {

struct armv8m_platform {
  using word = std::atomic<std::uint32_t>;
  static std::uint32_t load(const word& w) { return w.load(std::memory_order_acquire); }
  static void store(word& w, std::uint32_t v) { w.store(v, std::memory_order_release); }
  static std::uint32_t fetch_add(word& w, std::uint32_t v) { return w.fetch_add(v, std::memory_order_acq_rel); }
  static void wait_while(const word& w, std::uint32_t old) {
    while (w.load(std::memory_order_acquire) == old) __asm volatile("wfe" ::: "memory");
  }
  static void wake_all(const word&) { __asm volatile("dsb\n\tsev" ::: "memory"); }
};

}  // namespace detail

class sse200 {
 public:
  static constexpr int cores = 2;

  /// The chip as weft plans for it. In QEMU 7.2 CPU0 has neither FPU nor DSP
  /// extension and CPU1 has both, and the profile says so; CPU1 runs the DSP
  /// kernels. Its speed is measured: one inference on CPU0 alone (an521, 1
  /// core) against the DSP kernels (an386), `weft bench` instruction counts:
  /// kws 1.18x, vww 1.17x, ic 1.19x, ad 1.63x (per layer they range wider).
  /// Planned with 1.3 (CPU1 gets 1.3 / 2.3 of each split layer), both cores
  /// finish kws, ic and ad sooner than with 1.2, vww later (3.47M against
  /// 3.53M, 13.29M / 13.78M, 0.335M / 0.351M; vww 10.85M / 10.59M).
  static constexpr core_profile profile = [] {
    core_profile p = core_profile::with_speeds({1.0f, 1.3f});
    p.features[1] = isa::fpu | isa::dsp;
    return p;
  }();

  /// This core's number, 0 or 1 (the SSE-200's per-CPU CPU_IDENTITY register).
  static int core_id() { return static_cast<int>(*reinterpret_cast<volatile std::uint32_t*>(0x4001F000u)); }

  /// Core 0: powers up core 1, which starts at the vector table given (its
  /// initial stack pointer and reset handler; 128-byte aligned).
  static void start_core1(const void* vector_table) {
    *reinterpret_cast<volatile std::uint32_t*>(0x50021114u) =  // INITSVTOR1
        static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(vector_table));
    __asm volatile("dsb" ::: "memory");
    volatile std::uint32_t& cpuwait = *reinterpret_cast<volatile std::uint32_t*>(0x50021118u);
    cpuwait = cpuwait & ~2u;  // CPUWAIT bit 1: release CPU1
  }

  /// Core 0: runs j on both cores.
  template <job J>
  void execute(const J& j) {
    pool_.execute(j);
  }

  /// Core 1: serves jobs from core 0, forever.
  [[noreturn]] static void core1_main() {
    pool_.secondary(1);
    for (;;) __asm volatile("wfe");
  }

 private:
  static constinit inline exec::static_pool<2, detail::armv8m_platform> pool_{};
};

static_assert(executor<sse200>);

}  // namespace weft::ports
