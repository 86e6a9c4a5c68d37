// SPDX-License-Identifier: Apache-2.0
// QUANTIZE (float32 -> int8 or int16; int8 or int16 -> int8 or int16 with a
// new scale and zero point; int16 -> int32) and DEQUANTIZE (int8 or int16 ->
// float32), as TFLite's reference kernels compute them: float32 is divided
// by the scale in float, rounded half away from zero and offset; integers
// are rescaled with a fixed-point multiplier; dequantizing multiplies by
// the scale in double. Both are unary element-wise units
// (weft/ops/unary.hpp).
#pragma once

#include "weft/ops/unary.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace weft {

struct quantize_options {
  /// The output's dtype: int8, int16, or int32 (from int16 only), as the
  /// model's output tensor says.
  dtype to = dtype::int8;
  friend constexpr bool operator==(const quantize_options&, const quantize_options&) = default;
};

namespace ops {

struct quantize_args {
  dtype to = dtype::int8;
  float scale = 1.0f;           // float32 input: the output scale
  std::int32_t zero_point = 0;  // the output zero point
  // int8 and int16 input:
  std::int32_t input_zero_point = 0;
  multiplier rescale{};
};

/// The value TFLite's AffineQuantize stores for x in an O (int8, int16).
/// A value beyond int32 (or NaN) converts to INT32_MIN, as on the x86
/// hosts TFLite's results come from, then takes the zero point with int32
/// wrap-around: O's lowest value for a zero point >= 0, its highest below.
template <class O = std::int8_t>
[[gnu::always_inline]] inline O quantize_one(float x, float scale, std::int32_t zero_point) {
  constexpr std::int32_t lo = std::numeric_limits<O>::min(), hi = std::numeric_limits<O>::max();
  const float r = std::round(x / scale);
  const std::int32_t whole = r >= -2147483648.0f && r < 2147483648.0f ? static_cast<std::int32_t>(r) : INT32_MIN;
  const auto q = static_cast<std::int32_t>(static_cast<std::uint32_t>(whole) + static_cast<std::uint32_t>(zero_point));
  return static_cast<O>(q < lo ? lo : (q > hi ? hi : q));
}

/// An integer rescale to O, as TFLite's Requantize: the multiplier applied
/// to x minus the input zero point, plus the output's, clamped to O.
template <class O, class T>
[[gnu::always_inline]] inline O requantize_one(T x, const quantize_args& a) {
  const std::int32_t v = multiply_by_quantized_multiplier(x - a.input_zero_point, a.rescale) + a.zero_point;
  if constexpr (std::is_same_v<O, std::int32_t>) {
    return v;
  } else {
    constexpr std::int32_t lo = std::numeric_limits<O>::min(), hi = std::numeric_limits<O>::max();
    return static_cast<O>(v < lo ? lo : (v > hi ? hi : v));
  }
}

struct quantize_op : unary_family<quantize_op> {
  using options = quantize_options;
  static constexpr auto fields = std::tuple{field{"to", &options::to}};
  static constexpr bool int16_input(int) { return true; }

  /// TFLite Micro's pairs: float32, int8 or int16 to int8 or int16, and
  /// int16 to int32.
  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::float32 && in.type != dtype::int8 && in.type != dtype::int16)
      return {.err = error::unsupported_dtype};
    if (o.to != dtype::int8 && o.to != dtype::int16 && !(o.to == dtype::int32 && in.type == dtype::int16))
      return {.err = error::quantize_types};
    if (o.to == dtype::int8 && !valid_int8_quantization(x.out)) return {.err = error::bad_quantization};
    if (o.to == dtype::int16 && !valid_int16_quantization(x.out)) return {.err = error::bad_int16_quantization};
    if (o.to == dtype::int32 && !(x.out.scale > 0.0f && x.out.scale < 3.40282347e+38f))
      return {.err = error::bad_quantization};
    inferred r{};
    r.out = {o.to, in.dims, {x.out.scale, x.out.zero_point}};
    if (in.type != dtype::float32 && !can_rescale(in.quant, x.out)) return {.err = error::scale_out_of_range};
    return r;
  }
  static constexpr bool can_rescale(const quantization& in, const quantization& out) {
    const multiplier m = quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
    return (m.value != 0 || in.scale == 0.0f) && can_apply(m);
  }

  template <class T, class G>
  static constexpr quantize_args element_args(const G& g, int i) {
    const auto& n = g.at(i);
    const quantization& in = g.spec(n.inputs[0]).quant;
    const quantization& out = g.spec(n.output).quant;
    quantize_args a{};
    a.to = g.spec(n.output).type;
    a.scale = out.scale;
    a.zero_point = out.zero_point;
    if constexpr (!std::is_same_v<T, float>) {
      a.input_zero_point = in.zero_point;
      a.rescale = quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
    }
    return a;
  }

  template <class O, class T>
  [[gnu::always_inline]] static O element_to(const quantize_args& a, T x) {
    if constexpr (std::is_same_v<T, float>) {
      return quantize_one<O>(x, a.scale, a.zero_point);
    } else {
      return requantize_one<O>(x, a);
    }
  }

  /// The family's loop, for the output dtype the arguments name (the
  /// branch folds away on a program's constant arguments).
  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const quantize_args& a, const kernel_io& io, tile t) {
    const T* in = io.input<T>(0);
    auto loop = [&]<class O>(O* out) {
      for (int e = t.row_begin; e < t.row_end; ++e) out[e] = element_to<O>(a, in[e]);
    };
    if (a.to == dtype::int8) {
      loop(io.output<std::int8_t>());
    } else if (a.to == dtype::int16) {
      loop(io.output<std::int16_t>());
    } else if constexpr (!std::is_same_v<T, float>) {
      loop(io.output<std::int32_t>());
    }
  }
};

struct dequantize_args {
  double scale = 1.0;
  std::int32_t zero_point = 0;
};

struct dequantize_op : unary_family<dequantize_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};
  static constexpr bool int16_input(int) { return true; }

  static constexpr inferred infer(const operands& x, const options&) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8 && in.type != dtype::int16) return {.err = error::unsupported_dtype};
    inferred r{};
    r.out = {dtype::float32, in.dims, {}};
    return r;
  }

  template <class T, class G>
  static constexpr dequantize_args element_args(const G& g, int i) {
    const quantization& in = g.spec(g.at(i).inputs[0]).quant;
    return {static_cast<double>(in.scale), in.zero_point};
  }

  template <class T>
  requires(std::is_same_v<T, std::int8_t> || std::is_same_v<T, std::int16_t>)
      [[gnu::always_inline]] static float element(const dequantize_args& a, T x) {
    return static_cast<float>(a.scale * (x - a.zero_point));
  }
};

}  // namespace ops
}  // namespace weft
