// SPDX-License-Identifier: Apache-2.0
// Small model types for tests, with weights generated at compile time.
#pragma once

#include <weft/weft.hpp>

#include <array>
#include <cstdint>

namespace weft::test {

/// N pseudo-random int8 values (splitmix64), computed at compile time.
template <std::size_t N, std::uint64_t Seed>
constexpr std::array<std::int8_t, N> random_int8s() {
  std::array<std::int8_t, N> a{};
  std::uint64_t s = Seed;
  for (auto& x : a) {
    s += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    x = static_cast<std::int8_t>((z ^ (z >> 31)) >> 56);
  }
  return a;
}

template <std::size_t N, std::uint64_t Seed>
constexpr std::array<std::int32_t, N> random_biases() {
  std::array<std::int32_t, N> a{};
  const auto bytes = random_int8s<N, Seed>();
  for (std::size_t i = 0; i < N; ++i) a[i] = bytes[i] * 37;
  return a;
}

template <std::size_t N>
constexpr std::array<float, N> scale_ramp(float first, float step) {
  std::array<float, N> a{};
  for (std::size_t i = 0; i < N; ++i) a[i] = first + step * static_cast<float>(i);
  return a;
}

namespace residual_data {
inline constexpr auto conv_w = random_int8s<8 * 3 * 3 * 3, 1>();
inline constexpr auto conv_s = scale_ramp<8>(0.004f, 0.0005f);
inline constexpr auto conv_b = random_biases<8, 2>();
inline constexpr auto dw_w = random_int8s<3 * 3 * 8, 3>();
inline constexpr auto dw_s = scale_ramp<8>(0.01f, 0.001f);
inline constexpr auto dw_b = random_biases<8, 4>();
inline constexpr auto pw_w = random_int8s<8 * 8, 5>();
inline constexpr auto pw_s = scale_ramp<8>(0.006f, 0.0002f);
inline constexpr auto fc_w = random_int8s<4 * 8, 6>();
inline constexpr auto fc_b = random_biases<4, 7>();
}  // namespace residual_data

/// conv -> depthwise (stride 2) -> 1x1 conv -> residual add -> average pool
/// -> reshape -> fully_connected -> softmax.
struct residual_model {
  static constexpr auto graph = [] {
    namespace d = residual_data;
    weft::graph<8> g;
    const auto x = g.input(int8_tensor({1, 10, 10, 3}, 0.02f, -10));
    const auto a = g.conv2d(x, {.pad = padding::same, .act = activation::relu},
                            int8_weights(d::conv_w, {8, 3, 3, 3}, d::conv_s), int32_bias(d::conv_b), {0.05f, -128});
    const auto b =
        g.depthwise_conv2d(a, {.stride = {2, 2}, .pad = padding::same, .act = activation::relu6},
                           int8_weights(d::dw_w, {1, 3, 3, 8}, d::dw_s, 3), int32_bias(d::dw_b), {0.04f, -128});
    const auto c = g.conv2d(b, {}, int8_weights(d::pw_w, {8, 1, 1, 8}, d::pw_s), {}, {0.06f, 3});
    const auto s = g.add(b, c, {.act = activation::relu}, {0.07f, -128});
    const auto p = g.average_pool2d(s, {.filter = {5, 5}, .stride = {5, 5}});
    const auto f = g.reshape(p, {1, 8});
    const auto l = g.fully_connected(f, {}, int8_weights(d::fc_w, {4, 8}, 0.01f), int32_bias(d::fc_b), {0.1f, 0});
    g.output(g.softmax(l));
    return g;
  }();
};

}  // namespace weft::test
