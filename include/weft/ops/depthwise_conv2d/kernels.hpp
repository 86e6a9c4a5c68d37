// SPDX-License-Identifier: Apache-2.0
// Depthwise 2-D convolution, weights [1, KH, KW, C * M]: spec inference and
// reference kernels (int8 bit-exact with TFLite's DepthwiseConvPerChannel,
// and float32). A kernel call computes output rows x output channels.
#pragma once

#include "weft/ops/conv2d/kernels.hpp"

#include <cstdint>

namespace weft {

struct depthwise_conv2d_options {
  hw stride{1, 1};
  hw dilation{1, 1};
  padding pad = padding::valid;
  activation act = activation::none;
  int depth_multiplier = 1;
  /// With VALID padding: the input as if padded first with these rows and
  /// columns of its zero point (a PAD folded into the convolution).
  hw pad_before{0, 0};
  hw pad_after{0, 0};
};

namespace ops {

/// Whether depthwise convolutions without SIMD compute two pixels per block
/// (depthwise_pixel_pairs), as measured on kws's depthwise layers: on RISC-V
/// it pays (646,484 -> 563,685 instructions per layer), on the M33 without
/// DSP it does not (409,090 -> 451,581: GCC spills). Compiled models on
/// RISC-V and the host now take depthwise_rows where the shape fits; the
/// pairs remain for the other shapes and for kernels whose shape is read at
/// run time (the host tests' runtime graphs cover them).
inline constexpr bool depthwise_pairs =
#if defined(__arm__)
    false;
#else
    true;
#endif

/// int8 depthwise convolution with depth multiplier 1 without SIMD: two
/// output pixels of a row by four channels per block, so each weight load
/// serves both pixels; the odd last pixel of a row goes through the
/// one-pixel path (`single`). Each accumulator sums its taps in the same
/// order. In place (the memory plan's in_place_kind::shifted), a pair's
/// outputs are written after both pixels' inputs are read, and neither
/// overwrites an input pixel the pair or a later pixel reads.
template <class Single>
[[gnu::always_inline]] inline void depthwise_pixel_pairs(const conv2d_args<std::int8_t>& a, const std::int8_t* in,
                                                         std::int8_t* out, tile t, Single&& single) {
  const window_geometry& g = a.g;
  const int taps = g.k_h * g.k_w;
  constexpr int C = 4;
  const int blocks_end = t.ch_begin + (t.ch_end - t.ch_begin) / C * C;
  auto pair = [&](std::int8_t * o0, const std::int8_t* const* table0, const std::int8_t* const* table1)
      __attribute__((always_inline)) {
    std::int8_t* o1 = o0 + g.out_c;
    for (int oc = t.ch_begin; oc < blocks_end; oc += C) {
      std::int32_t acc[2][C] = {};
#pragma GCC unroll 1
      for (int k = 0; k < taps; ++k) {
        const std::int8_t* x0 = table0[k] + oc;
        const std::int8_t* x1 = table1[k] + oc;
        const std::int8_t* w = a.weights + k * g.out_c + oc;
        const std::int32_t w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3];
        const std::int32_t a0 = x0[0], a1 = x0[1], a2 = x0[2], a3 = x0[3];
        const std::int32_t b0 = x1[0], b1 = x1[1], b2 = x1[2], b3 = x1[3];
        acc[0][0] += w0 * a0;
        acc[0][1] += w1 * a1;
        acc[0][2] += w2 * a2;
        acc[0][3] += w3 * a3;
        acc[1][0] += w0 * b0;
        acc[1][1] += w1 * b1;
        acc[1][2] += w2 * b2;
        acc[1][3] += w3 * b3;
      }
      finish4(a.e, o0, oc, acc[0][0], acc[0][1], acc[0][2], acc[0][3]);
      finish4(a.e, o1, oc, acc[1][0], acc[1][1], acc[1][2], acc[1][3]);
    }
    for (int oc = blocks_end; oc < t.ch_end; ++oc) {
      std::int32_t acc0 = 0, acc1 = 0;
      for (int k = 0; k < taps; ++k) {
        const std::int32_t wv = a.weights[k * g.out_c + oc];
        acc0 += wv * table0[k][oc];
        acc1 += wv * table1[k][oc];
      }
      a.e.put(o0, oc, acc0);
      a.e.put(o1, oc, acc1);
    }
  };
  for_each_pixel_pair(g, t, in, out, a.pad_row, pair, single);
}

/// Output rows depthwise_rows computes without a loop, at most.
inline constexpr int max_unrolled_row = 8;

/// Bytes of input rows depthwise_rows keeps on the stack, at most.
inline constexpr int max_depthwise_ring = 1024;

/// depthwise_rows's ring: rows of one channel's padded input, each wide
/// enough for every window of an output row (columns from -pad_w), and as
/// many rows as a window spans (each kept twice, see there).
constexpr int depthwise_ring_width(const window_geometry& g) {
  return (g.out_w - 1) * g.stride_w + (g.k_w - 1) * g.dil_w + 1;
}
constexpr int depthwise_ring_rows(const window_geometry& g) { return (g.k_h - 1) * g.dil_h + 1; }

/// Shapes depthwise_rows takes: depth multiplier 1, at most nine taps (one
/// channel's weights stay in registers) and a ring of at most
/// max_depthwise_ring bytes.
constexpr bool depthwise_rows_fits(const window_geometry& g) {
  return g.depth_multiplier == 1 && g.k_h * g.k_w <= 9 &&
         2 * depthwise_ring_width(g) * depthwise_ring_rows(g) <= max_depthwise_ring;
}

/// int8 depthwise convolution with depth multiplier 1 on cores with
/// wide_blocks, its shape G a compile-time constant: one channel at a time,
/// its weights and requantization record in registers. Each input row of
/// the channel is copied once into a ring of padded rows (the input zero
/// point outside the input), so windows read contiguous bytes with no edge
/// cases, and output pixels are computed a few at a time, column by
/// column, so each input byte is loaded once per block.
///
/// In place (the memory plan's in_place_kind::shifted, a shift of whole
/// pixels), output channel c only overwrites input channel c, and within a
/// channel pixels go in raster order: when output row oy is computed, its
/// input rows are still intact (the shift keeps every input pixel that a
/// later output pixel reads), and they are copied before any of its outputs
/// is stored.
template <window_geometry G>
[[gnu::always_inline]] inline void depthwise_rows(const conv2d_args<std::int8_t>& a, const std::int8_t* in,
                                                  std::int8_t* out, tile t) {
  static_assert(depthwise_rows_fits(G));
  constexpr int W = depthwise_ring_width(G), R = depthwise_ring_rows(G), C = G.out_c;
  constexpr int K = G.k_h * G.k_w;
  // Ring columns read from the input: the others stay the zero point.
  constexpr int copy_begin = G.pad_w < W ? G.pad_w : W;
  constexpr int copy_end = G.pad_w + G.in_w < W ? G.pad_w + G.in_w : W;
  const std::int8_t zero = a.pad_row != nullptr ? a.pad_row[0] : std::int8_t{0};
  // Input row iy sits in ring slots iy mod R and R + iy mod R, so a window's
  // rows are always R consecutive slots: one pointer and constant offsets.
  std::int8_t ring[2 * R * W];
  __builtin_memset(ring, zero, sizeof ring);
  for (int c = t.ch_begin; c < t.ch_end; ++c) {
    std::int32_t w[K];
#pragma GCC unroll 9
    for (int k = 0; k < K; ++k) w[k] = a.weights[k * C + c];
    const std::int32_t b = a.e.bias[c];
    // The channel's record, copied: int8 stores may alias the original.
    const fused_requant r = a.e.use_fused ? a.e.fused[c] : fused_requant{};
    auto finish = [&](std::int32_t acc) __attribute__((always_inline)) {
      return a.e.use_fused ? a.e.finish_fused(acc, b, r) : a.e.finish_with(acc, b, c);
    };
    for (int n = 0; n < G.batches; ++n) {
      const std::int8_t* plane = in + n * G.in_h * G.in_w * C + c;
      std::int8_t* o = out + (n * G.out_h + t.row_begin) * G.out_w * C;
      int next = t.row_begin * G.stride_h - G.pad_h;  // the next input row to copy into the ring
      for (int oy = t.row_begin; oy < t.row_end; ++oy) {
        const int iy0 = oy * G.stride_h - G.pad_h;
        if (next < iy0) next = iy0;
        for (; next < iy0 + R; ++next) {
          std::int8_t* slot = ring + (next % R + R) % R * W;
          if (next < 0 || next >= G.in_h) {
            for (int j = copy_begin; j < copy_end; ++j) slot[j] = slot[R * W + j] = zero;
          } else {
            const std::int8_t* src = plane + (next * G.in_w + copy_begin - G.pad_w) * C;
#pragma GCC unroll 4
            for (int j = copy_begin; j < copy_end; ++j) slot[j] = slot[R * W + j] = src[(j - copy_begin) * C];
          }
        }
        const std::int8_t* rows = ring + (iy0 % R + R) % R * W;
        // Opaque to the compiler, so it addresses the row from one register
        // with constant offsets instead of keeping one address per byte.
        asm("" : "+r"(rows));
        // P consecutive output pixels, the first one's window at ring column
        // x, column by column: each ring byte is loaded once, its products go
        // to the (at most k_w) pixels whose windows hold it, and a pixel is
        // finished at its window's last column.
        auto pixels = [&]<int P>(const std::int8_t* x, std::int8_t* op) __attribute__((always_inline)) {
          std::int32_t acc[P] = {};
#pragma GCC unroll 64
          for (int j = 0; j < (P - 1) * G.stride_w + (G.k_w - 1) * G.dil_w + 1; ++j) {
            std::int32_t v[G.k_h];
#pragma GCC unroll 9
            for (int ky = 0; ky < G.k_h; ++ky) v[ky] = x[ky * G.dil_h * W + j];
#pragma GCC unroll 9
            for (int kx = G.k_w - 1; kx >= 0; --kx) {
              const int at = j - kx * G.dil_w;  // pixel i's window starts at column i * stride_w
              if (at < 0 || at % G.stride_w != 0 || at / G.stride_w >= P) continue;
              const int i = at / G.stride_w;
#pragma GCC unroll 9
              for (int ky = 0; ky < G.k_h; ++ky) acc[i] += w[ky * G.k_w + kx] * v[ky];
              if (kx == G.k_w - 1) a.e.store(op + i * C, c, finish(acc[i]));
            }
          }
        };
        if constexpr (G.out_w <= max_unrolled_row) {
          pixels.template operator()<G.out_w>(rows, o);  // a short row at once
        } else {
          constexpr int P = 4;
          int ox = 0;
          for (; ox + P <= G.out_w; ox += P) pixels.template operator()<P>(rows + ox * G.stride_w, o + ox * C);
          if constexpr (G.out_w % P != 0) pixels.template operator()<G.out_w % P>(rows + ox * G.stride_w, o + ox * C);
        }
        o += G.out_w * C;
      }
    }
  }
}

// Same parameters as conv2d; the weight layout and channel mapping differ:
// output channel oc reads input channel oc / depth_multiplier. Channels are
// computed in blocks of four per output pixel, each summing its taps in the
// same order as one at a time.
//
// Dsp (int8, a core with the Arm DSP extension, depth multiplier 1): the
// block's four input bytes are loaded as one word and unpacked into halves,
// its weights come unpacked from the paired table (two words), and the
// products accumulate by halves (SMLABB, SMLATT).
template <class T, bool Dsp = false>
[[gnu::always_inline]] inline void depthwise_conv2d(const conv2d_args<T>& a, const T* in, T* out, tile t) {
  const window_geometry& g = a.g;
  const int m = g.depth_multiplier;
  auto one_pixel = [&](T * o, const pixel_window<T>& p) __attribute__((always_inline)) {
    with_taps<unroll_taps<false, Dsp && arm_dsp::available>>(
        g, p, a.pad_row, [&](auto&& each_tap) __attribute__((always_inline)) {
          int oc = t.ch_begin;
          for (; g.out_c >= 4 && oc + 4 <= t.ch_end; oc += 4) {
            accumulator_t<T> acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
            each_tap([&](const T* x, int k) __attribute__((always_inline)) {
              const T* w = a.weights + k * g.out_c + oc;
              if constexpr (Dsp && arm_dsp::available && std::is_same_v<T, std::int8_t>) {
                if (m == 1) {
                  const std::uint32_t xv = arm_dsp::load4(x + oc);
                  const std::int32_t* pw = a.paired_weights + k * g.out_c + oc;
                  const auto we = static_cast<std::uint32_t>(pw[0]), wo = static_cast<std::uint32_t>(pw[1]);
                  const std::uint32_t xe = arm_dsp::sxtb16(xv), xo = arm_dsp::sxtb16_ror8(xv);
                  acc0 = arm_dsp::smlabb(xe, we, acc0);
                  acc1 = arm_dsp::smlabb(xo, wo, acc1);
                  acc2 = arm_dsp::smlatt(xe, we, acc2);
                  acc3 = arm_dsp::smlatt(xo, wo, acc3);
                  return;
                }
              }
              acc0 += w[0] * x[oc / m];
              acc1 += w[1] * x[(oc + 1) / m];
              acc2 += w[2] * x[(oc + 2) / m];
              acc3 += w[3] * x[(oc + 3) / m];
            });
            finish4(a.e, o, oc, acc0, acc1, acc2, acc3);
          }
          for (; oc < t.ch_end; ++oc) {
            accumulator_t<T> acc = 0;
            each_tap([&](const T* x, int k)
                         __attribute__((always_inline)) { acc += a.weights[k * g.out_c + oc] * x[oc / m]; });
            a.e.put(o, oc, acc);
          }
        });
  };
  if constexpr (std::is_same_v<T, std::int8_t> && !Dsp && !optimize_size && depthwise_pairs) {
    if (m == 1 && g.k_h * g.k_w <= max_tap_table) {
      depthwise_pixel_pairs(a, in, out, t, one_pixel);
      return;
    }
  }
  for_each_output_pixel(g, t, in, out, one_pixel);
}

/// The window of a depthwise convolution with options o and weights of
/// shape ws [1, KH, KW, C * M] over input shape `in`.
constexpr window_geometry depthwise_conv2d_window(const shape& in, const depthwise_conv2d_options& o, const shape& ws) {
  return make_window(in, ws[3], {ws[1], ws[2]}, o.stride, o.dilation, o.pad, o.depth_multiplier, o.pad_before,
                     o.pad_after);
}

/// TFLite's 16x8 DepthwiseConvPerChannel: output channel oc = c * M + m reads
/// input channel c, weights [1, KH, KW, C * M]; an int64 sum, no offsets,
/// taps outside the input left out; output rows t.row_begin..t.row_end of
/// every batch, channels t.ch_begin..t.ch_end.
[[gnu::always_inline]] inline void depthwise_conv2d16(const conv16_args& a, const std::int16_t* in, std::int16_t* out,
                                                      tile t) {
  const window_geometry& g = a.g;
  for (int b = 0; b < g.batches; ++b)
    for (int oy = t.row_begin; oy < t.row_end; ++oy)
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int y0 = oy * g.stride_h - g.pad_h, x0 = ox * g.stride_w - g.pad_w;
        std::int16_t* o = out + ((b * g.out_h + oy) * g.out_w + ox) * g.out_c;
        for (int oc = t.ch_begin; oc < t.ch_end; ++oc) {
          const int c = oc / g.depth_multiplier;
          std::int64_t acc = 0;
          for (int ky = 0; ky < g.k_h; ++ky) {
            const int y = y0 + ky * g.dil_h;
            if (y < 0 || y >= g.in_h) continue;
            for (int kx = 0; kx < g.k_w; ++kx) {
              const int x = x0 + kx * g.dil_w;
              if (x < 0 || x >= g.in_w) continue;
              acc += std::int32_t{a.weights[(ky * g.k_w + kx) * g.out_c + oc]} *
                     std::int32_t{in[((b * g.in_h + y) * g.in_w + x) * g.in_c + c]};
            }
          }
          o[oc] = a.e.finish(acc, oc);
        }
      }
}

