// SPDX-License-Identifier: Apache-2.0
// The copy transpose and slice share: every output element is one input
// element, found by a fixed element stride along each output axis from a
// first element. Transpose permutes the strides; slice starts at its begin
// and multiplies them by its steps (negative steps walk backwards).
#pragma once

#include "weft/ops/common.hpp"

#include <array>
#include <cstddef>

namespace weft::ops {

/// An output (4-D, ones in front) read from an input at element `base` plus
/// `stride[d]` per step along output axis d.
struct strided_view {
  shape out{};
  std::array<int, 4> stride{};
  int base = 0;
};

/// Rows [t.row_begin, t.row_end) of the output's [elements / C, C] view.
template <class T>
[[gnu::always_inline]] inline void copy_strided(const strided_view& a, const T* in, T* out, tile t) {
  const int c = a.out[3];
  const std::ptrdiff_t s3 = a.stride[3];
  for (int r = t.row_begin; r < t.row_end; ++r) {
    const int o2 = r % a.out[2], o1 = r / a.out[2] % a.out[1], o0 = r / (a.out[2] * a.out[1]);
    const T* x = in + a.base + static_cast<std::ptrdiff_t>(o0) * a.stride[0] +
                 static_cast<std::ptrdiff_t>(o1) * a.stride[1] + static_cast<std::ptrdiff_t>(o2) * a.stride[2];
    T* o = out + static_cast<std::ptrdiff_t>(r) * c;
    for (int k = 0; k < c; ++k) o[k] = x[k * s3];
  }
}

}  // namespace weft::ops
