// SPDX-License-Identifier: Apache-2.0
// GATHER (TFLite's reference kernel): slices of the input along `axis`
// picked by int32 positions, per batch of the first `batch_dims` axes.
// Output shape: input[:axis] + positions[batch_dims:] + input[axis + 1:].
// The positions are a constant (each checked when the model compiles:
// TFLite Micro aborts on one outside the axis, weft refuses the model) or an
// int32 model input, token ids say. A position read at run time outside
// [0, axis size) never reads outside the input: its slice of the output is
// 0.0 (an int8 input's zero point), where TFLite Micro would abort (GATHER)
// or stop with an error (EMBEDDING_LOOKUP).
// A raw copy: the output has the input's dtype; an int8 output takes the
// quantization the caller gives (TFLite Micro copies the stored values
// whatever the output tensor's quantization says), the input's by default.
// TFLite's EMBEDDING_LOOKUP is a gather along axis 0 of 1-D positions (the
// reader maps it here), and may also read an int8 table into a float32
// output (`dequantize`): each value times the table's scale, in float.
#pragma once

#include "weft/ops/unit.hpp"

#include <array>
#include <cstdint>
#include <type_traits>

namespace weft {

struct gather_options {
  /// The input axis positions index (negative: from the last).
  int axis = 0;
  /// Leading axes input and positions share: each batch gathers with its
  /// own positions (negative: from the positions' last axis).
  int batch_dims = 0;
  /// An int8 input read into a float32 output: each value times the
  /// input's scale (EMBEDDING_LOOKUP's hybrid lookup; zero point 0).
  bool dequantize = false;
};

namespace ops {

struct gather_args {
  int inner = 1;      // elements per slice: the input's axes after `axis`
  int coord = 1;      // positions per batch: the positions' axes after batch_dims
  int outer = 1;      // slices per batch before the axis: input axes batch_dims..axis-1
  int axis_size = 1;  // the input's extent along `axis`
  std::int32_t zero_point = 0;
  bool dequantize = false;
  float scale = 1.0f;  // dequantize: the input's scale
};

/// The output's elements [t.row_begin, t.row_end), slice by slice; O is T,
/// or float for an int8 input that is dequantized (TFLite's
/// (float)value * scale).
template <class T, class O>
[[gnu::always_inline]] inline void gather(const gather_args& a, const T* in, const std::int32_t* pos, O* out, tile t) {
  auto value = [&](T v) {
    if constexpr (std::is_same_v<T, O>) {
      return v;
    } else {
      return static_cast<O>(v) * a.scale;
    }
  };
  for (int e = t.row_begin; e < t.row_end;) {
    const int s = e / a.inner, i = e - s * a.inner;
    const int n = a.inner - i < t.row_end - e ? a.inner - i : t.row_end - e;
    const int c = s % a.coord, bo = s / a.coord, b = bo / a.outer;
    const std::int32_t p = pos[b * a.coord + c];
    if (p >= 0 && p < a.axis_size) {
      const T* from = in + (static_cast<std::ptrdiff_t>(bo) * a.axis_size + p) * a.inner + i;
      for (int k = 0; k < n; ++k) out[e + k] = value(from[k]);
    } else {
      for (int k = 0; k < n; ++k) out[e + k] = static_cast<O>(a.zero_point);
    }
    e += n;
  }
}

struct gather_op : elementwise_family {
  using options = gather_options;
  static constexpr int min_inputs = 2, max_inputs = 2;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields = std::tuple{field{"axis", &options::axis}, field{"batch_dims", &options::batch_dims},
                                            field{"dequantize", &options::dequantize}};
  /// Input 1 (the positions) is int32, a constant or an activation.
  static constexpr bool int32_input(int k) { return k == 1; }

