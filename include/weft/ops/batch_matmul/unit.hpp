// SPDX-License-Identifier: Apache-2.0
// BATCH_MATMUL (TFLite's reference kernel): out[..., i, j] = sum_k
// A[..., i, k] * B[..., k, j], where A is the left input (lhs) or, with
// adj_x, its last two axes swapped, and B the right input (rhs) or, with
// adj_y, its last two axes swapped. The batch axes (all but the last two)
// broadcast as numpy's do: ranks aligned on the last axis, each pair of
// sizes equal or one of them 1. Either input may be an activation or a
// graph constant (attention's Q x K^T has two activations; a projection's
// weights are a constant).
//
// int8: an int32 sum of (a - lhs zero point) * (b - rhs zero point) over k
// ascending, requantized by TFLite's float-product multiplier
// (GetQuantizedConvolutionMultipler: the two input scales multiplied in
// float, divided by the output scale in double), plus the output zero
// point, clamped to int8 (no fused activation). float32: a float sum over k
// ascending, not clamped. int16: an int64 sum of a * b (TFLite Micro
// requires every zero point to be 0), scaled by the 16-bit-multiplier
// MultiplyByQuantizedMultiplier on int64 (multiply_by_quantized_multiplier_64)
// with the same float-product multiplier, clamped to int16.
#pragma once

#include "weft/ops/unit.hpp"

#include <array>
#include <cstdint>
#include <type_traits>

namespace weft {

struct batch_matmul_options {
  /// Swap the last two axes of the left input (its rows are its last axis).
  bool adj_x = false;
  /// Swap the last two axes of the right input (its columns are its
  /// second-to-last axis).
  bool adj_y = false;
};

namespace ops {

/// Batch axes an operand or output has at most: weft's rank limit less the
/// two matrix axes.
inline constexpr int batch_matmul_batch_axes = max_rank - 2;

/// The sum type of a kernel on T: float for float32, int32 for int8, int64
/// for int16.
template <class T>
using batch_matmul_sum_t =
    std::conditional_t<std::is_same_v<T, float>, float,
                       std::conditional_t<std::is_same_v<T, std::int16_t>, std::int64_t, std::int32_t>>;

template <class T>
struct batch_matmul_args {
  int rows = 1;   // output rows (A's rows)
  int cols = 1;   // output columns (B's columns)
  int depth = 1;  // the summed axis
  // The output's batch axes (outer first, ones in front) and, per batch
  // axis, how far each input's matrices are apart (0 where it broadcasts).
  std::array<int, batch_matmul_batch_axes> batch{};
  std::array<int, batch_matmul_batch_axes> lhs_step{};
  std::array<int, batch_matmul_batch_axes> rhs_step{};
  // Within one matrix: elements between A[i, k] and A[i + 1, k] (row) and
  // A[i, k + 1] (depth); the same for B[k, j] along k and j.
  int lhs_row = 1, lhs_depth = 1, rhs_depth = 1, rhs_col = 1;
  // int8 (int16: zero points 0):
  std::int32_t lhs_zero_point = 0, rhs_zero_point = 0, out_zero_point = 0;
  multiplier requant{};
};

/// The sum of one output element (int8: int32 with the zero points taken
/// off; int16: int64; float32: float), k ascending as TFLite sums.
template <class T>
[[gnu::always_inline]] inline batch_matmul_sum_t<T> batch_matmul_sum(const batch_matmul_args<T>& a, const T* x,
                                                                     const T* y) {
  batch_matmul_sum_t<T> acc = 0;
  if constexpr (std::is_same_v<T, float>) {
    for (int k = 0; k < a.depth; ++k) acc += y[k * a.rhs_depth] * x[k * a.lhs_depth];
  } else if constexpr (std::is_same_v<T, std::int16_t>) {
    for (int k = 0; k < a.depth; ++k) acc += std::int32_t{y[k * a.rhs_depth]} * std::int32_t{x[k * a.lhs_depth]};
  } else {
    for (int k = 0; k < a.depth; ++k)
      acc += (static_cast<std::int32_t>(y[k * a.rhs_depth]) - a.rhs_zero_point) *
             (static_cast<std::int32_t>(x[k * a.lhs_depth]) - a.lhs_zero_point);
  }
  return acc;
}

/// Rows [t.row_begin, t.row_end) of the output seen as [batches * rows,
/// cols], columns [t.ch_begin, t.ch_end).
template <class T>
[[gnu::always_inline]] inline void batch_matmul(const batch_matmul_args<T>& a, const T* lhs, const T* rhs, T* out,
                                                tile t) {
  for (int r = t.row_begin; r < t.row_end; ++r) {
    // The output row's batch (its coordinates, inner axis last) and row.
    int b = r / a.rows;
    const int i = r - b * a.rows;
    std::ptrdiff_t lhs_at = 0, rhs_at = 0;
    for (int d = batch_matmul_batch_axes - 1; d >= 0; --d) {
      const auto k = static_cast<std::size_t>(d);
      const int c = b % a.batch[k];
      b /= a.batch[k];
      lhs_at += static_cast<std::ptrdiff_t>(c) * a.lhs_step[k];
      rhs_at += static_cast<std::ptrdiff_t>(c) * a.rhs_step[k];
    }
    const T* x = lhs + lhs_at + static_cast<std::ptrdiff_t>(i) * a.lhs_row;
    T* y = out + static_cast<std::ptrdiff_t>(r) * a.cols;
    for (int j = t.ch_begin; j < t.ch_end; ++j) {
      const batch_matmul_sum_t<T> acc =
          batch_matmul_sum(a, x, rhs + rhs_at + static_cast<std::ptrdiff_t>(j) * a.rhs_col);
      if constexpr (std::is_same_v<T, float>) {
        y[j] = acc;
      } else if constexpr (std::is_same_v<T, std::int16_t>) {
        y[j] = static_cast<T>(clamp(multiply_by_quantized_multiplier_64(acc, a.requant), int8_range{-32768, 32767}));
      } else {
        const std::int32_t v = multiply_by_quantized_multiplier(acc, a.requant) + a.out_zero_point;
        y[j] = static_cast<T>(clamp(v, int8_range{}));
      }
    }
  }
}

/// TFLite's multiplier for a per-tensor product of two int8 tensors
/// (GetQuantizedConvolutionMultipler): the input scales multiplied in
/// float, then divided by the output scale in double.
constexpr multiplier product_multiplier(float lhs_scale, float rhs_scale, float out_scale) {
  return quantize_multiplier(static_cast<double>(lhs_scale * rhs_scale) / static_cast<double>(out_scale));
}

struct batch_matmul_op : row_family {
  using options = batch_matmul_options;
  static constexpr int min_inputs = 2, max_inputs = 2;
  static constexpr op_family family = op_family::dense;
  static constexpr auto fields = std::tuple{field{"adj_x", &options::adj_x}, field{"adj_y", &options::adj_y}};
  /// 16x8's int16 kernel: both inputs int16.
  static constexpr bool int16_input(int) { return true; }

