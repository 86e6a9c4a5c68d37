// SPDX-License-Identifier: Apache-2.0
// The resize family: RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR of an NHWC
// image to a constant size, one unit with two kinds sharing the options
// (size, align_corners, half_pixel_centers), the spec, the cuts and a
// compile-time index table, so that kernels only read and combine.
//
// Nearest: each output pixel (y, x) is the input pixel nearest to it, as
// TFLite's reference ResizeNearestNeighbor picks it: a copy. The table holds
// the source row of every output row, then the source column of every
// output column, computed in float32 as TFLite computes them.
//
// Bilinear: each output pixel mixes the four input pixels around it, as
// TFLite's reference ResizeBilinear (float32) and ResizeBilinearInteger
// (int8: integer weights in 1/1024ths, values interpolated raw, no zero
// points) compute it; align_corners with half_pixel_centers is refused, as
// TFLite Micro refuses it. The table holds, for every output row and then
// every output column, the lower and upper source index and the weight of
// the upper one (int8: an integer in 1/1024ths; float32: the float's bits).
// The output keeps the input's dtype and quantization.
#pragma once

#include "weft/exec/tables.hpp"
#include "weft/ops/unit.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace weft {

struct resize_options {
  hw size{1, 1};  // the output's height and width
  bool align_corners = false;
  bool half_pixel_centers = false;
};

namespace ops {

/// The input index TFLite's GetNearestNeighbor reads for output index `out`
/// along an axis of `in_size` resized to `out_size`: the scale and the
/// position in float32, then floor (or round half away from zero, with
/// align_corners), clamped to the input.
constexpr int nearest_source(int out, int in_size, int out_size, bool align_corners, bool half_pixel_centers) {
  const float scale = align_corners && out_size > 1 ? static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1)
                                                    : static_cast<float>(in_size) / static_cast<float>(out_size);
  const float p = (static_cast<float>(out) + (half_pixel_centers ? 0.5f : 0.0f)) * scale;
  // p >= 0: floor is truncation, and round is floor(p + 0.5), exact in double.
  int index = align_corners ? static_cast<int>(static_cast<double>(p) + 0.5) : static_cast<int>(p);
  if (index > in_size - 1) index = in_size - 1;
  if (half_pixel_centers && index < 0) index = 0;
  return index;
}

template <class T>
struct resize_nearest_args {
  shape in{}, out{};                   // NHWC
  const std::int32_t* rows = nullptr;  // source row of each output row, then source column of each output column
};

/// Rows [t.row_begin, t.row_end) of the output's [N * H * W, C] view.
template <class T>
[[gnu::always_inline]] inline void resize_nearest(const resize_nearest_args<T>& a, const T* in, T* out, tile t) {
  const int c = a.out[3];
  const std::int32_t* cols = a.rows + a.out[1];
  for (int r = t.row_begin; r < t.row_end; ++r) {
    const int x = r % a.out[2], y = r / a.out[2] % a.out[1], n = r / (a.out[2] * a.out[1]);
    const T* from = in + ((static_cast<std::ptrdiff_t>(n) * a.in[1] + a.rows[y]) * a.in[2] + cols[x]) * c;
    std::memcpy(out + static_cast<std::ptrdiff_t>(r) * c, from, static_cast<std::size_t>(c) * sizeof(T));
  }
}

/// One output coordinate of a bilinear resize along one axis: the source
/// indices below and above it and the weight of the one above.
struct bilinear_tap {
  std::int32_t lo = 0, hi = 0;
  std::int32_t weight = 0;  // int8: 1/1024ths; float32: the bits of a float
};

/// TFLite's ComputeInterpolationValuesInteger for output index v: scale in
/// 1/1024ths (rounded), the position, its floor clamped at 0 and its
/// ceiling clamped at size - 1 (C++ truncating divisions, as TFLite).
constexpr bilinear_tap bilinear_source_int(int v, int in_size, int out_size, bool align_corners,
                                           bool half_pixel_centers) {
  std::int32_t scale = ((1 << 10) * in_size + out_size / 2) / out_size;
  if (align_corners && out_size > 1) scale = ((1 << 10) * (in_size - 1) + (out_size - 1) / 2) / (out_size - 1);
  const std::int32_t p = half_pixel_centers ? v * scale + scale / 2 - (1 << 9) : v * scale;
  bilinear_tap t{};
  t.lo = p / (1 << 10) > 0 ? p / (1 << 10) : 0;
  t.hi = (p + (1 << 10) - 1) / (1 << 10) < in_size - 1 ? (p + (1 << 10) - 1) / (1 << 10) : in_size - 1;
  t.weight = p - (1 << 10) * t.lo;
  return t;
}

