// SPDX-License-Identifier: Apache-2.0
// float32 weights in an int8 model.
// expect: weft: weights must be int8 for an int8 input and float32 for a float32 input
// expect: error_in_operator<weft::error::weights_dtype, 0>
#include <weft/weft.hpp>

#include <array>

inline constexpr std::array<float, 3 * 16> w{};

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
#ifdef WEFT_FIXED
    const auto x = g.input(weft::float32_tensor({1, 16}));
#else
    const auto x = g.input(weft::int8_tensor({1, 16}, 0.1f, 0));
#endif
    g.output(g.fully_connected(x, {}, weft::float32_constant(w, {3, 16}), {}, {0.2f, 0}));
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
