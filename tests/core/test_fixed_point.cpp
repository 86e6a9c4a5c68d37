// SPDX-License-Identifier: Apache-2.0
// TFLite's fixed-point primitives against independent definitions: exact
// 128-bit arithmetic for the rounding multiply and shift, libm for frexp and
// round, std::exp for the Q-format exponential.
#include "support/random.hpp"

#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>

using namespace weft;

namespace {

__extension__ typedef __int128 i128;

// floor(a / b) for b > 0.
i128 floor_div(i128 a, i128 b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// gemmlowp: round(a * b / 2^31), halves rounded up, saturating INT32_MIN^2.
std::int32_t srdhm_reference(std::int32_t a, std::int32_t b) {
  if (a == b && a == std::numeric_limits<std::int32_t>::min()) return std::numeric_limits<std::int32_t>::max();
  return static_cast<std::int32_t>(floor_div(static_cast<i128>(a) * b + (i128{1} << 30), i128{1} << 31));
}

// x / 2^e rounded to nearest, halves away from zero.
std::int32_t rdbp_reference(std::int32_t x, int e) {
  if (e == 0) return x;
  const i128 half = i128{1} << (e - 1);
  return static_cast<std::int32_t>(x >= 0 ? (static_cast<i128>(x) + half) >> e
                                          : -((-static_cast<i128>(x) + half) >> e));
}

std::int32_t random_int(test::rng& r) {
  switch (r.uniform(0, 3)) {
    case 0:
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(r.next()));
    case 1:
      return r.uniform(-1000, 1000);
    case 2:
      return r.pick({std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max(), 0, -1, 1,
                     1 << 30, -(1 << 30)});
    default:
      return static_cast<std::int32_t>(static_cast<std::uint32_t>(r.next())) >> r.uniform(0, 31);
  }
}

}  // namespace

TEST_CASE("saturating_rounding_doubling_high_mul equals exact rounding of a*b/2^31", "[core][fixed_point]") {
  test::rng r(1);
  for (int k = 0; k < 200000; ++k) {
    const std::int32_t a = random_int(r), b = random_int(r);
    REQUIRE(saturating_rounding_doubling_high_mul(a, b) == srdhm_reference(a, b));
  }
  STATIC_REQUIRE(saturating_rounding_doubling_high_mul(std::numeric_limits<std::int32_t>::min(),
                                                       std::numeric_limits<std::int32_t>::min()) ==
                 std::numeric_limits<std::int32_t>::max());
  STATIC_REQUIRE(saturating_rounding_doubling_high_mul(1 << 30, 1) == 1);     // 0.5 rounds up
  STATIC_REQUIRE(saturating_rounding_doubling_high_mul(-(1 << 30), 1) == 0);  // -0.5 rounds up too
}

TEST_CASE("rounding_divide_by_pot rounds halves away from zero", "[core][fixed_point]") {
  test::rng r(2);
  for (int k = 0; k < 200000; ++k) {
    const std::int32_t x = random_int(r);
    const int e = r.uniform(0, 31);
    REQUIRE(rounding_divide_by_pot(x, e) == rdbp_reference(x, e));
  }
  STATIC_REQUIRE(rounding_divide_by_pot(-2, 2) == -1);
  STATIC_REQUIRE(rounding_divide_by_pot(2, 2) == 1);
  STATIC_REQUIRE(rounding_divide_by_pot(-3, 3) == 0);
}