constexpr inferred infer_depthwise_conv2d(const tensor_spec& in, const depthwise_conv2d_options& o, const constant& w,
                                          const constant& b, const quantization& out_q) {
  inferred r{};
  if (in.dims.rank != 4) return {.err = error::not_4d};
  if (!valid_explicit_padding(o.pad, o.pad_before, o.pad_after)) return {.err = error::bad_padding};
  const shape& ws = w.spec.dims;
  if (!w.empty() && (ws.rank != 4 || ws[0] != 1)) return {.err = error::depthwise_weights_shape};
  if (error e = check_constants(in, w, b, ws[3], 3); e != error::none) return {.err = e};
  if (o.depth_multiplier < 1 || o.depth_multiplier > max_window) return {.err = error::bad_window};
  if (ws[3] != static_cast<std::int64_t>(in.dims[3]) * o.depth_multiplier) return {.err = error::depthwise_channels};
  if (!valid_window({ws[1], ws[2]}, o.stride, o.dilation)) return {.err = error::bad_window};
  if (error e = check_output_quantization(in, out_q); e != error::none) return {.err = e};
  // TFLite Micro's 16x8 depthwise convolution reads its bias as int64 and
  // aborts without one.
  if (in.type == dtype::int16 && (b.empty() || b.spec.type != dtype::int64)) return {.err = error::depthwise16_bias};
  const window_geometry g = depthwise_conv2d_window(in.dims, o, ws);
  if (g.out_h < 1 || g.out_w < 1) return {.err = error::empty_output};
  r.out = output_spec(in, shape{g.batches, g.out_h, g.out_w, g.out_c}, out_q);
  r.macs = std::int64_t{g.batches} * g.out_h * g.out_w * g.out_c * g.k_h * g.k_w;
  r.pad = {g.pad_h, g.pad_w};
  return r;
}

}  // namespace ops
}  // namespace weft
