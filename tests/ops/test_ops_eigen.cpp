// SPDX-License-Identifier: Apache-2.0
// Every operator against Eigen over a spread of shapes and parameters.
// int8 layers with weights: Eigen computes the exact integer accumulators
// (im2col and an int64 matrix product), requantized per output channel;
// weft must match bit for bit. Pools: exact. add and softmax: within one LSB
// of the real-valued result. float32: within a relative 1e-5. Every case is
// also computed tile by tile, and the tiles must reproduce the whole.
#include "support/random.hpp"
#include "support/run_graph.hpp"

#include <weft/reference/eigen.hpp>
#include <weft/weft.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

using namespace weft;
namespace wr = weft::reference;
using imat = Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using dmat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {

constexpr int cases = 120;

template <class T, class U>
wr::tensor<T> as_tensor(const std::vector<U>& v, shape s, int zero_point = 0) {
  const int c = s.back();
  wr::tensor<T> t{s, {}};
  t.m.resize(static_cast<Eigen::Index>(s.elements() / c), c);
  for (std::size_t i = 0; i < v.size(); ++i) t.m.data()[i] = static_cast<T>(v[i]) - static_cast<T>(zero_point);
  return t;
}

template <class T, class U>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> as_matrix(const std::vector<U>& v, int rows,
                                                                            int cols) {
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> m(rows, cols);
  for (std::size_t i = 0; i < v.size(); ++i) m.data()[i] = static_cast<T>(v[i]);
  return m;
}

// int8 outputs of accumulators `acc` (rows x channels) as TFLite computes them.
std::vector<std::int8_t> requantize(const imat& acc, const std::vector<std::int32_t>& bias,
                                    const std::vector<multiplier>& m, std::int32_t zp, ops::int8_range range) {
  std::vector<std::int8_t> out(static_cast<std::size_t>(acc.size()));
  for (Eigen::Index r = 0; r < acc.rows(); ++r)
    for (Eigen::Index c = 0; c < acc.cols(); ++c) {
      const auto a = static_cast<std::int32_t>(acc(r, c) + (bias.empty() ? 0 : bias[static_cast<std::size_t>(c)]));
      const std::int32_t v =
          multiply_by_quantized_multiplier(a, m[m.size() == 1 ? 0 : static_cast<std::size_t>(c)]) + zp;
      out[static_cast<std::size_t>(r * acc.cols() + c)] = static_cast<std::int8_t>(ops::clamp(v, range));
    }
  return out;
}

// Runs the one-operator graph g on x and returns its output.
template <class G>
std::vector<std::int8_t> run_int8(const G& g, const std::vector<std::int8_t>& x) {
  test::runtime_program p(g);
  p.template set_input<std::int8_t>(x);
  p.run();
  const auto out = p.template tensor<std::int8_t>(g.output_tensor());
  return {out.begin(), out.end()};
}

// The output channels' multipliers of g's operator 0, computed from scales.
template <class G>
std::vector<multiplier> channel_multipliers(const G& g, int channels) {
  std::vector<multiplier> m;
  for (int ch = 0; ch < channels; ++ch)
    m.push_back(ops::conv_multiplier(g.input_spec().quant, g.at(0).weights.spec.quant, g.output_spec().quant, ch));
  return m;
}

// Runs operator 0 of `g` over a random partition into tiles and checks the
// tiles reproduce the whole output.
template <class G>
void check_tiles(const G& g, test::rng& r, std::span<const std::byte> input) {
  test::runtime_program whole(g), tiled(g);
  std::copy(input.begin(), input.end(), whole.bytes(g.input_tensor()).begin());
  std::copy(input.begin(), input.end(), tiled.bytes(g.input_tensor()).begin());
  if (g.at(0).input_count() == 2) {
    std::copy(input.begin(), input.end(), whole.bytes(g.at(0).inputs[1]).begin());
    std::copy(input.begin(), input.end(), tiled.bytes(g.at(0).inputs[1]).begin());
  }
  whole.run_node(0);
  const tile full = full_tile(g, 0);
  // Cut rows and channels at random points; every piece is one kernel call.
  std::vector<int> rows{full.row_begin, full.row_end}, chans{full.ch_begin, full.ch_end};
  for (int k = 0; k < 2; ++k) {
    rows.push_back(r.uniform(full.row_begin, full.row_end));
    if (g.at(0).kind != op::softmax) chans.push_back(r.uniform(full.ch_begin, full.ch_end));
  }
  std::sort(rows.begin(), rows.end());
  std::sort(chans.begin(), chans.end());
  for (std::size_t a = 0; a + 1 < rows.size(); ++a)
    for (std::size_t b = 0; b + 1 < chans.size(); ++b)
      tiled.run_tile(0, {rows[a], rows[a + 1], chans[b], chans[b + 1]});
  const int out = g.at(0).output;
  REQUIRE(std::equal(whole.bytes(out).begin(), whole.bytes(out).end(), tiled.bytes(out).begin()));
}

struct quant_case {
  float in_scale, out_scale;
  std::int32_t in_zp, out_zp;
  activation act;
};

quant_case random_quant(test::rng& r) {
  return {r.log_uniform(1e-4, 10.0), r.log_uniform(1e-4, 10.0), r.pick({-128, 127, 0, r.uniform(-128, 127)}),
          r.pick({-128, 127, 5, r.uniform(-128, 127)}),
          r.pick({activation::none, activation::relu, activation::relu6, activation::relu_n1_to_1})};
}

std::vector<float> random_scales(test::rng& r, int n) {
  std::vector<float> s(static_cast<std::size_t>(n));
  for (auto& x : s) x = r.log_uniform(1e-6, 1.0);
  return s;
}

std::vector<std::int32_t> random_bias(test::rng& r, int n) {
  std::vector<std::int32_t> b(static_cast<std::size_t>(n));
  for (auto& x : b) x = r.uniform(-20000, 20000);
  return b;
}

bool near(double a, double b) { return std::abs(a - b) <= 1e-5 * (1.0 + std::abs(b)); }

template <class T>
std::span<const std::byte> bytes_of(const std::vector<T>& v) {
  return std::as_bytes(std::span<const T>(v));
}

struct window_case {
  shape in;
  int out_c;
  hw kernel, stride, dilation;
  padding pad;
};

window_case random_window(test::rng& r, bool dilate) {
  window_case w{};
  w.in = shape{r.pick({1, 2}), r.uniform(1, 13), r.uniform(1, 13), r.pick({1, 3, 4, 8, 17})};
  w.out_c = r.pick({1, 2, 4, 9, 16});
  w.kernel = {r.pick({1, 2, 3, 5}), r.pick({1, 2, 3, 5})};
  w.stride = {r.uniform(1, 3), r.uniform(1, 3)};
  w.dilation = dilate ? hw{r.uniform(1, 3), r.uniform(1, 3)} : hw{1, 1};
  w.pad = r.pick({padding::same, padding::valid});
  return w;
}

bool eigen_output_empty(const window_case& w) {
  return wr::window_axis(w.in[1], w.kernel.h, w.stride.h, w.dilation.h, w.pad).out < 1 ||
         wr::window_axis(w.in[2], w.kernel.w, w.stride.w, w.dilation.w, w.pad).out < 1;
}

}  // namespace

