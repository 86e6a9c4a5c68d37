// SPDX-License-Identifier: Apache-2.0
// A bias with one element too many.
// expect: weft: the bias must be 1-D with one element per output channel
// expect: error_in_operator<weft::error::bias_shape, 0>
#include <weft/weft.hpp>

#include <array>

inline constexpr std::array<std::int8_t, 3 * 16> w{};
#ifdef WEFT_FIXED
inline constexpr std::array<std::int32_t, 3> b{};
#else
inline constexpr std::array<std::int32_t, 4> b{};
#endif

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(weft::int8_tensor({1, 16}, 0.1f, 0));
    g.output(g.fully_connected(x, {}, weft::int8_weights(w, {3, 16}, 0.01f), weft::int32_bias(b), {0.2f, 0}));
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
