// SPDX-License-Identifier: Apache-2.0
// The multicore schedule: tiles partition every output, work follows core
// speeds, small layers stay whole, waits sit exactly where a core would read
// or overwrite another core's bytes, and a schedule with waits removed is
// caught by running its cores in shuffled orders.
#include "support/models.hpp"
#include "support/random_graph.hpp"
#include "support/shuffled_executor.hpp"

#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <cstring>

using namespace weft;

namespace {

// Every element of every operator's output belongs to exactly one core's
// tile (but reshapes', and adds' a residual convolution does: no tiles).
template <class G, class S>
void require_partition(const G& g, const S& s) {
  const auto plan = plan_memory(g, memory_mode::compact, s.profile);
  for (int i = 0; i < g.node_count; ++i) {
    if (g.at(i).kind == op::reshape || plan.in_place[static_cast<std::size_t>(i)] == in_place_kind::absorbed) {
      for (int c = 0; c < s.profile.cores; ++c) REQUIRE(s.tile_of(i, c).empty());
      continue;
    }
    const tile full = full_tile(g, i);
    std::vector<int> owner(static_cast<std::size_t>((full.row_end - full.row_begin) * (full.ch_end - full.ch_begin)),
                           -1);
    for (int c = 0; c < s.profile.cores; ++c) {
      const tile t = s.tile_of(i, c);
      for (int r = t.row_begin; r < t.row_end; ++r)
        for (int ch = t.ch_begin; ch < t.ch_end; ++ch) {
          REQUIRE(r >= full.row_begin);
          REQUIRE(r < full.row_end);
          REQUIRE(ch >= full.ch_begin);
          REQUIRE(ch < full.ch_end);
          auto& o = owner[static_cast<std::size_t>((r - full.row_begin) * (full.ch_end - full.ch_begin) + ch -
                                                   full.ch_begin)];
          REQUIRE(o == -1);
          o = c;
        }
    }
    for (int o : owner) REQUIRE(o >= 0);
  }
}

inline constexpr auto wide_w = test::random_int8s<32 * 3 * 3 * 8, 40>();
inline constexpr auto wide_s = test::scale_ramp<32>(0.01f, 0.0001f);
inline constexpr auto dw_w = test::random_int8s<3 * 3 * 32, 41>();
inline constexpr auto dw_s = test::scale_ramp<32>(0.02f, 0.0001f);
inline constexpr auto c3_w = test::random_int8s<32 * 3 * 3 * 32, 42>();

// conv 3x3 (32 channels) -> depthwise 3x3 -> conv 3x3 on a 16x16 image.
constexpr auto chain() {
  weft::graph<3> g;
  const auto x = g.input(int8_tensor({1, 16, 16, 8}, 0.05f, 0));
  const auto a = g.conv2d(x, {.pad = padding::same}, int8_weights(wide_w, {32, 3, 3, 8}, wide_s), {}, {0.1f, 0});
  const auto b =
      g.depthwise_conv2d(a, {.pad = padding::same}, int8_weights(dw_w, {1, 3, 3, 32}, dw_s, 3), {}, {0.1f, 0});
  g.output(g.conv2d(b, {.pad = padding::same}, int8_weights(c3_w, {32, 3, 3, 32}, wide_s), {}, {0.1f, 0}));
  return g;
}

// An int8 LSTM over 6 steps, 48 units: each step's gates are 4 x 48 rows of
// 16 + 48 weights, enough to be worth cutting across cores step by step.
inline constexpr int lstm_units = 48, lstm_inputs = 16, lstm_steps = 6;
inline constexpr auto lstm_w = test::random_int8s<4 * lstm_units * lstm_inputs, 43>();
inline constexpr auto lstm_u = test::random_int8s<4 * lstm_units * lstm_units, 44>();
inline constexpr auto lstm_b = test::random_biases<4 * lstm_units, 45>();
constexpr auto gate_scales(float first) {
  std::array<float, 4 * lstm_units> a{};
  for (std::size_t k = 0; k < a.size(); ++k) a[k] = first * static_cast<float>(1 + k / lstm_units);
  return a;
}
inline constexpr auto lstm_ws = gate_scales(0.004f);
inline constexpr auto lstm_us = gate_scales(0.003f);

constexpr auto sequence() {
  weft::graph<1> g;
  const auto x = g.input(int8_tensor({1, lstm_steps, lstm_inputs}, 0.05f, 3));
  const auto u = g.constant(int8_weights(lstm_u, {4 * lstm_units, lstm_units}, lstm_us));
  const auto h = g.state(int8_tensor({1, lstm_units}, 0.02f, -2));
  const auto c = g.state(int16_tensor({1, lstm_units}, 1.0f / 2048, 0));
  g.output(g.template apply<ops::lstm_op>(
      {x, u, h, c}, {}, {0.02f, -2}, int8_weights(lstm_w, {4 * lstm_units, lstm_inputs}, lstm_ws), int32_bias(lstm_b)));
  return g;
}

}  // namespace

