// SPDX-License-Identifier: Apache-2.0
// Softmax over the last axis: spec inference and reference kernels. The int8
// kernel is bit-exact with TFLite Micro's (gemmlowp fixed point, output scale
// 1/256 and zero point -128), and so is the int16 one (two interpolated
// 513-entry tables, output scale 1/32768); neither uses floating point on
// the device. A kernel call computes a range of rows.
#pragma once

#include "weft/ops/common.hpp"
#include "weft/ops/float_math.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <limits>

namespace weft {

struct softmax_options {
  float beta = 1.0f;
  /// int8 input, int16 output (zero point -32768, scale 1/65536), as
  /// TFLite's converter writes some audio models' last layer. (An int16
  /// input always gives an int16 output, of scale 1/32768.)
  bool int16_output = false;
};

namespace ops {

template <class T>
struct softmax_args;

template <>
struct softmax_args<std::int8_t> {
  int depth = 0;                  // row length (last dimension)
  multiplier input_multiplier{};  // beta * input_scale in Q5.26, shift >= 0
  std::int32_t diff_min = 0;
  bool int16_output = false;  // the output is int16 (softmax_options)
};

/// The int16 kernel's arguments: the input rescaling (beta * input scale
/// over 10 / 65535, so that a difference from the row's maximum of -10 in
/// real terms becomes -65535) and TFLite's two tables (lut16).
template <>
struct softmax_args<std::int16_t> {
  int depth = 0;
  multiplier input_multiplier{};
  const std::int16_t* exp_table = nullptr;         // exp(x) for x in [-10, 0], over [-32768, 32767]
  const std::int16_t* reciprocal_table = nullptr;  // 1 / (1 + x) for x in [0, 1]
};

template <>
struct softmax_args<float> {
  int depth = 0;
  float beta = 1.0f;
};

inline constexpr int softmax_diff_integer_bits = 5;
inline constexpr int softmax_accumulation_integer_bits = 12;

/// TFLite's PreprocessSoftmaxScaling and CalculateInputRadius.
constexpr softmax_args<std::int8_t> make_softmax_args(int depth, float beta, float input_scale) {
  softmax_args<std::int8_t> a{};
  a.depth = depth;
  constexpr int bits = softmax_diff_integer_bits;
  double real = static_cast<double>(beta) * static_cast<double>(input_scale) *
                static_cast<double>(std::int64_t{1} << (31 - bits));
  constexpr double max_real = static_cast<double>((std::int64_t{1} << 31) - 1);
  if (real > max_real) real = max_real;
  a.input_multiplier = quantize_multiplier(real);
  if (a.input_multiplier.shift < 0) return a;  // refused by infer_softmax (TFLite needs a multiplier above one)
  const double radius = static_cast<double>((std::int64_t{1} << bits) - 1) *
                        static_cast<double>(std::int64_t{1} << (31 - bits)) /
                        static_cast<double>(std::int64_t{1} << a.input_multiplier.shift);
  a.diff_min = -static_cast<std::int32_t>(detail::floor(radius));
  return a;
}

/// The int8 softmax, to int8 or int16 outputs (O): TFLite's template,
/// whose output is the probability over O's range, from O's lowest value.
template <class O = std::int8_t>
[[gnu::always_inline]] inline void softmax(const softmax_args<std::int8_t>& a, const std::int8_t* in, O* out, tile t) {
  constexpr std::int32_t lowest = std::numeric_limits<O>::min(), highest = std::numeric_limits<O>::max();
  using scaled_diff = q31::fixed<softmax_diff_integer_bits>;
  using accum = q31::fixed<softmax_accumulation_integer_bits>;
  for (int row = t.row_begin; row < t.row_end; ++row) {
    const std::int8_t* x = in + row * a.depth;
    O* y = out + row * a.depth;
    std::int32_t max_in_row = -128;
    for (int c = 0; c < a.depth; ++c) max_in_row = x[c] > max_in_row ? x[c] : max_in_row;

    auto exp_of = [&](std::int32_t diff) {
      return q31::exp_on_negative_values(
          scaled_diff::from_raw(multiply_by_quantized_multiplier_gt_one(diff, a.input_multiplier)));
    };
    accum sum = accum::zero();
    for (int c = 0; c < a.depth; ++c) {
      const std::int32_t diff = x[c] - max_in_row;
      if (diff >= a.diff_min) sum = sum + q31::rescale<softmax_accumulation_integer_bits>(exp_of(diff));
    }
    const q31::reciprocal_result r = q31::reciprocal(sum.raw, softmax_accumulation_integer_bits);
    const int exponent = r.bits_over_unit + 31 - 8 * static_cast<int>(sizeof(O));
    for (int c = 0; c < a.depth; ++c) {
      const std::int32_t diff = x[c] - max_in_row;
      if (diff >= a.diff_min) {
        const std::int32_t p = (q31::fixed<0>::from_raw(r.scale) * exp_of(diff)).raw;
        const std::int32_t v = rounding_divide_by_pot(p, exponent) + lowest;
        y[c] = static_cast<O>(v < lowest ? lowest : (v > highest ? highest : v));
      } else {
        y[c] = static_cast<O>(lowest);
      }
    }
  }
}

/// An int16 function table as TFLite's LUTPopulateInt16<float> builds it:
/// 512 samples of f over the input range, each nudged by half the error its
/// linear interpolation makes at the midpoint, and the last value; all in
/// float32 (in double two entries of the reciprocal table differ).
struct lut16 {
  std::array<std::int16_t, 513> v{};
};
template <class F>
constexpr lut16 make_lut16(float input_scale, std::int32_t input_zero_point, float output_scale, F f) {
  const float input_min = input_scale * static_cast<float>(-32768 - input_zero_point);
  const float input_max = input_scale * static_cast<float>(32767 - input_zero_point);
  const float output_min = output_scale * -32768.0f, output_max = output_scale * 32767.0f;
  const float step = (input_max - input_min) / 512.0f;
  const float half_step = step / 2.0f;
  const float inverse = 65536.0f / (output_max - output_min);
  auto saturate = [](float v) {
    return static_cast<std::int16_t>(v < -32768.0f ? -32768.0f : (v > 32767.0f ? 32767.0f : v));
  };
  lut16 t{};
  for (int i = 0; i < 512; ++i) {
    const float at = input_min + static_cast<float>(i) * step;
    const float val = f(at), mid = f(at + half_step), next = f(input_min + static_cast<float>(i + 1) * step);
    const float sample = round_float(val * inverse);
    const float interpolated = round_float((next * inverse + round_float(val * inverse)) / 2.0f);
    const float midpoint = round_float(mid * inverse);
    const float bias = round_float((interpolated - midpoint) / 2.0f);
    t.v[static_cast<std::size_t>(i)] = saturate(sample - bias);
  }
  t.v[512] = saturate(round_float(f(input_max) * inverse));
  return t;
}

/// TFLite's LUTLookup: the table's entry for the top 9 bits of x, plus the
/// slope to the next entry times the low 7 bits, rounded.
[[gnu::always_inline]] constexpr std::int16_t lut16_lookup(std::int16_t x, const std::int16_t* t) {
  const int index = 256 + (x >> 7);
  const int offset = x & 0x7f;
  const auto slope = static_cast<std::int16_t>(t[index + 1] - t[index]);
  return static_cast<std::int16_t>(t[index] + ((slope * offset + 64) >> 7));
}

/// The int16 softmax's tables (TFLite Micro's softmax_common.cc): exp over
/// [-10, 0] and 1 / (1 + x) over [0, 1], both to [-1, 1] on int16, with
/// TFLite's scales (ranges over 65535). The same for every model; a
/// variable template, so that only programs with an int16 softmax hold them.
template <class = void>
inline constexpr lut16 softmax16_exp_table = make_lut16(10.0f / 65535.0f, 32767, 2.0f / 65535.0f,
                                                        [](float v) { return expf_glibc(v); });
template <class = void>
inline constexpr lut16 softmax16_reciprocal_table = make_lut16(1.0f / 65535.0f, -32768, 2.0f / 65535.0f,
                                                               [](float v) { return 1.0f / (1.0f + v); });

/// The int16 softmax's input rescaling: beta * input scale, so that a
/// real difference of -10 becomes -65535 (TFLite's in double).
constexpr multiplier softmax16_multiplier(float beta, float input_scale) {
  return quantize_multiplier(static_cast<double>(input_scale) * static_cast<double>(beta) / (10.0 / 65535.0));
}

/// (A template, its tables named through its parameter: they are computed
/// only where an int16 softmax is compiled, not wherever weft is included;
/// Clang's default constexpr step limit does not cover them.)
template <class T = void>
constexpr softmax_args<std::int16_t> make_softmax16_args(int depth, float beta, float input_scale) {
  softmax_args<std::int16_t> a{};
  a.depth = depth;
  a.input_multiplier = softmax16_multiplier(beta, input_scale);
  a.exp_table = softmax16_exp_table<T>.v.data();
  a.reciprocal_table = softmax16_reciprocal_table<T>.v.data();
  return a;
}

/// TFLite's SoftmaxInt16: per row, exp of each difference from the row's
/// maximum by the exp table (kept in the output), their int32 sum normalized
/// to [1, 2) and inverted by the reciprocal table, each exp times that
/// inverse, shifted back by the sum's headroom.
[[gnu::always_inline]] inline void softmax(const softmax_args<std::int16_t>& a, const std::int16_t* in,
                                           std::int16_t* out, tile t) {
  for (int row = t.row_begin; row < t.row_end; ++row) {
    const std::int16_t* x = in + row * a.depth;
    std::int16_t* y = out + row * a.depth;
    std::int32_t max_in_row = -32768;
    for (int c = 0; c < a.depth; ++c) max_in_row = x[c] > max_in_row ? x[c] : max_in_row;
    std::int32_t sum = 0;
    for (int c = 0; c < a.depth; ++c) {
      const std::int32_t scaled = multiply_by_quantized_multiplier(x[c] - max_in_row, a.input_multiplier) + 32767;
      const auto centred = static_cast<std::int16_t>(scaled < -32768 ? -32768 : (scaled > 32767 ? 32767 : scaled));
      y[c] = lut16_lookup(centred, a.exp_table);
      sum += y[c];
    }
    // The row's maximum contributes exp(0) (about 32767), so the sum's
    // headroom (its leading zeros) is between 1 and 17.
    const int headroom = std::countl_zero(static_cast<std::uint32_t>(sum));
    const auto shifted =
        static_cast<std::int32_t>(((static_cast<std::int64_t>(sum) << (headroom - 1)) + (1 << 13)) >> 14);
    const std::int32_t centred = shifted - ((1 << 15) + (1 << 16));
    const std::int16_t reciprocal = lut16_lookup(
        static_cast<std::int16_t>(centred < -32768 ? -32768 : (centred > 32767 ? 32767 : centred)), a.reciprocal_table);
    const int right_shift = 31 - headroom;
    const std::int64_t round = std::int64_t{1} << (right_shift - 1);
    for (int c = 0; c < a.depth; ++c) {
      const auto v = static_cast<std::int32_t>((std::int64_t{y[c]} * reciprocal + round) >> right_shift);
      y[c] = static_cast<std::int16_t>(v < 0 ? 0 : (v > 32767 ? 32767 : v));
    }
  }
}

[[gnu::always_inline]]  /// exp(x) in float32 with nothing but IEEE single-precision additions and
/// multiplications (no libm), so a float32 model gives the same bits on
/// every target: x = n ln2 + r with |r| <= ln2 / 2 (ln2 split in two for
/// exactness), exp(r) by its Taylor polynomial to r^7 (error below 1e-8
/// relative), times 2^n built from the exponent bits. Within 2 ulp of exp.
constexpr float
exp_float(float x) {
  if (x > 88.7228394f) return std::numeric_limits<float>::infinity();  // above ln(FLT_MAX)
  if (x < -103.972084f) return 0.0f;                                   // below the smallest subnormal
  const float n = static_cast<float>(static_cast<int>(x * 1.44269504f + (x < 0 ? -0.5f : 0.5f)));
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int e = static_cast<int>(n);
  // 2^e in two steps when e is beyond the normal range of one float.
  float scale = 1.0f;
  if (e < -126) {
    scale = 0x1p-64f;
    e += 64;
  } else if (e > 127) {
    scale = 0x1p64f;
    e -= 64;
  }
  return p * std::bit_cast<float>(static_cast<std::uint32_t>(e + 127) << 23) * scale;
}

inline void softmax(const softmax_args<float>& a, const float* in, float* out, tile t) {
  for (int row = t.row_begin; row < t.row_end; ++row) {
    const float* x = in + row * a.depth;
    float* y = out + row * a.depth;
    float max = x[0];
    for (int c = 1; c < a.depth; ++c) max = x[c] > max ? x[c] : max;
    float sum = 0.0f;
    for (int c = 0; c < a.depth; ++c) {
      y[c] = exp_float((x[c] - max) * a.beta);
      sum += y[c];
    }
    for (int c = 0; c < a.depth; ++c) y[c] /= sum;
  }
}

/// The output quantization of an int8 softmax, fixed by TFLite.
inline constexpr quantization softmax_int8_output{1.0f / 256.0f, -128};

constexpr inferred infer_softmax(const tensor_spec& in, const softmax_options& o, const quantization& out_q) {
  inferred r{};
  r.out = in;
  if (in.type == dtype::int16) {
    // TFLite Micro's checks: zero points 0, output scale within 0.1% of
    // 1/32768 (the output is the probability in Q0.15). The output is int16
    // whatever int16_output says.
    const float d = out_q.scale > 1.0f / 32768 ? out_q.scale - 1.0f / 32768 : 1.0f / 32768 - out_q.scale;
    if (in.quant.zero_point != 0 || out_q.zero_point != 0 || d > 0.001f * 1.0f / 32768)
      return {.err = error::softmax_int16};
    r.out.quant = {out_q.scale, 0};
    if (!(o.beta > 0.0f && o.beta < 3.40282347e+38f)) return {.err = error::softmax_beta};
    // TFLite shifts the differences left by the multiplier's shift: past 31
    // it would be undefined.
    if (softmax16_multiplier(o.beta, in.quant.scale).shift > 31) return {.err = error::scale_out_of_range};
    return r;
  }
  if (o.int16_output) {
    // TFLite Micro's check: zero point -32768, scale within 0.1% of 1/65536.
    const float d = out_q.scale > 1.0f / 65536 ? out_q.scale - 1.0f / 65536 : 1.0f / 65536 - out_q.scale;
    if (in.type != dtype::int8 || out_q.zero_point != -32768 || d > 0.001f * 1.0f / 65536)
      return {.err = error::softmax_int16_output};
    r.out = {dtype::int16, in.dims, {out_q.scale, out_q.zero_point}};
  }
  // TFLite's int8 kernel needs beta * input scale above 2^-26; its float
  // kernel would turn a zero, negative, infinite or NaN beta into a
  // constant or NaNs: no converter writes one.
  if (!(o.beta > 0.0f && o.beta < 3.40282347e+38f)) return {.err = error::softmax_beta};
  if (in.type == dtype::int8) {
    if (!o.int16_output) r.out.quant = softmax_int8_output;
    const softmax_args<std::int8_t> a = make_softmax_args(in.dims.back(), o.beta, in.quant.scale);
    // TFLite requires beta * scale * 2^26 > 1 (QuantizeMultiplierGreaterThanOne).
    if (a.input_multiplier.shift < 0 || a.input_multiplier.value == 0) return {.err = error::scale_out_of_range};
  }
  return r;
}

}  // namespace ops
}  // namespace weft
