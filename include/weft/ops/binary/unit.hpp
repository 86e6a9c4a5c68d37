// SPDX-License-Identifier: Apache-2.0
// MUL, SUB, DIV, SQUARED_DIFFERENCE, MAXIMUM, MINIMUM and PRELU as units of the
// binary family (weft/ops/binary/family.hpp): each is its constants and
// its per-element arithmetic, int8 bit-exact with TFLite Micro's reference
// kernels, float32 as they compute it.
#pragma once

#include "weft/ops/binary/family.hpp"

#include <bit>
#include <cstdint>
#include <type_traits>

namespace weft {

struct mul_options {
  activation act = activation::none;
};
struct sub_options {
  activation act = activation::none;
};
struct div_options {
  activation act = activation::none;
};

namespace ops {

/// The float32 constants of an operator with a fused activation.
struct float_act_args {
  float_range act{};
};

/// int8 constants shared by MUL and DIV: input offsets (minus the zero
/// points), the output zero point, one multiplier and the clamp.
struct scaled_args {
  std::int32_t input1_offset = 0;
  std::int32_t input2_offset = 0;
  std::int32_t output_offset = 0;
  multiplier output_multiplier{};
  int8_range act{};
};

constexpr scaled_args make_scaled_args(const quantization& in1, const quantization& in2, const quantization& out,
                                       multiplier m, activation act) {
  return {-in1.zero_point, -in2.zero_point, out.zero_point, m, activation_range(act, out.scale, out.zero_point)};
}

/// int8 constants of the operators that first bring both inputs to a
/// common scale (TFLite's SUB and SQUARED_DIFFERENCE): each input is offset,
/// shifted left by left_shift and multiplied by its multiplier (below one).
struct rescaling_args {
  std::int32_t input1_offset = 0;
  std::int32_t input2_offset = 0;
  std::int32_t output_offset = 0;
  int left_shift = 0;
  multiplier input1_multiplier{};
  multiplier input2_multiplier{};
  multiplier output_multiplier{};
  int8_range act{};

  [[gnu::always_inline]] constexpr std::int32_t rescaled1(std::int32_t x) const {
    return multiply_by_quantized_multiplier_lt_one(shift_left_wrapping(x + input1_offset, left_shift),
                                                   input1_multiplier);
  }
  [[gnu::always_inline]] constexpr std::int32_t rescaled2(std::int32_t x) const {
    return multiply_by_quantized_multiplier_lt_one(shift_left_wrapping(x + input2_offset, left_shift),
                                                   input2_multiplier);
  }
};

/// Whether a multiplier TFLite makes with QuantizeMultiplierSmallerThanOneExp
/// is one it accepts and does not flush to zero: below one (shift <= 0),
/// not zero.
constexpr bool below_one(multiplier m) { return m.shift <= 0 && m.value != 0; }

// ---------------------------------------------------------------------------
// MUL: int8 (x1 + o1) * (x2 + o2) rescaled by s1 * s2 / s_out (in double);
// float32 x * y; then the fused activation's clamp.

struct mul_op : binary_family<mul_op> {
  using options = mul_options;
  static constexpr auto fields = std::tuple{field{"act", &options::act}};

  static constexpr std::int64_t element_cost(const cost_model& m) { return m.per_output; }

  static constexpr multiplier int8_multiplier(const quantization& in1, const quantization& in2,
                                              const quantization& out) {
    return quantize_multiplier(static_cast<double>(in1.scale) * static_cast<double>(in2.scale) /
                               static_cast<double>(out.scale));
  }
  /// A product shifted left by more than 31 bits is undefined; such a
  /// multiplier (2^31 or more) means scales no model has.
  static constexpr error check_int8(const quantization& in1, const quantization& in2, const quantization& out,
                                    const options&) {
    return int8_multiplier(in1, in2, out).shift > 31 ? error::scale_out_of_range : error::none;
  }
  /// int16: TFLite Micro's mul wants every zero point 0.
  static constexpr bool int16_input(int k) { return k < 2; }
  static constexpr error check_int16(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options& o, bool) {
    if (in1.zero_point != 0 || in2.zero_point != 0 || out.zero_point != 0) return error::int16_zero_point;
    return check_int8(in1, in2, out, o);
  }