TEST_CASE("conv2d int8 equals Eigen's integer convolution, requantized per channel", "[ops][conv2d]") {
  test::rng r(0xC0);
  int checked = 0;
  for (int k = 0; k < cases; ++k) {
    const window_case w = random_window(r, true);
    const quant_case q = random_quant(r);
    const int c = w.in[3];
    test::constant_store cs;
    const auto wdata = r.int8s(static_cast<std::size_t>(w.out_c * w.kernel.h * w.kernel.w * c));
    const auto scales = random_scales(r, w.out_c);
    const auto bias = random_bias(r, w.out_c);
    graph<1> g;
    const auto x = g.input(int8_tensor(w.in, q.in_scale, q.in_zp));
    const auto y = g.conv2d(x, {w.stride, w.dilation, w.pad, q.act},
                            cs.int8_weights(wdata, {w.out_c, w.kernel.h, w.kernel.w, c}, scales, 0),
                            cs.int32_bias(bias), {q.out_scale, q.out_zp});
    if (eigen_output_empty(w)) {
      REQUIRE(g.err == error::empty_output);
      continue;
    }
    INFO(message(g.err));
    REQUIRE(g.ok());
    g.output(y);
    const auto xdata = r.int8s(static_cast<std::size_t>(w.in.elements()));
    const wr::tensor<std::int64_t> acc = wr::conv2d<std::int64_t>(
        as_tensor<std::int64_t>(xdata, w.in, q.in_zp),
        as_matrix<std::int64_t>(wdata, w.out_c, w.kernel.h * w.kernel.w * c), {w.kernel, w.stride, w.dilation, w.pad});
    REQUIRE(acc.dims == g.spec(y.index).dims);
    REQUIRE(run_int8(g, xdata) == requantize(acc.m, bias, channel_multipliers(g, w.out_c), q.out_zp,
                                             ops::activation_range(q.act, q.out_scale, q.out_zp)));
    check_tiles(g, r, bytes_of(xdata));
    ++checked;
  }
  REQUIRE(checked > cases / 2);
}

