// SPDX-License-Identifier: Apache-2.0
// A softmax whose beta TFLite's kernels refuse.
// expect: weft: softmax: beta must be a positive finite number
// expect: error_in_operator<weft::error::softmax_beta, 0>
#include <weft/weft.hpp>

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(weft::int8_tensor({1, 10}, 0.1f, 0));
#ifdef WEFT_FIXED
    g.output(g.softmax(x, {.beta = 1.0f}));
#else
    g.output(g.softmax(x, {.beta = 0.0f}));
#endif
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
