// SPDX-License-Identifier: Apache-2.0
// A weight array shorter than the shape it is declared with.
// expect: weft: a constant's array holds a different number of elements than its shape says
// expect: error_in_operator<weft::error::weights_size, 0>
#include <weft/weft.hpp>

#include <array>

#ifdef WEFT_FIXED
inline constexpr std::array<std::int8_t, 10 * 64> w{};
#else
inline constexpr std::array<std::int8_t, 10 * 63> w{};
#endif

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(weft::int8_tensor({1, 64}, 0.1f, 0));
    g.output(g.fully_connected(x, {}, weft::int8_weights(w, {10, 64}, 0.01f), {}, {0.2f, 0}));
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
