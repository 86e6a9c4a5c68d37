// SPDX-License-Identifier: Apache-2.0
// Fully connected layers on packed weights (short and long windows, partial
// blocks) give the generic kernels' bits on 1 to 4 cores.
#include "exec/shaped/common.hpp"

using namespace weft;
using namespace weft::test::shaped;

namespace {

struct fc_shape {
  int batches, in_size, out_size;
  int weight_divisor;  // 1: full-range weights (short windows); larger: long windows
  bool per_channel;
};

template <std::size_t N, std::uint64_t Seed, int Divisor>
inline constexpr auto scaled_bytes = [] {
  auto a = test::random_int8s<N, Seed>();
  for (auto& v : a) v = static_cast<std::int8_t>(v / Divisor);
  return a;
}();

template <std::size_t N>
inline constexpr auto fc_scales = test::scale_ramp<N>(0.002f, 0.0001f);

/// fully_connected S, with a relu.
template <fc_shape S>
struct fc_model {
  static constexpr auto graph = [] {
    constexpr auto n = static_cast<std::size_t>(S.in_size), m = static_cast<std::size_t>(S.out_size);
    weft::graph<2> g;
    const auto x = g.input(int8_tensor({S.batches, S.in_size}, 0.02f, 3));
    const auto& w = scaled_bytes<m * n, 21, S.weight_divisor>;
    g.output(g.fully_connected(x, {.act = activation::relu},
                               S.per_channel ? int8_weights(w, {S.out_size, S.in_size}, fc_scales<m>, 0)
                                             : int8_weights(w, {S.out_size, S.in_size}, 0.003f),
                               int32_bias(biases<m, 22>), {0.05f, -20}));
    return g;
  }();
};

/// Node 0's packed windows cover each block's inputs, and each keeps every
/// output's sum of |w| within the limit.
template <fc_shape S>
void require_windows_valid() {
  const auto& g = fc_model<S>::graph;
  const node& n = g.at(0);
  int block = 0, covered = 0, windows = 0;
  bool valid = true;
  ops::fully_connected_op::for_each_packed_window(g, 0, [&](int k, int length) {
    if (k != block) {
      valid = valid && covered == S.in_size && k == block + 1;
      block = k;
      covered = 0;
    }
    for (int j = 0; j < 4; ++j) {
      int sum = 0;
      for (int x = covered; x < covered + length; ++x) {
        const int v = n.weights.i8[(4 * k + j) * S.in_size + x];
        sum += v < 0 ? -v : v;
      }
      valid = valid && sum <= ops::packed_lane_limit && length > 0;
    }
    covered += length;
    ++windows;
  });
  REQUIRE(valid);
  REQUIRE(block == S.out_size / 4 - 1);
  REQUIRE(covered == S.in_size);
  REQUIRE(windows == exec::packed_fc_windows(g, 0));
}

}  // namespace

TEST_CASE("compiled fully connected layers on packed weights give the generic kernel's bits", "[exec][fc]") {
  constexpr fc_shape short_windows{1, 37, 12, 1, true};   // full-range weights: windows of a few inputs
  constexpr fc_shape long_windows{2, 300, 8, 16, false};  // small weights: windows of dozens of inputs
  constexpr fc_shape one_input{3, 1, 4, 1, true};
  constexpr fc_shape many_blocks{1, 64, 20, 4, true};  // five blocks: 3 cores split them mid-block
  STATIC_REQUIRE(exec::packs_fc(fc_model<short_windows>::graph, 0) == ops::wide_blocks);
  if constexpr (ops::wide_blocks) {
    // The windows really are short and long.
    STATIC_REQUIRE(exec::packed_fc_windows(fc_model<short_windows>::graph, 0) > 3 * 12);
    STATIC_REQUIRE(exec::packed_fc_windows(fc_model<long_windows>::graph, 0) < 2 * 300 / 20);
    require_windows_valid<short_windows>();
    require_windows_valid<long_windows>();
    require_windows_valid<one_input>();
    require_windows_valid<many_blocks>();
  }
  require_generic_bits_on_1_to_4_cores<fc_model<short_windows>>(100);
  require_generic_bits_on_1_to_4_cores<fc_model<long_windows>>(110);
  require_generic_bits_on_1_to_4_cores<fc_model<one_input>>(120);
  require_generic_bits_on_1_to_4_cores<fc_model<many_blocks>>(130);
}
