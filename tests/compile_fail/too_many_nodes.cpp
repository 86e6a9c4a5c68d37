// SPDX-License-Identifier: Apache-2.0
// Three operators in a graph with room for two.
// expect: weft: the model has more operators than the graph's capacity: raise N in weft::graph<N>
// expect: error_in_operator<weft::error::too_many_nodes, 2>
#include <weft/weft.hpp>

struct model {
  static constexpr auto graph = [] {
#ifdef WEFT_FIXED
    weft::graph<3> g;
#else
    weft::graph<2> g;
#endif
    auto x = g.input(weft::int8_tensor({1, 8, 8, 1}, 0.1f, 0));
    x = g.max_pool2d(x, {.filter = {2, 2}, .stride = {2, 2}});
    x = g.max_pool2d(x, {.filter = {2, 2}, .stride = {2, 2}});
    x = g.reshape(x, {1, 4});
    g.output(x);
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
