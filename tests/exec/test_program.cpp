// SPDX-License-Identifier: Apache-2.0
// weft::compiled and weft::instance: the compile-time program computes what
// the run-time path computes, observes every operator in order, exposes
// static views, and agrees with the float reference as documented.
#include "support/models.hpp"
#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <weft/exec/host_threads.hpp>
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

// A residual block: 1x1 conv, 3x3 conv, 3x3 conv, add of the block's input
// (the first conv's output) and the last conv's. The compact plan fuses the
// add into the second 3x3 conv (in_place_kind::residual), so that conv's
// own output is never stored.
namespace block_data {
inline constexpr auto a_w = test::random_int8s<8 * 1 * 1 * 4, 61>();
inline constexpr auto b_w = test::random_int8s<8 * 3 * 3 * 8, 62>();
inline constexpr auto c_w = test::random_int8s<8 * 3 * 3 * 8, 63>();
inline constexpr auto s8 = test::scale_ramp<8>(0.01f, 0.0005f);
inline constexpr auto a_b = test::random_biases<8, 64>();
inline constexpr auto c_b = test::random_biases<8, 65>();
inline constexpr auto fc_w = test::random_int8s<3 * 6 * 7 * 8, 66>();
}  // namespace block_data

struct residual_block {
  static constexpr auto graph = [] {
    namespace d = block_data;
    weft::graph<6> g;
    const auto x = g.input(int8_tensor({1, 6, 7, 4}, 0.02f, -9));
    const auto a = g.conv2d(x, {.act = activation::relu}, int8_weights(d::a_w, {8, 1, 1, 4}, d::s8), int32_bias(d::a_b),
                            {0.05f, -128});
    const auto b = g.conv2d(a, {.pad = padding::same, .act = activation::relu},
                            int8_weights(d::b_w, {8, 3, 3, 8}, d::s8), {}, {0.04f, -128});
    const auto c =
        g.conv2d(b, {.pad = padding::same}, int8_weights(d::c_w, {8, 3, 3, 8}, d::s8), int32_bias(d::c_b), {0.06f, 5});
    const auto s = g.add(a, c, {.act = activation::relu}, {0.07f, -128});
    g.output(g.fully_connected(g.reshape(s, {1, 6 * 7 * 8}), {}, int8_weights(d::fc_w, {3, 6 * 7 * 8}, 0.002f), {},
                               {0.1f, 0}));
    return g;
  }();
};

// An expanding 1x1 convolution (6 -> 20 channels, as in inverted residual
// blocks) after a 3x3 one: on one core it runs in place, its output
// starting before its input, and the arena is the larger tensor alone.
namespace expand_data {
inline constexpr auto a_w = test::random_int8s<6 * 3 * 3 * 3, 71>();
inline constexpr auto b_w = test::random_int8s<20 * 1 * 1 * 6, 72>();
inline constexpr auto s6 = test::scale_ramp<6>(0.01f, 0.0005f);
inline constexpr auto s20 = test::scale_ramp<20>(0.004f, 0.0003f);
inline constexpr auto b_b = test::random_biases<20, 73>();
}  // namespace expand_data

struct expanding_block {
  static constexpr auto graph = [] {
    namespace d = expand_data;
    weft::graph<3> g;
    const auto x = g.input(int8_tensor({1, 9, 7, 3}, 0.02f, -9));
    const auto a = g.conv2d(x, {.pad = padding::same, .act = activation::relu},
                            int8_weights(d::a_w, {6, 3, 3, 3}, d::s6), {}, {0.05f, -128});
    const auto b = g.conv2d(a, {.act = activation::relu6}, int8_weights(d::b_w, {20, 1, 1, 6}, d::s20),
                            int32_bias(d::b_b), {0.03f, -128});
    g.output(g.max_pool2d(b, {.filter = {3, 3}, .stride = {3, 3}}));
    return g;
  }();
};

// Each operator's output as the observer of P's observed run sees it, on
// the executor's cores.
template <class P, class Executor>
std::vector<std::vector<std::byte>> observe_all(std::byte* arena, Executor& exec) {
  std::vector<std::vector<std::byte>> seen(static_cast<std::size_t>(P::operator_count));
  P::run(arena, exec, [&](int op, std::span<const std::byte> out) {
    seen[static_cast<std::size_t>(op)].assign(out.begin(), out.end());
  });
  return seen;
}

// Counts, per core, the wait slots a probed run enters (what weft bench
// counts on a board: a probe slot per wait).
template <class P>
struct wait_counter {
  static inline std::array<int, max_cores> waits{};
  static inline int core = 0;
  static void mark(int slot) {
    if (slot >= P::operator_count && slot < P::probe_slots) ++waits[static_cast<std::size_t>(core)];
  }
};

