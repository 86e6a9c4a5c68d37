// SPDX-License-Identifier: Apache-2.0
// Broadcasting for element-wise operators of two inputs (TFLite's rules):
// shapes are aligned on their last axis, missing leading axes count as 1,
// and along each axis the two sizes are equal or one of them is 1, which
// is then repeated. The output has the larger size along every axis and is
// produced in row-major order. A kernel call computes a range of output
// elements, reading each input where broadcast strides say.
#pragma once

#include "weft/core/shape.hpp"
#include "weft/ops/common.hpp"

#include <array>
#include <cstdint>

namespace weft::ops {

/// The broadcast shape of a and b into `out`; false where some axis has two
/// different sizes, neither 1.
constexpr bool broadcast_shape(const shape& a, const shape& b, shape& out) {
  const int rank = a.rank > b.rank ? a.rank : b.rank;
  out = shape{};
  out.rank = rank;
  for (int k = 1; k <= rank; ++k) {  // k-th axis from the end
    const int da = k <= a.rank ? a[a.rank - k] : 1;
    const int db = k <= b.rank ? b[b.rank - k] : 1;
    if (da != db && da != 1 && db != 1) return false;
    out[rank - k] = da == 1 ? db : da;
  }
  return true;
}

/// Where each output element of a broadcasting operator reads its inputs:
/// the output as 4-D, and each input's step in elements along each of its
/// axes (0 along an axis it repeats). `active` is false where the inputs
/// have the same shape: element e of the output then reads element e of
/// each input, and kernels take their flat path.
struct broadcast_map {
  bool active = false;
  std::array<std::int32_t, 4> out{1, 1, 1, 1};
  std::array<std::int32_t, 4> step1{}, step2{};
};

/// Steps of an input of shape `in` along the 4-D output `out4`.
constexpr std::array<std::int32_t, 4> broadcast_steps(const shape& in, const std::array<std::int32_t, 4>& out4) {
  std::array<std::int32_t, 4> in4{1, 1, 1, 1};
  for (int i = 0; i < in.rank; ++i) in4[static_cast<std::size_t>(4 - in.rank + i)] = in[i];
  std::array<std::int32_t, 4> step{};
  std::int32_t stride = 1;
  for (int d = 3; d >= 0; --d) {
    const auto k = static_cast<std::size_t>(d);
    step[k] = in4[k] == 1 && out4[k] != 1 ? 0 : stride;
    stride *= in4[k];
  }
  return step;
}

/// The broadcast map of inputs of shapes a and b into output `out` (their
/// broadcast shape, rank <= 4).
constexpr broadcast_map make_broadcast_map(const shape& a, const shape& b, const shape& out) {
  broadcast_map m{};
  m.active = !(a == b);
  for (int i = 0; i < out.rank; ++i) m.out[static_cast<std::size_t>(4 - out.rank + i)] = out[i];
  m.step1 = broadcast_steps(a, m.out);
  m.step2 = broadcast_steps(b, m.out);
  return m;
}

/// out[e] = f(x at e, y at e) for the output elements [t.row_begin,
/// t.row_end): flat where the inputs have the same shape, else one output
/// row (last axis) at a time, each input's row start found from its steps.
template <class T, class U, class F>
[[gnu::always_inline]] inline void broadcast_apply(const broadcast_map& m, const T* x, const T* y, U* out, tile t,
                                                   F&& f) {
  if (!m.active) {
    for (int e = t.row_begin; e < t.row_end; ++e) out[e] = f(x[e], y[e]);
    return;
  }
  const std::int32_t cols = m.out[3];
  int e = t.row_begin;
  int row = e / cols;
  int col = e - row * cols;
  while (e < t.row_end) {
    const int i2 = row % m.out[2];
    const int i1 = row / m.out[2] % m.out[1];
    const int i0 = row / m.out[2] / m.out[1];
    const T* xr = x + i0 * m.step1[0] + i1 * m.step1[1] + i2 * m.step1[2];
    const T* yr = y + i0 * m.step2[0] + i1 * m.step2[1] + i2 * m.step2[2];
    const int left = t.row_end - e;
    const int end = cols - col < left ? cols : col + left;
    const std::int32_t sx = m.step1[3], sy = m.step2[3];
    U* o = out + (e - col);
    for (int c = col; c < end; ++c) o[c] = f(xr[c * sx], yr[c * sy]);
    e += end - col;
    col = 0;
    ++row;
  }
}

}  // namespace weft::ops
