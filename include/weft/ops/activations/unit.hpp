// SPDX-License-Identifier: Apache-2.0
// The activation operators RELU, RELU6, LEAKY_RELU, LOGISTIC, TANH,
// HARD_SWISH and ELU as unary element-wise units (weft/ops/unary.hpp), with
// TFLite Micro's arithmetic: int8 in its integer (or, for ELU, tabulated
// float) formulas, float32 with the float functions its kernels call.
// TFLite Micro has no RELU_N1_TO_1 kernel, so weft has none either.
#pragma once

#include "weft/ops/activations/kernels.hpp"
#include "weft/ops/unary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <type_traits>

namespace weft {

struct leaky_relu_options {
  float alpha = 0.0f;  // the slope below zero (TFLite: 0 when the options are missing)
  friend constexpr bool operator==(const leaky_relu_options&, const leaky_relu_options&) = default;
};

namespace ops {

// ---------------------------------------------------------------------------
// RELU: int8 requantizes to the output scale (its multiplier from a float
// division) and clamps below at the output zero point.

struct relu_args {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  multiplier rescale{};
};

struct relu_op : unary_family<relu_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};

  static constexpr inferred infer(const operands& x, const options&) { return rescaled_output(x); }

  template <class T, class G>
  static constexpr auto element_args(const G& g, int i) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else {
      const quantization& in = g.spec(g.at(i).inputs[0]).quant;
      const quantization& out = g.spec(g.at(i).output).quant;
      return relu_args{in.zero_point, out.zero_point, float_rescale(in, out)};
    }
  }

  [[gnu::always_inline]] static float element(no_args, float x) { return x < 0.0f ? 0.0f : x; }
  [[gnu::always_inline]] static std::int8_t element(const relu_args& a, std::int8_t x) {
    const std::int32_t v = a.output_zero_point + multiply_by_quantized_multiplier(x - a.input_zero_point, a.rescale);
    return saturate_int8(v < a.output_zero_point ? a.output_zero_point : v);
  }
};

// ---------------------------------------------------------------------------
// RELU6: int8 clamps the raw values between the input's zero and six; the
// output quantization is not used (TFLite Micro ignores it).

struct relu6_args {
  std::int8_t zero = 0;
  std::int8_t six = 127;
};

struct relu6_op : unary_family<relu6_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};

  static constexpr inferred infer(const operands& x, const options&) { return same_type_output(x, true); }

  template <class T, class G>
  static constexpr auto element_args(const G& g, int i) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else {
      const quantization& in = g.spec(g.at(i).inputs[0]).quant;
      // TFLite's FloatToQuantizedType: round(6 / scale) + zero point,
      // converted to int32 (x86: INT32_MIN beyond it), clamped to int8.
      const double six = round_double(static_cast<double>(6.0f / in.scale)) + in.zero_point;
      return relu6_args{static_cast<std::int8_t>(in.zero_point), saturate_int8(to_int32_x86(six))};
    }
  }

  [[gnu::always_inline]] static float element(no_args, float x) { return x > 6.0f ? 6.0f : (x < 0.0f ? 0.0f : x); }
  [[gnu::always_inline]] static std::int8_t element(const relu6_args& a, std::int8_t x) {
    return x > a.six ? a.six : (x < a.zero ? a.zero : x);
  }
};

// ---------------------------------------------------------------------------
// LEAKY_RELU: int8 requantizes with one multiplier at or above the input
// zero point and with alpha's (which may be negative) below.

struct leaky_relu_int8_args {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  multiplier identity{};
  multiplier alpha{};  // its value's magnitude; alpha_negative holds the sign
  bool alpha_negative = false;
};

struct leaky_relu_float_args {
  float alpha = 0.0f;
};

struct leaky_relu_op : unary_family<leaky_relu_op> {
  using options = leaky_relu_options;
  static constexpr auto fields = std::tuple{field{"alpha", &options::alpha}};

  /// alpha's multiplier: input scale times alpha over output scale, in float.
  static constexpr multiplier alpha_multiplier(const quantization& in, const quantization& out, float alpha) {
    return quantize_multiplier(static_cast<double>(in.scale * alpha / out.scale));
  }