/// TFLite's ComputeInterpolationValues for output index v, in float32: the
/// position, floor and ceiling clamped to the input, and the weight of the
/// upper index, position - lower (which may fall outside [0, 1] at the
/// borders with half_pixel_centers, as in TFLite).
constexpr bilinear_tap bilinear_source_float(int v, int in_size, int out_size, bool align_corners,
                                             bool half_pixel_centers) {
  float scale = static_cast<float>(in_size) / static_cast<float>(out_size);
  if (align_corners && out_size > 1) scale = static_cast<float>(in_size - 1) / static_cast<float>(out_size - 1);
  const float p = half_pixel_centers ? (static_cast<float>(v) + 0.5f) * scale - 0.5f : static_cast<float>(v) * scale;
  // floor and ceil of a small float, by truncation then a step.
  int floor = static_cast<int>(p);
  if (static_cast<float>(floor) > p) --floor;
  int ceil = static_cast<int>(p);
  if (static_cast<float>(ceil) < p) ++ceil;
  bilinear_tap t{};
  t.lo = floor > 0 ? floor : 0;
  t.hi = ceil < in_size - 1 ? ceil : in_size - 1;
  t.weight = std::bit_cast<std::int32_t>(p - static_cast<float>(t.lo));
  return t;
}

template <class T>
struct resize_bilinear_args {
  shape in{}, out{};  // NHWC
  /// One bilinear_tap per output row, then one per output column, each as
  /// three words (lo, hi, weight).
  const std::int32_t* taps = nullptr;
};

/// Entry k of a bilinear table.
[[gnu::always_inline]] inline bilinear_tap tap_at(const std::int32_t* taps, int k) {
  return {taps[3 * k], taps[3 * k + 1], taps[3 * k + 2]};
}

/// Rows [t.row_begin, t.row_end) of the output's [N * H * W, C] view.
/// int8: the four weighted values summed in int64 and divided by 2^20,
/// rounding half away from zero; float32: TFLite's expression, term by term
/// in its order.
template <class T>
[[gnu::always_inline]] inline void resize_bilinear(const resize_bilinear_args<T>& a, const T* in, T* out, tile t) {
  const int c = a.out[3];
  for (int r = t.row_begin; r < t.row_end; ++r) {
    const int x = r % a.out[2], y = r / a.out[2] % a.out[1], n = r / (a.out[2] * a.out[1]);
    const bilinear_tap ty = tap_at(a.taps, y);
    const bilinear_tap tx = tap_at(a.taps, a.out[1] + x);
    const T* image = in + static_cast<std::ptrdiff_t>(n) * a.in[1] * a.in[2] * c;
    const T* v00 = image + (static_cast<std::ptrdiff_t>(ty.lo) * a.in[2] + tx.lo) * c;
    const T* v10 = image + (static_cast<std::ptrdiff_t>(ty.hi) * a.in[2] + tx.lo) * c;
    const T* v01 = image + (static_cast<std::ptrdiff_t>(ty.lo) * a.in[2] + tx.hi) * c;
    const T* v11 = image + (static_cast<std::ptrdiff_t>(ty.hi) * a.in[2] + tx.hi) * c;
    T* o = out + static_cast<std::ptrdiff_t>(r) * c;
    if constexpr (std::is_same_v<T, float>) {
      const float fy = std::bit_cast<float>(ty.weight), fx = std::bit_cast<float>(tx.weight);
      const float gy = 1.0f - fy, gx = 1.0f - fx;
      for (int k = 0; k < c; ++k)
        o[k] = v00[k] * gy * gx + v10[k] * fy * gx + v01[k] * gy * fx + v11[k] * fy * fx + 0.0f;
    } else {
      const std::int64_t fy = ty.weight, fx = tx.weight;
      const std::int64_t gy = (1 << 10) - fy, gx = (1 << 10) - fx;
      for (int k = 0; k < c; ++k) {
        const std::int64_t sum = v00[k] * gy * gx + v10[k] * fy * gx + v01[k] * gy * fx + v11[k] * fy * fx;
        o[k] = static_cast<T>((sum + (sum > 0 ? (1 << 19) : -(1 << 19))) / (1 << 20));
      }
    }
  }
}

