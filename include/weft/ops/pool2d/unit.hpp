// SPDX-License-Identifier: Apache-2.0
// AVERAGE_POOL_2D, MAX_POOL_2D and L2_POOL_2D as operator units (see
// weft/ops/unit.hpp): one pooling unit, three kinds sharing its window
// geometry, tiles and accesses.
#pragma once

#include "weft/ops/pool2d/kernels.hpp"
#include "weft/ops/unit.hpp"

namespace weft::ops {

template <pool_kind Kind>
struct pool2d_op : windowed_family {
  using options = pool2d_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::pooling;
  static constexpr auto fields = std::tuple{field{"filter", &options::filter}, field{"stride", &options::stride},
                                            field{"pad", &options::pad}, field{"act", &options::act}};

  /// int16 max and average pools: the raw values, as for int8 (the output
  /// keeps the input's quantization, which TFLite Micro requires).
  static constexpr bool int16_input(int k) { return k == 0 && Kind != pool_kind::l2; }

  /// TFLite Micro's L2 pool takes float32 only; weft refuses int8 as it does.
  static constexpr inferred infer(const operands& x, const options& o) {
    if (Kind == pool_kind::l2 && x.in[0].type != dtype::float32) return {.err = error::float_only};
    return infer_pool2d(x.in[0], o);
  }
  template <class Node>
  static constexpr window_geometry window(const Node& n, const shape& in) {
    return pool2d_window(in, n.template opt<options>());
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind in_place) {
    const options& o = g.at(i).template opt<options>();
    return window_axes(g, i, m.per_output + o.filter.h * o.filter.w, in_place);
  }
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    return window_access(g, plan, i, t, window(g.at(i), g.spec(g.at(i).inputs[0]).dims), false);
  }

  template <class T, class G>
  static constexpr pool2d_args<T> make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const tensor_spec& out = g.spec(n.output);
    pool2d_args<T> a{};
    a.g = window(n, g.spec(n.inputs[0]).dims);
    if constexpr (std::is_same_v<T, float>) {
      a.act = activation_range(n.template opt<options>().act);
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
      a.act = activation_range16(n.template opt<options>().act, out.quant.scale, out.quant.zero_point);
    } else {
      a.act = activation_range(n.template opt<options>().act, out.quant.scale, out.quant.zero_point);
    }
    return a;
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const pool2d_args<T>& a, const kernel_io& io, tile t) {
    pool2d<Kind>(a, io.input<T>(0), io.output<T>(), t);
  }
};

using average_pool2d_op = pool2d_op<pool_kind::average>;
using max_pool2d_op = pool2d_op<pool_kind::max>;
using l2_pool2d_op = pool2d_op<pool_kind::l2>;

}  // namespace weft::ops
