// SPDX-License-Identifier: Apache-2.0
// A model written as a C++ type: two Sobel edge filters, a global max pool
// and a softmax tell a vertical edge from a horizontal one in an 8x8 image.
// README.md shows the part between the markers; a test keeps them equal.
#include <weft/weft.hpp>

#include <array>
#include <cstdio>

// [readme-example]
// Two 3x3 edge filters (Sobel), int8, one scale per output channel.
inline constexpr std::array<std::int8_t, 2 * 3 * 3> sobel = {-1, 0,  1,  -2, 0, 2, -1, 0, 1,   // vertical
                                                             -1, -2, -1, 0,  0, 0, 1,  2, 1};  // horizontal
inline constexpr std::array<float, 2> sobel_scales = {1.0f, 1.0f};

struct edges {  // 8x8 grey image in; P(vertical edge), P(horizontal edge) out
  static constexpr auto graph = [] {
    weft::graph<4> g;
    auto x = g.input(weft::int8_tensor({1, 8, 8, 1}, 1.0f / 255, -128));
    x = g.conv2d(x, {.act = weft::activation::relu},  // VALID: padding would look like an edge
                 weft::int8_weights(sobel, {2, 3, 3, 1}, sobel_scales), {}, {0.02f, -128});
    x = g.max_pool2d(x, {.filter = {6, 6}});
    x = g.reshape(x, {1, 2});
    g.output(g.softmax(x));
    return g;
  }();
};

static_assert(weft::compiled<edges>::arena_bytes <= 256, "inference needs at most 256 bytes of RAM");
// [readme-example]

int main() {
  static weft::instance<edges> net;  // the arena: one static buffer
  auto image = net.input();          // a view with extents 1x8x8x1
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 8; ++x) image(0, y, x, 0) = x < 4 ? -128 : 127;  // dark left, bright right
  net.invoke();
  const auto p = net.output();
  std::printf("edges: arena %zu bytes; P(vertical) = %.2f, P(horizontal) = %.2f\n", weft::compiled<edges>::arena_bytes,
              (p(0, 0) + 128) / 256.0, (p(0, 1) + 128) / 256.0);
  return p(0, 0) > p(0, 1) ? 0 : 1;
}
