// SPDX-License-Identifier: Apache-2.0
// An executor for hosted systems: one core is the calling thread, the others
// are threads started once and kept for the executor's lifetime. execute()
// allocates nothing; cores wait for each other at a barrier that spins
// briefly, then sleeps on the atomic (a futex on Linux).
#pragma once

#include "weft/exec/executor.hpp"
#include "weft/exec/pool.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <thread>

namespace weft {

namespace detail {

struct host_platform {
  using word = std::atomic<std::uint32_t>;
  static std::uint32_t load(const word& w) { return w.load(std::memory_order_acquire); }
  static void store(word& w, std::uint32_t v) { w.store(v, std::memory_order_release); }
  static std::uint32_t fetch_add(word& w, std::uint32_t v) { return w.fetch_add(v, std::memory_order_acq_rel); }
  /// Spin first (cheap when the others are about to arrive), then sleep.
  static void wait_while(const word& w, std::uint32_t old) {
    for (int spin = 0; spin < 4000; ++spin) {
      if (w.load(std::memory_order_acquire) != old) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    while (w.load(std::memory_order_acquire) == old) w.wait(old, std::memory_order_acquire);
  }
  static void wake_all(word& w) { w.notify_all(); }
};

}  // namespace detail

template <int Cores>
class host_threads {
 public:
  static constexpr int cores = Cores;

  host_threads() {
    for (int c = 1; c < Cores; ++c)
      workers_[static_cast<std::size_t>(c - 1)] = std::thread([this, c] { pool_.secondary(c); });
  }
  ~host_threads() {
    pool_.stop();
    for (auto& t : workers_) t.join();
  }
  host_threads(const host_threads&) = delete;
  host_threads& operator=(const host_threads&) = delete;

  /// Runs j on all cores; the calling thread is core 0. Not reentrant.
  template <job J>
  void execute(const J& j) {
    pool_.execute(j);
  }

 private:
  exec::static_pool<Cores, detail::host_platform> pool_;
  std::array<std::thread, Cores - 1> workers_{};
};

static_assert(executor<host_threads<2>>);

}  // namespace weft
