// SPDX-License-Identifier: Apache-2.0
// The kernels a compiled model specializes on its layers' shapes give the
// generic kernels' bits, against the runtime reference (generic kernels,
// int8 weights, every tensor stored, nothing in place): depthwise layers of
// many shapes (long and short rows, strides, dilations, padding, batches,
// both requantization paths), in place and not; convolutions that read
// rows of pixels in place or through a patch, gathered windows, and
// residual convolutions; and fully connected layers on packed weights
// (short and long windows, partial blocks), on 1 to 4 cores.
#include "support/models.hpp"
#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

using namespace weft;

namespace {

template <std::size_t N, std::uint64_t Seed>
inline constexpr auto bytes = test::random_int8s<N, Seed>();
template <std::size_t N, std::uint64_t Seed>
inline constexpr auto biases = test::random_biases<N, Seed>();
template <std::size_t N>
inline constexpr auto pw_scales = test::scale_ramp<N>(0.004f, 0.0003f);
template <std::size_t N>
inline constexpr auto dw_scales = test::scale_ramp<N>(0.01f, 0.0007f);

struct dw_shape {
  int batches, h, w, c;
  int k_h, k_w, stride_h, stride_w, dil_h, dil_w;
  padding pad;
  activation act = activation::none;
  float out_scale = 0.04f;  // small enough scales make the multiplier shift left: the general epilogue
};

/// 1x1 conv (one channel to S.c) -> depthwise S -> 1x1 conv (to one
/// channel): the depthwise layer's input dies there and its input and output
/// together are the arena's peak, so the plan runs it in place where the
/// shift allows.
template <dw_shape S>
struct dw_model {
  static constexpr auto graph = [] {
    constexpr auto C = static_cast<std::size_t>(S.c);
    weft::graph<4> g;
    const auto x = g.input(int8_tensor({S.batches, S.h, S.w, 1}, 0.02f, -7));
    const auto a = g.conv2d(x, {}, int8_weights(bytes<C, 11>, {S.c, 1, 1, 1}, pw_scales<C>), {}, {0.05f, 5});
    const auto K = static_cast<std::size_t>(S.k_h * S.k_w);
    const auto b = g.depthwise_conv2d(
        a, {.stride = {S.stride_h, S.stride_w}, .dilation = {S.dil_h, S.dil_w}, .pad = S.pad, .act = S.act},
        int8_weights(bytes<K * C, 12>, {1, S.k_h, S.k_w, S.c}, dw_scales<C>, 3), int32_bias(biases<C, 13>),
        {S.out_scale, -3});
    g.output(g.conv2d(b, {}, int8_weights(bytes<C, 14>, {1, 1, 1, S.c}, 0.01f), {}, {0.05f, 2}));
    return g;
  }();
};

template <class M, core_profile P, class E>
void require_generic_bits(E& exec, std::uint64_t seed) {
  static instance<M, P> net;
  test::runtime_program reference(M::graph, true, false);
  test::rng r(seed);
  for (int k = 0; k < 3; ++k) {
    const auto x = r.int8s(net.input().size());
    std::copy(x.begin(), x.end(), net.input().begin());
    net.invoke(exec);
    reference.template set_input<std::int8_t>(x);
    reference.run();
    const auto out = reference.bytes(M::graph.output_tensor);
    std::vector<std::int8_t> want(out.size());
    std::memcpy(want.data(), out.data(), out.size());
    REQUIRE(std::equal(net.output().begin(), net.output().end(), want.begin(), want.end()));
  }
}

template <class M>
void require_generic_bits_on_1_to_4_cores(std::uint64_t seed) {
  sequential<1> one;
  require_generic_bits<M, core_profile{}>(one, seed);
  sequential<2> two;
  require_generic_bits<M, core_profile::uniform(2)>(two, seed + 1);
  sequential<3> three;
  require_generic_bits<M, core_profile::uniform(3)>(three, seed + 2);
  sequential<4> four({3, 1, 2, 0});
  require_generic_bits<M, core_profile::uniform(4)>(four, seed + 3);
}

template <dw_shape S>
void require_dw_generic_bits(std::uint64_t seed) {
  INFO("depthwise " << S.batches << "x" << S.h << "x" << S.w << "x" << S.c << ", kernel " << S.k_h << "x" << S.k_w
                    << ", stride " << S.stride_h << "x" << S.stride_w << ", dilation " << S.dil_h << "x" << S.dil_w
                    << (S.pad == padding::same ? ", same" : ", valid"));
  require_generic_bits_on_1_to_4_cores<dw_model<S>>(seed);
}

struct fc_shape {
  int batches, in_size, out_size;
  int weight_divisor;  // 1: full-range weights (short windows); larger: long windows
  bool per_channel;
};

template <std::size_t N, std::uint64_t Seed, int Divisor>
inline constexpr auto scaled_bytes = [] {
  auto a = test::random_int8s<N, Seed>();
  for (auto& v : a) v = static_cast<std::int8_t>(v / Divisor);
  return a;
}();

template <std::size_t N>
inline constexpr auto fc_scales = test::scale_ramp<N>(0.002f, 0.0001f);

/// fully_connected S, with a relu.
template <fc_shape S>
struct fc_model {
  static constexpr auto graph = [] {
    constexpr auto n = static_cast<std::size_t>(S.in_size), m = static_cast<std::size_t>(S.out_size);
    weft::graph<2> g;
    const auto x = g.input(int8_tensor({S.batches, S.in_size}, 0.02f, 3));
    const auto& w = scaled_bytes<m * n, 21, S.weight_divisor>;
    g.output(g.fully_connected(x, {.act = activation::relu},
                               S.per_channel ? int8_weights(w, {S.out_size, S.in_size}, fc_scales<m>, 0)
                                             : int8_weights(w, {S.out_size, S.in_size}, 0.003f),
                               int32_bias(biases<m, 22>), {0.05f, -20}));
    return g;
  }();
};

/// Node 0's packed windows cover each block's inputs, and each keeps every
/// output's sum of |w| within the limit.
template <fc_shape S>
void require_windows_valid() {
  const auto& g = fc_model<S>::graph;
  const node& n = g.at(0);
  int block = 0, covered = 0, windows = 0;
  bool valid = true;
  exec::for_each_packed_window(g, 0, [&](int k, int length) {
    if (k != block) {
      valid = valid && covered == S.in_size && k == block + 1;
      block = k;
      covered = 0;
    }
    for (int j = 0; j < 4; ++j) {
      int sum = 0;
      for (int x = covered; x < covered + length; ++x) {
        const int v = n.weights.i8[(4 * k + j) * S.in_size + x];
        sum += v < 0 ? -v : v;
      }
      valid = valid && sum <= ops::packed_lane_limit && length > 0;
    }
    covered += length;
    ++windows;
  });
  REQUIRE(valid);
  REQUIRE(block == S.out_size / 4 - 1);
  REQUIRE(covered == S.in_size);
  REQUIRE(windows == exec::packed_fc_windows(g, 0));
}

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

template <dw_shape S>
constexpr in_place_kind depthwise_in_place() {
  return plan_memory(dw_model<S>::graph, true).in_place[1];
}

}  // namespace

