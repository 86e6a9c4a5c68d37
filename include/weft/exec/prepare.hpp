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

/// Output channels of node i if it is an int8 layer with weights (conv2d,
/// depthwise_conv2d, fully_connected), else 0: each has one folded bias.
template <class G>
constexpr int folded_bias_count(const G& g, int i) {
  const node& n = g.at(i);
  if (g.spec(n.inputs[0]).type != dtype::int8) return 0;
  switch (n.kind) {
    case op::conv2d:
    case op::fully_connected:
      return n.weights.spec.dims[0];
    case op::depthwise_conv2d:
      return n.weights.spec.dims[3];
    default:
      return 0;
  }
}

/// How many requantization multipliers node i needs: one per output channel
/// (folded_bias_count), or one for a per-tensor fully_connected.
template <class G>
constexpr int requant_count(const G& g, int i) {
  const node& n = g.at(i);
  const int channels = folded_bias_count(g, i);
  if (channels > 0 && n.kind == op::fully_connected && !n.weights.spec.quant.per_channel()) return 1;
  return channels;
}

/// The requantization multiplier of output channel c of node i (an int8
/// layer with weights; a per-tensor fully_connected has one for all).
template <class G>
constexpr multiplier requant_of(const G& g, int i, int c) {
  const node& n = g.at(i);
  const quantization& in = g.spec(n.inputs[0]).quant;
  const quantization& o = g.spec(n.output).quant;
  const quantization& w = n.weights.spec.quant;
  if (n.kind == op::fully_connected && !w.per_channel()) return ops::fully_connected_multiplier(in, w, o);
  return ops::conv_multiplier(in, w, o, c);
}

/// Writes node i's requant_count multipliers to `out`.
template <class G>
constexpr void fill_requant(const G& g, int i, multiplier* out) {
  for (int c = 0; c < requant_count(g, i); ++c) out[c] = requant_of(g, i, c);
}

/// Output channel c's folded bias of node i: its bias plus the input offset
/// (-input zero point) times the sum of its weights, modulo 2^32 like
/// TFLite's int32 accumulator. An int8 kernel then sums raw products w * x
/// and adds this, instead of adding the offset to every input.
template <class G>
constexpr std::int32_t folded_bias_of(const G& g, int i, int c) {
  const node& n = g.at(i);
  const int count = folded_bias_count(g, i);
  const std::uint32_t input_offset = static_cast<std::uint32_t>(-g.spec(n.inputs[0]).quant.zero_point);
  const std::int64_t per_channel = n.weights.spec.dims.elements() / count;
  // conv2d and fully_connected keep a channel's weights together; depthwise
  // weights interleave the channels, one tap after another.
  const bool interleaved = n.kind == op::depthwise_conv2d;
  std::uint32_t sum = 0;
  for (std::int64_t k = 0; k < per_channel; ++k) {
    const std::int64_t at = interleaved ? k * count + c : c * per_channel + k;
    sum += static_cast<std::uint32_t>(static_cast<std::int32_t>(n.weights.i8[at]));
  }
  const std::uint32_t bias = n.bias.empty() ? 0u : static_cast<std::uint32_t>(n.bias.i32[c]);
  return static_cast<std::int32_t>(bias + input_offset * sum);
}

/// Writes node i's folded_bias_count folded biases to `out`.
template <class G>
constexpr void fill_folded_bias(const G& g, int i, std::int32_t* out) {
  for (int c = 0; c < folded_bias_count(g, i); ++c) out[c] = folded_bias_of(g, i, c);
}

/// Whether node i's epilogue runs fused (every output channel's multiplier
/// shifts right, see fused_requant): then it needs fused records instead of
/// its multipliers, one per multiplier. Where the records are prescaled
/// (prescaled_requant), every channel's accumulator must also stay within
/// requantize_prescaled's bound, which its size and raw bias prove.
template <class G>
constexpr bool uses_fused_requant(const G& g, int i) {
  const int count = requant_count(g, i);
  if (count == 0) return false;
  for (int c = 0; c < count; ++c)
    if (!can_fuse(requant_of(g, i, c))) return false;
  if constexpr (prescaled_requant) {
    const node& n = g.at(i);
    const int channels = folded_bias_count(g, i);
    const std::int64_t taps = n.weights.spec.dims.elements() / channels;
    for (int c = 0; c < channels; ++c)
      if (!prescaled_fits(taps, n.bias.empty() ? 0 : n.bias.i32[c])) return false;
  }
  return true;
}