TEST_CASE("depthwise_conv2d int8 equals Eigen per channel, with depth multipliers", "[ops][depthwise]") {
  test::rng r(0xD0);
  int checked = 0;
  for (int k = 0; k < cases; ++k) {
    window_case w = random_window(r, true);
    const int mult = r.pick({1, 1, 2, 3});
    const int c = w.in[3];
    w.out_c = c * mult;
    const quant_case q = random_quant(r);
    test::constant_store cs;
    const auto wdata = r.int8s(static_cast<std::size_t>(w.kernel.h * w.kernel.w * w.out_c));
    const auto scales = random_scales(r, w.out_c);
    const auto bias = random_bias(r, w.out_c);
    graph<1> g;
    const auto x = g.input(int8_tensor(w.in, q.in_scale, q.in_zp));
    const auto y = g.depthwise_conv2d(x, {w.stride, w.dilation, w.pad, q.act, mult},
                                      cs.int8_weights(wdata, {1, w.kernel.h, w.kernel.w, w.out_c}, scales, 3),
                                      cs.int32_bias(bias), {q.out_scale, q.out_zp});
    if (eigen_output_empty(w)) {
      REQUIRE(g.err == error::empty_output);
      continue;
    }
    INFO(message(g.err));
    REQUIRE(g.ok());
    g.output(y);
    const auto xdata = r.int8s(static_cast<std::size_t>(w.in.elements()));
    const auto acc = wr::depthwise_conv2d<std::int64_t>(
        as_tensor<std::int64_t>(xdata, w.in, q.in_zp), as_matrix<std::int64_t>(wdata, w.kernel.h * w.kernel.w, w.out_c),
        {w.kernel, w.stride, w.dilation, w.pad}, mult);
    REQUIRE(acc.dims == g.spec(y.index).dims);
    REQUIRE(run_int8(g, xdata) == requantize(acc.m, bias, channel_multipliers(g, w.out_c), q.out_zp,
                                             ops::activation_range(q.act, q.out_scale, q.out_zp)));
    check_tiles(g, r, bytes_of(xdata));
    ++checked;
  }
  REQUIRE(checked > cases / 2);
}

TEST_CASE("fully_connected int8 equals Eigen's integer product (per-tensor and per-channel)", "[ops][fc]") {
  test::rng r(0xF0);
  for (int k = 0; k < cases; ++k) {
    const int batches = r.pick({1, 1, 2, 3}), in = r.uniform(1, 300), out = r.uniform(1, 40);
    const bool per_channel = k % 3 == 0;
    const quant_case q = random_quant(r);
    test::constant_store cs;
    const auto wdata = r.int8s(static_cast<std::size_t>(out * in));
    const auto scales = random_scales(r, per_channel ? out : 1);
    const auto bias = random_bias(r, out);
    graph<1> g;
    const auto x = g.input(int8_tensor(shape{batches, in}, q.in_scale, q.in_zp));
    const auto y = g.fully_connected(x, {q.act}, cs.int8_weights(wdata, {out, in}, scales, 0), cs.int32_bias(bias),
                                     {q.out_scale, q.out_zp});
    INFO(message(g.err));
    REQUIRE(g.ok());
    g.output(y);
    const auto xdata = r.int8s(static_cast<std::size_t>(batches * in));
    test::runtime_program p(g);
    p.set_input<std::int8_t>(xdata);
    p.run();

    const imat acc = wr::fully_connected<std::int64_t>(as_tensor<std::int64_t>(xdata, {batches, in}, q.in_zp).m,
                                                       as_matrix<std::int64_t>(wdata, out, in));
    std::vector<multiplier> m;
    const quantization& wq = g.at(0).weights.spec.quant;
    if (per_channel && out > 1) {
      for (int ch = 0; ch < out; ++ch)
        m.push_back(ops::conv_multiplier(g.input_spec().quant, wq, {q.out_scale, q.out_zp}, ch));
    } else {
      m.push_back(ops::fully_connected_multiplier(g.input_spec().quant, wq, {q.out_scale, q.out_zp}));
    }
    const auto expected = requantize(acc, bias, m, q.out_zp, ops::activation_range(q.act, q.out_scale, q.out_zp));
    const auto got = p.tensor<std::int8_t>(y.index);
    REQUIRE(std::equal(got.begin(), got.end(), expected.begin(), expected.end()));
    check_tiles(g, r, bytes_of(xdata));
  }
}

