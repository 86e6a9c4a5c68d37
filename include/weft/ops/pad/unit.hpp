// SPDX-License-Identifier: Apache-2.0
// PAD and PADV2: the input surrounded by a constant, per axis `before`
// elements in front and `after` behind (TFLite's reference Pad, up to 4-D).
// The output keeps the input's quantization; an int8 tensor is padded with
// its zero point unless a value is given. Where the value is what a
// convolution reads outside its input, the importer folds the PAD into the
// convolution's padding instead (docs/tool.md).
//
// MIRROR_PAD: the same amounts and output shape, the padding a mirror image
// of the input (TFLite Micro's mirror_pad.cc): REFLECT leaves the border
// element out of the mirror, SYMMETRIC repeats it. Along an axis of size S
// with `before` = L, output index p reads input index
//   p < L:          L - 1 + k - p      (k = 1 for REFLECT, 0 for SYMMETRIC)
//   p >= L + S:     S - 1 - k - (p - L - S)
//   otherwise:      p - L.
// TFLite Micro checks neither the amounts nor the output shape: a `before`
// beyond S - k reads outside the input there. weft requires both amounts
// within S - k (TensorFlow's own limit) and the output shape they give.
#pragma once

#include "weft/ops/unit.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace weft {

struct pad_options {
  std::array<int, max_rank> before{};
  std::array<int, max_rank> after{};
  /// PADV2's constant: `value` for float32, `qvalue` (already quantized) for
  /// int8 and int16; without it, 0.0, the zero point for int8 and 0 for
  /// int16 (TFLite Micro pads int16 with 0 whatever the zero point).
  bool has_value = false;
  float value = 0.0f;
  int qvalue = 0;
};

/// MIRROR_PAD's options: the amounts, as PAD's, and the mirror's kind.
struct mirror_pad_options {
  std::array<int, max_rank> before{};
  std::array<int, max_rank> after{};
  bool symmetric = false;  // SYMMETRIC (the border repeated), else REFLECT
};

namespace ops {

/// The output spec of a pad of `in` by before/after along each axis:
/// non-negative amounts, none on an axis the input lacks, int8 or float32,
/// sizes within 2^24.
constexpr inferred infer_padded(const tensor_spec& in, const std::array<int, max_rank>& before,
                                const std::array<int, max_rank>& after) {
  inferred r{};
  r.out = in;
  for (int d = 0; d < max_rank; ++d) {
    const std::size_t k = static_cast<std::size_t>(d);
    if (before[k] < 0 || after[k] < 0) return {.err = error::bad_padding};
    if (d >= in.dims.rank && (before[k] != 0 || after[k] != 0)) return {.err = error::bad_padding};
    if (d < in.dims.rank) {
      const std::int64_t size = std::int64_t{in.dims[d]} + before[k] + after[k];
      if (size > 1 << 24) return {.err = error::bad_padding};
      r.out.dims[d] = static_cast<int>(size);
    }
  }
  if (in.type != dtype::int8 && in.type != dtype::float32 && in.type != dtype::int16)
    return {.err = error::unsupported_dtype};
  return r;
}

/// `before` of a rank-`rank` tensor's axes as its 4-D view's (zeros in front).
constexpr std::array<int, 4> before_4d(const std::array<int, max_rank>& before, int rank) {
  std::array<int, 4> r{};
  for (int d = 0; d < rank; ++d) r[static_cast<std::size_t>(4 - rank + d)] = before[static_cast<std::size_t>(d)];
  return r;
}

template <class T>
struct pad_args {
  shape in{}, out{};  // 4-D
  std::array<int, 4> before{};
  T value{};
};

/// Rows [t.row_begin, t.row_end) of the output's [elements / C, C] view.
template <class T>
[[gnu::always_inline]] inline void pad(const pad_args<T>& a, const T* in, T* out, tile t) {
  const int c_out = a.out[3], c_in = a.in[3];
  for (int r = t.row_begin; r < t.row_end; ++r) {
    const int w = r % a.out[2], h = r / a.out[2] % a.out[1], n = r / (a.out[2] * a.out[1]);
    const int iw = w - a.before[2], ih = h - a.before[1], in_n = n - a.before[0];
    T* o = out + static_cast<std::ptrdiff_t>(r) * c_out;
    if (iw < 0 || iw >= a.in[2] || ih < 0 || ih >= a.in[1] || in_n < 0 || in_n >= a.in[0]) {
      for (int c = 0; c < c_out; ++c) o[c] = a.value;
      continue;
    }
    const T* x = in + ((static_cast<std::ptrdiff_t>(in_n) * a.in[1] + ih) * a.in[2] + iw) * c_in;
    int c = 0;
    for (; c < a.before[3]; ++c) o[c] = a.value;
    std::memcpy(o + c, x, static_cast<std::size_t>(c_in) * sizeof(T));
    for (c += c_in; c < c_out; ++c) o[c] = a.value;
  }
}

struct pad_op : movement_family {
  using options = pad_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields = std::tuple{field{"before", &options::before}, field{"after", &options::after},
                                            field{"has_value", &options::has_value}, field{"value", &options::value},
                                            field{"qvalue", &options::qvalue}};

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    const inferred r = infer_padded(in, o.before, o.after);
    if (r.err != error::none) return r;
    if (in.type == dtype::int8 && o.has_value && (o.qvalue < -128 || o.qvalue > 127))
      return {.err = error::bad_padding};
    if (in.type == dtype::int16 && o.has_value && (o.qvalue < -32768 || o.qvalue > 32767))
      return {.err = error::bad_padding};
    return r;
  }
  static constexpr bool int16_input(int k) { return k == 0; }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model&, in_place_kind) {
    return rows_of_output(g, i, 1);
  }

  template <class T, class G>
  static constexpr pad_args<T> make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const options& o = n.template opt<options>();
    const tensor_spec& in = g.spec(n.inputs[0]);
    pad_args<T> a{};
    a.in = as_4d(in.dims);
    a.out = as_4d(g.spec(n.output).dims);
    a.before = before_4d(o.before, in.dims.rank);
    if constexpr (std::is_same_v<T, float>) {
      a.value = o.has_value ? o.value : 0.0f;
    } else if constexpr (std::is_same_v<T, std::int16_t>) {
      a.value = static_cast<T>(o.has_value ? o.qvalue : 0);
    } else {
      a.value = static_cast<T>(o.has_value ? o.qvalue : in.quant.zero_point);
    }
    return a;
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const pad_args<T>& a, const kernel_io& io, tile t) {
    pad(a, io.input<T>(0), io.output<T>(), t);
  }
};

