// SPDX-License-Identifier: Apache-2.0
// A description that never names its output.
// expect: weft: the graph has no output: finish the description with output(x)
// expect: error_in_operator<weft::error::no_output, -1>
#include <weft/weft.hpp>

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(weft::int8_tensor({1, 4}, 0.1f, 0));
    [[maybe_unused]] const auto y = g.softmax(x);
#ifdef WEFT_FIXED
    g.output(y);
#endif
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
