// SPDX-License-Identifier: Apache-2.0
// TRANSPOSE: output axis d is input axis perm[d] (TFLite's reference
// Transpose, up to 4-D here). Pure data movement: the output keeps the
// input's dtype and quantization.
#pragma once

#include "weft/ops/strided_copy.hpp"
#include "weft/ops/unit.hpp"

#include <array>
#include <cstdint>

namespace weft {

struct transpose_options {
  std::array<int, max_rank> perm{0, 1, 2, 3};
};

namespace ops {

struct transpose_op : movement_family {
  using options = transpose_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields = std::tuple{field{"perm", &options::perm}};

  /// int16: values moved as they are, as for int8.
  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8 && in.type != dtype::float32 && in.type != dtype::int16)
      return {.err = error::unsupported_dtype};
    std::array<bool, max_rank> seen{};
    inferred r{};
    r.out = in;
    for (int d = 0; d < in.dims.rank; ++d) {
      const int p = o.perm[static_cast<std::size_t>(d)];
      if (p < 0 || p >= in.dims.rank || seen[static_cast<std::size_t>(p)]) return {.err = error::bad_permutation};
      seen[static_cast<std::size_t>(p)] = true;
      r.out.dims[d] = in.dims[p];
    }
    return r;
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model&, in_place_kind) {
    return rows_of_output(g, i, 2);
  }

  /// The output as a strided view of the input (weft/ops/strided_copy.hpp).
  template <class T, class G>
  static constexpr strided_view make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const shape& in = g.spec(n.inputs[0]).dims;
    const options& o = n.template opt<options>();
    // Input strides, then the output's axes (4-D, ones in front).
    std::array<std::int64_t, max_rank> in_stride{};
    std::int64_t s = 1;
    for (int d = in.rank - 1; d >= 0; --d) {
      in_stride[static_cast<std::size_t>(d)] = s;
      s *= in[d];
    }
    strided_view a{};
    a.out = as_4d(g.spec(n.output).dims);
    const int lead = 4 - in.rank;
    for (int d = 0; d < in.rank; ++d)
      a.stride[static_cast<std::size_t>(lead + d)] =
          static_cast<int>(in_stride[static_cast<std::size_t>(o.perm[static_cast<std::size_t>(d)])]);
    return a;
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const strided_view& a, const kernel_io& io, tile t) {
    copy_strided(a, io.input<T>(0), io.output<T>(), t);
  }
};

}  // namespace ops
}  // namespace weft
