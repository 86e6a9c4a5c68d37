// SPDX-License-Identifier: Apache-2.0
// Requantization constants of real layers of the MLPerf Tiny models, computed
// by weft at compile time and pinned against TFLite's formulas evaluated
// independently (tests/core/pin_constants.py prints the expectations from
// the scales stored in the models). The scales below are those models' own
// float32 values, written exactly as hexadecimal literals.
#include <weft/weft.hpp>

#include <catch2/catch.hpp>

using namespace weft;

namespace {

constexpr multiplier conv(float in, float w, float out) { return ops::conv_multiplier({in, 0}, {w, 0}, {out, 0}, 0); }
constexpr multiplier fc(float in, float w, float out) {
  return ops::fully_connected_multiplier({in, 0}, {w, 0}, {out, 0});
}

// kws operator 0 (CONV_2D, per-channel): input and output scales.
constexpr float kws0_in = 0x1.2b5e2ep-1f, kws0_out = 0x1.42759p-4f;
// vww operator 10 (CONV_2D): input and output scales.
constexpr float vww10_in = 0x1.028ea4p-5f, vww10_out = 0x1.e5f35ep-6f;

}  // namespace

TEST_CASE("conv2d per-channel multipliers of real layers equal TFLite's", "[core][constants]") {
  STATIC_REQUIRE(conv(kws0_in, 0x1.5d229ap-10f, kws0_out) == multiplier{1359514674, -6});
  STATIC_REQUIRE(conv(kws0_in, 0x1.8402f8p-11f, kws0_out) == multiplier{1510897544, -7});
  STATIC_REQUIRE(conv(kws0_in, 0x1.b03ad8p-12f, kws0_out) == multiplier{1683081220, -8});
  // kws operator 1 (DEPTHWISE_CONV_2D) channels 0 and 17.
  STATIC_REQUIRE(conv(0x1.42759p-4f, 0x1.183758p-7f, 0x1.5335d4p-4f) == multiplier{1117272080, -6});
  STATIC_REQUIRE(conv(0x1.42759p-4f, 0x1.d8440ep-7f, 0x1.5335d4p-4f) == multiplier{1883008410, -6});
  // vww operator 10: ordinary channels and the near-zero ones (scale ~4e-9).
  STATIC_REQUIRE(conv(vww10_in, 0x1.65783p-9f, vww10_out) == multiplier{1595487187, -8});
  STATIC_REQUIRE(conv(vww10_in, 0x1.27eaf4p-28f, vww10_out) == multiplier{1320764593, -27});
  STATIC_REQUIRE(conv(vww10_in, 0x1.5f9de6p-27f, vww10_out) == multiplier{1569364972, -26});
  STATIC_REQUIRE(conv(vww10_in, 0x1.8539a6p-27f, vww10_out) == multiplier{1737221868, -26});
  STATIC_REQUIRE(conv(vww10_in, 0x1.d83194p-8f, vww10_out) == multiplier{2107533590, -7});
  // ic operator 0: input scale 1.0.
  STATIC_REQUIRE(conv(1.0f, 0x1.756754p-14f, 0x1.42b644p-5f) == multiplier{1242405367, -8});
  STATIC_REQUIRE(conv(1.0f, 0x1.5e0aa8p-13f, 0x1.42b644p-5f) == multiplier{1164674270, -7});
}

TEST_CASE("per-tensor fully_connected multipliers multiply the scales in float, as TFLite does", "[core][constants]") {
  // The float product changes 12 of these 13 multipliers against a double
  // product, so these pins fail if weft ever widens first.
  STATIC_REQUIRE(fc(0x1.48a5b6p-4f, 0x1.12c8dp-7f, 0x1.28548cp-3f) == multiplier{1278221461, -7});   // kws 11
  STATIC_REQUIRE(fc(0x1.90664cp-2f, 0x1.8b2e9cp-12f, 0x1.952b5p-5f) == multiplier{1638001653, -8});  // ad 0
  STATIC_REQUIRE(fc(0x1.952b5p-5f, 0x1.ec72bep-7f, 0x1.220b1ap-5f) == multiplier{1442659874, -5});   // ad 1
  STATIC_REQUIRE(fc(0x1.220b1ap-5f, 0x1.b64676p-5f, 0x1.c1edd2p-7f) == multiplier{1185020362, -2});  // ad 2
  STATIC_REQUIRE(fc(0x1.c1edd2p-7f, 0x1.270e9cp-4f, 0x1.82b97cp-6f) == multiplier{1439819933, -4});  // ad 3
  STATIC_REQUIRE(fc(0x1.9871d2p-6f, 0x1.b60492p-6f, 0x1.042584p-5f) == multiplier{1442237646, -5});  // ad 5
  STATIC_REQUIRE(fc(0x1.962c88p-6f, 0x1.406aacp-6f, 0x1.753f16p-2f) == multiplier{1462485078, -9});  // ad 9
  // The double product would give these instead:
  STATIC_REQUIRE(conv(0x1.48a5b6p-4f, 0x1.12c8dp-7f, 0x1.28548cp-3f) == multiplier{1278221421, -7});
  STATIC_REQUIRE(conv(0x1.90664cp-2f, 0x1.8b2e9cp-12f, 0x1.952b5p-5f) == multiplier{1638001719, -8});
}

