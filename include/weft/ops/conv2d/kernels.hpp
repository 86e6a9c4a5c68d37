// SPDX-License-Identifier: Apache-2.0
// 2-D convolution, NHWC input, weights [O, KH, KW, I]: spec inference and
// the reference kernel (int8 bit-exact with TFLite's ConvPerChannel, and
// float32). A kernel call computes one tile: output rows x output channels.
#pragma once

#include "weft/ops/add/kernels.hpp"
#include "weft/ops/arm_dsp.hpp"
#include "weft/ops/common.hpp"

#include <cstdint>
#include <type_traits>

namespace weft {

struct conv2d_options {
  hw stride{1, 1};
  hw dilation{1, 1};
  padding pad = padding::valid;
  activation act = activation::none;
  /// With VALID padding: the input as if padded first with these rows and
  /// columns of its zero point (a PAD folded into the convolution).
  hw pad_before{0, 0};
  hw pad_after{0, 0};
};

namespace ops {

/// Every size a convolution or pool loop needs.
struct window_geometry {
  int batches = 1;
  int in_h = 0, in_w = 0, in_c = 0;
  int out_h = 0, out_w = 0, out_c = 0;
  int k_h = 1, k_w = 1;
  int stride_h = 1, stride_w = 1;
  int dil_h = 1, dil_w = 1;
  int pad_h = 0, pad_w = 0;
  int depth_multiplier = 1;
};

/// Accumulator type of a kernel on T: int32 for int8, float for float32.
template <class T>
using accumulator_t = std::conditional_t<std::is_same_v<T, float>, float, std::int32_t>;

/// Adds two int32 values modulo 2^32, as TFLite's int32 accumulation does
/// when a sum is regrouped (no signed overflow in C++).
constexpr std::int32_t wrapping_add(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}

/// What turns an accumulator into an output element, shared by conv2d,
/// depthwise_conv2d and fully_connected: bias, requantization and the fused
/// activation's clamp.
///
/// int8 kernels sum raw products w * x. TFLite sums w * (x + input_offset);
/// the difference, input_offset times the sum of the channel's weights, is a
/// compile-time constant folded into `bias` (see exec::fill_folded_bias).
/// Where padding clips a window, the kernels read the input zero point for
/// the taps outside the input: its raw products are exactly what the folded
/// constant counted for those taps, so the sum is TFLite's.
template <class T>
struct epilogue;

template <>
struct epilogue<std::int8_t> {
  std::int32_t input_offset = 0;   // -input zero point
  std::int32_t output_offset = 0;  // output zero point
  int8_range act{};
  const std::int32_t* bias = nullptr;   // per output channel: bias + input_offset * sum of its weights
  const multiplier* requant = nullptr;  // per output channel, or one
  int requant_step = 1;                 // 1: per channel, 0: per tensor
  /// Every channel's multiplier shifts right (can_fuse): `fused` holds each
  /// channel's multiplier with the output offset folded in (one record per
  /// tensor when requant_step is 0), and requant is not used. Part of a
  /// kernel's shape key, so a constant there.
  bool use_fused = false;
  const fused_requant* fused = nullptr;
  /// The clamp's minimum is at or above the output zero point (ReLU, ReLU6):
  /// fused requantization skips its sign term (requantize_fused_clamped).
  /// Part of a kernel's shape key.
  bool min_at_zero_point = false;

  /// A residual add folded into the convolution (the memory plan's
  /// in_place_kind::residual): each output element goes through the add
  /// with the element of the add's other input at the same place, which it
  /// then overwrites (the output's bytes are that input's). `residual_first`:
  /// that input is the add's first. Part of a kernel's shape key.
  bool use_residual = false;
  bool residual_first = false;
  bool residual_table = false;              // the add has a table (add_args::table)
  bool residual_fused = false;              // ... and a fused output multiplier (add_args::use_fused)
  bool residual_min_at_zero_point = false;  // min_at_zero_point for the add's output
  const add_args<std::int8_t>* residual = nullptr;

  [[gnu::always_inline]] std::int8_t finish(std::int32_t acc, int c) const { return finish_with(acc, bias[c], c); }
  /// finish with the bias b instead of channel c's (0 for an accumulator
  /// that started from it).
  [[gnu::always_inline]] std::int8_t finish_with(std::int32_t acc, std::int32_t b, int c) const {
    if (use_fused) return finish_fused(acc, b, fused[c * requant_step]);
    acc = requantize(wrapping_add(acc, b), requant[c * requant_step]) + output_offset;
    return static_cast<std::int8_t>(clamp_int8(acc, act));
  }
  /// finish_with for a fused epilogue, with the channel's record r.
  [[gnu::always_inline]] std::int8_t finish_fused(std::int32_t acc, std::int32_t b, const fused_requant& r) const {
    // exec::fill_fused built the records for the form this target takes.
    // The size configuration's kernels read min_at_zero_point at run time,
    // where the short form would cost a branch and both forms' code: they
    // keep the general one.
    const bool clamped = !optimize_size && min_at_zero_point;
    if constexpr (prescaled_requant) {
      acc = clamped ? requantize_prescaled_clamped(acc, b, r) : requantize_prescaled(acc, b, r);
    } else {
      acc = clamped ? requantize_fused_clamped(acc, b, r) : requantize_fused(acc, b, r);
    }
    return static_cast<std::int8_t>(clamp_int8(acc, act));
  }
  /// finish_fused with the clamp's bounds in registers (opaque_bounds).
  [[gnu::always_inline]] std::int8_t finish_fused(std::int32_t acc, const fused_requant& r, int8_range bounds) const {
    if constexpr (prescaled_requant) {
      acc = min_at_zero_point ? requantize_prescaled_clamped(acc, 0, r) : requantize_prescaled(acc, 0, r);
    } else {
      acc = min_at_zero_point ? requantize_fused_clamped(acc, 0, r) : requantize_fused(acc, 0, r);
    }
    return static_cast<std::int8_t>(clamp_int8(acc, bounds));
  }
  /// The clamp's bounds, in registers the compiler cannot see into: for a
  /// run of clamps, so that it does not rebuild a constant bound before
  /// each compare when registers are short (RISC-V has no min or max). Only
  /// where the requantization is the short one (min_at_zero_point): the
  /// long one needs the registers more (measured).
  [[gnu::always_inline]] int8_range opaque_bounds() const {
    int8_range b = act;
#if defined(__riscv)
    if (min_at_zero_point) asm("" : "+r"(b.min), "+r"(b.max));
#endif
    return b;
  }
  /// Finishes output channel c of the pixel at o.
  [[gnu::always_inline]] void put(std::int8_t* o, int c, std::int32_t acc) const { store(o, c, finish(acc, c)); }
  /// Stores channel c's finished value y at o (through the residual add).
  [[gnu::always_inline]] void store(std::int8_t* o, int c, std::int8_t y) const {
    if (use_residual) {
      const std::int8_t x1 = residual_first ? o[c] : y, x2 = residual_first ? y : o[c];
      if constexpr (optimize_size) {
        o[c] = add_element_call(*residual, x1, x2);  // one copy, not one per output site
      } else {
        if (residual_table && residual_fused) {
          o[c] = add_fused_by_table(*residual, x1, x2, residual_min_at_zero_point);
        } else {
          o[c] = residual_table ? add_by_table(*residual, x1, x2) : add_by_rescaling(*residual, x1, x2);
        }
      }
    } else {
      o[c] = y;
    }
  }
};

template <>
struct epilogue<float> {
  float_range act{};
  const float* bias = nullptr;  // may be null

  [[gnu::always_inline]] float finish(float acc, int c) const {
    if (bias != nullptr) acc += bias[c];
    return clamp(acc, act);
  }
  [[gnu::always_inline]] void put(float* o, int c, float acc) const { o[c] = finish(acc, c); }
};

/// What turns a 16x8 layer's sum (int16 activations, int8 weights) into an
/// int16 output, shared by fully_connected, conv2d and depthwise_conv2d.
/// TFLite's accumulator type is its bias type: with an int32 bias the sum
/// wraps modulo 2^32 and the int32 MultiplyByQuantizedMultiplier scales it;
/// with an int64 bias (or none) it is an int64 and the 16-bit-multiplier
/// form (multiply_by_quantized_multiplier_64) scales it. Kernels sum in int64
/// (exact for either: the int32 sum is that sum modulo 2^32).
struct wide_epilogue {
  std::int32_t output_offset = 0;  // fully_connected's output zero point; 0 for convolutions
  int8_range act{};                // the clamp, inside int16's range
  const std::int32_t* bias32 = nullptr;
  const std::int64_t* bias64 = nullptr;
  bool int32_sum = false;               // the accumulator is int32 (an int32 bias)
  const multiplier* requant = nullptr;  // per output channel, or one
  int requant_step = 1;                 // 1: per channel, 0: per tensor

