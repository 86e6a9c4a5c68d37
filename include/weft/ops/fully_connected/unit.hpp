// SPDX-License-Identifier: Apache-2.0
// FULLY_CONNECTED as an operator unit (see weft/ops/unit.hpp), with the
// packed weights its blocks run on where the core has no SIMD.
#pragma once

#include "weft/exec/tables.hpp"
#include "weft/ops/fully_connected/kernels.hpp"
#include "weft/ops/unit.hpp"

namespace weft::ops {

struct fully_connected_op : row_family {
  using options = fully_connected_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::dense;
  static constexpr auto fields =
      std::tuple{field{"act", &options::act}, field{"keep_num_dims", &options::keep_num_dims}};
  static constexpr bool has_weights = true;
  /// 16x8: int16 activations with int8 weights.
  static constexpr bool int16_input(int k) { return k == 0; }

  static constexpr inferred infer(const operands& x, const options& o) {
    return infer_fully_connected(x.in[0], o, *x.weights, *x.bias, x.out);
  }

  /// Cut by output neurons: each core reads the whole input.
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    const auto& n = g.at(i);
    const shape& out = g.spec(n.output).dims;
    std::array<divisible, 2> a{};
    a[0] = {split_axis::channels, out.back(), (n.macs + out.elements() * m.per_output) / out.back()};
    return a;
  }
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    return row_access(g, plan, i, t, true);
  }

  // Prepared constants: per output neuron a folded bias, and one multiplier
  // per neuron (per-channel weights) or for all (per-tensor).
  template <class Node>
  static constexpr int weight_channels(const Node& n) {
    return n.weights.spec.dims[0];
  }
  static constexpr bool interleaved_weights = false;
  template <class Node>
  static constexpr bool per_tensor_requant(const Node& n) {
    return !n.weights.spec.quant.per_channel();
  }

  /// Whether node i is an int8 layer that runs on packed weights (fc_packs,
  /// fully_connected_packed).
  template <class G>
  static constexpr bool packs(const G& g, int i) {
    const auto& n = g.at(i);
    if (g.spec(n.inputs[0]).type != dtype::int8) return false;
    const shape& ws = n.weights.spec.dims;  // [outputs, inputs]
    return fc_packs(ws[1], ws[0]);
  }
  /// Node i's packed weights: two outputs' weights per word.
  template <class G>
  static constexpr int packed_words(const G& g, int i) {
    if (!packs(g, i)) return 0;
    const shape& ws = g.at(i).weights.spec.dims;
    return ws[0] * ws[1] / 2;
  }
  /// Calls f(block, inputs) for each window of node i's packed blocks, in
  /// order: the longest run of inputs, from where the last window ended, over
  /// which each of the block's four outputs has sum |w| <= packed_lane_limit.
  template <class G, class F>
  static constexpr void for_each_packed_window(const G& g, int i, F&& f) {
    const auto& n = g.at(i);
    const int outputs = n.weights.spec.dims[0], inputs = n.weights.spec.dims[1];
    for (int k = 0; k < outputs / 4; ++k) {
      int sum[4] = {}, length = 0;
      for (int x = 0; x < inputs; ++x) {
        int magnitude[4] = {};
        bool fits = true;
        for (int j = 0; j < 4; ++j) {
          const int w = n.weights.i8[(4 * k + j) * inputs + x];
          magnitude[j] = w < 0 ? -w : w;
          fits = fits && sum[j] + magnitude[j] <= packed_lane_limit;
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
  static constexpr int packed_windows(const G& g, int i) {
    if (!packs(g, i)) return 0;
    int count = 0;
    for_each_packed_window(g, i, [&](int, int) { ++count; });
    return count;
  }
  /// Entries of node i's block_windows: one per block of four outputs, and
  /// the end.
  template <class G>
  static constexpr int packed_blocks(const G& g, int i) {
    return packs(g, i) ? g.at(i).weights.spec.dims[0] / 4 + 1 : 0;
  }
  /// Writes node i's packed weights, windows and block_windows (see
  /// fully_connected_packed).
  template <class G>
  static constexpr void fill_packed(const G& g, int i, std::int32_t* words, std::uint16_t* windows,
                                    std::int32_t* block_windows) {
    if (!packs(g, i)) return;
    const auto& n = g.at(i);
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

  template <class T, class G>
  static constexpr auto make_args(const G& g, int i, const exec::node_tables& tables) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    const shape& ws = n.weights.spec.dims;
    if constexpr (std::is_same_v<T, std::int16_t>) {
      fully_connected16_args a{};
      a.in_size = ws[1];
      a.out_size = ws[0];
      a.batches = static_cast<int>(in.dims.elements() / ws[1]);
      a.input_offset = -in.quant.zero_point;
      a.e = exec::make_wide_epilogue(g.spec(n.output), n, tables, n.weights.spec.quant.per_channel() ? 1 : 0, true);
      a.weights = n.weights.i8;
      return a;
    } else {
      return make_args_narrow<T>(g, i, tables);
    }
  }
  template <class T, class G>
  static constexpr fully_connected_args<T> make_args_narrow(const G& g, int i, const exec::node_tables& tables) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    const shape& ws = n.weights.spec.dims;
    fully_connected_args<T> a{};
    a.in_size = ws[1];
    a.out_size = ws[0];
    a.batches = static_cast<int>(in.dims.elements() / ws[1]);
    a.e = exec::make_epilogue<T>(in, g.spec(n.output), n, tables, n.weights.spec.quant.per_channel() ? 1 : 0);
    if constexpr (std::is_same_v<T, std::int8_t>) {
      if (tables.use_packed) {
        a.packed = tables.packed;
        a.windows = tables.packed_windows;
        a.block_windows = tables.block_windows;
        return a;  // no int8 weights: flash keeps the packed ones only
      }
    }
    a.weights = exec::weights_of<T>(n);
    return a;
  }

  template <class Isa, class T, class Args>
  [[gnu::always_inline]] static void run(const Args& a, const kernel_io& io, tile t) {
    if constexpr (std::is_same_v<T, std::int16_t>) {
      fully_connected16(a, io.input<T>(0), io.output<T>(), t);
    } else {
      fully_connected<T, Isa::dsp>(a, io.input<T>(0), io.output<T>(), t);
    }
  }

  /// int8 and float32 layers share kernels by shape; 16x8 ones run their
  /// own (fully_connected16).
  template <class Args>
  requires(!std::is_same_v<Args, fully_connected16_args>) static constexpr exec::fully_connected_shape
      shape_key(const Args& a) {
    if constexpr (requires { a.e.requant_step; }) {
      return {a.batches,
              a.in_size,
              a.out_size,
              a.e.requant_step,
              exec::fused_epilogue(a),
              exec::int8_clamp(a),
              a.e.min_at_zero_point};
    } else {
      return {a.batches, a.in_size, a.out_size, 0, false, {}, false};
    }
  }
  /// The kernel for every layer of one shape (Key): on packed weights where
  /// the compiled model packed them (packs, the same condition).
  template <auto Key, class Isa, class T>
  [[gnu::always_inline]] static void run_shaped(const fully_connected_args<T>& args, const T* in, T* out, tile t) {
    static constexpr exec::fully_connected_shape key = Key;  // see conv2d_op::run_shaped
    fully_connected_args<T> a = args;
    a.batches = key.batches;
    a.in_size = key.in_size;
    a.out_size = key.out_size;
    if constexpr (requires { a.e.requant_step; }) a.e.requant_step = key.requant_step;
    if constexpr (requires { a.e.use_fused; }) {
      a.e.use_fused = key.fused;
      a.e.act = key.act;
      a.e.min_at_zero_point = key.min_at_zero_point;
    }
    if constexpr (requires { a.e.use_residual; }) a.e.use_residual = false;  // only convolutions do a residual add
    if constexpr (std::is_same_v<T, std::int8_t>) {
      if constexpr (fc_packs(key.in_size, key.out_size)) {
        fully_connected_packed<key.in_size>(a, in, out, t);
        return;
      }
    }
    fully_connected<T, Isa::dsp>(a, in, out, t);
  }
};

}  // namespace weft::ops