TEST_CASE("compiled depthwise layers of many shapes give the generic kernel's bits", "[exec][depthwise]") {
  // Rows longer than a block of four pixels, with a remainder of 3, 2 and 1.
  constexpr dw_shape long_rows{1, 13, 11, 5, 3, 3, 1, 1, 1, 1, padding::same, activation::relu};
  constexpr dw_shape strided{2, 12, 19, 8, 3, 3, 2, 2, 1, 1, padding::same, activation::relu6};
  constexpr dw_shape tall{1, 9, 17, 6, 5, 1, 1, 2, 1, 1, padding::same};
  // Short rows (computed at once), dilation, valid padding, even kernels.
  constexpr dw_shape dilated{1, 14, 10, 3, 3, 3, 1, 1, 2, 2, padding::valid};
  constexpr dw_shape even{1, 10, 9, 8, 2, 2, 1, 1, 1, 1, padding::valid};
  constexpr dw_shape wide{1, 7, 12, 16, 1, 3, 2, 1, 1, 3, padding::same};
  // A multiplier above 1: the general requantization path.
  constexpr dw_shape left_shift{1, 8, 10, 4, 3, 3, 1, 1, 1, 1, padding::same, activation::none, 0.0002f};

  // The plan runs some of them in place (a shift of whole pixels).
  STATIC_REQUIRE(depthwise_in_place<long_rows>() == in_place_kind::shifted);
  STATIC_REQUIRE(depthwise_in_place<strided>() == in_place_kind::shifted);
  STATIC_REQUIRE(depthwise_in_place<tall>() == in_place_kind::shifted);
  STATIC_REQUIRE(!exec::uses_fused_requant(dw_model<left_shift>::graph, 1));
  STATIC_REQUIRE(exec::uses_fused_requant(dw_model<long_rows>::graph, 1));

  require_dw_generic_bits<long_rows>(1);
  require_dw_generic_bits<strided>(10);
  require_dw_generic_bits<tall>(20);
  require_dw_generic_bits<dilated>(30);
  require_dw_generic_bits<even>(40);
  require_dw_generic_bits<wide>(50);
  require_dw_generic_bits<left_shift>(60);
}

TEST_CASE("compiled fully connected layers on packed weights give the generic kernel's bits", "[exec][fc]") {
  constexpr fc_shape short_windows{1, 37, 12, 1, true};   // full-range weights: windows of a few inputs
  constexpr fc_shape long_windows{2, 300, 8, 16, false};  // small weights: windows of dozens of inputs
  constexpr fc_shape one_input{3, 1, 4, 1, true};
  constexpr fc_shape many_blocks{1, 64, 20, 4, true};  // five blocks: 3 cores split them mid-block
  STATIC_REQUIRE(exec::packs_fc(fc_model<short_windows>::graph, 0) == ops::wide_blocks);
  if constexpr (ops::wide_blocks) {
    // The windows really are short and long.
    STATIC_REQUIRE(exec::packed_fc_windows(fc_model<short_windows>::graph, 0) > 3 * 12);
    STATIC_REQUIRE(exec::packed_fc_windows(fc_model<long_windows>::graph, 0) < 2 * 300 / 20);
    require_windows_valid<short_windows>();
    require_windows_valid<long_windows>();
    require_windows_valid<one_input>();
    require_windows_valid<many_blocks>();
  }
  require_generic_bits_on_1_to_4_cores<fc_model<short_windows>>(100);
  require_generic_bits_on_1_to_4_cores<fc_model<long_windows>>(110);
  require_generic_bits_on_1_to_4_cores<fc_model<one_input>>(120);
  require_generic_bits_on_1_to_4_cores<fc_model<many_blocks>>(130);
}

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