/// Writes node i's requant_count fused records to `out` (uses_fused_requant):
/// prescaled ones where the epilogue takes them.
template <class G>
constexpr void fill_fused(const G& g, int i, fused_requant* out) {
  const std::int32_t output_offset = g.spec(g.at(i).output).quant.zero_point;
  for (int c = 0; c < requant_count(g, i); ++c) {
    const multiplier m = requant_of(g, i, c);
    out[c] = prescaled_requant ? make_prescaled_requant(m, output_offset) : make_fused_requant(m, output_offset);
  }
}

/// Length of node i's pad row: an int8 convolution with SAME padding reads
/// the input zero point for taps outside the input, from a row of in_c.
template <class G>
constexpr int pad_row_count(const G& g, int i) {
  const node& n = g.at(i);
  const tensor_spec& in = g.spec(n.inputs[0]);
  if (in.type != dtype::int8) return 0;
  if (n.kind == op::conv2d && n.opt<conv2d_options>().pad == padding::same) return in.dims[3];
  if (n.kind == op::depthwise_conv2d && n.opt<depthwise_conv2d_options>().pad == padding::same) return in.dims[3];
  return 0;
}

template <class G>
constexpr void fill_pad_row(const G& g, int i, std::int8_t* out) {
  const auto zero_point = static_cast<std::int8_t>(g.spec(g.at(i).inputs[0]).quant.zero_point);
  for (int c = 0; c < pad_row_count(g, i); ++c) out[c] = zero_point;
}

/// Length of node i's paired weights (ops::conv2d_args::paired_weights): an
/// int8 depthwise convolution with depth multiplier 1 gets taps x channels.
template <class G>
constexpr int paired_weights_count(const G& g, int i) {
  const node& n = g.at(i);
  if (n.kind != op::depthwise_conv2d || n.opt<depthwise_conv2d_options>().depth_multiplier != 1 ||
      g.spec(n.inputs[0]).type != dtype::int8)
    return 0;
  const shape& ws = n.weights.spec.dims;  // [1, KH, KW, C]
  return ws[1] * ws[2] * ws[3];
}

/// Writes node i's paired weights: entry k * C + c holds the weights of tap
/// k for channels c (low half) and c + 2 (high half, 0 past the last
/// channel), sign-extended to 16 bits, as SXTB16 would unpack them.
template <class G>
constexpr void fill_paired_weights(const G& g, int i, std::int32_t* out) {
  const node& n = g.at(i);
  const int channels = n.weights.spec.dims[3];
  for (int e = 0; e < paired_weights_count(g, i); ++e) {
    const int c = e % channels;
    const auto low = static_cast<std::uint16_t>(static_cast<std::int16_t>(n.weights.i8[e]));
    const auto high =
        c + 2 < channels ? static_cast<std::uint16_t>(static_cast<std::int16_t>(n.weights.i8[e + 2])) : 0u;
    out[e] = static_cast<std::int32_t>(static_cast<std::uint32_t>(low) | (static_cast<std::uint32_t>(high) << 16));
  }
}

/// Whether node i is an int8 fully connected layer that runs on packed
/// weights (ops::fc_packs, ops::fully_connected_packed).
template <class G>
constexpr bool packs_fc(const G& g, int i) {
  const node& n = g.at(i);
  if (n.kind != op::fully_connected || g.spec(n.inputs[0]).type != dtype::int8) return false;
  const shape& ws = n.weights.spec.dims;  // [outputs, inputs]
  return ops::fc_packs(ws[1], ws[0]);
}

/// Node i's packed weights: two outputs' weights per word.
template <class G>
constexpr int packed_fc_words(const G& g, int i) {
  if (!packs_fc(g, i)) return 0;
  const shape& ws = g.at(i).weights.spec.dims;
  return ws[0] * ws[1] / 2;
}

/// Calls f(block, inputs) for each window of node i's packed blocks, in
/// order: the longest run of inputs, from where the last window ended, over
/// which each of the block's four outputs has sum |w| <= packed_lane_limit.
template <class G, class F>
constexpr void for_each_packed_window(const G& g, int i, F&& f) {
  const node& n = g.at(i);
  const int outputs = n.weights.spec.dims[0], inputs = n.weights.spec.dims[1];
  for (int k = 0; k < outputs / 4; ++k) {
    int sum[4] = {}, length = 0;
    for (int x = 0; x < inputs; ++x) {
      int magnitude[4] = {};
      bool fits = true;
      for (int j = 0; j < 4; ++j) {
        const int w = n.weights.i8[(4 * k + j) * inputs + x];
        magnitude[j] = w < 0 ? -w : w;
        fits = fits && sum[j] + magnitude[j] <= ops::packed_lane_limit;
      }
      if (!fits) {
        f(k, length);
        length = 0;
        for (int& v : sum) v = 0;
      }
      for (int j = 0; j < 4; ++j) sum[j] += magnitude[j];
      ++length;
    }
    f(k, length);
  }
}

