// SPDX-License-Identifier: Apache-2.0
// RESHAPE (and flatten, squeeze, expand_dims) as an operator unit (see
// weft/ops/unit.hpp): the output is the input's bytes under a new shape. It
// has no kernel: the memory plan gives the output the input's storage.
#pragma once

#include "weft/ops/unit.hpp"

namespace weft {

struct reshape_options {
  shape to{};
};

namespace ops {

constexpr inferred infer_reshape(const tensor_spec& in, const shape& to) {
  if (!to.valid()) return {.err = error::bad_shape};
  if (to.elements() != in.dims.elements()) return {.err = error::reshape_elements};
  inferred r{};
  r.out = in;
  r.out.dims = to;
  return r;
}

struct reshape_op {
  using options = reshape_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields = std::tuple{field{"to", &options::to}};
  /// The output is the input's bytes: no kernel, no tiles.
  static constexpr bool aliases_input = true;
  /// Bytes under a new shape: int32 indices too (an arg_max's output), and
  /// int16 activations.
  static constexpr bool int32_input(int) { return true; }
  static constexpr bool int16_input(int) { return true; }

  static constexpr inferred infer(const operands& x, const options& o) { return infer_reshape(x.in[0], o.to); }
  static constexpr tile full_tile(const shape&) { return {}; }
};

}  // namespace ops
}  // namespace weft