enum class resize_kind : std::uint8_t { nearest, bilinear };

template <resize_kind Kind>
struct resize_op : movement_family {
  using options = resize_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields =
      std::tuple{field{"size", &options::size}, field{"align_corners", &options::align_corners},
                 field{"half_pixel_centers", &options::half_pixel_centers}};

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    if (in.type != dtype::int8 && in.type != dtype::float32) return {.err = error::unsupported_dtype};
    if (in.dims.rank != 4) return {.err = error::not_4d};
    if (o.size.h < 1 || o.size.w < 1 || o.size.h > 32767 || o.size.w > 32767) return {.err = error::bad_size};
    if (Kind == resize_kind::bilinear && o.align_corners && o.half_pixel_centers)
      return {.err = error::resize_align_and_half_pixel};
    inferred r{};
    r.out = in;
    r.out.dims[1] = o.size.h;
    r.out.dims[2] = o.size.w;
    return r;
  }

  /// A copy per element, or four multiply-adds.
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    return rows_of_output(g, i, Kind == resize_kind::nearest ? 1 : m.per_output);
  }

  /// The table (see the top of this file): one entry per output row and
  /// column, an entry one index (nearest) or one bilinear_tap.
  static constexpr int entry_words = Kind == resize_kind::nearest ? 1 : 3;
  template <class G>
  static constexpr int table_count(const G& g, int i) {
    const options& o = g.at(i).template opt<options>();
    return entry_words * (o.size.h + o.size.w);
  }
  template <class G>
  static constexpr void fill_table(const G& g, int i, std::int32_t* table) {
    const auto& n = g.at(i);
    const options& o = n.template opt<options>();
    const shape& in = g.spec(n.inputs[0]).dims;
    const bool is_float = g.spec(n.inputs[0]).type == dtype::float32;
    auto entry = [&](int v, int in_size, int out_size, std::int32_t* at) {
      if constexpr (Kind == resize_kind::nearest) {
        at[0] = nearest_source(v, in_size, out_size, o.align_corners, o.half_pixel_centers);
      } else {
        const bilinear_tap t = is_float
                                   ? bilinear_source_float(v, in_size, out_size, o.align_corners, o.half_pixel_centers)
                                   : bilinear_source_int(v, in_size, out_size, o.align_corners, o.half_pixel_centers);
        at[0] = t.lo;
        at[1] = t.hi;
        at[2] = t.weight;
      }
    };
    for (int y = 0; y < o.size.h; ++y) entry(y, in[1], o.size.h, table + entry_words * y);
    for (int x = 0; x < o.size.w; ++x) entry(x, in[2], o.size.w, table + entry_words * (o.size.h + x));
  }

  template <class T, class G>
  static constexpr auto make_args(const G& g, int i, const exec::node_tables& tables) {
    const auto& n = g.at(i);
    if constexpr (Kind == resize_kind::nearest) {
      return resize_nearest_args<T>{g.spec(n.inputs[0]).dims, g.spec(n.output).dims, tables.add_table};
    } else {
      return resize_bilinear_args<T>{g.spec(n.inputs[0]).dims, g.spec(n.output).dims, tables.add_table};
    }
  }

  template <class Isa, class T, class Args>
  [[gnu::always_inline]] static void run(const Args& a, const kernel_io& io, tile t) {
    if constexpr (Kind == resize_kind::nearest) {
      resize_nearest(a, io.input<T>(0), io.output<T>(), t);
    } else {
      resize_bilinear(a, io.input<T>(0), io.output<T>(), t);
    }
  }
};

using resize_nearest_neighbor_op = resize_op<resize_kind::nearest>;
using resize_bilinear_op = resize_op<resize_kind::bilinear>;

}  // namespace ops
}  // namespace weft
