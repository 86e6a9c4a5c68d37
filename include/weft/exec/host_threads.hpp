// SPDX-License-Identifier: Apache-2.0
// An executor for hosted systems: one core is the calling thread, the others
// are threads started once and kept for the executor's lifetime. execute()
// allocates nothing. The protocol (handing out the job, the barrier between
// segments) is exec::static_pool's; this file is the host's platform for it:
// how a thread waits for a word to change.
//
// A wait spins first, then sleeps (std::atomic::wait: a futex on Linux). A
// sleeping thread takes tens of microseconds to wake, far longer than most
// waits inside an inference last, so a wait spins as long as spinning is
// likely to pay: every word keeps a spin budget that adapts to how long the
// waits on it recently took (see next_spin_budget), never more than
// max_spin_ns. Between inferences the workers therefore sleep at most
// max_spin_ns after execute() returns, and burn no core while idle. A thread
// about to sleep registers on the word, so waking costs a system call only
// when somebody sleeps.
#pragma once

#include "weft/exec/executor.hpp"
#include "weft/exec/pool.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

namespace weft {

namespace detail {

/// Longest a wait spins before it sleeps (ns); also the longest a worker
/// spins after an inference before it sleeps.
inline constexpr std::uint32_t max_spin_ns = 200'000;
/// Shortest spin budget (ns): what a wait spins when recent waits showed
/// spinning does not pay.
inline constexpr std::uint32_t min_spin_ns = 2'000;

/// The spin budget after a wait that took `waited_ns` in all, when the budget
/// was `budget_ns`; `slept` tells whether it ended asleep. A wait that ended
/// while spinning leaves the budget as it is. One that slept although a
/// longer spin, up to max_spin_ns, would have seen it end raises the budget
/// to twice its length (the next such wait spins through); one that lasted
/// far longer than any spin (a descheduled partner, the gap between
/// inferences) halves it, down to min_spin_ns.
constexpr std::uint32_t next_spin_budget(std::uint32_t budget_ns, std::uint64_t waited_ns, bool slept) {
  if (!slept) return budget_ns;
  if (waited_ns < max_spin_ns) {
    const std::uint64_t want = 2 * waited_ns < max_spin_ns ? 2 * waited_ns : max_spin_ns;
    return budget_ns > want ? budget_ns : static_cast<std::uint32_t>(want);
  }
  if (waited_ns > 2 * std::uint64_t{max_spin_ns}) return budget_ns / 2 > min_spin_ns ? budget_ns / 2 : min_spin_ns;
  return budget_ns;
}

/// Tells the core a spin loop is waiting (lower power, no memory-order
/// mis-speculation when the word changes).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 7)
  asm volatile("yield" ::: "memory");
#endif
}

struct host_platform {
  /// A shared counter, the threads sleeping on it, and its spin budget.
  struct word {
    explicit constexpr word(std::uint32_t v) : value(v) {}
    std::atomic<std::uint32_t> value;
    mutable std::atomic<std::uint32_t> sleepers{0};
    mutable std::atomic<std::uint32_t> spin_ns{max_spin_ns};
  };

  static std::uint32_t load(const word& w) { return w.value.load(std::memory_order_acquire); }
  // Sequentially consistent, as is the waiters' registration: either a
  // waker sees the sleeper registered, or the sleeper sees the new value.
  static void store(word& w, std::uint32_t v) { w.value.store(v, std::memory_order_seq_cst); }
  static std::uint32_t fetch_add(word& w, std::uint32_t v) { return w.value.fetch_add(v, std::memory_order_seq_cst); }

  /// Returns once w no longer holds old: spins up to w's budget, then sleeps.
  static void wait_while(const word& w, std::uint32_t old) {
    if (w.value.load(std::memory_order_acquire) != old) return;
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    const auto budget = std::chrono::nanoseconds(w.spin_ns.load(std::memory_order_relaxed));
    bool slept = false;
    for (;;) {
      bool changed = false;
      for (int k = 0; k < 32 && !changed; ++k) {
        changed = w.value.load(std::memory_order_acquire) != old;
        if (!changed) cpu_relax();
      }
      if (changed) break;
      if (clock::now() - start < budget) continue;
      slept = true;
      w.sleepers.fetch_add(1, std::memory_order_seq_cst);
      while (w.value.load(std::memory_order_seq_cst) == old) w.value.wait(old, std::memory_order_acquire);
      w.sleepers.fetch_sub(1, std::memory_order_relaxed);
      break;
    }
    const auto waited = std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - start).count();
    const std::uint32_t was = static_cast<std::uint32_t>(budget.count());
    const std::uint32_t next = next_spin_budget(was, static_cast<std::uint64_t>(waited), slept);
    if (next != was) w.spin_ns.store(next, std::memory_order_relaxed);
  }
  /// After a store or fetch_add that others may wait on.
  static void wake_all(word& w) {
    if (w.sleepers.load(std::memory_order_seq_cst) != 0) w.value.notify_all();
  }
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
