// SPDX-License-Identifier: Apache-2.0
// TFLite's integer arithmetic: multipliers derived from float scales at
// compile time (QuantizeMultiplier), the rounding multiply and shifts used at
// run time, and the Q-format exp, reciprocal, logistic, tanh and inverse
// square root that int8 SOFTMAX, LOGISTIC, TANH and RSQRT need.
#pragma once

#include <bit>
#include <cstdint>
#include <limits>

namespace weft {

/// A real multiplier M represented as value * 2^(shift - 31), value in
/// [2^30, 2^31) (or 0). TFLite's (quantized_multiplier, shift) pair.
struct multiplier {
  std::int32_t value = 0;
  int shift = 0;
  friend constexpr bool operator==(const multiplier&, const multiplier&) = default;
};

namespace detail {

struct frexp_result {
  double fraction;
  int exponent;
};

/// std::frexp, usable in constant expressions (C++20 has no constexpr one).
constexpr frexp_result frexp(double x) {
  if (x == 0.0 || x != x) return {x, 0};
  auto bits = std::bit_cast<std::uint64_t>(x);
  const int biased = static_cast<int>((bits >> 52) & 0x7ffu);
  if (biased == 0) {  // subnormal: scale into the normal range first
    const frexp_result r = frexp(x * 18446744073709551616.0);
    return {r.fraction, r.exponent - 64};
  }
  bits = (bits & ~(std::uint64_t{0x7ff} << 52)) | (std::uint64_t{1022} << 52);
  return {std::bit_cast<double>(bits), biased - 1022};
}

/// std::round (half away from zero) to an integer, for |x| < 2^62.
constexpr std::int64_t round_half_away(double x) {
  const auto t = static_cast<std::int64_t>(x);     // toward zero
  const double frac = x - static_cast<double>(t);  // exact for |x| < 2^52
  if (frac >= 0.5) return t + 1;
  if (frac <= -0.5) return t - 1;
  return t;
}

constexpr double floor(double x) {
  const auto t = static_cast<std::int64_t>(x);
  return static_cast<double>(x < static_cast<double>(t) ? t - 1 : t);
}

}  // namespace detail

/// TFLite's QuantizeMultiplier: the (value, shift) pair closest to `m`.
constexpr multiplier quantize_multiplier(double m) {
  if (m == 0.0) return {0, 0};
  auto [q, shift] = detail::frexp(m);
  std::int64_t q_fixed = detail::round_half_away(q * 2147483648.0);
  if (q_fixed == (std::int64_t{1} << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  return {static_cast<std::int32_t>(q_fixed), shift};
}

/// High 32 bits of 2*a*b, rounded to nearest (gemmlowp's
/// SaturatingRoundingDoublingHighMul). Written with shifts rather than a
/// 64-bit division so that 32-bit cores need no library call.
constexpr std::int32_t saturating_rounding_doubling_high_mul(std::int32_t a, std::int32_t b) {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  const std::int64_t ab = std::int64_t{a} * std::int64_t{b};
  const std::int64_t nudged = ab + (ab >= 0 ? (std::int64_t{1} << 30) : (1 - (std::int64_t{1} << 30)));
  // Division by 2^31 that truncates toward zero, as C++'s '/' does.
  const std::int64_t q = nudged >= 0 ? (nudged >> 31) : -((-nudged) >> 31);
  return static_cast<std::int32_t>(q);
}

/// x / 2^exponent rounded to nearest, ties away from zero (gemmlowp's
/// RoundingDivideByPOT). exponent in [0, 31].
constexpr std::int32_t rounding_divide_by_pot(std::int32_t x, int exponent) {
  const auto mask = static_cast<std::int32_t>((std::int64_t{1} << exponent) - 1);
  const std::int32_t remainder = x & mask;
  const std::int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/// x << shift with two's-complement wrap-around (TFLite's x * (1 << shift)).
constexpr std::int32_t shift_left_wrapping(std::int32_t x, int shift) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(x) << shift);
}

/// TFLite's MultiplyByQuantizedMultiplier: round(x * M) with M = m.
constexpr std::int32_t multiply_by_quantized_multiplier(std::int32_t x, multiplier m) {
  const int left_shift = m.shift > 0 ? m.shift : 0;
  const int right_shift = m.shift > 0 ? 0 : -m.shift;
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shift_left_wrapping(x, left_shift), m.value),
                                right_shift);
}

