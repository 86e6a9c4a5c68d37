// SPDX-License-Identifier: Apache-2.0
// Unary math operators as unary element-wise units (weft/ops/unary.hpp),
// with TFLite Micro's arithmetic: ABS on int8, int16 and float32, RSQRT on
// int8 and float32; NEG,
// SQRT, SQUARE, EXP, LOG, SIN, COS, FLOOR, CEIL and ROUND on float32 only (TFLite Micro
// has no int8 kernel for them: weft refuses int8 with error::float_only);
// CAST between int8 and float32. Float32 calls the libm functions TFLite
// Micro's kernels call.
#pragma once

#include "weft/ops/float_math.hpp"
#include "weft/ops/unary.hpp"

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace weft {

struct cast_options {
  /// The output's dtype: float32 (true) or int8. (weft's activations are
  /// one or the other; TFLite's CastOptions are not read, the output
  /// tensor's dtype decides, as in TFLite Micro.)
  bool to_float = false;
  friend constexpr bool operator==(const cast_options&, const cast_options&) = default;
};

namespace ops {

// ---------------------------------------------------------------------------
// Float32 only.

struct neg_op : float_unary_family<neg_op> {
  [[gnu::always_inline]] static float element(no_args, float x) { return -x; }
};

struct square_op : float_unary_family<square_op> {
  [[gnu::always_inline]] static float element(no_args, float x) { return x * x; }
};

struct sqrt_op : float_unary_family<sqrt_op> {
  static constexpr std::int64_t element_cost(const cost_model& m, dtype in) { return transcendental_cost(m, in); }
  [[gnu::always_inline]] static float element(no_args, float x) { return std::sqrt(x); }
};

struct exp_op : float_unary_family<exp_op> {
  static constexpr std::int64_t element_cost(const cost_model& m, dtype in) { return transcendental_cost(m, in); }
  [[gnu::always_inline]] static float element(no_args, float x) { return std::exp(x); }
};

struct log_op : float_unary_family<log_op> {
  static constexpr std::int64_t element_cost(const cost_model& m, dtype in) { return transcendental_cost(m, in); }
  [[gnu::always_inline]] static float element(no_args, float x) { return std::log(x); }
};

struct sin_op : float_unary_family<sin_op> {
  static constexpr std::int64_t element_cost(const cost_model& m, dtype in) { return transcendental_cost(m, in); }
  [[gnu::always_inline]] static float element(no_args, float x) { return std::sin(x); }
};

struct cos_op : float_unary_family<cos_op> {
  static constexpr std::int64_t element_cost(const cost_model& m, dtype in) { return transcendental_cost(m, in); }
  [[gnu::always_inline]] static float element(no_args, float x) { return std::cos(x); }
};

struct floor_op : float_unary_family<floor_op> {
  [[gnu::always_inline]] static float element(no_args, float x) { return std::floor(x); }
};

struct ceil_op : float_unary_family<ceil_op> {
  [[gnu::always_inline]] static float element(no_args, float x) { return std::ceil(x); }
};

/// Half to even, from floor (TFLite's RoundToNearest): NaN and infinities
/// pass; a floor beyond int converts to INT_MIN (x86), which counts as even.
struct round_op : float_unary_family<round_op> {
  [[gnu::always_inline]] static float element(no_args, float x) {
    const float f = std::floor(x);
    const float d = x - f;
    const bool even = to_int32_x86(static_cast<double>(f)) % 2 == 0;
    return d < 0.5f || (d == 0.5f && even) ? f : f + 1.0f;
  }
};

// ---------------------------------------------------------------------------
// ABS: int8 |x - zero point|, requantized where the scales differ (the
// multiplier from a float division), plus the output zero point. int16 the
// same, clamped to int16; TFLite Micro requires zero points of 0 there.

struct abs_int8_args {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  bool rescale = false;
  multiplier m{};
};

struct abs_op : unary_family<abs_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options&) {
    const inferred r = rescaled_output(x);
    if (r.err == error::none && x.in[0].type == dtype::int16 &&
        (x.in[0].quant.zero_point != 0 || x.out.zero_point != 0))
      return {.err = error::int16_zero_point};
    return r;
  }

  template <class T, class G>
  static constexpr auto element_args(const G& g, int i) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else {
      const quantization& in = g.spec(g.at(i).inputs[0]).quant;
      const quantization& out = g.spec(g.at(i).output).quant;
      return abs_int8_args{in.zero_point, out.zero_point, in.scale != out.scale, float_rescale(in, out)};
    }
  }

  [[gnu::always_inline]] static float element(no_args, float x) { return std::fabs(x); }
  [[gnu::always_inline]] static std::int8_t element(const abs_int8_args& a, std::int8_t x) {
    const std::int32_t v = x < a.input_zero_point ? a.input_zero_point - x : x - a.input_zero_point;
    return saturate_int8((a.rescale ? multiply_by_quantized_multiplier(v, a.m) : v) + a.output_zero_point);
  }
  [[gnu::always_inline]] static std::int16_t element(const abs_int8_args& a, std::int16_t x) {
    const std::int32_t v = x < a.input_zero_point ? a.input_zero_point - x : x - a.input_zero_point;
    const std::int32_t y = (a.rescale ? multiply_by_quantized_multiplier(v, a.m) : v) + a.output_zero_point;
    return static_cast<std::int16_t>(y < -32768 ? -32768 : (y > 32767 ? 32767 : y));
  }
};

