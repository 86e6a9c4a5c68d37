// SPDX-License-Identifier: Apache-2.0
// What a tile of each operator's output means, and the whole-output tile.
#pragma once

#include "weft/graph/graph.hpp"

namespace weft {

/// Node i's whole output as a weft::tile, in its unit's sense of rows and
/// channels (U::full_tile): image rows for windowed operators, batch rows
/// for fully_connected and softmax, elements for element-wise operators.
/// Empty for a unit without a kernel (a reshape moves no data).
template <class G>
constexpr tile full_tile(const G& g, int i) {
  const shape& s = g.spec(g.at(i).output).dims;
  return visit_unit(g.at(i).kind, [&]<class U>() { return U::full_tile(s); });
}

/// Elements of node i's output per tile row: 1 unless its unit's rows are
/// finer than its cuts (element-wise operators: a tile row is an element, a
/// cut takes whole rows of the last axis).
template <class G>
constexpr int row_unit(const G& g, int i) {
  const shape& s = g.spec(g.at(i).output).dims;
  return visit_unit(g.at(i).kind, [&]<class U>() {
    if constexpr (requires { U::row_unit(s); }) {
      return U::row_unit(s);
    } else {
      return 1;
    }
  });
}

}  // namespace weft