/// multiply_by_quantized_multiplier for multipliers quantize_multiplier
/// makes (value 0 or in [2^30, 2^31)), in fewer instructions: with such a
/// value the doubling high multiply never saturates, and its rounding of
/// a*b / 2^31 (half away from zero, then truncated) equals
/// floor((a*b + 2^30) / 2^31) for either sign, one 64-bit multiply-add and
/// a shift. Same results (tests/core compares the two).
/// Written without branches: max(shift, 0) as a mask, and the rounding
/// shift's threshold from the sign bit.
constexpr std::int32_t requantize(std::int32_t x, multiplier m) {
  const int left_shift = m.shift & ~(m.shift >> 31);  // max(shift, 0)
  const int right_shift = left_shift - m.shift;       // max(-shift, 0)
  const std::int64_t p = std::int64_t{shift_left_wrapping(x, left_shift)} * m.value + (std::int64_t{1} << 30);
  const auto high = static_cast<std::int32_t>(p >> 31);
  const auto mask = static_cast<std::int32_t>((std::uint32_t{1} << right_shift) - 1u);
  const auto threshold = (mask >> 1) + static_cast<std::int32_t>(static_cast<std::uint32_t>(high) >> 31);
  return (high >> right_shift) + static_cast<std::int32_t>((high & mask) > threshold);
}

/// A requantization precomputed at compile time for a multiplier that shifts
/// right by r in [2, fused_max_right_shift] with value in [2^30, 2^31), which
/// is what convolutions nearly always have: multiply, both roundings and the
/// output zero point become one 64-bit multiply-add and a shift (see
/// requantize_fused).
struct fused_requant {
  std::int32_t value = 0;  // the multiplier's value
  // make_fused_requant: the high word of 2^30 + 2^(30 + r) + output_offset * 2^(31 + r), whose low word is
  // 2^30, and shift r - 1 (the right shift of the high word); make_prescaled_requant: see there.
  std::int32_t round = 0;
  std::int32_t shift = 0;
  friend constexpr bool operator==(const fused_requant&, const fused_requant&) = default;
};

/// Largest right shift fused_requant takes: with it the rounding constant
/// and the output offset stay far inside int64.
inline constexpr int fused_max_right_shift = 22;

constexpr bool can_fuse(multiplier m) {
  return m.value >= (std::int32_t{1} << 30) && m.shift <= -2 && m.shift >= -fused_max_right_shift;
}

constexpr fused_requant make_fused_requant(multiplier m, std::int32_t output_offset) {
  const int r = -m.shift;
  return {m.value,
          static_cast<std::int32_t>((std::int64_t{1} << (r - 2)) +
                                    std::int64_t{output_offset} * (std::int64_t{1} << (r - 1))),
          r - 1};
}

