// SPDX-License-Identifier: Apache-2.0
// The graph builder: spec inference (shapes, padding, MACs, quantization),
// DAGs with residual adds, and every error it records, at compile time and
// at run time.
#include "support/models.hpp"
#include "support/run_graph.hpp"

#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <functional>
#include <limits>

using namespace weft;

namespace {

inline constexpr std::array<std::int8_t, 64 * 10 * 4> kws_w{};
inline constexpr std::array<float, 64> kws_s = test::scale_ramp<64>(0.001f, 0.0001f);
inline constexpr std::array<std::int32_t, 64> kws_b{};

// The first layer of the keyword-spotting model: 10x4 kernel, stride 2, SAME.
constexpr auto kws_first_layer() {
  weft::graph<1> g;
  const auto x = g.input(int8_tensor({1, 49, 10, 1}, 0.5847f, 83));
  const auto y = g.conv2d(x, {.stride = {2, 2}, .pad = padding::same, .act = activation::relu},
                          int8_weights(kws_w, {64, 10, 4, 1}, kws_s), int32_bias(kws_b), {0.0787f, -128});
  g.output(y);
  return g;
}

}  // namespace

TEST_CASE("spec inference gives TFLite's shapes, padding and MACs", "[graph]") {
  constexpr auto g = kws_first_layer();
  STATIC_REQUIRE(g.check() == error::none);
  STATIC_REQUIRE(g.output_spec().dims == shape{1, 25, 5, 64});
  STATIC_REQUIRE(g.output_spec().quant == quantization{0.0787f, -128});
  // SAME: total padding (25-1)*2 + 10 - 49 = 9 rows (4 before), (5-1)*2 + 4 - 10 = 2 columns (1 before).
  STATIC_REQUIRE(g.at(0).pad == hw{4, 1});
  STATIC_REQUIRE(g.at(0).macs == 320000);
}

TEST_CASE("a residual DAG records producers and consumers", "[graph]") {
  constexpr auto& g = test::residual_model::graph;
  STATIC_REQUIRE(g.check() == error::none);
  STATIC_REQUIRE(g.node_count == 8);
  STATIC_REQUIRE(g.at(3).kind == op::add);
  STATIC_REQUIRE(g.at(3).input_count() == 2);
  STATIC_REQUIRE(g.at(3).inputs[0] == 2);
  STATIC_REQUIRE(g.at(3).inputs[1] == 3);
  STATIC_REQUIRE(g.producer[2] == 1);
  STATIC_REQUIRE(g.spec(2).dims == shape{1, 5, 5, 8});
  STATIC_REQUIRE(g.spec(g.at(5).output).dims == shape{1, 8});
  STATIC_REQUIRE(g.output_spec().quant == ops::softmax_int8_output);
  STATIC_REQUIRE(g.spec(g.at(4).output).quant == g.spec(g.at(3).output).quant);  // pools keep quantization
}

TEST_CASE("binary operators broadcast as TFLite does", "[graph]") {
  constexpr auto broadcast = [](shape a, shape b) {
    shape out{};
    return ops::broadcast_shape(a, b, out) ? out : shape{};
  };
  STATIC_REQUIRE(broadcast({2, 1, 4}, {3, 1}) == shape{2, 3, 4});
  STATIC_REQUIRE(broadcast({4}, {1, 4}) == shape{1, 4});
  STATIC_REQUIRE(broadcast({1}, {2, 3, 1, 5}) == shape{2, 3, 1, 5});
  STATIC_REQUIRE(broadcast({5, 1}, {1, 6}) == shape{5, 6});
  STATIC_REQUIRE(broadcast({2, 3}, {4}) == shape{});
  STATIC_REQUIRE(broadcast({2, 3}, {3, 3}) == shape{});
  // Row-major steps of [2, 1, 4] and [3, 1] in the output [2, 3, 4] (as
  // [1, 2, 3, 4]): 0 along the axes each repeats.
  constexpr ops::broadcast_map m = ops::make_broadcast_map({2, 1, 4}, {3, 1}, {2, 3, 4});
  STATIC_REQUIRE(m.active);
  STATIC_REQUIRE(m.out == std::array<std::int32_t, 4>{1, 2, 3, 4});
  STATIC_REQUIRE(m.step1 == std::array<std::int32_t, 4>{8, 4, 0, 1});
  STATIC_REQUIRE(m.step2 == std::array<std::int32_t, 4>{3, 0, 1, 0});
  STATIC_REQUIRE(!ops::make_broadcast_map({2, 3}, {2, 3}, {2, 3}).active);

  constexpr auto g = [] {
    weft::graph<4> b;
    const auto x = b.input(int8_tensor({2, 3, 4}, 0.1f, 3));
    const auto rows = b.apply<ops::mean_op>({x}, {.axes = {false, true, false, false}}, {0.1f, 3});
    const auto y = b.apply<ops::mul_op>({rows, x}, {.act = activation::relu}, {0.5f, -7});
    b.output(b.apply<ops::maximum_op>({y, b.reshape(y, {1, 2, 3, 4})}, {}, {0.5f, -7}));
    return b;
  }();
  STATIC_REQUIRE(g.check() == error::none);
  STATIC_REQUIRE(g.spec(g.at(1).output).dims == shape{2, 3, 4});
  STATIC_REQUIRE(g.spec(g.at(1).output).quant == quantization{0.5f, -7});
  STATIC_REQUIRE(g.output_spec().dims == shape{1, 2, 3, 4});
}

TEST_CASE("reductions, arg_max/arg_min and gather infer TFLite's shapes and dtypes", "[graph]") {
  static constexpr std::array<std::int32_t, 4> positions{2, 0, 0, 1};
  constexpr auto g = [] {
    weft::graph<12> b;
    const auto x = b.input(float32_tensor({2, 3, 4}));
    const auto ids = b.input(int32_tensor({2, 5}));
    b.output(b.apply<ops::sum_op>({x}, {.axes = {true, false, true, false}, .keep_dims = false}));
    b.output(b.apply<ops::reduce_max_op>({x}, {.axes = {true, false, true, false}}));
    b.output(b.apply<ops::arg_max_op>({x}, {.axis = -1}));
    b.output(b.apply<ops::gather_op>({x, b.constant(int32_constant(positions, {2, 2}))}, {.axis = 1}));
    b.output(b.apply<ops::gather_op>({x, ids}, {.axis = 1, .batch_dims = 1}));
    b.output(b.apply<ops::gather_op>({x, ids}, {.axis = -1, .batch_dims = -1}));
    // An arg_max's int32 output read as positions, and reshaped.
    const auto best = b.reshape(b.apply<ops::arg_max_op>({x}, {.axis = 0}), {12});
    b.output(b.apply<ops::gather_op>({x, best}, {.axis = 0}));
    return b;
  }();
  STATIC_REQUIRE(g.check() == error::none);
  STATIC_REQUIRE(g.input_spec(1).type == dtype::int32);
  STATIC_REQUIRE(g.output_spec(0).dims == shape{3});
  STATIC_REQUIRE(g.output_spec(1).dims == shape{1, 3, 1});
  STATIC_REQUIRE(g.output_spec(2).dims == shape{2, 3});
  STATIC_REQUIRE(g.output_spec(2).type == dtype::int32);
  STATIC_REQUIRE(g.output_spec(2).bytes() == 24);
  STATIC_REQUIRE(g.output_spec(3).dims == shape{2, 2, 2, 4});
  STATIC_REQUIRE(g.output_spec(4).dims == shape{2, 5, 4});
  STATIC_REQUIRE(g.output_spec(5).dims == shape{2, 3, 5});
  STATIC_REQUIRE(g.output_spec(6).dims == shape{12, 3, 4});
}

