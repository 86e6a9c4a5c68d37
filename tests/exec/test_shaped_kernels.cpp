// SPDX-License-Identifier: Apache-2.0
// The kernels a compiled model specializes on its layers' shapes give the
// generic kernels' bits: depthwise layers of many shapes (long and short
// rows, strides, dilations, padding, batches, both requantization paths),
// in place and not, on 1 to 4 cores, against the runtime reference (generic
// kernels, every tensor stored, nothing in place).
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

template <dw_shape S, core_profile P, class E>
void require_generic_bits(E& exec, std::uint64_t seed) {
  using M = dw_model<S>;
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

template <dw_shape S>
void require_generic_bits_on_1_to_4_cores(std::uint64_t seed) {
  INFO("depthwise " << S.batches << "x" << S.h << "x" << S.w << "x" << S.c << ", kernel " << S.k_h << "x" << S.k_w
                    << ", stride " << S.stride_h << "x" << S.stride_w << ", dilation " << S.dil_h << "x" << S.dil_w
                    << (S.pad == padding::same ? ", same" : ", valid"));
  sequential<1> one;
  require_generic_bits<S, core_profile{}>(one, seed);
  sequential<2> two;
  require_generic_bits<S, core_profile::uniform(2)>(two, seed + 1);
  sequential<4> four({3, 1, 2, 0});
  require_generic_bits<S, core_profile::uniform(4)>(four, seed + 2);
}

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

  require_generic_bits_on_1_to_4_cores<long_rows>(1);
  require_generic_bits_on_1_to_4_cores<strided>(10);
  require_generic_bits_on_1_to_4_cores<tall>(20);
  require_generic_bits_on_1_to_4_cores<dilated>(30);
  require_generic_bits_on_1_to_4_cores<even>(40);
  require_generic_bits_on_1_to_4_cores<wide>(50);
  require_generic_bits_on_1_to_4_cores<left_shift>(60);
}
