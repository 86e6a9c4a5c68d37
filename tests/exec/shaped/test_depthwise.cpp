// SPDX-License-Identifier: Apache-2.0
// Depthwise layers of many shapes (long and short rows, strides, dilations,
// padding, batches, both requantization paths), in place and not, in their
// shaped kernels, give the generic kernels' bits on 1 to 4 cores.
#include "exec/shaped/common.hpp"

using namespace weft;
using namespace weft::test::shaped;

namespace {

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

template <dw_shape S>
void require_dw_generic_bits(std::uint64_t seed) {
  INFO("depthwise " << S.batches << "x" << S.h << "x" << S.w << "x" << S.c << ", kernel " << S.k_h << "x" << S.k_w
                    << ", stride " << S.stride_h << "x" << S.stride_w << ", dilation " << S.dil_h << "x" << S.dil_w
                    << (S.pad == padding::same ? ", same" : ", valid"));
  require_generic_bits_on_1_to_4_cores<dw_model<S>>(seed);
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

  require_dw_generic_bits<long_rows>(1);
  require_dw_generic_bits<strided>(10);
  require_dw_generic_bits<tall>(20);
  require_dw_generic_bits<dilated>(30);
  require_dw_generic_bits<even>(40);
  require_dw_generic_bits<wide>(50);
  require_dw_generic_bits<left_shift>(60);
}
