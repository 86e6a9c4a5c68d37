// SPDX-License-Identifier: Apache-2.0
// What weft knows of a chip when it plans: how many cores, how fast each is
// relative to the others, and which instruction-set extensions each has. A
// structural value, so it can select a plan at compile time:
// weft::compiled<Model, weft::core_profile::uniform(2)>.
#pragma once

#include <array>
#include <cstdint>

namespace weft {

inline constexpr int max_cores = 8;

/// Instruction-set extensions a core may have, as bit flags.
enum class isa : std::uint8_t {
  none = 0,
  fpu = 1,  // single-precision floating point
  dsp = 2,  // Arm DSP extension (SIMD multiply-accumulate, SMLAD)
  mve = 4,  // Arm M-profile vector extension (Helium)
};

constexpr std::uint8_t operator|(isa a, isa b) {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}

struct core_profile {
  int cores = 1;
  /// Relative speed of each core (work per unit of time); only ratios matter.
  std::array<float, max_cores> speed{1, 1, 1, 1, 1, 1, 1, 1};
  /// Each core's instruction-set extensions (isa flags): cores of one chip
  /// may differ, and kernels are chosen per core from them.
  std::array<std::uint8_t, max_cores> features{};
  /// Bytes of a cache line that the cores keep coherent, or 0 where they
  /// share memory without such caches (microcontrollers' SRAM). Two cores
  /// writing the same lines at once pass each line back and forth on every
  /// store, so with lines the plan does not give a core less than a line of
  /// each row of an output it splits by channels.
  int line_bytes = 0;

  /// n cores of equal speed.
  static constexpr core_profile uniform(int n) { return core_profile{n}; }

  /// The same profile with core c's instruction-set extensions set to f
  /// (isa flags, e.g. isa::fpu | isa::dsp).
  constexpr core_profile with_features(int c, std::uint8_t f) const {
    core_profile p = *this;
    p.features[static_cast<std::size_t>(c)] = f;
    return p;
  }

  /// The same profile on cores whose caches share lines of `bytes` bytes.
  constexpr core_profile with_shared_lines(int bytes) const {
    core_profile p = *this;
    p.line_bytes = bytes;
    return p;
  }

  /// Cores of the given relative speeds, e.g. with_speeds({1.0f, 1.6f}).
  template <std::size_t N>
  static constexpr core_profile with_speeds(const float (&s)[N]) {
    static_assert(N >= 1 && N <= max_cores, "weft: a core profile has 1 to 8 cores");
    core_profile p{static_cast<int>(N)};
    for (std::size_t i = 0; i < N; ++i) p.speed[i] = s[i];
    return p;
  }

  constexpr bool valid() const {
    if (cores < 1 || cores > max_cores || line_bytes < 0) return false;
    for (int c = 0; c < cores; ++c)
      if (!(speed[static_cast<std::size_t>(c)] > 0.0f)) return false;
    return true;
  }
  constexpr float speed_of(int c) const { return speed[static_cast<std::size_t>(c)]; }
  /// Whether dividing `atoms` atoms of `atom_bytes` bytes each among the
  /// cores leaves a core less than a cache line of them, so that cores would
  /// store into the same lines at once (never without line_bytes).
  constexpr bool below_a_line(std::int64_t atoms, std::int64_t atom_bytes) const {
    return line_bytes > 0 && cores > 1 && atoms / cores * atom_bytes < line_bytes;
  }
  /// The part of this profile a memory plan depends on: the number of cores
  /// (some operators run in place only on one) and their lines where caches
  /// share lines (see plan_memory), so that profiles that plan memory alike
  /// compare equal.
  constexpr core_profile for_memory() const {
    if (cores == 1) return core_profile{};
    return line_bytes > 0 ? uniform(cores).with_shared_lines(line_bytes) : uniform(cores);
  }
  constexpr bool has(int c, isa f) const {
    return (features[static_cast<std::size_t>(c)] & static_cast<std::uint8_t>(f)) != 0;
  }
  friend constexpr bool operator==(const core_profile&, const core_profile&) = default;
};

/// The cache line of the hosts weft's host threads run on (x86-64, and the
/// AArch64 cores of servers and laptops): core_profile::line_bytes there.
inline constexpr int host_line_bytes = 64;

}  // namespace weft
