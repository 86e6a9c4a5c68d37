// SPDX-License-Identifier: Apache-2.0
// A float reference evaluator for any weft graph, built on Eigen (host only).
// It is written apart from weft's kernels (im2col and matrix products, its own
// window arithmetic) so that it can check them. Weights are dequantized; an
// int8 model's input may be given as int8 or float.
//
//     auto ref = weft::reference::evaluate(my_model::graph, input);  // floats
//     auto r = weft::reference::compare(int8_output, ref, output_spec);
//     REQUIRE(r.max_abs_lsb <= 3);  // and r.same_argmax
#pragma once

#include "weft/graph/graph.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace weft::reference {

/// A tensor as a row-major (elements / C) x C matrix, C its last dimension.
template <class S>
struct tensor {
  shape dims{};
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m;
};

/// One spatial axis of a window: output size and padding before, as TFLite
/// defines them (SAME: ceil(in / stride); the odd padding goes after).
struct axis_window {
  int out = 0;
  int before = 0;
};

inline axis_window window_axis(int in, int k, int stride, int dilation, padding p) {
  const int reach = dilation * (k - 1) + 1;
  axis_window a{};
  a.out = p == padding::valid ? (in >= reach ? (in - reach) / stride + 1 : 0) : (in - 1) / stride + 1;
  a.before = std::max(0, ((a.out - 1) * stride + reach - in) / 2);
  return a;
}

struct window {
  hw kernel{1, 1};
  hw stride{1, 1};
  hw dilation{1, 1};
  padding pad = padding::valid;
};

/// Patches of x for a window: one row per output pixel (n, oy, ox), one column
/// per (ky, kx, c); points outside the image hold `outside`.
template <class S>
Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> im2col(const tensor<S>& x, const window& w, S outside,
                                                                         int& out_h, int& out_w) {
  const int n = x.dims[0], h = x.dims[1], wd = x.dims[2], c = x.dims[3];
  const axis_window ay = window_axis(h, w.kernel.h, w.stride.h, w.dilation.h, w.pad);
  const axis_window ax = window_axis(wd, w.kernel.w, w.stride.w, w.dilation.w, w.pad);
  out_h = ay.out;
  out_w = ax.out;
  Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> p(n * ay.out * ax.out, w.kernel.h * w.kernel.w * c);
  p.setConstant(outside);
  for (int b = 0; b < n; ++b)
    for (int oy = 0; oy < ay.out; ++oy)
      for (int ox = 0; ox < ax.out; ++ox)
        for (int ky = 0; ky < w.kernel.h; ++ky)
          for (int kx = 0; kx < w.kernel.w; ++kx) {
            const int iy = oy * w.stride.h - ay.before + ky * w.dilation.h;
            const int ix = ox * w.stride.w - ax.before + kx * w.dilation.w;
            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
            p.block(((b * ay.out) + oy) * ax.out + ox, (ky * w.kernel.w + kx) * c, 1, c) =
                x.m.row((b * h + iy) * wd + ix);
          }
  return p;
}

/// Convolution accumulators: weights [O, KH, KW, I] as an O x (KH*KW*I)
/// matrix. Points outside the image contribute 0.
template <class S>
tensor<S> conv2d(const tensor<S>& x, const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& w,
                 const window& win) {
  int oh = 0, ow = 0;
  const auto patches = im2col<S>(x, win, S(0), oh, ow);
  tensor<S> y{shape{x.dims[0], oh, ow, static_cast<int>(w.rows())}, patches * w.transpose()};
  return y;
}

/// Depthwise accumulators: weights [1, KH, KW, C*M] as a (KH*KW) x (C*M) matrix.
template <class S>
tensor<S> depthwise_conv2d(const tensor<S>& x,
                           const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& w,
                           const window& win, int multiplier) {
  const int c = x.dims[3];
  const int k = win.kernel.h * win.kernel.w;
  int oh = 0, ow = 0;
  const auto patches = im2col<S>(x, win, S(0), oh, ow);
  tensor<S> y{shape{x.dims[0], oh, ow, c * multiplier}, {}};
  y.m.resize(patches.rows(), c * multiplier);
  for (int oc = 0; oc < c * multiplier; ++oc) {
    // Channel oc / multiplier's taps sit in every c-th column of the patches.
    std::vector<int> cols(static_cast<std::size_t>(k));
    for (int j = 0; j < k; ++j) cols[static_cast<std::size_t>(j)] = j * c + oc / multiplier;
    y.m.col(oc) = patches(Eigen::all, cols) * w.col(oc);
  }
  return y;
}

