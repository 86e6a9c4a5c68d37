// SPDX-License-Identifier: Apache-2.0
// QUANTIZE (float32 -> int8, int8 -> int8 with new scale and zero point) and
// DEQUANTIZE (int8 -> float32), as TFLite's reference kernels compute them:
// float32 is divided by the scale in float, rounded half away from zero and
// offset; int8 is rescaled with a fixed-point multiplier; int8 to float32
// multiplies by the scale in double. Both are unary element-wise units
// (weft/ops/unary.hpp).
#pragma once

#include "weft/ops/unary.hpp"

#include <cmath>
#include <cstdint>

namespace weft {
namespace ops {

struct quantize_args {
  float scale = 1.0f;           // float32 input: the output scale
  std::int32_t zero_point = 0;  // the output zero point
  // int8 input:
  std::int32_t input_zero_point = 0;
  multiplier rescale{};
};

/// The value TFLite's AffineQuantize stores for x.
/// A value beyond int32 (or NaN) converts to INT32_MIN, as on the x86
/// hosts TFLite's results come from, then takes the zero point with int32
/// wrap-around: -128 for a zero point >= 0, 127 below.
[[gnu::always_inline]] inline std::int8_t quantize_one(float x, float scale, std::int32_t zero_point) {
  const float r = std::round(x / scale);
  const std::int32_t whole = r >= -2147483648.0f && r < 2147483648.0f ? static_cast<std::int32_t>(r) : INT32_MIN;
  const auto q = static_cast<std::int32_t>(static_cast<std::uint32_t>(whole) + static_cast<std::uint32_t>(zero_point));
  return static_cast<std::int8_t>(q < -128 ? -128 : (q > 127 ? 127 : q));
}

struct quantize_op : unary_family<quantize_op> {
  using options = std::monostate;
  static constexpr auto fields = std::tuple{};

  static constexpr inferred infer(const operands& x, const options&) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::float32 && in.type != dtype::int8) return {.err = error::unsupported_dtype};
    if (!valid_int8_quantization(x.out)) return {.err = error::bad_quantization};
    inferred r{};
    r.out = {dtype::int8, in.dims, {x.out.scale, x.out.zero_point}};
    if (in.type == dtype::int8 && !can_rescale(in.quant, x.out)) return {.err = error::scale_out_of_range};
    return r;
  }
  static constexpr bool can_rescale(const quantization& in, const quantization& out) {
    const multiplier m = quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
    return m.value != 0 || in.scale == 0.0f;
  }

  template <class T, class G>
  static constexpr quantize_args element_args(const G& g, int i) {
    const auto& n = g.at(i);
    const quantization& in = g.spec(n.inputs[0]).quant;
    const quantization& out = g.spec(n.output).quant;
    quantize_args a{};
    a.scale = out.scale;
    a.zero_point = out.zero_point;
    if constexpr (std::is_same_v<T, std::int8_t>) {
      a.input_zero_point = in.zero_point;
      a.rescale = quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
    }
    return a;
  }

  template <class T>
  [[gnu::always_inline]] static std::int8_t element(const quantize_args& a, T x) {
    if constexpr (std::is_same_v<T, float>) {
      return quantize_one(x, a.scale, a.zero_point);
    } else {
      const std::int32_t v = multiply_by_quantized_multiplier(x - a.input_zero_point, a.rescale) + a.zero_point;
      return static_cast<std::int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
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

  static constexpr inferred infer(const operands& x, const options&) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8) return {.err = error::unsupported_dtype};
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
  requires std::is_same_v<T, std::int8_t>
  [[gnu::always_inline]] static float element(const dequantize_args& a, T x) {
    return static_cast<float>(a.scale * (x - a.zero_point));
  }
};

}  // namespace ops
}  // namespace weft
