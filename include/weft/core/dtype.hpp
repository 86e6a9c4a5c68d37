// SPDX-License-Identifier: Apache-2.0
// Element types weft computes with, and the C++ type behind each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

namespace weft {

/// The element type of a tensor: TensorFlow Lite's element types that
/// models for microcontrollers use. Operators say which they accept
/// (activations are int8, int16 or float32, int32 for indices; biases
/// int32, int64 for 16x8 layers).
enum class dtype : std::uint8_t { int8, int32, float32, int16, int64, uint8, boolean };

namespace detail {
/// The C++ element type of each dtype, in the enum's order.
using element_types = std::tuple<std::int8_t, std::int32_t, float, std::int16_t, std::int64_t, std::uint8_t, bool>;

template <class T, std::size_t... I>
constexpr std::size_t index_of(std::index_sequence<I...>) {
  std::size_t found = sizeof...(I);
  ((std::is_same_v<T, std::tuple_element_t<I, element_types>> ? found = I : found), ...);
  return found;
}
}  // namespace detail

/// The C++ element type of a dtype.
template <dtype T>
using element_t = std::tuple_element_t<static_cast<std::size_t>(T), detail::element_types>;

/// The dtype of a C++ element type (only element types of a dtype have one).
template <class T>
requires(detail::index_of<T>(std::make_index_sequence<std::tuple_size_v<detail::element_types>>{}) <
         std::tuple_size_v<detail::element_types>) inline constexpr dtype dtype_v =
    static_cast<dtype>(detail::index_of<T>(std::make_index_sequence<std::tuple_size_v<detail::element_types>>{}));

/// Bytes of one element.
constexpr std::size_t size_of(dtype t) {
  return []<std::size_t... I>(std::size_t k, std::index_sequence<I...>) {
    constexpr std::size_t sizes[] = {sizeof(std::tuple_element_t<I, detail::element_types>)...};
    return sizes[k];
  }
  (static_cast<std::size_t>(t), std::make_index_sequence<std::tuple_size_v<detail::element_types>>{});
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

}  // namespace weft