TEST_CASE("average and max pooling int8 equal Eigen's window sums and maxima", "[ops][pool]") {
  test::rng r(0xA0);
  int checked = 0;
  for (int k = 0; k < cases; ++k) {
    window_case w = random_window(r, false);
    const bool max = k % 2 == 1;
    const quant_case q = random_quant(r);
    graph<1> g;
    const auto x = g.input(int8_tensor(w.in, q.in_scale, q.in_zp));
    const pool2d_options o{w.kernel, w.stride, w.pad, q.act};
    const auto y = max ? g.max_pool2d(x, o) : g.average_pool2d(x, o);
    if (eigen_output_empty(w)) {
      REQUIRE(g.err == error::empty_output);
      continue;
    }
    INFO(message(g.err));
    REQUIRE(g.ok());
    g.output(y);
    const auto xdata = r.int8s(static_cast<std::size_t>(w.in.elements()));
    test::runtime_program p(g);
    p.set_input<std::int8_t>(xdata);
    p.run();

    const auto pooled =
        wr::pool2d<std::int64_t>(as_tensor<std::int64_t>(xdata, w.in), {w.kernel, w.stride, {1, 1}, w.pad}, max);
    const ops::int8_range range = ops::activation_range(q.act, q.in_scale, q.in_zp);
    const auto got = p.tensor<std::int8_t>(y.index);
    REQUIRE(got.size() == static_cast<std::size_t>(pooled.value.m.size()));
    for (Eigen::Index i = 0; i < pooled.value.m.rows(); ++i)
      for (Eigen::Index c = 0; c < pooled.value.m.cols(); ++c) {
        std::int64_t v = pooled.value.m(i, c);
        if (!max) {  // TFLite rounds the mean half away from zero
          const auto n = static_cast<std::int64_t>(pooled.count[static_cast<std::size_t>(i)]);
          v = v > 0 ? (v + n / 2) / n : (v - n / 2) / n;
        }
        REQUIRE(got[static_cast<std::size_t>(i * pooled.value.m.cols() + c)] ==
                ops::clamp(static_cast<std::int32_t>(v), range));
      }
    check_tiles(g, r, bytes_of(xdata));
    ++checked;
  }
  REQUIRE(checked > cases / 2);
}

TEST_CASE("add int8 is within one LSB of the real sum, and mostly exact", "[ops][add]") {
  test::rng r(0xAD);
  std::size_t exact = 0, total = 0;
  for (int k = 0; k < cases; ++k) {
    const shape s{1, r.uniform(1, 9), r.uniform(1, 9), r.uniform(1, 20)};
    const float s1 = r.log_uniform(1e-3, 1.0), s2 = r.log_uniform(1e-3, 1.0), so = r.log_uniform(1e-3, 2.0);
    const std::int32_t z1 = r.uniform(-128, 127), z2 = r.uniform(-128, 127), zo = r.uniform(-128, 127);
    const activation act = r.pick({activation::none, activation::relu, activation::relu6});
    // Inputs with different quantization, straight into the kernel.
    const auto x1 = r.int8s(static_cast<std::size_t>(s.elements()));
    const auto x2 = r.int8s(static_cast<std::size_t>(s.elements()));
    const auto args = ops::make_add_args({s1, z1}, {s2, z2}, {so, zo}, act);
    std::vector<std::int8_t> got(x1.size());
    ops::add(args, x1.data(), x2.data(), got.data(), {0, static_cast<int>(x1.size()), 0, 1});
    const ops::int8_range range = ops::activation_range(act, so, zo);
    for (std::size_t i = 0; i < x1.size(); ++i) {
      const double real = static_cast<double>(s1) * (x1[i] - z1) + static_cast<double>(s2) * (x2[i] - z2);
      const double ideal =
          std::clamp(std::round(real / so) + zo, static_cast<double>(range.min), static_cast<double>(range.max));
      REQUIRE(std::abs(got[i] - ideal) <= 1.0);
      exact += got[i] == ideal;
      ++total;
    }
  }
  INFO(exact << " of " << total << " exact");
  REQUIRE(static_cast<double>(exact) >= 0.95 * static_cast<double>(total));
}

