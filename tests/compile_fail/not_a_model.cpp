// SPDX-License-Identifier: Apache-2.0
// A type without a static constexpr graph is not a model.
// expect: constraints not satisfied
// expect: M::graph.node_count
#include <weft/weft.hpp>

struct model {
#ifdef WEFT_FIXED
  static constexpr auto graph = [] {
    weft::graph<1> g;
    g.output(g.softmax(g.input(weft::int8_tensor({1, 4}, 0.1f, 0))));
    return g;
  }();
#else
  static constexpr int graph = 0;
#endif
};

static_assert(weft::compiled<model>::arena_bytes > 0);