TEST_CASE("an LSTM cut across cores by units waits once after every step but the last", "[plan][schedule]") {
  constexpr auto g = sequence();
  STATIC_REQUIRE(g.check() == error::none);
  constexpr auto one = plan_schedule(g, core_profile{});
  STATIC_REQUIRE(one.at(0).phases == 1);
  STATIC_REQUIRE(one.segments == 1);
  constexpr auto s = plan_schedule(g, core_profile::uniform(4));
  STATIC_REQUIRE(s.at(0).axis == split_axis::channels);
  STATIC_REQUIRE(s.at(0).phases == lstm_steps);
  STATIC_REQUIRE(s.waits == lstm_steps - 1);
  STATIC_REQUIRE(s.segments == lstm_steps);
  STATIC_REQUIRE(s.waits_per_inference() == lstm_steps);
  for (int seg = 0; seg < s.segments; ++seg) {
    // Segment k runs step k of the LSTM, and nothing else.
    REQUIRE(s.segment_begin[static_cast<std::size_t>(seg)] == 0);
    REQUIRE(s.segment_end(seg) == 1);
    REQUIRE(s.passes_in(seg, 0) == std::array<int, 2>{seg, seg + 1});
  }
  require_partition(g, s);

  // Two inferences (the second from the state the first left), the cores of
  // each segment in shuffled orders, equal one core's whole run: the
  // outputs and the hidden and cell state.
  test::rng r(0x157);
  test::runtime_program reference(g, true, false);
  reference.reset_state();
  const auto x0 = r.int8s(g.input_spec().bytes()), x1 = r.int8s(g.input_spec().bytes());
  std::vector<std::vector<std::byte>> want;
  // (Tensors 2 and 3: the hidden and cell state.)
  for (const auto& x : {x0, x1}) {
    reference.set_input<std::int8_t>(x);
    reference.run();
    for (int t : {g.output_tensor(), 2, 3}) want.emplace_back(reference.bytes(t).begin(), reference.bytes(t).end());
  }
  using S = std::remove_cvref_t<decltype(s)>;
  auto run_with = [&](const S& schedule, int trial) {
    test::runtime_program run(g, true, true, core_profile::uniform(4));
    run.reset_state();
    std::vector<std::vector<std::byte>> got;
    for (const auto& x : {x0, x1}) {
      run.set_input<std::int8_t>(x);
      run.run_scheduled(schedule, [&](int) {
        if (trial == 0) return std::array<int, max_cores>{0, 1, 2, 3};
        if (trial == 1) return std::array<int, max_cores>{3, 2, 1, 0};
        return test::shuffled_cores(r, 4);
      });
      for (int t : {g.output_tensor(), 2, 3}) got.emplace_back(run.bytes(t).begin(), run.bytes(t).end());
    }
    return got;
  };
  for (int trial = 0; trial < 6; ++trial) REQUIRE(run_with(s, trial) == want);

  // Without the waits between steps, cores read hidden states not yet
  // written: the test above would notice.
  S broken = s;
  broken.segments = 1;
  broken.segment_begin[1] = g.node_count;
  broken.segment_phase[1] = 0;
  bool differs = false;
  for (int trial = 0; trial < 6; ++trial) differs = differs || run_with(broken, trial) != want;
  REQUIRE(differs);
}

