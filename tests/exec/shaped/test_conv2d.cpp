// SPDX-License-Identifier: Apache-2.0
// Convolutions that read rows of pixels in place or through a patch,
// gathered windows, and residual convolutions give the generic kernels'
// bits on 1 to 4 cores.
#include "exec/shaped/common.hpp"

using namespace weft;
using namespace weft::test::shaped;

namespace {

struct conv_shape {
  int batches, h, w, c;  // the layer's input
  int out_c, k_h, k_w, stride_h, stride_w, dil_h, dil_w;
  padding pad;
  activation act = activation::relu;
};

template <conv_shape S>
inline constexpr auto conv_scales = test::scale_ramp<static_cast<std::size_t>(S.out_c)>(0.003f, 0.0002f);

/// The layer under test alone, reading the model's input.
template <conv_shape S>
struct conv_model {
  static constexpr auto graph = [] {
    constexpr auto n = static_cast<std::size_t>(S.out_c * S.k_h * S.k_w * S.c);
    weft::graph<2> g;
    const auto x = g.input(int8_tensor({S.batches, S.h, S.w, S.c}, 0.02f, -9));
    g.output(g.conv2d(x,
                      {.stride = {S.stride_h, S.stride_w}, .dilation = {S.dil_h, S.dil_w}, .pad = S.pad, .act = S.act},
                      int8_weights(bytes<n, 31>, {S.out_c, S.k_h, S.k_w, S.c}, conv_scales<S>, 0),
                      int32_bias(biases<static_cast<std::size_t>(S.out_c), 32>), {0.05f, -4}));
    return g;
  }();
};

template <conv_shape S>
constexpr ops::window_geometry conv_geometry() {
  return ops::make_window({S.batches, S.h, S.w, S.c}, S.out_c, {S.k_h, S.k_w}, {S.stride_h, S.stride_w},
                          {S.dil_h, S.dil_w}, S.pad);
}

template <conv_shape S>
void require_conv_generic_bits(std::uint64_t seed) {
  INFO("conv " << S.batches << "x" << S.h << "x" << S.w << "x" << S.c << " to " << S.out_c << ", kernel " << S.k_h
               << "x" << S.k_w << ", stride " << S.stride_h << "x" << S.stride_w << ", dilation " << S.dil_h << "x"
               << S.dil_w << (S.pad == padding::same ? ", same" : ", valid"));
  require_generic_bits_on_1_to_4_cores<conv_model<S>>(seed);
}

/// ResNet's block on an 8x10x8 input: a 1x1 conv (so that the block's input
/// is an arena tensor), two 3x3 convs, and the add of the first conv's
/// output, which the plan folds into the second 3x3 conv (in_place_kind::
/// residual: its outputs go through the add and overwrite the other input).
/// Then a strided block whose shortcut is a 1x1 conv of stride 2.
struct residual_conv_model {
  static constexpr auto graph = [] {
    weft::graph<9> g;
    const auto x = g.input(int8_tensor({1, 8, 12, 4}, 0.02f, -9));
    const auto a = g.conv2d(x, {.act = activation::relu}, int8_weights(bytes<32, 41>, {8, 1, 1, 4}, 0.01f),
                            int32_bias(biases<8, 42>), {0.05f, -128});
    const auto b =
        g.conv2d(a, {.pad = padding::same, .act = activation::relu},
                 int8_weights(bytes<576, 43>, {8, 3, 3, 8}, pw_scales<8>, 0), int32_bias(biases<8, 44>), {0.04f, -128});
    const auto c = g.conv2d(b, {.pad = padding::same}, int8_weights(bytes<576, 45>, {8, 3, 3, 8}, pw_scales<8>, 0),
                            int32_bias(biases<8, 46>), {0.06f, 5});
    const auto s = g.add(a, c, {.act = activation::relu}, {0.07f, -128});
    const auto d = g.conv2d(s, {.stride = {2, 2}, .pad = padding::same, .act = activation::relu},
                            int8_weights(bytes<1152, 47>, {16, 3, 3, 8}, pw_scales<16>, 0), int32_bias(biases<16, 48>),
                            {0.05f, -128});
    const auto e = g.conv2d(d, {.pad = padding::same}, int8_weights(bytes<2304, 49>, {16, 3, 3, 16}, pw_scales<16>, 0),
                            int32_bias(biases<16, 50>), {0.06f, -2});
    const auto f = g.conv2d(s, {.stride = {2, 2}}, int8_weights(bytes<128, 51>, {16, 1, 1, 8}, pw_scales<16>, 0),
                            int32_bias(biases<16, 52>), {0.05f, 1});
    g.output(g.add(e, f, {.act = activation::relu}, {0.08f, -128}));
    return g;
  }();
};

}  // namespace

