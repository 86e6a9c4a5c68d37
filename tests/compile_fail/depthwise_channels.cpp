// SPDX-License-Identifier: Apache-2.0
// Depthwise weights for 8 channels on a 4-channel input with multiplier 1.
// expect: weft: depthwise_conv2d: the weights' last dimension must equal input channels times depth_multiplier
// expect: error_in_operator<weft::error::depthwise_channels, 0>
#include <weft/weft.hpp>

#include <array>

inline constexpr std::array<std::int8_t, 3 * 3 * 8> w{};
inline constexpr std::array<float, 8> s{0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f};

struct model {
  static constexpr auto graph = [] {
    weft::graph<1> g;
    const auto x = g.input(weft::int8_tensor({1, 8, 8, 4}, 0.1f, 0));
#ifdef WEFT_FIXED
    const weft::depthwise_conv2d_options o{.depth_multiplier = 2};
#else
    const weft::depthwise_conv2d_options o{};
#endif
    g.output(g.depthwise_conv2d(x, o, weft::int8_weights(w, {1, 3, 3, 8}, s, 3), {}, {0.2f, 0}));
    return g;
  }();
};

static_assert(weft::compiled<model>::arena_bytes > 0);
