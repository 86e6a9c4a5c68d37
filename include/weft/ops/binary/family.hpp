// SPDX-License-Identifier: Apache-2.0
// The family of element-wise operators of two inputs with broadcasting
// (add, sub, mul, div, squared_difference, maximum, minimum). The family
// infers the broadcast output shape, cuts the output by rows of its last
// axis, says what each core reads and builds the broadcast map; a unit
// `U : binary_family<U>` then states only its arithmetic:
//
//   using options = ...;
//   static constexpr std::int64_t element_cost(const cost_model&);
//   static constexpr error check_int8(const quantization& in1, const quantization& in2,
//                                     const quantization& out, const options&);
//       what TFLite refuses of int8 quantizations (error::none: nothing)
//   template <class T> static constexpr auto element_args(in1, in2, out, const options&);
//       the constants of its arithmetic on element type T, prepared at
//       compile time
//   static T element(const Args&, T x, T y);
//       one output element from one element of each input
//
// Inputs are read only through kernel_io's pointers, so an input may live
// anywhere (the arena, or flash for a constant).
#pragma once

#include "weft/ops/binary/broadcast.hpp"
#include "weft/ops/unit.hpp"

#include <array>
#include <cstdint>

namespace weft::ops {

/// A binary operator's kernel arguments: the constants of its arithmetic
/// (A) and where each output element reads its inputs.
template <class A>
struct broadcasting : A {
  broadcast_map shape{};
};

template <class U>
struct binary_family : elementwise_family {
  static constexpr int min_inputs = 2, max_inputs = 2;
  static constexpr op_family family = op_family::elementwise;

  /// Both inputs of one dtype, shapes that broadcast; the output takes the
  /// broadcast shape, and for int8 the given quantization, which U checks.
  template <class O>
  static constexpr inferred infer(const operands& x, const O& o) {
    const tensor_spec& a = x.in[0];
    const tensor_spec& b = x.in[1];
    if (a.type != b.type) return {.err = error::binary_dtypes};
    shape out{};
    if (!broadcast_shape(a.dims, b.dims, out)) return {.err = error::broadcast_shapes};
    inferred r{};
    r.out = output_spec(a, out, x.out);
    if (a.type == dtype::int8) {
      if (!valid_int8_quantization(x.out)) return {.err = error::bad_quantization};
      if (const error e = U::check_int8(a.quant, b.quant, x.out, o); e != error::none) return {.err = e};
    }
    if constexpr (requires { U::check_int16(a.quant, b.quant, x.out, o, true); }) {
      // Units that take int16 (int16_input) check what TFLite Micro refuses
      // of int16 quantizations; some of it only for inputs of one shape.
      if (a.type == dtype::int16) {
        if (!valid_int16_quantization(x.out)) return {.err = error::bad_int16_quantization};
        if (const error e = U::check_int16(a.quant, b.quant, x.out, o, a.dims == b.dims); e != error::none)
          return {.err = e};
      }
    }
    return r;
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    return rows_of_output(g, i, U::element_cost(m));
  }

  /// Output element e replaces element e of an input of the output's size
  /// (which then has the output's shape: it is read nowhere else); an input
  /// broadcast is never overwritten, as it is smaller than the output.
  template <class G>
  static constexpr in_place_offer in_place(const G&, int, const core_profile&) {
    return {in_place_kind::elements, -1, 0};
  }

  /// A core writes its rows of the output and reads the same rows of an
  /// input of the output's shape; it may read any of a broadcast input.
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    accesses a = elementwise_family::access(g, plan, i, t);
    const auto& n = g.at(i);
    const std::int64_t outputs = g.spec(n.output).dims.elements();
    for (int k = 0; k < n.input_count(); ++k) {
      const int x = n.inputs[static_cast<std::size_t>(k)];
      if (g.spec(x).dims.elements() != outputs) a.reads[static_cast<std::size_t>(k)] = plan_detail::whole(g, plan, x);
    }
    return a;
  }

  /// Where node i reads its inputs.
  template <class G>
  static constexpr broadcast_map map_of(const G& g, int i) {
    const auto& n = g.at(i);
    return make_broadcast_map(g.spec(n.inputs[0]).dims, g.spec(n.inputs[1]).dims, g.spec(n.output).dims);
  }

  template <class T, class G>
  static constexpr auto make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const auto e = U::template element_args<T>(g.spec(n.inputs[0]).quant, g.spec(n.inputs[1]).quant,
                                               g.spec(n.output).quant, n.template opt<typename U::options>());
    return broadcasting<decltype(e)>{e, map_of(g, i)};
  }

  template <class Isa, class T, class A>
  [[gnu::always_inline]] static void run(const broadcasting<A>& a, const kernel_io& io, tile t) {
    const A& e = a;
    broadcast_apply(a.shape, io.input<T>(0), io.input<T>(1), io.output<T>(), t,
                    [&e](T x, T y) { return U::element(e, x, y); });
  }
};

}  // namespace weft::ops
