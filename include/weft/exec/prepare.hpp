// SPDX-License-Identifier: Apache-2.0
// From a graph node to the arguments of its kernel: geometry, offsets,
// activation range and requantization multipliers. Everything here is
// constexpr: weft::compiled evaluates it at compile time, so a device never
// computes a multiplier; tests and tools may call it at run time.
#pragma once

#include "weft/graph/graph.hpp"

#include <cstdint>
#include <type_traits>

namespace weft::exec {

/// How many requantization multipliers node i needs (int8 layers with
/// weights only; a per-tensor fully_connected needs one).
template <class G>
constexpr int requant_count(const G& g, int i) {
  const node& n = g.at(i);
  if (g.spec(n.inputs[0]).type != dtype::int8) return 0;
  switch (n.kind) {
    case op::conv2d:
      return n.weights.spec.dims[0];
    case op::depthwise_conv2d:
      return n.weights.spec.dims[3];
    case op::fully_connected:
      return n.weights.spec.quant.per_channel() ? n.weights.spec.dims[0] : 1;
    default:
      return 0;
  }
}

/// Writes node i's requant_count multipliers to `out`.
template <class G>
constexpr void fill_requant(const G& g, int i, multiplier* out) {
  const node& n = g.at(i);
  const quantization& in = g.spec(n.inputs[0]).quant;
  const quantization& o = g.spec(n.output).quant;
  const quantization& w = n.weights.spec.quant;
  const int count = requant_count(g, i);
  if (count == 0) return;
  if (n.kind == op::fully_connected && !w.per_channel()) {
    out[0] = ops::fully_connected_multiplier(in, w, o);
    return;
  }
  for (int c = 0; c < count; ++c) out[c] = ops::conv_multiplier(in, w, o, c);
}

template <class T>
constexpr ops::epilogue<T> make_epilogue(const tensor_spec& in, const tensor_spec& out, const node& n,
                                         const multiplier* requant, int requant_step) {
  ops::epilogue<T> e{};
  if constexpr (std::is_same_v<T, float>) {
    e.act = ops::activation_range(n.act());
    e.bias = n.bias.f32;
  } else {
    e.input_offset = -in.quant.zero_point;
    e.output_offset = out.quant.zero_point;
    e.act = ops::activation_range(n.act(), out.quant.scale, out.quant.zero_point);
    e.bias = n.bias.i32;
    e.requant = requant;
    e.requant_step = requant_step;
  }
  return e;
}

template <class T>
constexpr const T* weights_of(const node& n) {
  if constexpr (std::is_same_v<T, float>) {
    return n.weights.f32;
  } else {
    return n.weights.i8;
  }
}

/// Kernel arguments of node i, whose kind is Kind, on element type T.
template <op Kind, class T, class G>
constexpr auto make_args(const G& g, int i, const multiplier* requant) {
  const node& n = g.at(i);
  const tensor_spec& in = g.spec(n.inputs[0]);
  const tensor_spec& out = g.spec(n.output);
  if constexpr (Kind == op::conv2d || Kind == op::depthwise_conv2d) {
    const shape& ws = n.weights.spec.dims;
    ops::conv2d_args<T> a{};
    if constexpr (Kind == op::conv2d) {
      a.g = ops::make_window(in.dims, ws[0], {ws[1], ws[2]}, n.conv.stride, n.conv.dilation, n.conv.pad);
    } else {
      a.g = ops::make_window(in.dims, ws[3], {ws[1], ws[2]}, n.depthwise.stride, n.depthwise.dilation, n.depthwise.pad,
                             n.depthwise.depth_multiplier);
    }
    a.e = make_epilogue<T>(in, out, n, requant, 1);
    a.weights = weights_of<T>(n);
    return a;
  } else if constexpr (Kind == op::fully_connected) {
    const shape& ws = n.weights.spec.dims;
    ops::fully_connected_args<T> a{};
    a.in_size = ws[1];
    a.out_size = ws[0];
    a.batches = static_cast<int>(in.dims.elements() / ws[1]);
    a.e = make_epilogue<T>(in, out, n, requant, n.weights.spec.quant.per_channel() ? 1 : 0);
    a.weights = weights_of<T>(n);
    return a;
  } else if constexpr (Kind == op::average_pool2d || Kind == op::max_pool2d) {
    ops::pool2d_args<T> a{};
    a.g = ops::make_window(in.dims, in.dims[3], n.pool.filter, n.pool.stride, {1, 1}, n.pool.pad);
    if constexpr (std::is_same_v<T, float>) {
      a.act = ops::activation_range(n.pool.act);
    } else {
      a.act = ops::activation_range(n.pool.act, out.quant.scale, out.quant.zero_point);
    }
    return a;
  } else if constexpr (Kind == op::add) {
    if constexpr (std::is_same_v<T, float>) {
      return ops::add_args<float>{ops::activation_range(n.add.act)};
    } else {
      return ops::make_add_args(in.quant, g.spec(n.inputs[1]).quant, out.quant, n.add.act);
    }
  } else if constexpr (Kind == op::softmax) {
    if constexpr (std::is_same_v<T, float>) {
      return ops::softmax_args<float>{in.dims.back(), n.softmax.beta};
    } else {
      return ops::make_softmax_args(in.dims.back(), n.softmax.beta, in.quant.scale);
    }
  } else {
    static_assert(Kind == op::reshape);
    return 0;  // reshape moves no data
  }
}

/// Runs the kernel of node i (kind Kind) on one tile. `in0`, `in1` and `out`
/// point at the node's tensors. Kernels are always inlined here, so that a
/// caller holding constant arguments gets a kernel specialized on them.
template <op Kind, class T, class Args>
[[gnu::always_inline]] inline void run_kernel(const Args& a, const T* in0, const T* in1, T* out, tile t) {
  if constexpr (Kind == op::conv2d) {
    ops::conv2d(a, in0, out, t);
  } else if constexpr (Kind == op::depthwise_conv2d) {
    ops::depthwise_conv2d(a, in0, out, t);
  } else if constexpr (Kind == op::fully_connected) {
    ops::fully_connected(a, in0, out, t);
  } else if constexpr (Kind == op::average_pool2d) {
    ops::pool2d<ops::pool_kind::average>(a, in0, out, t);
  } else if constexpr (Kind == op::max_pool2d) {
    ops::pool2d<ops::pool_kind::max>(a, in0, out, t);
  } else if constexpr (Kind == op::add) {
    ops::add(a, in0, in1, out, t);
  } else if constexpr (Kind == op::softmax) {
    ops::softmax(a, in0, out, t);
  }
  // reshape: nothing to do, its output shares its input's storage.
}

}  // namespace weft::exec
