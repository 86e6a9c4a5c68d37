// SPDX-License-Identifier: Apache-2.0
// CONCATENATION: the inputs joined along `axis` (TFLite's reference
// Concatenation, up to weft::max_inputs inputs, as TFLite Micro's 10). Every
// input has the output's rank and, off the axis, its sizes. A raw copy: int8
// inputs must all have the output's scale and zero point, as TFLite Micro
// requires (it has no requantizing path). PACK is a concatenation of its
// inputs each viewed with a 1 inserted at the axis (a reshape, no copy).
#pragma once

#include "weft/ops/unit.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace weft {

struct concatenation_options {
  int axis = 0;  // an axis of the output, in [0, rank)
};

namespace ops {

/// The output seen as `outer` blocks of `block` elements; in each block,
/// input k fills `chunk[k]` elements from `start[k]`.
struct concatenation_args {
  int cols = 1;   // elements per tile row (the output's last axis)
  int block = 1;  // output axis size times the elements of one axis step
  std::array<int, max_inputs> start{};
  std::array<int, max_inputs> chunk{};
};

/// Rows [t.row_begin, t.row_end) of the output's [elements / C, C] view, in
/// runs of consecutive elements from one input.
template <class T>
[[gnu::always_inline]] inline void concatenate(const concatenation_args& a, const kernel_io& io, tile t) {
  T* out = io.output<T>();
  const int end = t.row_end * a.cols;
  for (int e = t.row_begin * a.cols; e < end;) {
    const int outer = e / a.block, p = e % a.block;
    std::size_t k = 0;
    while (p >= a.start[k] + a.chunk[k]) ++k;
    const int run = a.start[k] + a.chunk[k] - p < end - e ? a.start[k] + a.chunk[k] - p : end - e;
    const T* x = io.input<T>(static_cast<int>(k)) + static_cast<std::ptrdiff_t>(outer) * a.chunk[k] + (p - a.start[k]);
    std::memcpy(out + e, x, static_cast<std::size_t>(run) * sizeof(T));
    e += run;
  }
}

struct concatenation_op : movement_family {
  using options = concatenation_options;
  static constexpr int min_inputs = 1, max_inputs = weft::max_inputs;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields = std::tuple{field{"axis", &options::axis}};

  /// int16: values copied as they are; TFLite Micro wants every zero point
  /// 0 and compares no scales.
  static constexpr bool int16_input(int) { return true; }

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& first = x.in[0];
    if (first.type != dtype::int8 && first.type != dtype::float32 && first.type != dtype::int16)
      return {.err = error::unsupported_dtype};
    const int rank = first.dims.rank;
    if (o.axis < 0 || o.axis >= rank) return {.err = error::concatenation_shapes};
    // int8: the caller's output quantization (the first input's when none
    // is given) is every input's.
    const quantization q = first.type != dtype::float32 && x.out.scale != 0.0f ? x.out : first.quant;
    if (first.type == dtype::int16 && q.zero_point != 0) return {.err = error::int16_zero_point};
    inferred r{};
    r.out = first;
    r.out.dims[o.axis] = 0;
    for (int k = 0; k < x.count; ++k) {
      const tensor_spec& in = x.in[static_cast<std::size_t>(k)];
      if (in.type != first.type) return {.err = error::unsupported_dtype};
      if (in.dims.rank != rank) return {.err = error::concatenation_shapes};
      for (int d = 0; d < rank; ++d)
        if (d != o.axis && in.dims[d] != first.dims[d]) return {.err = error::concatenation_shapes};
      if (in.type == dtype::int8 && (in.quant.scale != q.scale || in.quant.zero_point != q.zero_point))
        return {.err = error::concatenation_quantization};
      if (in.type == dtype::int16 && in.quant.zero_point != 0) return {.err = error::int16_zero_point};
      r.out.dims[o.axis] += in.dims[o.axis];
    }
    r.out.quant = {q.scale, q.zero_point};
    if (first.type == dtype::float32) r.out.quant = {};
    return r;
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model&, in_place_kind) {
    return rows_of_output(g, i, 2);
  }

  template <class T, class G>
  static constexpr concatenation_args make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const shape& out = g.spec(n.output).dims;
    const int axis = n.template opt<options>().axis;
    int inner = 1;
    for (int d = axis + 1; d < out.rank; ++d) inner *= out[d];
    concatenation_args a{};
    a.cols = out.back();
    a.block = out[axis] * inner;
    int start = 0;
    for (int k = 0; k < n.input_count(); ++k) {
      const auto j = static_cast<std::size_t>(k);
      a.start[j] = start;
      a.chunk[j] = g.spec(n.inputs[j]).dims[axis] * inner;
      start += a.chunk[j];
    }
    return a;
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const concatenation_args& a, const kernel_io& io, tile t) {
    concatenate<T>(a, io, t);
  }
};

}  // namespace ops
}  // namespace weft
