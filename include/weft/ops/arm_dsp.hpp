// SPDX-License-Identifier: Apache-2.0
// The Arm DSP extension's SIMD multiply-accumulate (SXTB16, SMLAD), for
// kernels a core profile lets use it. Written as inline assembly with the
// extension enabled for that instruction only: on a chip whose cores differ
// (the SSE-200's CPU0 has no DSP, its CPU1 has), the firmware is compiled for
// the lesser core and only the kernels of cores with the extension contain
// these instructions.
#pragma once

#include <cstdint>

namespace weft::ops::arm_dsp {

#if defined(__ARM_FEATURE_DSP)
#define WEFT_DSP_ASM(insn) insn  // the target has the extension
#elif (defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)) && !defined(__clang__)
#define WEFT_DSP_ASM(insn) ".arch_extension dsp\n\t" insn  // compiled for a core without it
#elif defined(__ARM_ARCH_8_1M_MAIN__)
// Clang's assembler knows no ".arch_extension dsp": it names a core that has
// the extension instead, for this statement only (Clang assembles each
// inline assembly statement on its own).
#define WEFT_DSP_ASM(insn) ".cpu cortex-m55\n\t" insn
#elif defined(__ARM_ARCH_8M_MAIN__)
#define WEFT_DSP_ASM(insn) ".cpu cortex-m33\n\t" insn
#endif

#if defined(WEFT_DSP_ASM)
/// Whether the compiler's target is an Arm core that can have the extension
/// (Armv7E-M, or Armv8-M Mainline even when compiled without it); the core
/// profile says which cores have it.
inline constexpr bool available = true;

/// Bytes 0 and 2 of x, sign-extended into two 16-bit halves.
[[gnu::always_inline]] inline std::uint32_t sxtb16(std::uint32_t x) {
  std::uint32_t r;
  __asm(WEFT_DSP_ASM("sxtb16 %0, %1") : "=r"(r) : "r"(x));
  return r;
}
/// Bytes 1 and 3 of x, sign-extended into two 16-bit halves.
[[gnu::always_inline]] inline std::uint32_t sxtb16_ror8(std::uint32_t x) {
  std::uint32_t r;
  __asm(WEFT_DSP_ASM("sxtb16 %0, %1, ror #8") : "=r"(r) : "r"(x));
  return r;
}
/// acc + a.lo * b.lo + a.hi * b.hi on signed 16-bit halves, modulo 2^32.
[[gnu::always_inline]] inline std::int32_t smlad(std::uint32_t a, std::uint32_t b, std::int32_t acc) {
  std::int32_t r;
  __asm(WEFT_DSP_ASM("smlad %0, %1, %2, %3") : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}
/// acc + a.lo * b.lo (signed 16-bit halves).
[[gnu::always_inline]] inline std::int32_t smlabb(std::uint32_t a, std::uint32_t b, std::int32_t acc) {
  std::int32_t r;
  __asm(WEFT_DSP_ASM("smlabb %0, %1, %2, %3") : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}
/// acc + a.hi * b.hi (signed 16-bit halves).
[[gnu::always_inline]] inline std::int32_t smlatt(std::uint32_t a, std::uint32_t b, std::int32_t acc) {
  std::int32_t r;
  __asm(WEFT_DSP_ASM("smlatt %0, %1, %2, %3") : "=r"(r) : "r"(a), "r"(b), "r"(acc));
  return r;
}
#else
inline constexpr bool available = false;
std::int32_t smlabb(std::uint32_t, std::uint32_t, std::int32_t);
std::int32_t smlatt(std::uint32_t, std::uint32_t, std::int32_t);
std::uint32_t sxtb16(std::uint32_t);       // never called: kernels test `available`
std::uint32_t sxtb16_ror8(std::uint32_t);  // first
std::int32_t smlad(std::uint32_t, std::uint32_t, std::int32_t);
#endif
#undef WEFT_DSP_ASM

/// Four int8 values as one word (an unaligned load is fine on these cores).
[[gnu::always_inline]] inline std::uint32_t load4(const std::int8_t* p) {
  std::uint32_t v;
  __builtin_memcpy(&v, p, 4);  // inlined even under -ffreestanding
  return v;
}

/// acc + the dot product of the four int8 values of x and of w, given x
/// already split into its even (xe = sxtb16) and odd (xo = sxtb16_ror8)
/// bytes. The sum is regrouped, which int32 arithmetic modulo 2^32 allows.
[[gnu::always_inline]] inline std::int32_t dot4(std::uint32_t xe, std::uint32_t xo, const std::int8_t* w,
                                                std::int32_t acc) {
  const std::uint32_t wv = load4(w);
  return smlad(sxtb16_ror8(wv), xo, smlad(sxtb16(wv), xe, acc));
}

/// Four rows' dot products with x over [0, len), len a multiple of four:
/// acc_r += x . (w + r * stride) for r = 0..3, four bytes per step, each x
/// word unpacked once for the four rows.
[[gnu::always_inline]] inline void dot_rows4(const std::int8_t* x, const std::int8_t* w, int stride, int len,
                                             std::int32_t& acc0, std::int32_t& acc1, std::int32_t& acc2,
                                             std::int32_t& acc3) {
  for (int i = 0; i < len; i += 4) {
    const std::uint32_t xv = load4(x + i);
    const std::uint32_t xe = sxtb16(xv), xo = sxtb16_ror8(xv);
    acc0 = dot4(xe, xo, w + i, acc0);
    acc1 = dot4(xe, xo, w + stride + i, acc1);
    acc2 = dot4(xe, xo, w + 2 * stride + i, acc2);
    acc3 = dot4(xe, xo, w + 3 * stride + i, acc3);
  }
}

}  // namespace weft::ops::arm_dsp
