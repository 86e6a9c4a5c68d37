// SPDX-License-Identifier: Apache-2.0
// weft::compiled<Model>: everything the compiler derives from a model type
// (checks, memory plan, per-operator kernel arguments with their
// requantization constants) and the run that executes it. No heap, no
// exceptions, no virtual calls, no floating point on the int8 path.
#pragma once

#include "weft/core/error.hpp"
#include "weft/core/view.hpp"
#include "weft/exec/prepare.hpp"
#include "weft/graph/graph.hpp"
#include "weft/plan/memory.hpp"
#include "weft/plan/tiling.hpp"

#include <array>
#include <cstddef>
#include <span>
#include <utility>

namespace weft {

/// A model type: a class with a `static constexpr` weft::graph named `graph`.
template <class M>
concept model = requires {
  { M::graph.node_count } -> std::convertible_to<int>;
  { M::graph.check() } -> std::same_as<error>;
};

namespace detail {

// Fails to compile with the graph's first error in plain words. The operator
// it concerns is the second template argument (-1: the graph as a whole).
template <error E, int Operator>
struct error_in_operator {
#define WEFT_X(code, text) static_assert(E != error::code || error::code == error::none, "weft: " text);
  WEFT_ERRORS(WEFT_X)
#undef WEFT_X
  static constexpr bool ok = E == error::none;
};

}  // namespace detail

/// Observes each operator's output right after it is computed (for
/// layer-by-layer comparison). The default observes nothing and costs nothing.
struct no_observer {
  constexpr void operator()(int, std::span<const std::byte>) const {}
};

template <model Model>
class compiled {
  static constexpr auto& g = Model::graph;
  static constexpr bool valid = detail::error_in_operator<g.check(), g.err_node>::ok;

 public:
  using graph_type = std::remove_cvref_t<decltype(Model::graph)>;
  static constexpr int operator_count = g.node_count;

  /// The memory plan: a tensor's offset in the arena, arena and lower bound.
  static constexpr auto plan = plan_memory(g);
  /// Bytes of RAM inference uses besides the stack (activations, input and
  /// output included; there is no other scratch).
  static constexpr std::size_t arena_bytes = valid ? plan.arena_bytes : 1;
  static constexpr std::size_t arena_lower_bound_bytes = plan.lower_bound_bytes;

  static constexpr tensor_spec input_spec = valid ? g.input_spec() : tensor_spec{};
  static constexpr tensor_spec output_spec = valid ? g.output_spec() : tensor_spec{};
  using element_type = std::conditional_t<input_spec.type == dtype::float32, float, std::int8_t>;

  static constexpr std::size_t input_offset = valid ? plan.offset[static_cast<std::size_t>(g.input_tensor)] : 0;
  static constexpr std::size_t output_offset = valid ? plan.offset[static_cast<std::size_t>(g.output_tensor)] : 0;

  /// Byte offset of tensor t in the arena.
  static constexpr std::size_t offset_of(int t) { return plan.offset[static_cast<std::size_t>(t)]; }

  /// Runs every operator in order on `arena` (arena_bytes, aligned to
  /// arena_alignment), which holds the input at input_offset; the output is
  /// left at output_offset.
  template <class Observer = no_observer>
  static void run(std::byte* arena, Observer&& observe = {}) {
    run_nodes(arena, observe, std::make_integer_sequence<int, operator_count>{});
  }

  /// Runs one tile of operator I.
  template <int I>
  static void run_tile(std::byte* arena, tile t) {
    constexpr const node& n = g.nodes[I];
    if constexpr (n.kind != op::reshape) {
      using T = element_type;
      const T* in0 = tensor<T>(arena, n.inputs[0]);
      const T* in1 = n.input_count() == 2 ? tensor<T>(arena, n.inputs[1]) : nullptr;
      exec::run_kernel<n.kind>(node_args<I>::value, in0, in1, tensor<T>(arena, n.output), t);
    }
  }

 private:
  template <class T>
  static T* tensor(std::byte* arena, int t) {
    return reinterpret_cast<T*>(arena + offset_of(t));
  }

  // The constants of operator I, evaluated at compile time and kept in flash.
  template <int I>
  struct node_args {
    static constexpr std::array<multiplier, static_cast<std::size_t>(exec::requant_count(g, I))> requant = [] {
      std::array<multiplier, static_cast<std::size_t>(exec::requant_count(g, I))> r{};
      exec::fill_requant(g, I, r.data());
      return r;
    }();
    static constexpr auto value = exec::make_args<g.nodes[I].kind, element_type>(g, I, requant.data());
  };

  template <class Observer, int... I>
  static void run_nodes(std::byte* arena, Observer& observe, std::integer_sequence<int, I...>) {
    (
        [&] {
          run_tile<I>(arena, full_tile(g, I));
          constexpr int out = g.nodes[I].output;
          observe(I, std::span<const std::byte>(arena + offset_of(out), g.spec(out).bytes()));
        }(),
        ...);
  }
};

namespace detail {
template <class T, class S, std::size_t... I>
constexpr auto make_view(T* p, std::index_sequence<I...>) {
  return view<T, extents<S::value.dims.dims[I]...>>(p);
}
template <tensor_spec Spec>
struct spec_holder {
  static constexpr tensor_spec value = Spec;
};
}  // namespace detail

/// A model ready to run: its arena (one static buffer, arena_bytes long) and
/// views of its input and output. Declare it `static` on a device.
template <model Model>
class instance {
 public:
  using program = compiled<Model>;
  using element_type = typename program::element_type;

  /// The input tensor, with the model's static extents.
  auto input() {
    return detail::make_view<element_type, detail::spec_holder<program::input_spec>>(
        reinterpret_cast<element_type*>(arena_.data() + program::input_offset),
        std::make_index_sequence<static_cast<std::size_t>(program::input_spec.dims.rank)>{});
  }
  /// The output tensor, valid after invoke().
  auto output() {
    return detail::make_view<element_type, detail::spec_holder<program::output_spec>>(
        reinterpret_cast<element_type*>(arena_.data() + program::output_offset),
        std::make_index_sequence<static_cast<std::size_t>(program::output_spec.dims.rank)>{});
  }

  /// Runs inference on what input() holds. Does not allocate.
  template <class Observer = no_observer>
  void invoke(Observer&& observe = {}) {
    program::run(arena_.data(), observe);
  }

  std::span<std::byte, program::arena_bytes> arena() { return arena_; }

 private:
  alignas(arena_alignment) std::array<std::byte, program::arena_bytes> arena_{};
};

}  // namespace weft