  template <class T>
  static constexpr auto element_args(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options& o) {
    if constexpr (std::is_same_v<T, float>) {
      return float_act_args{activation_range(o.act)};
    } else {
      scaled_args a = make_scaled_args(in1, in2, out, int8_multiplier(in1, in2, out), o.act);
      if constexpr (std::is_same_v<T, std::int16_t>) a.act = activation_range16(o.act, out.scale, out.zero_point);
      return a;
    }
  }

  [[gnu::always_inline]] static std::int8_t element(const scaled_args& a, std::int8_t x, std::int8_t y) {
    const std::int32_t product = (x + a.input1_offset) * (y + a.input2_offset);
    return static_cast<std::int8_t>(
        clamp(multiply_by_quantized_multiplier(product, a.output_multiplier) + a.output_offset, a.act));
  }
  /// int16 (zero points 0): the product of two int16 values fits int32.
  [[gnu::always_inline]] static std::int16_t element(const scaled_args& a, std::int16_t x, std::int16_t y) {
    const std::int32_t product = std::int32_t{x} * std::int32_t{y};
    return static_cast<std::int16_t>(
        clamp(multiply_by_quantized_multiplier(product, a.output_multiplier) + a.output_offset, a.act));
  }
  [[gnu::always_inline]] static float element(const float_act_args& a, float x, float y) { return clamp(x * y, a.act); }
};

// ---------------------------------------------------------------------------
// SUB: as ADD (both inputs to twice the larger scale, 20 bits of headroom),
// the difference instead of the sum; TFLite computes its multipliers in
// float32, not double.

struct sub_op : binary_family<sub_op> {
  using options = sub_options;
  static constexpr auto fields = std::tuple{field{"act", &options::act}};

  static constexpr std::int64_t element_cost(const cost_model& m) { return m.per_add_element; }

  /// int8 (left_shift 20) and int16 (left_shift 15) alike.
  static constexpr rescaling_args int8_args(const quantization& in1, const quantization& in2, const quantization& out,
                                            activation act, int left_shift = 20) {
    rescaling_args a{};
    a.input1_offset = -in1.zero_point;
    a.input2_offset = -in2.zero_point;
    a.output_offset = out.zero_point;
    a.left_shift = left_shift;
    const float twice_max = 2 * (in1.scale > in2.scale ? in1.scale : in2.scale);
    a.input1_multiplier = quantize_multiplier(static_cast<double>(in1.scale / twice_max));
    a.input2_multiplier = quantize_multiplier(static_cast<double>(in2.scale / twice_max));
    a.output_multiplier =
        quantize_multiplier(static_cast<double>(twice_max / (static_cast<float>(1 << a.left_shift) * out.scale)));
    a.act = activation_range(act, out.scale, out.zero_point);
    return a;
  }
  /// TFLite requires every multiplier below one (it aborts otherwise).
  static constexpr error check_int8(const quantization& in1, const quantization& in2, const quantization& out,
                                    const options& o) {
    return below_one(int8_args(in1, in2, out, o.act).output_multiplier) ? error::none : error::scale_out_of_range;
  }
  /// int16: left_shift 15; TFLite Micro's int16 sub of inputs of one shape
  /// aborts unless both input zero points are 0 (its broadcast form takes
  /// any).
  static constexpr bool int16_input(int k) { return k < 2; }
  static constexpr error check_int16(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options& o, bool same_shape) {
    if (same_shape && (in1.zero_point != 0 || in2.zero_point != 0)) return error::int16_zero_point;
    return below_one(int8_args(in1, in2, out, o.act, 15).output_multiplier) ? error::none : error::scale_out_of_range;
  }

  template <class T>
  static constexpr auto element_args(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options& o) {
    if constexpr (std::is_same_v<T, float>) {
      return float_act_args{activation_range(o.act)};
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
      rescaling_args a = int8_args(in1, in2, out, o.act, 15);
      a.act = activation_range16(o.act, out.scale, out.zero_point);
      return a;
    } else {
      return int8_args(in1, in2, out, o.act);
    }
  }