TEST_CASE("batch_matmul gives TFLite's shapes: broadcast batch axes, then rows and columns", "[graph]") {
  static constexpr std::array<std::int8_t, 30> weights{};
  static constexpr std::array<float, 1> weight_scale{0.02f};
  constexpr auto g = [] {
    weft::graph<4> b;
    const auto x = b.input(float32_tensor({2, 1, 3, 5}));
    const auto y = b.input(float32_tensor({4, 5, 6}));
    b.output(b.apply<ops::batch_matmul_op>({x, y}, {}));
    // adj_x: x's rows are its last axis; adj_y: y's columns its second-to-last.
    b.output(b.apply<ops::batch_matmul_op>({b.input(float32_tensor({2, 5, 3})), b.input(float32_tensor({6, 5}))},
                                           {.adj_x = true, .adj_y = true}));
    // int8 by a constant (zero point 4): the output takes the given quantization.
    weft::constant w = int8_weights(weights, {5, 6}, weight_scale);
    w.spec.quant.zero_point = 4;
    b.output(b.apply<ops::batch_matmul_op>({b.input(int8_tensor({3, 5}, 0.1f, -3)), b.constant(w)}, {}, {0.5f, 9}));
    return b;
  }();
  STATIC_REQUIRE(g.check() == error::none);
  STATIC_REQUIRE(g.output_spec(0).dims == shape{2, 4, 3, 6});
  STATIC_REQUIRE(g.at(0).macs == 2 * 4 * 3 * 6 * 5);
  STATIC_REQUIRE(g.output_spec(1).dims == shape{2, 3, 6});
  STATIC_REQUIRE(g.output_spec(2).dims == shape{3, 6});
  STATIC_REQUIRE(g.output_spec(2).quant == quantization{0.5f, 9});
  STATIC_REQUIRE(g.output_spec(2).type == dtype::int8);
}

namespace {

struct error_case {
  const char* what;
  error expected;
  int node;
  std::function<void(weft::graph<4>&, test::constant_store&)> build;
};

const tensor_spec in8 = int8_tensor({1, 6, 6, 2}, 0.1f, 0);

}  // namespace

TEST_CASE("slices and concatenations give TFLite's shapes and keep the quantization", "[graph]") {
  static constexpr auto g = [] {
    weft::graph<4> h;
    const auto x = h.input(int8_tensor({2, 5, 3}, 0.1f, 4));
    // Axis 0: element 1 alone, dropped; axis 1: 4, 2, 0; axis 2: all.
    const auto s = h.apply<ops::slice_op>(
        {x}, {.begin = {1, 4, 0}, .stride = {1, -2, 1}, .count = {1, 3, 3}, .drop = {true, false, false}});
    const auto y = h.input(int8_tensor({3, 3}, 0.1f, 4));
    const auto c = h.apply<ops::concatenation_op>({s, y, s}, {.axis = 0}, {0.1f, 4});
    h.output(c);
    return h;
  }();
  static_assert(g.ok());
  STATIC_REQUIRE(g.spec(g.at(0).output).dims == shape{3, 3});
  STATIC_REQUIRE(g.spec(g.at(1).output).dims == shape{9, 3});
  STATIC_REQUIRE(g.spec(g.at(1).output).quant == quantization{0.1f, 4});
  // The slice starts at element (1, 4, 0) and steps back two rows of 3.
  const auto args = ops::slice_op::make_args<std::int8_t>(g, 0, 0);
  CHECK(args.base == 1 * 15 + 4 * 3);
  CHECK(args.stride == std::array<int, 4>{0, 0, -6, 1});
  CHECK(args.out == shape{1, 1, 3, 3});
}

