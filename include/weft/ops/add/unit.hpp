// SPDX-License-Identifier: Apache-2.0
// ADD as an operator unit (see weft/ops/unit.hpp), of the binary family
// (weft/ops/binary/family.hpp). Inputs of one shape run add's own kernels
// (its table, its fused requantization) and may be done by a residual
// convolution; inputs that broadcast run the family's loop on the same
// per-element arithmetic.
#pragma once

#include "weft/exec/tables.hpp"
#include "weft/ops/add/kernels.hpp"
#include "weft/ops/binary/family.hpp"
#include "weft/ops/unit.hpp"

namespace weft::ops {

struct add_op : binary_family<add_op> {
  using options = add_options;
  static constexpr auto fields = std::tuple{field{"act", &options::act}};
  /// A residual convolution may do this add in its epilogue
  /// (in_place_kind::residual) where its inputs have one shape.
  static constexpr bool absorbable = true;

  static constexpr std::int64_t element_cost(const cost_model& m) { return m.per_add_element; }
  static constexpr bool int16_input(int k) { return k < 2; }
  static constexpr error check_int16(const quantization& in1, const quantization& in2, const quantization& out,
                                     const options&, bool same_shape) {
    return check_add_int16(in1, in2, out, same_shape);
  }
  static constexpr error check_int8(const quantization& in1, const quantization& in2, const quantization& out,
                                    const options&) {
    return check_add_int8(in1, in2, out);
  }

  /// Length of node i's table (add_args::table): int8 adds of at least as
  /// many elements as the table has entries get one.
  template <class G>
  static constexpr int table_count(const G& g, int i) {
    const auto& n = g.at(i);
    if (g.spec(n.output).type != dtype::int8) return 0;
    return g.spec(n.output).dims.elements() >= add_table_size ? add_table_size : 0;
  }
  template <class G>
  static constexpr void fill_table(const G& g, int i, std::int32_t* out) {
    if (table_count(g, i) == 0) return;
    ops::fill_add_table(int8_args(g, i), out);
  }
  template <class G>
  static constexpr add_args<std::int8_t> int8_args(const G& g, int i) {
    const auto& n = g.at(i);
    return make_add_args(g.spec(n.inputs[0]).quant, g.spec(n.inputs[1]).quant, g.spec(n.output).quant,
                         n.template opt<options>().act);
  }

  /// Its arguments (add_args, which a residual convolution points at) and
  /// where it reads its inputs.
  template <class T, class G>
  static constexpr broadcasting<add_args<T>> make_args(const G& g, int i, const exec::node_tables& tables) {
    if constexpr (std::is_same_v<T, float>) {
      return {add_args<float>{activation_range(g.at(i).template opt<options>().act)}, map_of(g, i)};
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
      const auto& n = g.at(i);
      return {make_add_args16(g.spec(n.inputs[0]).quant, g.spec(n.inputs[1]).quant, g.spec(n.output).quant,
                              n.template opt<options>().act),
              map_of(g, i)};
    } else {
      add_args<std::int8_t> a = int8_args(g, i);
      a.table = tables.add_table;
      return {a, map_of(g, i)};
    }
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const broadcasting<add_args<T>>& a, const kernel_io& io, tile t) {
    if (a.shape.active) {
      binary_family::run<Isa, T>(a, io, t);
    } else {
      add(a, io.input<T>(0), io.input<T>(1), io.output<T>(), t);
    }
  }
  template <class T>
  [[gnu::always_inline]] static T element(const add_args<T>& a, T x, T y) {
    return add_element(a, x, y);
  }
};

}  // namespace weft::ops