/// requantize(x, m) + output_offset, x = acc + bias (modulo 2^32), for a
/// record s = make_fused_requant(m, output_offset); the same value for every
/// acc and bias.
/// requantize takes high = floor((x * m + 2^30) / 2^31) and rounds high / 2^r
/// half away from zero, which is floor((high + 2^(r-1) - [high < 0]) / 2^r).
/// Nested floors of divisions by powers of two are one floor, and (as
/// m >= 2^30) high < 0 exactly when x < 0, except x = -1, m = 2^30, where
/// high = 0 and either gives 0. So the result is
/// floor((x * m + 2^30 + 2^(30 + r) + output_offset * 2^(31 + r) - [x < 0] * 2^31) / 2^(31 + r)):
/// the high word of a 64-bit sum shifted right by r - 1.
constexpr std::int32_t requantize_fused(std::int32_t acc, std::int32_t bias, const fused_requant& s) {
  const auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(bias));
  // The rounding constant minus [x < 0] * 2^31, built as its two words:
  // the low word 2^30 or 2^30 + 2^31, the high word round or round - 1.
  const std::int32_t negative = x >> 31;  // 0 or -1
  const std::uint32_t low = 0x40000000u ^ (static_cast<std::uint32_t>(negative) << 31);
  const std::int32_t high = s.round + negative;
  const std::int64_t sum =
      static_cast<std::int64_t>((static_cast<std::uint64_t>(static_cast<std::uint32_t>(high)) << 32) | low) +
      std::int64_t{x} * s.value;
  return static_cast<std::int32_t>(sum >> 32) >> s.shift;
}

/// requantize_fused without the [x < 0] term, for outputs whose clamp
/// sends everything at or below the output zero point to one minimum at or
/// above it (ReLU, ReLU6, or no activation with zero point -128): the same
/// value for x >= 0, and for x < 0 at most the zero point, as x * m <= -2^30
/// leaves the numerator at most 2^(30 + r) + output_offset * 2^(31 + r).
/// So the clamped result is the same. One 64-bit multiply-add of a constant.
constexpr std::int32_t requantize_fused_clamped(std::int32_t acc, std::int32_t bias, const fused_requant& s) {
  const auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(bias));
  const std::int64_t sum =
      static_cast<std::int64_t>((static_cast<std::uint64_t>(static_cast<std::uint32_t>(s.round)) << 32) | 0x40000000u) +
      std::int64_t{x} * s.value;
  return static_cast<std::int32_t>(sum >> 32) >> s.shift;
}

/// Bound on |acc + bias| under which requantize_prescaled is exact: 2^28.
inline constexpr std::int64_t prescaled_input_limit = std::int64_t{1} << 28;

/// Whether convolution epilogues use the prescaled records: on cores
/// without a 32x32->64 multiply-accumulate into two registers (RISC-V; the
/// host too, so host tests run it), where requantize_fused's 64-bit sum
/// costs a carry. Arm keeps requantize_fused (SMLAL does the sum).
#if defined(__arm__)
inline constexpr bool prescaled_requant = false;
#else
inline constexpr bool prescaled_requant = true;
#endif

/// The record requantize_prescaled reads, for a multiplier can_fuse takes:
/// value as in fused_requant, round = 1 + 2^r + output_offset * 2^(r+1),
/// shift = r + 1.
constexpr fused_requant make_prescaled_requant(multiplier m, std::int32_t output_offset) {
  const int r = -m.shift;
  return {m.value,
          static_cast<std::int32_t>(1 + (std::int64_t{1} << r) +
                                    std::int64_t{output_offset} * (std::int64_t{1} << (r + 1))),
          r + 1};
}

/// requantize_prescaled of x for x4 = 4x (|x| < prescaled_input_limit),
/// for callers that have 4x at no cost.
constexpr std::int32_t requantize_prescaled4(std::int32_t x4, const fused_requant& s) {
  const std::int32_t negative = x4 >> 31;  // 0 or -1
  const auto high = static_cast<std::int32_t>((std::int64_t{x4} * s.value) >> 32);
  return (high + s.round + negative + negative) >> s.shift;
}

/// requantize_fused's value with the high word of a 32x32 multiply only,
/// for x = acc + bias with |x| < prescaled_input_limit (the caller proves
/// it at compile time from the layer's size and biases).
/// Multiplying requantize_fused's numerator and denominator by 4 makes its
/// constant 2^32 * (1 + 2^r + output_offset * 2^(r+1) - 2 [x < 0]), a
/// multiple of 2^32, so the result is
/// floor((floor(4x * m / 2^32) + round - 2 [x < 0]) / 2^(r+1)):
/// a high multiply (mulh), three adds and a shift, no carry between words.
/// |4x| < 2^30 keeps 4x in int32 and the sum below 2^31 (r <= 22).
constexpr std::int32_t requantize_prescaled(std::int32_t acc, std::int32_t bias, const fused_requant& s) {
  const auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(bias));
  return requantize_prescaled4(x * 4, s);
}