  [[gnu::always_inline]] static std::int8_t element(const rescaling_args& a, std::int8_t x, std::int8_t y) {
    const std::int32_t difference = a.rescaled1(x) - a.rescaled2(y);
    const std::int32_t v = multiply_by_quantized_multiplier_lt_one(difference, a.output_multiplier) + a.output_offset;
    return static_cast<std::int8_t>(clamp(v, a.act));
  }
  [[gnu::always_inline]] static std::int16_t element(const rescaling_args& a, std::int16_t x, std::int16_t y) {
    const std::int32_t difference = a.rescaled1(x) - a.rescaled2(y);
    const std::int32_t v = multiply_by_quantized_multiplier_lt_one(difference, a.output_multiplier) + a.output_offset;
    return static_cast<std::int16_t>(clamp(v, a.act));
  }
  [[gnu::always_inline]] static float element(const float_act_args& a, float x, float y) { return clamp(x - y, a.act); }
};

// ---------------------------------------------------------------------------
// SQUARED_DIFFERENCE: int8 inputs to twice the larger scale with 7 bits of
// headroom (int16: none, the values already fill 16 bits), their difference
// squared and rescaled (the multiplier may exceed one), no activation;
// float32 (x - y)^2, unclamped.

struct squared_difference_op : binary_family<squared_difference_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};

  static constexpr std::int64_t element_cost(const cost_model& m) { return m.per_add_element; }

  /// int8 (left_shift 7) and int16 (left_shift 0) alike.
  static constexpr rescaling_args int8_args(const quantization& in1, const quantization& in2, const quantization& out,
                                            int left_shift = 7) {
    rescaling_args a{};
    a.input1_offset = -in1.zero_point;
    a.input2_offset = -in2.zero_point;
    a.output_offset = out.zero_point;
    a.left_shift = left_shift;
    const double twice_max = 2.0 * static_cast<double>(in1.scale > in2.scale ? in1.scale : in2.scale);
    a.input1_multiplier = quantize_multiplier(static_cast<double>(in1.scale) / twice_max);
    a.input2_multiplier = quantize_multiplier(static_cast<double>(in2.scale) / twice_max);
    // (1 << 2 * left_shift) * scale is a float product in TFLite.
    a.output_multiplier = quantize_multiplier(
        twice_max * twice_max / static_cast<double>(static_cast<float>(1 << (2 * left_shift)) * out.scale));
    return a;
  }
  /// As for MUL: no shift beyond 31 bits.
  static constexpr error check_int8(const quantization& in1, const quantization& in2, const quantization& out,
                                    const options&) {
    return int8_args(in1, in2, out).output_multiplier.shift > 31 ? error::scale_out_of_range : error::none;
  }
  /// int16: TFLite Micro refuses any zero point but 0.
  static constexpr bool int16_input(int k) { return k < 2; }
  static constexpr error check_int16(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options&, bool) {
    if (in1.zero_point != 0 || in2.zero_point != 0 || out.zero_point != 0) return error::int16_zero_point;
    return int8_args(in1, in2, out, 0).output_multiplier.shift > 31 ? error::scale_out_of_range : error::none;
  }

  template <class T>
  static constexpr auto element_args(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options&) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
      return int8_args(in1, in2, out, 0);
    } else {
      return int8_args(in1, in2, out);
    }
  }

  [[gnu::always_inline]] static std::int8_t element(const rescaling_args& a, std::int8_t x, std::int8_t y) {
    const std::int32_t d = a.rescaled1(x) - a.rescaled2(y);  // |d| < 2^15: d * d fits
    const std::int32_t v = multiply_by_quantized_multiplier(d * d, a.output_multiplier) + a.output_offset;
    return static_cast<std::int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
  }
  [[gnu::always_inline]] static std::int16_t element(const rescaling_args& a, std::int16_t x, std::int16_t y) {
    // Each input rescaled to at most half its magnitude: |d| < 2^15 again.
    const std::int32_t d = a.rescaled1(x) - a.rescaled2(y);
    const std::int32_t v = multiply_by_quantized_multiplier(d * d, a.output_multiplier) + a.output_offset;
    return static_cast<std::int16_t>(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
  }
  [[gnu::always_inline]] static float element(const no_args&, float x, float y) {
    const float d = x - y;
    return d * d;
  }
};