// A single-thread executor that tells wait_counter which core runs.
template <int Cores, class Counter>
struct counting_executor {
  static constexpr int cores = Cores;
  template <job J>
  void execute(const J& j) const {
    for (int s = 0; s < j.segments(); ++s)
      for (int c = 0; c < Cores; ++c) {
        Counter::core = c;
        j.run(c, s);
      }
  }
};

}  // namespace

TEST_CASE("an observable program fuses no add and runs nothing in place", "[exec][plan][observable]") {
  using compact = compiled<residual_block, core_profile::uniform(2)>;
  using observable = compiled<residual_block, core_profile::uniform(2), memory_mode::observable>;
  // The compact plan does fuse the block's add (else this test shows nothing).
  STATIC_REQUIRE(compact::plan.in_place[2] == in_place_kind::residual);
  STATIC_REQUIRE(compact::plan.fused_into[2] == 3);
  STATIC_REQUIRE(observable::plan.in_place_count == 0);
  for (int i = 0; i < residual_block::graph.node_count; ++i) {
    REQUIRE(observable::plan.in_place[static_cast<std::size_t>(i)] == in_place_kind::none);
    REQUIRE(observable::plan.fused_into[static_cast<std::size_t>(i)] == -1);
    // Every operator but the reshape, the add included, has work on some core.
    bool any = residual_block::graph.at(i).kind == op::reshape;
    for (int c = 0; c < observable::cores; ++c) any = any || !observable::schedule.tile_of(i, c).empty();
    REQUIRE(any);
  }
  // Every tensor in bytes of its own (no storage shared), and the same plan
  // as the run-time reference's without in place.
  constexpr auto reference = plan_memory(residual_block::graph, false);
  for (int t = 0; t < residual_block::graph.tensor_count; ++t) {
    const int from = residual_block::graph.producer[static_cast<std::size_t>(t)];
    if (from < 0 || residual_block::graph.at(from).kind != op::reshape)  // a reshape's output is its input's bytes
      REQUIRE(observable::plan.storage[static_cast<std::size_t>(t)] == t);
    REQUIRE(observable::plan.offset[static_cast<std::size_t>(t)] == reference.offset[static_cast<std::size_t>(t)]);
  }
}

TEST_CASE("an observable program shows every operator's own output, the fused one's too", "[exec][observable]") {
  using compact = compiled<residual_block, core_profile::uniform(2)>;
  using observable = compiled<residual_block, core_profile::uniform(2), memory_mode::observable>;
  alignas(arena_alignment) static std::array<std::byte, observable::arena_bytes> arena{};
  alignas(arena_alignment) static std::array<std::byte, compact::arena_bytes> compact_arena{};
  test::runtime_program<std::remove_cvref_t<decltype(residual_block::graph)>> reference(residual_block::graph, true,
                                                                                        false);
  sequential<2> exec;
  sequential<2> reversed({1, 0});
  test::rng r(21);
  for (int k = 0; k < 20; ++k) {
    const auto x = r.int8s(observable::input_spec.bytes());
    std::memcpy(arena.data() + observable::input_offset, x.data(), x.size());
    const auto seen = observe_all<observable>(arena.data(), k % 2 ? reversed : exec);
    reference.set_input<std::int8_t>(x);
    for (int i = 0; i < residual_block::graph.node_count; ++i) {
      INFO("operator " << i);
      reference.run_node(i);
      const auto want = reference.bytes(residual_block::graph.at(i).output);
      REQUIRE(std::equal(seen[static_cast<std::size_t>(i)].begin(), seen[static_cast<std::size_t>(i)].end(),
                         want.begin(), want.end()));
    }
    // The same output as the compact program's.
    std::memcpy(compact_arena.data() + compact::input_offset, x.data(), x.size());
    compact::run(compact_arena.data(), exec);
    REQUIRE(std::memcmp(compact_arena.data() + compact::output_offset, arena.data() + observable::output_offset,
                        compact::output_spec.bytes()) == 0);
  }
}

TEST_CASE("a probe meets as many waits as the schedule reports", "[exec][schedule]") {
  using program = compiled<residual_block, core_profile::uniform(2)>;
  using counter = wait_counter<program>;
  STATIC_REQUIRE(program::probe_slots - program::operator_count == program::schedule.segments);
  STATIC_REQUIRE(program::schedule.waits_per_inference() == program::schedule.segments);
  STATIC_REQUIRE(program::schedule.segments == program::schedule.waits + 1);
  alignas(arena_alignment) static std::array<std::byte, program::arena_bytes> arena{};
  counting_executor<2, counter> exec;
  program::run_probed(arena.data(), exec, counter{});
  for (int c = 0; c < program::cores; ++c)
    REQUIRE(counter::waits[static_cast<std::size_t>(c)] == program::schedule.waits_per_inference());
  // One core waits for nothing.
  STATIC_REQUIRE(compiled<residual_block>::schedule.waits_per_inference() == 0);
}

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
    const auto want = reference.tensor<std::int8_t>(model::graph.output_tensor());
    REQUIRE(std::equal(net.output().begin(), net.output().end(), want.begin(), want.end()));
  }
}

