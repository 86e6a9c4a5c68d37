// SPDX-License-Identifier: Apache-2.0
// Compiled models on several cores: host threads, the sequential executor in
// any core order and a shuffled executor all give the 1-core bits, across
// many inferences on one executor; observers see every operator in order.
#include "support/models.hpp"
#include "support/random.hpp"
#include "support/random_graph.hpp"
#include "support/shuffled_executor.hpp"

#include <weft/exec/host_threads.hpp>
#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <vector>

using namespace weft;

namespace {

using residual = test::residual_model;

std::vector<std::int8_t> one_core_output(const std::vector<std::int8_t>& x) {
  static instance<residual> net;
  std::copy(x.begin(), x.end(), net.input().begin());
  net.invoke();
  return {net.output().begin(), net.output().end()};
}

template <core_profile P, class E>
void require_same_as_one_core(E& exec, int inferences, std::uint64_t seed) {
  static instance<residual, P> net;
  test::rng r(seed);
  for (int k = 0; k < inferences; ++k) {
    const auto x = r.int8s(net.input().size());
    std::copy(x.begin(), x.end(), net.input().begin());
    net.invoke(exec);
    const auto want = one_core_output(x);
    REQUIRE(std::equal(net.output().begin(), net.output().end(), want.begin(), want.end()));
  }
}

}  // namespace

TEST_CASE("host threads give the 1-core bits on 2, 3, 4 and 8 cores", "[exec][multicore][threads]") {
  host_threads<2> two;
  require_same_as_one_core<core_profile::uniform(2)>(two, 200, 1);
  host_threads<3> three;
  require_same_as_one_core<core_profile::uniform(3)>(three, 100, 2);
  host_threads<4> four;
  require_same_as_one_core<core_profile::uniform(4)>(four, 100, 3);
  host_threads<8> eight;
  require_same_as_one_core<core_profile::uniform(8)>(eight, 50, 4);
  host_threads<2> unequal;
  require_same_as_one_core<core_profile::with_speeds({1.0f, 1.6f})>(unequal, 100, 5);
}

TEST_CASE("the sequential executor emulates several cores in any order", "[exec][multicore]") {
  sequential<4> forward;
  require_same_as_one_core<core_profile::uniform(4)>(forward, 20, 6);
  sequential<4> backward({3, 2, 1, 0});
  require_same_as_one_core<core_profile::uniform(4)>(backward, 20, 7);
  test::shuffled_executor<8> shuffled(8);
  require_same_as_one_core<core_profile::uniform(8)>(shuffled, 20, 8);
}

TEST_CASE("observers see every operator's output in order on several cores", "[exec][multicore][threads]") {
  static instance<residual, core_profile::uniform(3)> net;
  host_threads<3> exec;
  test::rng r(9);
  const auto x = r.int8s(net.input().size());
  std::copy(x.begin(), x.end(), net.input().begin());
  std::vector<std::vector<std::byte>> seen;
  net.invoke(exec, [&](int op, std::span<const std::byte> out) {
    REQUIRE(op == static_cast<int>(seen.size()));
    seen.emplace_back(out.begin(), out.end());
  });
  REQUIRE(seen.size() == 8);
  static instance<residual> single;
  std::copy(x.begin(), x.end(), single.input().begin());
  int k = 0;
  single.invoke([&](int, std::span<const std::byte> out) {
    REQUIRE(std::equal(out.begin(), out.end(), seen[static_cast<std::size_t>(k)].begin(),
                       seen[static_cast<std::size_t>(k)].end()));
    ++k;
  });
  REQUIRE(k == 8);
}

TEST_CASE("random graphs on host threads give the 1-core bits", "[exec][multicore][threads][property]") {
  test::rng r(0x7E4D);
  host_threads<4> exec;
  for (int k = 0; k < 60; ++k) {
    const auto rg = test::make_random_graph(r);
    const auto& g = *rg.g;
    test::runtime_program reference(g, true, false);  // every tensor stored, nothing in place
    const auto x = r.int8s(g.input_spec().bytes());
    reference.set_input<std::int8_t>(x);
    reference.run();
    const auto s = plan_schedule(g, core_profile::uniform(4));
    test::runtime_program run(g);
    for (int repeat = 0; repeat < 5; ++repeat) {
      run.set_input<std::int8_t>(x);
      exec.execute(run.job(s));
      REQUIRE(std::equal(run.bytes(g.output_tensor).begin(), run.bytes(g.output_tensor).end(),
                         reference.bytes(g.output_tensor).begin()));
    }
  }
}

TEST_CASE("fused and general requantization give the same bits on random graphs", "[exec][property]") {
  test::rng r(0xF05E);
  int fused = 0, general = 0;
  for (int k = 0; k < 200; ++k) {
    const auto rg = test::make_random_graph(r);
    const auto& g = *rg.g;
    for (int i = 0; i < g.node_count; ++i) {
      if (exec::requant_count(g, i) == 0) continue;
      (exec::uses_fused_requant(g, i) ? fused : general) += 1;
    }
    test::runtime_program with(g), without(g, false);
    for (int repeat = 0; repeat < 3; ++repeat) {
      const auto x = r.int8s(g.input_spec().bytes());
      with.set_input<std::int8_t>(x);
      without.set_input<std::int8_t>(x);
      with.run();
      without.run();
      for (int i = 0; i < g.node_count; ++i) {
        const int t = g.at(i).output;
        REQUIRE(std::equal(with.bytes(t).begin(), with.bytes(t).end(), without.bytes(t).begin()));
      }
    }
  }
  // Both kinds of layer occur, so the comparison covers the fused path.
  REQUIRE(fused > 100);
  REQUIRE(general > 0);
}

TEST_CASE("executors conform to the concept", "[exec][multicore]") {
  STATIC_REQUIRE(executor<sequential<1>>);
  STATIC_REQUIRE(executor<sequential<8>>);
  STATIC_REQUIRE(executor<host_threads<1>>);
  STATIC_REQUIRE(executor<host_threads<8>>);
  STATIC_REQUIRE(executor<test::shuffled_executor<2>>);
  STATIC_REQUIRE(job<compiled<residual, core_profile::uniform(2)>::job>);
  STATIC_REQUIRE(compiled<residual, core_profile::uniform(2)>::job::segments() ==
                 compiled<residual, core_profile::uniform(2)>::schedule.segments);
}
