// SPDX-License-Identifier: Apache-2.0
// A flatten that forgets a dimension.
// expect: weft: reshape: the new shape must hold as many elements as the input
// expect: error_in_operator<weft::error::reshape_elements, 0>
#include <weft/weft.hpp>

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(weft::int8_tensor({1, 4, 4, 8}, 0.1f, 0));
#ifdef WEFT_FIXED
    g.output(g.reshape(x, {1, 128}));
#else
    g.output(g.reshape(x, {1, 32}));
#endif
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
