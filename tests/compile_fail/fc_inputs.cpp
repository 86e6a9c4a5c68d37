// SPDX-License-Identifier: Apache-2.0
// A fully connected layer whose weights expect 100 inputs after a 98-element tensor.
// expect: weft: fully_connected: the input's element count is not a multiple of the weights' input size
// expect: error_in_operator<weft::error::fc_inputs, 1>
#include <weft/weft.hpp>

#include <array>

inline constexpr std::array<std::int8_t, 5 * 100> w{};

struct model {
  static constexpr auto graph = [] {
    weft::graph<2> g;
#ifdef WEFT_FIXED
    const auto x = g.input(weft::int8_tensor({1, 10, 10, 1}, 0.1f, 0));
#else
    const auto x = g.input(weft::int8_tensor({1, 7, 14, 1}, 0.1f, 0));
#endif
    const auto p = g.average_pool2d(x, {});
    g.output(g.fully_connected(p, {}, weft::int8_weights(w, {5, 100}, 0.01f), {}, {0.2f, 0}));
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