// ---------------------------------------------------------------------------
// DIV: float32 x / y; int8 as TFLite's reference kernel: the dividend
// normalized by its headroom, times the divisor's fixed-point reciprocal,
// rescaled by s1 / (s2 * s_out) (computed in float32), shifted right by
// what the normalizations added.

/// TFLite's CountLeadingSignBits: the bits below the sign bit equal to it
/// (31 for 0 and -1).
constexpr int leading_sign_bits(std::int32_t x) {
  return std::countl_zero(static_cast<std::uint32_t>(x ^ (x >> 31))) - 1;
}

struct div_op : binary_family<div_op> {
  using options = div_options;
  static constexpr auto fields = std::tuple{field{"act", &options::act}};

  /// A fixed-point reciprocal (Newton-Raphson) and two requantizations.
  static constexpr std::int64_t element_cost(const cost_model& m) { return m.per_softmax_element; }

  static constexpr multiplier int8_multiplier(const quantization& in1, const quantization& in2,
                                              const quantization& out) {
    return quantize_multiplier(static_cast<double>(in1.scale / (in2.scale * out.scale)));
  }
  /// The final right shift is the multiplier's shift subtracted from
  /// between 23 (a dividend of 255, a divisor of 1) and 38 bits; TFLite
  /// fails (an assertion) on a left shift, so a multiplier of 2^23 or more
  /// is refused. A shift beyond 31 bits (TFLite fails there too: a dividend
  /// of 0 or -1 by a large divisor, with a multiplier below 2^7) rounds to
  /// zero, as the quotient is then below half a step.
  static constexpr error check_int8(const quantization& in1, const quantization& in2, const quantization& out,
                                    const options&) {
    return int8_multiplier(in1, in2, out).shift > 23 ? error::scale_out_of_range : error::none;
  }

  template <class T>
  static constexpr auto element_args(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options& o) {
    if constexpr (std::is_same_v<T, float>) {
      return float_act_args{activation_range(o.act)};
    } else {
      return make_scaled_args(in1, in2, out, int8_multiplier(in1, in2, out), o.act);
    }
  }

  /// A divisor equal to its zero point (TFLite aborts) gives the limit of
  /// the quotient: the clamp's maximum or minimum by the dividend's sign,
  /// the output zero point (clamped) for 0 / 0.
  [[gnu::always_inline]] static std::int8_t element(const scaled_args& a, std::int8_t x, std::int8_t y) {
    std::int32_t x1 = x + a.input1_offset;
    std::int32_t x2 = y + a.input2_offset;
    if (x2 == 0)
      return static_cast<std::int8_t>(x1 > 0 ? a.act.max : x1 < 0 ? a.act.min : clamp(a.output_offset, a.act));
    if (x2 < 0) {
      x1 = -x1;
      x2 = -x2;
    }
    const q31::reciprocal_result r = q31::reciprocal(x2, 31);
    const int headroom = leading_sign_bits(x1);
    const std::int32_t unscaled = multiply_by_quantized_multiplier_gt_one(x1, {r.scale, headroom});
    const int right_shift = r.bits_over_unit + headroom - a.output_multiplier.shift;  // >= 0 (check_int8)
    const std::int32_t q =
        right_shift > 31 ? 0
                         : rounding_divide_by_pot(
                               saturating_rounding_doubling_high_mul(unscaled, a.output_multiplier.value), right_shift);
    return static_cast<std::int8_t>(clamp(q + a.output_offset, a.act));
  }
  [[gnu::always_inline]] static float element(const float_act_args& a, float x, float y) { return clamp(x / y, a.act); }
};

// ---------------------------------------------------------------------------
// MAXIMUM and MINIMUM compare the stored values (int8: no rescaling, so
// weft requires one quantization for both inputs and the output).

/// int8 inputs and output of one scale and zero point.
constexpr error same_quantization(const quantization& in1, const quantization& in2, const quantization& out) {
  const bool same = in1.scale == out.scale && in2.scale == out.scale && in1.zero_point == out.zero_point &&
                    in2.zero_point == out.zero_point;
  return same ? error::none : error::binary_quantization;
}