TEST_CASE("quantize_multiplier equals frexp and round from libm", "[core][fixed_point]") {
  test::rng r(3);
  for (int k = 0; k < 100000; ++k) {
    const double m = std::exp(r.real() * 120.0 - 90.0);  // 1e-39 .. 1e13
    int shift = 0;
    const double q = std::frexp(m, &shift);
    auto fixed = static_cast<std::int64_t>(std::round(q * 2147483648.0));
    if (fixed == (std::int64_t{1} << 31)) {
      fixed /= 2;
      ++shift;
    }
    if (shift < -31) shift = 0, fixed = 0;
    const multiplier got = quantize_multiplier(m);
    REQUIRE(got.value == fixed);
    REQUIRE(got.shift == shift);
  }
  STATIC_REQUIRE(quantize_multiplier(0.0) == multiplier{0, 0});
  STATIC_REQUIRE(quantize_multiplier(1.0) == multiplier{1 << 30, 1});
  STATIC_REQUIRE(quantize_multiplier(0.5) == multiplier{1 << 30, 0});
  // A mantissa that rounds up to 2^31 moves to the next exponent.
  STATIC_REQUIRE(quantize_multiplier(0.99999999999) == multiplier{1 << 30, 1});
  STATIC_REQUIRE(quantize_multiplier(0x1p-40) == multiplier{0, 0});
}

TEST_CASE("multiply_by_quantized_multiplier approximates x * M within one", "[core][fixed_point]") {
  test::rng r(4);
  for (int k = 0; k < 100000; ++k) {
    const double m = std::exp(r.real() * 20.0 - 18.0);
    const std::int32_t x = r.uniform(-100000, 100000);
    const double exact = x * m;
    if (std::abs(exact) > 1e9) continue;
    REQUIRE(std::abs(multiply_by_quantized_multiplier(x, quantize_multiplier(m)) - exact) <= 1.0);
  }
}

TEST_CASE("requantize equals multiply_by_quantized_multiplier for every multiplier quantize_multiplier makes",
          "[core][fixed_point]") {
  test::rng r(5);
  for (int k = 0; k < 200000; ++k) {
    // Real multipliers from 2^-40 (value 0) to 2^20, and any int32 input.
    const multiplier m = quantize_multiplier(std::exp2(r.real() * 60.0 - 40.0));
    const std::int32_t x = random_int(r);
    REQUIRE(requantize(x, m) == multiply_by_quantized_multiplier(x, m));
  }
  // The extremes of the value range at the largest right shift.
  for (const std::int32_t x :
       {std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max(), -1}) {
    for (const multiplier m : {multiplier{1 << 30, -31}, multiplier{std::numeric_limits<std::int32_t>::max(), -31},
                               multiplier{std::numeric_limits<std::int32_t>::max(), 0}, multiplier{0, 0}}) {
      REQUIRE(requantize(x, m) == multiply_by_quantized_multiplier(x, m));
    }
  }
}

TEST_CASE("multiply_by_quantized_multiplier_64 rounds the multiplier to 16 bits, then x * m half up",
          "[core][fixed_point]") {
  // Halves round up, not away from zero: 1001 * 0.5 = 500.5 -> 501,
  // -1001 * 0.5 = -500.5 -> -500.
  STATIC_REQUIRE(multiply_by_quantized_multiplier_64(1000, multiplier{1 << 30, 0}) == 500);
  STATIC_REQUIRE(multiply_by_quantized_multiplier_64(1001, multiplier{1 << 30, 0}) == 501);
  STATIC_REQUIRE(multiply_by_quantized_multiplier_64(-1001, multiplier{1 << 30, 0}) == -500);
  // A value at or above 0x7FFF0000 becomes 0x7FFF (its rounding would
  // overflow 16 bits): 2^20 * 0x7FFF / 2^15 = 0x7FFF * 32.
  STATIC_REQUIRE(multiply_by_quantized_multiplier_64(1 << 20, multiplier{0x7FFFFFFF, 0}) == 0x7FFF * 32);
  // The 16-bit multiplier loses what the int32 form keeps: 0.75 + 2^-20.
  STATIC_REQUIRE(multiply_by_quantized_multiplier_64(1 << 24, multiplier{(3 << 29) + (1 << 11), 0}) == 3 << 22);
  // Against the formula in 128-bit arithmetic (floor division).
  test::rng r(11);
  for (int k = 0; k < 200000; ++k) {
    const multiplier m = quantize_multiplier(std::exp2(r.real() * 36.0 - 30.0));
    if (m.shift < -31 || m.shift >= 8) continue;
    const std::int64_t x = (std::int64_t{random_int(r)} << 15) + r.uniform(-32768, 32767);
    const i128 m16 = m.value < 0x7FFF0000 ? (i128{m.value} + 32768) / 65536 : 0x7FFF;
    const int ts = 15 - m.shift;
    const i128 num = i128{x} * m16 + (i128{1} << (ts - 1));
    const i128 den = i128{1} << ts;
    i128 q = num / den;
    if (num % den != 0 && num < 0) q -= 1;
    REQUIRE(multiply_by_quantized_multiplier_64(x, m) == static_cast<std::int32_t>(static_cast<std::int64_t>(q)));
  }
}

