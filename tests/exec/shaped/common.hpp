// SPDX-License-Identifier: Apache-2.0
// What the shaped-kernel tests share: constant data and the check that a
// compiled model gives the runtime reference's bits (generic kernels, int8
// weights, every tensor stored, nothing in place) on 1 to 4 cores. The
// tests are split by kernel family, one file each, so that a parallel
// build compiles them side by side.
#pragma once

#include "support/models.hpp"
#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <cstring>
#include <vector>

namespace weft::test::shaped {

using namespace weft;

template <std::size_t N, std::uint64_t Seed>
inline constexpr auto bytes = test::random_int8s<N, Seed>();
template <std::size_t N, std::uint64_t Seed>
inline constexpr auto biases = test::random_biases<N, Seed>();
template <std::size_t N>
inline constexpr auto pw_scales = test::scale_ramp<N>(0.004f, 0.0003f);
template <std::size_t N>
inline constexpr auto dw_scales = test::scale_ramp<N>(0.01f, 0.0007f);

template <class M, core_profile P, class E>
void require_generic_bits(E& exec, std::uint64_t seed) {
  static instance<M, P> net;
  test::runtime_program reference(M::graph, true, false);
  test::rng r(seed);
  for (int k = 0; k < 3; ++k) {
    const auto x = r.int8s(net.input().size());
    std::copy(x.begin(), x.end(), net.input().begin());
    net.invoke(exec);
    reference.template set_input<std::int8_t>(x);
    reference.run();
    const auto out = reference.bytes(M::graph.output_tensor());
    std::vector<std::int8_t> want(out.size());
    std::memcpy(want.data(), out.data(), out.size());
    REQUIRE(std::equal(net.output().begin(), net.output().end(), want.begin(), want.end()));
  }
}

template <class M>
void require_generic_bits_on_1_to_4_cores(std::uint64_t seed) {
  sequential<1> one;
  require_generic_bits<M, core_profile{}>(one, seed);
  sequential<2> two;
  require_generic_bits<M, core_profile::uniform(2)>(two, seed + 1);
  sequential<3> three;
  require_generic_bits<M, core_profile::uniform(3)>(three, seed + 2);
  sequential<4> four({3, 1, 2, 0});
  require_generic_bits<M, core_profile::uniform(4)>(four, seed + 3);
}

}  // namespace weft::test::shaped
