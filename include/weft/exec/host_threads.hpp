// SPDX-License-Identifier: Apache-2.0
// An executor for hosted systems: one core is the calling thread, the others
// are threads started once and kept for the executor's lifetime. execute()
// allocates nothing; cores wait for each other at a barrier that spins
// briefly, then sleeps on the atomic (a futex on Linux).
#pragma once

#include "weft/exec/executor.hpp"

#include <atomic>
#include <cstdint>
#include <thread>

namespace weft {

namespace detail {

/// A reusable barrier for n threads: the last to arrive releases the others.
class spin_barrier {
 public:
  explicit spin_barrier(int n) : n_(n) {}

  void arrive_and_wait() {
    const std::uint32_t phase = phase_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) == n_ - 1) {
      arrived_.store(0, std::memory_order_relaxed);
      phase_.store(phase + 1, std::memory_order_release);
      phase_.notify_all();
      return;
    }
    wait_for_change(phase_, phase);
  }

  /// Waits until `a` no longer holds `old`: spin first (cheap when the other
  /// cores are about to arrive), then sleep.
  static void wait_for_change(const std::atomic<std::uint32_t>& a, std::uint32_t old) {
    for (int spin = 0; spin < 4000; ++spin) {
      if (a.load(std::memory_order_acquire) != old) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    while (a.load(std::memory_order_acquire) == old) a.wait(old, std::memory_order_acquire);
  }

 private:
  const int n_;
  std::atomic<int> arrived_{0};
  std::atomic<std::uint32_t> phase_{0};
};

}  // namespace detail

template <int Cores>
class host_threads {
  static_assert(Cores >= 1, "weft: an executor needs at least one core");

 public:
  static constexpr int cores = Cores;

  host_threads() {
    for (int c = 1; c < Cores; ++c) workers_[static_cast<std::size_t>(c - 1)] = std::thread([this, c] { work(c); });
  }
  ~host_threads() {
    stop_.store(true, std::memory_order_relaxed);
    start_.fetch_add(1, std::memory_order_release);
    start_.notify_all();
    for (auto& t : workers_) t.join();
  }
  host_threads(const host_threads&) = delete;
  host_threads& operator=(const host_threads&) = delete;

  /// Runs j on all cores; the calling thread is core 0. Not reentrant.
  template <job J>
  void execute(const J& j) {
    // The workers need the job without knowing its type: a pointer to it and
    // to the one function that runs it (a function_ref, set once per call).
    job_ = &j;
    run_ = [](const void* p, int core, int segment) { static_cast<const J*>(p)->run(core, segment); };
    segments_ = j.segments();
    start_.fetch_add(1, std::memory_order_release);
    start_.notify_all();
    run_core(0);
  }

 private:
  void run_core(int core) {
    // Copied before the first barrier: once the last barrier opens, the
    // caller may already be handing out the next job.
    const void* const j = job_;
    const auto run = run_;
    const int segments = segments_;
    for (int s = 0; s < segments; ++s) {
      run(j, core, s);
      barrier_.arrive_and_wait();
    }
  }

  void work(int core) {
    std::uint32_t seen = 0;
    for (;;) {
      detail::spin_barrier::wait_for_change(start_, seen);
      seen = start_.load(std::memory_order_acquire);
      if (stop_.load(std::memory_order_relaxed)) return;
      run_core(core);
    }
  }

  const void* job_ = nullptr;
  void (*run_)(const void*, int, int) = nullptr;
  int segments_ = 0;
  std::atomic<std::uint32_t> start_{0};
  std::atomic<bool> stop_{false};
  detail::spin_barrier barrier_{Cores};
  std::array<std::thread, Cores - 1> workers_{};
};

static_assert(executor<host_threads<2>>);

}  // namespace weft