TEST_CASE("add through the graph reads two activations and tiles by elements", "[ops][add]") {
  test::rng r(0xAE);
  for (int k = 0; k < 20; ++k) {
    const shape s{1, r.uniform(1, 6), r.uniform(1, 6), r.uniform(1, 9)};
    test::constant_store cs;
    graph<3> g;
    const auto x = g.input(int8_tensor(s, 0.05f, r.uniform(-128, 127)));
    const auto w =
        cs.int8_weights(r.int8s(static_cast<std::size_t>(s[3] * s[3])), {s[3], 1, 1, s[3]}, random_scales(r, s[3]), 0);
    const auto y = g.conv2d(x, {}, w, {}, {0.07f, 3});
    const auto z = g.add(x, y, {activation::relu}, {0.1f, -20});
    INFO(message(g.err));
    REQUIRE(g.ok());
    g.output(z);
    const auto xdata = r.int8s(static_cast<std::size_t>(s.elements()));
    test::runtime_program whole(g), tiled(g);
    whole.set_input<std::int8_t>(xdata);
    tiled.set_input<std::int8_t>(xdata);
    whole.run();
    tiled.run_node(0);
    const int n = static_cast<int>(s.elements());
    const int cut = r.uniform(0, n);
    tiled.run_tile(1, {0, cut, 0, 1});
    tiled.run_tile(1, {cut, n, 0, 1});
    const auto a = whole.tensor<std::int8_t>(z.index), b = tiled.tensor<std::int8_t>(z.index);
    REQUIRE(std::equal(a.begin(), a.end(), b.begin()));
    // The convolution's output as the add reads it (the add may then write
    // over it: the memory plan runs it in place).
    const auto args = exec::make_args<unit_of<op::add>, std::int8_t>(g, 1, exec::node_tables{});
    std::vector<std::int8_t> direct(xdata.size());
    test::runtime_program conv_only(g);
    conv_only.set_input<std::int8_t>(xdata);
    conv_only.run_node(0);
    const auto yv = conv_only.tensor<std::int8_t>(y.index);
    ops::add(args, xdata.data(), yv.data(), direct.data(), {0, n, 0, 1});
    REQUIRE(std::equal(a.begin(), a.end(), direct.begin()));
  }
}