  [[gnu::always_inline]] std::int16_t finish(std::int64_t acc, int c) const {
    const multiplier m = requant[c * requant_step];
    std::int32_t y = 0;
    if (int32_sum) {
      std::uint32_t a = static_cast<std::uint32_t>(static_cast<std::uint64_t>(acc));
      if (bias32 != nullptr) a += static_cast<std::uint32_t>(bias32[c]);
      y = multiply_by_quantized_multiplier(static_cast<std::int32_t>(a), m);
    } else {
      if (bias64 != nullptr) acc += bias64[c];
      y = multiply_by_quantized_multiplier_64(acc, m);
    }
    return static_cast<std::int16_t>(clamp(y + output_offset, act));
  }
};

/// Finishes four consecutive output channels c..c+3 of one output pixel.
template <class T>
[[gnu::always_inline]] inline void finish4(const epilogue<T>& e, T* o, int c, accumulator_t<T> a0, accumulator_t<T> a1,
                                           accumulator_t<T> a2, accumulator_t<T> a3) {
  e.put(o, c, a0);
  e.put(o, c + 1, a1);
  e.put(o, c + 2, a2);
  e.put(o, c + 3, a3);
}

/// Four rows' dot products with x over [begin, end), one element at a
/// time in order: acc_r += x[i] * w[r * stride + i].
template <class T>
[[gnu::always_inline]] inline void dot_rows4(const T* x, const T* w, int stride, int begin, int end,
                                             accumulator_t<T>& acc0, accumulator_t<T>& acc1, accumulator_t<T>& acc2,
                                             accumulator_t<T>& acc3) {
  for (int i = begin; i < end; ++i) {
    const T v = x[i];
    acc0 += w[i] * v;
    acc1 += w[stride + i] * v;
    acc2 += w[2 * stride + i] * v;
    acc3 += w[3 * stride + i] * v;
  }
}

/// Output channels of an int8 1x1 convolution that runs in place, at most:
/// the kernel copies the input pixels it overwrites (one, or two without
/// SIMD) to a buffer of this many bytes each.
inline constexpr int max_in_place_channels = 256;

template <class T>
struct conv2d_args {
  window_geometry g{};
  epilogue<T> e{};
  const T* weights = nullptr;
  /// int8: in_c copies of the input zero point, read for taps outside the
  /// input (see epilogue); only SAME padding needs it. float32: unused, such
  /// taps are skipped.
  const T* pad_row = nullptr;
  /// int8 depthwise convolution with depth multiplier 1 on a core with the
  /// Arm DSP extension: each tap's weights of channels c and c + 2 as two
  /// 16-bit halves (exec::fill_paired_weights), so a block of four channels
  /// loads its weights unpacked. Null elsewhere.
  const std::int32_t* paired_weights = nullptr;
  /// int8 1x1 convolution whose output is its input's bytes (the memory
  /// plan's in_place_kind::pixels): output pixel p replaces input pixel p,
  /// so the kernel reads a copy of the pixels it is about to overwrite.
  bool in_place = false;
};

/// The taps of one window axis that land inside the input: k in
/// [begin, end) where 0 <= origin + k * dilation < size. Clipping the window
/// once per output pixel keeps bounds checks out of the inner loops.
struct tap_range {
  int begin = 0;
  int end = 0;
};

[[gnu::always_inline]] inline tap_range taps_inside(int origin, int k, int dilation, int size) {
  tap_range r{0, k};
  if (origin < 0) r.begin = (-origin + dilation - 1) / dilation;
  if (origin + (k - 1) * dilation >= size) r.end = (size - origin + dilation - 1) / dilation;
  if (r.end < r.begin) r.end = r.begin;
  return r;
}

/// One output pixel's window: its batch's input, its origin and the taps
/// that land inside the input.
template <class T>
struct pixel_window {
  const T* input;  // the batch's first input element
  int iy0, ix0;
  tap_range ry, rx;
  bool clipped;  // some taps fall outside the input
};

/// Calls f(output pixel, window) for every output pixel of the tile's rows.
template <class T, class F>
[[gnu::always_inline]] inline void for_each_output_pixel(const window_geometry& g, tile t, const T* in, T* out, F&& f) {
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = t.row_begin; oy < t.row_end; ++oy) {
      const int iy0 = oy * g.stride_h - g.pad_h;
      const tap_range ry = taps_inside(iy0, g.k_h, g.dil_h, g.in_h);
      const bool rows_clipped = ry.begin != 0 || ry.end != g.k_h;
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int ix0 = ox * g.stride_w - g.pad_w;
        const tap_range rx = taps_inside(ix0, g.k_w, g.dil_w, g.in_w);
        f(out + ((b * g.out_h + oy) * g.out_w + ox) * g.out_c,
          pixel_window<T>{in + b * g.in_h * g.in_w * g.in_c, iy0, ix0, ry, rx,
                          rows_clipped || rx.begin != 0 || rx.end != g.k_w});
      }
    }
  }
}

/// Calls f(input pixel, tap index ky * k_w + kx) for the window's taps inside
/// the input, rows first.
template <class T, class F>
[[gnu::always_inline]] inline void for_each_tap(const window_geometry& g, const pixel_window<T>& p, F&& f) {
  for (int ky = p.ry.begin; ky < p.ry.end; ++ky) {
    const T* row = p.input + (p.iy0 + ky * g.dil_h) * g.in_w * g.in_c;
    for (int kx = p.rx.begin; kx < p.rx.end; ++kx) f(row + (p.ix0 + kx * g.dil_w) * g.in_c, ky * g.k_w + kx);
  }
}

/// int8: calls f(input pixel, tap index) for every tap of the window, rows
/// first; taps outside the input read pad_row (the zero point), which the
/// folded bias accounts for.
template <class F>
[[gnu::always_inline]] inline void for_each_padded_tap(const window_geometry& g, const pixel_window<std::int8_t>& p,
                                                       const std::int8_t* pad_row, F&& f) {
  for (int ky = 0; ky < g.k_h; ++ky) {
    const bool row_inside = ky >= p.ry.begin && ky < p.ry.end;
    const int row = (p.iy0 + ky * g.dil_h) * g.in_w;
    for (int kx = 0; kx < g.k_w; ++kx) {
      const bool inside = row_inside && kx >= p.rx.begin && kx < p.rx.end;
      f(inside ? p.input + (row + p.ix0 + kx * g.dil_w) * g.in_c : pad_row, ky * g.k_w + kx);
    }
  }
}

/// Whether conv2d (Conv) or depthwise_conv2d unroll their loop over a
/// window's taps, as measured on kws and vww: it pays without SIMD, except
/// for RISC-V's depthwise; with the DSP extension GCC then schedules every
/// tap's unpacking first and spills.
template <bool Conv, bool Dsp>
inline constexpr bool unroll_taps = !optimize_size &&
#if defined(__riscv)
                                    Conv;
#else
                                    !Dsp;
#endif

/// Windows of up to this many taps get a table of their taps' input
/// pointers, built once per output pixel and read by every channel block.
inline constexpr int max_tap_table = 64;

/// Fills table[k] with the input pointer of tap k of pixel p's window (rows
/// first); taps outside the input point at pad_row.
[[gnu::always_inline]] inline void fill_tap_table(const window_geometry& g, const pixel_window<std::int8_t>& p,
                                                  const std::int8_t* pad_row, const std::int8_t** table) {
  if (!p.clipped) {
    for (int ky = 0; ky < g.k_h; ++ky) {
      const std::int8_t* row = p.input + ((p.iy0 + ky * g.dil_h) * g.in_w + p.ix0) * g.in_c;
      for (int kx = 0; kx < g.k_w; ++kx) table[ky * g.k_w + kx] = row + kx * g.dil_w * g.in_c;
    }
  } else {
    for_each_padded_tap(
        g, p, pad_row, [&](const std::int8_t* x, int k) __attribute__((always_inline)) { table[k] = x; });
  }
}

/// Runs body(each_tap), where each_tap(f) calls f(input pixel, tap index) for
/// the taps of pixel p's window a kernel sums. int8: every tap, through a
/// pointer table (edge pixels point some taps at pad_row), so interior and
/// edge pixels share one inner loop; float32: the taps inside the input.
template <bool Unroll = false, class T, class Body>
[[gnu::always_inline]] inline void with_taps(const window_geometry& g, const pixel_window<T>& p, const T* pad_row,
                                             Body&& body) {
  if constexpr (std::is_same_v<T, std::int8_t>) {
    const int taps = g.k_h * g.k_w;
    if (taps <= max_tap_table) {
      const std::int8_t* table[max_tap_table];
      fill_tap_table(g, p, pad_row, table);
      body([&](auto&& f) __attribute__((always_inline)) {
        if constexpr (Unroll) {
          // Unrolled for windows up to 3x3: no loop counter, and each tap's
          // weights at a constant offset.
#pragma GCC unroll 9
          for (int k = 0; k < taps; ++k) f(table[k], k);
        } else {
          for (int k = 0; k < taps; ++k) f(table[k], k);
        }
      });
    } else {
      body([&](auto&& f) __attribute__((always_inline)) { for_each_padded_tap(g, p, pad_row, f); });
    }
  } else {
    body([&](auto&& f) __attribute__((always_inline)) { for_each_tap(g, p, f); });
  }
}