TEST_CASE("one core: every operator whole on core 0, no waits", "[plan][schedule]") {
  constexpr auto s = plan_schedule(test::residual_model::graph, core_profile{});
  STATIC_REQUIRE(s.waits == 0);
  STATIC_REQUIRE(s.segments == 1);
  STATIC_REQUIRE(s.tile_of(0, 0) == tile{0, 10, 0, 8});
  STATIC_REQUIRE(s.imbalance() == 1.0);
}

TEST_CASE("two cores: big layers split evenly, small ones stay whole, waits where bytes cross cores",
          "[plan][schedule]") {
  constexpr auto g = chain();
  constexpr auto s = plan_schedule(g, core_profile::uniform(2));
  // 16 rows and 32 channels split evenly; rows win the tie.
  STATIC_REQUIRE(s.at(0).axis == split_axis::rows);
  STATIC_REQUIRE(s.tile_of(0, 0) == tile{0, 8, 0, 32});
  STATIC_REQUIRE(s.tile_of(0, 1) == tile{8, 16, 0, 32});
  // The depthwise layer's rows 7 and 8 need the other core's conv rows (its
  // 3x3 window reaches one row across the cut): read after write.
  STATIC_REQUIRE(s.at(1).wait_before);
  STATIC_REQUIRE(s.at(1).why == sync_reason::read_after_write);
  STATIC_REQUIRE(s.at(1).conflict_tensor == 1);
  STATIC_REQUIRE(s.segments == 3);
  STATIC_REQUIRE(s.at(0).macs[0] + s.at(0).macs[1] == g.at(0).macs);

  // The residual model's softmax (4 values) and fully connected layer (32
  // MACs) cost less than a wait: they stay on core 0.
  constexpr auto r = plan_schedule(test::residual_model::graph, core_profile::uniform(2));
  STATIC_REQUIRE(r.at(6).axis == split_axis::none);
  STATIC_REQUIRE(r.at(7).axis == split_axis::none);
  STATIC_REQUIRE(r.tile_of(7, 1).empty());
}

namespace {
inline constexpr auto kws_in = test::random_int8s<64, 45>();
inline constexpr auto kws_pw = test::random_int8s<64 * 64, 43>();
inline constexpr auto kws_dw = test::random_int8s<3 * 3 * 64, 44>();
inline constexpr auto kws_s = test::scale_ramp<64>(0.01f, 0.0001f);

// kws's body on its 25x5 map of 64 channels: conv, depthwise, conv. The
// memory plan runs the depthwise layer in place (shifted), which only a cut
// by channels may split.
constexpr auto kws_like() {
  weft::graph<3> g;
  const auto x = g.input(int8_tensor({1, 25, 5, 1}, 0.05f, 0));
  const auto a = g.conv2d(x, {}, int8_weights(kws_in, {64, 1, 1, 1}, kws_s), {}, {0.1f, 0});
  const auto b =
      g.depthwise_conv2d(a, {.pad = padding::same}, int8_weights(kws_dw, {1, 3, 3, 64}, kws_s, 3), {}, {0.1f, 0});
  g.output(g.conv2d(b, {}, int8_weights(kws_pw, {64, 1, 1, 64}, kws_s), {}, {0.1f, 0}));
  return g;
}
}  // namespace

