// SPDX-License-Identifier: Apache-2.0
// From a graph node to the arguments of its kernel: geometry, offsets,
// activation range and requantization multipliers. Everything here is
// constexpr: weft::compiled evaluates it at compile time, so a device never
// computes a multiplier; tests and tools may call it at run time.
#pragma once

#include "weft/exec/tables.hpp"
#include "weft/graph/graph.hpp"

#include <cstdint>
#include <type_traits>

namespace weft::exec {

namespace detail {
// The value of unit hook `Hook` for node i's unit, or `fallback` where the
// unit has none.
#define WEFT_UNIT_HOOK(name, expr, fallback)         \
  template <class G>                                 \
  constexpr auto name(const G& g, int i) {           \
    return visit_unit(g.at(i).kind, [&]<class U>() { \
      if constexpr (requires { expr; }) {            \
        return expr;                                 \
      } else {                                       \
        return fallback;                             \
      }                                              \
    });                                              \
  }
WEFT_UNIT_HOOK(weight_channels, U::weight_channels(g.at(i)), 0)
WEFT_UNIT_HOOK(interleaved_weights, U::interleaved_weights, false)
WEFT_UNIT_HOOK(per_tensor_requant, U::per_tensor_requant(g.at(i)), false)
WEFT_UNIT_HOOK(pads_with_zero_point, U::pads_with_zero_point(g.at(i)), false)
WEFT_UNIT_HOOK(paired_weights_count, U::paired_weights_count(g, i), 0)
WEFT_UNIT_HOOK(packs, U::packs(g, i), false)
WEFT_UNIT_HOOK(packed_words, U::packed_words(g, i), 0)
WEFT_UNIT_HOOK(packed_windows, U::packed_windows(g, i), 0)
WEFT_UNIT_HOOK(packed_blocks, U::packed_blocks(g, i), 0)
WEFT_UNIT_HOOK(table_count, U::table_count(g, i), 0)
#undef WEFT_UNIT_HOOK
}  // namespace detail

/// Output channels of node i if it is an int8 layer with weights (its unit
/// has weight_channels: conv2d, depthwise_conv2d, fully_connected), else 0:
/// each has one folded bias.
template <class G>
constexpr int folded_bias_count(const G& g, int i) {
  if (g.spec(g.at(i).inputs[0]).type != dtype::int8) return 0;
  return detail::weight_channels(g, i);
}

/// How many requantization multipliers node i needs: one per output channel
/// (folded_bias_count), or one where its unit scales per tensor (a
/// fully_connected layer with one weight scale).
template <class G>
constexpr int requant_count(const G& g, int i) {
  // 16x8 layers (int16 input) have multipliers but no folded biases.
  const int channels =
      g.spec(g.at(i).inputs[0]).type == dtype::int16 ? detail::weight_channels(g, i) : folded_bias_count(g, i);
  if (channels > 0 && detail::per_tensor_requant(g, i)) return 1;
  return channels;
}

/// The requantization multiplier of output channel c of node i (an int8 or
/// 16x8 layer with weights; a per-tensor one has one for all).
template <class G>
constexpr multiplier requant_of(const G& g, int i, int c) {
  const node& n = g.at(i);
  const quantization& in = g.spec(n.inputs[0]).quant;
  const quantization& o = g.spec(n.output).quant;
  const quantization& w = n.weights.spec.quant;
  if (detail::per_tensor_requant(g, i)) return ops::fully_connected_multiplier(in, w, o);
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
  // Most units keep a channel's weights together; depthwise weights
  // interleave the channels, one tap after another.
  const bool interleaved = detail::interleaved_weights(g, i);
  const std::int8_t* w = n.weights.i8 + (interleaved ? c : c * per_channel);
  const std::int64_t step = interleaved ? count : 1;
  std::uint32_t sum = 0;
  for (std::int64_t k = 0, at = 0; k < per_channel; ++k, at += step) sum += static_cast<std::uint32_t>(w[at]);
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
  if (g.spec(g.at(i).inputs[0]).type != dtype::int8) return false;  // the wide epilogue has no fused form
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

/// Length of node i's pad row: an int8 layer whose unit pads with the input
/// zero point (convolutions with SAME padding) reads it for taps outside the
/// input, from a row of in_c.
template <class G>
constexpr int pad_row_count(const G& g, int i) {
  const tensor_spec& in = g.spec(g.at(i).inputs[0]);
  if (in.type != dtype::int8 || !detail::pads_with_zero_point(g, i)) return 0;
  return in.dims[3];
}

template <class G>
constexpr void fill_pad_row(const G& g, int i, std::int8_t* out) {
  const auto zero_point = static_cast<std::int8_t>(g.spec(g.at(i).inputs[0]).quant.zero_point);
  for (int c = 0; c < pad_row_count(g, i); ++c) out[c] = zero_point;
}

/// Length of node i's paired weights (ops::conv2d_args::paired_weights), by
/// its unit (depthwise_conv2d_op), and the table.
template <class G>
constexpr int paired_weights_count(const G& g, int i) {
  return detail::paired_weights_count(g, i);
}
template <class G>
constexpr void fill_paired_weights(const G& g, int i, std::int32_t* out) {
  visit_unit(g.at(i).kind, [&]<class U>() {
    if constexpr (requires { U::fill_paired_weights(g, i, out); }) U::fill_paired_weights(g, i, out);
  });
}

/// Whether node i runs on packed weights, and the sizes of its tables (by
/// its unit: fully_connected_op).
template <class G>
constexpr bool packs_fc(const G& g, int i) {
  return detail::packs(g, i);
}
template <class G>
constexpr int packed_fc_words(const G& g, int i) {
  return detail::packed_words(g, i);
}
template <class G>
constexpr int packed_fc_windows(const G& g, int i) {
  return detail::packed_windows(g, i);
}
template <class G>
constexpr int packed_fc_blocks(const G& g, int i) {
  return detail::packed_blocks(g, i);
}
template <class G>
constexpr void fill_packed_fc(const G& g, int i, std::int32_t* words, std::uint16_t* windows,
                              std::int32_t* block_windows) {
  visit_unit(g.at(i).kind, [&]<class U>() {
    if constexpr (requires { U::fill_packed(g, i, words, windows, block_windows); })
      U::fill_packed(g, i, words, windows, block_windows);
  });
}

/// Length of node i's lookup table (an add's rescaling table,
/// ops::add_args::table), by its unit, and the table.
template <class G>
constexpr int add_table_count(const G& g, int i) {
  return detail::table_count(g, i);
}
template <class G>
constexpr void fill_add_table(const G& g, int i, std::int32_t* out) {
  visit_unit(g.at(i).kind, [&]<class U>() {
    if constexpr (requires { U::fill_table(g, i, out); }) U::fill_table(g, i, out);
  });
}

/// Kernel arguments of node i, whose unit is U, on element type T. They
/// point at the node's constant tables.
template <class U, class T, class G>
constexpr auto make_args(const G& g, int i, const node_tables& tables) {
  if constexpr (requires { U::template make_args<T>(g, i, tables); }) {
    return U::template make_args<T>(g, i, tables);
  } else {
    return 0;  // no kernel (U::aliases_input)
  }
}

/// Runs the kernel of a node of unit U on one tile. Kernels are always
/// inlined here, so that a caller holding constant arguments gets a kernel
/// specialized on them. Isa: the core's instruction-set traits; T: the
/// element type of the node's first input.
template <class U, class Isa, class T, class Args>
[[gnu::always_inline]] inline void run_kernel(const Args& a, const kernel_io& io, tile t) {
  U::template run<Isa, T>(a, io, t);
}

/// The size configuration's kernel of every operator of unit U (on one
/// argument type and ISA): shapes are read from the arguments at run time.
template <class U, class Isa, class T, class Args>
[[gnu::noinline]] void run_generic_kernel(const Args& a, const kernel_io& io, tile t) {
  U::template run<Isa, T>(a, io, t);
}

/// Whether operators of unit U share kernels by shape (U::shape_key).
template <class U, class Args>
inline constexpr bool shares_kernels = requires(const Args& a) {
  U::shape_key(a);
};

/// The kernel of every operator of unit U with shape Key, specialized on
/// that shape (and on the core's ISA traits).
template <class U, auto Key, class Isa, class T, class Args>
[[gnu::noinline]] void run_shaped_kernel(const Args& args, const T* in, T* out, tile t) {
  U::template run_shaped<Key, Isa>(args, in, out, t);
}

}  // namespace weft::exec
