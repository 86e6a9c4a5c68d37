// SPDX-License-Identifier: Apache-2.0
// ADD as an operator unit (see weft/ops/unit.hpp).
#pragma once

#include "weft/exec/tables.hpp"
#include "weft/ops/add/kernels.hpp"
#include "weft/ops/unit.hpp"

namespace weft::ops {

struct add_op : elementwise_family {
  using options = add_options;
  static constexpr int min_inputs = 2, max_inputs = 2;
  static constexpr op_family family = op_family::elementwise;
  static constexpr auto fields = std::tuple{field{"act", &options::act}};
  /// A residual convolution may do this add in its epilogue
  /// (in_place_kind::residual).
  static constexpr bool absorbable = true;

  static constexpr inferred infer(const operands& x, const options& o) { return infer_add(x.in[0], x.in[1], o, x.out); }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    return rows_of_output(g, i, m.per_add_element);
  }

  /// Each output element replaces the same element of an input that dies
  /// here (the first such, of the output's type and size).
  template <class G>
  static constexpr in_place_offer in_place(const G&, int, const core_profile&) {
    return {in_place_kind::elements, -1, 0};  // any input of the output's bytes
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

  template <class T, class G>
  static constexpr add_args<T> make_args(const G& g, int i, const exec::node_tables& tables) {
    if constexpr (std::is_same_v<T, float>) {
      return add_args<float>{activation_range(g.at(i).template opt<options>().act)};
    } else {
      add_args<std::int8_t> a = int8_args(g, i);
      a.table = tables.add_table;
      return a;
    }
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const add_args<T>& a, const kernel_io& io, tile t) {
    add(a, io.input<T>(0), io.input<T>(1), io.output<T>(), t);
  }
};

}  // namespace weft::ops