/// requantize_prescaled4 without the [x < 0] term, where the clamp allows
/// it (see requantize_prescaled_clamped).
constexpr std::int32_t requantize_prescaled4_clamped(std::int32_t x4, const fused_requant& s) {
  const auto high = static_cast<std::int32_t>((std::int64_t{x4} * s.value) >> 32);
  return (high + s.round) >> s.shift;
}

/// requantize_prescaled without the [x < 0] term, where the clamp allows
/// it (as requantize_fused_clamped): for x < 0, 4x * m <= -2^32 makes the
/// high word at most -1, and the result at most the zero point.
constexpr std::int32_t requantize_prescaled_clamped(std::int32_t acc, std::int32_t bias, const fused_requant& s) {
  const auto x = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(bias));
  return requantize_prescaled4_clamped(x * 4, s);
}

/// Whether requantize_prescaled is exact for a channel of `taps` int8
/// products (weights and inputs in [-128, 127]) plus a folded bias: bias is
/// the channel's raw bias, and the folded input offset (at most 128 times the
/// sum of its weights) counts as another taps * 2^14.
constexpr bool prescaled_fits(std::int64_t taps, std::int32_t bias) {
  const std::int64_t b = bias < 0 ? -std::int64_t{bias} : std::int64_t{bias};
  return taps < prescaled_input_limit / (std::int64_t{1} << 15) &&
         b + taps * (std::int64_t{1} << 15) < prescaled_input_limit;
}

/// TFLite's MultiplyByQuantizedMultiplierGreaterThanOne (shift >= 0).
constexpr std::int32_t multiply_by_quantized_multiplier_gt_one(std::int32_t x, multiplier m) {
  return saturating_rounding_doubling_high_mul(shift_left_wrapping(x, m.shift), m.value);
}

/// TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0).
constexpr std::int32_t multiply_by_quantized_multiplier_lt_one(std::int32_t x, multiplier m) {
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, m.value), -m.shift);
}

/// TFLite's MultiplyByQuantizedMultiplier on an int64 accumulator (the 16x8
/// layers': int16 activations, int8 weights, int64 bias). Not the int32
/// form: the multiplier is first rounded to 16 bits (0x7FFF where rounding
/// would overflow), then x * m16 is shifted right by 15 - shift with the
/// half rounded up, and the result truncated to int32. TFLite asserts
/// m >= 0, -31 <= shift < 8 and |x| < 2^47, which the 16x8 layers' sums and
/// multipliers meet.
constexpr std::int32_t multiply_by_quantized_multiplier_64(std::int64_t x, multiplier m) {
  const std::int64_t m16 = m.value < 0x7FFF0000 ? (std::int64_t{m.value} + (1 << 15)) >> 16 : 0x7FFF;
  const int total_shift = 15 - m.shift;
  const std::int64_t round = std::int64_t{1} << (total_shift - 1);
  return static_cast<std::int32_t>((x * m16 + round) >> total_shift);
}

