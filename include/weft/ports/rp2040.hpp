// SPDX-License-Identifier: Apache-2.0
// Port: Raspberry Pi RP2040, two Cortex-M0+ cores. Armv6-M has no atomic
// read-modify-write (GCC turns std::atomic_flag into plain loads and
// stores), so the shared counters are updated under one of the SIO's
// hardware spinlocks; core 1 is launched through the inter-core FIFO with
// the boot ROM's handshake; cores wait with WFE, woken by SEV.
//
//   weft::ports::rp2040::start_core1(&core1_vectors, core1_stack_top, &core1_entry);  // core 0
//   weft::ports::rp2040 exec;  net.invoke(exec);                                       // core 0
//   weft::ports::rp2040::core1_main();                                                  // in core1_entry
#pragma once

#include "weft/exec/executor.hpp"
#include "weft/exec/pool.hpp"
#include "weft/plan/profile.hpp"

#include <cstdint>

namespace weft::ports {

namespace detail {

inline volatile std::uint32_t& sio(std::uint32_t offset) {
  return *reinterpret_cast<volatile std::uint32_t*>(0xd0000000u + offset);
}

struct rp2040_platform {
  /// The SIO spinlock weft uses (of 32); the SDK hands out 0-15 and 24-31
  /// for its own purposes, 16-23 are free for applications.
  static constexpr std::uint32_t spinlock = 16;

  using word = std::uint32_t;
  static std::uint32_t load(const word& w) {
    const std::uint32_t v = *static_cast<const volatile word*>(&w);
    __asm volatile("dmb" ::: "memory");
    return v;
  }
  static void store(word& w, std::uint32_t v) {
    __asm volatile("dmb" ::: "memory");
    *static_cast<volatile word*>(&w) = v;
  }
  static std::uint32_t fetch_add(word& w, std::uint32_t v) {
    while (sio(0x100 + 4 * spinlock) == 0) {
    }  // reading the lock register claims it, or returns 0 if taken
    __asm volatile("dmb" ::: "memory");
    const std::uint32_t old = *static_cast<volatile word*>(&w);
    *static_cast<volatile word*>(&w) = old + v;
    __asm volatile("dmb" ::: "memory");
    sio(0x100 + 4 * spinlock) = 1;  // any write releases it
    return old;
  }
  static void wait_while(const word& w, std::uint32_t old) {
    while (load(w) == old) __asm volatile("wfe" ::: "memory");
  }
  static void wake_all(const word&) { __asm volatile("dsb\n\tsev" ::: "memory"); }
};

// Inter-core FIFO (SIO FIFO_ST bit 0: a word to read; bit 1: room to write).
inline void fifo_push(std::uint32_t v) {
  while ((sio(0x050) & 2u) == 0) {
  }
  sio(0x054) = v;
  __asm volatile("sev");
}
inline std::uint32_t fifo_pop() {
  while ((sio(0x050) & 1u) == 0) __asm volatile("wfe");
  return sio(0x058);
}
inline void fifo_drain() {
  while ((sio(0x050) & 1u) != 0) {
    [[maybe_unused]] const std::uint32_t discarded = sio(0x058);  // reading pops the FIFO
  }
}

}  // namespace detail

class rp2040 {
 public:
  static constexpr int cores = 2;
  static constexpr core_profile profile = core_profile::uniform(2);

  static int core_id() { return static_cast<int>(detail::sio(0x000)); }

  /// Core 0: launches core 1 at `entry` with its own stack and vector table,
  /// by the boot ROM's FIFO handshake (each word echoed back; restart on a
  /// mismatch).
  static void start_core1(const void* vector_table, const void* stack_top, void (*entry)()) {
    const std::uint32_t sequence[] = {0, 0, 1, static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(vector_table)),
                                      static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(stack_top)),
                                      static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(entry))};
    for (unsigned i = 0; i < 6;) {
      if (sequence[i] == 0) {
        detail::fifo_drain();
        __asm volatile("sev");
      }
      detail::fifo_push(sequence[i]);
      i = detail::fifo_pop() == sequence[i] ? i + 1 : 0;
    }
  }

  template <job J>
  void execute(const J& j) {
    pool_.execute(j);
  }

  [[noreturn]] static void core1_main() {
    pool_.secondary(1);
    for (;;) __asm volatile("wfe");
  }

 private:
  static constinit inline exec::static_pool<2, detail::rp2040_platform> pool_{};
};

static_assert(executor<rp2040>);

}  // namespace weft::ports
