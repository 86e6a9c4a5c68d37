// SPDX-License-Identifier: Apache-2.0
// An int8 output with no scale given.
// expect: weft: an int8 tensor needs a positive finite scale and a zero point in [-128, 127]
// expect: error_in_operator<weft::error::bad_quantization, 0>
#include <weft/weft.hpp>

#include <array>

inline constexpr std::array<std::int8_t, 2 * 8> w{};

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(weft::int8_tensor({1, 8}, 0.1f, 0));
#ifdef WEFT_FIXED
    g.output(g.fully_connected(x, {}, weft::int8_weights(w, {2, 8}, 0.01f), {}, {0.05f, -3}));
#else
    g.output(g.fully_connected(x, {}, weft::int8_weights(w, {2, 8}, 0.01f)));
#endif
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
