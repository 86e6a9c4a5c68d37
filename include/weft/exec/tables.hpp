// SPDX-License-Identifier: Apache-2.0
// The constant tables a kernel's arguments point at, and the epilogue every
// layer with weights shares: what operator units' make_args build from.
#pragma once

#include "weft/ops/add/kernels.hpp"
#include "weft/ops/common.hpp"
#include "weft/ops/conv2d/kernels.hpp"

#include <cstdint>
#include <type_traits>

namespace weft::exec {

/// The per-node constant tables a kernel's arguments point at, each filled
/// by its fill_ function in exec/prepare.hpp (null where the node has none).
struct node_tables {
  const multiplier* requant = nullptr;
  const std::int32_t* folded_bias = nullptr;
  const std::int8_t* pad_row = nullptr;
  const fused_requant* fused = nullptr;  // set when uses_fused_requant
  const std::int32_t* add_table = nullptr;
  /// Whether `fused` is set: said apart, as comparing a constant's address
  /// with null is not a constant expression under GCC's sanitizers.
  bool use_fused = false;
  /// The memory plan runs the operator in place pixel by pixel
  /// (in_place_kind::pixels).
  bool in_place = false;
  /// A residual convolution (in_place_kind::residual): the arguments of the
  /// add it does, and whether its other input is the add's first.
  const ops::add_args<std::int8_t>* residual = nullptr;
  bool use_residual = false;
  bool residual_first = false;
  bool residual_table = false;  // the add has a table
  /// An int8 fully connected layer on packed weights (packs_fc): its
  /// tables, which replace its int8 weights.
  bool use_packed = false;
  const std::int32_t* packed = nullptr;
  const std::uint16_t* packed_windows = nullptr;
  const std::int32_t* block_windows = nullptr;
};

template <class T, class Node>
constexpr ops::epilogue<T> make_epilogue(const tensor_spec& in, const tensor_spec& out, const Node& n,
                                         const node_tables& tables, int requant_step) {
  ops::epilogue<T> e{};
  if constexpr (std::is_same_v<T, float>) {
    e.act = ops::activation_range(n.act());
    e.bias = n.bias.f32;
  } else {
    e.input_offset = -in.quant.zero_point;
    e.output_offset = out.quant.zero_point;
    e.act = ops::activation_range(n.act(), out.quant.scale, out.quant.zero_point);
    e.bias = tables.folded_bias;
    e.requant = tables.requant;
    e.requant_step = requant_step;
    e.use_fused = tables.use_fused;
    e.fused = tables.fused;
    e.use_residual = tables.use_residual;
    e.residual_first = tables.residual_first;
    e.residual_table = tables.residual_table;
    e.residual_fused = tables.use_residual && tables.residual_table && tables.residual->use_fused;
    e.min_at_zero_point = e.act.min >= e.output_offset;
    e.residual_min_at_zero_point = tables.use_residual && tables.residual->act.min >= tables.residual->output_offset;
    e.residual = tables.residual;
  }
  return e;
}

/// The epilogue of a 16x8 layer (ops::wide_epilogue): its bias as it is
/// (int32 or int64: the accumulator type), the node's multipliers, and the
/// output zero point where the operator applies it (with_output_offset:
/// fully_connected; TFLite's 16x8 convolutions ignore it).
template <class Node>
constexpr ops::wide_epilogue make_wide_epilogue(const tensor_spec& out, const Node& n, const node_tables& tables,
                                                int requant_step, bool with_output_offset) {
  ops::wide_epilogue e{};
  e.output_offset = with_output_offset ? out.quant.zero_point : 0;
  e.act = ops::activation_range16(n.act(), out.quant.scale, out.quant.zero_point);
  e.int32_sum = n.bias.spec.type == dtype::int32 && !n.bias.empty();
  if (!n.bias.empty()) {
    if (e.int32_sum) {
      e.bias32 = n.bias.i32;
    } else {
      e.bias64 = n.bias.i64;
    }
  }
  e.requant = tables.requant;
  e.requant_step = requant_step;
  return e;
}

template <class T, class Node>
constexpr const T* weights_of(const Node& n) {
  if constexpr (std::is_same_v<T, float>) {
    return n.weights.f32;
  } else {
    return n.weights.i8;
  }
}

/// What a shared kernel's code is specialized on: the shape part of its
/// arguments (geometry for windowed layers, sizes and per-channel or
/// per-tensor scaling for fully_connected). Operators of one unit and shape
/// share one copy of their kernel; their weights, offsets and multipliers
/// are read at run time.
struct fully_connected_shape {
  int batches = 0, in_size = 0, out_size = 0, requant_step = 0;
  bool fused = false;
  ops::int8_range act{};
  bool min_at_zero_point = false;
};
struct window_shape {
  ops::window_geometry g{};
  bool fused = false;
  ops::int8_range act{};  // int8: the clamp, a constant the compiler can turn into a saturation
  bool in_place = false;
  bool residual = false;
  bool residual_first = false;
  bool residual_table = false;
  bool residual_fused = false;
  bool min_at_zero_point = false;
  bool residual_min_at_zero_point = false;
};

/// Whether arguments a run a fused epilogue, and their clamp (int8 only).
template <class Args>
constexpr bool fused_epilogue(const Args& a) {
  if constexpr (requires { a.e.use_fused; }) {
    return a.e.use_fused;
  } else {
    return false;
  }
}
template <class Args>
constexpr ops::int8_range int8_clamp(const Args& a) {
  if constexpr (requires { a.e.use_fused; }) {
    return a.e.act;
  } else {
    return {};
  }
}

/// The shape key of a windowed layer's arguments (conv2d_args).
template <class Args>
constexpr window_shape window_key(const Args& a) {
  if constexpr (requires { a.e.use_residual; }) {
    return window_shape{a.g,
                        fused_epilogue(a),
                        int8_clamp(a),
                        a.in_place,
                        a.e.use_residual,
                        a.e.residual_first,
                        a.e.residual_table,
                        a.e.residual_fused,
                        a.e.min_at_zero_point,
                        a.e.residual_min_at_zero_point};
  } else {
    return window_shape{a.g, false, {}, a.in_place, false, false, false, false, false, false};
  }
}

/// Arguments a with the shape of key written back as constants: what a
/// shaped windowed kernel runs on. The add a residual convolution does is
/// read from `residual`, a local copy: stores to int8 outputs may alias
/// anything in memory, but not an unescaped local.
template <auto Key, class Args>
[[gnu::always_inline]] inline void with_window_key(Args& a, ops::add_args<std::int8_t>& residual) {
  // Key is read through a copy: code must never address a template
  // parameter object (docs/compilers.md: Clang reads a padded one's members
  // at the wrong offsets). A static one: GCC builds a non-static copy at run
  // time and no longer sees its members as constants.
  static constexpr window_shape key = Key;
  a.g = key.g;
  a.in_place = key.in_place;
  if constexpr (requires { a.e.requant_step; }) a.e.requant_step = 1;  // always per channel
  if constexpr (requires { a.e.use_fused; }) {
    a.e.use_fused = key.fused;
    a.e.act = key.act;
    a.e.min_at_zero_point = key.min_at_zero_point;
  }
  if constexpr (requires { a.e.use_residual; }) {
    a.e.use_residual = key.residual;
    a.e.residual_first = key.residual_first;
    a.e.residual_table = key.residual_table;
    a.e.residual_fused = key.residual_fused;
    a.e.residual_min_at_zero_point = key.residual_min_at_zero_point;
    if (a.e.use_residual) {
      residual = *a.e.residual;
      a.e.residual = &residual;
    }
  }
}

}  // namespace weft::exec
