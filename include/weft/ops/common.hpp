// SPDX-License-Identifier: Apache-2.0
// Vocabulary shared by the operators: padding, fused activations, windows,
// the output tile a kernel call computes, and output-size arithmetic.
#pragma once

#include "weft/core/error.hpp"
#include "weft/core/fixed_point.hpp"
#include "weft/core/tensor_spec.hpp"

#include <cstdint>

namespace weft {

enum class padding : std::uint8_t { same, valid };
enum class activation : std::uint8_t { none, relu, relu_n1_to_1, relu6 };

/// A 2-D size or step: height and width.
struct hw {
  int h = 1;
  int w = 1;
  friend constexpr bool operator==(const hw&, const hw&) = default;
};

/// The part of an operator's output one kernel call computes: a range of rows
/// and a range of channels. What a row is depends on the operator: an output
/// image row for convolutions and pools, a batch row for fully_connected and
/// softmax, an element for add. Channels are the last axis. An operator that
/// runs in passes, each needing every core's part of the one before (an
/// LSTM's time steps, cut across cores: divisible::phases), is called once per
/// pass with its range of passes; others always get all of them.
struct tile {
  int row_begin = 0;
  int row_end = 0;
  int ch_begin = 0;
  int ch_end = 0;
  int phase_begin = 0;
  int phase_end = 1 << 30;
  constexpr bool empty() const { return row_begin >= row_end || ch_begin >= ch_end; }
  /// The same tile, for passes [first, end) only.
  constexpr tile passes(int first, int end) const {
    tile t = *this;
    t.phase_begin = first;
    t.phase_end = end;
    return t;
  }
  friend constexpr bool operator==(const tile&, const tile&) = default;
};

namespace ops {

/// The size configuration (define WEFT_OPTIMIZE_SIZE, and build with -Os):
/// one kernel per operator kind with its shape read at run time, instead of
/// one per shape, and none of the larger specialized paths (pointwise
/// blocks, gathered windows, unrolled taps). Results are the same bits.
#if defined(WEFT_OPTIMIZE_SIZE)
inline constexpr bool optimize_size = true;
#else
inline constexpr bool optimize_size = false;
#endif

/// Output length along one axis (TFLite's ComputeOutSize).
constexpr int output_size(padding p, int in, int filter, int stride, int dilation) {
  const int effective = (filter - 1) * dilation + 1;
  return p == padding::same ? (in + stride - 1) / stride : (in + stride - effective) / stride;
}

/// Padding before the first element (TFLite's ComputePaddingWithOffset; the
/// odd pixel of SAME padding goes after the last element).
constexpr int padding_before(int in, int filter, int stride, int dilation, int out) {
  const int effective = (filter - 1) * dilation + 1;
  const int total = (out - 1) * stride + effective - in;
  return total > 0 ? total / 2 : 0;
}

struct int8_range {
  std::int32_t min = -128;
  std::int32_t max = 127;
  friend constexpr bool operator==(const int8_range&, const int8_range&) = default;
};

/// Clamp range of a fused activation on an integer output whose type holds
/// [lo, hi] (TFLite's CalculateActivationRangeQuantized): int8 by default,
/// int16 for the 16x8 layers.
constexpr int8_range activation_range(activation a, float scale, std::int32_t zero_point, std::int32_t lo = -128,
                                      std::int32_t hi = 127) {
  auto q = [&](float f) { return quantize_value(f, scale, zero_point); };
  auto max = [](std::int32_t x, std::int32_t y) { return x > y ? x : y; };
  auto min = [](std::int32_t x, std::int32_t y) { return x < y ? x : y; };
  switch (a) {
    case activation::relu:
      return {max(lo, q(0.0f)), hi};
    case activation::relu6:
      return {max(lo, q(0.0f)), min(hi, q(6.0f))};
    case activation::relu_n1_to_1:
      return {max(lo, q(-1.0f)), min(hi, q(1.0f))};
    case activation::none:
      break;
  }
  return {lo, hi};
}

/// The same for an int16 output.
constexpr int8_range activation_range16(activation a, float scale, std::int32_t zero_point) {
  return activation_range(a, scale, zero_point, -32768, 32767);
}

struct float_range {
  float min;
  float max;
};

/// Clamp range of a fused activation on a float32 output.
constexpr float_range activation_range(activation a) {
  constexpr float inf = 3.40282347e+38f;
  switch (a) {
    case activation::relu:
      return {0.0f, inf};
    case activation::relu6:
      return {0.0f, 6.0f};
    case activation::relu_n1_to_1:
      return {-1.0f, 1.0f};
    case activation::none:
      break;
  }
  return {-inf, inf};
}

constexpr std::int32_t clamp(std::int32_t v, int8_range r) { return v < r.min ? r.min : (v > r.max ? r.max : v); }
constexpr float clamp(float v, float_range r) { return v < r.min ? r.min : (v > r.max ? r.max : v); }

/// clamp(v, r) for an int8 output: where r is the whole int8 range, one
/// saturating instruction on Arm cores that have it (the compiler does not
/// find it on its own).
[[gnu::always_inline]] inline std::int32_t clamp_int8(std::int32_t v, int8_range r) {
#if defined(__ARM_FEATURE_SAT)
  if (r.min == -128 && r.max == 127) return __builtin_arm_ssat(v, 8);
#endif
  return clamp(v, r);
}

}  // namespace ops
}  // namespace weft