TEST_CASE("each mistake is recorded with its operator, and building stops there", "[graph][errors]") {
  const std::vector<error_case> cases = {
      {"no input", error::no_input, 0, [](auto& g, auto&) { g.softmax({0}); }},
      {"nine inputs", error::too_many_inputs, -1,
       [](auto& g, auto&) {
         for (int k = 0; k < 9; ++k) g.input(in8);
       }},
      {"output twice", error::bad_output, -1,
       [](auto& g, auto&) {
         const auto x = g.input(in8);
         const auto y = g.softmax(x);
         g.output(y);
         g.output(y);
       }},
      {"constant output", error::bad_output, -1,
       [](auto& g, auto& store) {
         g.input(in8);
         g.output(g.constant(store.float32({1.0f, 2.0f}, shape{2})));
       }},
      {"tensor capacity", error::too_many_tensors, -1,
       [](auto& g, auto& store) {  // graph<4> holds 4 + 8 tensors
         g.input(in8);
         for (int k = 0; k < 12; ++k) g.constant(store.float32({1.0f}, shape{1}));
       }},
      {"constant size", error::weights_size, -1,
       [](auto& g, auto& store) {
         g.input(in8);
         weft::constant c = store.float32({1.0f, 2.0f}, shape{2});
         c.provided = 1;
         g.constant(c);
       }},
      {"no output", error::no_output, -1, [](auto& g, auto&) { g.input(in8); }},
      {"bad shape", error::bad_shape, -1,
       [](auto& g, auto&) {
         g.input(int8_tensor({1, 0, 3}, 0.1f, 0));
       }},
      {"rank 5", error::bad_shape, -1,
       [](auto& g, auto&) {
         g.input(int8_tensor({1, 2, 3, 4, 5}, 0.1f, 0));
       }},
      {"int64 input", error::unsupported_dtype, -1,
       [](auto& g, auto&) {
         g.input({dtype::int64, {4}, {}});
       }},
      {"int16 input without a scale", error::bad_int16_quantization, -1,
       [](auto& g, auto&) {
         g.input({dtype::int16, {4}, {}});
       }},
      {"zero scale", error::bad_quantization, -1, [](auto& g, auto&) { g.input(int8_tensor({4}, 0.0f, 0)); }},
      {"zero point 200", error::bad_quantization, -1, [](auto& g, auto&) { g.input(int8_tensor({4}, 1.0f, 200)); }},
      {"foreign tensor", error::bad_tensor, 0,
       [](auto& g, auto&) {
         g.input(in8);
         g.softmax({7});
       }},
      {"too many", error::too_many_nodes, 4,
       [](auto& g, auto&) {
         auto x = g.input(in8);
         for (int i = 0; i < 5; ++i) x = g.max_pool2d(x, {});
       }},
      {"conv on 2-D", error::not_4d, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(int8_tensor({4, 4}, 0.1f, 0)), {},
                  c.int8_weights(std::vector<std::int8_t>(4), {1, 2, 2, 1}, {0.1f}, 0));
       }},
      {"no weights", error::missing_weights, 0, [](auto& g, auto&) { g.conv2d(g.input(in8), {}, constant{}); }},
      {"weights 3-D", error::conv_weights_shape, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(8), {2, 2, 2}, {0.1f}, 0));
       }},
      {"channels", error::conv_channels, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(12), {1, 2, 2, 3}, {0.1f}, 0));
       }},
      {"size", error::weights_size, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(7), {1, 2, 2, 2}, {0.1f}, 0));
       }},
      {"float weights on int8", error::weights_dtype, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(in8), {}, c.float32(std::vector<float>(8), {1, 2, 2, 2}));
       }},
      {"asymmetric weights", error::weights_zero_point, 0,
       [](auto& g, auto& c) {
         constant w = c.int8_weights(std::vector<std::int8_t>(8), {1, 2, 2, 2}, {0.1f}, 0);
         w.spec.quant.zero_point = 4;
         g.conv2d(g.input(in8), {}, w);
       }},
      {"per-channel count", error::per_channel_scales, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(24), {3, 2, 2, 2}, {0.1f, 0.2f}, 0));
       }},
      {"per-channel axis", error::per_channel_scales, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(16), {2, 2, 2, 2}, {0.1f, 0.2f}, 3));
       }},
      {"bias length", error::bias_shape, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(8), {1, 2, 2, 2}, {0.1f}, 0),
                  c.int32_bias({1, 2}));
       }},
      {"float bias on int8", error::bias_dtype, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(8), {1, 2, 2, 2}, {0.1f}, 0),
                  c.float32({1.0f}, {1}));
       }},
      {"stride 0", error::bad_window, 0,
       [](auto& g, auto&) {
         g.max_pool2d(g.input(in8), {.stride = {0, 1}});
       }},
      {"window too big", error::empty_output, 0,
       [](auto& g, auto&) {
         g.average_pool2d(g.input(in8), {.filter = {7, 1}});
       }},
      {"output quantization", error::bad_quantization, 0,
       [](auto& g, auto& c) {
         g.conv2d(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(8), {1, 2, 2, 2}, {0.1f}, 0), {},
                  {0.0f, 0});
       }},
      {"depthwise shape", error::depthwise_weights_shape, 0,
       [](auto& g, auto& c) {
         g.depthwise_conv2d(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(16), {2, 2, 2, 2}, {0.1f}, 0));
       }},
      {"depthwise channels", error::depthwise_channels, 0,
       [](auto& g, auto& c) {
         g.depthwise_conv2d(g.input(in8), {.depth_multiplier = 2},
                            c.int8_weights(std::vector<std::int8_t>(8), {1, 2, 2, 2}, {0.1f}, 3), {}, {0.1f, 0});
       }},
      {"fc weights", error::fc_weights_shape, 0,
       [](auto& g, auto& c) {
         g.fully_connected(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(8), {1, 2, 2, 2}, {0.1f}, 0));
       }},
      {"fc inputs", error::fc_inputs, 0,
       [](auto& g, auto& c) {
         g.fully_connected(g.input(in8), {}, c.int8_weights(std::vector<std::int8_t>(10), {2, 5}, {0.1f}, 0), {},
                           {0.1f, 0});
       }},
      {"add shapes", error::broadcast_shapes, 1,
       [](auto& g, auto&) {
         const auto x = g.input(in8);
         g.add(x, g.max_pool2d(x, {.filter = {2, 2}, .stride = {2, 2}}), {}, {0.1f, 0});
       }},
      {"mul shapes", error::broadcast_shapes, 1,
       [](auto& g, auto&) {
         const auto x = g.input(in8);
         g.template apply<ops::mul_op>({x, g.reshape(x, {1, 72})}, {}, {0.1f, 0});
       }},
      {"sub dtypes", error::binary_dtypes, 1,
       [](auto& g, auto&) {
         const auto x = g.input(in8);
         g.template apply<ops::sub_op>({x, g.template apply<ops::dequantize_op>({x})}, {}, {0.1f, 0});
       }},
      {"maximum quantization", error::binary_quantization, 1,
       [](auto& g, auto&) {
         const auto x = g.input(in8);
         g.template apply<ops::maximum_op>({x, g.template apply<ops::quantize_op>({x}, {}, {0.2f, 0})}, {}, {0.1f, 0});
       }},
      {"sub scales", error::scale_out_of_range, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int8_tensor({4}, 100.0f, 0));
         g.template apply<ops::sub_op>({x, x}, {}, {1e-6f, 0});
       }},
      {"div scales", error::scale_out_of_range, 0,
       [](auto& g, auto&) {
         // s1 / (s2 * s_out) = 2^24: the right shift after the reciprocal
         // would be negative for a dividend of 255 and a divisor of 1.
         const auto x = g.input(int8_tensor({4}, 1.0f, 0));
         g.template apply<ops::div_op>({x, x}, {}, {0x1p-24f, 0});
       }},
      {"reshape", error::reshape_elements, 0,
       [](auto& g, auto&) {
         g.reshape(g.input(in8), {1, 71});
       }},
      {"softmax scale", error::scale_out_of_range, 0,
       [](auto& g, auto&) {
         g.softmax(g.input(int8_tensor({1, 4}, 1e-9f, 0)));
       }},
      // TFLite Micro has no int8 NEG (nor SQRT, EXP, ... ) and refuses these two in Prepare.
      {"int8 neg", error::float_only, 0,
       [](auto& g, auto&) {
         g.template apply<ops::neg_op>({g.input(in8)}, {}, {0.1f, 0});
       }},
      {"logistic zero point", error::logistic_zero_point, 0,
       [](auto& g, auto&) {
         g.template apply<ops::logistic_op>({g.input(in8)}, {}, {1.0f / 256, 0});
       }},
      {"hard swish scales", error::scale_out_of_range, 0,
       [](auto& g, auto&) {  // output multiplier 0.5 / 128 / 0.001 > 1
         g.template apply<ops::hard_swish_op>({g.input(int8_tensor({4}, 0.5f, 0))}, {}, {0.001f, 0});
       }},
      {"relu scales", error::scale_out_of_range, 0,
       [](auto& g, auto&) {  // a multiplier of 2^33: TFLite would shift an int by 33
         g.template apply<ops::relu_op>({g.input(int8_tensor({4}, 8.0f, 0))}, {}, {1.0f / (1 << 30), 0});
       }},
      {"add scales", error::scale_out_of_range, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int8_tensor({4}, 100.0f, 0));
         g.add(x, x, {}, {1e-6f, 0});
       }},
      // State (SVDF's), int16 activations.
      {"state into an add", error::state_operand, 0,
       [](auto& g, auto&) {
         const auto x = g.input(in8);
         g.add(x, g.state(in8), {}, {0.1f, 0});
       }},
      {"svdf on an activation for its state", error::state_operand, 0,
       [](auto& g, auto& c) {
         const auto x = g.input(int8_tensor({1, 3}, 0.1f, 0));
         g.template apply<ops::svdf_op>({x, g.constant(c.int8_weights(std::vector<std::int8_t>(4), {2, 2}, {0.1f}, 0)),
                                         g.input(int8_tensor({1, 4}, 0.1f, 0))},
                                        {}, {0.1f, 0}, c.int8_weights(std::vector<std::int8_t>(6), {2, 3}, {0.1f}, 0),
                                        c.int32_bias({1, 2}));
       }},
      {"svdf rank", error::svdf_shapes, 0,
       [](auto& g, auto& c) {  // 2 filters, rank 3
         const auto x = g.input(int8_tensor({1, 3}, 0.1f, 0));
         g.template apply<ops::svdf_op>({x, g.constant(c.int8_weights(std::vector<std::int8_t>(4), {2, 2}, {0.1f}, 0)),
                                         g.state(int8_tensor({1, 4}, 0.1f, 0))},
                                        {.rank = 3}, {0.1f, 0},
                                        c.int8_weights(std::vector<std::int8_t>(6), {2, 3}, {0.1f}, 0),
                                        c.int32_bias({1}));
       }},
      {"svdf state type", error::svdf_types, 0,
       [](auto& g, auto& c) {  // int8 time weights, int16 state: TFLite Micro would misread it
         const auto x = g.input(int8_tensor({1, 3}, 0.1f, 0));
         g.template apply<ops::svdf_op>({x, g.constant(c.int8_weights(std::vector<std::int8_t>(4), {2, 2}, {0.1f}, 0)),
                                         g.state(int16_tensor({1, 4}, 0.1f, 0))},
                                        {}, {0.1f, 0}, c.int8_weights(std::vector<std::int8_t>(6), {2, 3}, {0.1f}, 0),
                                        c.int32_bias({1, 2}));
       }},
      {"svdf without bias", error::svdf_types, 0,
       [](auto& g, auto& c) {
         const auto x = g.input(int8_tensor({1, 3}, 0.1f, 0));
         g.template apply<ops::svdf_op>({x, g.constant(c.int8_weights(std::vector<std::int8_t>(4), {2, 2}, {0.1f}, 0)),
                                         g.state(int8_tensor({1, 4}, 0.1f, 0))},
                                        {}, {0.1f, 0}, c.int8_weights(std::vector<std::int8_t>(6), {2, 3}, {0.1f}, 0));
       }},
      {"lstm recurrent weights", error::lstm_shapes, 0,
       [](auto& g, auto& c) {  // 2 units: recurrent weights must be [8, 2]
         const auto x = g.input(int8_tensor({1, 3, 4}, 0.1f, 0));
         g.template apply<ops::lstm_op>(
             {x, g.constant(c.int8_weights(std::vector<std::int8_t>(8), {8, 1}, std::vector<float>(8, 0.1f), 0)),
              g.state(int8_tensor({1, 2}, 0.1f, 0)), g.state(int16_tensor({1, 2}, 1.0f / 2048, 0))},
             {}, {0.1f, 0}, c.int8_weights(std::vector<std::int8_t>(32), {8, 4}, std::vector<float>(8, 0.1f), 0),
             c.int32_bias(std::vector<std::int32_t>(8)));
       }},
      {"lstm scales within a gate", error::lstm_types, 0,
       [](auto& g, auto& c) {  // the input gate's two rows on different scales
         const auto x = g.input(int8_tensor({1, 3, 4}, 0.1f, 0));
         std::vector<float> scales(8, 0.1f);
         scales[1] = 0.2f;
         g.template apply<ops::lstm_op>(
             {x, g.constant(c.int8_weights(std::vector<std::int8_t>(16), {8, 2}, std::vector<float>(8, 0.1f), 0)),
              g.state(int8_tensor({1, 2}, 0.1f, 0)), g.state(int16_tensor({1, 2}, 1.0f / 2048, 0))},
             {}, {0.1f, 0}, c.int8_weights(std::vector<std::int8_t>(32), {8, 4}, scales, 0),
             c.int32_bias(std::vector<std::int32_t>(8)));
       }},
      {"lstm with an int8 cell state", error::lstm_types, 0,
       [](auto& g, auto& c) {
         const auto x = g.input(int8_tensor({1, 3, 4}, 0.1f, 0));
         g.template apply<ops::lstm_op>(
             {x, g.constant(c.int8_weights(std::vector<std::int8_t>(16), {8, 2}, std::vector<float>(8, 0.1f), 0)),
              g.state(int8_tensor({1, 2}, 0.1f, 0)), g.state(int8_tensor({1, 2}, 0.1f, 0))},
             {}, {0.1f, 0}, c.int8_weights(std::vector<std::int8_t>(32), {8, 4}, std::vector<float>(8, 0.1f), 0),
             c.int32_bias(std::vector<std::int32_t>(8)));
       }},
      {"state as an output", error::bad_output, -1,
       [](auto& g, auto&) {
         g.input(in8);
         g.output(g.state(int8_tensor({1, 4}, 0.1f, 0)));
       }},
      {"int16 into hard_swish", error::int16_activation, 0,
       [](auto& g, auto&) {  // TFLite Micro has no int16 HARD_SWISH
         g.template apply<ops::hard_swish_op>({g.input(int16_tensor({1, 4}, 0.1f, 0))}, {}, {0.1f, 0});
       }},
      {"int16 zero point", error::bad_int16_quantization, -1,
       [](auto& g, auto&) { g.input(int16_tensor({4}, 0.1f, 40000)); }},
      {"quantize int8 to int32", error::quantize_types, 0,
       [](auto& g, auto&) {
         g.template apply<ops::quantize_op>({g.input(in8)}, {.to = dtype::int32}, {0.1f, 0});
       }},
      {"softmax int16 output scale", error::softmax_int16_output, 0,
       [](auto& g, auto&) {
         g.template apply<ops::softmax_op>({g.input(int8_tensor({1, 4}, 0.1f, 0))}, {.int16_output = true},
                                           {1.0f / 32768, -32768});
       }},
      {"softmax int16 zero point", error::softmax_int16, 0,
       [](auto& g, auto&) {  // TFLite Micro: zero points 0
         g.template apply<ops::softmax_op>({g.input(int16_tensor({2, 4}, 1e-3f, 3))}, {}, {1.0f / 32768, 0});
       }},
      {"softmax int16 output scale 2^-16", error::softmax_int16, 0,
       [](auto& g, auto&) {  // TFLite Micro: 1/32768 within 0.1%
         g.template apply<ops::softmax_op>({g.input(int16_tensor({2, 4}, 1e-3f, 0))}, {}, {1.0f / 65536, 0});
       }},
      {"batch_matmul int16 zero point", error::int16_zero_point, 0,
       [](auto& g, auto&) {
         g.template apply<ops::batch_matmul_op>(
             {g.input(int16_tensor({2, 3}, 1e-4f, 0)), g.input(int16_tensor({3, 2}, 1e-4f, 4))}, {}, {1e-4f, 0});
       }},
      {"batch_matmul int16 by int8", error::batch_matmul_dtypes, 0,
       [](auto& g, auto&) {
         g.template apply<ops::batch_matmul_op>(
             {g.input(int16_tensor({2, 3}, 1e-4f, 0)), g.input(int8_tensor({3, 2}, 0.1f, 0))}, {}, {1e-4f, 0});
       }},
      {"transpose_conv int16 with an int32 bias", error::transpose_conv16_bias, 0,
       [](auto& g, auto& c) {  // TFLite Micro would read it as int64
         g.template apply<ops::transpose_conv_op>({g.input(int16_tensor({1, 2, 2, 1}, 1e-4f, 0))},
                                                  {.stride = {2, 2}, .out = {4, 4}}, {1e-3f, 0},
                                                  c.int8_weights(std::vector<std::int8_t>(18), {2, 3, 3, 1}, {0.01f}, 0),
                                                  c.int32_bias({5, -5}));
       }},
      // Reductions, ARG_MAX/ARG_MIN, GATHER and int32 activations.
      {"int32 into a pool", error::int32_activation, 0,
       [](auto& g, auto&) {
         g.max_pool2d(g.input(int32_tensor({1, 4, 4, 1})), {});
       }},
      {"arg_max into softmax", error::int32_activation, 1,
       [](auto& g, auto&) {
         g.softmax(g.template apply<ops::arg_max_op>({g.input(float32_tensor({2, 5}))}, {.axis = 1}));
       }},
      {"int32 gather input", error::int32_activation, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(int32_tensor({4, 2})), g.constant(c.int32({1}, {1}))}, {});
       }},
      {"sum axes", error::bad_axes, 0,
       [](auto& g, auto&) {
         g.template apply<ops::sum_op>({g.input(float32_tensor({2, 5}))}, {.axes = {false, false, true, false}});
       }},
      {"sum scales", error::scale_out_of_range, 0,
       [](auto& g, auto&) {  // multiplier 1e-9 / 100: below 2^-31
         g.template apply<ops::sum_op>({g.input(int8_tensor({2, 5}, 1e-9f, 0))}, {.axes = {false, true}}, {100.0f, 0});
       }},
      {"sum shift", error::scale_out_of_range, 0,
       [](auto& g, auto&) {  // multiplier 2^33: TFLite would shift an int by 33
         g.template apply<ops::sum_op>({g.input(int8_tensor({2, 5}, 8.0f, 0))}, {.axes = {false, true}},
                                       {1.0f / (1 << 30), 0});
       }},
      {"sum output quantization", error::bad_quantization, 0,
       [](auto& g, auto&) {
         g.template apply<ops::sum_op>({g.input(int8_tensor({2, 5}, 0.1f, 0))}, {.axes = {true, false}}, {0.0f, 0});
       }},
      {"reduce_max scale", error::reduce_max_quantization, 0,
       [](auto& g, auto&) {
         g.template apply<ops::reduce_max_op>({g.input(int8_tensor({2, 5}, 0.1f, 3))}, {.axes = {false, true}},
                                              {0.2f, 3});
       }},
      {"reduce_max zero point", error::reduce_max_quantization, 0,
       [](auto& g, auto&) {
         g.template apply<ops::reduce_max_op>({g.input(int8_tensor({2, 5}, 0.1f, 3))}, {.axes = {false, true}},
                                              {0.1f, 4});
       }},
      {"reshaped arg_min into reduce_max", error::int32_activation, 2,
       [](auto& g, auto&) {
         const auto x = g.template apply<ops::arg_min_op>({g.input(float32_tensor({2, 5}))}, {.axis = 0});
         g.template apply<ops::reduce_max_op>({g.reshape(x, {5})}, {.axes = {true}});
       }},
      {"arg_max axis", error::arg_axis, 0,
       [](auto& g, auto&) {
         g.template apply<ops::arg_max_op>({g.input(float32_tensor({2, 5}))}, {.axis = 2});
       }},
      {"arg_min negative axis", error::arg_axis, 0,
       [](auto& g, auto&) {
         g.template apply<ops::arg_min_op>({g.input(int8_tensor({2, 5}, 0.1f, 0))}, {.axis = -3});
       }},
      {"arg_max of 1-D", error::arg_axis, 0,
       [](auto& g, auto&) { g.template apply<ops::arg_max_op>({g.input(float32_tensor({5}))}, {.axis = 0}); }},
      {"gather float positions", error::gather_positions, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(float32_tensor({4, 2})), g.constant(c.float32({1.0f}, {1}))}, {});
       }},
      {"gather int8 positions", error::gather_positions, 0,
       [](auto& g, auto&) {
         const auto x = g.input(float32_tensor({4, 2}));
         g.template apply<ops::gather_op>({x, g.input(int8_tensor({3}, 1.0f, 0))}, {});
       }},
      {"gather axis", error::gather_axes, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(float32_tensor({4, 2})), g.constant(c.int32({1}, {1}))},
                                          {.axis = 2});
       }},
      {"gather batch_dims above axis", error::gather_axes, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(float32_tensor({4, 2})), g.constant(c.int32({1, 0, 1, 0}, {4, 1}))},
                                          {.axis = 0, .batch_dims = 1});
       }},
      {"gather batch sizes", error::gather_axes, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(float32_tensor({4, 2})), g.constant(c.int32({1, 0, 1}, {3, 1}))},
                                          {.axis = 1, .batch_dims = 1});
       }},
      {"gather batch_dims beyond positions", error::gather_axes, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(float32_tensor({2, 2, 3})), g.constant(c.int32({1, 0}, {2}))},
                                          {.axis = 2, .batch_dims = 2});
       }},
      {"gather output rank", error::gather_axes, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>(
             {g.input(float32_tensor({4, 2, 2})), g.constant(c.int32(std::vector<std::int32_t>(8), {2, 2, 2}))}, {});
       }},
      {"gather position -1", error::gather_index, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(float32_tensor({4, 2})), g.constant(c.int32({0, -1}, {2}))}, {});
       }},
      {"gather position past the axis", error::gather_index, 0,
       [](auto& g, auto& c) {  // axis 1 (size 2) of each batch
         g.template apply<ops::gather_op>(
             {g.input(int8_tensor({4, 2}, 0.1f, 0)), g.constant(c.int32({0, 1, 1, 0, 0, 1, 2, 0}, {4, 2}))},
             {.axis = -1, .batch_dims = 1});
        }},
      // EMBEDDING_LOOKUP's int8 -> float32 lookup (a gather that dequantizes).
      {"gather dequantize zero point", error::gather_dequantize, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(int8_tensor({4, 2}, 0.1f, 3)), g.constant(c.int32({1}, {1}))},
                                          {.dequantize = true});
       }},
      {"gather dequantize float32", error::unsupported_dtype, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(float32_tensor({4, 2})), g.constant(c.int32({1}, {1}))},
                                          {.dequantize = true});
       }},
      {"gather output quantization", error::bad_quantization, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::gather_op>({g.input(int8_tensor({4, 2}, 0.1f, 3)), g.constant(c.int32({1}, {1}))}, {},
                                          {-1.0f, 0});
       }},
      // BATCH_MATMUL: what TFLite Micro's Prepare refuses.
      {"batch_matmul dtypes", error::batch_matmul_dtypes, 0,
       [](auto& g, auto&) {
         g.template apply<ops::batch_matmul_op>(
             {g.input(int8_tensor({2, 3}, 0.1f, 0)), g.input(float32_tensor({3, 4}))}, {}, {0.1f, 0});
       }},
      {"batch_matmul int32 constant", error::batch_matmul_dtypes, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::batch_matmul_op>({g.input(float32_tensor({2, 3})), g.constant(c.int32({1, 2, 3}, {3, 1}))},
                                                {});
       }},
      {"batch_matmul int32 input", error::int32_activation, 0,
       [](auto& g, auto&) {
         g.template apply<ops::batch_matmul_op>({g.input(int32_tensor({2, 3})), g.input(int32_tensor({3, 4}))}, {});
       }},
      {"batch_matmul rank 1", error::batch_matmul_rank, 0,
       [](auto& g, auto&) {
         g.template apply<ops::batch_matmul_op>({g.input(float32_tensor({3})), g.input(float32_tensor({3, 4}))}, {});
       }},
      {"batch_matmul depth", error::batch_matmul_depth, 0,
       [](auto& g, auto&) {
         g.template apply<ops::batch_matmul_op>({g.input(float32_tensor({2, 3})), g.input(float32_tensor({4, 3}))}, {});
       }},
      {"batch_matmul adj_y depth", error::batch_matmul_depth, 0,
       [](auto& g, auto&) {  // with adj_y the right input is [columns, depth]
         g.template apply<ops::batch_matmul_op>({g.input(float32_tensor({2, 3})), g.input(float32_tensor({3, 4}))},
                                                {.adj_y = true});
       }},
      {"batch_matmul batch axes", error::batch_matmul_batch, 0,
       [](auto& g, auto&) {
         g.template apply<ops::batch_matmul_op>(
             {g.input(float32_tensor({2, 2, 2, 3})), g.input(float32_tensor({3, 3, 4}))}, {});
       }},
      {"batch_matmul output quantization", error::bad_quantization, 0,
       [](auto& g, auto&) {
         g.template apply<ops::batch_matmul_op>(
             {g.input(int8_tensor({2, 3}, 0.1f, 0)), g.input(int8_tensor({3, 4}, 0.1f, 0))}, {});
       }},
      {"batch_matmul scales", error::scale_out_of_range, 0,
       [](auto& g, auto&) {  // multiplier 2^33: TFLite would shift an int by 33
         g.template apply<ops::batch_matmul_op>(
             {g.input(int8_tensor({2, 3}, 8.0f, 0)), g.input(int8_tensor({3, 4}, 1.0f, 0))}, {},
             {1.0f / (1 << 30), 0});
       }},
      // Slices and concatenations: what TFLite Micro aborts on (or writes
      // nothing for) is refused when the graph is built.
      {"slice outside its input", error::bad_slice, 0,
       [](auto& g, auto&) {  // elements 3 and 4 of an axis of 4
         g.template apply<ops::slice_op>({g.input(int8_tensor({4}, 0.1f, 0))}, {.begin = {3}, .count = {2}});
       }},
      {"slice walking backwards out of its input", error::bad_slice, 0,
       [](auto& g, auto&) {  // elements 1, -1
         g.template apply<ops::slice_op>({g.input(int8_tensor({4}, 0.1f, 0))},
                                         {.begin = {1}, .stride = {-2}, .count = {2}});
       }},
      {"slice stride 0", error::bad_slice, 0,
       [](auto& g, auto&) {
         g.template apply<ops::slice_op>({g.input(int8_tensor({4}, 0.1f, 0))}, {.stride = {0}, .count = {1}});
       }},
      {"slice dropping an axis of several elements", error::bad_slice, 0,
       [](auto& g, auto&) {
         g.template apply<ops::slice_op>({g.input(int8_tensor({4, 2}, 0.1f, 0))},
                                         {.count = {2, 2}, .drop = {true, false}});
       }},
      {"slice dropping every axis", error::bad_slice, 0,
       [](auto& g, auto&) {
         g.template apply<ops::slice_op>({g.input(int8_tensor({4}, 0.1f, 0))}, {.count = {1}, .drop = {true}});
       }},
      {"slice dropping an axis the input lacks", error::bad_slice, 0,
       [](auto& g, auto&) {
         g.template apply<ops::slice_op>({g.input(int8_tensor({4}, 0.1f, 0))},
                                         {.count = {1, 1}, .drop = {false, true}});
       }},
      {"concatenation axis", error::concatenation_shapes, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int8_tensor({2, 3}, 0.1f, 0));
         g.template apply<ops::concatenation_op>({x, x}, {.axis = 2}, {0.1f, 0});
       }},
      {"concatenation sizes off the axis", error::concatenation_shapes, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int8_tensor({2, 3}, 0.1f, 0)), y = g.input(int8_tensor({2, 4}, 0.1f, 0));
         g.template apply<ops::concatenation_op>({x, y}, {.axis = 0}, {0.1f, 0});
       }},
      {"concatenation ranks", error::concatenation_shapes, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int8_tensor({2, 3}, 0.1f, 0)), y = g.input(int8_tensor({2, 3, 1}, 0.1f, 0));
         g.template apply<ops::concatenation_op>({x, y}, {.axis = 0}, {0.1f, 0});
       }},
      {"concatenation of different quantizations", error::concatenation_quantization, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int8_tensor({2, 3}, 0.1f, 0)), y = g.input(int8_tensor({2, 3}, 0.1f, 1));
         g.template apply<ops::concatenation_op>({x, y}, {.axis = 1}, {0.1f, 0});
       }},
      {"concatenation to another quantization", error::concatenation_quantization, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int8_tensor({2, 3}, 0.1f, 0));
         g.template apply<ops::concatenation_op>({x, x}, {.axis = 1}, {0.2f, 0});
       }},
      {"concatenation of two dtypes", error::unsupported_dtype, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int8_tensor({2, 3}, 0.1f, 0)), y = g.input(float32_tensor({2, 3}));
         g.template apply<ops::concatenation_op>({x, y}, {.axis = 1}, {0.1f, 0});
       }},
      {"concatenation of eleven inputs", error::input_count, 0,
       [](auto& g, auto&) {  // TFLite Micro's limit is 10
         const auto x = g.input(int8_tensor({2, 3}, 0.1f, 0));
         g.template apply<ops::concatenation_op>({x, x, x, x, x, x, x, x, x, x, x}, {.axis = 1}, {0.1f, 0});
        }},
      {"prelu scales", error::scale_out_of_range, 0,
       [](auto& g, auto&) {  // s_in / s_out = 2^33
         const auto x = g.input(int8_tensor({4}, 8.0f, 0));
         g.template apply<ops::prelu_op>({x, x}, {}, {1.0f / (1 << 30), 0});
       }},
      {"prelu shapes", error::broadcast_shapes, 0,
       [](auto& g, auto& c) {
         const auto alpha = g.constant(c.int8_weights(std::vector<std::int8_t>(3), {3}, {0.1f}, 0));
         g.template apply<ops::prelu_op>({g.input(in8), alpha}, {}, {0.1f, 0});
       }},
      // TFLite Micro's resize_bilinear.cc refuses both flags at once.
      {"bilinear align and half pixel", error::resize_align_and_half_pixel, 0,
       [](auto& g, auto&) {
         g.template apply<ops::resize_bilinear_op>({g.input(in8)},
                                                   {.size = {4, 4}, .align_corners = true, .half_pixel_centers = true});
       }},
      {"bilinear size", error::bad_size, 0,
       [](auto& g, auto&) {
         g.template apply<ops::resize_bilinear_op>({g.input(in8)}, {.size = {0, 4}});
       }},
      {"bilinear on 2-D", error::not_4d, 0,
       [](auto& g, auto&) {
         g.template apply<ops::resize_bilinear_op>({g.input(int8_tensor({4, 4}, 0.1f, 0))}, {.size = {2, 2}});
       }},
      // TFLite Micro's L2 pool is float32 only.
      {"int8 l2 pool", error::float_only, 0,
       [](auto& g, auto&) {
         g.template apply<ops::l2_pool2d_op>({g.input(in8)}, {.filter = {2, 2}});
       }},
      {"l2 pool window", error::empty_output, 0,
       [](auto& g, auto&) {
         g.template apply<ops::l2_pool2d_op>({g.input(float32_tensor({1, 6, 6, 2}))}, {.filter = {7, 1}});
       }},
      {"depth to space channels", error::bad_block_size, 0,  // 2 channels, a block of 2 needs a multiple of 4
       [](auto& g, auto&) { g.template apply<ops::depth_to_space_op>({g.input(in8)}, {.block = 2}); }},
      {"space to depth height", error::bad_block_size, 0,  // 6 rows, a block of 4
       [](auto& g, auto&) { g.template apply<ops::space_to_depth_op>({g.input(in8)}, {.block = 4}); }},
      {"space to depth block 0", error::bad_block_size, 0,
       [](auto& g, auto&) { g.template apply<ops::space_to_depth_op>({g.input(in8)}, {.block = 0}); }},
      {"depth to space on 2-D", error::not_4d, 0,
       [](auto& g, auto&) {
         g.template apply<ops::depth_to_space_op>({g.input(int8_tensor({4, 4}, 0.1f, 0))}, {.block = 2});
       }},
      {"mirror pad reflect", error::mirror_padding, 0,  // REFLECT: at most 2 - 1 along the channels
       [](auto& g, auto&) {
         g.template apply<ops::mirror_pad_op>({g.input(in8)}, {.before = {0, 0, 0, 2}, .after = {}});
       }},
      {"mirror pad symmetric", error::mirror_padding, 0,  // SYMMETRIC: at most 6 along the rows
       [](auto& g, auto&) {
         g.template apply<ops::mirror_pad_op>({g.input(in8)}, {.before = {}, .after = {0, 7, 0, 0}, .symmetric = true});
       }},
      {"mirror pad negative", error::bad_padding, 0,
       [](auto& g, auto&) {
         g.template apply<ops::mirror_pad_op>({g.input(in8)}, {.before = {0, -1, 0, 0}, .after = {}});
       }},
      {"transpose conv channels", error::conv_channels, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::transpose_conv_op>(
             {g.input(in8)}, {.out = {12, 12}}, {0.1f, 0},
             c.int8_weights(std::vector<std::int8_t>(12), {1, 2, 2, 3}, {0.1f}, 0));
       }},
      {"transpose conv output size", error::bad_size, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::transpose_conv_op>({g.input(in8)}, {.out = {0, 12}}, {0.1f, 0},
                                                  c.int8_weights(std::vector<std::int8_t>(8), {1, 2, 2, 2}, {0.1f}, 0));
       }},
      {"transpose conv stride 0", error::bad_window, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::transpose_conv_op>({g.input(in8)}, {.stride = {0, 1}, .out = {12, 12}}, {0.1f, 0},
                                                  c.int8_weights(std::vector<std::int8_t>(8), {1, 2, 2, 2}, {0.1f}, 0));
       }},
      {"transpose conv per-channel count", error::per_channel_scales, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::transpose_conv_op>(
             {g.input(in8)}, {.out = {12, 12}}, {0.1f, 0},
             c.int8_weights(std::vector<std::int8_t>(24), {3, 2, 2, 2}, {0.1f, 0.2f}, 0));
       }},
      {"16x8 float bias", error::bias_dtype, 0,
       [](auto& g, auto& c) {
         g.fully_connected(g.input(int16_tensor({2, 4}, 0.001f, 0)), {},
                           c.int8_weights(std::vector<std::int8_t>(12), {3, 4}, {0.1f}, 0),
                           c.float32({1.0f, 2.0f, 3.0f}, {3}), {0.01f, 0});
       }},
      {"16x8 output zero point", error::bad_int16_quantization, 0,
       [](auto& g, auto& c) {
         g.fully_connected(g.input(int16_tensor({2, 4}, 0.001f, 0)), {},
                           c.int8_weights(std::vector<std::int8_t>(12), {3, 4}, {0.1f}, 0), constant{},
                           {0.01f, 40000});
       }},
      {"int16 mul zero point", error::int16_zero_point, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int16_tensor({2, 4}, 0.001f, 3));
         g.template apply<ops::mul_op>({x, x}, {}, {0.01f, 0});
       }},
      {"int16 sub zero point", error::int16_zero_point, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int16_tensor({2, 4}, 0.001f, 0));
         const auto y = g.input(int16_tensor({2, 4}, 0.001f, 5));
         g.template apply<ops::sub_op>({x, y}, {}, {0.01f, 0});
       }},
      {"int16 add zero point", error::int16_add_zero_point, 0,
       [](auto& g, auto&) {
         const auto x = g.input(int16_tensor({2, 4}, 0.001f, -32767));
         g.template apply<ops::add_op>({x, x}, {}, {0.01f, 0});
       }},
      {"int16 logistic output scale", error::int16_sigmoid_scales, 0,
       [](auto& g, auto&) {
         g.template apply<ops::logistic_op>({g.input(int16_tensor({2, 4}, 0.001f, 0))}, {}, {1.0f / 16384, 0});
       }},
      {"int16 tanh input scale", error::int16_sigmoid_scales, 0,  // TFLite Micro aborts from about 4/3
       [](auto& g, auto&) {
         g.template apply<ops::tanh_op>({g.input(int16_tensor({2, 4}, 3.0f, 0))}, {}, {1.0f / 32768, 0});
       }},
      {"16x8 depthwise int32 bias", error::depthwise16_bias, 0,
       [](auto& g, auto& c) {
         g.depthwise_conv2d(g.input(int16_tensor({1, 4, 4, 2}, 0.001f, 0)), {},
                            c.int8_weights(std::vector<std::int8_t>(18), {1, 3, 3, 2}, {0.1f}, 3),
                            c.int32_bias({1, 2}), {0.01f, 0});
       }},
      {"int16 logistic zero point", error::int16_zero_point, 0,
       [](auto& g, auto&) {
         g.template apply<ops::logistic_op>({g.input(int16_tensor({2, 4}, 0.001f, 1))}, {}, {1.0f / 32768, 0});
       }},
      {"transpose conv bias", error::bias_shape, 0,
       [](auto& g, auto& c) {
         g.template apply<ops::transpose_conv_op>({g.input(in8)}, {.out = {12, 12}}, {0.1f, 0},
                                                  c.int8_weights(std::vector<std::int8_t>(8), {1, 2, 2, 2}, {0.1f}, 0),
                                                  c.int32_bias({1, 2}));
       }},
      // Resource variables.
      {"variable assigned another dtype", error::variable_value, 0,
       [](auto& g, auto&) {
         const auto s = g.state(int8_tensor({1, 4}, 0.1f, 0));
         g.template apply<ops::variable_op>({s, g.input(float32_tensor({1, 4}))}, {.assign = true});
       }},
      {"variable assigned another element count", error::variable_value, 0,
       [](auto& g, auto&) {
         const auto s = g.state(int8_tensor({1, 4}, 0.1f, 0));
         g.template apply<ops::variable_op>({s, g.input(int8_tensor({1, 5}, 0.1f, 0))}, {.assign = true});
       }},
      {"variable read with a value", error::input_count, 0,
       [](auto& g, auto&) {
         const auto s = g.state(int8_tensor({1, 4}, 0.1f, 0));
         g.template apply<ops::variable_op>({s, g.input(int8_tensor({1, 4}, 0.1f, 0))}, {});
       }},
      {"variable of an activation", error::state_operand, 0,
       [](auto& g, auto&) { g.template apply<ops::variable_op>({g.input(in8)}, {}); }},
      {"state initial value of another dtype", error::state_initial_value, -1,
       [](auto& g, auto& c) { g.state(int8_tensor({1, 2}, 0.1f, 0), c.float32({1.0f, 2.0f}, shape{2})); }},
      {"state initial value of another size", error::state_initial_value, -1,
       [](auto& g, auto& c) { g.state(float32_tensor({1, 3}), c.float32({1.0f, 2.0f}, shape{2})); }},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    weft::graph<4> g;
    test::constant_store store;
    c.build(g, store);
    REQUIRE(g.check() == c.expected);
    REQUIRE(g.err_node == (c.expected == error::no_output ? -1 : c.node));
    if (c.expected != error::no_output) {  // found while building: nothing more is added
      const int nodes = g.node_count;
      g.max_pool2d({0}, {});
      REQUIRE(g.node_count == nodes);
      REQUIRE(g.err == c.expected);
    }
    REQUIRE(std::string(message(g.check())).size() > 20);
  }
}

