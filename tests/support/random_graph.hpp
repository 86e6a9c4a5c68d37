// SPDX-License-Identifier: Apache-2.0
// Random small graphs for property tests: chains of convolutions, depthwise
// convolutions and pools with residual adds, reshapes, fully connected
// layers and softmax, with random shapes, windows and quantization.
#pragma once

#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <memory>
#include <vector>

namespace weft::test {

struct random_graph {
  std::unique_ptr<constant_store> constants = std::make_unique<constant_store>();
  std::unique_ptr<graph<24>> g = std::make_unique<graph<24>>();
};

inline random_graph make_random_graph(rng& r) {
  random_graph rg;
  auto& g = *rg.g;
  auto& c = *rg.constants;
  auto scales = [&](int n) {
    std::vector<float> s(static_cast<std::size_t>(n));
    for (auto& x : s) x = r.log_uniform(1e-3, 3e-2);
    return s;
  };
  auto quant = [&]() { return quantization{r.log_uniform(0.01, 0.2), r.uniform(-128, 127)}; };
  auto act = [&] { return r.pick({activation::none, activation::relu, activation::relu6}); };
  tensor_id x =
      g.input(int8_tensor({1, r.uniform(4, 14), r.uniform(4, 14), r.uniform(1, 6)}, 0.05f, r.uniform(-128, 127)));
  std::vector<tensor_id> images{x};
  const int steps = r.uniform(2, 12);
  for (int s = 0; s < steps && g.ok(); ++s) {
    const shape in = g.spec(x.index).dims;
    const int ch = in[3];
    switch (r.uniform(0, 5)) {
      case 0: {
        const int out = r.uniform(1, 12), k = r.pick({1, 3}), st = r.uniform(1, 2);
        x = g.conv2d(
            x, {{st, st}, {1, 1}, padding::same, act()},
            c.int8_weights(r.int8s(static_cast<std::size_t>(out * k * k * ch)), {out, k, k, ch}, scales(out), 0),
            c.int32_bias(std::vector<std::int32_t>(static_cast<std::size_t>(out), r.uniform(-500, 500))), quant());
        break;
      }
      case 1: {
        const int m = r.pick({1, 1, 2});
        x = g.depthwise_conv2d(
            x, {{r.uniform(1, 2), 1}, {1, r.uniform(1, 2)}, padding::same, act(), m},
            c.int8_weights(r.int8s(static_cast<std::size_t>(9 * ch * m)), {1, 3, 3, ch * m}, scales(ch * m), 3), {},
            quant());
        break;
      }
      case 2:
        if (in[1] >= 2 && in[2] >= 2) {
          const pool2d_options o{{2, 2}, {2, 2}, padding::valid, activation::none};
          x = r.uniform(0, 1) ? g.max_pool2d(x, o) : g.average_pool2d(x, o);
        }
        break;
      case 3: {
        // A residual add with an earlier tensor of the same shape, or with a
        // 1x1 convolution of x.
        tensor_id other{};
        for (const auto& t : images)
          if (t.index != x.index && g.spec(t.index).dims == in) other = t;
        if (!other.valid())
          other =
              g.conv2d(x, {}, c.int8_weights(r.int8s(static_cast<std::size_t>(ch * ch)), {ch, 1, 1, ch}, scales(ch), 0),
                       {}, quant());
        x = g.add(x, other, {act()}, quant());
        break;
      }
      default:
        break;
    }
    if (g.ok()) images.push_back(x);
  }
  if (g.ok() && r.uniform(0, 1)) {
    const auto n = static_cast<int>(g.spec(x.index).dims.elements());
    x = g.reshape(x, {1, n});
    const int out = r.uniform(2, 10);
    x = g.fully_connected(x, {}, c.int8_weights(r.int8s(static_cast<std::size_t>(out * n)), {out, n}, {0.002f}, 0), {},
                          quant());
    x = g.softmax(x);
  }
  g.output(x);
  return rg;
}

}  // namespace weft::test
