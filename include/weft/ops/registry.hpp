// SPDX-License-Identifier: Apache-2.0
// The operators weft knows: one line each in WEFT_OPERATORS, naming a unit
// weft::ops::<name>_op (weft/ops/unit.hpp says what a unit holds). The `op`
// codes, their names, the options a node can hold and every dispatch over
// operators come from this list.
#pragma once

#include "weft/ops/activations/unit.hpp"
#include "weft/ops/add/unit.hpp"
#include "weft/ops/batch_matmul/unit.hpp"
#include "weft/ops/binary/unit.hpp"
#include "weft/ops/concatenation/unit.hpp"
#include "weft/ops/conv2d/unit.hpp"
#include "weft/ops/depth_space/unit.hpp"
#include "weft/ops/depthwise_conv2d/unit.hpp"
#include "weft/ops/fully_connected/unit.hpp"
#include "weft/ops/gather/unit.hpp"
#include "weft/ops/lstm/unit.hpp"
#include "weft/ops/math/unit.hpp"
#include "weft/ops/pad/unit.hpp"
#include "weft/ops/pool2d/unit.hpp"
#include "weft/ops/quantize/unit.hpp"
#include "weft/ops/reduce/unit.hpp"
#include "weft/ops/reshape/unit.hpp"
#include "weft/ops/resize/unit.hpp"
#include "weft/ops/slice/unit.hpp"
#include "weft/ops/softmax/unit.hpp"
#include "weft/ops/svdf/unit.hpp"
#include "weft/ops/transpose/unit.hpp"
#include "weft/ops/transpose_conv/unit.hpp"
#include "weft/ops/variable/unit.hpp"

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

// X(name): the operator `name`, whose unit is weft::ops::name##_op.
#define WEFT_OPERATORS(X)    \
  X(conv2d)                  \
  X(depthwise_conv2d)        \
  X(fully_connected)         \
  X(average_pool2d)          \
  X(max_pool2d)              \
  X(add)                     \
  X(softmax)                 \
  X(reshape)                 \
  X(pad)                     \
  X(transpose)               \
  X(quantize)                \
  X(dequantize)              \
  X(mean)                    \
  X(resize_nearest_neighbor) \
  X(mul)                     \
  X(sub)                     \
  X(div)                     \
  X(squared_difference)      \
  X(maximum)                 \
  X(minimum)                 \
  X(relu)                    \
  X(relu6)                   \
  X(leaky_relu)              \
  X(logistic)                \
  X(tanh)                    \
  X(hard_swish)              \
  X(elu)                     \
  X(abs)                     \
  X(neg)                     \
  X(sqrt)                    \
  X(rsqrt)                   \
  X(square)                  \
  X(exp)                     \
  X(log)                     \
  X(sin)                     \
  X(cos)                     \
  X(floor)                   \
  X(ceil)                    \
  X(round)                   \
  X(cast)                    \
  X(sum)                     \
  X(reduce_max)              \
  X(arg_max)                 \
  X(arg_min)                 \
  X(gather)                  \
  X(slice)                   \
  X(concatenation)           \
  X(prelu)                   \
  X(resize_bilinear)         \
  X(l2_pool2d)               \
  X(transpose_conv)          \
  X(depth_to_space)          \
  X(space_to_depth)          \
  X(mirror_pad)              \
  X(svdf)                    \
  X(batch_matmul)            \
  X(lstm)                    \
  X(variable)

namespace weft {

/// An operator unit: what weft/ops/unit.hpp lists as required.
template <class U>
concept operator_unit = requires(const operands& x, const typename U::options& o, const shape& s) {
  { U::min_inputs } -> std::convertible_to<int>;
  { U::max_inputs } -> std::convertible_to<int>;
  { U::family } -> std::convertible_to<op_family>;
  {U::fields};
  { U::infer(x, o) } -> std::same_as<ops::inferred>;
  { U::full_tile(s) } -> std::same_as<tile>;
};

enum class op : std::uint8_t {
#define WEFT_X(name) name,
  WEFT_OPERATORS(WEFT_X)
#undef WEFT_X
};

/// Every unit, in the order of `op`.
using operator_units = std::tuple<
#define WEFT_X(name) ops::name##_op,
    WEFT_OPERATORS(WEFT_X)
#undef WEFT_X
        void>;
inline constexpr std::size_t operator_kinds = std::tuple_size_v<operator_units> - 1;

/// The unit of operator K.
template <op K>
using unit_of = std::tuple_element_t<static_cast<std::size_t>(K), operator_units>;

namespace detail {
template <class U, std::size_t... I>
constexpr std::size_t unit_index(std::index_sequence<I...>) {
  std::size_t found = sizeof...(I);
  ((std::is_same_v<U, std::tuple_element_t<I, operator_units>> ? found = I : found), ...);
  return found;
}
template <std::size_t... I>
constexpr bool all_units(std::index_sequence<I...>) {
  return (operator_unit<std::tuple_element_t<I, operator_units>> && ...);
}
static_assert(all_units(std::make_index_sequence<operator_kinds>{}),
              "weft: a unit in WEFT_OPERATORS lacks a required member (see weft/ops/unit.hpp)");

// The options types of the units, each once, after std::monostate.
template <class V, class T>
struct with_option;
template <class... A, class T>
struct with_option<std::variant<A...>, T> {
  using type = std::conditional_t<(std::is_same_v<A, T> || ...), std::variant<A...>, std::variant<A..., T>>;
};
template <class V, std::size_t I>
struct collect_options {
  using type = typename collect_options<
      typename with_option<V, typename std::tuple_element_t<I - 1, operator_units>::options>::type, I - 1>::type;
};
template <class V>
struct collect_options<V, 0> {
  using type = V;
};
}  // namespace detail

/// The op code of unit U.
template <class U>
inline constexpr op kind_of = static_cast<op>(detail::unit_index<U>(std::make_index_sequence<operator_kinds>{}));

/// The options a node can hold: one alternative per options type.
using node_options = typename detail::collect_options<std::variant<std::monostate>, operator_kinds>::type;

/// Calls f.template operator()<U>() with the unit of operator k, and returns
/// what it returns (the same type for every unit).
template <std::size_t I = 0, class F>
constexpr decltype(auto) visit_unit(op k, F&& f) {
  if constexpr (I + 1 < operator_kinds) {
    if (static_cast<std::size_t>(k) != I) return visit_unit<I + 1>(k, static_cast<F&&>(f));
  }
  return f.template operator()<std::tuple_element_t<I, operator_units>>();
}

/// The name of operator k (WEFT_OPERATORS' spelling).
constexpr const char* name_of(op k) {
  constexpr const char* names[] = {
#define WEFT_X(name) #name,
      WEFT_OPERATORS(WEFT_X)
#undef WEFT_X
  };
  return static_cast<std::size_t>(k) < operator_kinds ? names[static_cast<std::size_t>(k)] : "?";
}

/// Whether operator k's output is its input's bytes (no kernel).
constexpr bool aliases_input(op k) {
  return visit_unit(k, []<class U>() {
    if constexpr (requires { U::aliases_input; }) {
      return U::aliases_input;
    } else {
      return false;
    }
  });
}

/// The family of operator k.
constexpr op_family family_of(op k) {
  return visit_unit(k, []<class U>() { return U::family; });
}

}  // namespace weft