/// Fully connected accumulators: x as batches x inputs, w as outputs x inputs.
template <class S>
Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> fully_connected(
    const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& x,
    const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& w) {
  return x * w.transpose();
}

/// Window sums (or maxima) and the number of points inside the image.
template <class S>
struct pooled {
  tensor<S> value;
  std::vector<int> count;  // per output pixel
};

template <class S>
pooled<S> pool2d(const tensor<S>& x, const window& win, bool max) {
  const int n = x.dims[0], h = x.dims[1], wd = x.dims[2], c = x.dims[3];
  const axis_window ay = window_axis(h, win.kernel.h, win.stride.h, 1, win.pad);
  const axis_window ax = window_axis(wd, win.kernel.w, win.stride.w, 1, win.pad);
  pooled<S> r{{shape{n, ay.out, ax.out, c}, {}}, {}};
  r.value.m.resize(n * ay.out * ax.out, c);
  for (int b = 0; b < n; ++b)
    for (int oy = 0; oy < ay.out; ++oy)
      for (int ox = 0; ox < ax.out; ++ox) {
        const int y0 = std::max(0, oy * win.stride.h - ay.before);
        const int y1 = std::min(h, oy * win.stride.h - ay.before + win.kernel.h);
        const int x0 = std::max(0, ox * win.stride.w - ax.before);
        const int x1 = std::min(wd, ox * win.stride.w - ax.before + win.kernel.w);
        Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> pts((y1 - y0) * (x1 - x0), c);
        int k = 0;
        for (int iy = y0; iy < y1; ++iy)
          for (int ix = x0; ix < x1; ++ix) pts.row(k++) = x.m.row((b * h + iy) * wd + ix);
        const int row = (b * ay.out + oy) * ax.out + ox;
        r.value.m.row(row) = max ? pts.colwise().maxCoeff().eval() : pts.colwise().sum().eval();
        r.count.push_back(k);
      }
  return r;
}

/// Dequantized values of a constant as doubles (per-channel along its axis).
inline std::vector<double> dequantize(const constant& c) {
  const auto n = static_cast<std::size_t>(c.elements());
  std::vector<double> v(n);
  if (c.spec.type == dtype::float32) {
    for (std::size_t i = 0; i < n; ++i) v[i] = c.f32[i];
    return v;
  }
  if (c.spec.type == dtype::int32) {
    for (std::size_t i = 0; i < n; ++i) v[i] = c.i32[i];  // scaled by the caller
    return v;
  }
  const quantization& q = c.spec.quant;
  // Stride of the channel axis in a row-major array.
  std::size_t inner = 1;
  for (int d = q.axis + 1; d < c.spec.dims.rank; ++d) inner *= static_cast<std::size_t>(c.spec.dims[d]);
  for (std::size_t i = 0; i < n; ++i) {
    const int ch = q.per_channel() ? static_cast<int>((i / inner) % static_cast<std::size_t>(q.channels)) : 0;
    v[i] = static_cast<double>(q.scale_at(ch)) * (c.i8[i] - q.zero_point);
  }
  return v;
}

/// How closely one operator of a weft model agrees with this reference when
/// both read the same inputs (options::operands) and the reference rounds its
/// output to the int8 grid (options::fake_quantize):
/// - int8 outputs within 1 LSB: TFLite's fixed-point requantization (a Q31
///   multiplier and a rounding shift) may land one step from the exactly
///   rounded real value;
/// - float32 outputs within 1e-5 of the tensor's largest magnitude: float
///   accumulation in weft against double here.
/// Errors compound across operators, so whole-model comparisons need more.
struct operator_tolerance {
  static constexpr double int8_lsb = 1.0;
  static constexpr double float_relative = 1e-5;
};

struct options {
  /// Round each operator's output to its int8 grid (quantize, clamp,
  /// dequantize), as the int8 model does; off: pure float all the way.
  bool fake_quantize = false;
  /// When given (one vector per tensor id, e.g. the int8 model's own tensors,
  /// dequantized), every operator reads its inputs from these values instead
  /// of the reference's own outputs, so that each operator's output shows its
  /// own error alone, not the error it inherited. evaluate_all then returns
  /// these values for the tensors operators read.
  const std::vector<std::vector<double>>* operands = nullptr;
};