/// Whether an int8 convolution is pointwise: a 1x1 window with stride 1,
/// so output pixel p reads input pixel p and the layer is a matrix product
/// of the pixels (rows of in_c) by the weights (rows of in_c).
constexpr bool is_pointwise(const window_geometry& g) {
  return g.k_h == 1 && g.k_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0;
}

/// Pixels x output channels a pointwise block computes without SIMD,
/// matched to the register file: P * C accumulators, P inputs, one weight
/// and the pointers, without spilling (measured on kws's pointwise layers:
/// 2 x 4 beats 1 x 4, 2 x 2, 4 x 1 and, on RISC-V, 3 x 4 and 4 x 4). With
/// the DSP extension, conv2d's four-channel path is faster (1 x 4 channels,
/// four inputs per SMLAD pair); 2 x 2 spilled.
struct pointwise_blocking {
  int pixels;
  int channels;
};
inline constexpr pointwise_blocking pointwise_block_shape{2, 4};

/// Pointwise block: P pixels (x, P rows of n) x C output channels from oc,
/// written to o (P rows of out_c). Each accumulator sums in input order.
template <int P, int C>
[[gnu::always_inline]] inline void pointwise_block(const conv2d_args<std::int8_t>& a, const std::int8_t* x,
                                                   std::int8_t* o, int oc) {
  const int n = a.g.in_c;
  const std::int8_t* w = a.weights + oc * n;
  std::int32_t acc[P][C] = {};
#pragma GCC unroll 4
  for (int i = 0; i < n; ++i) {
    std::int32_t xv[P];
#pragma GCC unroll 8
    for (int p = 0; p < P; ++p) xv[p] = x[p * n + i];
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) {
      const std::int32_t wv = w[c * n + i];
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) acc[p][c] += wv * xv[p];
    }
  }
#pragma GCC unroll 8
  for (int p = 0; p < P; ++p) {
#pragma GCC unroll 8
    for (int c = 0; c < C; ++c) a.e.put(o + p * a.g.out_c, oc + c, acc[p][c]);
  }
}

/// Output channels [begin, end) of `pixels` consecutive pixels of a
/// pointwise layer, one at a time: the edges of a tile that whole blocks do
/// not cover. Not specialized on the shape, so every layer shares one copy.
/// Takes its arguments by value: a caller's arguments whose address escaped
/// could no longer be kept as constants.
[[gnu::noinline]] inline void pointwise_edges(const conv2d_args<std::int8_t> a, const std::int8_t* x, std::int8_t* o,
                                              int pixels, int begin, int end) {
  for (int p = 0; p < pixels; ++p, x += a.g.in_c, o += a.g.out_c)
    for (int oc = begin; oc < end; ++oc) pointwise_block<1, 1>(a, x, o, oc);
}

/// int8 pointwise convolution of one tile without SIMD, in blocks of P
/// pixels: block(x, o, oc) computes P pixels (x, P rows of in_c) by four
/// output channels from oc into o; then the remaining channels one at a
/// time, and the remaining pixels in pointwise_block_shape blocks and one
/// at a time. In place, each group of pixels is finished in a buffer, then
/// copied over them.
template <int P, class Block>
[[gnu::always_inline]] inline void pointwise_tiles(const conv2d_args<std::int8_t>& a, const std::int8_t* in,
                                                   std::int8_t* out, tile t, Block&& block) {
  const window_geometry& g = a.g;
  constexpr int P2 = pointwise_block_shape.pixels, C = pointwise_block_shape.channels;
  static_assert(C == 4 && P >= P2);
  const int blocks_end = t.ch_begin + (t.ch_end - t.ch_begin) / C * C;
  // In place, the outputs overwrite their input pixels: the kernel reads a
  // copy of them.
  alignas(4) std::int8_t pixels[P * max_in_place_channels];
  auto input_of = [&](int p, int n) __attribute__((always_inline)) {
    const std::int8_t* x = in + p * g.in_c;
    if (!a.in_place) return x;
    if (g.in_c % 4 == 0) {  // at a multiple of four bytes from the tensor's aligned start
      __builtin_memcpy(pixels, __builtin_assume_aligned(x, 4), static_cast<unsigned>(n * g.in_c));
    } else {
      __builtin_memcpy(pixels, x, static_cast<unsigned>(n * g.in_c));
    }
    return static_cast<const std::int8_t*>(pixels);
  };
  for (int b = 0; b < g.batches; ++b) {
    const int first = (b * g.out_h + t.row_begin) * g.out_w, last = (b * g.out_h + t.row_end) * g.out_w;
    int p = first;
    for (; p + P <= last; p += P) {
      const std::int8_t* x = input_of(p, P);
      std::int8_t* o = out + p * g.out_c;
      for (int oc = t.ch_begin; oc < blocks_end; oc += C) block(x, o, oc);
      if (blocks_end < t.ch_end) pointwise_edges(a, x, o, P, blocks_end, t.ch_end);
    }
    if constexpr (P > P2) {
      for (; p + P2 <= last; p += P2) {
        const std::int8_t* x = input_of(p, P2);
        std::int8_t* o = out + p * g.out_c;
        for (int oc = t.ch_begin; oc < blocks_end; oc += C) pointwise_block<P2, C>(a, x, o, oc);
        if (blocks_end < t.ch_end) pointwise_edges(a, x, o, P2, blocks_end, t.ch_end);
      }
    }
    if (p < last) pointwise_edges(a, input_of(p, last - p), out + p * g.out_c, last - p, t.ch_begin, t.ch_end);
  }
}

/// int8 pointwise convolution of one tile without SIMD, in
/// pointwise_block_shape blocks.
[[gnu::always_inline]] inline void pointwise(const conv2d_args<std::int8_t>& a, const std::int8_t* in, std::int8_t* out,
                                             tile t) {
  constexpr int P = pointwise_block_shape.pixels, C = pointwise_block_shape.channels;
  pointwise_tiles<P>(
      a, in, out, t, [&](const std::int8_t* x, std::int8_t* o, int oc) __attribute__((always_inline)) {
        pointwise_block<P, C>(a, x, o, oc);
      });
}

/// Whether int8 convolutions whose sizes are compile-time constants
/// (exec::run_shaped_kernel) run in blocks of 4 pixels x 4 output channels
/// (dot4x4): pointwise layers on their pixels, other windows on gathered
/// copies of them (conv2d_gathered_wide). On RV32 with the M extension an
/// assembly loop keeps the sixteen sums, four weights, an input and a
/// product in registers; the host runs the same blocks in C++, so host
/// tests cover their tiling and gathering. Arm keeps its kernels (SMLAD on
/// DSP cores; too few registers without).
// Not at -O0: its operands and clobbers need 25 of the 27 registers GCC may
// allocate, more than an unoptimized build leaves free. Not under Clang
// either: Clang 14 gives each of the sixteen "m" operands a register of its
// own (docs/compilers.md), so its builds run the C++ blocks.
#if defined(__riscv) && defined(__riscv_mul) && __riscv_xlen == 32 && !defined(__riscv_32e) && \
    defined(__OPTIMIZE__) && !defined(__clang__)
inline constexpr bool rv32_asm = true;
#else
inline constexpr bool rv32_asm = false;
#endif
#if defined(__arm__)
inline constexpr bool wide_blocks = false;
#else
inline constexpr bool wide_blocks = !optimize_size;
#endif

/// Row lengths dot4x4 takes: at least four (its loop steps four, then the
/// rest), and four rows addressed from one base register with 12-bit
/// offsets.
constexpr bool dot4x4_fits(int n) { return n >= 4 && 3 * n + 3 < 2048; }

/// Pointwise layers with in_c input channels take wide blocks: dot4x4_fits,
/// and four pixels' copy in place.
constexpr bool wide_pointwise_fits(int in_c) { return dot4x4_fits(in_c) && in_c <= max_in_place_channels; }

/// dot4x4_runs' Jump when the jump between runs is known only at run time.
inline constexpr int runtime_jump = -(1 << 30);

/// Inputs per iteration of dot4x4_rv32's loop over runs of `run` inputs:
/// 16 or 8 where that divides the run's whole fours and keeps every offset
/// (`span`: the largest row offset, from x or w) inside 12 bits, else 4.
/// Fewer iterations, fewer pointer steps and branches.
constexpr int dot4x4_step(int run, int span) {
  for (const int s : {16, 8})
    if (run / 4 * 4 % s == 0 && span + s - 1 < 2048) return s;
  return 4;
}

