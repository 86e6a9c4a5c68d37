// SPDX-License-Identifier: Apache-2.0
// Reductions over a set of axes (TFLite's reference reductions, up to 4-D):
// MEAN, SUM, REDUCE_MAX, ARG_MAX and ARG_MIN. The reduction family does what
// they share: the reduced shape, the walk over each output's input elements
// (in the input's order, as TFLite's Reduce does), the tiles (ranges of
// output elements) and their cut across cores. A unit of the family states
// only its accumulation and its output arithmetic:
//
//   static constexpr reduce_options reduction(const options&, int rank);
//       the axes it reduces (ARG_*: its one axis, not kept)
//   static constexpr ops::inferred infer(const operands&, const options&);
//       (reduced_spec gives the shape; the unit checks dtypes, quantization)
//   template <class T, class G> static constexpr auto output_args(const G&, int i);
//       the constants of its output arithmetic on input element type T
//   template <class T> static auto start();       the empty accumulator
//   static auto add(acc, T x, int k);               x, the k-th element of the group
//   static auto finish(const Args&, acc);           the output element
//
// MEAN: float32 divides the sum by the element count once; int8 folds
// 1/count into the rescaling multiplier as TFLite's QuantizedMeanOrSum does
// (so a mean of 1.25 may give 2: its rounding is two roundings, not one).
// SUM: the same sums, int8 rescaled by the plain input-to-output multiplier.
// REDUCE_MAX: the largest stored value (float32 from -FLT_MAX: NaNs are
// skipped); int8 needs the output quantized as the input.
// ARG_MAX / ARG_MIN: the index of the first largest (smallest) element along
// one axis, as int32; a later element replaces the best only when strictly
// greater (smaller), so a NaN first stays and later NaNs are skipped.
#pragma once

#include "weft/ops/unary.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace weft {

struct reduce_options {
  /// axes[d]: input axis d is reduced.
  std::array<bool, max_rank> axes{};
  bool keep_dims = true;
};
/// MEAN's options (the reductions' since SUM and REDUCE_MAX joined).
using mean_options = reduce_options;

struct arg_options {
  /// The axis reduced (negative: counted from the last, as TFLite does).
  int axis = 0;
};

namespace ops {

/// A reduction kernel's arguments: the 4-D input, its reduced axes, and the
/// constants of the unit's output arithmetic.
template <class Out>
struct reduce_args {
  shape in{};                  // 4-D
  std::array<bool, 4> axes{};  // of the 4-D input
  Out out{};
};

/// Outputs [t.row_begin, t.row_end) of unit U, in the order of the output's
/// elements: each folds its input elements in the input's order.
template <class U, class T, class Out, class O>
[[gnu::always_inline]] inline void reduce(const reduce_args<Out>& a, const T* in, O* out, tile t) {
  // The output's extents: 1 along reduced axes.
  std::array<int, 4> o{};
  for (int d = 0; d < 4; ++d) o[static_cast<std::size_t>(d)] = a.axes[static_cast<std::size_t>(d)] ? 1 : a.in[d];
  std::array<int, 4> r{};  // the reduced extents
  for (int d = 0; d < 4; ++d) r[static_cast<std::size_t>(d)] = a.axes[static_cast<std::size_t>(d)] ? a.in[d] : 1;
  for (int e = t.row_begin; e < t.row_end; ++e) {
    const int c3 = e % o[3], c2 = e / o[3] % o[2], c1 = e / (o[3] * o[2]) % o[1], c0 = e / (o[3] * o[2] * o[1]);
    auto acc = U::template start<T>();
    int k = 0;
    for (int i0 = 0; i0 < r[0]; ++i0)
      for (int i1 = 0; i1 < r[1]; ++i1)
        for (int i2 = 0; i2 < r[2]; ++i2)
          for (int i3 = 0; i3 < r[3]; ++i3) {
            const std::ptrdiff_t at =
                ((static_cast<std::ptrdiff_t>(c0 + i0) * a.in[1] + (c1 + i1)) * a.in[2] + (c2 + i2)) * a.in[3] +
                (c3 + i3);
            acc = U::add(acc, in[at], k++);
          }
    out[e] = U::finish(a.out, acc);
  }
}

/// Elements each output of a reduction over `r` folds.
constexpr std::int64_t reduced_count(const shape& in, const reduce_options& r) {
  std::int64_t n = 1;
  for (int d = 0; d < in.rank; ++d)
    if (r.axes[static_cast<std::size_t>(d)]) n *= in[d];
  return n;
}

/// The spec of input `in` reduced over `r` (its dtype and quantization kept;
/// a shape of no axis left is [1]), or bad_axes for an axis it lacks.
constexpr inferred reduced_spec(const tensor_spec& in, const reduce_options& r) {
  inferred x{};
  x.out = in;
  x.out.dims = shape{};
  for (int d = 0; d < max_rank; ++d) {
    const bool reduced = r.axes[static_cast<std::size_t>(d)];
    if (d >= in.dims.rank) {
      if (reduced) return {.err = error::bad_axes};
      continue;
    }
    if (!reduced || r.keep_dims) x.out.dims[x.out.dims.rank++] = reduced ? 1 : in.dims[d];
  }
  if (x.out.dims.rank == 0) x.out.dims = shape{1};
  x.macs = in.dims.elements();
  return x;
}

template <class U>
struct reduction_family : elementwise_family {
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::movement;

