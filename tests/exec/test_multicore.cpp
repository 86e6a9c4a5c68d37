// SPDX-License-Identifier: Apache-2.0
// Compiled models on several cores: host threads, the sequential executor in
// any core order and a shuffled executor all give the 1-core bits, across
// many inferences on one executor; observers see every operator in order.
// Host threads' waits: correct whether they end spinning or asleep, and the
// workers sleep between inferences.
#include "support/models.hpp"
#include "support/random.hpp"
#include "support/random_graph.hpp"
#include "support/shuffled_executor.hpp"

#include <weft/exec/host_threads.hpp>
#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <thread>
#include <vector>

using namespace weft;

namespace {

using residual = test::residual_model;

std::vector<std::int8_t> one_core_output(const std::vector<std::int8_t>& x) {
  static instance<residual> net;
  std::copy(x.begin(), x.end(), net.input().begin());
  net.invoke();
  return {net.output().begin(), net.output().end()};
}

template <core_profile P, class E>
void require_same_as_one_core(E& exec, int inferences, std::uint64_t seed) {
  static instance<residual, P> net;
  test::rng r(seed);
  for (int k = 0; k < inferences; ++k) {
    const auto x = r.int8s(net.input().size());
    std::copy(x.begin(), x.end(), net.input().begin());
    net.invoke(exec);
    const auto want = one_core_output(x);
    REQUIRE(std::equal(net.output().begin(), net.output().end(), want.begin(), want.end()));
  }
}

}  // namespace

TEST_CASE("host threads give the 1-core bits on 2, 3, 4 and 8 cores", "[exec][multicore][threads]") {
  host_threads<2> two;
  require_same_as_one_core<core_profile::uniform(2)>(two, 200, 1);
  host_threads<3> three;
  require_same_as_one_core<core_profile::uniform(3)>(three, 100, 2);
  host_threads<4> four;
  require_same_as_one_core<core_profile::uniform(4)>(four, 100, 3);
  host_threads<8> eight;
  require_same_as_one_core<core_profile::uniform(8)>(eight, 50, 4);
  host_threads<2> unequal;
  require_same_as_one_core<core_profile::with_speeds({1.0f, 1.6f})>(unequal, 100, 5);
  host_threads<2> lines;  // the host runner's profile: no cut of a row below a cache line
  require_same_as_one_core<core_profile::uniform(2).with_shared_lines(host_line_bytes)>(lines, 100, 9);
}

TEST_CASE("host threads give the 1-core bits when the workers sleep between inferences", "[exec][multicore][threads]") {
  // Gaps longer than any spin: every inference wakes sleeping workers.
  host_threads<2> two;
  static instance<residual, core_profile::uniform(2)> net;
  test::rng r(10);
  for (int k = 0; k < 12; ++k) {
    const auto x = r.int8s(net.input().size());
    std::copy(x.begin(), x.end(), net.input().begin());
    net.invoke(two);
    const auto want = one_core_output(x);
    REQUIRE(std::equal(net.output().begin(), net.output().end(), want.begin(), want.end()));
    std::this_thread::sleep_for(std::chrono::microseconds(300 + 150 * k));
  }
}

namespace {

// A job checking the barrier itself: in segment s every core writes its
// number for s, then reads every core's number for s - 1 (double-buffered,
// so no core writes what another reads in the same segment). Some cores
// dawdle in some segments, from a few microseconds (the others' waits end
// spinning) to more than any spin (they end asleep). Plain, non-atomic
// memory: under ThreadSanitizer a missing happens-before is a reported race.
template <int Cores>
struct barrier_check_job {
  static constexpr int segment_count = 60;
  std::array<std::array<int, Cores>, 2>* cells;
  std::array<int, Cores>* errors;
  int round;
  static constexpr int segments() { return segment_count; }
  void run(int core, int s) const {
    const int late = (s * 7 + core * 3 + round) % 11;
    if (core == s % Cores && late >= 6)
      std::this_thread::sleep_for(std::chrono::microseconds(late >= 9 ? 600 : 5 * late));
    auto& mine = (*cells)[static_cast<std::size_t>(s % 2)];
    mine[static_cast<std::size_t>(core)] = round * segment_count + s;
    if (s == 0) return;
    const auto& before = (*cells)[static_cast<std::size_t>((s + 1) % 2)];
    for (int c = 0; c < Cores; ++c)
      if (before[static_cast<std::size_t>(c)] != round * segment_count + s - 1)
        ++(*errors)[static_cast<std::size_t>(core)];
  }
};

template <int Cores>
void require_barrier_holds(int rounds) {
  host_threads<Cores> exec;
  std::array<std::array<int, Cores>, 2> cells{};
  std::array<int, Cores> errors{};
  for (int round = 0; round < rounds; ++round) exec.execute(barrier_check_job<Cores>{&cells, &errors, round});
  for (int c = 0; c < Cores; ++c) REQUIRE(errors[static_cast<std::size_t>(c)] == 0);
}

double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// CPU time the whole process uses over `idle` after an inference, while the
// calling thread sleeps.
// Returns the fraction of the interval's wall time that it used.
template <int Cores>
double cpu_while_idle(std::chrono::milliseconds idle) {
  static instance<residual, core_profile::uniform(Cores)> net;
  host_threads<Cores> exec;
  test::rng r(11);
  for (int k = 0; k < 50; ++k) {  // back to back: spinning pays, budgets stay long
    const auto x = r.int8s(net.input().size());
    std::copy(x.begin(), x.end(), net.input().begin());
    net.invoke(exec);
  }
  const auto wall = std::chrono::steady_clock::now();
  const double before = process_cpu_seconds();
  std::this_thread::sleep_for(idle);
  const double used = process_cpu_seconds() - before;
  return used / std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
}

}  // namespace