// clang-format off
/// One pixel's input in dot4x4_rv32: its byte at OFFSET from x times the
/// four weights in a4..a7, added to the sums A0..A3.
#define WEFT_RV32_PIXEL(OFFSET, A0, A1, A2, A3)   \
  "lb t0, " OFFSET "(%[x])\n\t"                   \
  "mul t1, t0, a4\n\tadd " A0 ", " A0 ", t1\n\t"  \
  "mul t1, t0, a5\n\tadd " A1 ", " A1 ", t1\n\t"  \
  "mul t1, t0, a6\n\tadd " A2 ", " A2 ", t1\n\t"  \
  "mul t0, t0, a7\n\tadd " A3 ", " A3 ", t0\n\t"
/// Input K (a byte offset from x and w) of dot4x4_rv32: pixel rows are
/// %[p1] bytes apart, weight rows %[n1] (GNU as takes the
/// offsets' arithmetic).
#define WEFT_RV32_INPUT(K)                                 \
  "lb a4, " K "(%[w])\n\t"                                 \
  "lb a5, %[n1]+" K "(%[w])\n\t"                           \
  "lb a6, 2*%[n1]+" K "(%[w])\n\t"                           \
  "lb a7, 3*%[n1]+" K "(%[w])\n\t"                           \
  WEFT_RV32_PIXEL(K, "s1", "s2", "s3", "s4")               \
  WEFT_RV32_PIXEL("%[p1]+" K, "s5", "s6", "s7", "s8")      \
  WEFT_RV32_PIXEL("2*%[p1]+" K, "s9", "s10", "s11", "ra")    \
  WEFT_RV32_PIXEL("3*%[p1]+" K, "t2", "t3", "t4", "t5")
#define WEFT_RV32_FOUR(K0, K1, K2, K3) \
  WEFT_RV32_INPUT(K0) WEFT_RV32_INPUT(K1) WEFT_RV32_INPUT(K2) WEFT_RV32_INPUT(K3)
#define WEFT_RV32_STEP4 WEFT_RV32_FOUR("0", "1", "2", "3")
#define WEFT_RV32_STEP8 WEFT_RV32_STEP4 WEFT_RV32_FOUR("4", "5", "6", "7")
#define WEFT_RV32_STEP16 \
  WEFT_RV32_STEP8 WEFT_RV32_FOUR("8", "9", "10", "11") WEFT_RV32_FOUR("12", "13", "14", "15")
/// The whole of dot4x4_rv32: sums start from the four biases; a loop of
/// BODY (STEP inputs) per iteration while x is not `xe`; then RUNS (the
/// step to the next run, and back to the loop while w is not `we`), TAIL
/// (the last N % 4 inputs), and the sixteen sums are stored.
#define WEFT_RV32_DOT4X4(BODY, STEP, RUNS, TAIL, ...)                                                   \
  asm volatile(                                                                                         \
      "lw s1, 0(%[b])\n\tlw s2, 4(%[b])\n\tlw s3, 8(%[b])\n\tlw s4, 12(%[b])\n\t"                       \
      "mv s5, s1\n\tmv s6, s2\n\tmv s7, s3\n\tmv s8, s4\n\t"                                            \
      "mv s9, s1\n\tmv s10, s2\n\tmv s11, s3\n\tmv ra, s4\n\t"                                          \
      "mv t2, s1\n\tmv t3, s2\n\tmv t4, s3\n\tmv t5, s4\n"                                              \
      "1:\n\t"                                                                                          \
      BODY                                                                                              \
      "addi %[x], %[x], " STEP "\n\t"                                                                   \
      "addi %[w], %[w], " STEP "\n\t"                                                                   \
      "bne %[x], %[xe], 1b\n\t"                                                                         \
      RUNS                                                                                              \
      TAIL                                                                                              \
      "sw s1, %[c0]\n\tsw s2, %[c1]\n\tsw s3, %[c2]\n\tsw s4, %[c3]\n\t"                                \
      "sw s5, %[c4]\n\tsw s6, %[c5]\n\tsw s7, %[c6]\n\tsw s8, %[c7]\n\t"                                \
      "sw s9, %[c8]\n\tsw s10, %[c9]\n\tsw s11, %[c10]\n\tsw ra, %[c11]\n\t"                            \
      "sw t2, %[c12]\n\tsw t3, %[c13]\n\tsw t4, %[c14]\n\tsw t5, %[c15]"                                \
      : [x] "+r"(x), [w] "+r"(w), [xe] "+r"(xe), [c0] "=m"(acc[0]), [c1] "=m"(acc[1]),                  \
        [c2] "=m"(acc[2]), [c3] "=m"(acc[3]), [c4] "=m"(acc[4]), [c5] "=m"(acc[5]), [c6] "=m"(acc[6]),  \
        [c7] "=m"(acc[7]), [c8] "=m"(acc[8]), [c9] "=m"(acc[9]), [c10] "=m"(acc[10]),                   \
        [c11] "=m"(acc[11]), [c12] "=m"(acc[12]), [c13] "=m"(acc[13]), [c14] "=m"(acc[14]),             \
        [c15] "=m"(acc[15])                                                                             \
      : [b] "r"(bias), [n1] "n"(N), [p1] "n"(P), __VA_ARGS__                                            \
      : "memory", "ra", "t0", "t1", "t2", "t3", "t4", "t5", "a4", "a5", "a6", "a7", "s1", "s2", "s3",   \
        "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11")
/// The step from one run's end to the next run's start (ADVANCE: x plus
/// the jump), while weights remain.
#define WEFT_RV32_RUNS(ADVANCE)                                           \
  ADVANCE                                                                 \
  "addi %[xe], %[x], %[run]\n\t"                                          \
  "bne %[w], %[we], 1b\n\t"
/// A run's last LAST (1 to 3) inputs, after its whole fours: TAIL, then x
/// and w step past them, then WEFT_RV32_RUNS.
#define WEFT_RV32_RUNS_AFTER(TAIL, LAST, ADVANCE)                         \
  TAIL                                                                    \
  "addi %[x], %[x], " LAST "\n\t"                                         \
  "addi %[w], %[w], " LAST "\n\t"                                         \
  WEFT_RV32_RUNS(ADVANCE)
/// The jump as an immediate, or read from memory (no register is left).
#define WEFT_RV32_JUMP_IMMEDIATE "addi %[x], %[x], %[jump]\n\t"
#define WEFT_RV32_JUMP_MEMORY "lw t0, %[jump]\n\tadd %[x], %[x], t0\n\t"
// clang-format on

/// dot4x4 on RV32, in one assembly loop with all sixteen sums in registers
/// (in C++, GCC moves some of them to the stack on every iteration,
/// measured): per input it loads four weights and four inputs for sixteen
/// multiplies and adds. Weight rows (output channels) are N bytes apart at
/// w. Pixel p's inputs are N / Run runs of Run bytes from x + p * P, the
/// runs `jump` bytes apart (after each other's end; Jump where that is a
/// constant of 12 bits, else runtime_jump); the loop takes dot4x4_step
/// inputs per iteration, then each run's last Run % 4. s0 stays free for a
/// frame pointer.
template <int N, int P, int Run, int Jump>
[[gnu::always_inline]] inline void dot4x4_rv32(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias,
                                               std::int32_t (&acc)[16], int jump) {
#if defined(__riscv)
  constexpr int runs = N / Run;
  static_assert(runs * Run == N && Run >= 4 && Run < 2048);
  constexpr int step = dot4x4_step(Run, 3 * (N > P ? N : P));
  const std::int8_t* xe = x + Run / 4 * 4;
  const std::int8_t* const we = w + N;
#define WEFT_RV32_TAILS(BODY, STEP, ADVANCE, JUMP)                                                                     \
  if constexpr (runs > 1 && Run % 4 == 0) {                                                                            \
    WEFT_RV32_DOT4X4(BODY, STEP, WEFT_RV32_RUNS(ADVANCE), "", [we] "r"(we), JUMP, [run] "n"(Run));                     \
  } else if constexpr (runs > 1 && Run % 4 == 1) {                                                                     \
    WEFT_RV32_DOT4X4(BODY, STEP, WEFT_RV32_RUNS_AFTER(WEFT_RV32_INPUT("0"), "1", ADVANCE), "", [we] "r"(we),           \
                     JUMP, [run] "n"(Run / 4 * 4));                                                                    \
  } else if constexpr (runs > 1 && Run % 4 == 2) {                                                                     \
    WEFT_RV32_DOT4X4(BODY, STEP, WEFT_RV32_RUNS_AFTER(WEFT_RV32_INPUT("0") WEFT_RV32_INPUT("1"), "2", ADVANCE),        \
                     "", [we] "r"(we), JUMP, [run] "n"(Run / 4 * 4));                                                  \
  } else if constexpr (runs > 1) {                                                                                     \
    WEFT_RV32_DOT4X4(                                                                                                  \
        BODY, STEP,                                                                                                    \
        WEFT_RV32_RUNS_AFTER(WEFT_RV32_INPUT("0") WEFT_RV32_INPUT("1") WEFT_RV32_INPUT("2"), "3", ADVANCE),            \
        "", [we] "r"(we), JUMP, [run] "n"(Run / 4 * 4));                                                               \
  } else if constexpr (N % 4 == 0) {                                                                                   \
    WEFT_RV32_DOT4X4(BODY, STEP, "", "", [unused] "n"(0));                                                             \
  } else if constexpr (N % 4 == 1) {                                                                                   \
    WEFT_RV32_DOT4X4(BODY, STEP, "", WEFT_RV32_INPUT("0"), [unused] "n"(0));                                           \
  } else if constexpr (N % 4 == 2) {                                                                                   \
    WEFT_RV32_DOT4X4(BODY, STEP, "", WEFT_RV32_INPUT("0") WEFT_RV32_INPUT("1"), [unused] "n"(0));                      \
  } else {                                                                                                             \
    WEFT_RV32_DOT4X4(BODY, STEP, "", WEFT_RV32_INPUT("0") WEFT_RV32_INPUT("1") WEFT_RV32_INPUT("2"), [unused] "n"(0)); \
  }
#define WEFT_RV32_STEPS(ADVANCE, JUMP)                     \
  if constexpr (step == 16) {                              \
    WEFT_RV32_TAILS(WEFT_RV32_STEP16, "16", ADVANCE, JUMP) \
  } else if constexpr (step == 8) {                        \
    WEFT_RV32_TAILS(WEFT_RV32_STEP8, "8", ADVANCE, JUMP)   \
  } else {                                                 \
    WEFT_RV32_TAILS(WEFT_RV32_STEP4, "4", ADVANCE, JUMP)   \
  }
  if constexpr (Jump != runtime_jump) {
    static_assert(Jump >= -2048 && Jump < 2048);
    WEFT_RV32_STEPS(WEFT_RV32_JUMP_IMMEDIATE, [jump] "n"(Jump))
  } else {
    WEFT_RV32_STEPS(WEFT_RV32_JUMP_MEMORY, [jump] "m"(jump))
  }
#undef WEFT_RV32_STEPS
#undef WEFT_RV32_TAILS
  (void)we, (void)jump;
#else
  (void)x, (void)w, (void)bias, (void)acc, (void)jump;
#endif
}
#undef WEFT_RV32_JUMP_MEMORY
#undef WEFT_RV32_JUMP_IMMEDIATE
#undef WEFT_RV32_RUNS_AFTER
#undef WEFT_RV32_RUNS
#undef WEFT_RV32_DOT4X4
#undef WEFT_RV32_STEP16
#undef WEFT_RV32_STEP8
#undef WEFT_RV32_STEP4
#undef WEFT_RV32_FOUR
#undef WEFT_RV32_INPUT
#undef WEFT_RV32_PIXEL

