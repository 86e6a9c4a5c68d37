// SPDX-License-Identifier: Apache-2.0
// TRANSPOSE_CONV as an operator unit (see weft/ops/unit.hpp): the gradient
// of a convolution, each input pixel spread over a window of the output.
// Weights [O, KH, KW, I] as conv2d's, an optional bias, int8 (per-channel or
// per-tensor weight scales) and float32, as TFLite Micro's reference kernels
// compute it:
//
//   acc[n, oy, ox, oc] = sum over (iy, ix, ic, fy, fx) with
//                        oy = iy * stride_h - pad_h + fy, ox = ix * stride_w - pad_w + fx
//                        of (in[n, iy, ix, ic] - input zero point) * w[oc, fy, fx, ic]
//
// then the bias, the channel's requantization (int8) and the fused
// activation's clamp. The output's height and width are the output tensor's
// (options::out: TFLite ignores its output_shape operand), and the padding
// is a convolution's over that output: pad = max(0, (U - 1) * s + K - OH) / 2
// with U = ceil(OH / s) (SAME) or (OH + s - K) / s (VALID).
//
// TFLite scatters every input pixel into an int32 scratch; weft gathers
// instead: each output element sums its own terms, so cores can split the
// output's rows or channels without sharing a scratch. An int8 sum is exact
// in any order; float32 terms are added in TFLite's order (input row, then
// column, then channel), so float32 results are the same sums too.
//
// 16x8 (int16 input and output, int8 weights): TFLite Micro sums x * w in
// int64 with neither zero point applied (it checks neither), adds an int64
// bias (an int16 one it widens first; the reader widens it), scales by the
// 16-bit-multiplier MultiplyByQuantizedMultiplier on int64 and clamps to the
// activation's range; an int32 bias it would read as int64, so weft refuses
// it.
#pragma once

#include "weft/exec/tables.hpp"
#include "weft/ops/conv2d/kernels.hpp"
#include "weft/ops/unit.hpp"

#include <cstdint>
#include <type_traits>