TEST_CASE("int8 add through its rescaling table equals the per-element rescaling on every input pair", "[ops][add]") {
  test::rng r(0xADD);
  // Every (x1, x2) pair once.
  std::vector<std::int8_t> x1(65536), x2(65536), direct(65536), tabled(65536);
  for (int i = 0; i < 65536; ++i) {
    x1[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i / 256 - 128);
    x2[static_cast<std::size_t>(i)] = static_cast<std::int8_t>(i % 256 - 128);
  }
  int fused = 0;
  for (int k = 0; k < 40; ++k) {
    const quantization q1{r.log_uniform(1e-3, 1.0), r.uniform(-128, 127)};
    const quantization q2{r.log_uniform(1e-3, 1.0), r.uniform(-128, 127)};
    const quantization qo{r.log_uniform(1e-3, 1.0), r.uniform(-128, 127)};
    const auto act = r.pick({activation::none, activation::relu, activation::relu6});
    ops::add_args<std::int8_t> a = ops::make_add_args(q1, q2, qo, act);
    if (a.output_multiplier.shift > 0 || a.output_multiplier.value == 0) continue;  // refused by infer_add
    fused += a.use_fused ? 1 : 0;
    ops::add(a, x1.data(), x2.data(), direct.data(), {0, 65536, 0, 1});
    std::vector<std::int32_t> table(ops::add_table_size);
    ops::fill_add_table(a, table.data());
    a.table = table.data();
    ops::add(a, x1.data(), x2.data(), tabled.data(), {0, 65536, 0, 1});
    REQUIRE(direct == tabled);
    // The fused path inline, as residual convolutions take it, with the
    // clamp's shortcut where the clamp allows it.
    if (a.use_fused) {
      const bool clamped = a.act.min >= a.output_offset;
      for (int i = 0; i < 65536; ++i) {
        const auto j = static_cast<std::size_t>(i);
        REQUIRE(ops::add_fused_by_table(a, x1[j], x2[j], clamped) == direct[j]);
      }
    }
    // And the general requantization of the sum where the output is fused
    // (its table holds the rescaled inputs themselves).
    if (a.use_fused) {
      a.use_fused = false;
      ops::fill_add_table(a, table.data());
      ops::add(a, x1.data(), x2.data(), tabled.data(), {0, 65536, 0, 1});
      REQUIRE(direct == tabled);
    }
  }
  REQUIRE(fused > 0);
}

TEST_CASE("softmax int8 is within one LSB of the real softmax", "[ops][softmax]") {
  test::rng r(0x50);
  for (int k = 0; k < cases; ++k) {
    const int rows = r.uniform(1, 4), depth = r.uniform(1, 100);
    const float scale = r.log_uniform(1e-3, 1.0);
    const float beta = r.pick({1.0f, 1.0f, 0.5f, 2.0f});
    const std::int32_t zp = r.uniform(-128, 127);
    graph<1> g;
    const auto x = g.input(int8_tensor(shape{rows, depth}, scale, zp));
    const auto y = g.softmax(x, {beta});
    INFO(message(g.err));
    REQUIRE(g.ok());
    REQUIRE(g.spec(y.index).quant == ops::softmax_int8_output);
    g.output(y);
    const auto xdata = r.int8s(static_cast<std::size_t>(rows * depth));
    test::runtime_program p(g);
    p.set_input<std::int8_t>(xdata);
    p.run();
    const auto got = p.tensor<std::int8_t>(y.index);
    for (int row = 0; row < rows; ++row) {
      double max = -1e30, sum = 0;
      for (int c = 0; c < depth; ++c)
        max = std::max(max, static_cast<double>(xdata[static_cast<std::size_t>(row * depth + c)]));
      std::vector<double> e(static_cast<std::size_t>(depth));
      for (int c = 0; c < depth; ++c) {
        e[static_cast<std::size_t>(c)] =
            std::exp(beta * scale * (xdata[static_cast<std::size_t>(row * depth + c)] - max));
        sum += e[static_cast<std::size_t>(c)];
      }
      for (int c = 0; c < depth; ++c) {
        const double ideal =
            std::clamp(std::round(256.0 * e[static_cast<std::size_t>(c)] / sum) - 128.0, -128.0, 127.0);
        REQUIRE(std::abs(got[static_cast<std::size_t>(row * depth + c)] - ideal) <= 1.0);
      }
    }
    check_tiles(g, r, bytes_of(xdata));
  }
}