/// TFLite's CheckedLog2: log2(x) rounded half away from zero, and whether
/// x is within 10^-3 (in log2) of that power of two. TFLite computes the
/// log in float32; this computes it in double, which decides the same
/// except for scales within float32 rounding of the 10^-3 bound.
struct log2_result {
  int rounded = 0;
  bool exact = false;
};
constexpr log2_result checked_log2(float x) {
  const auto [fraction, exponent] = detail::frexp(static_cast<double>(x));  // x = fraction * 2^exponent
  // ln(fraction) = 2 atanh(z), z = (f - 1) / (f + 1), |z| <= 1/3.
  const double z = (fraction - 1.0) / (fraction + 1.0);
  double term = z, sum = 0.0;
  for (int k = 0; k < 40; ++k) {
    sum += term / (2 * k + 1);
    term *= z * z;
  }
  const double v = exponent + 2.0 * sum / 0.69314718055994530942;
  const std::int64_t r = detail::round_half_away(v);
  const double frac = v - static_cast<double>(r);
  return {static_cast<int>(r), (frac < 0 ? -frac : frac) < 1e-3};
}

/// sigmoid(i / 24) in unsigned 0.16 for i in [0, 255] (the last entry
/// saturated): TFLite's sigmoid_table_uint16, which its int16 LOGISTIC and
/// TANH interpolate (tanh(x) = 2 sigmoid(2x) - 1). Its values as TFLite
/// lists them (they are not all round(2^16 sigmoid(i / 24))).
inline constexpr std::uint16_t sigmoid_table_uint16[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149, 40794, 41432, 42064, 42688,
    43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409,
    51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370, 60565, 60753, 60935, 61110,
    61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845, 64873, 64900,
    64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079, 65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208,
    65221, 65234, 65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491,
    65493, 65495, 65497, 65498, 65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524,
    65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530,
    65530, 65530, 65531, 65531, 65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65534, 65535,
};

/// The input rescaling of int16 LOGISTIC and TANH: x * value, rounded
/// right shift by `shift` (TFLite's input_multiplier and input_left_shift,
/// with its power-of-two case already resolved to (3 << shift, 0)).
struct sigmoid16_scaling {
  std::int32_t value = 3;
  int shift = 0;
};

/// TFLite's int16 Logistic: the rescaled input in Q3.12 stretched by 4/3,
/// the table interpolated on its magnitude (9 fraction bits per entry),
/// mirrored for negative inputs, to Q0.15.
constexpr std::int16_t logistic16(std::int16_t x, sigmoid16_scaling s) {
  const std::int32_t round = s.shift > 0 ? std::int32_t{1} << (s.shift - 1) : 0;
  const std::int32_t v = (x * s.value + round) >> s.shift;
  const auto a = static_cast<std::uint32_t>(v < 0 ? -v : v);
  const std::uint32_t uh = a >> 9;
  std::uint32_t r = 0;
  if (uh >= 255) {
    r = 0x7FFFu << 10;
  } else {
    const std::uint32_t ua = sigmoid_table_uint16[uh], ub = sigmoid_table_uint16[uh + 1];
    r = (ua << 9) + (a & 0x1FFu) * (ub - ua);
  }
  r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
  return static_cast<std::int16_t>(r >> 10);
}

/// TFLite's int16 Tanh: as logistic16 with 8 fraction bits per entry, then
/// 2 sigmoid - 1 in Q0.15.
constexpr std::int16_t tanh16(std::int16_t x, sigmoid16_scaling s) {
  const std::int32_t round = s.shift > 0 ? std::int32_t{1} << (s.shift - 1) : 0;
  const std::int32_t v = (x * s.value + round) >> s.shift;
  const auto a = static_cast<std::uint32_t>(v < 0 ? -v : v);
  const std::uint32_t uh = a >> 8;
  std::int32_t r = 0;
  if (uh >= 255) {
    r = 0xFFFF << 8;
  } else {
    const std::uint32_t ua = sigmoid_table_uint16[uh], ub = sigmoid_table_uint16[uh + 1];
    r = static_cast<std::int32_t>((ua << 8) + (a & 0xFFu) * (ub - ua));
  }
  r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return static_cast<std::int16_t>(r >> 8);
}

/// Quantize a real value the way TFLite's activation ranges do:
/// zero_point + round(f / scale), in float.
constexpr std::int32_t quantize_value(float f, float scale, std::int32_t zero_point) {
  return zero_point + static_cast<std::int32_t>(detail::round_half_away(static_cast<double>(f / scale)));
}

