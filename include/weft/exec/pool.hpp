// SPDX-License-Identifier: Apache-2.0
// What every multicore executor does, whatever the chip: core 0 hands a job to
// the other cores, every core runs its part of each segment, and all cores
// meet at a barrier between segments. Only the platform differs: how a core
// atomically bumps a counter, how it waits, how it wakes the others. A
// platform is a class with static members:
//
//   using word = ...;                      // a shared counter (std::atomic<std::uint32_t>, a register, ...)
//   static std::uint32_t load(const word&);              // with acquire ordering
//   static void store(word&, std::uint32_t);             // with release ordering
//   static std::uint32_t fetch_add(word&, std::uint32_t); // atomic, acquire and release
//   static void wait_while(const word&, std::uint32_t);  // returns once the word no longer holds the value
//   static void wake_all(const word&);                    // after a store that others wait on
//
// The pool allocates nothing; its state is a few words.
#pragma once

#include "weft/exec/executor.hpp"

#include <cstdint>

namespace weft::exec {

template <int Cores, class Platform>
class static_pool {
  static_assert(Cores >= 1, "weft: an executor needs at least one core");

 public:
  static constexpr int cores = Cores;

  /// Core 0: runs j on every core; returns when all have finished it. The
  /// other cores must be running secondary(). Not reentrant.
  template <job J>
  void execute(const J& j) {
    // The other cores need the job without knowing its type: a pointer to it
    // and to the one function that runs it (a function_ref, set once per call).
    job_ = &j;
    run_ = [](const void* p, int core, int segment) { static_cast<const J*>(p)->run(core, segment); };
    leave_ = [](int core) { leave_job<J>(core); };
    segments_ = j.segments();
    Platform::fetch_add(start_, 1);
    Platform::wake_all(start_);
    run_core(0);
  }

  /// Core c (1 <= c < Cores): runs every job core 0 hands out, until stop().
  void secondary(int core) {
    std::uint32_t seen = 0;
    for (;;) {
      Platform::wait_while(start_, seen);
      seen = Platform::load(start_);
      if (Platform::load(stop_) != 0) return;
      run_core(core);
    }
  }

  /// Core 0: lets the secondaries return (hosted systems joining threads).
  void stop() {
    Platform::store(stop_, 1);
    Platform::fetch_add(start_, 1);
    Platform::wake_all(start_);
  }

 private:
  void run_core(int core) {
    // Copied before the first barrier: once the last barrier opens, core 0
    // may already be handing out the next job.
    const void* const j = job_;
    const auto run = run_;
    const auto leave = leave_;
    const int segments = segments_;
    for (int s = 0; s < segments; ++s) {
      run(j, core, s);
      arrive_and_wait();
    }
    leave(core);
  }

  void arrive_and_wait() {
    const std::uint32_t phase = Platform::load(phase_);
    if (Platform::fetch_add(arrived_, 1) == static_cast<std::uint32_t>(Cores - 1)) {
      Platform::store(arrived_, 0);
      Platform::store(phase_, phase + 1);
      Platform::wake_all(phase_);
      return;
    }
    Platform::wait_while(phase_, phase);
  }

  const void* job_ = nullptr;
  void (*run_)(const void*, int, int) = nullptr;
  void (*leave_)(int) = nullptr;
  int segments_ = 0;
  typename Platform::word start_{0};
  typename Platform::word stop_{0};
  typename Platform::word arrived_{0};
  typename Platform::word phase_{0};
};

}  // namespace weft::exec
