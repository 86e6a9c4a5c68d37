// SPDX-License-Identifier: Apache-2.0
// Random small graphs for property tests: chains of convolutions, depthwise
// convolutions and pools with residual adds, element-wise operators of two
// inputs one of which broadcasts, reshapes, fully connected layers and
// softmax, with random shapes, windows and quantization.
#pragma once

#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <array>
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
  // Every draw is its own statement: the order in which a call's arguments
  // are evaluated is unspecified (GCC and Clang differ), and the graphs must
  // be the same under every compiler.
  const shape input_shape{1, r.uniform(4, 14), r.uniform(4, 14), r.uniform(1, 6)};  // a braced list: in order
  const int input_zero_point = r.uniform(-128, 127);
  tensor_id x = g.input(int8_tensor(input_shape, 0.05f, input_zero_point));
  std::vector<tensor_id> images{x};
  const int steps = r.uniform(2, 12);
  for (int s = 0; s < steps && g.ok(); ++s) {
    const shape in = g.spec(x.index).dims;
    const int ch = in[3];
    switch (r.uniform(0, 5)) {
      case 0: {
        const int out = r.uniform(1, 12), k = r.pick({1, 3}), st = r.uniform(1, 2);
        const activation a = act();
        const auto w = r.int8s(static_cast<std::size_t>(out * k * k * ch));
        const auto ws = scales(out);
        const int bias = r.uniform(-500, 500);
        const quantization q = quant();
        x = g.conv2d(x, {{st, st}, {1, 1}, padding::same, a}, c.int8_weights(w, {out, k, k, ch}, ws, 0),
                     c.int32_bias(std::vector<std::int32_t>(static_cast<std::size_t>(out), bias)), q);
        break;
      }
      case 1: {
        const int m = r.pick({1, 1, 2});
        const int stride = r.uniform(1, 2), dilation = r.uniform(1, 2);
        const activation a = act();
        const auto w = r.int8s(static_cast<std::size_t>(9 * ch * m));
        const auto ws = scales(ch * m);
        const quantization q = quant();
        x = g.depthwise_conv2d(x, {{stride, 1}, {1, dilation}, padding::same, a, m},
                               c.int8_weights(w, {1, 3, 3, ch * m}, ws, 3), {}, q);
        break;
      }
      case 2:
        if (in[1] >= 2 && in[2] >= 2) {
          const pool2d_options o{{2, 2}, {2, 2}, padding::valid, activation::none};
          x = r.uniform(0, 1) ? g.max_pool2d(x, o) : g.average_pool2d(x, o);  // the draw comes first
        }
        break;
      case 3: {
        // A residual add with an earlier tensor of the same shape, or
        // ResNet's block: two 1x1 convolutions of x, then the add of x.
        tensor_id other{};
        for (const auto& t : images)
          if (t.index != x.index && g.spec(t.index).dims == in) other = t;
        if (!other.valid()) {
          other = x;
          for (int k = 0; k < 2; ++k) {
            const activation a = act();
            const auto w = r.int8s(static_cast<std::size_t>(ch * ch));
            const auto ws = scales(ch);
            const quantization q = quant();
            x = g.conv2d(x, {.act = a}, c.int8_weights(w, {ch, 1, 1, ch}, ws, 0), {}, q);
          }
        }
        const activation a = act();
        const quantization q = quant();
        x = g.add(x, other, {a}, q);
        break;
      }
      case 4: {
        // An element-wise operator of two inputs, one of them broadcast:
        // x's means over its rows and columns ([1, 1, 1, C]), its channels
        // ([1, H, W, 1]) or its rows ([1, 1, W, C]), first or second.
        const int which = r.uniform(0, 2);
        const std::array<bool, max_rank> axes{false, which != 1, which == 0 || which == 2, which == 1};
        const int kind = r.uniform(0, 6);
        const bool first = r.uniform(0, 1) == 1;
        const quantization same = g.spec(x.index).quant;
        const bool extremum = kind >= 5;  // maximum and minimum keep x's quantization
        const quantization mq = extremum ? same : quant();
        const quantization q = extremum ? same : quant();
        const activation a = act();
        const tensor_id m = g.apply<ops::mean_op>({x}, {.axes = axes}, mq);
        const tensor_id p = first ? m : x, y = first ? x : m;
        switch (kind) {
          case 0:
            x = g.add(p, y, {a}, q);
            break;
          case 1:
            x = g.apply<ops::sub_op>({p, y}, {a}, q);
            break;
          case 2:
            x = g.apply<ops::mul_op>({p, y}, {a}, q);
            break;
          case 3:
            x = g.apply<ops::div_op>({p, y}, {a}, q);
            break;
          case 4:
            x = g.apply<ops::squared_difference_op>({p, y}, {}, q);
            break;
          case 5:
            x = g.apply<ops::maximum_op>({p, y}, {}, q);
            break;
          default:
            x = g.apply<ops::minimum_op>({p, y}, {}, q);
            break;
        }
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
    const auto w = r.int8s(static_cast<std::size_t>(out * n));
    const quantization q = quant();
    x = g.fully_connected(x, {}, c.int8_weights(w, {out, n}, {0.002f}, 0), {}, q);
    x = g.softmax(x);
  }
  g.output(x);
  return rg;
}

}  // namespace weft::test
