// SPDX-License-Identifier: Apache-2.0
// Deterministic random numbers for tests (splitmix64, as ../shared/golden
// uses for its synthetic inputs).
#pragma once

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace weft::test {

class rng {
 public:
  explicit rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [lo, hi].
  int uniform(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }
  /// Uniform in [0, 1).
  double real() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Log-uniform in [lo, hi].
  float log_uniform(double lo, double hi) { return static_cast<float>(lo * std::exp(real() * std::log(hi / lo))); }
  template <class T>
  T pick(std::initializer_list<T> options) {
    return options.begin()[next() % options.size()];
  }
  std::vector<std::int8_t> int8s(std::size_t n) {
    std::vector<std::int8_t> v(n);
    for (auto& x : v) x = static_cast<std::int8_t>(next() >> 56);
    return v;
  }
  std::vector<float> floats(std::size_t n, double lo, double hi) {
    std::vector<float> v(n);
    for (auto& x : v) x = static_cast<float>(lo + (hi - lo) * real());
    return v;
  }

 private:
  std::uint64_t state_;
};

}  // namespace weft::test
