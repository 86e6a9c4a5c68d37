// SPDX-License-Identifier: Apache-2.0
// Average, max and L2 pooling over NHWC windows: spec inference and
// reference kernels (int8 bit-exact with TFLite's reference pools, float32;
// L2 is float32 only, as in TFLite Micro). The output keeps the input's
// quantization. A kernel call computes rows x channels.
#pragma once

#include "weft/ops/conv2d/kernels.hpp"

#include <cmath>

#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace weft {

struct pool2d_options {
  hw filter{1, 1};
  hw stride{1, 1};
  padding pad = padding::valid;
  activation act = activation::none;
};

namespace ops {

template <class T>
struct pool2d_args {
  window_geometry g{};
  std::conditional_t<std::is_same_v<T, float>, float_range, int8_range> act{};
};

/// average: the mean of the window; max: its largest element; l2: the
/// square root of the mean of its squares (float32 only).
enum class pool_kind : std::uint8_t { average, max, l2 };

/// Largest window an int8 average pool sums four channels at a time in
/// 16-bit lanes (255 * 257 < 2^16).
inline constexpr int max_packed_pool = 257;

/// sum / count rounded half away from zero, as TFLite's int8 average pool.
constexpr std::int32_t rounded_average(std::int32_t sum, int count) {
  return sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
}

template <pool_kind Kind, class T>
[[gnu::always_inline]] inline void pool2d(const pool2d_args<T>& a, const T* in, T* out, tile t) {
  const window_geometry& g = a.g;
  for (int b = 0; b < g.batches; ++b) {
    for (int oy = t.row_begin; oy < t.row_end; ++oy) {
      const int iy0 = oy * g.stride_h - g.pad_h;
      const int ky_begin = iy0 < 0 ? -iy0 : 0;
      const int ky_end = g.k_h < g.in_h - iy0 ? g.k_h : g.in_h - iy0;
      for (int ox = 0; ox < g.out_w; ++ox) {
        const int ix0 = ox * g.stride_w - g.pad_w;
        const int kx_begin = ix0 < 0 ? -ix0 : 0;
        const int kx_end = g.k_w < g.in_w - ix0 ? g.k_w : g.in_w - ix0;
        const int count = (ky_end - ky_begin) * (kx_end - kx_begin);
        T* o = out + ((b * g.out_h + oy) * g.out_w + ox) * g.out_c;
        for (int c = t.ch_begin; c < t.ch_end; ++c) {
          if constexpr (Kind == pool_kind::average && std::is_same_v<T, std::int8_t> &&
                        std::endian::native == std::endian::little) {
            if (g.in_c % 4 == 0 && c % 4 == 0 && c + 4 <= t.ch_end && count <= max_packed_pool) {
              // Four channels at once in two words of 16-bit lanes: each
              // byte offset by 128 (to 0..255) and split into even and odd
              // bytes; a lane's sum of at most 257 such values fits 16 bits.
              std::uint32_t even = 0, odd = 0;
              for (int ky = ky_begin; ky < ky_end; ++ky) {
                const T* row = in + ((b * g.in_h + iy0 + ky) * g.in_w + ix0) * g.in_c + c;
                for (int kx = kx_begin; kx < kx_end; ++kx) {
                  std::uint32_t v;
                  __builtin_memcpy(&v, __builtin_assume_aligned(row + kx * g.in_c, 4), 4);
                  v ^= 0x80808080u;
                  even += v & 0x00ff00ffu;
                  odd += (v >> 8) & 0x00ff00ffu;
                }
              }
              const std::int32_t offset = 128 * count;
              const std::int32_t sums[4] = {
                  static_cast<std::int32_t>(even & 0xffffu) - offset, static_cast<std::int32_t>(odd & 0xffffu) - offset,
                  static_cast<std::int32_t>(even >> 16) - offset, static_cast<std::int32_t>(odd >> 16) - offset};
              for (int k = 0; k < 4; ++k) {
                const std::int32_t acc = sums[k];
                o[c + k] = static_cast<T>(clamp(rounded_average(acc, count), a.act));
              }
              c += 3;
              continue;
            }
          }
          accumulator_t<T> acc = Kind == pool_kind::max ? std::numeric_limits<T>::lowest() : 0;
          for (int ky = ky_begin; ky < ky_end; ++ky) {
            for (int kx = kx_begin; kx < kx_end; ++kx) {
              const T x = in[((b * g.in_h + iy0 + ky) * g.in_w + ix0 + kx) * g.in_c + c];
              if constexpr (Kind == pool_kind::max) {
                acc = x > acc ? x : acc;
              } else if constexpr (Kind == pool_kind::l2) {
                acc += x * x;
              } else {
                acc += x;
              }
            }
          }
          if constexpr (Kind == pool_kind::average) {
            if constexpr (std::is_same_v<T, float>) {
              acc /= static_cast<float>(count);
            } else {  // round half away from zero, as TFLite does
              acc = rounded_average(acc, count);
            }
          } else if constexpr (Kind == pool_kind::l2 && std::is_same_v<T, float>) {
            // TFLite: sqrtf of the float mean (an int8 L2 pool is refused).
            acc = std::sqrt(acc / static_cast<float>(count));
          }
          o[c] = static_cast<T>(clamp(acc, a.act));
        }
      }
    }
  }
}

/// The window of a pool with options o over input shape `in`.
constexpr window_geometry pool2d_window(const shape& in, const pool2d_options& o) {
  return make_window(in, in[3], o.filter, o.stride, {1, 1}, o.pad);
}

constexpr inferred infer_pool2d(const tensor_spec& in, const pool2d_options& o) {
  if (in.dims.rank != 4) return {.err = error::not_4d};
  if (!valid_window(o.filter, o.stride, {1, 1})) return {.err = error::bad_window};
  const window_geometry g = pool2d_window(in.dims, o);
  if (g.out_h < 1 || g.out_w < 1) return {.err = error::empty_output};
  inferred r{};
  r.out = in;
  r.out.dims = shape{g.batches, g.out_h, g.out_w, g.out_c};
  r.pad = {g.pad_h, g.pad_w};
  return r;
}

}  // namespace ops
}  // namespace weft