TEST_CASE("every error has its own message", "[graph][errors]") {
  std::vector<std::string> seen;
#define WEFT_X(code, text) +1
  constexpr int errors = 0 WEFT_ERRORS(WEFT_X);
#undef WEFT_X
  for (int e = 0; e < errors; ++e) {
    const std::string m = message(static_cast<error>(e));
    REQUIRE(std::find(seen.begin(), seen.end(), m) == seen.end());
    seen.push_back(m);
  }
}

TEST_CASE("gather copies stored int8 values under the output's quantization, or dequantizes them", "[graph][gather]") {
  // EMBEDDING_LOOKUP: TFLite Micro copies an int8 table's values whatever
  // the output's quantization, and reads one into float32 as value * scale
  // (in float); a run-time id outside the table gives zeros (0.0), where
  // TFLite Micro stops with an error.
  for (const bool dequantize : {false, true}) {
    INFO(dequantize);
    weft::graph<2> g;
    const auto x = g.input(int8_tensor({3, 2}, 0.1f, 0));
    const auto ids = g.input(int32_tensor({4}));
    g.output(g.apply<ops::gather_op>({x, ids}, {.dequantize = dequantize}, {0.25f, 5}));
    REQUIRE(g.check() == error::none);
    const tensor_spec& out = g.output_spec();
    REQUIRE(out.type == (dequantize ? dtype::float32 : dtype::int8));
    if (!dequantize) REQUIRE(out.quant == quantization{0.25f, 5});
    test::runtime_program run(g);
    const std::array<std::int32_t, 4> positions{2, 3, 0, -1};
    const std::array<std::int8_t, 6> in{1, -2, 3, -4, 127, -128};
    std::memcpy(run.bytes(g.input_tensor(0)).data(), in.data(), sizeof in);
    std::memcpy(run.bytes(g.input_tensor(1)).data(), positions.data(), sizeof positions);
    run.run();
    if (dequantize) {
      std::array<float, 8> y{};
      std::memcpy(y.data(), run.bytes(g.output_tensor()).data(), sizeof y);
      CHECK(y == std::array<float, 8>{127 * 0.1f, -128 * 0.1f, 0, 0, 1 * 0.1f, -2 * 0.1f, 0, 0});
    } else {
      std::array<std::int8_t, 8> y{};
      std::memcpy(y.data(), run.bytes(g.output_tensor()).data(), sizeof y);
      CHECK(y == std::array<std::int8_t, 8>{127, -128, 0, 0, 1, -2, 0, 0});
    }
  }
}

