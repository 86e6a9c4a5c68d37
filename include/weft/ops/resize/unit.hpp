// SPDX-License-Identifier: Apache-2.0
// RESIZE_NEAREST_NEIGHBOR: each output pixel (y, x) of an NHWC image is the
// input pixel nearest to it, as TFLite's reference ResizeNearestNeighbor
// picks it (align_corners, half_pixel_centers). Pure data movement: the
// output keeps the input's dtype and quantization. The source row of every
// output row and the source column of every output column are computed at
// compile time, in float32 as TFLite computes them, so the kernel only
// copies.
#pragma once

#include "weft/exec/tables.hpp"
#include "weft/ops/unit.hpp"

#include <cstdint>
#include <cstring>

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

struct resize_nearest_neighbor_op : movement_family {
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
    inferred r{};
    r.out = in;
    r.out.dims[1] = o.size.h;
    r.out.dims[2] = o.size.w;
    return r;
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model&, in_place_kind) {
    return rows_of_output(g, i, 1);
  }

  /// The table: the source row of each output row, then the source column
  /// of each output column.
  template <class G>
  static constexpr int table_count(const G& g, int i) {
    const options& o = g.at(i).template opt<options>();
    return o.size.h + o.size.w;
  }
  template <class G>
  static constexpr void fill_table(const G& g, int i, std::int32_t* table) {
    const auto& n = g.at(i);
    const options& o = n.template opt<options>();
    const shape& in = g.spec(n.inputs[0]).dims;
    for (int y = 0; y < o.size.h; ++y)
      table[y] = nearest_source(y, in[1], o.size.h, o.align_corners, o.half_pixel_centers);
    for (int x = 0; x < o.size.w; ++x)
      table[o.size.h + x] = nearest_source(x, in[2], o.size.w, o.align_corners, o.half_pixel_centers);
  }

  template <class T, class G>
  static constexpr resize_nearest_args<T> make_args(const G& g, int i, const exec::node_tables& tables) {
    const auto& n = g.at(i);
    return {g.spec(n.inputs[0]).dims, g.spec(n.output).dims, tables.add_table};
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const resize_nearest_args<T>& a, const kernel_io& io, tile t) {
    resize_nearest(a, io.input<T>(0), io.output<T>(), t);
  }
};

}  // namespace ops
}  // namespace weft
