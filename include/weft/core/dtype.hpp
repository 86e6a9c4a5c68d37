// SPDX-License-Identifier: Apache-2.0
// Element types weft computes with, and the C++ type behind each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace weft {

/// The element type of a tensor: TensorFlow Lite's element types that
/// models for microcontrollers use. Operators say which they accept
/// (activations are int8 or float32 today; biases int32).
enum class dtype : std::uint8_t { int8, int32, float32, int16, int64, uint8, boolean };

/// Bytes of one element.
constexpr std::size_t size_of(dtype t) {
  switch (t) {
    case dtype::int8:
    case dtype::uint8:
    case dtype::boolean:
      return 1;
    case dtype::int16:
      return 2;
    case dtype::int32:
    case dtype::float32:
      return 4;
    case dtype::int64:
      return 8;
  }
  return 0;
}

constexpr const char* name_of(dtype t) {
  switch (t) {
    case dtype::int8:
      return "int8";
    case dtype::int32:
      return "int32";
    case dtype::float32:
      return "float32";
    case dtype::int16:
      return "int16";
    case dtype::int64:
      return "int64";
    case dtype::uint8:
      return "uint8";
    case dtype::boolean:
      return "bool";
  }
  return "?";
}

namespace detail {
template <dtype T>
struct element;
template <>
struct element<dtype::int8> {
  using type = std::int8_t;
};
template <>
struct element<dtype::int16> {
  using type = std::int16_t;
};
template <>
struct element<dtype::int32> {
  using type = std::int32_t;
};
template <>
struct element<dtype::int64> {
  using type = std::int64_t;
};
template <>
struct element<dtype::uint8> {
  using type = std::uint8_t;
};
template <>
struct element<dtype::float32> {
  using type = float;
};
template <>
struct element<dtype::boolean> {
  using type = bool;
};

template <class T>
constexpr dtype dtype_of() {
  if constexpr (std::is_same_v<T, std::int8_t>) {
    return dtype::int8;
  } else if constexpr (std::is_same_v<T, std::int16_t>) {
    return dtype::int16;
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    return dtype::int32;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    return dtype::int64;
  } else if constexpr (std::is_same_v<T, std::uint8_t>) {
    return dtype::uint8;
  } else if constexpr (std::is_same_v<T, float>) {
    return dtype::float32;
  } else {
    static_assert(std::is_same_v<T, bool>, "weft: no dtype has this C++ element type");
    return dtype::boolean;
  }
}
}  // namespace detail

/// The C++ element type of a dtype.
template <dtype T>
using element_t = typename detail::element<T>::type;

/// The dtype of a C++ element type.
template <class T>
inline constexpr dtype dtype_v = detail::dtype_of<T>();

}  // namespace weft
