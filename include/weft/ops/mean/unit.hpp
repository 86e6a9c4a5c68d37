// SPDX-License-Identifier: Apache-2.0
// MEAN over a set of axes (TFLite's reference reduction, up to 4-D). Each
// output sums its elements in the input's order; float32 divides the sum by
// the element count once, int8 folds 1/count into the rescaling multiplier
// as TFLite's QuantizedMeanOrSum does (so a mean of 1.25 may give 2: its
// rounding is two roundings, not one).
#pragma once

#include "weft/ops/unit.hpp"

#include <array>
#include <bit>
#include <cstdint>

namespace weft {

struct mean_options {
  /// axes[d]: input axis d is reduced.
  std::array<bool, max_rank> axes{};
  bool keep_dims = true;
};

namespace ops {

template <class T>
struct mean_args {
  shape in{};                  // 4-D
  std::array<bool, 4> axes{};  // of the 4-D input
  std::int64_t count = 1;      // elements per output
  // int8: sum - input_zero_point * count, rescaled by `rescale`.
  std::int64_t zero_sum = 0;
  multiplier rescale{};
  std::int32_t output_zero_point = 0;
};

/// Outputs [t.row_begin, t.row_end), in the order of the output's elements.
template <class T>
[[gnu::always_inline]] inline void mean(const mean_args<T>& a, const T* in, T* out, tile t) {
  // The output's extents: 1 along reduced axes.
  std::array<int, 4> o{};
  for (int d = 0; d < 4; ++d) o[static_cast<std::size_t>(d)] = a.axes[static_cast<std::size_t>(d)] ? 1 : a.in[d];
  std::array<int, 4> r{};  // the reduced extents
  for (int d = 0; d < 4; ++d) r[static_cast<std::size_t>(d)] = a.axes[static_cast<std::size_t>(d)] ? a.in[d] : 1;
  for (int e = t.row_begin; e < t.row_end; ++e) {
    const int c3 = e % o[3], c2 = e / o[3] % o[2], c1 = e / (o[3] * o[2]) % o[1], c0 = e / (o[3] * o[2] * o[1]);
    std::conditional_t<std::is_same_v<T, float>, float, std::int32_t> sum = 0;
    for (int i0 = 0; i0 < r[0]; ++i0)
      for (int i1 = 0; i1 < r[1]; ++i1)
        for (int i2 = 0; i2 < r[2]; ++i2)
          for (int i3 = 0; i3 < r[3]; ++i3) {
            const std::ptrdiff_t at =
                ((static_cast<std::ptrdiff_t>(c0 + i0) * a.in[1] + (c1 + i1)) * a.in[2] + (c2 + i2)) * a.in[3] +
                (c3 + i3);
            if constexpr (std::is_same_v<T, float>) {
              sum += in[at];
            } else {
              sum = static_cast<std::int32_t>(static_cast<std::uint32_t>(sum) + static_cast<std::uint32_t>(in[at]));
            }
          }
    if constexpr (std::is_same_v<T, float>) {
      out[e] = sum / static_cast<float>(a.count);
    } else {
      const auto shifted = static_cast<std::int32_t>(static_cast<std::uint64_t>(sum - a.zero_sum));
      const std::int32_t v = multiply_by_quantized_multiplier(shifted, a.rescale) + a.output_zero_point;
      out[e] = static_cast<std::int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
    }
  }
}

/// TFLite's multiplier of an int8 mean over `count` elements: the
/// input-to-output rescaling with 1/count folded in.
constexpr multiplier mean_multiplier(const quantization& in, const quantization& out, std::int64_t count) {
  const multiplier m0 = quantize_multiplier(static_cast<double>(in.scale) / static_cast<double>(out.scale));
  int k = 63 - std::countl_zero(static_cast<std::uint64_t>(count));
  k = k < 32 ? k : 32;
  k = k < 31 + m0.shift ? k : 31 + m0.shift;
  return {static_cast<std::int32_t>((static_cast<std::int64_t>(m0.value) << k) / count), m0.shift - k};
}

struct mean_op : elementwise_family {
  using options = mean_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields = std::tuple{field{"axes", &options::axes}, field{"keep_dims", &options::keep_dims}};

  static constexpr std::int64_t count(const shape& in, const options& o) {
    std::int64_t n = 1;
    for (int d = 0; d < in.rank; ++d)
      if (o.axes[static_cast<std::size_t>(d)]) n *= in[d];
    return n;
  }

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8 && in.type != dtype::float32) return {.err = error::unsupported_dtype};
    inferred r{};
    r.out = in;
    r.out.dims = shape{};
    for (int d = 0; d < max_rank; ++d) {
      const bool reduced = o.axes[static_cast<std::size_t>(d)];
      if (d >= in.dims.rank) {
        if (reduced) return {.err = error::bad_axes};
        continue;
      }
      if (!reduced || o.keep_dims) r.out.dims[r.out.dims.rank++] = reduced ? 1 : in.dims[d];
    }
    if (r.out.dims.rank == 0) r.out.dims = shape{1};
    if (in.type == dtype::int8) {
      if (!valid_int8_quantization(x.out)) return {.err = error::bad_quantization};
      r.out.quant = {x.out.scale, x.out.zero_point};
      if (quantize_multiplier(static_cast<double>(in.quant.scale) / static_cast<double>(x.out.scale)).value == 0)
        return {.err = error::scale_out_of_range};
    }
    r.macs = in.dims.elements();
    return r;
  }

  /// Cut by output elements, each costing its count of input elements.
  static constexpr int row_unit(const shape&) { return 1; }
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    const auto& n = g.at(i);
    const std::int64_t outputs = g.spec(n.output).dims.elements();
    std::array<divisible, 2> a{};
    a[0] = {split_axis::rows, static_cast<int>(outputs),
            count(g.spec(n.inputs[0]).dims, n.template opt<options>()) + m.per_output};
    return a;
  }
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    accesses a = elementwise_family::access(g, plan, i, t);
    a.reads[0] = plan_detail::whole(g, plan, g.at(i).inputs[0]);
    return a;
  }

  template <class T, class G>
  static constexpr mean_args<T> make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    const options& o = n.template opt<options>();
    mean_args<T> a{};
    a.in = as_4d(in.dims);
    const int lead = 4 - in.dims.rank;
    for (int d = 0; d < in.dims.rank; ++d)
      a.axes[static_cast<std::size_t>(lead + d)] = o.axes[static_cast<std::size_t>(d)];
    a.count = count(in.dims, o);
    if constexpr (std::is_same_v<T, std::int8_t>) {
      const quantization& out = g.spec(n.output).quant;
      a.zero_sum = std::int64_t{in.quant.zero_point} * a.count;
      a.rescale = mean_multiplier(in.quant, out, a.count);
      a.output_zero_point = out.zero_point;
    }
    return a;
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const mean_args<T>& a, const kernel_io& io, tile t) {
    mean(a, io.input<T>(0), io.output<T>(), t);
  }
};

}  // namespace ops
}  // namespace weft
