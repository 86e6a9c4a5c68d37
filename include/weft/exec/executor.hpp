// SPDX-License-Identifier: Apache-2.0
// The executor concept: what runs a compiled model's per-core steps. A job is
// the program as executors see it: a number of segments (the runs of
// operators between the plan's waits) and, for each core and segment, that
// core's steps. An executor runs every core's part of every segment, and
// starts a segment only when all cores have finished the previous one.
#pragma once

#include <array>
#include <concepts>

namespace weft {

/// A static multicore program: `run(core, segment)` performs core's steps of
/// that segment; segments run in order.
template <class J>
concept job = requires(const J& j, int core, int segment) {
  { j.segments() } -> std::convertible_to<int>;
  j.run(core, segment);
};

/// Tells a job that `core` has passed its last segment's wait: J::leave(core),
/// a static function, when the job has one (a benchmark's probe marks the
/// core as outside inference there, so that a core waiting for the next job
/// is not counted as waiting inside this one). Static, because core 0 may
/// already have returned, and the job object be gone, when another core
/// gets there.
template <class J>
void leave_job(int core) {
  if constexpr (requires { J::leave(core); }) J::leave(core);
}

namespace detail {
struct job_archetype {
  int segments() const { return 0; }
  void run(int, int) const {}
};
}  // namespace detail

/// Runs jobs on `cores` cores: all of segment s, on every core, before any of
/// segment s + 1, then leave_job on every core. execute() returns when every
/// core has finished the job.
template <class E>
concept executor = requires(E& e, const detail::job_archetype& j) {
  { E::cores } -> std::convertible_to<int>;
  e.execute(j);
};

/// Runs all cores' steps on the calling thread, segment by segment, cores in
/// a fixed order (0, 1, ... by default). With one core it is the plain
/// sequential executor; with several it emulates a multicore chip exactly,
/// since no two cores' steps within a segment touch the same bytes. Costs
/// nothing: no allocation, no synchronization.
template <int Cores = 1>
class sequential {
 public:
  static constexpr int cores = Cores;

  constexpr sequential() {
    for (int c = 0; c < Cores; ++c) order_[static_cast<std::size_t>(c)] = c;
  }
  /// Runs the cores of each segment in this order (a permutation of 0..Cores-1).
  constexpr explicit sequential(const std::array<int, Cores>& order) : order_(order) {}

  template <job J>
  void execute(const J& j) const {
    const int segments = j.segments();
    for (int s = 0; s < segments; ++s)
      for (int c : order_) j.run(c, s);
    for (int c : order_) leave_job<J>(c);
  }

 private:
  std::array<int, Cores> order_{};
};

static_assert(executor<sequential<1>>);
static_assert(executor<sequential<8>>);

}  // namespace weft