  /// int16: the int8 arithmetic, zero points honoured, clamped to int16.
  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options& o) {
    const inferred r = rescaled_output(x);
    if (r.err == error::none && x.in[0].type != dtype::float32 &&
        !can_apply(alpha_multiplier(x.in[0].quant, x.out, o.alpha)))
      return {.err = error::scale_out_of_range};
    return r;
  }

  template <class T, class G>
  static constexpr auto element_args(const G& g, int i) {
    const float alpha = g.at(i).template opt<options>().alpha;
    if constexpr (std::is_same_v<T, float>) {
      return leaky_relu_float_args{alpha};
    } else {
      const quantization& in = g.spec(g.at(i).inputs[0]).quant;
      const quantization& out = g.spec(g.at(i).output).quant;
      const multiplier a = alpha_multiplier(in, out, alpha);
      leaky_relu_int8_args r{in.zero_point, out.zero_point, float_rescale(in, out), a, a.value < 0};
      // The magnitude, with two's-complement wrap-around (as TFLite negates it).
      if (r.alpha_negative) r.alpha.value = static_cast<std::int32_t>(0u - static_cast<std::uint32_t>(a.value));
      return r;
    }
  }

  [[gnu::always_inline]] static float element(const leaky_relu_float_args& a, float x) {
    return x > 0.0f ? x : x * a.alpha;
  }
  [[gnu::always_inline]] static std::int8_t element(const leaky_relu_int8_args& a, std::int8_t x) {
    return saturate_int8(unclamped(a, x));
  }
  [[gnu::always_inline]] static std::int16_t element(const leaky_relu_int8_args& a, std::int16_t x) {
    const std::int32_t v = unclamped(a, x);
    return static_cast<std::int16_t>(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
  }
  /// The output before its clamp to the output type.
  [[gnu::always_inline]] static constexpr std::int32_t unclamped(const leaky_relu_int8_args& a, std::int32_t x) {
    const std::int32_t v = x - a.input_zero_point;
    if (v >= 0) return a.output_zero_point + multiply_by_quantized_multiplier(v, a.identity);
    const std::int32_t s = multiply_by_quantized_multiplier(v, a.alpha);
    return a.output_zero_point + (a.alpha_negative ? -s : s);
  }
};

// ---------------------------------------------------------------------------
// LOGISTIC and TANH on int8: the input, offset by its zero point, is
// brought to Q4.27 (a multiplier from the input scale's bits) unless it is
// beyond the radius where the result saturates; gemmlowp's fixed-point
// function gives Q0.31, rounded to the output: LOGISTIC on scale 1/256 with
// zero point -128, TANH on scale 1/128 with zero point 0, whatever the output
// tensor says (TFLite Micro reads neither its scale nor, for TANH, its zero
// point).

struct sigmoid_int8_args {
  std::int32_t input_zero_point = 0;
  std::int32_t radius = 0;
  multiplier input{};  // to Q4.27; shift = the input left shift
};

/// The input side of int8 LOGISTIC and TANH (TFLite's Prepare): the input
/// scale times 2^27 split as frexp splits it, and the input radius
/// floor(15 * 2^27 / 2^shift). Only shifts in [0, 62] are meaningful (TFLite
/// shifts by them); a shift < 0 is an input scale below 2^-28.
constexpr sigmoid_int8_args make_sigmoid_args(const quantization& in) {
  const auto [q, shift] = detail::frexp(static_cast<double>(in.scale) * 134217728.0);
  sigmoid_int8_args a{};
  a.input_zero_point = in.zero_point;
  // q has the float scale's 24 significant bits: q * 2^31 is an integer < 2^31.
  a.input = {static_cast<std::int32_t>(detail::round_half_away(q * 2147483648.0)), shift};
  if (shift >= 0 && shift <= 62)
    a.radius =
        static_cast<std::int32_t>(detail::floor(15.0 * 134217728.0 / static_cast<double>(std::int64_t{1} << shift)));
  return a;
}

constexpr bool sigmoid_scale_ok(const quantization& in) {
  const int shift = detail::frexp(static_cast<double>(in.scale) * 134217728.0).exponent;
  return shift >= 0 && shift <= 62;
}

/// The input rescaling of int16 LOGISTIC and TANH (TFLite Micro's Prepare):
/// a power-of-two input scale 2^(ls - 12) with ls = 0 (and for TANH ls = 1)
/// multiplies by 3 << ls; any other scale s by floor(s * 3 * 4096 * 2^k),
/// k the fewest doublings (at most 31) that bring it above 32767 / 2, then
/// shifts right by k with rounding.
constexpr sigmoid16_scaling make_sigmoid16_scaling(const quantization& in, bool tanh) {
  const log2_result l = checked_log2(in.scale);
  const int ls = 12 + l.rounded;
  if (l.exact && (ls == 0 || (tanh && ls == 1))) return {3 << ls, 0};
  double m = static_cast<double>(in.scale) * 4096.0 * 3.0;
  int shift = 0;
  while (m <= 32767.0 / 2.0 && shift <= 30) {
    ++shift;
    m *= 2.0;
  }
  return {m > 32767.0 ? 32768 : static_cast<std::int32_t>(m), shift};
}