TEST_CASE("cores whose caches share lines get no cut of a row smaller than a line", "[plan][schedule]") {
  constexpr auto g = kws_like();
  STATIC_REQUIRE(plan_memory(g).in_place[1] == in_place_kind::shifted);
  // Without caches (microcontrollers' SRAM), the first two layers are cut
  // by channels: 32 bytes of each 64-byte pixel per core.
  constexpr auto sram = plan_schedule(g, core_profile::uniform(2));
  STATIC_REQUIRE(sram.at(0).axis == split_axis::channels);
  STATIC_REQUIRE(sram.at(1).axis == split_axis::channels);
  // With 64-byte lines both cores would store into every pixel's line at
  // once: the first layer is cut by rows. In place, the depthwise layer
  // (which rows may not cut then) would stay whole on one core...
  constexpr auto host_profile = core_profile::uniform(2).with_shared_lines(host_line_bytes);
  constexpr auto in_place = plan_schedule(g, host_profile, plan_memory(g));
  STATIC_REQUIRE(in_place.at(0).axis == split_axis::rows);
  STATIC_REQUIRE(in_place.at(1).axis == split_axis::none);
  require_partition(g, in_place);
  // ...so the memory plan for these cores keeps it out of place, and the
  // schedule (made for that plan unless given one) cuts every layer by rows.
  constexpr auto host_plan = plan_memory(g, memory_mode::compact, host_profile);
  STATIC_REQUIRE(host_plan.in_place[1] == in_place_kind::none);
  STATIC_REQUIRE(host_plan.arena_bytes > plan_memory(g).arena_bytes);
  constexpr auto host = plan_schedule(g, host_profile);
  STATIC_REQUIRE(host.at(0).axis == split_axis::rows);
  STATIC_REQUIRE(host.at(1).axis == split_axis::rows);
  STATIC_REQUIRE(host.at(2).axis == split_axis::rows);
  require_partition(g, host);
  // 128 channels would leave each of two cores a whole line of every pixel;
  // profiles of one core plan memory alike, and so do profiles of as many
  // cores without lines (speeds and instruction sets do not matter).
  STATIC_REQUIRE(!core_profile::uniform(2).with_shared_lines(64).below_a_line(128, 1));
  STATIC_REQUIRE(core_profile::uniform(2).with_shared_lines(64).below_a_line(64, 1));
  STATIC_REQUIRE(plan_memory(g, memory_mode::compact, core_profile::uniform(1).with_shared_lines(64)).in_place[1] ==
                 in_place_kind::shifted);
  STATIC_REQUIRE(host_profile.with_features(0, isa::fpu | isa::dsp).for_memory() == host_profile.for_memory());
  STATIC_REQUIRE(core_profile::uniform(1).with_shared_lines(64).for_memory() == core_profile{});
  STATIC_REQUIRE(core_profile::with_speeds({1.0f, 2.0f, 1.0f, 3.0f}).for_memory() == core_profile::uniform(4));
  STATIC_REQUIRE(core_profile::uniform(4).for_memory() != core_profile::uniform(2).for_memory());
  // 128 channels leave each of two cores a whole line; one row (a fully
  // connected layer's outputs) shares at most one line.
  constexpr auto lines = core_profile::uniform(2).with_shared_lines(64);
  STATIC_REQUIRE(detail::shares_lines(g, 1, {split_axis::channels, 64, 1}, lines));
  STATIC_REQUIRE(!detail::shares_lines(g, 1, {split_axis::channels, 128, 1}, lines));
  STATIC_REQUIRE(!detail::shares_lines(g, 1, {split_axis::rows, 25, 1}, lines));
  STATIC_REQUIRE(!detail::shares_lines(test::residual_model::graph, 7, {split_axis::channels, 4, 1}, lines));
}

TEST_CASE("unequal cores get work in proportion to their speed", "[plan][schedule]") {
  constexpr auto g = chain();
  constexpr auto s = plan_schedule(g, core_profile::with_speeds({1.0f, 3.0f}));
  // 16 rows at speeds 1:3 -> 4 and 12.
  STATIC_REQUIRE(s.tile_of(0, 0).row_end - s.tile_of(0, 0).row_begin == 4);
  STATIC_REQUIRE(s.tile_of(0, 1).row_end - s.tile_of(0, 1).row_begin == 12);
  STATIC_REQUIRE(s.imbalance() < 1.02);
  constexpr auto three = plan_schedule(g, core_profile::with_speeds({2.0f, 1.0f, 1.0f}));
  STATIC_REQUIRE(three.tile_of(0, 0) == tile{0, 8, 0, 32});
  STATIC_REQUIRE(three.tile_of(0, 1) == tile{8, 12, 0, 32});
}

TEST_CASE("a depthwise layer split like its producer needs no wait", "[plan][schedule]") {
  // 3 cores: 16 rows do not divide, 32 channels nearly do; with a deep
  // input the channel split wins for the first conv, and the depthwise
  // layer reads only its own channels.
  constexpr auto g = chain();
  constexpr auto s = plan_schedule(g, core_profile::uniform(4));
  for (int i = 0; i < 3; ++i) INFO("operator " << i << ": " << name_of(s.at(i).axis));
  if (s.at(0).axis == s.at(1).axis && s.at(1).axis == split_axis::channels) REQUIRE_FALSE(s.at(1).wait_before);
  require_partition(g, s);
}