/// Node i's windows in all (one input's weights always fit one).
template <class G>
constexpr int packed_fc_windows(const G& g, int i) {
  if (!packs_fc(g, i)) return 0;
  int count = 0;
  for_each_packed_window(g, i, [&](int, int) { ++count; });
  return count;
}

/// Entries of node i's block_windows: one per block of four outputs, and
/// the end.
template <class G>
constexpr int packed_fc_blocks(const G& g, int i) {
  return packs_fc(g, i) ? g.at(i).weights.spec.dims[0] / 4 + 1 : 0;
}

/// Writes node i's packed weights, windows and block_windows (see
/// ops::fully_connected_packed).
template <class G>
constexpr void fill_packed_fc(const G& g, int i, std::int32_t* words, std::uint16_t* windows,
                              std::int32_t* block_windows) {
  if (!packs_fc(g, i)) return;
  const node& n = g.at(i);
  const int outputs = n.weights.spec.dims[0], inputs = n.weights.spec.dims[1];
  for (int k = 0; k < outputs / 4; ++k)
    for (int x = 0; x < inputs; ++x)
      for (int j = 0; j < 2; ++j) {
        const std::int32_t lo = n.weights.i8[(4 * k + 2 * j) * inputs + x];
        const std::int32_t hi = n.weights.i8[(4 * k + 2 * j + 1) * inputs + x];
        words[(k * inputs + x) * 2 + j] = lo + hi * 65536;
      }
  int w = 0, block = -1;
  for_each_packed_window(g, i, [&](int k, int length) {
    while (block < k) block_windows[++block] = w;
    windows[w++] = static_cast<std::uint16_t>(length);
  });
  block_windows[outputs / 4] = w;
}

/// Length of node i's add table (ops::add_args::table): int8 adds of at
/// least as many elements as the table has entries get one.
template <class G>
constexpr int add_table_count(const G& g, int i) {
  const node& n = g.at(i);
  if (n.kind != op::add || g.spec(n.output).type != dtype::int8) return 0;
  return g.spec(n.output).dims.elements() >= ops::add_table_size ? ops::add_table_size : 0;
}

template <class G>
constexpr void fill_add_table(const G& g, int i, std::int32_t* out) {
  if (add_table_count(g, i) == 0) return;
  const node& n = g.at(i);
  const ops::add_args<std::int8_t> a = ops::make_add_args(g.spec(n.inputs[0]).quant, g.spec(n.inputs[1]).quant,
                                                          g.spec(n.output).quant, n.opt<add_options>().act);
  ops::fill_add_table(a, out);
}

/// The per-node constant tables a kernel's arguments point at, each filled
/// by its fill_ function above (null where the node has none).
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