TEST_CASE("compiled convolutions read rows of pixels in place and give the generic kernel's bits", "[exec][conv]") {
  // Blocks of four pixels read from the input, the ones padding clips
  // through a patch: a 3x3 layer of three channel blocks; two batches of
  // stride 2 with two channels outside blocks; a 1x1 layer of stride 2 (one
  // run, nothing clipped); a 5x3 kernel dilated vertically; a stride
  // wider than the kernel.
  constexpr conv_shape same3x3{1, 9, 12, 8, 12, 3, 3, 1, 1, 1, 1, padding::same};
  constexpr conv_shape strided{2, 11, 16, 4, 6, 3, 3, 2, 2, 1, 1, padding::same, activation::relu6};
  constexpr conv_shape pointwise_s2{1, 7, 8, 16, 8, 1, 1, 2, 2, 1, 1, padding::valid, activation::none};
  constexpr conv_shape tall_dilated{1, 10, 8, 4, 4, 5, 3, 1, 1, 2, 1, padding::same};
  constexpr conv_shape wide_stride{1, 6, 22, 4, 4, 2, 2, 1, 3, 1, 1, padding::same, activation::none};
  // Three input channels: runs of 9 bytes, not whole words.
  constexpr conv_shape three_channels{1, 8, 8, 3, 8, 3, 3, 1, 1, 1, 1, padding::same};
  // Rows of five pixels, and runs of three bytes: gathered windows.
  constexpr conv_shape short_rows{1, 7, 10, 8, 4, 3, 3, 2, 2, 1, 1, padding::same};
  constexpr conv_shape one_channel{1, 9, 8, 1, 4, 3, 3, 1, 1, 1, 1, padding::same, activation::relu6};

  STATIC_REQUIRE(ops::wide_rows_fits(conv_geometry<same3x3>()));
  STATIC_REQUIRE(ops::wide_rows_fits(conv_geometry<strided>()));
  STATIC_REQUIRE(ops::wide_rows_fits(conv_geometry<pointwise_s2>()));
  STATIC_REQUIRE(ops::wide_rows_fits(conv_geometry<tall_dilated>()));
  STATIC_REQUIRE(ops::wide_rows_fits(conv_geometry<wide_stride>()));
  STATIC_REQUIRE(ops::rows_may_clip(conv_geometry<same3x3>()));
  STATIC_REQUIRE(ops::rows_may_clip(conv_geometry<strided>()));
  STATIC_REQUIRE(ops::rows_may_clip(conv_geometry<wide_stride>()));
  STATIC_REQUIRE(!ops::rows_may_clip(conv_geometry<pointwise_s2>()));
  STATIC_REQUIRE(!ops::wide_rows_fits(conv_geometry<short_rows>()));
  STATIC_REQUIRE(ops::wide_gathered_fits(conv_geometry<short_rows>()));
  STATIC_REQUIRE(ops::wide_rows_fits(conv_geometry<three_channels>()));
  STATIC_REQUIRE(!ops::wide_rows_fits(conv_geometry<one_channel>()));
  STATIC_REQUIRE(ops::wide_gathered_fits(conv_geometry<one_channel>()));

  require_conv_generic_bits<same3x3>(200);
  require_conv_generic_bits<strided>(210);
  require_conv_generic_bits<pointwise_s2>(220);
  require_conv_generic_bits<tall_dilated>(230);
  require_conv_generic_bits<wide_stride>(240);
  require_conv_generic_bits<short_rows>(250);
  require_conv_generic_bits<three_channels>(260);
  require_conv_generic_bits<one_channel>(270);
}

TEST_CASE("compiled residual convolutions give the generic kernel's bits", "[exec][conv][residual]") {
  constexpr auto plan = plan_memory(residual_conv_model::graph, true);
  STATIC_REQUIRE(plan.in_place[2] == in_place_kind::residual);
  STATIC_REQUIRE(plan.in_place[5] == in_place_kind::residual || plan.in_place[6] == in_place_kind::residual);
  require_generic_bits_on_1_to_4_cores<residual_conv_model>(300);
}