  template <class G>
  static constexpr reduce_options reduction_of(const G& g, int i) {
    const auto& n = g.at(i);
    return U::reduction(n.template opt<typename U::options>(), g.spec(n.inputs[0]).dims.rank);
  }

  /// Cut by output elements, each costing its count of input elements.
  static constexpr int row_unit(const shape&) { return 1; }
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    const auto& n = g.at(i);
    const std::int64_t outputs = g.spec(n.output).dims.elements();
    std::array<divisible, 2> a{};
    a[0] = {split_axis::rows, static_cast<int>(outputs),
            reduced_count(g.spec(n.inputs[0]).dims, reduction_of(g, i)) + m.per_output};
    return a;
  }
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    accesses a = elementwise_family::access(g, plan, i, t);
    a.reads[0] = plan_detail::whole(g, plan, g.at(i).inputs[0]);
    return a;
  }

  template <class T, class G>
  static constexpr auto make_args(const G& g, int i, const auto&) {
    const tensor_spec& in = g.spec(g.at(i).inputs[0]);
    const reduce_options r = reduction_of(g, i);
    reduce_args<decltype(U::template output_args<T>(g, i))> a{};
    a.in = as_4d(in.dims);
    const int lead = 4 - in.dims.rank;
    for (int d = 0; d < in.dims.rank; ++d)
      a.axes[static_cast<std::size_t>(lead + d)] = r.axes[static_cast<std::size_t>(d)];
    a.out = U::template output_args<T>(g, i);
    return a;
  }

  template <class Isa, class T, class Args>
  [[gnu::always_inline]] static void run(const Args& a, const kernel_io& io, tile t) {
    using O = decltype(U::finish(a.out, U::template start<T>()));
    reduce<U, T>(a, io.input<T>(0), io.output<O>(), t);
  }
};

/// The accumulation MEAN and SUM share: the sum, in float32 for float32
/// inputs, in int32 wrapping around (as TFLite's) for int8.
struct summing {
  template <class T>
  using sum_t = std::conditional_t<std::is_same_v<T, float>, float, std::int32_t>;
  template <class T>
  [[gnu::always_inline]] static sum_t<T> start() {
    return 0;
  }
  [[gnu::always_inline]] static float add(float sum, float x, int) { return sum + x; }
  [[gnu::always_inline]] static std::int32_t add(std::int32_t sum, std::int8_t x, int) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(sum) + static_cast<std::uint32_t>(x));
  }
  /// int16 (MEAN, SUM): the same int32 sum.
  [[gnu::always_inline]] static std::int32_t add(std::int32_t sum, std::int16_t x, int) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(sum) + static_cast<std::uint32_t>(x));
  }
};

