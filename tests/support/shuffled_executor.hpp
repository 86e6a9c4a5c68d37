// SPDX-License-Identifier: Apache-2.0
// A test executor: runs on one thread like weft::sequential, but in every
// segment visits the cores in a fresh random order. A missing wait shows up as
// a core reading bytes another core has not written yet (or already
// overwritten) in some order; with real threads it would be a race.
#pragma once

#include "support/random.hpp"

#include <weft/weft.hpp>

#include <algorithm>
#include <array>

namespace weft::test {

/// A random permutation of the cores 0..n-1.
inline std::array<int, max_cores> shuffled_cores(rng& r, int n) {
  std::array<int, max_cores> a{};
  for (int c = 0; c < n; ++c) a[static_cast<std::size_t>(c)] = c;
  for (int c = n - 1; c > 0; --c)
    std::swap(a[static_cast<std::size_t>(c)], a[static_cast<std::size_t>(r.uniform(0, c))]);
  return a;
}

template <int Cores>
class shuffled_executor {
 public:
  static constexpr int cores = Cores;
  explicit shuffled_executor(std::uint64_t seed) : rng_(seed) {}

  template <job J>
  void execute(const J& j) {
    for (int s = 0; s < j.segments(); ++s) {
      const auto order = shuffled_cores(rng_, Cores);
      for (int k = 0; k < Cores; ++k) j.run(order[static_cast<std::size_t>(k)], s);
    }
    const auto order = shuffled_cores(rng_, Cores);
    for (int k = 0; k < Cores; ++k) leave_job<J>(order[static_cast<std::size_t>(k)]);
  }

 private:
  rng rng_;
};

static_assert(executor<shuffled_executor<3>>);

}  // namespace weft::test
