// SPDX-License-Identifier: Apache-2.0
// A 3-channel input fed to weights made for 1 input channel.
// expect: weft: conv2d: the weights' last dimension (input channels) differs from the input's channel count
// expect: error_in_operator<weft::error::conv_channels, 0>
#include <weft/weft.hpp>

#include <array>

inline constexpr std::array<std::int8_t, 4 * 3 * 3 * 1> w{};
inline constexpr std::array<float, 4> s{0.1f, 0.1f, 0.1f, 0.1f};

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
#ifdef WEFT_FIXED
    const auto x = g.input(weft::int8_tensor({1, 8, 8, 1}, 0.1f, 0));
#else
    const auto x = g.input(weft::int8_tensor({1, 8, 8, 3}, 0.1f, 0));
#endif
    g.output(g.conv2d(x, {}, weft::int8_weights(w, {4, 3, 3, 1}, s), {}, {0.2f, 0}));
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