/// The 4 x 4 dot products of a block: w is 4 rows of N weights (output
/// channels) N bytes apart; pixel p's N inputs are N / Run runs of Run
/// bytes from x + p * P, each run `jump` bytes after the previous one's
/// end (Jump, where that is a constant). acc[4p + c] = bias[c] + pixel p's
/// inputs times row c of w, summed in input order as TFLite's int32 sums
/// are (modulo 2^32).
template <int N, int P, int Run, int Jump = runtime_jump>
[[gnu::always_inline]] inline void dot4x4_runs(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias,
                                               std::int32_t (&acc)[16], int jump) {
  static_assert(dot4x4_fits(N) && 3 * P + 3 < 2048 && N % Run == 0);
  if constexpr (Jump != runtime_jump) jump = Jump;
  if constexpr (rv32_asm) {
    dot4x4_rv32<N, P, Run, Jump>(x, w, bias, acc, jump);
  } else {
    for (int p = 0; p < 4; ++p) {
      for (int c = 0; c < 4; ++c) {
        std::uint32_t sum = static_cast<std::uint32_t>(bias[c]);
        const std::int8_t* in = x + p * P;
        for (int r = 0; r < N / Run; ++r, in += Run + jump)
          for (int i = 0; i < Run; ++i) sum += static_cast<std::uint32_t>(in[i] * w[c * N + r * Run + i]);
        acc[p * 4 + c] = static_cast<std::int32_t>(sum);
      }
    }
  }
}

/// dot4x4_runs of 4 rows of N contiguous inputs, N bytes apart.
template <int N>
[[gnu::always_inline]] inline void dot4x4(const std::int8_t* x, const std::int8_t* w, const std::int32_t* bias,
                                          std::int32_t (&acc)[16]) {
  dot4x4_runs<N, N, N>(x, w, bias, acc, 0);
}

/// Finishes a dot4x4 block's sums into output channels oc..oc+3 of the
/// first `pixels` pixels, pixel p at out(p) (for pixels a constant stride
/// apart, each store is one base register and an immediate offset).
template <class Out>
[[gnu::always_inline]] inline void finish4x4(const conv2d_args<std::int8_t>& a, Out&& out, int oc,
                                             const std::int32_t (&acc)[16], int pixels = 4) {
  if (a.e.use_fused) {
    // The four channels' records copied first: an int8 store may alias the
    // table, a local may not, so they load once for the four pixels.
    fused_requant r[4];
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) r[c] = a.e.fused[(oc + c) * a.e.requant_step];
    if (!a.e.use_residual) {
      const int8_range bounds = a.e.opaque_bounds();
#pragma GCC unroll 4
      for (int p = 0; p < 4; ++p) {
        if (p >= pixels) break;
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) a.e.store(out(p), oc + c, a.e.finish_fused(acc[p * 4 + c], r[c], bounds));
      }
    } else {
      // With a residual add: a pixel at a time, its four channels unrolled.
#pragma GCC unroll 1
      for (int p = 0; p < pixels; ++p) {
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) a.e.store(out(p), oc + c, a.e.finish_fused(acc[p * 4 + c], 0, r[c]));
      }
    }
  } else {
    // A residual add is long: one copy of it, not sixteen.
#pragma GCC unroll 1
    for (int p = 0; p < pixels; ++p) {
#pragma GCC unroll 1
      for (int c = 0; c < 4; ++c) a.e.store(out(p), oc + c, a.e.finish_with(acc[p * 4 + c], 0, oc + c));
    }
  }
}

/// int8 pointwise convolution with in_c = N known at compile time, in
/// blocks of 4 pixels x 4 channels (wide_blocks, wide_pointwise_fits(N)).
template <int N>
[[gnu::always_inline]] inline void pointwise_wide(const conv2d_args<std::int8_t>& a, const std::int8_t* in,
                                                  std::int8_t* out, tile t) {
  static_assert(wide_pointwise_fits(N));
  pointwise_tiles<4>(
      a, in, out, t, [&](const std::int8_t* x, std::int8_t* o, int oc) __attribute__((always_inline)) {
        std::int32_t acc[16];
        dot4x4<N>(x, a.weights + oc * N, a.e.bias + oc, acc);
        finish4x4(
            a, [&](int p) __attribute__((always_inline)) { return o + p * a.g.out_c; }, oc, acc);
      });
}

/// Walks a tile's output pixels two at a time along each row (int8 windows
/// of up to max_tap_table taps): pair(o0, table0, table1) computes pixels
/// o0 and o0 + out_c, whose taps' input pointers are in the tables (taps
/// outside the input point at pad_row); a row's odd last pixel goes to
/// single(o, window). Kernels without SIMD use it so that each weight load
/// serves two pixels.
template <class Pair, class Single>
[[gnu::always_inline]] inline void for_each_pixel_pair(const window_geometry& g, tile t, const std::int8_t* in,
                                                       std::int8_t* out, const std::int8_t* pad_row, Pair&& pair,
                                                       Single&& single) {
  for (int b = 0; b < g.batches; ++b) {
    const std::int8_t* input = in + b * g.in_h * g.in_w * g.in_c;
    for (int oy = t.row_begin; oy < t.row_end; ++oy) {
      const int iy0 = oy * g.stride_h - g.pad_h;
      const tap_range ry = taps_inside(iy0, g.k_h, g.dil_h, g.in_h);
      const bool rows_clipped = ry.begin != 0 || ry.end != g.k_h;
      std::int8_t* row_out = out + (b * g.out_h + oy) * g.out_w * g.out_c;
      auto window_at = [&](int ox) __attribute__((always_inline)) {
        const int ix0 = ox * g.stride_w - g.pad_w;
        const tap_range rx = taps_inside(ix0, g.k_w, g.dil_w, g.in_w);
        return pixel_window<std::int8_t>{input, iy0, ix0, ry, rx, rows_clipped || rx.begin != 0 || rx.end != g.k_w};
      };
      int ox = 0;
      for (; ox + 2 <= g.out_w; ox += 2) {
        const std::int8_t* table0[max_tap_table];
        const std::int8_t* table1[max_tap_table];
        fill_tap_table(g, window_at(ox), pad_row, table0);
        fill_tap_table(g, window_at(ox + 1), pad_row, table1);
        pair(row_out + ox * g.out_c, table0, table1);
      }
      if (ox < g.out_w) single(row_out + ox * g.out_c, window_at(ox));
    }
  }
}