/// What TFLite Micro refuses of int16 LOGISTIC and TANH: zero points other
/// than 0, an output scale other than 2^-15 (to within its log2 check), an
/// input multiplier above 32767 (an input scale above about 4/3: it aborts).
constexpr error check_sigmoid16(const quantization& in, const quantization& out, bool tanh) {
  if (in.zero_point != 0 || out.zero_point != 0) return error::int16_zero_point;
  const log2_result l = checked_log2(out.scale);
  if (!l.exact || l.rounded != -15) return error::int16_sigmoid_scales;
  if (make_sigmoid16_scaling(in, tanh).value > 32767) return error::int16_sigmoid_scales;
  return error::none;
}

struct logistic_op : unary_family<logistic_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr bool tabulated = true;
  static constexpr std::int64_t element_cost(const cost_model& m, dtype in) { return transcendental_cost(m, in); }

  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options&) {
    inferred r = same_type_output(x, true);
    if (r.err == error::none && x.in[0].type == dtype::int16) {
      if (const error e = check_sigmoid16(x.in[0].quant, x.out, false); e != error::none) return {.err = e};
    }
    if (r.err != error::none || x.in[0].type != dtype::int8) return r;
    if (x.out.zero_point != -128) return {.err = error::logistic_zero_point};
    if (!sigmoid_scale_ok(x.in[0].quant)) return {.err = error::scale_out_of_range};
    return r;
  }

  template <class T, class G>
  static constexpr auto element_args(const G& g, int i) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
      return make_sigmoid16_scaling(g.spec(g.at(i).inputs[0]).quant, false);
    } else {
      return make_sigmoid_args(g.spec(g.at(i).inputs[0]).quant);
    }
  }

  [[gnu::always_inline]] static std::int16_t element(const sigmoid16_scaling& a, std::int16_t x) {
    return logistic16(x, a);
  }
  [[gnu::always_inline]] static float element(no_args, float x) {
    if (x > 16.619047164916992188f) return 1.0f;
    if (x < -9.0f) return std::exp(x);
    return 1.0f / (1.0f + std::exp(-x));
  }
  static constexpr std::int8_t element(const sigmoid_int8_args& a, std::int8_t x) {
    const std::int32_t v = x - a.input_zero_point;
    if (v <= -a.radius) return -128;
    if (v >= a.radius) return 127;
    const std::int32_t q4 = multiply_by_quantized_multiplier(v, a.input);
    const std::int32_t p = q31::logistic(q31::fixed<4>::from_raw(q4)).raw;
    return saturate_int8(rounding_divide_by_pot(p, 23) - 128);
  }
};

struct tanh_op : unary_family<tanh_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr bool tabulated = true;
  static constexpr std::int64_t element_cost(const cost_model& m, dtype in) { return transcendental_cost(m, in); }

  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options&) {
    inferred r = same_type_output(x, true);
    if (r.err == error::none && x.in[0].type == dtype::int16) {
      if (const error e = check_sigmoid16(x.in[0].quant, x.out, true); e != error::none) return {.err = e};
    }
    if (r.err == error::none && x.in[0].type == dtype::int8 && !sigmoid_scale_ok(x.in[0].quant))
      return {.err = error::scale_out_of_range};
    return r;
  }

  template <class T, class G>
  static constexpr auto element_args(const G& g, int i) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
      return make_sigmoid16_scaling(g.spec(g.at(i).inputs[0]).quant, true);
    } else {
      return make_sigmoid_args(g.spec(g.at(i).inputs[0]).quant);
    }
  }

  [[gnu::always_inline]] static std::int16_t element(const sigmoid16_scaling& a, std::int16_t x) {
    return tanh16(x, a);
  }
  [[gnu::always_inline]] static float element(no_args, float x) { return std::tanh(x); }
  static constexpr std::int8_t element(const sigmoid_int8_args& a, std::int8_t x) {
    const std::int32_t v = x - a.input_zero_point;
    if (v <= -a.radius) return -128;
    if (v >= a.radius) return 127;
    const std::int32_t q4 = multiply_by_quantized_multiplier(v, a.input);
    return saturate_int8(rounding_divide_by_pot(q31::tanh(q31::fixed<4>::from_raw(q4)).raw, 24));
  }
};

// ---------------------------------------------------------------------------
// HARD_SWISH: x * relu6(x + 3) / 6. int8 computes in int16 fixed point: the
// input on a finer scale, times the output multiplier, times a "relu-ish"
// factor in [0, 1] from the input rescaled so that 3 is 2^15.

struct hard_swish_args {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  std::int16_t output_value = 0;  // the output multiplier's value in int16
  int output_shift = 0;           // <= 0
  std::int16_t reluish_value = 0;
  int reluish_shift = 0;
};