TEST_CASE("host threads' barrier orders every segment, whether waits end spinning or asleep",
          "[exec][multicore][threads]") {
  require_barrier_holds<2>(6);
  require_barrier_holds<3>(4);
  require_barrier_holds<8>(2);
}

TEST_CASE("host threads burn no core between inferences", "[exec][multicore][threads]") {
  // A worker spinning through the interval would use all of it (a share of
  // it on a machine busy with other work); workers that go to sleep within
  // max_spin_ns (0.2 ms) use well under 1%. Not a timing benchmark: the bound
  // is a tenth of the interval.
  constexpr auto idle = std::chrono::milliseconds(200);
  CHECK(cpu_while_idle<2>(idle) < 0.1);
  CHECK(cpu_while_idle<4>(idle) < 0.1);
}

TEST_CASE("a wait's spin budget follows how long recent waits took", "[exec][multicore][threads]") {
  using detail::max_spin_ns;
  using detail::min_spin_ns;
  using detail::next_spin_budget;
  // Waits that end spinning leave it alone.
  STATIC_REQUIRE(next_spin_budget(50'000, 10'000, false) == 50'000);
  STATIC_REQUIRE(next_spin_budget(min_spin_ns, 1'000, false) == min_spin_ns);
  // A wait a longer spin would have caught: the next such one spins through.
  STATIC_REQUIRE(next_spin_budget(min_spin_ns, 30'000, true) == 60'000);
  STATIC_REQUIRE(next_spin_budget(min_spin_ns, max_spin_ns - 1, true) == max_spin_ns);
  STATIC_REQUIRE(next_spin_budget(100'000, 20'000, true) == 100'000);
  // Waits far longer than any spin: spinning does not pay, spin less.
  STATIC_REQUIRE(next_spin_budget(max_spin_ns, 10 * std::uint64_t{max_spin_ns}, true) == max_spin_ns / 2);
  STATIC_REQUIRE(next_spin_budget(min_spin_ns, 10 * std::uint64_t{max_spin_ns}, true) == min_spin_ns);
  std::uint32_t b = max_spin_ns;
  for (int k = 0; k < 20; ++k) b = next_spin_budget(b, 5'000'000, true);
  REQUIRE(b == min_spin_ns);
  // Never beyond the bounds.
  for (std::uint64_t w : {0ull, 1'000ull, 99'999ull, 150'000ull, 300'000ull, 10'000'000ull})
    for (std::uint32_t start : {min_spin_ns, 10'000u, max_spin_ns})
      for (bool slept : {false, true}) {
        const auto next = next_spin_budget(start, w, slept);
        REQUIRE(next >= min_spin_ns);
        REQUIRE(next <= max_spin_ns);
      }
}

TEST_CASE("the sequential executor emulates several cores in any order", "[exec][multicore]") {
  sequential<4> forward;
  require_same_as_one_core<core_profile::uniform(4)>(forward, 20, 6);
  sequential<4> backward({3, 2, 1, 0});
  require_same_as_one_core<core_profile::uniform(4)>(backward, 20, 7);
  test::shuffled_executor<8> shuffled(8);
  require_same_as_one_core<core_profile::uniform(8)>(shuffled, 20, 8);
}

// A job that records, per core, how many segments every core had finished
// when the core left the job (J::leave): all of them, on every executor.
template <int Cores>
struct leave_check_job {
  static constexpr int segment_count = 5;
  static inline std::array<std::atomic<int>, Cores> done{};
  static inline std::array<std::atomic<int>, Cores> left{};    // segments all cores had done, plus one per leave
  static inline std::array<std::atomic<int>, Cores> leaves{};  // leave calls
  static constexpr int segments() { return segment_count; }
  void run(int core, int) const { done[static_cast<std::size_t>(core)].fetch_add(1); }
  static void leave(int core) {
    int all = segment_count * 10;
    for (const auto& d : done) all = std::min(all, d.load());
    left[static_cast<std::size_t>(core)].fetch_add(all + 1);
    leaves[static_cast<std::size_t>(core)].fetch_add(1);
  }
  static void require_left_after_all(int jobs) {
    // execute() returns once core 0 has left; the others may still be on
    // their way out of the last job.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (const auto& l : leaves)
      while (l.load() < jobs && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (int c = 0; c < Cores; ++c) {
      CHECK(leaves[static_cast<std::size_t>(c)].load() == jobs);
      CHECK(done[static_cast<std::size_t>(c)].load() == jobs * segment_count);
      // Job k's leave saw every core at k * segment_count segments done (or
      // more: a core may be into the next job, never behind).
      int least = 0;
      for (int k = 1; k <= jobs; ++k) least += k * segment_count + 1;
      CHECK(left[static_cast<std::size_t>(c)].load() >= least);
    }
    for (auto& d : done) d = 0;
    for (auto& l : left) l = 0;
    for (auto& l : leaves) l = 0;
  }
};

TEST_CASE("every executor tells the job when a core leaves it, after all cores' last segment", "[exec][multicore]") {
  using job3 = leave_check_job<3>;
  sequential<3> seq({2, 0, 1});
  for (int k = 0; k < 4; ++k) seq.execute(job3{});
  job3::require_left_after_all(4);
  host_threads<3> threads;
  for (int k = 0; k < 4; ++k) threads.execute(job3{});
  job3::require_left_after_all(4);
  test::shuffled_executor<3> shuffled(5);
  for (int k = 0; k < 4; ++k) shuffled.execute(job3{});
  job3::require_left_after_all(4);
}

TEST_CASE("observers see every operator's output in order on several cores", "[exec][multicore][threads]") {
  static instance<residual, core_profile::uniform(3)> net;
  host_threads<3> exec;
  test::rng r(9);
  const auto x = r.int8s(net.input().size());
  std::copy(x.begin(), x.end(), net.input().begin());
  std::vector<std::vector<std::byte>> seen;
  net.invoke(exec, [&](int op, std::span<const std::byte> out) {
    REQUIRE(op == static_cast<int>(seen.size()));
    seen.emplace_back(out.begin(), out.end());
  });
  REQUIRE(seen.size() == 8);
  static instance<residual> single;
  std::copy(x.begin(), x.end(), single.input().begin());
  int k = 0;
  single.invoke([&](int, std::span<const std::byte> out) {
    REQUIRE(std::equal(out.begin(), out.end(), seen[static_cast<std::size_t>(k)].begin(),
                       seen[static_cast<std::size_t>(k)].end()));
    ++k;
  });
  REQUIRE(k == 8);
}

TEST_CASE("random graphs on host threads give the 1-core bits", "[exec][multicore][threads][property]") {
  test::rng r(0x7E4D);
  host_threads<4> exec;
  for (int k = 0; k < 60; ++k) {
    const auto rg = test::make_random_graph(r);
    const auto& g = *rg.g;
    test::runtime_program reference(g, true, false);  // every tensor stored, nothing in place
    const auto x = r.int8s(g.input_spec().bytes());
    reference.set_input<std::int8_t>(x);
    reference.run();
    const auto s = plan_schedule(g, core_profile::uniform(4));
    test::runtime_program run(g, true, true, core_profile::uniform(4));
    for (int repeat = 0; repeat < 5; ++repeat) {
      run.set_input<std::int8_t>(x);
      exec.execute(run.job(s));
      REQUIRE(std::equal(run.bytes(g.output_tensor()).begin(), run.bytes(g.output_tensor()).end(),
                         reference.bytes(g.output_tensor()).begin()));
    }
  }
}

TEST_CASE("fused and general requantization give the same bits on random graphs", "[exec][property]") {
  test::rng r(0xF05E);
  int fused = 0, general = 0;
  for (int k = 0; k < 200; ++k) {
    const auto rg = test::make_random_graph(r);
    const auto& g = *rg.g;
    for (int i = 0; i < g.node_count; ++i) {
      if (exec::requant_count(g, i) == 0) continue;
      (exec::uses_fused_requant(g, i) ? fused : general) += 1;
    }
    test::runtime_program with(g), without(g, false);
    for (int repeat = 0; repeat < 3; ++repeat) {
      const auto x = r.int8s(g.input_spec().bytes());
      with.set_input<std::int8_t>(x);
      without.set_input<std::int8_t>(x);
      with.run();
      without.run();
      for (int i = 0; i < g.node_count; ++i) {
        const int t = g.at(i).output;
        REQUIRE(std::equal(with.bytes(t).begin(), with.bytes(t).end(), without.bytes(t).begin()));
      }
    }
  }
  // Both kinds of layer occur, so the comparison covers the fused path.
  REQUIRE(fused > 100);
  REQUIRE(general > 0);
}

TEST_CASE("executors conform to the concept", "[exec][multicore]") {
  STATIC_REQUIRE(executor<sequential<1>>);
  STATIC_REQUIRE(executor<sequential<8>>);
  STATIC_REQUIRE(executor<host_threads<1>>);
  STATIC_REQUIRE(executor<host_threads<8>>);
  STATIC_REQUIRE(executor<test::shuffled_executor<2>>);
  STATIC_REQUIRE(job<compiled<residual, core_profile::uniform(2)>::job>);
  STATIC_REQUIRE(compiled<residual, core_profile::uniform(2)>::job::segments() ==
                 compiled<residual, core_profile::uniform(2)>::schedule.segments);
}
