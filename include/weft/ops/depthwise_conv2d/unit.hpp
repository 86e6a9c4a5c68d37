// SPDX-License-Identifier: Apache-2.0
// DEPTHWISE_CONV_2D as an operator unit (see weft/ops/unit.hpp).
#pragma once

#include "weft/exec/tables.hpp"
#include "weft/ops/depthwise_conv2d/kernels.hpp"
#include "weft/ops/unit.hpp"

#include <algorithm>

namespace weft::ops {

struct depthwise_conv2d_op : windowed_family {
  using options = depthwise_conv2d_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::depthwise;
  static constexpr auto fields = std::tuple{field{"stride", &options::stride},
                                            field{"dilation", &options::dilation},
                                            field{"pad", &options::pad},
                                            field{"act", &options::act},
                                            field{"depth_multiplier", &options::depth_multiplier},
                                            field{"pad_before", &options::pad_before},
                                            field{"pad_after", &options::pad_after}};
  static constexpr bool has_weights = true;
  /// 16x8: int16 activations with int8 weights and an int64 bias
  /// (depthwise_conv2d16).
  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options& o) {
    return infer_depthwise_conv2d(x.in[0], o, *x.weights, *x.bias, x.out);
  }
  template <class Node>
  static constexpr window_geometry window(const Node& n, const shape& in) {
    return depthwise_conv2d_window(in, n.template opt<options>(), n.weights.spec.dims);
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind in_place) {
    const auto& n = g.at(i);
    return window_axes(g, i, n.macs / g.spec(n.output).dims.elements() + m.per_output, in_place);
  }
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    return window_access(g, plan, i, t, window(g.at(i), g.spec(g.at(i).inputs[0]).dims), false);
  }

  /// Bytes the output must start before its input for the layer to run in
  /// place (in_place_kind::shifted), or -1 when it cannot: output pixel p
  /// (in the kernel's order: batch, row, column) lands on input pixels
  /// before p - k, and none of them may be read by output pixel p or a later
  /// one. k is the largest p - (first input pixel read by pixels p onwards)
  /// + 1.
  template <class G>
  static constexpr std::int64_t shift(const G& g, int i) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    const tensor_spec& out = g.spec(n.output);
    // (16x8 layers do not run in place.)
    if (n.template opt<options>().depth_multiplier != 1 || in.type != out.type || in.dims.rank != 4 ||
        in.type == dtype::int16)
      return -1;
    const window_geometry w = window(n, in.dims);
    // First tap inside the input along one axis, or -1 if none is.
    auto first_inside = [](int origin, int k, int dilation, int size) {
      for (int j = 0; j < k; ++j) {
        const int v = origin + j * dilation;
        if (v >= 0 && v < size) return v;
      }
      return -1;
    };
    const std::int64_t pixels = static_cast<std::int64_t>(w.batches) * w.out_h * w.out_w;
    std::int64_t k = 0;
    std::int64_t later_min = INT64_MAX;  // first input pixel read by the pixels after p
    for (std::int64_t p = pixels - 1; p >= 0; --p) {
      const int b = static_cast<int>(p / (w.out_h * w.out_w));
      const int oy = static_cast<int>(p / w.out_w % w.out_h), ox = static_cast<int>(p % w.out_w);
      const int iy = first_inside(oy * w.stride_h - w.pad_h, w.k_h, w.dil_h, w.in_h);
      const int ix = first_inside(ox * w.stride_w - w.pad_w, w.k_w, w.dil_w, w.in_w);
      if (iy >= 0 && ix >= 0)
        later_min = std::min(later_min, (static_cast<std::int64_t>(b) * w.in_h + iy) * w.in_w + ix);
      if (later_min != INT64_MAX) k = std::max(k, p - later_min + 1);
    }
    // Whole pixels (a channel then lands on the same channel, so cores that
    // split the channels stay apart), and a multiple of the alignment.
    const std::int64_t pixel_bytes = static_cast<std::int64_t>(w.in_c) * static_cast<std::int64_t>(size_of(in.type));
    std::int64_t step = pixel_bytes;
    while (step % static_cast<std::int64_t>(arena_alignment) != 0) step += pixel_bytes;
    return (k * pixel_bytes + step - 1) / step * step;
  }
  /// In place, shifted (only cut by channels): on cores whose caches share
  /// lines, only where the channels still leave each core a line.
  template <class G>
  static constexpr in_place_offer in_place(const G& g, int i, const core_profile& cores) {
    const tensor_spec& out = g.spec(g.at(i).output);
    if (plan_detail::channel_cut_shares_lines(out, out.dims.back(), cores)) return {};
    const std::int64_t s = shift(g, i);
    if (s < 0) return {};
    return {in_place_kind::shifted, 0, s};
  }

  // Prepared constants: per output channel a folded bias and multiplier
  // (weights interleave the channels, one tap after another), the input zero
  // point row for SAME padding, and for DSP cores paired weights.
  template <class Node>
  static constexpr int weight_channels(const Node& n) {
    return n.weights.spec.dims[3];
  }
  static constexpr bool interleaved_weights = true;
  template <class Node>
  static constexpr bool pads_with_zero_point(const Node& n) {
    const options& o = n.template opt<options>();
    return o.pad == padding::same || o.pad_before != hw{0, 0} || o.pad_after != hw{0, 0};
  }
  /// Length of node i's paired weights (conv2d_args::paired_weights): an
  /// int8 layer with depth multiplier 1 gets taps x channels.
  template <class G>
  static constexpr int paired_weights_count(const G& g, int i) {
    const auto& n = g.at(i);
    if (n.template opt<options>().depth_multiplier != 1 || g.spec(n.inputs[0]).type != dtype::int8) return 0;
    const shape& ws = n.weights.spec.dims;  // [1, KH, KW, C]
    return ws[1] * ws[2] * ws[3];
  }
  /// Entry k * C + c holds the weights of tap k for channels c (low half) and
  /// c + 2 (high half, 0 past the last channel), sign-extended to 16 bits, as
  /// SXTB16 would unpack them.
  template <class G>
  static constexpr void fill_paired_weights(const G& g, int i, std::int32_t* out) {
    const auto& n = g.at(i);
    const int channels = n.weights.spec.dims[3];
    for (int e = 0; e < paired_weights_count(g, i); ++e) {
      const int c = e % channels;
      const auto low = static_cast<std::uint16_t>(static_cast<std::int16_t>(n.weights.i8[e]));
      const auto high =
          c + 2 < channels ? static_cast<std::uint16_t>(static_cast<std::int16_t>(n.weights.i8[e + 2])) : 0u;
      out[e] = static_cast<std::int32_t>(static_cast<std::uint32_t>(low) | (static_cast<std::uint32_t>(high) << 16));
    }
  }

  template <class T, class G>
  static constexpr auto make_args(const G& g, int i, const exec::node_tables& tables) {
    if constexpr (std::is_same_v<T, std::int16_t>) {
      const auto& n = g.at(i);
      return conv16_args{window(n, g.spec(n.inputs[0]).dims),
                         exec::make_wide_epilogue(g.spec(n.output), n, tables, 1, false), n.weights.i8};
    } else {
      return make_args_narrow<T>(g, i, tables);
    }
  }
  template <class T, class G>
  static constexpr conv2d_args<T> make_args_narrow(const G& g, int i, const exec::node_tables& tables) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    conv2d_args<T> a{};
    a.g = window(n, in.dims);
    a.e = exec::make_epilogue<T>(in, g.spec(n.output), n, tables, 1);
    a.weights = exec::weights_of<T>(n);
    if constexpr (std::is_same_v<T, std::int8_t>) a.pad_row = tables.pad_row;
    return a;
  }

  template <class Isa, class T, class Args>
  [[gnu::always_inline]] static void run(const Args& a, const kernel_io& io, tile t) {
    if constexpr (std::is_same_v<T, std::int16_t>) {
      depthwise_conv2d16(a, io.input<T>(0), io.output<T>(), t);
    } else {
      depthwise_conv2d<T, Isa::dsp>(a, io.input<T>(0), io.output<T>(), t);
    }
  }

  /// int8 and float32 layers share kernels by shape; 16x8 ones run their
  /// own (depthwise_conv2d16).
  template <class Args>
  requires(!std::is_same_v<Args, conv16_args>) static constexpr exec::window_shape shape_key(const Args& a) {
    return exec::window_key(a);
  }
  /// The kernel for every depthwise layer of one shape (Key): rows of
  /// unrolled taps where the shape fits and the core has no DSP.
  template <auto Key, class Isa, class T>
  [[gnu::always_inline]] static void run_shaped(const conv2d_args<T>& args, const T* in, T* out, tile t) {
    static constexpr exec::window_shape key = Key;  // see conv2d_op::run_shaped
    add_args<std::int8_t> residual{};
    conv2d_args<T> a = args;
    exec::with_window_key<Key>(a, residual);
    if constexpr (std::is_same_v<T, std::int8_t> && !Isa::dsp && wide_blocks) {
      if constexpr (depthwise_rows_fits(key.g)) {
        depthwise_rows<key.g>(a, in, out, t);
        return;
      }
    }
    depthwise_conv2d<T, Isa::dsp>(a, in, out, t);
  }
};

}  // namespace weft::ops
