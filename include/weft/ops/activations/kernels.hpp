// SPDX-License-Identifier: Apache-2.0
// Arithmetic the activation units share with TFLite's kernels beyond
// weft/core/fixed_point.hpp: conversions as the x86 hosts TFLite's results
// come from do them, gemmlowp's int16 fixed point (HARD_SWISH), and an exp
// usable in constant expressions (ELU's int8 table is built at compile time).
#pragma once

#include "weft/core/fixed_point.hpp"

#include <cstdint>
#include <limits>

namespace weft::ops {

/// A double's conversion to int32 as x86 does it: toward zero, and
/// INT32_MIN for anything beyond int32 (or NaN), where C++ leaves it
/// undefined and TFLite relies on it.
constexpr std::int32_t to_int32_x86(double v) {
  return v >= -2147483648.0 && v < 2147483648.0 ? static_cast<std::int32_t>(v) : INT32_MIN;
}

/// std::round of a float (half away from zero), in constant expressions.
constexpr float round_float(float x) {
  // From 2^23 on every float is an integer (and NaN and infinities stay).
  if (!(x > -8388608.0f && x < 8388608.0f)) return x;
  return static_cast<float>(detail::round_half_away(static_cast<double>(x)));
}

/// std::round of a double, in constant expressions.
constexpr double round_double(double x) {
  if (!(x > -4503599627370496.0 && x < 4503599627370496.0)) return x;  // 2^52: integers already
  return static_cast<double>(detail::round_half_away(x));
}

constexpr std::int8_t saturate_int8(std::int32_t v) {
  return static_cast<std::int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
}

/// e^x for x <= 0 in double, in constant expressions: x = k ln 2 + r with
/// |r| <= ln 2 / 2, e^r by its Taylor series, times 2^k. Within a few units
/// of the last place of a double, so rounding it to float gives the
/// correctly rounded e^x that glibc's expf returns (tests/ops holds it to
/// expf on every float ELU's tables can meet).
constexpr double exp_negative(double x) {
  if (x < -745.0) return 0.0;
  constexpr double ln2_hi = 6.93147180369123816490e-01;  // ln 2 split in two: k * ln2_hi is exact
  constexpr double ln2_lo = 1.90821492927058770002e-10;
  const double k = round_double(x * 1.44269504088896338700e+00);  // x / ln 2
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  double term = 1.0, sum = 1.0;
  for (int n = 1; n < 24; ++n) {
    term *= r / n;
    sum += term;
  }
  for (int i = 0; i < -static_cast<int>(k); ++i) sum *= 0.5;  // exact until the result is subnormal
  return sum;
}

// gemmlowp's int16 fixed point, with its int16 wrap-around and truncation.
namespace q15 {

/// SaturatingRoundingDoublingHighMul on int16: round(a * b / 2^15), ties
/// away from zero, -32768 * -32768 saturating.
constexpr std::int16_t rounding_doubling_high_mul(std::int16_t a, std::int16_t b) {
  if (a == b && a == std::numeric_limits<std::int16_t>::min()) return std::numeric_limits<std::int16_t>::max();
  const std::int32_t ab = std::int32_t{a} * std::int32_t{b};
  const std::int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return static_cast<std::int16_t>((ab + nudge) / (1 << 15));
}

/// SaturatingDoublingHighMul on int16: a * b / 2^15 truncated toward zero.
constexpr std::int16_t doubling_high_mul(std::int16_t a, std::int16_t b) {
  if (a == b && a == std::numeric_limits<std::int16_t>::min()) return std::numeric_limits<std::int16_t>::max();
  return static_cast<std::int16_t>(std::int32_t{a} * std::int32_t{b} / (1 << 15));
}

/// RoundingDivideByPOT on int16, exponent in [0, 31]: its mask is
/// (2^exponent - 1) cut to int16, so from 16 on it is -1 and the result is 1
/// for x >= 0 and -1 below, as gemmlowp computes it.
constexpr std::int16_t rounding_divide_by_pot(std::int16_t x, int exponent) {
  const auto mask = static_cast<std::int16_t>((std::int64_t{1} << exponent) - 1);
  const auto remainder = static_cast<std::int16_t>(x & mask);
  const auto threshold = static_cast<std::int16_t>((mask >> 1) + (x < 0 ? 1 : 0));
  return static_cast<std::int16_t>((x >> exponent) + (remainder > threshold ? 1 : 0));
}

/// value * 2^amount, saturated to int16.
constexpr std::int16_t saturating_left_shift(std::int16_t value, int amount) {
  const std::int64_t r = std::int64_t{value} * (std::int64_t{1} << amount);
  return static_cast<std::int16_t>(r > 32767 ? 32767 : (r < -32768 ? -32768 : r));
}

/// An int32 multiplier's value rounded to int16 (TFLite's
/// DownScaleInt32ToInt16Multiplier).
constexpr std::int16_t downscale_multiplier(std::int32_t m) {
  if (m >= std::numeric_limits<std::int32_t>::max() - (1 << 15)) return std::numeric_limits<std::int16_t>::max();
  return static_cast<std::int16_t>((m + (1 << 15)) >> 16);
}

}  // namespace q15
}  // namespace weft::ops