  /// The matrix sizes of an operation: A is rows x depth, B depth x cols.
  struct sizes {
    int rows = 0, cols = 0, lhs_depth = 0, rhs_depth = 0;
  };
  static constexpr sizes matrix_sizes(const shape& lhs, const shape& rhs, const options& o) {
    const int l1 = lhs[lhs.rank - 2], l2 = lhs[lhs.rank - 1], r1 = rhs[rhs.rank - 2], r2 = rhs[rhs.rank - 1];
    return {o.adj_x ? l2 : l1, o.adj_y ? r1 : r2, o.adj_x ? l1 : l2, o.adj_y ? r2 : r1};
  }
  /// Batch axis d (of the output's `axes`, outer first) of shape s, 1 where
  /// s has fewer axes.
  static constexpr int batch_size(const shape& s, int d, int axes) {
    const int at = d - (axes - (s.rank - 2));
    return at < 0 ? 1 : s[at];
  }

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& lhs = x.in[0];
    const tensor_spec& rhs = x.in[1];
    if (lhs.type != dtype::int8 && lhs.type != dtype::int16 && lhs.type != dtype::float32)
      return {.err = error::unsupported_dtype};
    if (rhs.type != lhs.type) return {.err = error::batch_matmul_dtypes};
    if (lhs.dims.rank < 2 || rhs.dims.rank < 2) return {.err = error::batch_matmul_rank};
    const sizes m = matrix_sizes(lhs.dims, rhs.dims, o);
    if (m.lhs_depth != m.rhs_depth) return {.err = error::batch_matmul_depth};
    const int axes = (lhs.dims.rank > rhs.dims.rank ? lhs.dims.rank : rhs.dims.rank) - 2;
    inferred r{};
    r.out.type = lhs.type;
    r.out.dims.rank = axes + 2;
    std::int64_t batches = 1;
    for (int d = 0; d < axes; ++d) {
      const int p = batch_size(lhs.dims, d, axes), q = batch_size(rhs.dims, d, axes);
      if (p != q && p != 1 && q != 1) return {.err = error::batch_matmul_batch};
      r.out.dims[d] = p == 1 ? q : p;
      batches *= r.out.dims[d];
    }
    r.out.dims[axes] = m.rows;
    r.out.dims[axes + 1] = m.cols;
    if (lhs.type == dtype::int8) {
      if (!valid_int8_quantization(x.out)) return {.err = error::bad_quantization};
      r.out.quant = {x.out.scale, x.out.zero_point};
      // TFLite would shift an int32 left by more than 31.
      if (product_multiplier(lhs.quant.scale, rhs.quant.scale, x.out.scale).shift > 31)
        return {.err = error::scale_out_of_range};
    } else if (lhs.type == dtype::int16) {
      if (!valid_int16_quantization(x.out)) return {.err = error::bad_int16_quantization};
      if (lhs.quant.zero_point != 0 || rhs.quant.zero_point != 0 || x.out.zero_point != 0)
        return {.err = error::int16_zero_point};
      r.out.quant = {x.out.scale, 0};
      // TFLite Micro asserts a multiplier below 2^7 (its int64 form).
      if (product_multiplier(lhs.quant.scale, rhs.quant.scale, x.out.scale).shift >= 8)
        return {.err = error::scale_out_of_range};
    }
    r.macs = batches * m.rows * m.cols * m.lhs_depth;
    return r;
  }

