// SPDX-License-Identifier: Apache-2.0
// The memory plan: no two tensors live at the same step share a byte, every
// offset is aligned and inside the arena, reshapes share their input's bytes,
// the lower bound is what it claims, and a small model's plan is pinned.
#include "support/models.hpp"
#include "support/random_graph.hpp"

#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

using namespace weft;

namespace {

// The most bytes live at one step with every tensor in its own bytes, from
// its producer to its last reader (reshapes share their input's).
template <class G>
std::size_t liveness_bound(const G& g) {
  std::vector<int> root(static_cast<std::size_t>(g.tensor_count)), first(root.size()), last(root.size());
  for (int t = 0; t < g.tensor_count; ++t) {
    const int producer = g.producer[static_cast<std::size_t>(t)];
    const bool reshape = producer >= 0 && g.at(producer).kind == op::reshape;
    root[static_cast<std::size_t>(t)] = reshape ? root[static_cast<std::size_t>(g.at(producer).inputs[0])] : t;
    first[static_cast<std::size_t>(t)] = last[static_cast<std::size_t>(t)] = std::max(producer, 0);
  }
  for (int i = 0; i < g.node_count; ++i)
    for (int k = 0; k < g.at(i).input_count(); ++k) {
      int& l =
          last[static_cast<std::size_t>(root[static_cast<std::size_t>(g.at(i).inputs[static_cast<std::size_t>(k)])])];
      l = std::max(l, i);
    }
  last[static_cast<std::size_t>(root[static_cast<std::size_t>(g.output_tensor())])] = g.node_count;
  std::size_t most = 0;
  for (int step = 0; step <= g.node_count; ++step) {
    std::size_t live = 0;
    for (int t = 0; t < g.tensor_count; ++t)
      if (root[static_cast<std::size_t>(t)] == t && first[static_cast<std::size_t>(t)] <= step &&
          step <= last[static_cast<std::size_t>(t)])
        live += g.spec(t).bytes();
    most = std::max(most, live);
  }
  return most;
}

// An operator run in place writes over an input read by nothing after it,
// at the place its kernel needs: the same first byte (1x1 convolutions,
// element-wise operators), or whole pixels before it (depthwise).
template <class G, class P>
void require_valid_in_place(const G& g, const P& p) {
  int count = 0;
  for (int i = 0; i < g.node_count; ++i) {
    const node& n = g.at(i);
    const in_place_kind kind = p.in_place[static_cast<std::size_t>(i)];
    if (kind == in_place_kind::none) continue;
    if (kind == in_place_kind::absorbed) {
      // Done by the residual convolution whose add it is.
      int by = -1;
      for (int j = 0; j < i; ++j)
        if (p.fused_into[static_cast<std::size_t>(j)] == i) by = j;
      REQUIRE(by >= 0);
      REQUIRE(n.kind == op::add);
      continue;
    }
    ++count;
    if (kind == in_place_kind::residual) {
      // The add's output, and the convolution's own (never stored), sit on
      // the add's other input, which nothing reads between the two.
      const int add = p.fused_into[static_cast<std::size_t>(i)];
      REQUIRE(n.kind == op::conv2d);
      REQUIRE(add > i);
      const node& a = g.at(add);
      REQUIRE((a.inputs[0] == n.output || a.inputs[1] == n.output));
      const int other = a.inputs[0] == n.output ? a.inputs[1] : a.inputs[0];
      REQUIRE(g.producer[static_cast<std::size_t>(other)] < i);
      REQUIRE(p.storage[static_cast<std::size_t>(other)] != p.storage[static_cast<std::size_t>(n.inputs[0])]);
      REQUIRE(p.offset[static_cast<std::size_t>(a.output)] == p.offset[static_cast<std::size_t>(other)]);
      REQUIRE(p.offset[static_cast<std::size_t>(n.output)] == p.offset[static_cast<std::size_t>(other)]);
      for (int j = i + 1; j < g.node_count; ++j)
        for (int k = 0; k < g.at(j).input_count(); ++k) {
          const int t = g.at(j).inputs[static_cast<std::size_t>(k)];
          if (j != add) REQUIRE(t != n.output);
          if (j < add) REQUIRE(p.storage[static_cast<std::size_t>(t)] != p.storage[static_cast<std::size_t>(other)]);
        }
      continue;
    }
    INFO("operator " << i << " in place: " << name_of(kind));
    int source = -1;
    for (int k = 0; k < n.input_count(); ++k) {
      const int x = n.inputs[static_cast<std::size_t>(k)];
      if (p.storage[static_cast<std::size_t>(x)] == p.storage[static_cast<std::size_t>(n.output)]) source = x;
    }
    REQUIRE(source >= 0);
    REQUIRE(p.storage[static_cast<std::size_t>(source)] != p.storage[static_cast<std::size_t>(g.input_tensor())]);
    // Nothing after operator i reads the input (nor a reshape of it).
    auto unreshaped = [&](int t) {
      for (int from = g.producer[static_cast<std::size_t>(t)]; from >= 0 && g.at(from).kind == op::reshape;
           from = g.producer[static_cast<std::size_t>(t)])
        t = g.at(from).inputs[0];
      return t;
    };
    for (int j = i + 1; j < g.node_count; ++j)
      for (int k = 0; k < g.at(j).input_count(); ++k)
        REQUIRE(unreshaped(g.at(j).inputs[static_cast<std::size_t>(k)]) != unreshaped(source));
    REQUIRE(unreshaped(g.output_tensor()) != unreshaped(source));
    const auto in_at = p.offset[static_cast<std::size_t>(source)],
               out_at = p.offset[static_cast<std::size_t>(n.output)];
    switch (kind) {
      case in_place_kind::pixels: {
        // Pixel over the same pixel, or (an expansion, on one core) an
        // output starting its growth before its input, rounded up to the
        // arena's alignment.
        REQUIRE(n.kind == op::conv2d);
        const shape& in_s = g.spec(source).dims;
        const auto growth =
            static_cast<std::size_t>(in_s.elements() / in_s.back() * (g.spec(n.output).dims.back() - in_s.back()));
        REQUIRE(out_at <= in_at);
        REQUIRE(in_at - out_at == align_up(growth, arena_alignment));
        break;
      }
      case in_place_kind::elements:
        // An element-wise operator over an input of its output's size (an
        // input it broadcasts is smaller).
        REQUIRE(family_of(n.kind) == op_family::elementwise);
        REQUIRE(g.spec(source).bytes() == g.spec(n.output).bytes());
        REQUIRE(out_at == in_at);
        break;
      case in_place_kind::shifted: {
        REQUIRE(n.kind == op::depthwise_conv2d);
        REQUIRE(out_at <= in_at);
        const auto pixel = g.spec(source).bytes() /
                           static_cast<std::size_t>(g.spec(source).dims.elements() / g.spec(source).dims.back());
        REQUIRE((in_at - out_at) % pixel == 0);
        break;
      }
      case in_place_kind::residual:
      case in_place_kind::absorbed:
      case in_place_kind::none:
        break;
    }
  }
  REQUIRE(count == p.in_place_count);
}

template <class G, class P>
void require_valid_plan(const G& g, const P& p) {
  for (int t = 0; t < g.tensor_count; ++t) {
    const auto off = p.offset[static_cast<std::size_t>(t)];
    REQUIRE(off % arena_alignment == 0);
    REQUIRE(off + g.spec(t).bytes() <= p.arena_bytes);
    const int producer = g.producer[static_cast<std::size_t>(t)];
    if (producer >= 0 && g.at(producer).kind == op::reshape)
      REQUIRE(off == p.offset[static_cast<std::size_t>(g.at(producer).inputs[0])]);
  }
  for (int step = 0; step <= g.node_count; ++step) {
    std::size_t live = 0;
    for (int a = 0; a < g.tensor_count; ++a) {
      if (!p.live_at(a, step)) continue;
      if (p.storage[static_cast<std::size_t>(a)] == a) live += g.spec(a).bytes();
      for (int b = a + 1; b < g.tensor_count; ++b) {
        if (!p.live_at(b, step) || p.storage[static_cast<std::size_t>(a)] == p.storage[static_cast<std::size_t>(b)])
          continue;
        const auto a0 = p.offset[static_cast<std::size_t>(a)], b0 = p.offset[static_cast<std::size_t>(b)];
        const bool disjoint = a0 + g.spec(a).bytes() <= b0 || b0 + g.spec(b).bytes() <= a0;
        INFO("tensors " << a << " and " << b << " at step " << step);
        REQUIRE(disjoint);
      }
    }
    if (p.in_place_count == 0) REQUIRE(live <= p.lower_bound_bytes);
  }
  REQUIRE(p.lower_bound_bytes == liveness_bound(g));
  // Only computing in place goes below the liveness bound.
  if (p.in_place_count == 0) REQUIRE(p.lower_bound_bytes <= p.arena_bytes);
  require_valid_in_place(g, p);
}

}  // namespace

