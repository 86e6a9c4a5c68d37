// SPDX-License-Identifier: Apache-2.0
// Fully connected layer, weights [outputs, inputs]: spec inference and the
// reference kernel (int8 bit-exact with TFLite's FullyConnected, float32).
// A kernel call computes batch rows x output neurons.
#pragma once

#include "weft/ops/conv2d/kernels.hpp"

#include <cstdint>

namespace weft {

struct fully_connected_options {
  activation act = activation::none;
  /// Keep the input's leading dimensions (TFLite's keep_num_dims); otherwise
  /// the output is [batches, outputs].
  bool keep_num_dims = false;
};

namespace ops {

template <class T>
struct fully_connected_args {
  int batches = 1;
  int in_size = 0;
  int out_size = 0;
  epilogue<T> e{};
  const T* weights = nullptr;  // null where the packed weights replace them
  /// int8 layers that run on packed weights (fc_packs): the words, every
  /// block's windows (lengths in inputs) and where each block's windows
  /// start (exec::fill_packed_fc). Null elsewhere.
  const std::int32_t* packed = nullptr;
  const std::uint16_t* windows = nullptr;
  const std::int32_t* block_windows = nullptr;
};

/// Largest sum of |w| over one window's inputs, for each output of a packed
/// block: with |x| <= 128, each 16-bit half's sum stays inside int16.
inline constexpr int packed_lane_limit = 255;

/// Whether an int8 fully connected layer with these sizes runs on packed
/// weights (fully_connected_packed): on cores with wide_blocks, which have
/// no SIMD multiply-accumulate, in blocks of four outputs. It costs flash:
/// two bytes per weight instead of one.
/// Layers above max_packed_weights stay unpacked: their packed copy would
/// double a large share of flash, and packing them at compile time costs
/// more constant evaluation than a compiler allows by default
/// (mobilenet_v2's 1000 x 1280 classifier).
inline constexpr std::int64_t max_packed_weights = 1 << 17;
constexpr bool fc_packs(int in_size, int out_size) {
  return wide_blocks && out_size % 4 == 0 && in_size >= 1 && in_size <= 65535 &&
         std::int64_t{in_size} * out_size <= max_packed_weights;
}

/// Adds the two 16-bit halves of a window's packed sum t = lo + 65536 * hi
/// (each inside int16) to acc_lo and acc_hi.
[[gnu::always_inline]] inline void add_halves(std::uint32_t t, std::int32_t& acc_lo, std::int32_t& acc_hi) {
  const auto lo = static_cast<std::int32_t>(static_cast<std::int16_t>(t & 0xFFFFu));
  acc_lo += lo;
  acc_hi += static_cast<std::int32_t>(t - static_cast<std::uint32_t>(lo)) >> 16;
}

/// int8 fully connected layer with N inputs on packed weights (fc_packs):
/// one multiply gives two outputs' products. Word (k * N + i) * 2 + j holds
/// w[4k + 2j][i] + 65536 * w[4k + 2j + 1][i], so the word times x[i] is the
/// first output's product plus 65536 times the second's. Over a window of
/// inputs whose weights' magnitudes sum to at most packed_lane_limit for
/// each of the block's outputs, each half's sum lo, hi fits in int16, and
/// the 32-bit sum t gives lo = t's low half sign-extended and
/// hi = (t - lo) >> 16 exactly. The windows are chosen at compile time
/// (exec::fill_packed_fc); int8 sums are exact modulo 2^32 in any grouping,
/// so the outputs are the same bits. A tile's partial blocks are computed
/// whole and stored only inside the tile.
template <int N>
[[gnu::always_inline]] inline void fully_connected_packed(const fully_connected_args<std::int8_t>& a,
                                                          const std::int8_t* in, std::int8_t* out, tile t) {
  for (int b = t.row_begin; b < t.row_end; ++b) {
    const std::int8_t* const x = in + b * N;
    std::int8_t* const y = out + b * a.out_size;
    for (int k = t.ch_begin / 4; k * 4 < t.ch_end; ++k) {
      const std::int32_t* p = a.packed + k * N * 2;
      const std::uint16_t* window = a.windows + a.block_windows[k];
      std::int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
      for (const std::int8_t* xi = x; xi != x + N;) {
        int count = *window++;
        std::uint32_t t0 = 0, t1 = 0;
        auto step = [&](int j) __attribute__((always_inline)) {
          const auto v = static_cast<std::uint32_t>(static_cast<std::int32_t>(xi[j]));
          t0 += static_cast<std::uint32_t>(p[2 * j]) * v;
          t1 += static_cast<std::uint32_t>(p[2 * j + 1]) * v;
        };
        for (; count >= 4; count -= 4) {
          step(0);
          step(1);
          step(2);
          step(3);
          xi += 4;
          p += 8;
        }
        for (; count > 0; --count) {
          step(0);
          xi += 1;
          p += 2;
        }
        add_halves(t0, acc0, acc1);
        add_halves(t1, acc2, acc3);
      }
      const std::int32_t acc[4] = {acc0, acc1, acc2, acc3};
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) {
        const int o = 4 * k + j;
        if (o >= t.ch_begin && o < t.ch_end) a.e.put(y, o, acc[j]);
      }
    }
  }
}

// Four output neurons at a time share every input load; each sums its
// inputs in order, so float results are the same bits as one at a time.
//
// Dsp (int8, a core with the Arm DSP extension): four inputs per step, two
// SMLADs per neuron; int8 sums are exact modulo 2^32 in any order.
template <class T, bool Dsp = false>
[[gnu::always_inline]] inline void fully_connected(const fully_connected_args<T>& a, const T* in, T* out, tile t) {
  const int n = a.in_size;
  for (int b = t.row_begin; b < t.row_end; ++b) {
    const T* x = in + b * n;
    int o = t.ch_begin;
    for (; a.out_size >= 4 && o + 4 <= t.ch_end; o += 4) {
      const T* w = a.weights + o * n;
      accumulator_t<T> acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
      int i = 0;
      if constexpr (Dsp && arm_dsp::available && std::is_same_v<T, std::int8_t>) {
        i = n & ~3;
        arm_dsp::dot_rows4(x, w, n, i, acc0, acc1, acc2, acc3);
      }
#pragma GCC unroll 2
      for (; i < n; ++i) {
        const T v = x[i];
        acc0 += w[i] * v;
        acc1 += w[n + i] * v;
        acc2 += w[2 * n + i] * v;
        acc3 += w[3 * n + i] * v;
      }
      finish4(a.e, out + b * a.out_size, o, acc0, acc1, acc2, acc3);
    }
    for (; o < t.ch_end; ++o) {
      const T* w = a.weights + o * n;
      accumulator_t<T> acc = 0;
      for (int i = 0; i < n; ++i) acc += w[i] * x[i];
      out[b * a.out_size + o] = a.e.finish(acc, o);
    }
  }
}

/// A 16x8 fully connected layer: int16 inputs, int8 weights, int16 outputs.
struct fully_connected16_args {
  int batches = 1;
  int in_size = 0;
  int out_size = 0;
  std::int32_t input_offset = 0;  // -input zero point: TFLite applies it here, unlike in 16x8 convolutions
  wide_epilogue e{};
  const std::int8_t* weights = nullptr;
};

/// TFLite's 16x8 FullyConnected: each output sums w * (x + input_offset)
/// over its inputs, then goes through the wide epilogue (bias, scaling,
/// output offset, clamp).
[[gnu::always_inline]] inline void fully_connected16(const fully_connected16_args& a, const std::int16_t* in,
                                                     std::int16_t* out, tile t) {
  const int n = a.in_size;
  for (int b = t.row_begin; b < t.row_end; ++b) {
    const std::int16_t* x = in + b * n;
    for (int o = t.ch_begin; o < t.ch_end; ++o) {
      const std::int8_t* w = a.weights + o * n;
      std::int64_t acc = 0;
      for (int i = 0; i < n; ++i) acc += std::int32_t{w[i]} * (std::int32_t{x[i]} + a.input_offset);
      out[b * a.out_size + o] = a.e.finish(acc, o);
    }
  }
}

/// Requantization multiplier of a per-tensor fully_connected layer. TFLite
/// (GetQuantizedConvolutionMultipler) multiplies the two scales in float
/// before widening; a per-channel layer uses conv_multiplier.
constexpr multiplier fully_connected_multiplier(const quantization& in, const quantization& w,
                                                const quantization& out) {
  return quantize_multiplier(static_cast<double>(in.scale * w.scale) / static_cast<double>(out.scale));
}

constexpr inferred infer_fully_connected(const tensor_spec& in, const fully_connected_options& o, const constant& w,
                                         const constant& b, const quantization& out_q) {
  const shape& ws = w.spec.dims;
  if (!w.empty() && ws.rank != 2) return {.err = error::fc_weights_shape};
  if (error e = check_constants(in, w, b, ws[0], 0); e != error::none) return {.err = e};
  const std::int64_t elements = in.dims.elements();
  if (elements % ws[1] != 0) return {.err = error::fc_inputs};
  if (error e = check_output_quantization(in, out_q); e != error::none) return {.err = e};
  const auto batches = static_cast<int>(elements / ws[1]);
  shape out_shape{batches, ws[0]};
  if (o.keep_num_dims) {
    if (in.dims.back() != ws[1]) return {.err = error::fc_inputs};
    out_shape = in.dims;
    out_shape[out_shape.rank - 1] = ws[0];
  }
  inferred r{};
  r.out = output_spec(in, out_shape, out_q);
  r.macs = std::int64_t{batches} * ws[0] * ws[1];
  return r;
}

}  // namespace ops
}  // namespace weft
