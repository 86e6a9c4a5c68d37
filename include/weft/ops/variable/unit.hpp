// SPDX-License-Identifier: Apache-2.0
// A resource variable's READ_VARIABLE and ASSIGN_VARIABLE: raw copies
// between a graph state tensor (the variable, graph::state: bytes kept from
// one inference to the next) and an activation, as TensorFlow Lite Micro's
// kernels memcpy them (no type or quantization conversion).
//
// Node: read: inputs {state}; its output is a copy of the state, in the
// quantization the caller gives (TFLite copies bytes, whatever the scales).
// assign: inputs {state, value}; the state takes the value, and the output
// is a copy of the value (TFLite's ASSIGN_VARIABLE has no output; every weft
// operator has one: nothing reads it). Both are element-wise: cores split
// the elements, and the schedule orders a read after an assign of the same
// state (and an assign after a read) because an assign's state operand is
// an updated read (access_region::updated).
#pragma once

#include "weft/ops/unit.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <tuple>

namespace weft {

struct variable_options {
  /// false: read the variable into the output; true: assign input 1 to it.
  bool assign = false;
  friend constexpr bool operator==(const variable_options&, const variable_options&) = default;
};

namespace ops {

struct variable_args {
  bool assign = false;
  int element_bytes = 1;
};

struct variable_op : elementwise_family {
  using options = variable_options;
  static constexpr auto fields = std::tuple{field{"assign", &options::assign}};
  static constexpr int min_inputs = 1, max_inputs = 2;
  static constexpr op_family family = op_family::movement;
  static constexpr bool state_input(int k) { return k == 0; }
  static constexpr bool int16_input(int) { return true; }

  /// Read: the state's dtype and shape, the caller's quantization (the
  /// state's where none is given). Assign: a value of the state's dtype
  /// and element count (TFLite Micro checks the byte count only; weft also
  /// the dtype, and copies the elements in order whatever the shapes).
  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& state = x.in[0];
    if (x.count != (o.assign ? 2 : 1)) return {.err = error::input_count};
    inferred r{};
    if (o.assign) {
      const tensor_spec& value = x.in[1];
      if (value.type != state.type || value.dims.elements() != state.dims.elements())
        return {.err = error::variable_value};
      r.out = value;
      return r;
    }
    const bool quantized = state.type == dtype::int8 || state.type == dtype::int16;
    const quantization q = quantized && x.out.scale != 0.0f ? x.out : state.quant;
    if (const error e = check_output_quantization(state, q); e != error::none) return {.err = e};
    r.out = {state.type, state.dims, quantized ? q : quantization{}};
    return r;
  }

  /// A copy: about one multiply-accumulate per element.
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model&, in_place_kind) {
    return rows_of_output(g, i, 1);
  }

  /// The element-wise accesses; an assign also writes the elements of the
  /// state it reads.
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    accesses a = elementwise_family::access(g, plan, i, t);
    a.reads[0].updated = g.at(i).template opt<options>().assign;
    return a;
  }

  template <class T, class G>
  static constexpr variable_args make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    return {n.template opt<options>().assign, static_cast<int>(size_of(g.spec(n.output).type))};
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const variable_args& a, const kernel_io& io, tile t) {
    const auto lo = static_cast<std::size_t>(t.row_begin) * static_cast<std::size_t>(a.element_bytes);
    const auto bytes = static_cast<std::size_t>(t.row_end - t.row_begin) * static_cast<std::size_t>(a.element_bytes);
    if (a.assign) {
      // The state is an updated operand: the kernel writes it in place.
      std::byte* state = const_cast<std::byte*>(io.in[0]);
      std::memcpy(state + lo, io.in[1] + lo, bytes);
      std::memcpy(io.out + lo, io.in[1] + lo, bytes);
    } else {
      std::memcpy(io.out + lo, io.in[0] + lo, bytes);
    }
  }
};

}  // namespace ops
}  // namespace weft