TEST_CASE("gather never reads outside its input: a run-time position outside the axis gives 0.0", "[graph][gather]") {
  // TFLite Micro aborts on such a position; weft writes the slice as 0.0
  // (an int8 input's zero point) and reads nothing of the input for it.
  for (const dtype t : {dtype::float32, dtype::int8}) {
    INFO(name_of(t));
    weft::graph<2> g;
    const auto x = g.input(t == dtype::int8 ? int8_tensor({3, 2}, 0.5f, 7) : float32_tensor({3, 2}));
    const auto ids = g.input(int32_tensor({5}));
    g.output(g.apply<ops::gather_op>({x, ids}, {}));
    REQUIRE(g.check() == error::none);
    test::runtime_program run(g);
    const std::array<std::int32_t, 5> positions{2, -1, 3, 0, std::numeric_limits<std::int32_t>::min()};
    std::memcpy(run.bytes(g.input_tensor(1)).data(), positions.data(), sizeof positions);
    if (t == dtype::int8) {
      const std::array<std::int8_t, 6> in{1, 2, 3, 4, 5, 6};
      std::memcpy(run.bytes(g.input_tensor(0)).data(), in.data(), sizeof in);
      run.run();
      std::array<std::int8_t, 10> out{};
      std::memcpy(out.data(), run.bytes(g.output_tensor()).data(), sizeof out);
      CHECK(out == std::array<std::int8_t, 10>{5, 6, 7, 7, 7, 7, 1, 2, 7, 7});
    } else {
      const std::array<float, 6> in{1, 2, 3, 4, 5, 6};
      std::memcpy(run.bytes(g.input_tensor(0)).data(), in.data(), sizeof in);
      run.run();
      std::array<float, 10> out{};
      std::memcpy(out.data(), run.bytes(g.output_tensor()).data(), sizeof out);
      CHECK(out == std::array<float, 10>{5, 6, 0, 0, 0, 0, 1, 2, 0, 0});
    }
  }
}