/// int8 convolution without SIMD, two output pixels of a row by four output
/// channels per block (as pointwise blocks); the odd last pixel of a row
/// goes through conv2d's one-pixel path. Each accumulator sums its taps in
/// the same order.
template <class Single>
[[gnu::always_inline]] inline void conv2d_pixel_pairs(const conv2d_args<std::int8_t>& a, const std::int8_t* in,
                                                      std::int8_t* out, tile t, Single&& single) {
  const window_geometry& g = a.g;
  const int taps = g.k_h * g.k_w;
  const int filter = taps * g.in_c;
  constexpr int C = 4;
  const int blocks_end = t.ch_begin + (t.ch_end - t.ch_begin) / C * C;
  auto pair = [&](std::int8_t * o0, const std::int8_t* const* table0, const std::int8_t* const* table1)
      __attribute__((always_inline)) {
    std::int8_t* o1 = o0 + g.out_c;
    for (int oc = t.ch_begin; oc < blocks_end; oc += C) {
      std::int32_t acc[2][C] = {};
      for (int k = 0; k < taps; ++k) {
        const std::int8_t* x0 = table0[k];
        const std::int8_t* x1 = table1[k];
        const std::int8_t* w = a.weights + (oc * taps + k) * g.in_c;
#pragma GCC unroll 4
        for (int i = 0; i < g.in_c; ++i) {
          const std::int32_t v0 = x0[i], v1 = x1[i];
#pragma GCC unroll 4
          for (int c = 0; c < C; ++c) {
            const std::int32_t wv = w[c * filter + i];
            acc[0][c] += wv * v0;
            acc[1][c] += wv * v1;
          }
        }
      }
      finish4(a.e, o0, oc, acc[0][0], acc[0][1], acc[0][2], acc[0][3]);
      finish4(a.e, o1, oc, acc[1][0], acc[1][1], acc[1][2], acc[1][3]);
    }
    for (int oc = blocks_end; oc < t.ch_end; ++oc) {
      std::int32_t acc0 = 0, acc1 = 0;
      for (int k = 0; k < taps; ++k) {
        const std::int8_t* w = a.weights + (oc * taps + k) * g.in_c;
        for (int i = 0; i < g.in_c; ++i) {
          acc0 += w[i] * table0[k][i];
          acc1 += w[i] * table1[k][i];
        }
      }
      a.e.put(o0, oc, acc0);
      a.e.put(o1, oc, acc1);
    }
  };
  for_each_pixel_pair(g, t, in, out, a.pad_row, pair, single);
}

/// Largest window (taps x input channels) conv2d_gathered copies per pixel.
inline constexpr int max_gathered_window = 576;

/// Copies an output pixel's window into `window` in the weights' order
/// (rows, columns, channels); taps outside the input read the zero point,
/// as everywhere.
[[gnu::always_inline]] inline void gather_window(const conv2d_args<std::int8_t>& a, const pixel_window<std::int8_t>& p,
                                                 std::int8_t* window) {
  const window_geometry& g = a.g;
  auto gather_tap = [&](const std::int8_t* x, int k) __attribute__((always_inline)) {
    if (g.in_c % 4 == 0) {
      // Word copies: a pixel of a multiple of four channels starts on a
      // word (tensors are aligned in the arena, and so is the pad row), and
      // so does its place in the window buffer (aligned by its caller).
      const auto* from = static_cast<const std::int8_t*>(__builtin_assume_aligned(x, 4));
      auto* to = static_cast<std::int8_t*>(__builtin_assume_aligned(window + k * g.in_c, 4));
      for (int ic = 0; ic < g.in_c; ic += 4) __builtin_memcpy(to + ic, from + ic, 4);
    } else {
      for (int ic = 0; ic < g.in_c; ++ic) window[k * g.in_c + ic] = x[ic];
    }
  };
  if (g.in_c % 4 == 0 && g.dil_w == 1 && !p.clipped) {
    // A window inside the input: each row is one run of k_w x in_c input
    // bytes, word-aligned, copied a word at a time.
    const int run = g.k_w * g.in_c;
    for (int ky = 0; ky < g.k_h; ++ky) {
      const auto* from = static_cast<const std::int8_t*>(
          __builtin_assume_aligned(p.input + ((p.iy0 + ky * g.dil_h) * g.in_w + p.ix0) * g.in_c, 4));
      auto* to = static_cast<std::int8_t*>(__builtin_assume_aligned(window + ky * run, 4));
      for (int i = 0; i < run; i += 4) __builtin_memcpy(to + i, from + i, 4);
    }
    return;
  }
  if (g.in_c % 4 != 0 && g.dil_w == 1) {
    // Few channels: a window row inside the input is one run of
    // k_w x in_c input bytes, copied at once.
    const int run = g.k_w * g.in_c;
    for (int ky = 0; ky < g.k_h; ++ky) {
      if (ky >= p.ry.begin && ky < p.ry.end && p.rx.begin == 0 && p.rx.end == g.k_w) {
        __builtin_memcpy(window + ky * run, p.input + ((p.iy0 + ky * g.dil_h) * g.in_w + p.ix0) * g.in_c,
                         static_cast<unsigned>(run));
      } else {
        const bool row_inside = ky >= p.ry.begin && ky < p.ry.end;
        const int row = (p.iy0 + ky * g.dil_h) * g.in_w;
        for (int kx = 0; kx < g.k_w; ++kx) {
          const bool inside = row_inside && kx >= p.rx.begin && kx < p.rx.end;
          gather_tap(inside ? p.input + (row + p.ix0 + kx) * g.in_c : a.pad_row, ky * g.k_w + kx);
        }
      }
    }
  } else {
    for_each_padded_tap(g, p, a.pad_row, gather_tap);
  }
}

/// int8 convolution on a core with the Arm DSP extension whose input
/// channels are not a multiple of four (first layers: 1 or 3 channels):
/// each output pixel's window is first gathered into one contiguous buffer
/// (taps outside the input read the zero point, as everywhere), in the
/// weights' order (rows, columns, channels), so the dot products run four
/// bytes at a time through SMLAD whatever the channel count.
[[gnu::always_inline]] inline void conv2d_gathered(const conv2d_args<std::int8_t>& a, const std::int8_t* in,
                                                   std::int8_t* out, tile t) {
  const window_geometry& g = a.g;
  const int filter = g.k_h * g.k_w * g.in_c;
  const int body = filter & ~3;
  for_each_output_pixel(
      g, t, in, out, [&](std::int8_t * o, const pixel_window<std::int8_t>& p) __attribute__((always_inline)) {
        alignas(4) std::int8_t window[max_gathered_window];
        gather_window(a, p, window);
        int oc = t.ch_begin;
        for (; g.out_c >= 4 && oc + 4 <= t.ch_end; oc += 4) {
          const std::int8_t* w = a.weights + oc * filter;
          std::int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
          arm_dsp::dot_rows4(window, w, filter, body, acc0, acc1, acc2, acc3);
          dot_rows4<std::int8_t>(window, w, filter, body, filter, acc0, acc1, acc2, acc3);
          finish4(a.e, o, oc, acc0, acc1, acc2, acc3);
        }
        for (; oc < t.ch_end; ++oc) {
          const std::int8_t* w = a.weights + oc * filter;
          std::int32_t acc = 0;
          for (int i = 0; i < filter; ++i) acc += w[i] * window[i];
          a.e.put(o, oc, acc);
        }
      });
}

/// Windows (not pointwise) with K = k_h * k_w * in_c weights per output
/// channel that dot4x4 takes, on cores with wide_blocks.
constexpr bool wide_gathered_fits(const window_geometry& g) {
  const int k = g.k_h * g.k_w * g.in_c;
  return !is_pointwise(g) && dot4x4_fits(k) && k <= max_gathered_window;
}

/// int8 convolution with K weights per output channel known at compile
/// time (wide_gathered_fits), in blocks of 4 pixels x 4 channels: four
/// output pixels' windows are gathered (gather_window) into four rows of K,
/// then each block of four channels is one dot4x4. A tile's last group of
/// fewer than four pixels fills the missing rows with zeros and stores only
/// its own outputs. Not in place (only 1x1 layers are).
template <int K>
[[gnu::always_inline]] inline void conv2d_gathered_wide(const conv2d_args<std::int8_t>& a, const std::int8_t* in,
                                                        std::int8_t* out, tile t) {
  const window_geometry& g = a.g;
  static_assert(dot4x4_fits(K) && K <= max_gathered_window);
  alignas(4) std::int8_t windows[4 * K];
  std::int8_t* outs[4] = {};
  int pixels = 0;
  auto run = [&]() __attribute__((always_inline)) {
    int oc = t.ch_begin;
    for (; oc + 4 <= t.ch_end; oc += 4) {
      std::int32_t acc[16];
      dot4x4<K>(windows, a.weights + oc * K, a.e.bias + oc, acc);
      finish4x4(
          a, [&](int p) __attribute__((always_inline)) { return outs[p]; }, oc, acc, pixels);
    }
    for (; oc < t.ch_end; ++oc) {
      const std::int8_t* w = a.weights + oc * K;
      for (int p = 0; p < pixels; ++p) {
        std::int32_t acc = 0;
        for (int i = 0; i < K; ++i) acc += w[i] * windows[p * K + i];
        a.e.put(outs[p], oc, acc);
      }
    }
  };
  for_each_output_pixel(
      g, t, in, out, [&](std::int8_t * o, const pixel_window<std::int8_t>& p) __attribute__((always_inline)) {
        gather_window(a, p, windows + pixels * K);
        outs[pixels++] = o;
        if (pixels == 4) {
          run();
          pixels = 0;
        }
      });
  if (pixels > 0) {
    __builtin_memset(windows + pixels * K, 0, static_cast<unsigned>((4 - pixels) * K));
    run();
  }
}