namespace weft {

struct transpose_conv_options {
  hw stride{1, 1};
  padding pad = padding::same;
  activation act = activation::none;
  hw out{1, 1};  // the output's height and width
};

namespace ops {

/// The padding before the first output row (column) of a transpose
/// convolution with output size `out` (TFLite Micro's transpose_conv.cc:
/// ComputePaddingHeightWidth over the output, no dilation).
constexpr int transpose_padding(padding p, int out, int filter, int stride) {
  const int rows = output_size(p, out, filter, stride, 1);
  return padding_before(out, filter, stride, 1, rows);
}

template <class T>
struct transpose_conv_args {
  window_geometry g{};  // in_* the input, out_* the output, k_* the filter
  epilogue<T> e{};
  const T* weights = nullptr;
  const std::int32_t* bias = nullptr;  // int8: the raw bias (not folded); may be null
};
/// 16x8: the epilogue holds the int64 bias and the multipliers.
template <>
struct transpose_conv_args<std::int16_t> {
  window_geometry g{};
  wide_epilogue e{};
  const std::int8_t* weights = nullptr;
};

/// The output rows and channels of tile t: each element gathers the input
/// pixels whose window covers it, filter rows and columns from the last
/// (input rows and columns from the first), channels in order.
template <class T>
[[gnu::always_inline]] inline void transpose_conv(const transpose_conv_args<T>& a, const T* in, T* out, tile t) {
  const window_geometry& g = a.g;
  // int8 subtracts the input zero point from each term; float32 and 16x8
  // have none.
  const std::int32_t input_offset = [&] {
    if constexpr (std::is_same_v<T, std::int8_t>) {
      return a.e.input_offset;
    } else {
      return 0;
    }
  }();
  using sum_t = std::conditional_t<std::is_same_v<T, std::int16_t>, std::int64_t, accumulator_t<T>>;
  for (int b = 0; b < g.batches; ++b) {
    const T* image = in + static_cast<std::ptrdiff_t>(b) * g.in_h * g.in_w * g.in_c;
    for (int oy = t.row_begin; oy < t.row_end; ++oy) {
      for (int ox = 0; ox < g.out_w; ++ox) {
        T* o = out + ((static_cast<std::ptrdiff_t>(b) * g.out_h + oy) * g.out_w + ox) * g.out_c;
        for (int oc = t.ch_begin; oc < t.ch_end; ++oc) {
          sum_t acc = 0;
          const auto* w_oc = a.weights + static_cast<std::ptrdiff_t>(oc) * g.k_h * g.k_w * g.in_c;
          for (int fy = g.k_h - 1; fy >= 0; --fy) {
            const int ty = oy + g.pad_h - fy;
            if (ty < 0 || ty % g.stride_h != 0 || ty / g.stride_h >= g.in_h) continue;
            const int iy = ty / g.stride_h;
            for (int fx = g.k_w - 1; fx >= 0; --fx) {
              const int tx = ox + g.pad_w - fx;
              if (tx < 0 || tx % g.stride_w != 0 || tx / g.stride_w >= g.in_w) continue;
              const T* x = image + (static_cast<std::ptrdiff_t>(iy) * g.in_w + tx / g.stride_w) * g.in_c;
              const auto* w = w_oc + (fy * g.k_w + fx) * g.in_c;
              for (int ic = 0; ic < g.in_c; ++ic) {
                if constexpr (std::is_same_v<T, float>) {
                  acc += x[ic] * w[ic];
                } else {
                  acc += (x[ic] + input_offset) * w[ic];
                }
              }
            }
          }
          if constexpr (std::is_same_v<T, float> || std::is_same_v<T, std::int16_t>) {
            o[oc] = a.e.finish(acc, oc);
          } else {
            o[oc] = a.e.finish_with(acc, a.bias != nullptr ? a.bias[oc] : 0, oc);
          }
        }
      }
    }
  }
}

struct transpose_conv_op : windowed_family {
  using options = transpose_conv_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::convolution;
  static constexpr auto fields = std::tuple{field{"stride", &options::stride}, field{"pad", &options::pad},
                                            field{"act", &options::act}, field{"out", &options::out}};
  static constexpr bool has_weights = true;
  /// 16x8: int16 activations with int8 weights.
  static constexpr bool int16_input(int k) { return k == 0; }

  /// The geometry of node n's kernel on input shape `in`.
  template <class Node>
  static constexpr window_geometry geometry(const Node& n, const shape& in) {
    const options& o = n.template opt<options>();
    const shape& ws = n.weights.spec.dims;
    window_geometry g{};
    g.batches = in[0];
    g.in_h = in[1];
    g.in_w = in[2];
    g.in_c = in[3];
    g.out_h = o.out.h;
    g.out_w = o.out.w;
    g.out_c = ws[0];
    g.k_h = ws[1];
    g.k_w = ws[2];
    g.stride_h = o.stride.h;
    g.stride_w = o.stride.w;
    g.pad_h = transpose_padding(o.pad, o.out.h, ws[1], o.stride.h);
    g.pad_w = transpose_padding(o.pad, o.out.w, ws[2], o.stride.w);
    return g;
  }

