// SPDX-License-Identifier: Apache-2.0
// Fully connected layer, weights [outputs, inputs]: spec inference and the
// reference kernel (int8 bit-exact with TFLite's FullyConnected, float32).
// A kernel call computes batch rows x output neurons.
#pragma once

#include "weft/ops/conv2d.hpp"

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
  const T* weights = nullptr;
};

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
  if (in.type == dtype::int8 && !valid_int8_quantization(out_q)) return {.err = error::bad_quantization};
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