/// Q-format fixed point on int32 raw values with IntegerBits integer bits
/// (gemmlowp's FixedPoint<int32_t, IntegerBits>), just what SOFTMAX, LOGISTIC,
/// TANH and RSQRT need.
namespace q31 {

template <int IntegerBits>
struct fixed {
  static constexpr int integer_bits = IntegerBits;
  static constexpr int fractional_bits = 31 - IntegerBits;
  std::int32_t raw = 0;

  static constexpr fixed from_raw(std::int32_t r) { return fixed{r}; }
  static constexpr fixed zero() { return fixed{0}; }
  static constexpr fixed one() {
    return fixed{IntegerBits == 0 ? std::numeric_limits<std::int32_t>::max() : std::int32_t{1} << fractional_bits};
  }
  /// 2^Exponent.
  template <int Exponent>
  static constexpr fixed pot() {
    static_assert(fractional_bits + Exponent >= 0 && fractional_bits + Exponent < 31);
    return fixed{std::int32_t{1} << (fractional_bits + Exponent)};
  }

  friend constexpr fixed operator+(fixed a, fixed b) { return fixed{wrap(std::int64_t{a.raw} + b.raw)}; }
  friend constexpr fixed operator-(fixed a, fixed b) { return fixed{wrap(std::int64_t{a.raw} - b.raw)}; }
  friend constexpr fixed operator&(fixed a, fixed b) { return fixed{a.raw & b.raw}; }

 private:
  static constexpr std::int32_t wrap(std::int64_t v) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(v)));
  }
};

template <int A, int B>
constexpr fixed<A + B> operator*(fixed<A> a, fixed<B> b) {
  return fixed<A + B>::from_raw(saturating_rounding_doubling_high_mul(a.raw, b.raw));
}

/// x * 2^Exponent with saturation (Exponent > 0) or rounding (Exponent < 0).
template <int Exponent>
constexpr std::int32_t saturating_rounding_multiply_by_pot(std::int32_t x) {
  if constexpr (Exponent == 0) {
    return x;
  } else if constexpr (Exponent > 0) {
    constexpr std::int32_t threshold = (std::int32_t{1} << (31 - Exponent)) - 1;
    if (x > threshold) return std::numeric_limits<std::int32_t>::max();
    if (x < -threshold) return std::numeric_limits<std::int32_t>::min();
    return shift_left_wrapping(x, Exponent);
  } else {
    return rounding_divide_by_pot(x, -Exponent);
  }
}

/// Change the number of integer bits, keeping the value (gemmlowp's Rescale).
template <int To, int From>
constexpr fixed<To> rescale(fixed<From> x) {
  return fixed<To>::from_raw(saturating_rounding_multiply_by_pot<From - To>(x.raw));
}

/// exp(a) for a in [-1/4, 0), by a Taylor expansion around -1/8.
constexpr fixed<0> exp_on_interval_between_negative_one_quarter_and_0_excl(fixed<0> a) {
  using f0 = fixed<0>;
  constexpr f0 constant_term = f0::from_raw(1895147668);  // exp(-1/8)
  constexpr f0 constant_1_over_3 = f0::from_raw(715827883);
  const f0 x = a + f0::pot<-3>();
  const f0 x2 = x * x;
  const f0 x3 = x2 * x;
  const f0 x4 = x2 * x2;
  const f0 x4_over_4 = f0::from_raw(saturating_rounding_multiply_by_pot<-2>(x4.raw));
  const f0 x4_over_24_plus_x3_over_6_plus_x2_over_2 =
      f0::from_raw(saturating_rounding_multiply_by_pot<-1>((((x4_over_4 + x3) * constant_1_over_3) + x2).raw));
  return constant_term + constant_term * (x + x4_over_24_plus_x3_over_6_plus_x2_over_2);
}

