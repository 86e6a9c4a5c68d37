// SPDX-License-Identifier: Apache-2.0
// Dot products of int8 weight rows with one int8 vector minus its zero point,
// as the recurrent layers (SVDF, LSTM) compute many of them per vector: the
// vector's offset values are staged once on the stack as int16 (on cores
// with the Arm DSP extension, each four as elements 0, 2, 1, 3: the two words
// of halves its dual multiply-accumulate takes), then every row reads them.
#pragma once

#include "weft/ops/arm_dsp.hpp"

#include <cstdint>

namespace weft::ops {

/// Longest vector a core stages (2 bytes of stack per element); longer
/// ones subtract the zero point in the loop.
inline constexpr int max_staged_elements = 256;

/// A vector's offset values, staged for dot products with weight rows.
template <bool Dsp>
struct staged_vector {
  alignas(4) std::int16_t at[max_staged_elements];
  const std::int8_t* raw = nullptr;
  std::int32_t zero_point = 0;
  int size = 0;
  bool staged = false, paired = false;

  [[gnu::always_inline]] void stage(const std::int8_t* x, int n, std::int32_t zp) {
    raw = x;
    size = n;
    zero_point = zp;
    staged = n <= max_staged_elements;
    paired = Dsp && arm_dsp::available && staged && n % 4 == 0;
    if (!staged) return;
    for (int c = 0; c < n; ++c) {
      const int k = paired ? (c & ~3) + ((c & 1) << 1) + ((c & 2) >> 1) : c;
      at[k] = static_cast<std::int16_t>(x[c] - zp);
    }
  }

  /// sum over c of w[c] * (x[c] - zero point), int32 with wrap-around.
  [[gnu::always_inline]] std::int32_t dot(const std::int8_t* w) const {
    std::int32_t d = 0;
    if constexpr (Dsp && arm_dsp::available) {
      if (paired) {
        for (int c = 0; c < size; c += 4) {
          std::uint32_t even = 0, odd = 0;
          __builtin_memcpy(&even, at + c, 4);
          __builtin_memcpy(&odd, at + c + 2, 4);
          d = arm_dsp::dot4(even, odd, w + c, d);
        }
        return d;
      }
    }
    if (staged) {
      for (int c = 0; c < size; ++c) d += w[c] * at[c];
    } else {
      for (int c = 0; c < size; ++c) d += w[c] * (raw[c] - zero_point);
    }
    return d;
  }
};

}  // namespace weft::ops
