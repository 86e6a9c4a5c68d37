// SPDX-License-Identifier: Apache-2.0
// Element types weft computes with, and the C++ type behind each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace weft {

/// The element type of a tensor. Activations are int8 or float32; int32
/// appears in biases.
enum class dtype : std::uint8_t { int8, int32, float32 };

constexpr std::size_t size_of(dtype t) { return t == dtype::int8 ? 1 : 4; }

constexpr const char* name_of(dtype t) {
  switch (t) {
    case dtype::int8:
      return "int8";
    case dtype::int32:
      return "int32";
    case dtype::float32:
      return "float32";
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
struct element<dtype::int32> {
  using type = std::int32_t;
};
template <>
struct element<dtype::float32> {
  using type = float;
};
}  // namespace detail

/// The C++ element type of a dtype.
template <dtype T>
using element_t = typename detail::element<T>::type;

/// The dtype of a C++ element type.
template <class T>
inline constexpr dtype dtype_v = std::is_same_v<T, std::int8_t>    ? dtype::int8
                                 : std::is_same_v<T, std::int32_t> ? dtype::int32
                                                                   : dtype::float32;

}  // namespace weft
