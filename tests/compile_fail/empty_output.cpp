// SPDX-License-Identifier: Apache-2.0
// A VALID 5x5 window on a 4x4 image.
// expect: weft: the output would be empty: the filter window is larger than the padded input
// expect: error_in_operator<weft::error::empty_output, 0>
#include <weft/weft.hpp>

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(weft::int8_tensor({1, 4, 4, 2}, 0.1f, 0));
#ifdef WEFT_FIXED
    g.output(g.average_pool2d(x, {.filter = {5, 5}, .pad = weft::padding::same}));
#else
    g.output(g.average_pool2d(x, {.filter = {5, 5}}));
#endif
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