/// exp(a) for a <= 0 (gemmlowp's exp_on_negative_values).
template <int IntegerBits>
constexpr fixed<0> exp_on_negative_values(fixed<IntegerBits> a) {
  using in_t = fixed<IntegerBits>;
  using f0 = fixed<0>;
  constexpr int fractional_bits = in_t::fractional_bits;
  const in_t one_quarter = in_t::template pot<-2>();
  const in_t mask = one_quarter - in_t::from_raw(1);
  const in_t a_mod_quarter_minus_one_quarter = (a & mask) - one_quarter;
  f0 result = exp_on_interval_between_negative_one_quarter_and_0_excl(rescale<0>(a_mod_quarter_minus_one_quarter));
  const std::int32_t remainder = (a_mod_quarter_minus_one_quarter - a).raw;

  // Multiply in exp(-2^k) for every bit k of the remainder (a barrel shifter).
  constexpr struct {
    int exponent;
    std::int32_t factor;
  } steps[] = {{-2, 1672461947}, {-1, 1302514674}, {0, 790015084}, {1, 290630308},
               {2, 39332535},    {3, 720401},      {4, 242}};
  for (const auto& s : steps) {
    if (IntegerBits > s.exponent) {
      const int shift = fractional_bits + s.exponent;
      if ((remainder & (std::int32_t{1} << shift)) != 0) result = result * f0::from_raw(s.factor);
    }
  }
  if constexpr (IntegerBits > 5) {
    constexpr int clamp_bits = 36 - IntegerBits;
    if (a.raw < -(std::int32_t{1} << clamp_bits)) result = f0::zero();
  }
  if (a.raw == 0) result = f0::one();
  return result;
}

/// 2 / (1 + a) for a in [0, 1), as a fixed<2>, by Newton-Raphson on the
/// half denominator (1 + a) / 2 (gemmlowp's one_over_one_plus_x_for_x_in_0_1
/// and one_minus_x_over_one_plus_x_for_x_in_0_1 share it).
constexpr fixed<2> two_over_one_plus_x_for_x_in_0_1(fixed<0> a) {
  using f0 = fixed<0>;
  using f2 = fixed<2>;
  // Rounding half sum of a and one, computed in 64 bits.
  const std::int64_t sum = std::int64_t{a.raw} + f0::one().raw;
  const f0 half_denominator = f0::from_raw(static_cast<std::int32_t>((sum + (sum >= 0 ? 1 : -1)) / 2));
  constexpr f2 constant_48_over_17 = f2::from_raw(1515870810);
  constexpr f2 constant_neg_32_over_17 = f2::from_raw(-1010580540);
  f2 x = constant_48_over_17 + half_denominator * constant_neg_32_over_17;
  for (int i = 0; i < 3; ++i) {
    const f2 half_denominator_times_x = half_denominator * x;
    const f2 one_minus_half_denominator_times_x = f2::one() - half_denominator_times_x;
    x = x + rescale<2>(x * one_minus_half_denominator_times_x);
  }
  return x;
}

/// 1 / (1 + a) for a in [0, 1) (gemmlowp's one_over_one_plus_x_for_x_in_0_1).
constexpr fixed<0> one_over_one_plus_x_for_x_in_0_1(fixed<0> a) {
  // x / 2 with the same raw bits is a fixed<1>; bring it to fixed<0>.
  return rescale<0>(fixed<1>::from_raw(two_over_one_plus_x_for_x_in_0_1(a).raw));
}

/// (1 - a) / (1 + a) for a in [0, 1): 2 / (1 + a) - 1 (gemmlowp's
/// one_minus_x_over_one_plus_x_for_x_in_0_1).
constexpr fixed<0> one_minus_x_over_one_plus_x_for_x_in_0_1(fixed<0> a) {
  return rescale<0>(two_over_one_plus_x_for_x_in_0_1(a) - fixed<2>::one());
}