TEST_CASE("an expanding 1x1 convolution runs in place on one core, not on two", "[exec][plan][in_place]") {
  using one = compiled<expanding_block>;
  using two = compiled<expanding_block, core_profile::uniform(2)>;
  constexpr auto& g = expanding_block::graph;
  STATIC_REQUIRE(one::plan.in_place[1] == in_place_kind::pixels);
  // The 1x1's output (9 * 7 * 20 bytes) starts its growth (9 * 7 * 14 = 882
  // bytes, rounded up to 16) before its input.
  STATIC_REQUIRE(one::offset_of(g.at(1).output) + 896 == one::offset_of(g.at(0).output));
  STATIC_REQUIRE(two::plan.in_place[1] == in_place_kind::none);
  STATIC_REQUIRE(one::arena_bytes < two::arena_bytes);
  static instance<expanding_block> net;
  static instance<expanding_block, core_profile::uniform(2)> net2;
  sequential<2> cores;
  test::runtime_program<std::remove_cvref_t<decltype(g)>> reference(g, true, false);  // nothing in place
  test::rng r(19);
  for (int k = 0; k < 20; ++k) {
    const auto x = r.int8s(net.input().size());
    std::copy(x.begin(), x.end(), net.input().begin());
    std::copy(x.begin(), x.end(), net2.input().begin());
    net.invoke();
    net2.invoke(cores);
    reference.set_input<std::int8_t>(x);
    reference.run();
    const auto want = reference.tensor<std::int8_t>(g.output_tensor());
    REQUIRE(std::equal(net.output().begin(), net.output().end(), want.begin(), want.end()));
    REQUIRE(std::equal(net2.output().begin(), net2.output().end(), want.begin(), want.end()));
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

// Two inputs, a constant operand and two outputs, one of them also read by
// a later operator: y = a + c (c in flash), z = y + b; outputs z, then y.
namespace io_data {
inline constexpr std::array<float, 6> c = {0.5f, -1.25f, 2.0f, 0.0f, -0.75f, 3.5f};
}
struct io_model {
  static constexpr auto graph = [] {
    weft::graph<2> g;
    const auto a = g.input(float32_tensor({2, 3}));
    const auto b = g.input(float32_tensor({2, 3}));
    const auto y = g.add(a, g.constant(float32_constant(io_data::c, {2, 3})));
    const auto z = g.add(y, b, {.act = activation::relu});
    g.output(z);
    g.output(y);
    return g;
  }();
};

TEST_CASE("several inputs, a constant operand and several outputs", "[exec][io]") {
  using program = compiled<io_model, core_profile::uniform(2)>;
  STATIC_REQUIRE(program::input_count == 2);
  STATIC_REQUIRE(program::output_count == 2);
  // Inputs and outputs in the arena, the constant not: 24-byte tensors at
  // 16-byte alignment; a (read last by operator 0) leaves its bytes to z,
  // while b and y stay live: 3 x 32 bytes.
  STATIC_REQUIRE(program::plan.arena_bytes == 3 * 32);
  STATIC_REQUIRE(program::offset_of(io_model::graph.output_tensor(0)) == program::input_offset_of<0>);
  using second = decltype(std::declval<instance<io_model, core_profile::uniform(2)>&>().input<1>());
  STATIC_REQUIRE(second::extents_type::values == std::array<int, 2>{2, 3});
  STATIC_REQUIRE(std::is_same_v<second::element_type, float>);
  static instance<io_model, core_profile::uniform(2)> net;
  host_threads<2> cores;
  test::rng r(21);
  for (int k = 0; k < 10; ++k) {
    const auto a = r.floats(6, -4.0, 4.0), b = r.floats(6, -4.0, 4.0);
    std::copy(a.begin(), a.end(), net.input<0>().begin());
    std::copy(b.begin(), b.end(), net.input<1>().begin());
    net.invoke(cores);
    for (std::size_t e = 0; e < 6; ++e) {
      const float y = a[e] + io_data::c[e];
      REQUIRE(net.output<1>()[e] == y);
      REQUIRE(net.output<0>()[e] == std::max(y + b[e], 0.0f));
    }
    // The same bytes through the run-time index accessors.
    REQUIRE(net.output_bytes(1).data() == reinterpret_cast<const std::byte*>(net.output<1>().data()));
    REQUIRE(net.input_bytes(1).size() == 24);
  }
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