/// An int8 sum's rescale to the output: sum - input_zero_point * count, then
/// `rescale`, offset and clamped (float32: `divisor` divides the sum).
struct sum_output {
  float divisor = 1.0f;
  std::int64_t zero_sum = 0;
  multiplier rescale{};
  std::int32_t output_zero_point = 0;
};

[[gnu::always_inline]] inline float finish_sum(const sum_output& a, float sum) { return sum / a.divisor; }
[[gnu::always_inline]] inline std::int8_t finish_sum(const sum_output& a, std::int32_t sum) {
  const auto shifted = static_cast<std::int32_t>(static_cast<std::uint64_t>(sum - a.zero_sum));
  const std::int32_t v = multiply_by_quantized_multiplier(shifted, a.rescale) + a.output_zero_point;
  return static_cast<std::int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
}

/// An int16 MEAN's or SUM's rescale: the int8 arithmetic, clamped to int16.
struct sum_output16 : sum_output {};
[[gnu::always_inline]] inline std::int16_t finish_sum(const sum_output16& a, std::int32_t sum) {
  const auto shifted = static_cast<std::int32_t>(static_cast<std::uint64_t>(sum - a.zero_sum));
  const std::int32_t v = multiply_by_quantized_multiplier(shifted, a.rescale) + a.output_zero_point;
  return static_cast<std::int16_t>(v < -32768 ? -32768 : (v > 32767 ? 32767 : v));
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

/// The spec of MEAN or SUM of x: int8 or float32, an int8 output with the
/// caller's quantization and a rescale TFLite can apply.
/// (int16 reaches only MEAN and SUM, the units that take it.)
constexpr inferred summed_spec(const operands& x, const reduce_options& o) {
  const tensor_spec& in = x.in[0];
  if (in.type != dtype::int8 && in.type != dtype::float32 && in.type != dtype::int16)
    return {.err = error::unsupported_dtype};
  inferred r = reduced_spec(in, o);
  if (r.err != error::none) return r;
  if (in.type != dtype::float32) {
    if (const error e = check_output_quantization(in, x.out); e != error::none) return {.err = e};
    r.out.quant = {x.out.scale, x.out.zero_point};
    const multiplier m = quantize_multiplier(static_cast<double>(in.quant.scale) / static_cast<double>(x.out.scale));
    if (m.value == 0 || !can_apply(m)) return {.err = error::scale_out_of_range};
  }
  return r;
}

/// The reductions over a set of axes (MEAN, SUM, REDUCE_MAX): their options.
struct reduce_over_axes {
  using options = reduce_options;
  static constexpr auto fields = std::tuple{field{"axes", &options::axes}, field{"keep_dims", &options::keep_dims}};
  static constexpr reduce_options reduction(const options& o, int) { return o; }
};

struct mean_op : reduction_family<mean_op>, reduce_over_axes, summing {
  /// int16: TFLite Micro's int8 arithmetic (any zero points), clamped to
  /// int16.
  static constexpr bool int16_input(int k) { return k == 0; }
  static constexpr inferred infer(const operands& x, const options& o) { return summed_spec(x, o); }

  template <class T, class G>
  static constexpr auto output_args(const G& g, int i) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    const std::int64_t count = reduced_count(in.dims, n.template opt<options>());
    std::conditional_t<std::is_same_v<T, std::int16_t>, sum_output16, sum_output> a{};
    a.divisor = static_cast<float>(count);
    if constexpr (!std::is_same_v<T, float>) {
      const quantization& out = g.spec(n.output).quant;
      a.zero_sum = std::int64_t{in.quant.zero_point} * count;
      a.rescale = mean_multiplier(in.quant, out, count);
      a.output_zero_point = out.zero_point;
    }
    return a;
  }
  template <class A, class S>
  [[gnu::always_inline]] static auto finish(const A& a, S sum) {
    return finish_sum(a, sum);
  }
};