struct maximum_op : binary_family<maximum_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr std::int64_t element_cost(const cost_model& m) { return m.per_output; }
  static constexpr error check_int8(const quantization& in1, const quantization& in2, const quantization& out,
                                    const options&) {
    return same_quantization(in1, in2, out);
  }
  /// int16: TFLite Micro compares the raw values as for int8 (its kernel
  /// has an int16 case); weft asks the same of the quantizations.
  static constexpr bool int16_input(int k) { return k < 2; }
  static constexpr error check_int16(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options& o, bool) {
    return check_int8(in1, in2, out, o);
  }
  template <class T>
  static constexpr no_args element_args(const quantization&, const quantization&, const quantization&, const options&) {
    return {};
  }
  /// (A NaN in x gives y, one in y gives NaN, as in TFLite.)
  template <class T>
  [[gnu::always_inline]] static T element(const no_args&, T x, T y) {
    return x > y ? x : y;
  }
};

struct minimum_op : binary_family<minimum_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr std::int64_t element_cost(const cost_model& m) { return m.per_output; }
  static constexpr error check_int8(const quantization& in1, const quantization& in2, const quantization& out,
                                    const options&) {
    return same_quantization(in1, in2, out);
  }
  /// int16: TFLite Micro compares the raw values as for int8 (its kernel
  /// has an int16 case); weft asks the same of the quantizations.
  static constexpr bool int16_input(int k) { return k < 2; }
  static constexpr error check_int16(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options& o, bool) {
    return check_int8(in1, in2, out, o);
  }
  template <class T>
  static constexpr no_args element_args(const quantization&, const quantization&, const quantization&, const options&) {
    return {};
  }
  template <class T>
  [[gnu::always_inline]] static T element(const no_args&, T x, T y) {
    return x < y ? x : y;
  }
};

// ---------------------------------------------------------------------------
// PRELU: x where x >= 0, else x times alpha, alpha broadcast against x (a
// constant or an activation). int8 as TFLite's reference kernel: the input
// offset by its zero point, a non-negative one rescaled by s_in / s_out, a
// negative one multiplied by the offset alpha and rescaled by
// s_in * s_alpha / s_out (both multipliers from double), plus the output
// zero point, saturated to int8. float32: x >= 0 ? x : x * alpha (TFLite
// Micro's float path is 4-D only; weft's tensors are at most 4-D).

struct prelu_args {
  std::int32_t input_offset = 0;
  std::int32_t alpha_offset = 0;
  std::int32_t output_offset = 0;
  multiplier positive{};  // s_in / s_out
  multiplier negative{};  // s_in * s_alpha / s_out
};

struct prelu_op : binary_family<prelu_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr std::int64_t element_cost(const cost_model& m) { return m.per_output; }

  static constexpr prelu_args int8_args(const quantization& in, const quantization& alpha, const quantization& out) {
    prelu_args a{};
    a.input_offset = -in.zero_point;
    a.alpha_offset = -alpha.zero_point;
    a.output_offset = out.zero_point;
    a.positive = quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
    a.negative = quantize_multiplier(static_cast<double>(in.scale) * static_cast<double>(alpha.scale) /
                                     static_cast<double>(out.scale));
    return a;
  }
  /// As for MUL: no shift beyond 31 bits (scales no model has).
  static constexpr error check_int8(const quantization& in, const quantization& alpha, const quantization& out,
                                    const options&) {
    const prelu_args a = int8_args(in, alpha, out);
    return a.positive.shift > 31 || a.negative.shift > 31 ? error::scale_out_of_range : error::none;
  }

  template <class T>
  static constexpr auto element_args(const quantization& in, const quantization& alpha, const quantization& out,
                                     const options&) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else {
      return int8_args(in, alpha, out);
    }
  }

  [[gnu::always_inline]] static std::int8_t element(const prelu_args& a, std::int8_t x, std::int8_t alpha) {
    const std::int32_t v = x + a.input_offset;
    const std::int32_t r = v >= 0 ? multiply_by_quantized_multiplier(v, a.positive)
                                  : multiply_by_quantized_multiplier(v * (alpha + a.alpha_offset), a.negative);
    const std::int32_t q = r + a.output_offset;
    return static_cast<std::int8_t>(q < -128 ? -128 : (q > 127 ? 127 : q));
  }
  [[gnu::always_inline]] static float element(const no_args&, float x, float alpha) {
    return x >= 0.0f ? x : x * alpha;
  }
};

}  // namespace ops
}  // namespace weft
