// SPDX-License-Identifier: Apache-2.0
// A pool on a flat vector.
// expect: weft: convolutions and pools take a 4-D NHWC input [batch, height, width, channels]
// expect: error_in_operator<weft::error::not_4d, 0>
#include <weft/weft.hpp>

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
#ifdef WEFT_FIXED
    const auto x = g.input(weft::int8_tensor({1, 1, 64, 1}, 0.1f, 0));
#else
    const auto x = g.input(weft::int8_tensor({1, 64}, 0.1f, 0));
#endif
    g.output(g.max_pool2d(x, {.filter = {1, 2}, .stride = {1, 2}}));
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