// ---------------------------------------------------------------------------
// RSQRT: int8 takes 1 / sqrt(x - zero point) as a fixed-point multiplier
// (gemmlowp's Newton-Raphson), applies it to 2^20 and requantizes by
// 1 / (sqrt(input scale) * output scale). An input at the zero point gives
// 127. TFLite Micro stops with an error on inputs below the zero point
// (negative values); weft, which cannot refuse data, gives 127 for them as
// for zero (a model whose input zero point is -128 never has one).

struct rsqrt_int8_args {
  std::int32_t input_zero_point = 0;
  std::int32_t output_zero_point = 0;
  multiplier m{};
};

struct rsqrt_op : unary_family<rsqrt_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr bool tabulated = true;
  static constexpr std::int64_t element_cost(const cost_model& m, dtype in) { return transcendental_cost(m, in); }

  static constexpr inferred infer(const operands& x, const options&) {
    inferred r = same_type_output(x, true);
    if (r.err == error::none && x.in[0].type == dtype::int8) {
      const multiplier m = output_multiplier(x.in[0].quant, x.out);
      if (!can_apply({m.value, m.shift - headroom})) return {.err = error::scale_out_of_range};
    }
    return r;
  }

  static constexpr int headroom = 20;  // TFLite's shift keeping 1 / sqrt(v) an integer

  /// 1 / (sqrt(input scale) * output scale): sqrtf and the product in
  /// float, the reciprocal in double.
  static constexpr multiplier output_multiplier(const quantization& in, const quantization& out) {
    return quantize_multiplier(1.0 / static_cast<double>(sqrt_float(in.scale) * out.scale));
  }

  template <class T, class G>
  static constexpr auto element_args(const G& g, int i) {
    if constexpr (std::is_same_v<T, float>) {
      return no_args{};
    } else {
      const quantization& in = g.spec(g.at(i).inputs[0]).quant;
      const quantization& out = g.spec(g.at(i).output).quant;
      return rsqrt_int8_args{in.zero_point, out.zero_point, output_multiplier(in, out)};
    }
  }

  [[gnu::always_inline]] static float element(no_args, float x) { return 1.0f / std::sqrt(x); }
  static constexpr std::int8_t element(const rsqrt_int8_args& a, std::int8_t x) {
    const std::int32_t v = x - a.input_zero_point;
    if (v <= 0) return 127;
    const multiplier inv = q31::inv_sqrt_multiplier(v);
    const std::int32_t d = multiply_by_quantized_multiplier(1, {inv.value, inv.shift + headroom});
    return saturate_int8(multiply_by_quantized_multiplier(d, {a.m.value, a.m.shift - headroom}) + a.output_zero_point);
  }
};

// ---------------------------------------------------------------------------
// CAST between int8 and float32: values converted, quantization ignored
// (TFLite Micro casts raw values). float32 to int8 keeps the low byte of x86's
// truncating conversion to int32 (0 for NaN and values beyond int32).

struct cast_op : unary_family<cast_op> {
  using options = cast_options;
  static constexpr auto fields = std::tuple{field{"to_float", &options::to_float}};

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8 && in.type != dtype::float32) return {.err = error::unsupported_dtype};
    inferred r{};
    if (o.to_float) {
      r.out = {dtype::float32, in.dims, {}};
    } else {
      if (!valid_int8_quantization(x.out)) return {.err = error::bad_quantization};
      r.out = {dtype::int8, in.dims, {x.out.scale, x.out.zero_point}};
    }
    return r;
  }

  struct args {
    bool to_float = false;
  };
  template <class T, class G>
  static constexpr args element_args(const G& g, int i) {
    return {g.at(i).template opt<options>().to_float};
  }

  [[gnu::always_inline]] static std::int8_t to_int8(std::int8_t x) { return x; }
  [[gnu::always_inline]] static std::int8_t to_int8(float x) {
    return static_cast<std::int8_t>(static_cast<std::uint32_t>(to_int32_x86(static_cast<double>(x))) & 0xffu);
  }

  /// The family's loop, with the output type an option rather than a
  /// function of the input type (the branch folds away on a program's
  /// constant arguments).
  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const args& a, const kernel_io& io, tile t) {
    const T* in = io.input<T>(0);
    if (a.to_float) {
      float* out = io.output<float>();
      for (int e = t.row_begin; e < t.row_end; ++e) out[e] = static_cast<float>(in[e]);
    } else {
      std::int8_t* out = io.output<std::int8_t>();
      for (int e = t.row_begin; e < t.row_end; ++e) out[e] = to_int8(in[e]);
    }
  }
};

}  // namespace ops
}  // namespace weft
