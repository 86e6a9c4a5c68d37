// SPDX-License-Identifier: Apache-2.0
// What a tile of each operator's output means, and the whole-output tile.
#pragma once

#include "weft/graph/graph.hpp"

namespace weft {

/// Rows and channels of node i's output, in the sense of weft::tile: image
/// rows for windowed operators, batch rows for fully_connected and softmax,
/// elements for add. Reshape has none (it moves no data).
template <class G>
constexpr tile full_tile(const G& g, int i) {
  const node& n = g.at(i);
  const shape& s = g.spec(n.output).dims;
  switch (n.kind) {
    case op::conv2d:
    case op::depthwise_conv2d:
    case op::average_pool2d:
    case op::max_pool2d:
      return {0, s[1], 0, s[3]};
    case op::fully_connected:
    case op::softmax:
      return {0, static_cast<int>(s.elements() / s.back()), 0, s.back()};
    case op::add:
      return {0, static_cast<int>(s.elements()), 0, 1};
    case op::reshape:
      break;
  }
  return {};
}

}  // namespace weft
