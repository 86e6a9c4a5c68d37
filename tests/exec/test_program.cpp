// SPDX-License-Identifier: Apache-2.0
// weft::compiled and weft::instance: the compile-time program computes what
// the run-time path computes, observes every operator in order, exposes
// static views, and agrees with the float reference as documented.
#include "support/models.hpp"
#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <weft/reference/eigen.hpp>
#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

using namespace weft;

namespace {

namespace float_data {
inline constexpr std::array<float, 4 * 2 * 2 * 2> conv_w = {0.5f,  -0.25f, 0.125f, 0.75f,  -0.5f, 0.25f,  1.0f,  -1.0f,
                                                            0.3f,  0.2f,   0.1f,   -0.4f,  0.6f,  -0.7f,  0.8f,  0.9f,
                                                            -0.1f, 0.05f,  0.2f,   -0.3f,  0.4f,  0.1f,   -0.2f, 0.3f,
                                                            0.15f, -0.35f, 0.45f,  -0.55f, 0.65f, -0.75f, 0.85f, 0.95f};
inline constexpr std::array<float, 4> conv_b = {0.1f, -0.2f, 0.3f, 0.0f};
inline constexpr std::array<float, 3 * 16> fc_w = [] {
  std::array<float, 3 * 16> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.1f;
  return a;
}();
}  // namespace float_data

struct float_model {
  static constexpr auto graph = [] {
    weft::graph<4> g;
    const auto x = g.input(float32_tensor({1, 4, 4, 2}));
    const auto y =
        g.conv2d(x, {.pad = padding::same, .act = activation::relu}, float32_constant(float_data::conv_w, {4, 2, 2, 2}),
                 float32_constant(float_data::conv_b, {4}));
    const auto p = g.max_pool2d(y, {.filter = {2, 2}, .stride = {2, 2}});
    const auto f = g.fully_connected(p, {}, float32_constant(float_data::fc_w, {3, 16}));
    g.output(g.softmax(f));
    return g;
  }();
};

}  // namespace

TEST_CASE("the compiled program computes what the run-time path computes", "[exec]") {
  using model = test::residual_model;
  static instance<model> net;
  test::runtime_program<std::remove_cvref_t<decltype(model::graph)>> reference(model::graph);
  test::rng r(17);
  for (int k = 0; k < 50; ++k) {
    const auto x = r.int8s(net.input().size());
    std::copy(x.begin(), x.end(), net.input().begin());
    net.invoke();
    reference.set_input<std::int8_t>(x);
    reference.run();
    const auto want = reference.tensor<std::int8_t>(model::graph.output_tensor);
    REQUIRE(std::equal(net.output().begin(), net.output().end(), want.begin(), want.end()));
  }
}

TEST_CASE("an observer sees every operator's output, in order", "[exec]") {
  using model = test::residual_model;
  static instance<model> net;
  test::rng r(18);
  const auto x = r.int8s(net.input().size());
  std::copy(x.begin(), x.end(), net.input().begin());
  std::vector<std::vector<std::byte>> seen;
  std::vector<int> order;
  net.invoke([&](int op, std::span<const std::byte> out) {
    order.push_back(op);
    seen.emplace_back(out.begin(), out.end());
  });
  REQUIRE(order == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
  test::runtime_program<std::remove_cvref_t<decltype(model::graph)>> reference(model::graph);
  reference.set_input<std::int8_t>(x);
  for (int i = 0; i < model::graph.node_count; ++i) {
    reference.run_node(i);
    const auto want = reference.bytes(model::graph.at(i).output);
    REQUIRE(std::equal(seen[static_cast<std::size_t>(i)].begin(), seen[static_cast<std::size_t>(i)].end(), want.begin(),
                       want.end()));
  }
}

TEST_CASE("instance views carry the model's static extents", "[exec]") {
  using model = test::residual_model;
  using in_view = decltype(std::declval<instance<model>&>().input());
  using out_view = decltype(std::declval<instance<model>&>().output());
  STATIC_REQUIRE(in_view::extents_type::values == std::array<int, 4>{1, 10, 10, 3});
  STATIC_REQUIRE(out_view::extents_type::values == std::array<int, 2>{1, 4});
  STATIC_REQUIRE(std::is_same_v<in_view::element_type, std::int8_t>);
  STATIC_REQUIRE(sizeof(instance<model>) == compiled<model>::arena_bytes);
  static instance<model> net;
  net.input()(0, 9, 9, 2) = 42;
  REQUIRE(net.input()[299] == 42);
}

TEST_CASE("a float32 model agrees with the Eigen reference", "[exec][float32]") {
  static instance<float_model> net;
  STATIC_REQUIRE(std::is_same_v<decltype(net)::element_type, float>);
  test::rng r(19);
  for (int k = 0; k < 20; ++k) {
    const auto x = r.floats(net.input().size(), -1, 1);
    std::copy(x.begin(), x.end(), net.input().begin());
    net.invoke();
    const std::vector<double> xd(x.begin(), x.end());
    const auto ref = reference::evaluate(float_model::graph, std::span<const double>(xd));
    for (std::size_t i = 0; i < ref.size(); ++i) REQUIRE(std::abs(net.output()[i] - ref[i]) < 1e-6);
  }
}

TEST_CASE("int8 outputs compared with the float reference, the documented way", "[exec][reference]") {
  using model = test::residual_model;
  static instance<model> net;
  test::rng r(20);
  double worst_plain = 0, worst_fake = 0;
  int same_argmax = 0;
  for (int k = 0; k < 50; ++k) {
    const auto x = r.int8s(net.input().size());
    std::copy(x.begin(), x.end(), net.input().begin());
    net.invoke();
    const auto out = std::span<const std::int8_t>(net.output().data(), net.output().size());
    const auto plain = reference::compare(out, reference::evaluate(model::graph, std::span<const std::int8_t>(x)),
                                          model::graph.output_spec());
    const auto fake = reference::compare(
        out, reference::evaluate(model::graph, std::span<const std::int8_t>(x), {.fake_quantize = true}),
        model::graph.output_spec());
    worst_plain = std::max(worst_plain, plain.max_abs_lsb);
    worst_fake = std::max(worst_fake, fake.max_abs_lsb);
    same_argmax += fake.same_argmax;
  }
  INFO("worst |int8 - float| in output LSB: plain " << worst_plain << ", fake-quantized " << worst_fake);
  // Rounding every layer's output to int8 (fake quantization) tracks the int8
  // model closely; pure float drifts further as quantization error adds up.
  REQUIRE(worst_fake <= 2.0);
  REQUIRE(same_argmax == 50);
  REQUIRE(worst_fake <= worst_plain);
}
