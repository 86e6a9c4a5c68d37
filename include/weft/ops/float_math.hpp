// SPDX-License-Identifier: Apache-2.0
// Float arithmetic as TFLite's kernels do it on the x86 hosts its results
// come from, usable in constant expressions: conversions to int32, round,
// glibc's expf and sqrt. Units use them for the constants they prepare at compile
// time (ELU's int8 table, RELU6's six, RSQRT's multiplier).
#pragma once

#include "weft/core/fixed_point.hpp"

#include <bit>
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

namespace fma_parts {

/// A 128-bit unsigned integer as two words, for fma_exact.
struct u128 {
  std::uint64_t hi = 0, lo = 0;
};
constexpr int top_bit(u128 x) {  // index of the highest set bit, -1 for 0
  return x.hi ? 127 - std::countl_zero(x.hi) : (x.lo ? 63 - std::countl_zero(x.lo) : -1);
}
constexpr u128 shift_left(u128 x, int n) {
  if (n == 0) return x;
  if (n >= 64) return {x.lo << (n - 64), 0};
  return {(x.hi << n) | (x.lo >> (64 - n)), x.lo << n};
}
/// x >> n, and whether any bit shifted out was set.
constexpr u128 shift_right(u128 x, int n, bool& sticky) {
  if (n == 0) return x;
  if (n >= 128) {
    sticky = sticky || x.hi || x.lo;
    return {};
  }
  if (n >= 64) {
    sticky = sticky || x.lo || (n > 64 && (x.hi << (128 - n)));
    return {0, x.hi >> (n - 64)};
  }
  sticky = sticky || (x.lo << (64 - n));
  return {x.hi >> n, (x.lo >> n) | (x.hi << (64 - n))};
}
constexpr u128 add(u128 a, u128 b) {
  const std::uint64_t lo = a.lo + b.lo;
  return {a.hi + b.hi + (lo < a.lo ? 1 : 0), lo};
}
constexpr u128 sub(u128 a, u128 b) {  // a >= b
  return {a.hi - b.hi - (a.lo < b.lo ? 1 : 0), a.lo - b.lo};
}
constexpr bool less(u128 a, u128 b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }

/// A finite nonzero double as sign, 53-bit integer mantissa and exponent.
struct unpacked {
  bool negative;
  std::uint64_t mantissa;
  int exponent;  // value = mantissa * 2^exponent
};
constexpr unpacked unpack(double x) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const int biased = static_cast<int>((bits >> 52) & 0x7ff);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  if (biased == 0) return {(bits >> 63) != 0, fraction, -1074};
  return {(bits >> 63) != 0, fraction | (std::uint64_t{1} << 52), biased - 1075};
}

}  // namespace fma_parts

/// a * b + c rounded once to the nearest double (ties to even), as an FMA
/// instruction computes it, in constant expressions. For finite operands
/// whose result is a normal double (what expf_glibc needs).
constexpr double fma_exact(double a, double b, double c) {
  using fma_parts::u128;
  if (a == 0.0 || b == 0.0) return a * b + c;
  const fma_parts::unpacked x = fma_parts::unpack(a), y = fma_parts::unpack(b);
  // The exact product: 53 x 53 bits in 32-bit limbs.
  const std::uint64_t x1 = x.mantissa >> 32, x0 = x.mantissa & 0xffffffffu;
  const std::uint64_t y1 = y.mantissa >> 32, y0 = y.mantissa & 0xffffffffu;
  u128 p{x1 * y1, x0 * y0};
  p = fma_parts::add(p, fma_parts::shift_left(u128{0, x1 * y0}, 32));
  p = fma_parts::add(p, fma_parts::shift_left(u128{0, x0 * y1}, 32));
  const bool p_negative = x.negative != y.negative;
  // Both terms with their top bit at 125 (room for a carry), then aligned.
  int pe = x.exponent + y.exponent;
  const int pshift = 125 - fma_parts::top_bit(p);
  p = fma_parts::shift_left(p, pshift);
  pe -= pshift;
  if (c == 0.0) c = 0.0;  // (a signed zero adds nothing)
  u128 q{};
  int qe = pe;
  bool q_negative = false;
  if (c != 0.0) {
    const fma_parts::unpacked z = fma_parts::unpack(c);
    q = u128{0, z.mantissa};
    const int qshift = 125 - fma_parts::top_bit(q);
    q = fma_parts::shift_left(q, qshift);
    qe = z.exponent - qshift;
    q_negative = z.negative;
  }
  bool sticky = false;  // the exact value is the sum plus a positive fraction of its last bit
  int e = pe;
  if (qe > pe) {
    p = fma_parts::shift_right(p, qe - pe, sticky);
    e = qe;
  } else {
    q = fma_parts::shift_right(q, pe - qe, sticky);
  }
  // Which operand the sticky bits came from decides how they enter a
  // difference: subtracting a truncated term, take one more and keep the
  // fraction positive.
  const bool sticky_from_q = qe <= pe;
  u128 s{};
  bool negative = p_negative;
  if (p_negative == q_negative || (q.hi == 0 && q.lo == 0)) {
    s = fma_parts::add(p, q);
  } else {
    const bool q_larger = fma_parts::less(p, q);
    const u128 big = q_larger ? q : p, small = q_larger ? p : q;
    negative = q_larger ? q_negative : p_negative;
    s = fma_parts::sub(big, small);
    const bool truncated_small = sticky && (sticky_from_q != q_larger);
    if (truncated_small) s = fma_parts::sub(s, u128{0, 1});
  }
  if (s.hi == 0 && s.lo == 0 && !sticky) return 0.0;
  // Round to 53 bits: the bit below them (half), then the rest and the
  // sticky fraction. (A result this short comes only from operands so close
  // that aligning them lost nothing: no sticky fraction then.)
  const int drop = fma_parts::top_bit(s) - 52;
  bool below = sticky;
  bool half = false;
  u128 kept = s;
  if (drop > 0) {
    kept = fma_parts::shift_right(kept, drop - 1, below);
    half = (kept.lo & 1) != 0;
    bool half_bit = false;
    kept = fma_parts::shift_right(kept, 1, half_bit);
  } else {
    kept = fma_parts::shift_left(kept, -drop);
  }
  std::uint64_t m = kept.lo;
  if (half && (below || (m & 1))) ++m;
  int exponent = e + drop;
  if (m >> 53) {
    m >>= 1;
    ++exponent;
  }
  const int biased = exponent + 1075;
  if (biased <= 0 || biased >= 2047) {  // (outside fma_exact's range: no exact result promised)
    double r = static_cast<double>(m);
    for (int i = 0; i < exponent; ++i) r *= 2.0;
    for (int i = 0; i > exponent; --i) r *= 0.5;
    return negative ? -r : r;
  }
  return std::bit_cast<double>((negative ? std::uint64_t{1} << 63 : 0) | (static_cast<std::uint64_t>(biased) << 52) |
                               (m & ((std::uint64_t{1} << 52) - 1)));
}