/// Input columns four neighbouring output pixels of a row read (no
/// dilation along rows): pixel p's taps start p strides after the first's.
constexpr int rows_span(const window_geometry& g) { return 3 * g.stride_w + g.k_w; }

/// Bytes of the patch conv2d_rows_wide copies four pixels' windows into
/// where padding clips them: k_h rows of rows_span columns.
constexpr int rows_patch_bytes(const window_geometry& g) { return g.k_h * rows_span(g) * g.in_c; }
inline constexpr int max_rows_patch = 2048;

/// Windows (not pointwise) conv2d_rows_wide takes, on cores with
/// wide_blocks: runs (k_w x in_c bytes) of at least four inputs, no
/// dilation along rows, output rows of whole blocks of four pixels, K
/// weights per channel that dot4x4 takes, four pixels' offsets and a run
/// inside 12-bit immediates, and a patch of at most max_rows_patch bytes.
constexpr bool wide_rows_fits(const window_geometry& g) {
  const int k = g.k_h * g.k_w * g.in_c;
  return !is_pointwise(g) && g.k_w * g.in_c >= 4 && g.dil_w == 1 && g.out_w % 4 == 0 && dot4x4_fits(k) &&
         3 * g.stride_w * g.in_c + 3 < 2048 && g.k_w * g.in_c < 2048 && rows_patch_bytes(g) <= max_rows_patch;
}

/// Whether some block of four pixels of g reads outside the input (then
/// conv2d_rows_wide needs its patch).
constexpr bool rows_may_clip(const window_geometry& g) {
  for (int oy = 0; oy < g.out_h; ++oy) {
    const int iy0 = oy * g.stride_h - g.pad_h;
    if (iy0 < 0 || iy0 + (g.k_h - 1) * g.dil_h >= g.in_h) return true;
  }
  for (int ox = 0; ox < g.out_w; ox += 4) {
    const int ix0 = ox * g.stride_w - g.pad_w;
    if (ix0 < 0 || ix0 + rows_span(g) > g.in_w) return true;
  }
  return false;
}

/// int8 convolution with its shape G a compile-time constant
/// (wide_rows_fits), in blocks of four neighbouring pixels of a row x four
/// output channels, read where they are: each of a pixel's k_h window rows
/// is one run of k_w x in_c input bytes, and the four pixels' runs are a
/// stride apart, so dot4x4_runs reads the input itself with constant
/// offsets. Only blocks that padding clips are first copied into a patch of
/// the same layout (the zero point outside the input). Not in place.
template <window_geometry G>
[[gnu::always_inline]] inline void conv2d_rows_wide(const conv2d_args<std::int8_t>& a, const std::int8_t* in,
                                                    std::int8_t* out, tile t) {
  static_assert(wide_rows_fits(G));
  constexpr int C = G.in_c, Run = G.k_w * C, K = G.k_h * Run, P = G.stride_w * C, span = rows_span(G);
  constexpr bool may_clip = rows_may_clip(G);
  // Runs are a row of the input apart; a patch whose rows are as far apart
  // makes that a constant (an immediate in dot4x4_runs) where it is small
  // enough, else the patch's rows are packed and the jump read at run time.
  constexpr int row = G.dil_h * G.in_w * C;
  constexpr bool wide_patch = G.k_h > 1 && (G.k_h - 1) * row + span * C <= max_rows_patch && row - Run < 2048;
  constexpr int patch_row = wide_patch ? row : span * C;
  constexpr int Jump = G.k_h == 1 ? 0 : wide_patch ? row - Run : runtime_jump;
  alignas(4) std::int8_t patch[may_clip ? (G.k_h - 1) * patch_row + span * C : 4];
  for (int b = 0; b < G.batches; ++b) {
    const std::int8_t* input = in + b * G.in_h * G.in_w * C;
    for (int oy = t.row_begin; oy < t.row_end; ++oy) {
      const int iy0 = oy * G.stride_h - G.pad_h;
      const bool rows_inside = iy0 >= 0 && iy0 + (G.k_h - 1) * G.dil_h < G.in_h;
      std::int8_t* row_out = out + (b * G.out_h + oy) * G.out_w * G.out_c;
      for (int ox = 0; ox < G.out_w; ox += 4) {
        const int ix0 = ox * G.stride_w - G.pad_w;
        const std::int8_t* x = input + (iy0 * G.in_w + ix0) * C;
        int jump = G.dil_h * G.in_w * C - Run;
        if (may_clip && !(rows_inside && ix0 >= 0 && ix0 + span <= G.in_w)) {
          for (int ky = 0; ky < G.k_h; ++ky) {
            const int iy = iy0 + ky * G.dil_h;
            // The columns [lo, hi) of the patch row inside the input, one
            // run of bytes there; the others read the zero point.
            int lo = 0, hi = 0;
            if (iy >= 0 && iy < G.in_h) {
              lo = ix0 < 0 ? -ix0 : 0;
              hi = G.in_w - ix0 < span ? G.in_w - ix0 : span;
            }
            std::int8_t* to = patch + ky * patch_row;
            // Words where pixels are whole words: pixels of a multiple of
            // four channels start on a word (tensors are aligned in the
            // arena), and so do the pad row and the patch (alignas, and
            // rows a whole number of pixels apart).
            const std::int8_t* from = input + (iy * G.in_w + ix0) * C;
            if constexpr (C % 4 == 0) {
              // A pixel at a time, in words.
              for (int cx = 0; cx < span; ++cx) {
                const auto* f = static_cast<const std::int8_t*>(
                    __builtin_assume_aligned(cx >= lo && cx < hi ? from + cx * C : a.pad_row, 4));
                auto* d = static_cast<std::int8_t*>(__builtin_assume_aligned(to + cx * C, 4));
#pragma GCC unroll 16
                for (int i = 0; i < C; i += 4) __builtin_memcpy(d + i, f + i, 4);
              }
            } else {
              // The pad pixels, then the inside run at once.
              for (int cx = 0; cx < span; ++cx)
                if (cx < lo || cx >= hi)
                  for (int i = 0; i < C; ++i) to[cx * C + i] = a.pad_row[i];
              for (int i = lo * C; i < hi * C; ++i) to[i] = from[i];
            }
          }
          x = patch;
          jump = patch_row - Run;
        }
        std::int8_t* const o = row_out + ox * G.out_c;
        auto outs = [o](int p) __attribute__((always_inline)) { return o + p * G.out_c; };
        int oc = t.ch_begin;
        for (; oc + 4 <= t.ch_end; oc += 4) {
          std::int32_t acc[16];
          dot4x4_runs<K, P, Run, Jump>(x, a.weights + oc * K, a.e.bias + oc, acc, jump);
          finish4x4(a, outs, oc, acc);
        }
        for (; oc < t.ch_end; ++oc) {
          const std::int8_t* w = a.weights + oc * K;
          for (int p = 0; p < 4; ++p) {
            std::int32_t acc = 0;
            for (int ky = 0; ky < G.k_h; ++ky)
              for (int i = 0; i < Run; ++i) acc += w[ky * Run + i] * x[p * P + ky * (Run + jump) + i];
            a.e.put(outs(p), oc, acc);
          }
        }
      }
    }
  }
}

