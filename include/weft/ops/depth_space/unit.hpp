// SPDX-License-Identifier: Apache-2.0
// DEPTH_TO_SPACE and SPACE_TO_DEPTH of an NHWC image with block size b, one
// unit with two directions (TFLite's reference kernels; raw copies, the
// output keeps the input's dtype and quantization):
//
//   depth to space: out[n, y, x, c] = in[n, y / b, x / b, ((y % b) * b + x % b) * C_out + c]
//   space to depth: out[n, y, x, ((dy * b) + dx) * C_in + c] = in[n, y * b + dy, x * b + dx, c]
//
// Either way an output pixel is runs of whole input channel vectors, so a
// kernel copies a row of the output's [N * H * W, C] view in one (depth to
// space) or b * b (space to depth) pieces.
#pragma once

#include "weft/ops/unit.hpp"

#include <cstdint>
#include <cstring>

namespace weft {

struct depth_space_options {
  int block = 1;
};

namespace ops {

template <class T>
struct depth_space_args {
  shape in{}, out{};  // NHWC
  int block = 1;
};

/// Rows [t.row_begin, t.row_end) of the output's [N * H * W, C] view.
template <bool ToSpace, class T>
[[gnu::always_inline]] inline void depth_space(const depth_space_args<T>& a, const T* in, T* out, tile t) {
  const int b = a.block;
  const int c_out = a.out[3], c_in = a.in[3];
  for (int r = t.row_begin; r < t.row_end; ++r) {
    const int x = r % a.out[2], y = r / a.out[2] % a.out[1], n = r / (a.out[2] * a.out[1]);
    T* o = out + static_cast<std::ptrdiff_t>(r) * c_out;
    if constexpr (ToSpace) {
      const std::ptrdiff_t pixel = (static_cast<std::ptrdiff_t>(n) * a.in[1] + y / b) * a.in[2] + x / b;
      const T* from = in + pixel * c_in + ((y % b) * b + x % b) * c_out;
      std::memcpy(o, from, static_cast<std::size_t>(c_out) * sizeof(T));
    } else {
      for (int dy = 0; dy < b; ++dy)
        for (int dx = 0; dx < b; ++dx) {
          const std::ptrdiff_t pixel = (static_cast<std::ptrdiff_t>(n) * a.in[1] + y * b + dy) * a.in[2] + x * b + dx;
          std::memcpy(o + (dy * b + dx) * c_in, in + pixel * c_in, static_cast<std::size_t>(c_in) * sizeof(T));
        }
    }
  }
}

template <bool ToSpace>
struct depth_space_op : movement_family {
  using options = depth_space_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields = std::tuple{field{"block", &options::block}};

  /// TFLite Micro's checks: a 4-D int8 or float32 input, a block of at
  /// least 1 (space to depth divides by it unchecked), channels a multiple
  /// of b * b (depth to space), height and width multiples of b (space to
  /// depth).
  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8 && in.type != dtype::float32) return {.err = error::unsupported_dtype};
    if (in.dims.rank != 4) return {.err = error::not_4d};
    const int b = o.block;
    if (b < 1 || b > 32767) return {.err = error::bad_block_size};
    const std::int64_t area = std::int64_t{b} * b;
    inferred r{};
    r.out = in;
    if constexpr (ToSpace) {
      if (in.dims[3] % area != 0) return {.err = error::bad_block_size};
      if (std::int64_t{in.dims[1]} * b > 1 << 24 || std::int64_t{in.dims[2]} * b > 1 << 24)
        return {.err = error::bad_block_size};
      r.out.dims = shape{in.dims[0], in.dims[1] * b, in.dims[2] * b, static_cast<int>(in.dims[3] / area)};
    } else {
      if (in.dims[1] % b != 0 || in.dims[2] % b != 0 || in.dims[3] * area > 1 << 24)
        return {.err = error::bad_block_size};
      r.out.dims = shape{in.dims[0], in.dims[1] / b, in.dims[2] / b, static_cast<int>(in.dims[3] * area)};
    }
    return r;
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model&, in_place_kind) {
    return rows_of_output(g, i, 1);
  }

  template <class T, class G>
  static constexpr depth_space_args<T> make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    return {g.spec(n.inputs[0]).dims, g.spec(n.output).dims, n.template opt<options>().block};
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const depth_space_args<T>& a, const kernel_io& io, tile t) {
    depth_space<ToSpace>(a, io.input<T>(0), io.output<T>(), t);
  }
};

using depth_to_space_op = depth_space_op<true>;
using space_to_depth_op = depth_space_op<false>;

}  // namespace ops
}  // namespace weft
