// SPDX-License-Identifier: Apache-2.0
// The memory plan: no two tensors live at the same step share a byte, every
// offset is aligned and inside the arena, reshapes share their input's bytes,
// the lower bound is what it claims, and a small model's plan is pinned.
#include "support/models.hpp"
#include "support/random_graph.hpp"

#include <weft/weft.hpp>

#include <catch2/catch.hpp>

using namespace weft;

namespace {

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
    REQUIRE(live <= p.lower_bound_bytes);
  }
  REQUIRE(p.lower_bound_bytes <= p.arena_bytes);
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

TEST_CASE("plans of random graphs never overlap live tensors", "[plan][property]") {
  test::rng r(0x91A);
  for (int k = 0; k < 300; ++k) {
    const auto rg = test::make_random_graph(r);
    REQUIRE(rg.g->check() == error::none);
    require_valid_plan(*rg.g, plan_memory(*rg.g));
  }
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
