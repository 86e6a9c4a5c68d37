// SPDX-License-Identifier: Apache-2.0
// CONV_2D as an operator unit (see weft/ops/unit.hpp): its spec, its tiles
// and accesses, in-place and residual fusion, its prepared constants and the
// choice among its kernels (kernels.hpp).
#pragma once

#include "weft/exec/tables.hpp"
#include "weft/ops/conv2d/kernels.hpp"
#include "weft/ops/unit.hpp"

namespace weft::ops {

struct conv2d_op : windowed_family {
  using options = conv2d_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::convolution;
  static constexpr auto fields = std::tuple{field{"stride", &options::stride},
                                            field{"dilation", &options::dilation},
                                            field{"pad", &options::pad},
                                            field{"act", &options::act},
                                            field{"pad_before", &options::pad_before},
                                            field{"pad_after", &options::pad_after}};
  static constexpr bool has_weights = true;
  /// 16x8: int16 activations with int8 weights (conv2d16).
  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options& o) {
    return infer_conv2d(x.in[0], o, *x.weights, *x.bias, x.out);
  }
  template <class Node>
  static constexpr window_geometry window(const Node& n, const shape& in) {
    return conv2d_window(in, n.template opt<options>(), n.weights.spec.dims);
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind in_place) {
    const auto& n = g.at(i);
    return window_axes(g, i, n.macs / g.spec(n.output).dims.elements() + m.per_output, in_place);
  }
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    return window_access(g, plan, i, t, window(g.at(i), g.spec(g.at(i).inputs[0]).dims), true);
  }

  /// A 1x1 convolution runs in place pixel by pixel (in_place_kind::pixels)
  /// where it is int8, stride 1, unpadded, and its input pixels fit the
  /// kernel's buffer: with as many output as input channels, output pixel p
  /// replaces input pixel p; with more output channels (an expansion) and
  /// one core, the output starts (out_c - in_c) bytes per pixel before the
  /// input, so that output pixel p lands only on input pixels up to p, which
  /// the kernel has read (it reads a block of pixels before writing it, and
  /// goes in order). Cores splitting the pixels would overwrite pixels
  /// another core has yet to read, hence one core.
  template <class G>
  static constexpr in_place_offer in_place(const G& g, int i, const core_profile& cores) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    const tensor_spec& out = g.spec(n.output);
    if (in.type != dtype::int8 || out.type != dtype::int8) return {};
    const window_geometry w = window(n, in.dims);
    if (w.k_h != 1 || w.k_w != 1 || w.stride_h != 1 || w.stride_w != 1 || w.pad_h != 0 || w.pad_w != 0 ||
        w.in_c > max_in_place_channels)
      return {};
    if (w.out_c == w.in_c) return {in_place_kind::pixels, 0, 0};
    // The shift, rounded up to keep both tensors aligned: output pixel p
    // then lands on input pixels before p, which is safer still.
    const std::int64_t pixels = in.dims.elements() / w.in_c;
    const auto shift =
        static_cast<std::int64_t>(align_up(static_cast<std::size_t>(pixels * (w.out_c - w.in_c)), arena_alignment));
    if (w.out_c > w.in_c && cores.cores == 1) return {in_place_kind::pixels, 0, shift};
    return {};
  }
  /// An int8 convolution can do the add its output alone feeds in its
  /// epilogue (in_place_kind::residual).
  template <class G>
  static constexpr bool residual_epilogue(const G& g, int i) {
    return g.spec(g.at(i).output).type == dtype::int8;
  }

  // Prepared constants (exec/prepare.hpp): one folded bias and multiplier
  // per output channel, a row of the input zero point for SAME padding.
  template <class Node>
  static constexpr int weight_channels(const Node& n) {
    return n.weights.spec.dims[0];
  }
  static constexpr bool interleaved_weights = false;
  template <class Node>
  static constexpr bool pads_with_zero_point(const Node& n) {
    const options& o = n.template opt<options>();
    return o.pad == padding::same || o.pad_before != hw{0, 0} || o.pad_after != hw{0, 0};
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
    a.in_place = tables.in_place;
    return a;
  }

  template <class Isa, class T, class Args>
  [[gnu::always_inline]] static void run(const Args& a, const kernel_io& io, tile t) {
    if constexpr (std::is_same_v<T, std::int16_t>) {
      conv2d16(a, io.input<T>(0), io.output<T>(), t);
    } else {
      conv2d<T, Isa::dsp>(a, io.input<T>(0), io.output<T>(), t);
    }
  }

  /// int8 and float32 convolutions share kernels by shape; 16x8 ones run
  /// their own (conv2d16).
  template <class Args>
  requires(!std::is_same_v<Args, conv16_args>) static constexpr exec::window_shape shape_key(const Args& a) {
    return exec::window_key(a);
  }
  /// The kernel for every convolution of one shape (Key): where the core has
  /// the registers, sizes fixed by the shape take wider blocks
  /// (ops::wide_blocks).
  template <auto Key, class Isa, class T>
  [[gnu::always_inline]] static void run_shaped(const conv2d_args<T>& args, const T* in, T* out, tile t) {
    // Key is read through a copy: code must never address a template
    // parameter object (docs/compilers.md: Clang reads a padded one's
    // members at the wrong offsets). A static one: GCC builds a non-static
    // copy at run time and no longer sees its members as constants.
    static constexpr exec::window_shape key = Key;
    add_args<std::int8_t> residual{};
    conv2d_args<T> a = args;
    exec::with_window_key<Key>(a, residual);
    if constexpr (std::is_same_v<T, std::int8_t> && !Isa::dsp && wide_blocks) {
      if constexpr (is_pointwise(key.g) && wide_pointwise_fits(key.g.in_c)) {
        pointwise_wide<key.g.in_c>(a, in, out, t);
        return;
      } else if constexpr (wide_rows_fits(key.g) && !key.in_place) {
        conv2d_rows_wide<key.g>(a, in, out, t);
        return;
      } else if constexpr (wide_gathered_fits(key.g) && !key.in_place) {
        conv2d_gathered_wide<key.g.k_h * key.g.k_w * key.g.in_c>(a, in, out, t);
        return;
      }
    }
    conv2d<T, Isa::dsp>(a, in, out, t);
  }
};

}  // namespace weft::ops
