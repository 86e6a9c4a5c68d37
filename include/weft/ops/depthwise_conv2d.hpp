// SPDX-License-Identifier: Apache-2.0
// Depthwise 2-D convolution, weights [1, KH, KW, C * M]: spec inference and
// reference kernels (int8 bit-exact with TFLite's DepthwiseConvPerChannel,
// and float32). A kernel call computes output rows x output channels.
#pragma once

#include "weft/ops/conv2d.hpp"

#include <cstdint>

namespace weft {

struct depthwise_conv2d_options {
  hw stride{1, 1};
  hw dilation{1, 1};
  padding pad = padding::valid;
  activation act = activation::none;
  int depth_multiplier = 1;
};

namespace ops {

// Same parameters as conv2d; the weight layout and channel mapping differ:
// output channel oc reads input channel oc / depth_multiplier.
template <class T>
[[gnu::always_inline]] inline void depthwise_conv2d(const conv2d_args<T>& a, const T* in, T* out, tile t) {
  const window_geometry& g = a.g;
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = t.row_begin; oy < t.row_end; ++oy) {
      const int iy0 = oy * g.stride_h - g.pad_h;
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int ix0 = ox * g.stride_w - g.pad_w;
        T* o = out + ((b * g.out_h + oy) * g.out_w + ox) * g.out_c;
        for (int oc = t.ch_begin; oc < t.ch_end; ++oc) {
          const int ic = oc / g.depth_multiplier;
          accumulator_t<T> acc = 0;
          for (int ky = 0; ky < g.k_h; ++ky) {
            const int iy = iy0 + ky * g.dil_h;
            if (iy < 0 || iy >= g.in_h) continue;
            for (int kx = 0; kx < g.k_w; ++kx) {
              const int ix = ix0 + kx * g.dil_w;
              if (ix < 0 || ix >= g.in_w) continue;
              const T x = in[((b * g.in_h + iy) * g.in_w + ix) * g.in_c + ic];
              acc += a.weights[(ky * g.k_w + kx) * g.out_c + oc] * a.e.offset(x);
            }
          }
          o[oc] = a.e.finish(acc, oc);
        }
      }
    }
  }
}

constexpr inferred infer_depthwise_conv2d(const tensor_spec& in, const depthwise_conv2d_options& o, const constant& w,
                                          const constant& b, const quantization& out_q) {
  inferred r{};
  if (in.dims.rank != 4) return {.err = error::not_4d};
  const shape& ws = w.spec.dims;
  if (!w.empty() && (ws.rank != 4 || ws[0] != 1)) return {.err = error::depthwise_weights_shape};
  if (error e = check_constants(in, w, b, ws[3], 3); e != error::none) return {.err = e};
  if (o.depth_multiplier < 1 || o.depth_multiplier > max_window) return {.err = error::bad_window};
  if (ws[3] != static_cast<std::int64_t>(in.dims[3]) * o.depth_multiplier) return {.err = error::depthwise_channels};
  if (!valid_window({ws[1], ws[2]}, o.stride, o.dilation)) return {.err = error::bad_window};
  if (in.type == dtype::int8 && !valid_int8_quantization(out_q)) return {.err = error::bad_quantization};
  const window_geometry g =
      make_window(in.dims, ws[3], {ws[1], ws[2]}, o.stride, o.dilation, o.pad, o.depth_multiplier);
  if (g.out_h < 1 || g.out_w < 1) return {.err = error::empty_output};
  r.out = output_spec(in, shape{g.batches, g.out_h, g.out_w, g.out_c}, out_q);
  r.macs = std::int64_t{g.batches} * g.out_h * g.out_w * g.out_c * g.k_h * g.k_w;
  r.pad = {g.pad_h, g.pad_w};
  return r;
}

}  // namespace ops
}  // namespace weft
