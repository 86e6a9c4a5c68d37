// SPDX-License-Identifier: Apache-2.0
// SOFTMAX as an operator unit (see weft/ops/unit.hpp).
#pragma once

#include "weft/ops/softmax/kernels.hpp"
#include "weft/ops/unit.hpp"

namespace weft::ops {

struct softmax_op : row_family {
  using options = softmax_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::normalization;
  static constexpr auto fields =
      std::tuple{field{"beta", &options::beta}, field{"int16_output", &options::int16_output}};
  /// int16 input to int16 output (TFLite's 16-bit softmax).
  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options& o) { return infer_softmax(x.in[0], o, x.out); }

  /// Cut by rows: each row is normalized on its own.
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    return rows_of_output(g, i, m.per_softmax_element);
  }
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    return row_access(g, plan, i, t, false);
  }

  template <class T, class G>
  static constexpr softmax_args<T> make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    if constexpr (std::is_same_v<T, float>) {
      return softmax_args<float>{in.dims.back(), n.template opt<options>().beta};
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
      return make_softmax16_args(in.dims.back(), n.template opt<options>().beta, in.quant.scale);
    } else {
      softmax_args<std::int8_t> a = make_softmax_args(in.dims.back(), n.template opt<options>().beta, in.quant.scale);
      a.int16_output = n.template opt<options>().int16_output;
      return a;
    }
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const softmax_args<T>& a, const kernel_io& io, tile t) {
    if constexpr (std::is_same_v<T, std::int8_t>) {
      if (a.int16_output) {
        softmax(a, io.input<T>(0), io.output<std::int16_t>(), t);
        return;
      }
    }
    softmax(a, io.input<T>(0), io.output<T>(), t);
  }
};

}  // namespace weft::ops
