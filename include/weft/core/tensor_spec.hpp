// SPDX-License-Identifier: Apache-2.0
// Tensor specs: dtype, shape and quantization as structural constexpr values,
// and constant tensors (weights, biases) that point at arrays in flash.
#pragma once

#include "weft/core/dtype.hpp"
#include "weft/core/shape.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace weft {

/// Affine quantization: real = scale * (q - zero_point). Per-channel
/// quantization points at `channels` scales, one per slice along `axis`
/// (zero points are then 0, as TFLite requires for int8 weights); per-tensor
/// quantization has channels == 0.
///
/// Presence is told by counts, never by comparing a pointer with null: with
/// -fno-delete-null-pointer-checks (implied by -fsanitize=undefined) GCC
/// cannot fold such a comparison in a constant expression.
struct quantization {
  float scale = 0.0f;
  std::int32_t zero_point = 0;
  const float* scales = nullptr;
  int channels = 0;
  int axis = 0;

  constexpr bool per_channel() const { return channels > 0; }
  constexpr float scale_at(int c) const { return channels > 0 ? scales[c] : scale; }
  friend constexpr bool operator==(const quantization&, const quantization&) = default;
};

struct tensor_spec {
  dtype type = dtype::int8;
  shape dims{};
  quantization quant{};

  constexpr std::size_t bytes() const { return static_cast<std::size_t>(dims.elements()) * size_of(type); }
  friend constexpr bool operator==(const tensor_spec&, const tensor_spec&) = default;
};

/// An int8 activation tensor with per-tensor quantization.
constexpr tensor_spec int8_tensor(shape s, float scale, std::int32_t zero_point) {
  return {dtype::int8, s, {scale, zero_point}};
}

/// An int16 activation tensor (TFLite's 16x8 quantization: int16
/// activations, int8 weights) with per-tensor quantization.
constexpr tensor_spec int16_tensor(shape s, float scale, std::int32_t zero_point) {
  return {dtype::int16, s, {scale, zero_point}};
}

/// A float32 tensor (no quantization).
constexpr tensor_spec float32_tensor(shape s) { return {dtype::float32, s, {}}; }

/// An int32 tensor of indices (gather's positions, token ids; no
/// quantization).
constexpr tensor_spec int32_tensor(shape s) { return {dtype::int32, s, {}}; }

/// A constant tensor whose data lives in flash (a constexpr array). The
/// pointer of `spec.type` holds `provided` elements (checked against the
/// shape); a constant with none is empty (no bias, say).
struct constant {
  tensor_spec spec{};
  const std::int8_t* i8 = nullptr;
  const std::int32_t* i32 = nullptr;
  const float* f32 = nullptr;
  const std::int16_t* i16 = nullptr;
  const std::int64_t* i64 = nullptr;
  std::int64_t provided = 0;

  constexpr bool empty() const { return provided == 0; }
  constexpr std::int64_t elements() const { return spec.dims.elements(); }
};

/// int8 weights, per-channel scales along `axis` (conv: 0, depthwise: 3).
template <std::size_t N, std::size_t C>
constexpr constant int8_weights(const std::array<std::int8_t, N>& data, shape s, const std::array<float, C>& scales,
                                int axis = 0) {
  constant c{{dtype::int8, s, {scales[0], 0, scales.data(), C > 1 ? static_cast<int>(C) : 0, axis}}};
  c.i8 = data.data();
  c.provided = static_cast<std::int64_t>(N);
  return c;
}

/// int8 weights with one scale for the whole tensor.
template <std::size_t N>
constexpr constant int8_weights(const std::array<std::int8_t, N>& data, shape s, float scale) {
  constant c{{dtype::int8, s, {scale, 0}}};
  c.i8 = data.data();
  c.provided = static_cast<std::int64_t>(N);
  return c;
}

/// An int8 constant tensor an operator reads as an input (an operand of an
/// element-wise operator), with its own scale and zero point.
template <std::size_t N>
constexpr constant int8_constant(const std::array<std::int8_t, N>& data, shape s, float scale,
                                 std::int32_t zero_point) {
  constant c{{dtype::int8, s, {scale, zero_point}}};
  c.i8 = data.data();
  c.provided = static_cast<std::int64_t>(N);
  return c;
}

/// An int32 constant tensor of any shape.
template <std::size_t N>
constexpr constant int32_constant(const std::array<std::int32_t, N>& data, shape s) {
  constant c{{dtype::int32, s, {}}};
  c.i32 = data.data();
  c.provided = static_cast<std::int64_t>(N);
  return c;
}

/// int32 bias of an int8 layer; its scale is input_scale * weight_scale by
/// construction and is not needed by the arithmetic.
template <std::size_t N>
constexpr constant int32_bias(const std::array<std::int32_t, N>& data) {
  constant c{{dtype::int32, shape{static_cast<int>(N)}, {}}};
  c.i32 = data.data();
  c.provided = static_cast<std::int64_t>(N);
  return c;
}

/// An int16 constant tensor (an SVDF's time weights, an operand of a 16x8
/// layer), with its own scale and zero point.
template <std::size_t N>
constexpr constant int16_constant(const std::array<std::int16_t, N>& data, shape s, float scale,
                                  std::int32_t zero_point) {
  constant c{{dtype::int16, s, {scale, zero_point}}};
  c.i16 = data.data();
  c.provided = static_cast<std::int64_t>(N);
  return c;
}

/// int64 bias of a 16x8 layer (int16 activations, int8 weights).
template <std::size_t N>
constexpr constant int64_bias(const std::array<std::int64_t, N>& data) {
  constant c{{dtype::int64, shape{static_cast<int>(N)}, {}}};
  c.i64 = data.data();
  c.provided = static_cast<std::int64_t>(N);
  return c;
}

/// float32 weights or bias of a float model.
template <std::size_t N>
constexpr constant float32_constant(const std::array<float, N>& data, shape s) {
  constant c{{dtype::float32, s, {}}};
  c.f32 = data.data();
  c.provided = static_cast<std::int64_t>(N);
  return c;
}

}  // namespace weft