TEST_CASE(
    "a variable read after an assign sees the new value on every core count, and reset restores its initial value",
    "[graph][variable]") {
  // x -> assign(v); a = read(v) before it, b = read(v) after: a is what the
  // previous inference assigned (the initial value on the first), b is x.
  // Large enough that the schedule cuts the copies among cores; each
  // segment's cores run in reverse order too, so a read that did not wait
  // for another core's assign would see the old bytes.
  constexpr int n = 4096;
  test::constant_store store;
  std::vector<std::int8_t> init(n);
  for (int k = 0; k < n; ++k) init[static_cast<std::size_t>(k)] = static_cast<std::int8_t>(k * 7 % 251 - 125);
  const weft::constant initial = store.int8_weights(init, {16, n / 16}, {0.1f}, 0);
  weft::graph<4> g;
  const auto x = g.input(int8_tensor({16, n / 16}, 0.1f, 0));
  const auto v = g.state(int8_tensor({16, n / 16}, 0.1f, 0), initial);
  const auto a = g.apply<ops::variable_op>({v}, {}, {0.1f, 0});
  g.apply<ops::variable_op>({v, x}, {.assign = true});
  const auto b = g.apply<ops::variable_op>({v}, {}, {0.1f, 0});
  g.output(a);
  g.output(b);
  REQUIRE(g.check() == error::none);
  REQUIRE(g.has_initial_value(v.index));
  std::vector<std::int8_t> x1(n), x2(n);
  for (int k = 0; k < n; ++k) {
    x1[static_cast<std::size_t>(k)] = static_cast<std::int8_t>(k % 200 - 100);
    x2[static_cast<std::size_t>(k)] = static_cast<std::int8_t>(100 - k % 199);
  }
  for (int cores : {1, 2, 3, 4, 8}) {
    for (bool reversed : {false, true}) {
      INFO(cores << " cores" << (reversed ? ", reversed" : ""));
      const auto s = plan_schedule(g, core_profile::uniform(cores));
      if (cores > 1) CHECK(s.nodes[1].axis != split_axis::none);  // the copies are cut
      test::runtime_program run(g, true, true, core_profile::uniform(cores));
      auto infer = [&](const std::vector<std::int8_t>& in, const std::vector<std::int8_t>& want_a,
                       const std::vector<std::int8_t>& want_b) {
        std::memcpy(run.bytes(x.index).data(), in.data(), in.size());
        run.run_scheduled(s, [&](int) {
          std::array<int, max_cores> order{};
          for (int c = 0; c < max_cores; ++c) order[static_cast<std::size_t>(c)] = reversed ? cores - 1 - c : c;
          return order;
        });
        CHECK(std::memcmp(run.bytes(a.index).data(), want_a.data(), want_a.size()) == 0);
        CHECK(std::memcmp(run.bytes(b.index).data(), want_b.data(), want_b.size()) == 0);
      };
      infer(x1, init, x1);
      infer(x2, x1, x2);
      run.reset_state();
      infer(x2, init, x2);
    }
  }
}