TEST_CASE("random graphs: tiles partition outputs, and any core order gives the same bits",
          "[plan][schedule][property]") {
  test::rng r(0x5C4E);
  const std::vector<core_profile> profiles = {core_profile::uniform(1),
                                              core_profile::uniform(2),
                                              core_profile::uniform(3),
                                              core_profile::uniform(4),
                                              core_profile::uniform(5),
                                              core_profile::uniform(6),
                                              core_profile::uniform(7),
                                              core_profile::uniform(8),
                                              core_profile::with_speeds({1.0f, 1.6f}),
                                              core_profile::with_speeds({1.0f, 2.0f, 1.0f, 3.0f})};
  for (int k = 0; k < 150; ++k) {
    const auto rg = test::make_random_graph(r);
    const auto& g = *rg.g;
    REQUIRE(g.check() == error::none);
    test::runtime_program reference(g, true, false);  // every tensor stored, nothing in place
    const auto x = r.int8s(g.input_spec().bytes());
    reference.set_input<std::int8_t>(x);
    reference.run();
    const auto want = reference.bytes(g.output_tensor());
    for (const auto& p : profiles) {
      const auto s = plan_schedule(g, p);
      require_partition(g, s);
      for (int trial = 0; trial < 3; ++trial) {
        test::runtime_program run(g, true, true, p);
        run.set_input<std::int8_t>(x);
        run.run_scheduled(s, [&](int) { return test::shuffled_cores(r, p.cores); });
        const auto got = run.bytes(g.output_tensor());
        INFO("graph " << k << ", " << p.cores << " cores, trial " << trial);
        REQUIRE(std::equal(got.begin(), got.end(), want.begin(), want.end()));
      }
    }
  }
}

TEST_CASE("removing the waits is caught by shuffled core orders", "[plan][schedule][property]") {
  // The test above has teeth only if a schedule missing its waits computes
  // something else: drop every wait and count how often the output changes.
  test::rng r(0xBAD);
  int graphs_with_waits = 0, caught = 0;
  for (int k = 0; k < 100; ++k) {
    const auto rg = test::make_random_graph(r);
    const auto& g = *rg.g;
    auto s = plan_schedule(g, core_profile::uniform(4));
    if (s.waits == 0) continue;
    ++graphs_with_waits;
    test::runtime_program reference(g, true, false);  // every tensor stored, nothing in place
    const auto x = r.int8s(g.input_spec().bytes());
    reference.set_input<std::int8_t>(x);
    reference.run();
    s.segments = 1;  // one segment: no core waits for another
    s.segment_begin[1] = g.node_count;
    bool differs = false;
    for (int trial = 0; trial < 8 && !differs; ++trial) {
      test::runtime_program run(g, true, true, core_profile::uniform(4));
      run.set_input<std::int8_t>(x);
      // Cores run one after the other: forward, backward, then shuffled, so
      // that a core needing another's output runs before it in some trial.
      run.run_scheduled(s, [&](int) {
        if (trial == 0) return std::array<int, max_cores>{0, 1, 2, 3};
        if (trial == 1) return std::array<int, max_cores>{3, 2, 1, 0};
        return test::shuffled_cores(r, 4);
      });
      differs = !std::equal(run.bytes(g.output_tensor()).begin(), run.bytes(g.output_tensor()).end(),
                            reference.bytes(g.output_tensor()).begin());
    }
    caught += differs;
  }
  INFO(caught << " of " << graphs_with_waits << " broken schedules caught");
  REQUIRE(graphs_with_waits > 50);
  REQUIRE(caught >= graphs_with_waits * 9 / 10);
}

TEST_CASE("the MLPerf-like balance goal: big layers balance within 5% on 2, 4 and 8 cores", "[plan][schedule]") {
  constexpr auto g = chain();
  STATIC_REQUIRE(plan_schedule(g, core_profile::uniform(2)).imbalance() < 1.05);
  STATIC_REQUIRE(plan_schedule(g, core_profile::uniform(4)).imbalance() < 1.05);
  STATIC_REQUIRE(plan_schedule(g, core_profile::uniform(8)).imbalance() < 1.05);
}