TEST_CASE("requantize_fused equals requantize plus the output offset for every multiplier it takes",
          "[core][fixed_point]") {
  test::rng r(7);
  int fused = 0;
  auto check = [&](std::int32_t acc, std::int32_t bias, multiplier m, std::int32_t offset) {
    const std::int32_t x =
        static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(bias));
    REQUIRE(requantize_fused(acc, bias, make_fused_requant(m, offset)) ==
            multiply_by_quantized_multiplier(x, m) + offset);
  };
  for (int k = 0; k < 300000; ++k) {
    // Multipliers from 2^-24 to 1: those with shift in [-22, -2] fuse.
    const auto offset = static_cast<std::int32_t>(r.uniform(-128, 127));
    if (k % 4 == 0) {
      // Exact ties of the final rounding: value 2^30 halves x, and
      // x = odd * 2^r puts the half at the rounding point.
      const int shift = r.uniform(2, 22);
      const std::int32_t odd = 2 * r.uniform(-256, 255) + 1;
      check(odd * (1 << shift), 0, multiplier{1 << 30, -shift}, offset);
      continue;
    }
    const multiplier m = quantize_multiplier(std::exp2(r.real() * -24.0));
    if (!can_fuse(m)) continue;
    ++fused;
    check(random_int(r), random_int(r), m, offset);
  }
  REQUIRE(fused > 150000);
  // The exact powers of two (x = -1 with value 2^30 rounds to 0 either way),
  // the extremes of the range, and shifts at both ends.
  for (const std::int32_t acc : {std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max(), -1,
                                 0, 1, -2, 2, -(1 << 20), (1 << 20)}) {
    for (const multiplier m : {multiplier{1 << 30, -2}, multiplier{1 << 30, -22}, multiplier{0x7fffffff, -2},
                               multiplier{0x7fffffff, -22}, multiplier{(1 << 30) + 1, -9}}) {
      for (const std::int32_t offset : {-128, 0, 127}) check(acc, 0, m, offset);
    }
  }
  // Outside its range it does not claim the multiplier.
  REQUIRE_FALSE(can_fuse(multiplier{1 << 30, -1}));
  REQUIRE_FALSE(can_fuse(multiplier{1 << 30, 0}));
  REQUIRE_FALSE(can_fuse(multiplier{1 << 30, -23}));
  REQUIRE_FALSE(can_fuse(multiplier{0, -5}));
}

