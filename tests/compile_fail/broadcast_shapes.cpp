// SPDX-License-Identifier: Apache-2.0
// An add of tensors whose shapes do not broadcast ([1, 8, 8, 4] and [1, 4, 4, 4]).
// expect: weft: an element-wise operator's inputs do not broadcast
// expect: error_in_operator<weft::error::broadcast_shapes, 1>
#include <weft/weft.hpp>

struct model {
  static constexpr auto graph = [] {
    weft::graph<2> g;
    const auto x = g.input(weft::int8_tensor({1, 8, 8, 4}, 0.1f, 0));
#ifdef WEFT_FIXED
    const auto y = g.max_pool2d(x, {.filter = {3, 3}, .pad = weft::padding::same});
#else
    const auto y = g.max_pool2d(x, {.filter = {2, 2}, .stride = {2, 2}});
#endif
    g.output(g.add(x, y, {}, {0.2f, 0}));
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