namespace detail {

using dmat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

inline double activate(double v, activation a) {
  switch (a) {
    case activation::relu:
      return std::max(0.0, v);
    case activation::relu6:
      return std::clamp(v, 0.0, 6.0);
    case activation::relu_n1_to_1:
      return std::clamp(v, -1.0, 1.0);
    case activation::none:
      break;
  }
  return v;
}

inline dmat as_matrix(const std::vector<double>& v, int rows, int cols) {
  return Eigen::Map<const dmat>(v.data(), rows, cols);
}

inline void add_bias(tensor<double>& y, const node& n, const tensor_spec& in) {
  if (n.bias.empty()) return;
  std::vector<double> b = dequantize(n.bias);
  if (n.bias.spec.type == dtype::int32)  // int32 bias scale: input_scale * weight_scale[c]
    for (std::size_t c = 0; c < b.size(); ++c)
      b[c] *= static_cast<double>(in.quant.scale) * static_cast<double>(n.weights.spec.quant.scale_at(
                                                        n.weights.spec.quant.per_channel() ? static_cast<int>(c) : 0));
  y.m.rowwise() += Eigen::Map<const Eigen::RowVectorXd>(b.data(), static_cast<Eigen::Index>(b.size()));
}

}  // namespace detail

/// Runs graph `g` in double precision on `input` (real values of its first
/// input) and returns every tensor's real values, by weft tensor id.
template <class G>
std::vector<std::vector<double>> evaluate_all(const G& g, std::span<const double> input, options opt = {}) {
  using detail::dmat;
  std::vector<std::vector<double>> values(static_cast<std::size_t>(g.tensor_count));
  values[static_cast<std::size_t>(g.input_tensor())].assign(input.begin(), input.end());
  for (int t = 0; t < g.tensor_count; ++t)
    if (g.is_constant(t)) values[static_cast<std::size_t>(t)] = dequantize(g.constants[static_cast<std::size_t>(t)]);
  auto as_tensor = [&](int t) {
    const shape& s = g.spec(t).dims;
    const int c = s.back();
    return tensor<double>{
        s, detail::as_matrix(values[static_cast<std::size_t>(t)], static_cast<int>(s.elements() / c), c)};
  };
  for (int i = 0; i < g.node_count; ++i) {
    const node& n = g.at(i);
    if (opt.operands != nullptr)
      for (int k = 0; k < n.input_count(); ++k) {
        const auto t = static_cast<std::size_t>(n.inputs[static_cast<std::size_t>(k)]);
        values[t] = (*opt.operands)[t];
      }
    const tensor_spec& in = g.spec(n.inputs[0]);
    const tensor_spec& out = g.spec(n.output);
    const tensor<double> x = as_tensor(n.inputs[0]);
    tensor<double> y{out.dims, {}};
    if (n.kind == op::conv2d || n.kind == op::depthwise_conv2d) {
      const bool explicit_pads = n.kind == op::conv2d ? n.opt<conv2d_options>().pad_before != hw{0, 0} ||
                                                            n.opt<conv2d_options>().pad_after != hw{0, 0}
                                                      : n.opt<depthwise_conv2d_options>().pad_before != hw{0, 0} ||
                                                            n.opt<depthwise_conv2d_options>().pad_after != hw{0, 0};
      if (explicit_pads) throw std::invalid_argument("eigen reference: no model of explicit padding (a folded PAD)");
    }
    switch (n.kind) {
      case op::conv2d: {
        const shape& ws = n.weights.spec.dims;
        const dmat w = detail::as_matrix(dequantize(n.weights), ws[0], ws[1] * ws[2] * ws[3]);
        const auto& o = n.opt<conv2d_options>();
        y = conv2d<double>(x, w, {{ws[1], ws[2]}, o.stride, o.dilation, o.pad});
        detail::add_bias(y, n, in);
        break;
      }
      case op::depthwise_conv2d: {
        const shape& ws = n.weights.spec.dims;
        const dmat w = detail::as_matrix(dequantize(n.weights), ws[1] * ws[2], ws[3]);
        const auto& o = n.opt<depthwise_conv2d_options>();
        y = depthwise_conv2d<double>(x, w, {{ws[1], ws[2]}, o.stride, o.dilation, o.pad}, o.depth_multiplier);
        detail::add_bias(y, n, in);
        break;
      }
      case op::fully_connected: {
        const shape& ws = n.weights.spec.dims;
        const dmat w = detail::as_matrix(dequantize(n.weights), ws[0], ws[1]);
        const auto rows = static_cast<int>(in.dims.elements() / ws[1]);
        y.m = fully_connected<double>(detail::as_matrix(values[static_cast<std::size_t>(n.inputs[0])], rows, ws[1]), w);
        detail::add_bias(y, n, in);
        break;
      }
      case op::average_pool2d:
      case op::max_pool2d: {
        const bool max = n.kind == op::max_pool2d;
        const auto& o = n.opt<pool2d_options>();
        pooled<double> p = pool2d<double>(x, {o.filter, o.stride, {1, 1}, o.pad}, max);
        if (!max)
          for (Eigen::Index r = 0; r < p.value.m.rows(); ++r) p.value.m.row(r) /= p.count[static_cast<std::size_t>(r)];
        y = p.value;
        break;
      }
      case op::add:
        // (Inputs that broadcast are checked against TensorFlow Lite Micro.)
        if (!(in.dims == g.spec(n.inputs[1]).dims))
          throw std::invalid_argument("eigen reference: no model of an add whose inputs broadcast");
        y.m = x.m + as_tensor(n.inputs[1]).m;
        break;
      case op::softmax: {
        y.m = (x.m.colwise() - x.m.rowwise().maxCoeff()) * static_cast<double>(n.opt<softmax_options>().beta);
        y.m = y.m.array().exp().matrix();
        y.m = y.m.array().colwise() / y.m.rowwise().sum().array();
        break;
      }
      case op::reshape:
        y.m = x.m;
        break;
      default:
        // An independent oracle for the operators above; newer operators
        // are checked against TensorFlow Lite Micro itself (test_tflm).
        throw std::invalid_argument(std::string("eigen reference: no model of ") + name_of(n.kind));
    }
    std::vector<double> v(y.m.data(), y.m.data() + y.m.size());
    for (double& e : v) e = detail::activate(e, n.act());
    if (opt.fake_quantize && out.type == dtype::int8)
      for (double& e : v) {
        const double q = std::clamp(std::round(e / out.quant.scale) + out.quant.zero_point, -128.0, 127.0);
        e = (q - out.quant.zero_point) * out.quant.scale;
      }
    values[static_cast<std::size_t>(n.output)] = std::move(v);
  }
  return values;
}

