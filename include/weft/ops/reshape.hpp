// SPDX-License-Identifier: Apache-2.0
// Reshape (and flatten): the output is the input's bytes under a new shape.
// It has no kernel: the memory plan gives the output the input's storage.
#pragma once

#include "weft/ops/common.hpp"

namespace weft::ops {

constexpr inferred infer_reshape(const tensor_spec& in, const shape& to) {
  if (!to.valid()) return {.err = error::bad_shape};
  if (to.elements() != in.dims.elements()) return {.err = error::reshape_elements};
  inferred r{};
  r.out = in;
  r.out.dims = to;
  return r;
}

}  // namespace weft::ops