TEST_CASE(
    "the clamped requantizations give the same clamped values where the clamp's minimum is at or above the "
    "zero point",
    "[core][fixed_point]") {
  test::rng r(9);
  const auto limit = static_cast<std::int32_t>(prescaled_input_limit);
  int below = 0, changed = 0;
  auto check = [&](std::int32_t x, multiplier m, std::int32_t offset) {
    // A clamp whose minimum is the zero point or above it (ReLU, ReLU6).
    const ops::int8_range act{offset + (x & 3), 127};
    const std::int32_t want = ops::clamp_int8(multiply_by_quantized_multiplier(x, m) + offset, act);
    REQUIRE(ops::clamp_int8(requantize_fused_clamped(x, 0, make_fused_requant(m, offset)), act) == want);
    // The unclamped values differ for some negative x: the term matters.
    changed += requantize_fused_clamped(x, 0, make_fused_requant(m, offset)) !=
               requantize_fused(x, 0, make_fused_requant(m, offset));
    below += x < 0;
    if (x > -limit && x < limit) {
      REQUIRE(ops::clamp_int8(requantize_prescaled_clamped(x, 0, make_prescaled_requant(m, offset)), act) == want);
    }
  };
  for (int k = 0; k < 200000; ++k) {
    const auto offset = static_cast<std::int32_t>(r.uniform(-128, 124));
    if (k % 4 == 0) {
      // Exact ties of the final rounding, of both signs.
      const int shift = r.uniform(2, 22);
      const std::int32_t odd = 2 * r.uniform(-(1 << 5), (1 << 5) - 1) + 1;
      check(odd * (1 << shift), multiplier{1 << 30, -shift}, offset);
      continue;
    }
    const multiplier m = quantize_multiplier(std::exp2(r.real() * -24.0));
    if (!can_fuse(m)) continue;
    check(k % 3 == 0 ? r.uniform(-(1 << 16), 1 << 16) : r.uniform(-limit + 1, limit - 1), m, offset);
  }
  for (const std::int32_t x : {-limit + 1, limit - 1, -1, 0, 1, -2, 2})
    for (const multiplier m : {multiplier{1 << 30, -2}, multiplier{1 << 30, -22}, multiplier{0x7fffffff, -2}})
      for (const std::int32_t offset : {-128, 0, 124}) check(x, m, offset);
  REQUIRE(below > 50000);
  REQUIRE(changed > 0);
}

TEST_CASE("requantize_prescaled equals requantize plus the output offset within its bound", "[core][fixed_point]") {
  test::rng r(8);
  const auto limit = static_cast<std::int32_t>(prescaled_input_limit);
  auto check = [&](std::int32_t acc, std::int32_t bias, multiplier m, std::int32_t offset) {
    const std::int32_t x =
        static_cast<std::int32_t>(static_cast<std::uint32_t>(acc) + static_cast<std::uint32_t>(bias));
    REQUIRE(x < limit);
    REQUIRE(x > -limit);
    REQUIRE(requantize_prescaled(acc, bias, make_prescaled_requant(m, offset)) ==
            multiply_by_quantized_multiplier(x, m) + offset);
  };
  int checked = 0;
  for (int k = 0; k < 300000; ++k) {
    const auto offset = static_cast<std::int32_t>(r.uniform(-128, 127));
    if (k % 4 == 0) {
      // Exact ties of the final rounding, as for requantize_fused, with
      // both signs: odd * 2^r is a half at the rounding point.
      const int shift = r.uniform(2, 22);
      const std::int32_t odd = 2 * r.uniform(-(1 << 5), (1 << 5) - 1) + 1;
      check(odd * (1 << shift), 0, multiplier{1 << 30, -shift}, offset);
      continue;
    }
    const multiplier m = quantize_multiplier(std::exp2(r.real() * -24.0));
    if (!can_fuse(m)) continue;
    ++checked;
    // Accumulators over the whole bound, and small ones (most layers').
    const std::int32_t bias = r.uniform(-(1 << 20), 1 << 20);
    const std::int32_t acc =
        k % 3 == 0 ? r.uniform(-(1 << 16), 1 << 16) : r.uniform(-limit + (1 << 20) + 1, limit - (1 << 20) - 1);
    check(acc, bias, m, offset);
  }
  REQUIRE(checked > 150000);
  for (const std::int32_t acc : {-limit + 1, limit - 1, -1, 0, 1, -2, 2, -(1 << 20), 1 << 20}) {
    for (const multiplier m : {multiplier{1 << 30, -2}, multiplier{1 << 30, -22}, multiplier{0x7fffffff, -2},
                               multiplier{0x7fffffff, -22}, multiplier{(1 << 30) + 1, -9}}) {
      for (const std::int32_t offset : {-128, 0, 127}) check(acc, 0, m, offset);
    }
  }
  // The bound a layer must prove: its size and raw bias.
  STATIC_REQUIRE(prescaled_fits(576, 1 << 20));
  STATIC_REQUIRE(prescaled_fits(8191, 0));
  STATIC_REQUIRE_FALSE(prescaled_fits(8192, 0));
  STATIC_REQUIRE_FALSE(prescaled_fits(1, (1 << 28) - 1));
  STATIC_REQUIRE_FALSE(prescaled_fits(1, std::numeric_limits<std::int32_t>::min()));
}