TEST_CASE("a small residual model's plan is pinned", "[plan]") {
  // Tensors: input 10x10x3 (300 B), conv 10x10x8 (800), depthwise 5x5x8
  // (200), 1x1 conv (200), add (200), pool 8, reshape (shares the pool's), fc
  // 4, softmax 4. The input and the conv output are live together at step 0:
  // 1100 bytes, the lower bound; 304 + 800 = 1104 with 16-byte alignment.
  using p = compiled<test::residual_model>;
  STATIC_REQUIRE(p::arena_lower_bound_bytes == 1100);
  STATIC_REQUIRE(p::arena_bytes == 1104);
  STATIC_REQUIRE(p::plan.storage[6] == 5);  // the reshape's output lives in the pool's bytes
  require_valid_plan(test::residual_model::graph, p::plan);
}

namespace {

// x -> other (a max pool of x's shape, or x's channel means, [1, 1, 1, 8]),
// x -> 1x1 conv -> add(conv, other): the add a residual convolution could do.
template <bool Broadcast>
constexpr auto conv_then_add() {
  namespace d = test::residual_data;
  weft::graph<3> g;
  const auto x = g.input(int8_tensor({1, 4, 4, 8}, 0.05f, 0));
  const auto other = Broadcast ? g.apply<ops::mean_op>({x}, {.axes = {false, true, true, false}}, {0.05f, 0})
                               : g.max_pool2d(x, {.filter = {1, 1}});
  const auto y = g.conv2d(x, {}, int8_weights(d::pw_w, {8, 1, 1, 8}, d::pw_s), {}, {0.06f, 3});
  g.output(g.add(y, other, {}, {0.07f, -128}));
  return g;
}

}  // namespace