template <class T>
struct mirror_pad_args {
  shape in{}, out{};  // 4-D
  std::array<int, 4> before{};
  int border = 1;  // k above: 1 for REFLECT, 0 for SYMMETRIC
};

/// The input index output index p reads along an axis of `size` padded by
/// `before` (TFLite Micro's GetInputDimension, with its clamps).
[[gnu::always_inline]] constexpr int mirror_source(int p, int before, int size, int border) {
  if (p < before) {
    const int origin = before + border - 1;
    const int back = origin - border;
    return origin - (p < back ? p : back);
  }
  p -= before;
  if (p >= size) {
    p -= size;
    const int origin = size - 1 - border;
    return origin - (p < origin ? p : origin);
  }
  return p;
}

/// Rows [t.row_begin, t.row_end) of the output's [elements / C, C] view.
template <class T>
[[gnu::always_inline]] inline void mirror_pad(const mirror_pad_args<T>& a, const T* in, T* out, tile t) {
  const int c_out = a.out[3], c_in = a.in[3];
  for (int r = t.row_begin; r < t.row_end; ++r) {
    const int w = r % a.out[2], h = r / a.out[2] % a.out[1], n = r / (a.out[2] * a.out[1]);
    const int iw = mirror_source(w, a.before[2], a.in[2], a.border);
    const int ih = mirror_source(h, a.before[1], a.in[1], a.border);
    const int in_n = mirror_source(n, a.before[0], a.in[0], a.border);
    const T* x = in + ((static_cast<std::ptrdiff_t>(in_n) * a.in[1] + ih) * a.in[2] + iw) * c_in;
    T* o = out + static_cast<std::ptrdiff_t>(r) * c_out;
    for (int c = 0; c < c_out; ++c) o[c] = x[mirror_source(c, a.before[3], c_in, a.border)];
  }
}

struct mirror_pad_op : movement_family {
  using options = mirror_pad_options;
  static constexpr int min_inputs = 1, max_inputs = 1;
  static constexpr op_family family = op_family::movement;
  static constexpr auto fields = std::tuple{field{"before", &options::before}, field{"after", &options::after},
                                            field{"symmetric", &options::symmetric}};

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    const inferred r = infer_padded(in, o.before, o.after);
    if (r.err != error::none) return r;
    const int border = o.symmetric ? 0 : 1;
    for (int d = 0; d < in.dims.rank; ++d) {
      const std::size_t k = static_cast<std::size_t>(d);
      if (o.before[k] > in.dims[d] - border || o.after[k] > in.dims[d] - border) return {.err = error::mirror_padding};
    }
    return r;
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model&, in_place_kind) {
    return rows_of_output(g, i, 1);
  }

  template <class T, class G>
  static constexpr mirror_pad_args<T> make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const options& o = n.template opt<options>();
    const tensor_spec& in = g.spec(n.inputs[0]);
    return {as_4d(in.dims), as_4d(g.spec(n.output).dims), before_4d(o.before, in.dims.rank), o.symmetric ? 0 : 1};
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const mirror_pad_args<T>& a, const kernel_io& io, tile t) {
    mirror_pad(a, io.input<T>(0), io.output<T>(), t);
  }
};

}  // namespace ops
}  // namespace weft