TEST_CASE("Q-format exp and reciprocal track std::exp and 1/x", "[core][fixed_point]") {
  for (int i = 0; i <= 1000; ++i) {
    const double a = -16.0 * i / 1000.0;  // Q5.26 range used by softmax
    const auto raw = static_cast<std::int32_t>(std::lround(a * (1 << 26)));
    const double got = q31::exp_on_negative_values(q31::fixed<5>::from_raw(raw)).raw / 2147483648.0;
    REQUIRE(std::abs(got - std::exp(raw / double(1 << 26))) < 2e-6);
  }
  for (int i = 0; i < 1000; ++i) {
    const double x = i / 1000.0;
    const auto raw = static_cast<std::int32_t>(std::lround(x * 2147483648.0));
    const double got = q31::one_over_one_plus_x_for_x_in_0_1(q31::fixed<0>::from_raw(raw)).raw / 2147483648.0;
    REQUIRE(std::abs(got - 1.0 / (1.0 + x)) < 1e-8);
  }
  STATIC_REQUIRE(q31::exp_on_negative_values(q31::fixed<5>::from_raw(0)).raw ==
                 std::numeric_limits<std::int32_t>::max());
}

TEST_CASE("Q-format logistic, tanh and inverse square root track the real functions", "[core][fixed_point]") {
  for (int i = -8000; i < 8000; ++i) {  // Q4.27, the input of int8 LOGISTIC and TANH
    const auto raw = static_cast<std::int32_t>(std::lround(i / 1000.0 * (1 << 27)));
    const double x = raw / static_cast<double>(1 << 27);
    const double logistic = q31::logistic(q31::fixed<4>::from_raw(raw)).raw / 2147483648.0;
    const double tanh = q31::tanh(q31::fixed<4>::from_raw(raw)).raw / 2147483648.0;
    REQUIRE(std::abs(logistic - 1 / (1 + std::exp(-x))) < 2e-7);
    REQUIRE(std::abs(tanh - std::tanh(x)) < 3e-7);
  }
  for (int i = 0; i <= 1000; ++i) {
    const auto raw = static_cast<std::int32_t>(std::lround(i / 1000.0 * 2147483647.0));
    const double x = raw / 2147483648.0;
    const double got = q31::one_minus_x_over_one_plus_x_for_x_in_0_1(q31::fixed<0>::from_raw(raw)).raw / 2147483648.0;
    REQUIRE(std::abs(got - (1 - x) / (1 + x)) < 2e-8);
  }
  for (int v = 2; v < (1 << 20); v += 7) {  // int8 RSQRT takes 1 to 255
    const multiplier m = q31::inv_sqrt_multiplier(v);
    REQUIRE(std::abs(m.value / 2147483648.0 * std::ldexp(1.0, m.shift) * std::sqrt(static_cast<double>(v)) - 1) < 3e-6);
  }
  // Exactly one half and zero at zero, as gemmlowp special-cases them.
  STATIC_REQUIRE(q31::logistic(q31::fixed<4>::from_raw(0)).raw == (1 << 30));
  STATIC_REQUIRE(q31::tanh(q31::fixed<4>::from_raw(0)).raw == 0);
  STATIC_REQUIRE(q31::inv_sqrt_multiplier(1) == multiplier{std::numeric_limits<std::int32_t>::max(), 0});
}