TEST_CASE("a convolution does the add after it only where the add's inputs have one shape", "[plan]") {
  constexpr auto same = conv_then_add<false>();
  constexpr auto same_plan = plan_memory(same);
  STATIC_REQUIRE(same_plan.fused_into[1] == 2);
  STATIC_REQUIRE(same_plan.in_place[2] == in_place_kind::absorbed);
  // A broadcasting add reads its other input elsewhere than where the
  // convolution writes: it runs on its own.
  constexpr auto broadcast = conv_then_add<true>();
  constexpr auto plan = plan_memory(broadcast);
  STATIC_REQUIRE(plan.fused_into[1] == -1);
  STATIC_REQUIRE(plan.in_place[2] != in_place_kind::absorbed);
  require_valid_plan(broadcast, plan);
}

TEST_CASE("plans of random graphs never overlap live tensors", "[plan][property]") {
  // The same random graphs run on shuffled cores and host threads
  // (test_schedule, test_multicore): every way of running in place is among
  // them.
  test::rng r(0x91A);
  int kinds[6] = {};
  for (int k = 0; k < 300; ++k) {
    const auto rg = test::make_random_graph(r);
    REQUIRE(rg.g->check() == error::none);
    const auto p = plan_memory(*rg.g);
    require_valid_plan(*rg.g, p);
    for (int i = 0; i < rg.g->node_count; ++i) ++kinds[static_cast<int>(p.in_place[static_cast<std::size_t>(i)])];
  }
  INFO("shifted " << kinds[1] << ", pixels " << kinds[2] << ", elements " << kinds[3] << ", residual " << kinds[4]);
  CHECK(kinds[static_cast<int>(in_place_kind::shifted)] > 0);
  CHECK(kinds[static_cast<int>(in_place_kind::pixels)] > 0);
  CHECK(kinds[static_cast<int>(in_place_kind::elements)] > 0);
  CHECK(kinds[static_cast<int>(in_place_kind::residual)] > 0);
}

TEST_CASE("a chain alternates two buffers and meets its lower bound", "[plan]") {
  constexpr auto chain = [] {
    weft::graph<6> g;
    auto x = g.input(int8_tensor({1, 16, 16, 4}, 0.1f, 0));
    for (int i = 0; i < 6; ++i) x = g.max_pool2d(x, {.filter = {3, 3}, .pad = padding::same});
    g.output(x);
    return g;
  }();
  constexpr auto p = plan_memory(chain);
  STATIC_REQUIRE(p.lower_bound_bytes == 2 * 1024);
  STATIC_REQUIRE(p.arena_bytes == 2 * 1024);
  STATIC_REQUIRE(p.offset[0] != p.offset[1]);
  STATIC_REQUIRE(p.offset[1] == p.offset[3]);
}