  struct geometry {
    int axis = 0, batch_dims = 0;
    bool ok = false;
  };
  /// The axis and batch_dims resolved, and whether TFLite takes them.
  static constexpr geometry resolve(const shape& in, const shape& pos, const options& o) {
    geometry g{o.axis < 0 ? o.axis + in.rank : o.axis, o.batch_dims < 0 ? o.batch_dims + pos.rank : o.batch_dims};
    g.ok = g.axis >= 0 && g.axis < in.rank && g.batch_dims >= 0 && g.batch_dims < in.rank && g.batch_dims <= g.axis &&
           g.batch_dims <= pos.rank;
    for (int d = 0; g.ok && d < g.batch_dims; ++d) g.ok = in[d] == pos[d];
    return g;
  }

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    const tensor_spec& pos = x.in[1];
    if (in.type != dtype::int8 && in.type != dtype::float32) return {.err = error::unsupported_dtype};
    if (pos.type != dtype::int32) return {.err = error::gather_positions};
    const geometry g = resolve(in.dims, pos.dims, o);
    if (!g.ok) return {.err = error::gather_axes};
    if (in.dims.rank - 1 + pos.dims.rank - g.batch_dims > max_rank) return {.err = error::gather_axes};
    inferred r{};
    r.out = in;
    if (o.dequantize) {
      if (in.type != dtype::int8) return {.err = error::unsupported_dtype};
      if (in.quant.zero_point != 0) return {.err = error::gather_dequantize};
      r.out = {dtype::float32, {}, {}};
    } else if (in.type == dtype::int8 && x.out.scale != 0.0f) {
      if (!valid_int8_quantization(x.out)) return {.err = error::bad_quantization};
      r.out.quant = {x.out.scale, x.out.zero_point};
    }
    r.out.dims = shape{};
    for (int d = 0; d < g.axis; ++d) r.out.dims[r.out.dims.rank++] = in.dims[d];
    for (int d = g.batch_dims; d < pos.dims.rank; ++d) r.out.dims[r.out.dims.rank++] = pos.dims[d];
    for (int d = g.axis + 1; d < in.dims.rank; ++d) r.out.dims[r.out.dims.rank++] = in.dims[d];
    const constant& c = x.consts[1];
    for (std::int64_t k = 0; k < c.provided; ++k)
      if (c.i32[k] < 0 || c.i32[k] >= in.dims[g.axis]) return {.err = error::gather_index};
    r.macs = r.out.dims.elements();
    return r;
  }

  /// Cut by rows of the output's last axis; each element is one copy.
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model&, in_place_kind) {
    return rows_of_output(g, i, 1);
  }
  /// A core writes its elements and may read any of the input and positions.
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    accesses a = elementwise_family::access(g, plan, i, t);
    a.reads[0] = plan_detail::whole(g, plan, g.at(i).inputs[0]);
    a.reads[1] = plan_detail::whole(g, plan, g.at(i).inputs[1]);
    return a;
  }

  template <class T, class G>
  static constexpr gather_args make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    const shape& pos = g.spec(n.inputs[1]).dims;
    const geometry r = resolve(in.dims, pos, n.template opt<options>());
    gather_args a{};
    for (int d = r.axis + 1; d < in.dims.rank; ++d) a.inner *= in.dims[d];
    for (int d = r.batch_dims; d < pos.rank; ++d) a.coord *= pos[d];
    for (int d = r.batch_dims; d < r.axis; ++d) a.outer *= in.dims[d];
    a.axis_size = in.dims[r.axis];
    a.zero_point = in.type == dtype::int8 ? in.quant.zero_point : 0;
    a.dequantize = n.template opt<options>().dequantize;
    a.scale = in.quant.scale;
    return a;
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const gather_args& a, const kernel_io& io, tile t) {
    if constexpr (std::is_same_v<T, std::int8_t>) {
      if (a.dequantize) {
        gather(a, io.input<T>(0), io.input<std::int32_t>(1), io.output<float>(), t);
        return;
      }
    }
    gather(a, io.input<T>(0), io.input<std::int32_t>(1), io.output<T>(), t);
  }
};

}  // namespace ops
}  // namespace weft