// Output channels are computed in blocks of four that share every input load;
// each channel still sums its taps in the same order (rows, columns, input
// channels), so float results are the same bits as one channel at a time.
//
// Dsp (int8, a core with the Arm DSP extension, input channels a multiple of
// four): four input channels per step, two SMLADs per output channel.
template <class T, bool Dsp = false>
[[gnu::always_inline]] inline void conv2d(const conv2d_args<T>& a, const T* in, T* out, tile t) {
  const window_geometry& g = a.g;
  if constexpr (std::is_same_v<T, std::int8_t> && !optimize_size) {
    if constexpr (Dsp && arm_dsp::available) {
      if ((g.in_c % 4 != 0 || g.k_h * g.k_w > 1) && g.k_h * g.k_w * g.in_c <= max_gathered_window) {
        conv2d_gathered(a, in, out, t);
        return;
      }
    } else if (is_pointwise(g)) {
      pointwise(a, in, out, t);
      return;
    }
  }
  const int taps = g.k_h * g.k_w;
  const int filter = taps * g.in_c;  // weights per output channel
  auto one_pixel = [&](T * o, const pixel_window<T>& window) __attribute__((always_inline)) {
    // In place (int8 1x1): the outputs overwrite the input pixel, so the
    // kernel reads a copy of it.
    alignas(4) T pixel[std::is_same_v<T, std::int8_t> ? max_in_place_channels : 1];
    pixel_window<T> p = window;
    if (std::is_same_v<T, std::int8_t> && a.in_place) {
      const T* x = p.input + (p.iy0 * g.in_w + p.ix0) * g.in_c;
      if (g.in_c % 4 == 0) {  // at a multiple of four bytes from the tensor's aligned start
        __builtin_memcpy(pixel, __builtin_assume_aligned(x, 4), static_cast<unsigned>(g.in_c) * sizeof(T));
      } else {
        __builtin_memcpy(pixel, x, static_cast<unsigned>(g.in_c) * sizeof(T));
      }
      p = pixel_window<T>{pixel, 0, 0, p.ry, p.rx, false};
    }
    with_taps<unroll_taps<true, Dsp && arm_dsp::available>>(
        g, p, a.pad_row, [&](auto&& each_tap) __attribute__((always_inline)) {
          int oc = t.ch_begin;
          for (; g.out_c >= 4 && oc + 4 <= t.ch_end; oc += 4) {
            accumulator_t<T> acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
            each_tap([&](const T* x, int k) __attribute__((always_inline)) {
              const T* w = a.weights + (oc * taps + k) * g.in_c;
              if constexpr (Dsp && arm_dsp::available && std::is_same_v<T, std::int8_t>) {
                if (g.in_c % 4 == 0) {
                  arm_dsp::dot_rows4(x, w, filter, g.in_c, acc0, acc1, acc2, acc3);
                  return;
                }
              }
              dot_rows4(x, w, filter, 0, g.in_c, acc0, acc1, acc2, acc3);
            });
            finish4(a.e, o, oc, acc0, acc1, acc2, acc3);
          }
          for (; oc < t.ch_end; ++oc) {
            accumulator_t<T> acc = 0;
            each_tap([&](const T* x, int k) __attribute__((always_inline)) {
              const T* w = a.weights + (oc * taps + k) * g.in_c;
              for (int ic = 0; ic < g.in_c; ++ic) acc += w[ic] * x[ic];
            });
            a.e.put(o, oc, acc);
          }
        });
  };
  if constexpr (std::is_same_v<T, std::int8_t> && !Dsp && !optimize_size) {
    if (!a.in_place && taps <= max_tap_table) {
      conv2d_pixel_pairs(a, in, out, t, one_pixel);
      return;
    }
  }
  for_each_output_pixel(g, t, in, out, one_pixel);
}

/// A 16x8 convolution or depthwise convolution (int16 input and output, int8
/// weights): its window, epilogue and weights. TFLite applies neither the
/// input nor the output zero point (it checks neither); taps outside the
/// input are left out, which is padding with 0.
struct conv16_args {
  window_geometry g{};
  wide_epilogue e{};
  const std::int8_t* weights = nullptr;
};

/// TFLite's 16x8 ConvPerChannel: output rows t.row_begin..t.row_end of every
/// batch, output channels t.ch_begin..t.ch_end; weights [O, KH, KW, I]. A
/// plain loop, apart from the int8 kernels.
[[gnu::always_inline]] inline void conv2d16(const conv16_args& a, const std::int16_t* in, std::int16_t* out, tile t) {
  const window_geometry& g = a.g;
  for (int b = 0; b < g.batches; ++b)
    for (int oy = t.row_begin; oy < t.row_end; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int y0 = oy * g.stride_h - g.pad_h, x0 = ox * g.stride_w - g.pad_w;
        std::int16_t* o = out + ((b * g.out_h + oy) * g.out_w + ox) * g.out_c;
        for (int oc = t.ch_begin; oc < t.ch_end; ++oc) {
          std::int64_t acc = 0;
          for (int ky = 0; ky < g.k_h; ++ky) {
            const int y = y0 + ky * g.dil_h;
            if (y < 0 || y >= g.in_h) continue;
            for (int kx = 0; kx < g.k_w; ++kx) {
              const int x = x0 + kx * g.dil_w;
              if (x < 0 || x >= g.in_w) continue;
              const std::int16_t* xi = in + ((b * g.in_h + y) * g.in_w + x) * g.in_c;
              const std::int8_t* w = a.weights + ((oc * g.k_h + ky) * g.k_w + kx) * g.in_c;
              for (int ic = 0; ic < g.in_c; ++ic) acc += std::int32_t{w[ic]} * std::int32_t{xi[ic]};
            }
          }
          o[oc] = a.e.finish(acc, oc);
        }
      }
}

/// Geometry of a windowed operator from its input shape and window; shared
/// by conv2d, depthwise_conv2d and the pools.
constexpr window_geometry make_window(const shape& in, int out_c, hw kernel, hw stride, hw dilation, padding p,
                                      int depth_multiplier = 1, hw before = {0, 0}, hw after = {0, 0}) {
  window_geometry g{};
  g.batches = in[0];
  g.in_h = in[1];
  g.in_w = in[2];
  g.in_c = in[3];
  g.k_h = kernel.h;
  g.k_w = kernel.w;
  g.stride_h = stride.h;
  g.stride_w = stride.w;
  g.dil_h = dilation.h;
  g.dil_w = dilation.w;
  g.out_c = out_c;
  g.depth_multiplier = depth_multiplier;
  if (p == padding::valid) {  // explicit padding: VALID over the padded input
    g.out_h = output_size(p, g.in_h + before.h + after.h, g.k_h, g.stride_h, g.dil_h);
    g.out_w = output_size(p, g.in_w + before.w + after.w, g.k_w, g.stride_w, g.dil_w);
    g.pad_h = before.h;
    g.pad_w = before.w;
    return g;
  }
  g.out_h = output_size(p, g.in_h, g.k_h, g.stride_h, g.dil_h);
  g.out_w = output_size(p, g.in_w, g.k_w, g.stride_w, g.dil_w);
  g.pad_h = padding_before(g.in_h, g.k_h, g.stride_h, g.dil_h, g.out_h);
  g.pad_w = padding_before(g.in_w, g.k_w, g.stride_w, g.dil_w, g.out_w);
  return g;
}

/// Largest filter size, stride or dilation: far beyond any model for a
/// microcontroller, and small enough that window arithmetic (filter area,
/// dilated reach) stays within int.
inline constexpr int max_window = 32767;

constexpr bool valid_window(hw kernel, hw stride, hw dilation) {
  auto in_range = [](hw v) { return v.h >= 1 && v.w >= 1 && v.h <= max_window && v.w <= max_window; };
  return in_range(kernel) && in_range(stride) && in_range(dilation);
}

/// The window of a convolution with options o and weights of shape ws
/// [O, KH, KW, I] over input shape `in`.
constexpr window_geometry conv2d_window(const shape& in, const conv2d_options& o, const shape& ws) {
  return make_window(in, ws[0], {ws[1], ws[2]}, o.stride, o.dilation, o.pad, 1, o.pad_before, o.pad_after);
}

/// Explicit padding (a folded PAD) goes with VALID only, within the window
/// limits.
constexpr bool valid_explicit_padding(padding p, hw before, hw after) {
  auto in_range = [](hw v) { return v.h >= 0 && v.w >= 0 && v.h <= max_window && v.w <= max_window; };
  if (!in_range(before) || !in_range(after)) return false;
  return p == padding::valid || (before == hw{0, 0} && after == hw{0, 0});
}

constexpr inferred infer_conv2d(const tensor_spec& in, const conv2d_options& o, const constant& w, const constant& b,
                                const quantization& out_q) {
  if (in.dims.rank != 4) return {.err = error::not_4d};
  if (!valid_explicit_padding(o.pad, o.pad_before, o.pad_after)) return {.err = error::bad_padding};
  const shape& ws = w.spec.dims;
  if (!w.empty() && ws.rank != 4) return {.err = error::conv_weights_shape};
  if (error e = check_constants(in, w, b, ws[0], 0); e != error::none) return {.err = e};
  if (ws[3] != in.dims[3]) return {.err = error::conv_channels};
  if (!valid_window({ws[1], ws[2]}, o.stride, o.dilation)) return {.err = error::bad_window};
  if (error e = check_output_quantization(in, out_q); e != error::none) return {.err = e};
  const window_geometry g = conv2d_window(in.dims, o, ws);
  if (g.out_h < 1 || g.out_w < 1) return {.err = error::empty_output};
  inferred r{};
  r.out = output_spec(in, shape{g.batches, g.out_h, g.out_w, g.out_c}, out_q);
  r.macs = std::int64_t{g.batches} * g.out_h * g.out_w * g.out_c * g.k_h * g.k_w * g.in_c;
  r.pad = {g.pad_h, g.pad_w};
  return r;
}

}  // namespace ops
}  // namespace weft
