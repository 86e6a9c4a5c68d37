// SPDX-License-Identifier: Apache-2.0
// Element-wise add with a fused activation: its constants and reference
// kernels (int8 bit-exact with TFLite's rescaling add, float32). A kernel
// call computes a range of elements (the tile's rows). These kernels add
// inputs of one shape; inputs that broadcast go through the binary family's
// loop (weft/ops/binary/family.hpp), one add_element at a time.
#pragma once

#include "weft/ops/common.hpp"

#include <cstdint>
#include <type_traits>

namespace weft {

struct add_options {
  activation act = activation::none;
};

namespace ops {

template <class T>
struct add_args;

template <>
struct add_args<std::int8_t> {
  std::int32_t input1_offset = 0;
  std::int32_t input2_offset = 0;
  std::int32_t output_offset = 0;
  int left_shift = 20;
  multiplier input1_multiplier{};
  multiplier input2_multiplier{};
  multiplier output_multiplier{};
  int8_range act{};
  /// Optional (large adds): each input's rescaled value for every int8 x,
  /// table[x + 128] for input 1 and table[256 + x + 128] for input 2, so an
  /// element needs one requantization instead of three.
  const std::int32_t* table = nullptr;
  bool use_fused = false;  // the output multiplier can_fuse: `fused` finishes
  fused_requant fused{};
};

/// Entries of an add's rescaling table (add_args::table).
inline constexpr int add_table_size = 512;

/// Input `which` (1 or 2) of an int8 add rescaled as TFLite does it, for
/// the int8 value x.
constexpr std::int32_t rescaled_add_input(const add_args<std::int8_t>& a, int which, std::int32_t x) {
  return which == 1 ? multiply_by_quantized_multiplier_lt_one(shift_left_wrapping(x + a.input1_offset, a.left_shift),
                                                              a.input1_multiplier)
                    : multiply_by_quantized_multiplier_lt_one(shift_left_wrapping(x + a.input2_offset, a.left_shift),
                                                              a.input2_multiplier);
}

template <>
struct add_args<float> {
  float_range act{};
};

/// An int16 add: the int8 arithmetic with 15 bits of headroom instead of 20
/// (TFLite Micro always takes its general-scale path for int16, zero points
/// honoured), no table and no fused form.
template <>
struct add_args<std::int16_t> {
  std::int32_t input1_offset = 0;
  std::int32_t input2_offset = 0;
  std::int32_t output_offset = 0;
  int left_shift = 15;
  multiplier input1_multiplier{};
  multiplier input2_multiplier{};
  multiplier output_multiplier{};
  int8_range act{};  // inside int16's range
};

/// One element of an int16 add.
[[gnu::always_inline]] inline std::int16_t add_element(const add_args<std::int16_t>& a, std::int16_t x1,
                                                       std::int16_t x2) {
  const std::int32_t r1 = multiply_by_quantized_multiplier_lt_one(
      shift_left_wrapping(x1 + a.input1_offset, a.left_shift), a.input1_multiplier);
  const std::int32_t r2 = multiply_by_quantized_multiplier_lt_one(
      shift_left_wrapping(x2 + a.input2_offset, a.left_shift), a.input2_multiplier);
  const std::int32_t y = multiply_by_quantized_multiplier_lt_one(r1 + r2, a.output_multiplier) + a.output_offset;
  return static_cast<std::int16_t>(clamp(y, a.act));
}

[[gnu::always_inline]] inline void add(const add_args<std::int16_t>& a, const std::int16_t* in1,
                                       const std::int16_t* in2, std::int16_t* out, tile t) {
  for (int i = t.row_begin; i < t.row_end; ++i) out[i] = add_element(a, in1[i], in2[i]);
}

/// Whether every sum of two of an add's table entries is inside
/// prescaled_input_limit: each entry is an input offset by its zero point
/// (at most 255 in magnitude), shifted left by left_shift and multiplied by
/// the input's multiplier, rounded; so |entry| <= 255 * 2^left_shift * m + 1.
constexpr bool add_table_in_limit(const add_args<std::int8_t>& a) {
  auto bound = [&](multiplier m) {
    // m = value * 2^(shift - 31), shift <= 0 for a multiplier below one.
    const long double v = static_cast<long double>(m.value) / 2147483648.0L;
    long double scale = 1;
    for (int s = m.shift; s < 0; ++s) scale /= 2;
    for (int s = 0; s < m.shift; ++s) scale *= 2;
    return 255.0L * static_cast<long double>(std::int64_t{1} << a.left_shift) * v * scale + 1;
  };
  return bound(a.input1_multiplier) + bound(a.input2_multiplier) < static_cast<long double>(prescaled_input_limit);
}

/// What an add's table entries are multiplied by: 4 where its output
/// multiplier is fused on prescaled_requant cores, so that the sum of two
/// entries is what requantize_prescaled4 takes (|4 * sum| < 2^30, see
/// add_table_in_limit); else 1.
constexpr std::int32_t add_table_scale(const add_args<std::int8_t>& a) {
  return prescaled_requant && a.use_fused ? 4 : 1;
}

/// Fills an add's table (add_table_size entries, see add_args::table).
constexpr void fill_add_table(const add_args<std::int8_t>& a, std::int32_t* out) {
  for (int x = -128; x < 128; ++x) {
    out[x + 128] = add_table_scale(a) * rescaled_add_input(a, 1, x);
    out[256 + x + 128] = add_table_scale(a) * rescaled_add_input(a, 2, x);
  }
}

/// One element of an int8 add through its table (a.table set) whose output
/// multiplier is fused (a.use_fused): on prescaled_requant cores the sum of
/// two entries is inside prescaled_input_limit (make_add_args checks it).
/// `clamped`: the clamp's minimum is at or above the output zero point, so
/// the requantization may skip its sign term (requantize_fused_clamped).
[[gnu::always_inline]] inline std::int8_t add_fused_by_table(const add_args<std::int8_t>& a, std::int8_t x1,
                                                             std::int8_t x2, bool clamped = false) {
  // Pointers at each input's entry of x = 0: its byte indexes them at once.
  const std::int32_t* t1 = a.table + 128;
  const std::int32_t* t2 = a.table + 256 + 128;
  const std::int32_t sum = t1[x1] + t2[x2];
  std::int32_t y;
  if constexpr (prescaled_requant) {
    // The entries are four times the rescaled inputs (add_table_scale).
    y = clamped ? requantize_prescaled4_clamped(sum, a.fused) : requantize_prescaled4(sum, a.fused);
  } else {
    y = clamped ? requantize_fused_clamped(sum, 0, a.fused) : requantize_fused(sum, 0, a.fused);
  }
  return static_cast<std::int8_t>(clamp_int8(y, a.act));
}

/// One element of an int8 add through its table (a.table set).
[[gnu::always_inline]] inline std::int8_t add_by_table(const add_args<std::int8_t>& a, std::int8_t x1, std::int8_t x2) {
  if (a.use_fused) return add_fused_by_table(a, x1, x2);
  const std::int32_t sum = a.table[x1 + 128] + a.table[256 + x2 + 128];
  return static_cast<std::int8_t>(clamp_int8(requantize(sum, a.output_multiplier) + a.output_offset, a.act));
}

/// One element of an int8 add, rescaling both inputs.
[[gnu::always_inline]] inline std::int8_t add_by_rescaling(const add_args<std::int8_t>& a, std::int8_t x1,
                                                           std::int8_t x2) {
  const std::int32_t sum = rescaled_add_input(a, 1, x1) + rescaled_add_input(a, 2, x2);
  const std::int32_t y = multiply_by_quantized_multiplier_lt_one(sum, a.output_multiplier) + a.output_offset;
  return static_cast<std::int8_t>(clamp(y, a.act));
}

/// One element of an int8 add, through the table where there is one.
[[gnu::always_inline]] inline std::int8_t add_element(const add_args<std::int8_t>& a, std::int8_t x1, std::int8_t x2) {
  return a.table != nullptr ? add_by_table(a, x1, x2) : add_by_rescaling(a, x1, x2);
}

/// add_element, not inlined (the size configuration's residual convolutions).
[[gnu::noinline]] inline std::int8_t add_element_call(const add_args<std::int8_t>& a, std::int8_t x1, std::int8_t x2) {
  return add_element(a, x1, x2);
}

[[gnu::always_inline]] inline void add(const add_args<std::int8_t>& a, const std::int8_t* in1, const std::int8_t* in2,
                                       std::int8_t* out, tile t) {
  if (a.table != nullptr) {
    for (int i = t.row_begin; i < t.row_end; ++i) out[i] = add_by_table(a, in1[i], in2[i]);
    return;
  }
  for (int i = t.row_begin; i < t.row_end; ++i) out[i] = add_by_rescaling(a, in1[i], in2[i]);
}

/// One element of a float32 add.
[[gnu::always_inline]] inline float add_element(const add_args<float>& a, float x1, float x2) {
  return clamp(x1 + x2, a.act);
}

[[gnu::always_inline]] inline void add(const add_args<float>& a, const float* in1, const float* in2, float* out,
                                       tile t) {
  for (int i = t.row_begin; i < t.row_end; ++i) out[i] = clamp(in1[i] + in2[i], a.act);
}

/// The int8 parameters of an add (TFLite's CalculateOpDataAdd): both inputs
/// are brought to twice the larger input scale, with 20 bits of headroom.
constexpr add_args<std::int8_t> make_add_args(const quantization& in1, const quantization& in2, const quantization& out,
                                              activation act) {
  add_args<std::int8_t> a{};
  a.input1_offset = -in1.zero_point;
  a.input2_offset = -in2.zero_point;
  a.output_offset = out.zero_point;
  a.left_shift = 20;
  const double twice_max = 2 * static_cast<double>(in1.scale > in2.scale ? in1.scale : in2.scale);
  a.input1_multiplier = quantize_multiplier(static_cast<double>(in1.scale) / twice_max);
  a.input2_multiplier = quantize_multiplier(static_cast<double>(in2.scale) / twice_max);
  a.output_multiplier =
      quantize_multiplier(twice_max / (static_cast<double>(1 << a.left_shift) * static_cast<double>(out.scale)));
  a.act = activation_range(act, out.scale, out.zero_point);
  // Fused where the multiplier allows, and on prescaled_requant cores in the
  // prescaled form, which a sum of two rescaled inputs always fits.
  a.use_fused = can_fuse(a.output_multiplier) && (!prescaled_requant || add_table_in_limit(a));
  if (a.use_fused)
    a.fused = prescaled_requant ? make_prescaled_requant(a.output_multiplier, a.output_offset)
                                : make_fused_requant(a.output_multiplier, a.output_offset);
  return a;
}

/// The int16 parameters of an add (TFLite Micro's CalculateOpDataAdd for
/// int16): as make_add_args with left_shift 15.
constexpr add_args<std::int16_t> make_add_args16(const quantization& in1, const quantization& in2,
                                                 const quantization& out, activation act) {
  add_args<std::int16_t> a{};
  a.input1_offset = -in1.zero_point;
  a.input2_offset = -in2.zero_point;
  a.output_offset = out.zero_point;
  const double twice_max = 2 * static_cast<double>(in1.scale > in2.scale ? in1.scale : in2.scale);
  a.input1_multiplier = quantize_multiplier(static_cast<double>(in1.scale) / twice_max);
  a.input2_multiplier = quantize_multiplier(static_cast<double>(in2.scale) / twice_max);
  a.output_multiplier =
      quantize_multiplier(twice_max / (static_cast<double>(1 << a.left_shift) * static_cast<double>(out.scale)));
  a.act = activation_range16(act, out.scale, out.zero_point);
  return a;
}

/// What TFLite Micro refuses of an int16 add: multipliers of one or more
/// (as for int8), and, for inputs of one shape, input zero points outside
/// (-32767, 32767) (a DCHECK of its int16 Add).
constexpr error check_add_int16(const quantization& in1, const quantization& in2, const quantization& out,
                                bool same_shape) {
  const add_args<std::int16_t> a = make_add_args16(in1, in2, out, activation::none);
  if (a.output_multiplier.shift > 0 || a.output_multiplier.value == 0) return error::scale_out_of_range;
  auto inside = [](std::int32_t zp) { return zp > -32767 && zp < 32767; };
  if (same_shape && !(inside(in1.zero_point) && inside(in2.zero_point))) return error::int16_add_zero_point;
  return error::none;
}

/// What TFLite refuses of an int8 add's quantizations: it requires every
/// multiplier to be below one (and weft one that is not flushed to zero).
constexpr error check_add_int8(const quantization& in1, const quantization& in2, const quantization& out) {
  const add_args<std::int8_t> a = make_add_args(in1, in2, out, activation::none);
  if (a.output_multiplier.shift > 0 || a.output_multiplier.value == 0) return error::scale_out_of_range;
  return error::none;
}

}  // namespace ops
}  // namespace weft