TEST_CASE("float32 operators equal Eigen within a relative 1e-5", "[ops][float32]") {
  test::rng r(0xF32);
  for (int k = 0; k < cases; ++k) {
    window_case w = random_window(r, true);
    const int c = w.in[3];
    const int mult = r.pick({1, 2});
    const activation act = r.pick({activation::none, activation::relu, activation::relu6});
    test::constant_store cs;
    const auto xdata = r.floats(static_cast<std::size_t>(w.in.elements()), -1.0, 1.0);
    const int which = k % 5;  // conv, depthwise, fc, avg pool, max pool
    graph<1> g;
    const auto x = g.input(float32_tensor(w.in));
    tensor_id y{};
    std::vector<float> wdata, bias;
    if (which == 0) {
      wdata = r.floats(static_cast<std::size_t>(w.out_c * w.kernel.h * w.kernel.w * c), -1, 1);
      bias = r.floats(static_cast<std::size_t>(w.out_c), -1, 1);
      y = g.conv2d(x, {w.stride, w.dilation, w.pad, act}, cs.float32(wdata, {w.out_c, w.kernel.h, w.kernel.w, c}),
                   cs.float32(bias, {w.out_c}));
    } else if (which == 1) {
      w.out_c = c * mult;
      wdata = r.floats(static_cast<std::size_t>(w.kernel.h * w.kernel.w * w.out_c), -1, 1);
      bias = r.floats(static_cast<std::size_t>(w.out_c), -1, 1);
      y = g.depthwise_conv2d(x, {w.stride, w.dilation, w.pad, act, mult},
                             cs.float32(wdata, {1, w.kernel.h, w.kernel.w, w.out_c}), cs.float32(bias, {w.out_c}));
    } else if (which == 2) {
      const int in = static_cast<int>(w.in.elements() / w.in[0]);
      wdata = r.floats(static_cast<std::size_t>(w.out_c * in), -1, 1);
      bias = r.floats(static_cast<std::size_t>(w.out_c), -1, 1);
      y = g.fully_connected(x, {act}, cs.float32(wdata, {w.out_c, in}), cs.float32(bias, {w.out_c}));
    } else {
      const pool2d_options o{w.kernel, w.stride, w.pad, act};
      y = which == 3 ? g.average_pool2d(x, o) : g.max_pool2d(x, o);
    }
    if (which != 2 &&
        (which <= 1 ? eigen_output_empty(w) : eigen_output_empty({w.in, c, w.kernel, w.stride, {1, 1}, w.pad}))) {
      REQUIRE(g.err == error::empty_output);
      continue;
    }
    INFO(message(g.err));
    REQUIRE(g.ok());
    g.output(y);
    test::runtime_program p(g);
    p.set_input<float>(xdata);
    p.run();
    std::vector<double> input(xdata.begin(), xdata.end());
    const auto expected = wr::evaluate(g, std::span<const double>(input));
    const auto got = p.tensor<float>(y.index);
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(near(got[i], expected[i]));
    check_tiles(g, r, bytes_of(xdata));
  }
}

TEST_CASE("float32 add and softmax equal Eigen within a relative 1e-5", "[ops][float32]") {
  test::rng r(0xF33);
  for (int k = 0; k < 40; ++k) {
    const shape s{1, r.uniform(1, 5), r.uniform(1, 5), r.uniform(1, 12)};
    test::constant_store cs;
    graph<3> g;
    const auto x = g.input(float32_tensor(s));
    const auto w = cs.float32(r.floats(static_cast<std::size_t>(s[3] * s[3]), -1, 1), {s[3], 1, 1, s[3]});
    const auto y = g.conv2d(x, {}, w);
    const auto z = g.add(x, y, {r.pick({activation::none, activation::relu})});
    const auto sm = g.softmax(z, {r.pick({1.0f, 0.5f})});
    INFO(message(g.err));
    REQUIRE(g.ok());
    g.output(sm);
    const auto xdata = r.floats(static_cast<std::size_t>(s.elements()), -2, 2);
    test::runtime_program p(g);
    p.set_input<float>(xdata);
    p.run();
    std::vector<double> input(xdata.begin(), xdata.end());
    const auto all = wr::evaluate_all(g, std::span<const double>(input));
    for (const auto t : {z.index, sm.index}) {
      const auto got = p.tensor<float>(t);
      for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(near(got[i], all[static_cast<std::size_t>(t)][i]));
    }
  }
}

TEST_CASE("float32 softmax's exp is within 1 ulp of the correctly rounded exp, without libm", "[ops][float32]") {
  int worst = 0;
  for (int i = 0; i <= 400000; ++i) {
    const float x = -103.0f + 191.7f * static_cast<float>(i) / 400000.0f;
    const float got = ops::exp_float(x);
    const auto want = static_cast<float>(std::exp(static_cast<double>(x)));
    worst = std::max(worst,
                     static_cast<int>(std::abs(std::bit_cast<std::int32_t>(got) - std::bit_cast<std::int32_t>(want))));
  }
  REQUIRE(worst <= 1);
  STATIC_REQUIRE(ops::exp_float(0.0f) == 1.0f);
  REQUIRE(std::isinf(ops::exp_float(89.0f)));
  REQUIRE(ops::exp_float(-104.0f) == 0.0f);
}