struct sum_op : reduction_family<sum_op>, reduce_over_axes, summing {
  /// int16: TFLite Micro's int8 arithmetic (any zero points), clamped to
  /// int16, as MEAN's.
  static constexpr bool int16_input(int k) { return k == 0; }
  static constexpr inferred infer(const operands& x, const options& o) { return summed_spec(x, o); }

  template <class T, class G>
  static constexpr auto output_args(const G& g, int i) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    std::conditional_t<std::is_same_v<T, std::int16_t>, sum_output16, sum_output> a{};
    if constexpr (!std::is_same_v<T, float>) {
      const quantization& out = g.spec(n.output).quant;
      a.zero_sum = std::int64_t{in.quant.zero_point} * reduced_count(in.dims, n.template opt<options>());
      a.rescale = quantize_multiplier(static_cast<double>(in.quant.scale) / static_cast<double>(out.scale));
      a.output_zero_point = out.zero_point;
    }
    return a;
  }
  template <class A, class S>
  [[gnu::always_inline]] static auto finish(const A& a, S sum) {
    return finish_sum(a, sum);
  }
};

struct reduce_max_op : reduction_family<reduce_max_op>, reduce_over_axes {
  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8 && in.type != dtype::float32) return {.err = error::unsupported_dtype};
    if (in.type == dtype::int8 && (x.out.scale != in.quant.scale || x.out.zero_point != in.quant.zero_point))
      return {.err = error::reduce_max_quantization};
    return reduced_spec(in, o);
  }
  template <class T, class G>
  static constexpr no_args output_args(const G&, int) {
    return {};
  }
  template <class T>
  [[gnu::always_inline]] static T start() {
    return std::numeric_limits<T>::lowest();
  }
  template <class T>
  [[gnu::always_inline]] static T add(T best, T x, int) {
    return x > best ? x : best;
  }
  template <class T>
  [[gnu::always_inline]] static T finish(const no_args&, T best) {
    return best;
  }
};

/// ARG_MAX and ARG_MIN (Greater: ARG_MAX): the best value so far and its
/// index along the axis.
template <class U, bool Greater>
struct arg_unit : reduction_family<U> {
  using options = arg_options;
  static constexpr auto fields = std::tuple{field{"axis", &options::axis}};

  static constexpr reduce_options reduction(const options& o, int rank) {
    reduce_options r{};
    r.axes[static_cast<std::size_t>(o.axis < 0 ? o.axis + rank : o.axis)] = true;
    r.keep_dims = false;
    return r;
  }
  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8 && in.type != dtype::float32) return {.err = error::unsupported_dtype};
    const int rank = in.dims.rank;
    if (rank < 2 || o.axis < -rank || o.axis >= rank) return {.err = error::arg_axis};
    inferred r = reduced_spec(in, reduction(o, rank));
    r.out.type = dtype::int32;
    r.out.quant = {};
    return r;
  }
  template <class T, class G>
  static constexpr no_args output_args(const G&, int) {
    return {};
  }

  template <class T>
  struct best {
    T value{};
    std::int32_t index = 0;
  };
  template <class T>
  [[gnu::always_inline]] static best<T> start() {
    return {};
  }
  template <class T>
  [[gnu::always_inline]] static best<T> add(best<T> b, T x, int k) {
    // The first element starts the search; later ones replace it only when
    // strictly better (false for NaN either side).
    if (k == 0 || (Greater ? x > b.value : x < b.value)) return {x, k};
    return b;
  }
  template <class T>
  [[gnu::always_inline]] static std::int32_t finish(const no_args&, best<T> b) {
    return b.index;
  }
};

struct arg_max_op : arg_unit<arg_max_op, true> {};
struct arg_min_op : arg_unit<arg_min_op, false> {};

}  // namespace ops
}  // namespace weft