TEST_CASE("add multipliers of ResNet's residual adds equal TFLite's", "[core][constants]") {
  constexpr auto a3 =
      ops::make_add_args({0x1.42b644p-5f, -128}, {0x1.aac856p-4f, 4}, {0x1.a158d2p-5f, -128}, activation::relu);
  STATIC_REQUIRE(a3.input1_multiplier == multiplier{1623821475, -2});
  STATIC_REQUIRE(a3.input2_multiplier == multiplier{1073741824, 0});
  STATIC_REQUIRE(a3.output_multiplier == multiplier{1098017566, -17});
  STATIC_REQUIRE(a3.left_shift == 20);
  STATIC_REQUIRE(a3.input1_offset == 128);
  STATIC_REQUIRE(a3.input2_offset == -4);
  constexpr auto a7 =
      ops::make_add_args({0x1.6eaf84p-5f, -17}, {0x1.cf55b4p-4f, 4}, {0x1.b41c7p-5f, -128}, activation::relu);
  STATIC_REQUIRE(a7.input1_multiplier == multiplier{1699529983, -2});
  STATIC_REQUIRE(a7.input2_multiplier == multiplier{1073741824, 0});
  STATIC_REQUIRE(a7.output_multiplier == multiplier{1140768826, -17});
}

TEST_CASE("softmax input multipliers and diff_min equal TFLite's", "[core][constants]") {
  constexpr auto kws = ops::make_softmax_args(12, 1.0f, 0x1.28548cp-3f);
  STATIC_REQUIRE(kws.input_multiplier == multiplier{1242899200, 24});
  STATIC_REQUIRE(kws.diff_min == -124);
  constexpr auto vww = ops::make_softmax_args(2, 1.0f, 0x1.df998p-7f);
  STATIC_REQUIRE(vww.input_multiplier == multiplier{2011586560, 20});
  STATIC_REQUIRE(vww.diff_min == -1984);
}

TEST_CASE("activation ranges equal TFLite's", "[core][constants]") {
  STATIC_REQUIRE(ops::activation_range(activation::relu, 0x1.42759p-4f, -128) == ops::int8_range{-128, 127});
  STATIC_REQUIRE(ops::activation_range(activation::none, 0x1.aac856p-4f, 4) == ops::int8_range{-128, 127});
  // relu with a zero point above -128 clamps below at the zero point.
  STATIC_REQUIRE(ops::activation_range(activation::relu, 0.1f, 5) == ops::int8_range{5, 127});
  // relu6 at scale 0.05: 6 / 0.05 = 120 steps above the zero point -100.
  STATIC_REQUIRE(ops::activation_range(activation::relu6, 0.05f, -100) == ops::int8_range{-100, 20});
  STATIC_REQUIRE(ops::activation_range(activation::relu_n1_to_1, 0.01f, 0) == ops::int8_range{-100, 100});
}

TEST_CASE("binary operators' multipliers are computed in float or double as TFLite computes each",
          "[core][constants]") {
  // Scales 0.0371, 0.0123 and 0.0411 as float32. TFLite computes SUB's and
  // DIV's multipliers in float32 and MUL's in double; the other precision
  // would give the values in the comments.
  constexpr quantization in1{0x1.2fec56p-5f, 3}, in2{0x1.930be0p-7f, -7}, out{0x1.50b0f2p-5f, 5};
  constexpr ops::rescaling_args sub = ops::sub_op::int8_args(in1, in2, out, activation::none);
  STATIC_REQUIRE(sub.input1_multiplier == multiplier{1073741824, 0});
  STATIC_REQUIRE(sub.input2_multiplier == multiplier{1423937920, -2});   // double: 1423937957
  STATIC_REQUIRE(sub.output_multiplier == multiplier{1938482816, -19});  // double: 1938482768
  STATIC_REQUIRE(sub.left_shift == 20);
  STATIC_REQUIRE(ops::div_op::int8_multiplier(in1, in2, out) == multiplier{1231251712, 7});   // double: 1231251798
  STATIC_REQUIRE(ops::mul_op::int8_multiplier(in1, in2, out) == multiplier{1525973584, -6});  // float: 1525973504
  constexpr ops::rescaling_args sq = ops::squared_difference_op::int8_args(in1, in2, out);
  STATIC_REQUIRE(sq.input2_multiplier == multiplier{1423937957, -2});
  STATIC_REQUIRE(sq.output_multiplier == multiplier{1150683323, -16});
  STATIC_REQUIRE(sq.left_shift == 7);
}