/// e^x as glibc's expf returns it on x86-64 CPUs with FMA (the variant the
/// hosts TFLite's results come from run; ELU's int8 table needs its exact
/// bits, which are not always the correctly rounded ones), in constant
/// expressions: x / ln 2 = (k + r) / 32 with k an integer, 2^(k/32) from a
/// table of 2^(i/32), 2^(r/32) by a cubic, the same operations in the same
/// order, fused where glibc's code is. For x >= -103 (below, glibc
/// underflows to zero or nearly: 0 here).
constexpr float expf_glibc(float x) {
  if (x != x) return x;
  if (x < -103.0f) return 0.0f;
  // 2^(i/32) as a double, minus i << 47 (so that adding k << 47 to entry
  // k % 32 gives the bits of 2^(k/32)).
  constexpr std::uint64_t table[32] = {0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
                                       0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
                                       0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
                                       0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
                                       0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
                                       0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
                                       0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
                                       0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540};
  constexpr double inv_ln2_32 = 0x1.71547652b82fep+5;  // 32 / ln 2
  constexpr double shift = 0x1.8p+52;                  // adding it rounds to an integer
  constexpr double c0 = 0x1.c6af84b912394p-20, c1 = 0x1.ebfce50fac4f3p-13, c2 = 0x1.62e42ff0c52d6p-6;
  const double xd = x;
  const double kd_shifted = fma_exact(inv_ln2_32, xd, shift);
  const auto ki = std::bit_cast<std::uint64_t>(kd_shifted);
  const double kd = kd_shifted - shift;
  const double r = fma_exact(inv_ln2_32, xd, -kd);
  const double s = std::bit_cast<double>(table[ki % 32] + (ki << 47));
  const double z = fma_exact(r, c0, c1);
  const double r2 = r * r;
  double y = fma_exact(r, c2, 1.0);
  y = fma_exact(z, r2, y);
  return static_cast<float>(y * s);
}

/// The correctly rounded square root of a float (what sqrtf returns), in
/// constant expressions: Newton's iteration in double, then the float whose
/// neighbouring midpoints' squares (exact in double) enclose x.
constexpr float sqrt_float(float x) {
  if (!(x > 0.0f)) return x == 0.0f ? x : std::numeric_limits<float>::quiet_NaN();
  if (x > std::numeric_limits<float>::max()) return x;
  const double d = x;
  double y = d < 1.0 ? 1.0 : d;
  for (int i = 0; i < 300; ++i) {
    const double next = 0.5 * (y + d / y);
    if (next == y) break;
    y = next;
  }
  auto step = [](float f, int by) {
    return std::bit_cast<float>(
        static_cast<std::uint32_t>(static_cast<std::int64_t>(std::bit_cast<std::uint32_t>(f)) + by));
  };
  float f = static_cast<float>(y);
  for (;;) {
    const double up = (static_cast<double>(f) + static_cast<double>(step(f, 1))) / 2;
    const double down = (static_cast<double>(f) + static_cast<double>(step(f, -1))) / 2;
    if (up * up < d) {
      f = step(f, 1);
    } else if (down * down > d) {
      f = step(f, -1);
    } else {
      return f;
    }
  }
}

}  // namespace weft::ops