/// -a with two's-complement wrap-around (gemmlowp's unary minus).
template <int IntegerBits>
constexpr fixed<IntegerBits> negate(fixed<IntegerBits> a) {
  return fixed<IntegerBits>::zero() - a;
}

/// 1 / (1 + exp(-a)) (gemmlowp's logistic): from exp(-|a|), reflected for
/// a <= 0; exactly one half at 0.
template <int IntegerBits>
constexpr fixed<0> logistic(fixed<IntegerBits> a) {
  if (a.raw == 0) return fixed<0>::from_raw(std::int32_t{1} << 30);
  const fixed<IntegerBits> magnitude = a.raw > 0 ? a : negate(a);
  const fixed<0> positive = one_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(negate(magnitude)));
  return a.raw > 0 ? positive : fixed<0>::one() - positive;
}

/// tanh(a) (gemmlowp's tanh): (1 - exp(2n)) / (1 + exp(2n)) for n = -|a|,
/// the doubling done by reading n's raw bits with one integer bit more;
/// exactly 0 at 0.
template <int IntegerBits>
constexpr fixed<0> tanh(fixed<IntegerBits> a) {
  if (a.raw == 0) return fixed<0>::zero();
  const fixed<IntegerBits> n = a.raw < 0 ? a : negate(a);
  const fixed<0> t =
      one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(fixed<IntegerBits + 1>::from_raw(n.raw)));
  return a.raw < 0 ? negate(t) : t;
}

/// 1 / sqrt(x) for an integer x as a multiplier (TFLite's
/// GetInvSqrtQuantizedMultiplierExp, its shift returned as a left shift):
/// x is brought to [2^27, 2^29) by pairs of bits and read as Q3.28 / 2,
/// then five Newton-Raphson steps from 1 and a factor sqrt(2) / 2. x <= 1
/// gives the largest multiplier.
constexpr multiplier inv_sqrt_multiplier(std::int32_t x) {
  if (x <= 1) return {std::numeric_limits<std::int32_t>::max(), 0};
  int shift = 11;
  while (x >= (std::int32_t{1} << 29)) {
    x /= 4;
    ++shift;
  }
  const int pairs = (std::countl_zero(static_cast<std::uint32_t>(x)) - 1) / 2 - 1;
  shift -= pairs;
  x = shift_left_wrapping(x, 2 * pairs);
  using f3 = fixed<3>;
  const f3 half_input = f3::from_raw(saturating_rounding_multiply_by_pot<-1>(x >> 1));
  constexpr f3 half_three = f3::from_raw((std::int32_t{1} << 28) + (std::int32_t{1} << 27));
  f3 y = f3::one();
  for (int i = 0; i < 5; ++i) {
    const f3 y3 = rescale<3>(y * y * y);
    y = rescale<3>(half_three * y - half_input * y3);
  }
  std::int32_t value = (y * fixed<0>::from_raw(1518500250)).raw;  // times sqrt(2) / 2
  if (shift < 0) {
    value = shift_left_wrapping(value, -shift);
    shift = 0;
  }
  return {value, -shift};
}

/// Reciprocal of a fixed<IntegerBits> raw value x > 0 as a fixed<0> scale plus
/// the number of bits of x above one (TFLite's GetReciprocal).
struct reciprocal_result {
  std::int32_t scale;
  int bits_over_unit;
};
constexpr reciprocal_result reciprocal(std::int32_t x, int integer_bits) {
  const int headroom_plus_one = std::countl_zero(static_cast<std::uint32_t>(x));
  const int bits_over_unit = integer_bits - headroom_plus_one;
  const auto shifted_minus_one =
      static_cast<std::int32_t>((static_cast<std::uint32_t>(x) << headroom_plus_one) - (std::uint32_t{1} << 31));
  return {one_over_one_plus_x_for_x_in_0_1(fixed<0>::from_raw(shifted_minus_one)).raw, bits_over_unit};
}

}  // namespace q31
}  // namespace weft