  /// conv2d's checks of the input, weights, bias and strides; an output of
  /// at least one row and column.
  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    const constant& w = *x.weights;
    if (in.type != dtype::int8 && in.type != dtype::int16 && in.type != dtype::float32)
      return {.err = error::unsupported_dtype};
    if (in.dims.rank != 4) return {.err = error::not_4d};
    const shape& ws = w.spec.dims;
    if (!w.empty() && ws.rank != 4) return {.err = error::conv_weights_shape};
    if (error e = check_constants(in, w, *x.bias, ws[0], 0); e != error::none) return {.err = e};
    if (ws[3] != in.dims[3]) return {.err = error::conv_channels};
    if (!valid_window({ws[1], ws[2]}, o.stride, {1, 1})) return {.err = error::bad_window};
    if (o.out.h < 1 || o.out.w < 1 || o.out.h > 32767 || o.out.w > 32767) return {.err = error::bad_size};
    if (error e = check_output_quantization(in, x.out); e != error::none) return {.err = e};
    if (in.type == dtype::int16 && !x.bias->empty() && x.bias->spec.type != dtype::int64)
      return {.err = error::transpose_conv16_bias};
    inferred r{};
    r.out = output_spec(in, shape{in.dims[0], o.out.h, o.out.w, ws[0]}, x.out);
    // Every input element meets every filter tap once (some outside the
    // output): the multiply-adds TFLite does.
    r.macs = in.dims.elements() * ws.elements() / in.dims[3];
    r.pad = {transpose_padding(o.pad, o.out.h, ws[1], o.stride.h),
             transpose_padding(o.pad, o.out.w, ws[2], o.stride.w)};
    return r;
  }

  /// As conv2d: rows or channels of the output, each element its share of
  /// the multiply-adds plus its requantization.
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind in_place) {
    const auto& n = g.at(i);
    const std::int64_t outputs = g.spec(n.output).dims.elements();
    return window_axes(g, i, (n.macs + outputs - 1) / outputs + m.per_output, in_place);
  }

  /// A core writes its output rows and channels and reads the input rows
  /// whose windows reach them (every input channel).
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    const auto& n = g.at(i);
    const shape& out = g.spec(n.output).dims;
    const shape& in = g.spec(n.inputs[0]).dims;
    const window_geometry wg = geometry(n, in);
    accesses a{};
    access_region w = plan_detail::image_rows(out, t.row_begin, t.row_end);
    w.col_lo = t.ch_begin;
    w.col_hi = t.ch_end;
    a.write = plan_detail::make_region(g, plan, n.output, w);
    // Input row iy reaches output rows iy * s - pad .. iy * s - pad + K - 1.
    const int first = t.row_begin + wg.pad_h - (wg.k_h - 1);
    int lo = first <= 0 ? 0 : (first + wg.stride_h - 1) / wg.stride_h;
    int hi = (t.row_end - 1 + wg.pad_h) / wg.stride_h + 1;
    hi = hi > in[1] ? in[1] : hi;
    lo = lo > hi ? hi : lo;
    access_region r = plan_detail::image_rows(in, lo, hi);
    r.col_hi = in[3];
    a.reads[0] = plan_detail::make_region(g, plan, n.inputs[0], r);
    a.read_count = 1;
    return a;
  }

  // Prepared constants (exec/prepare.hpp): one requantization multiplier
  // per output channel, from s_in * s_w[c] / s_out as TFLite computes it.
  // The folded bias exec prepares alongside is not read: an output element
  // gathers only some of its channel's weights, so the input offset is
  // applied to each term instead, and the raw bias added at the end.
  template <class Node>
  static constexpr int weight_channels(const Node& n) {
    return n.weights.spec.dims[0];
  }

  template <class T, class G>
  static constexpr transpose_conv_args<T> make_args(const G& g, int i, const exec::node_tables& tables) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    transpose_conv_args<T> a{};
    a.g = geometry(n, in.dims);
    if constexpr (std::is_same_v<T, std::int16_t>) {
      a.e = exec::make_wide_epilogue(g.spec(n.output), n, tables, 1, false);
      a.weights = n.weights.i8;
    } else {
      a.e = exec::make_epilogue<T>(in, g.spec(n.output), n, tables, 1);
      a.weights = exec::weights_of<T>(n);
      if constexpr (std::is_same_v<T, std::int8_t>) a.bias = n.bias.i32;  // float32: the epilogue adds it
    }
    return a;
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const transpose_conv_args<T>& a, const kernel_io& io, tile t) {
    transpose_conv(a, io.input<T>(0), io.output<T>(), t);
  }
};

}  // namespace ops
}  // namespace weft
