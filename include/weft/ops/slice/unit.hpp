// SPDX-License-Identifier: Apache-2.0
// SLICE: along each input axis, `count` elements from `begin`, `stride`
// apart (a negative stride walks backwards); axes marked `drop` take one
// element and are left out of the output's shape. One unit serves TFLite's
// SLICE, STRIDED_SLICE (the importer resolves begin, end, strides and masks
// to begin, stride and count as TFLite Micro does), and each output of
// SPLIT, SPLIT_V and UNPACK. Pure data movement: the output keeps the
// input's dtype and quantization.
#pragma once

#include "weft/ops/strided_copy.hpp"
#include "weft/ops/unit.hpp"

#include <array>
#include <cstdint>

namespace weft {

struct slice_options {
  std::array<int, max_rank> begin{};
  std::array<int, max_rank> stride{1, 1, 1, 1};
  std::array<int, max_rank> count{1, 1, 1, 1};
  std::array<bool, max_rank> drop{};
};

namespace ops {

struct slice_op : movement_family {
  using options = slice_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields = std::tuple{field{"begin", &options::begin}, field{"stride", &options::stride},
                                            field{"count", &options::count}, field{"drop", &options::drop}};

  /// int16: values moved as they are, as for int8.
  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8 && in.type != dtype::float32 && in.type != dtype::int16)
      return {.err = error::unsupported_dtype};
    inferred r{};
    r.out = in;
    r.out.dims = shape{};
    for (int d = 0; d < max_rank; ++d) {
      const auto k = static_cast<std::size_t>(d);
      if (d >= in.dims.rank) {
        if (o.drop[k]) return {.err = error::bad_slice};
        continue;
      }
      // Every element taken lies inside the axis: the first and the last.
      const std::int64_t n = in.dims[d], first = o.begin[k], steps = std::int64_t{o.count[k]} - 1;
      const std::int64_t last = first + steps * o.stride[k];
      if (o.count[k] < 1 || o.stride[k] == 0 || first < 0 || first >= n || last < 0 || last >= n)
        return {.err = error::bad_slice};
      if (o.drop[k]) {
        if (o.count[k] != 1) return {.err = error::bad_slice};
        continue;
      }
      r.out.dims[r.out.dims.rank++] = o.count[k];
    }
    // Every axis dropped leaves a scalar, which has no weft shape.
    if (r.out.dims.rank == 0) return {.err = error::bad_slice};
    return r;
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model&, in_place_kind) {
    return rows_of_output(g, i, 2);
  }

  /// The output as a strided view of the input: the kept axes, each with
  /// its input stride times its step, from the first element taken.
  template <class T, class G>
  static constexpr strided_view make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const shape& in = g.spec(n.inputs[0]).dims;
    const options& o = n.template opt<options>();
    std::array<int, max_rank> in_stride{};
    int s = 1;
    for (int d = in.rank - 1; d >= 0; --d) {
      in_stride[static_cast<std::size_t>(d)] = s;
      s *= in[d];
    }
    strided_view a{};
    a.out = as_4d(g.spec(n.output).dims);
    const int lead = 4 - g.spec(n.output).dims.rank;
    int axis = lead;
    for (int d = 0; d < in.rank; ++d) {
      const auto k = static_cast<std::size_t>(d);
      a.base += o.begin[k] * in_stride[k];
      if (!o.drop[k]) a.stride[static_cast<std::size_t>(axis++)] = o.stride[k] * in_stride[k];
    }
    return a;
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const strided_view& a, const kernel_io& io, tile t) {
    copy_strided(a, io.input<T>(0), io.output<T>(), t);
  }
};

}  // namespace ops
}  // namespace weft
