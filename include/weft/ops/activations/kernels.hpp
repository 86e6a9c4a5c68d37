// SPDX-License-Identifier: Apache-2.0
// gemmlowp's int16 fixed point, which TFLite's int8 HARD_SWISH computes in.
#pragma once

#include "weft/ops/float_math.hpp"

#include <cstdint>
#include <limits>

namespace weft::ops {

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