/// TFLite's HardSwishPrepare: scales in float, then the multipliers.
constexpr hard_swish_args make_hard_swish_args(const quantization& in, const quantization& out) {
  const float hires_scale = (1.0f / 128.0f) * in.scale;
  const multiplier o = quantize_multiplier(static_cast<double>(hires_scale / out.scale));
  const multiplier r = quantize_multiplier(static_cast<double>(hires_scale / (3.0f / 32768.0f)));
  return {
      in.zero_point, out.zero_point, q15::downscale_multiplier(o.value), o.shift, q15::downscale_multiplier(r.value),
      r.shift};
}

struct hard_swish_op : unary_family<hard_swish_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr bool tabulated = true;

  /// TFLite refuses an output multiplier of 1 or more (output scale at most
  /// input scale / 128).
  static constexpr inferred infer(const operands& x, const options&) {
    inferred r = same_type_output(x, true);
    if (r.err != error::none || x.in[0].type != dtype::int8) return r;
    const hard_swish_args a = make_hard_swish_args(x.in[0].quant, x.out);
    // (A relu-ish shift past 31, from an input scale above about 2.5e7,
    // would shift further than TFLite's int can: refused too.)
    if (a.output_shift > 0 || a.reluish_shift > 31) return {.err = error::scale_out_of_range};
    return r;
  }

  template <class T, class G>
  static constexpr auto element_args(const G& g, int i) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else {
      return make_hard_swish_args(g.spec(g.at(i).inputs[0]).quant, g.spec(g.at(i).output).quant);
    }
  }

  [[gnu::always_inline]] static float element(no_args, float x) {
    return x * std::min(6.0f, std::max(0.0f, x + 3.0f)) / 6.0f;
  }
  static constexpr std::int8_t element(const hard_swish_args& a, std::int8_t x) {
    const auto input = static_cast<std::int16_t>(x - a.input_zero_point);
    const auto hires = static_cast<std::int16_t>(input * 128);
    const std::int16_t preshift = q15::rounding_doubling_high_mul(hires, a.output_value);
    std::int16_t reluish = hires;
    // Left shifts saturate; all but the last bit go before the multiply.
    if (a.reluish_shift > 0) reluish = q15::saturating_left_shift(reluish, a.reluish_shift - 1);
    reluish = q15::rounding_doubling_high_mul(reluish, a.reluish_value);
    if (a.reluish_shift > 0) reluish = q15::saturating_left_shift(reluish, 1);
    if (a.reluish_shift < 0) reluish = q15::rounding_divide_by_pot(reluish, -a.reluish_shift);
    reluish = static_cast<std::int16_t>((reluish + (1 << 15)) >> 1);  // [-1, 1] to [0, 1]
    const std::int16_t y = q15::doubling_high_mul(reluish, preshift);
    const auto o = static_cast<std::int16_t>(q15::rounding_divide_by_pot(y, -a.output_shift) + a.output_zero_point);
    return saturate_int8(o);
  }
};

// ---------------------------------------------------------------------------
// ELU: x below zero becomes e^x - 1. int8 is a table TFLite Micro fills in
// float: dequantize, e^x - 1 (expf, then minus one), times the reciprocal of
// the output scale, rounded, plus the zero point, clamped.

struct elu_int8_args {
  float input_scale = 1.0f;
  std::int32_t input_zero_point = 0;
  float inverse_output_scale = 1.0f;
  std::int32_t output_zero_point = 0;
};

struct elu_op : unary_family<elu_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr bool tabulated = true;
  static constexpr std::int64_t element_cost(const cost_model& m, dtype in) { return transcendental_cost(m, in); }

  static constexpr inferred infer(const operands& x, const options&) { return same_type_output(x, true); }

  template <class T, class G>
  static constexpr auto element_args(const G& g, int i) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else {
      const quantization& in = g.spec(g.at(i).inputs[0]).quant;
      const quantization& out = g.spec(g.at(i).output).quant;
      return elu_int8_args{in.scale, in.zero_point, 1.0f / out.scale, out.zero_point};
    }
  }

  [[gnu::always_inline]] static float element(no_args, float x) { return x < 0.0f ? std::expm1(x) : x; }
  static constexpr std::int8_t element(const elu_int8_args& a, std::int8_t x) {
    const float d = a.input_scale * static_cast<float>(x - a.input_zero_point);
    const float t = d < 0.0f ? expf_glibc(d) - 1.0f : d;
    const float rescaled = round_float(t * a.inverse_output_scale);
    return saturate_int8(to_int32_x86(static_cast<double>(rescaled + static_cast<float>(a.output_zero_point))));
  }
};

}  // namespace ops
}  // namespace weft