/// Whether this reference models operator k (evaluate throws on the others).
constexpr bool models(op k) {
  switch (k) {
    case op::conv2d:
    case op::depthwise_conv2d:
    case op::fully_connected:
    case op::average_pool2d:
    case op::max_pool2d:
    case op::add:
    case op::softmax:
    case op::reshape:
      return true;
    default:
      return false;
  }
}

/// Whether this reference models operator i of g: its kind, and for an add
/// inputs of one shape (no broadcasting).
template <class G>
constexpr bool models(const G& g, int i) {
  const node& n = g.at(i);
  if (n.kind == op::add && !(g.spec(n.inputs[0]).dims == g.spec(n.inputs[1]).dims)) return false;
  return models(n.kind);
}

/// The real values of the graph's output for a real-valued input.
template <class G>
std::vector<double> evaluate(const G& g, std::span<const double> input, options opt = {}) {
  return evaluate_all(g, input, opt)[static_cast<std::size_t>(g.output_tensor())];
}

/// Same, for an int8 input tensor (dequantized with the graph's input spec).
template <class G>
std::vector<double> evaluate(const G& g, std::span<const std::int8_t> input, options opt = {}) {
  const quantization& q = g.input_spec().quant;
  std::vector<double> x(input.size());
  for (std::size_t i = 0; i < input.size(); ++i) x[i] = static_cast<double>(q.scale) * (input[i] - q.zero_point);
  return evaluate(g, std::span<const double>(x), opt);
}

/// How far an int8 output is from the float reference, in units of the
/// output scale (LSB), and whether the largest element is the same.
struct comparison {
  double max_abs_lsb = 0;
  double mean_abs_lsb = 0;
  bool same_argmax = true;
};

inline comparison compare(std::span<const std::int8_t> q, std::span<const double> ref, const tensor_spec& spec) {
  comparison r{};
  const double s = spec.quant.scale;
  double sum = 0;
  for (std::size_t i = 0; i < q.size(); ++i) {
    const double d = std::abs((q[i] - spec.quant.zero_point) * s - ref[i]) / s;
    r.max_abs_lsb = std::max(r.max_abs_lsb, d);
    sum += d;
  }
  r.mean_abs_lsb = q.empty() ? 0 : sum / static_cast<double>(q.size());
  r.same_argmax =
      std::max_element(q.begin(), q.end()) - q.begin() == std::max_element(ref.begin(), ref.end()) - ref.begin();
  return r;
}

}  // namespace weft::reference