namespace weft::ops {

/// What an operator's spec inference returns: the output spec, or the first
/// thing wrong with the operator's inputs and parameters.
struct inferred {
  tensor_spec out{};
  error err = error::none;
  std::int64_t macs = 0;
  hw pad{0, 0};  // padding before the first row and column
};

constexpr bool valid_int8_quantization(const quantization& q) {
  return q.scale > 0.0f && q.scale < 3.40282347e+38f && q.zero_point >= -128 && q.zero_point <= 127;
}

/// The same for an int16 tensor (TFLite's 16x8 kernels mostly want zero
/// point 0; the operators that do say so themselves).
constexpr bool valid_int16_quantization(const quantization& q) {
  return q.scale > 0.0f && q.scale < 3.40282347e+38f && q.zero_point >= -32768 && q.zero_point <= 32767;
}

/// Checks shared by every operator with weights and a bias: dtypes, sizes,
/// symmetric int8 weights, per-channel scales along `axis`, one bias per
/// output channel. Returns error::none when all hold.
constexpr error check_constants(const tensor_spec& in, const constant& w, const constant& b, int out_channels,
                                int scale_axis) {
  if (w.empty()) return error::missing_weights;
  if (!w.spec.dims.valid()) return error::bad_shape;
  if (w.provided != w.elements()) return error::weights_size;
  // int8 weights for int8 and int16 (16x8) activations.
  if (in.type == dtype::int8 || in.type == dtype::int16) {
    if (w.spec.type != dtype::int8) return error::weights_dtype;
    if (w.spec.quant.zero_point != 0) return error::weights_zero_point;
    if (w.spec.quant.per_channel()) {
      if (w.spec.quant.axis != scale_axis || w.spec.quant.channels != out_channels) return error::per_channel_scales;
      for (int c = 0; c < out_channels; ++c)
        if (!(w.spec.quant.scales[c] >= 0.0f)) return error::bad_quantization;
    } else if (!(w.spec.quant.scale >= 0.0f)) {
      return error::bad_quantization;
    }
  } else if (w.spec.type != dtype::float32) {
    return error::weights_dtype;
  }
  if (!b.empty()) {
    if (b.spec.dims.rank != 1 || b.spec.dims[0] != out_channels) return error::bias_shape;
    if (b.provided != b.elements()) return error::weights_size;
    if (in.type == dtype::int16) {
      // 16x8 layers: an int32 bias sums in int32, an int64 one in int64.
      if (b.spec.type != dtype::int32 && b.spec.type != dtype::int64) return error::bias_dtype;
    } else if (b.spec.type != (in.type == dtype::int8 ? dtype::int32 : dtype::float32)) {
      return error::bias_dtype;
    }
  }
  return error::none;
}

/// The output spec of a layer: the input's dtype, `s`, and for int8 and
/// int16 the given output quantization.
constexpr tensor_spec output_spec(const tensor_spec& in, shape s, const quantization& out_q) {
  return in.type == dtype::int8 || in.type == dtype::int16 ? tensor_spec{in.type, s, {out_q.scale, out_q.zero_point}}
                                                           : tensor_spec{dtype::float32, s, {}};
}

/// Whether out_q suits an output of the same dtype as `in` (int8 or int16):
/// error::none, or the error saying what is wrong.
constexpr error check_output_quantization(const tensor_spec& in, const quantization& out_q) {
  if (in.type == dtype::int8 && !valid_int8_quantization(out_q)) return error::bad_quantization;
  if (in.type == dtype::int16 && !valid_int16_quantization(out_q)) return error::bad_int16_quantization;
  return error::none;
}

/// Requantization multiplier of output channel c of a convolution
/// (TFLite's PopulateConvolutionQuantizationParams: products in double).
constexpr multiplier conv_multiplier(const quantization& in, const quantization& w, const quantization& out, int c) {
  const double effective =
      static_cast<double>(in.scale) * static_cast<double>(w.scale_at(c)) / static_cast<double>(out.scale);
  return quantize_multiplier(effective);
}

}  // namespace weft::ops