template <class T>
constexpr ops::epilogue<T> make_epilogue(const tensor_spec& in, const tensor_spec& out, const node& n,
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

template <class T>
constexpr const T* weights_of(const node& n) {
  if constexpr (std::is_same_v<T, float>) {
    return n.weights.f32;
  } else {
    return n.weights.i8;
  }
}

/// Kernel arguments of node i, whose kind is Kind, on element type T. They
/// point at the node's constant tables.
template <op Kind, class T, class G>
constexpr auto make_args(const G& g, int i, const node_tables& tables) {
  const node& n = g.at(i);
  const tensor_spec& in = g.spec(n.inputs[0]);
  const tensor_spec& out = g.spec(n.output);
  if constexpr (Kind == op::conv2d || Kind == op::depthwise_conv2d) {
    ops::conv2d_args<T> a{};
    a.g = window_of(n, in.dims);
    a.e = make_epilogue<T>(in, out, n, tables, 1);
    a.weights = weights_of<T>(n);
    if constexpr (std::is_same_v<T, std::int8_t>) a.pad_row = tables.pad_row;
    a.in_place = Kind == op::conv2d && tables.in_place;
    return a;
  } else if constexpr (Kind == op::fully_connected) {
    const shape& ws = n.weights.spec.dims;
    ops::fully_connected_args<T> a{};
    a.in_size = ws[1];
    a.out_size = ws[0];
    a.batches = static_cast<int>(in.dims.elements() / ws[1]);
    a.e = make_epilogue<T>(in, out, n, tables, n.weights.spec.quant.per_channel() ? 1 : 0);
    if constexpr (std::is_same_v<T, std::int8_t>) {
      if (tables.use_packed) {
        a.packed = tables.packed;
        a.windows = tables.packed_windows;
        a.block_windows = tables.block_windows;
        return a;  // no int8 weights: flash keeps the packed ones only
      }
    }
    a.weights = weights_of<T>(n);
    return a;
  } else if constexpr (Kind == op::average_pool2d || Kind == op::max_pool2d) {
    ops::pool2d_args<T> a{};
    a.g = window_of(n, in.dims);
    if constexpr (std::is_same_v<T, float>) {
      a.act = ops::activation_range(n.opt<pool2d_options>().act);
    } else {
      a.act = ops::activation_range(n.opt<pool2d_options>().act, out.quant.scale, out.quant.zero_point);
    }
    return a;
  } else if constexpr (Kind == op::add) {
    if constexpr (std::is_same_v<T, float>) {
      return ops::add_args<float>{ops::activation_range(n.opt<add_options>().act)};
    } else {
      ops::add_args<std::int8_t> a =
          ops::make_add_args(in.quant, g.spec(n.inputs[1]).quant, out.quant, n.opt<add_options>().act);
      a.table = tables.add_table;
      return a;
    }
  } else if constexpr (Kind == op::softmax) {
    if constexpr (std::is_same_v<T, float>) {
      return ops::softmax_args<float>{in.dims.back(), n.opt<softmax_options>().beta};
    } else {
      return ops::make_softmax_args(in.dims.back(), n.opt<softmax_options>().beta, in.quant.scale);
    }
  } else {
    static_assert(Kind == op::reshape);
    return 0;  // reshape moves no data
  }
}

/// Runs the kernel of node i (kind Kind) on one tile. `in0`, `in1` and `out`
/// point at the node's tensors. Kernels are always inlined here, so that a
/// caller holding constant arguments gets a kernel specialized on them.
/// Dsp: the core running it has the Arm DSP extension.
template <op Kind, bool Dsp = false, class T, class Args>
[[gnu::always_inline]] inline void run_kernel(const Args& a, const T* in0, const T* in1, T* out, tile t) {
  if constexpr (Kind == op::conv2d) {
    ops::conv2d<T, Dsp>(a, in0, out, t);
  } else if constexpr (Kind == op::depthwise_conv2d) {
    ops::depthwise_conv2d<T, Dsp>(a, in0, out, t);
  } else if constexpr (Kind == op::fully_connected) {
    ops::fully_connected<T, Dsp>(a, in0, out, t);
  } else if constexpr (Kind == op::average_pool2d) {
    ops::pool2d<ops::pool_kind::average>(a, in0, out, t);
  } else if constexpr (Kind == op::max_pool2d) {
    ops::pool2d<ops::pool_kind::max>(a, in0, out, t);
  } else if constexpr (Kind == op::add) {
    ops::add(a, in0, in1, out, t);
  } else if constexpr (Kind == op::softmax) {
    ops::softmax(a, in0, out, t);
  } else {
    // Only a reshape has no kernel: its output shares its input's storage.
    // Any other operator without one is a compile error, not a no-op.
    static_assert(Kind == op::reshape, "weft: this operator has no kernel");
  }
}

/// What a kernel's code is specialized on: the shape part of its arguments
/// (geometry for convolutions, sizes and per-channel or per-tensor scaling
/// for fully_connected). Operators of one kind and shape share one copy of
/// their kernel; their weights, offsets and multipliers are read at run time.
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

template <op Kind>
inline constexpr bool shares_kernels =
    Kind == op::conv2d || Kind == op::depthwise_conv2d || Kind == op::fully_connected;

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

template <op Kind, class Args>
constexpr auto shape_key(const Args& a) {
  if constexpr (Kind == op::conv2d || Kind == op::depthwise_conv2d) {
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
  } else {
    static_assert(Kind == op::fully_connected);
    if constexpr (requires { a.e.requant_step; }) {
      return fully_connected_shape{a.batches,         a.in_size,     a.out_size,           a.e.requant_step,
                                   fused_epilogue(a), int8_clamp(a), a.e.min_at_zero_point};
    } else {
      return fully_connected_shape{a.batches, a.in_size, a.out_size, 0, false, {}, false};
    }
  }
}

/// The size configuration's kernel of every operator of kind Kind (on one
/// element type, DSP or not): shapes are read from the arguments at run time.
template <op Kind, bool Dsp, class T, class Args>
[[gnu::noinline]] void run_generic_kernel(const Args& a, const T* in0, const T* in1, T* out, tile t) {
  run_kernel<Kind, Dsp>(a, in0, in1, out, t);
}

/// The kernel of every operator of kind Kind with shape Key, specialized on
/// that shape (and on whether the core has the DSP extension).
template <op Kind, auto Key, bool Dsp, class T, class Args>
[[gnu::noinline]] void run_shaped_kernel(const Args& args, const T* in0, const T* in1, T* out, tile t) {
  // Key is read through a copy: code must never address a template
  // parameter object (docs/compilers.md: Clang reads a padded one's members
  // at the wrong offsets). A static one: GCC builds a non-static copy at
  // run time and no longer sees its members as constants.
  static constexpr auto key = Key;
  Args a = args;
  if constexpr (Kind == op::conv2d || Kind == op::depthwise_conv2d) {
    a.g = key.g;
    a.in_place = key.in_place;
    if constexpr (requires { a.e.requant_step; }) a.e.requant_step = 1;  // always per channel
  } else {
    a.batches = key.batches;
    a.in_size = key.in_size;
    a.out_size = key.out_size;
    if constexpr (requires { a.e.requant_step; }) a.e.requant_step = key.requant_step;
  }
  if constexpr (requires { a.e.use_fused; }) {
    a.e.use_fused = key.fused;
    a.e.act = key.act;
    a.e.min_at_zero_point = key.min_at_zero_point;
  }
  if constexpr (requires { a.e.use_residual; }) {
    if constexpr (Kind == op::conv2d || Kind == op::depthwise_conv2d) {
      a.e.use_residual = key.residual;
      a.e.residual_first = key.residual_first;
      a.e.residual_table = key.residual_table;
      a.e.residual_fused = key.residual_fused;
      a.e.residual_min_at_zero_point = key.residual_min_at_zero_point;
    } else {
      a.e.use_residual = false;  // only convolutions do a residual add
    }
  }
  // The add a residual convolution does, read from a local copy: stores to
  // int8 outputs may alias anything in memory, but not an unescaped local.
  ops::add_args<std::int8_t> residual{};
  if constexpr (requires { a.e.use_residual; }) {
    if (a.e.use_residual) {
      residual = *a.e.residual;
      a.e.residual = &residual;
    }
  }
  // Convolutions whose sizes the kernel's shape fixes take wider blocks
  // where the core has the registers (ops::wide_blocks).
  if constexpr (Kind == op::conv2d && std::is_same_v<T, std::int8_t> && !Dsp && ops::wide_blocks) {
    if constexpr (ops::is_pointwise(key.g) && ops::wide_pointwise_fits(key.g.in_c)) {
      ops::pointwise_wide<key.g.in_c>(a, in0, out, t);
      return;
    } else if constexpr (ops::wide_rows_fits(key.g) && !key.in_place) {
      ops::conv2d_rows_wide<key.g>(a, in0, out, t);
      return;
    } else if constexpr (ops::wide_gathered_fits(key.g) && !key.in_place) {
      ops::conv2d_gathered_wide<key.g.k_h * key.g.k_w * key.g.in_c>(a, in0, out, t);
      return;
    }
  }
  // Fully connected layers whose blocks the compiled model packed (node
  // constants: packs_fc, the same condition).
  if constexpr (Kind == op::fully_connected && std::is_same_v<T, std::int8_t>) {
    if constexpr (ops::fc_packs(key.in_size, key.out_size)) {
      ops::fully_connected_packed<key.in_size>(a, in0, out, t);
      return;
    }
  }
  if constexpr (Kind == op::depthwise_conv2d && std::is_same_v<T, std::int8_t> && !Dsp && ops::wide_blocks) {
    if constexpr (ops::depthwise_rows_fits(key.g)) {
      ops::depthwise_rows<key.g>(a, in0, out, t);
      return;
    }
  }
  run_kernel<Kind, Dsp>(a, in0, in1, out, t);
}

}  // namespace weft::exec