  /// Cut by output rows (of every batch) or by columns; each core reads
  /// both inputs whole.
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    const auto& n = g.at(i);
    const shape& out = g.spec(n.output).dims;
    const std::int64_t cost = n.macs + out.elements() * m.per_output;
    const auto rows = static_cast<int>(out.elements() / out.back());
    std::array<divisible, 2> a{};
    a[0] = {split_axis::rows, rows, cost / rows};
    a[1] = {split_axis::channels, out.back(), cost / out.back()};
    return a;
  }
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    return row_access(g, plan, i, t, true);
  }

  template <class T, class G>
  static constexpr batch_matmul_args<T> make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const tensor_spec& lhs = g.spec(n.inputs[0]);
    const tensor_spec& rhs = g.spec(n.inputs[1]);
    const tensor_spec& out = g.spec(n.output);
    const options& o = n.template opt<options>();
    const sizes m = matrix_sizes(lhs.dims, rhs.dims, o);
    batch_matmul_args<T> a{};
    a.rows = m.rows;
    a.cols = m.cols;
    a.depth = m.lhs_depth;
    // Batch axes of the output, aligned right into batch_matmul_batch_axes.
    const int axes = out.dims.rank - 2;
    const int lhs_matrix = lhs.dims[lhs.dims.rank - 2] * lhs.dims[lhs.dims.rank - 1];
    const int rhs_matrix = rhs.dims[rhs.dims.rank - 2] * rhs.dims[rhs.dims.rank - 1];
    int lhs_stride = lhs_matrix, rhs_stride = rhs_matrix;
    for (int k = batch_matmul_batch_axes - 1; k >= 0; --k) {
      const auto s = static_cast<std::size_t>(k);
      const int d = k - (batch_matmul_batch_axes - axes);  // the output's batch axis
      a.batch[s] = d < 0 ? 1 : out.dims[d];
      if (d < 0) continue;
      const int p = batch_size(lhs.dims, d, axes), q = batch_size(rhs.dims, d, axes);
      a.lhs_step[s] = p == 1 ? 0 : lhs_stride;
      a.rhs_step[s] = q == 1 ? 0 : rhs_stride;
      lhs_stride *= p;
      rhs_stride *= q;
    }
    // A[i, k]: lhs[i, k], or lhs[k, i] with adj_x; B[k, j]: rhs[k, j], or
    // rhs[j, k] with adj_y.
    a.lhs_row = o.adj_x ? 1 : m.lhs_depth;
    a.lhs_depth = o.adj_x ? m.rows : 1;
    a.rhs_depth = o.adj_y ? 1 : m.cols;
    a.rhs_col = o.adj_y ? m.rhs_depth : 1;
    if constexpr (!std::is_same_v<T, float>) {
      a.lhs_zero_point = lhs.quant.zero_point;
      a.rhs_zero_point = rhs.quant.zero_point;
      a.out_zero_point = out.quant.zero_point;
      a.requant = product_multiplier(lhs.quant.scale, rhs.quant.scale, out.quant.scale);
    }
    return a;
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const batch_matmul_args<T>& a, const kernel_io& io, tile t) {
    batch_matmul(a, io.input<T>(0), io.input<T>(1), io.output<T>(), t);
  }
};

}  // namespace ops
}  // namespace weft
