// SPDX-License-Identifier: Apache-2.0
// SVDF (singular value decomposition filter): a streaming layer that keeps
// the last M feature vectors of each batch in a state tensor. Per inference,
// for each of its F filters: the state row moves one step back in time, the
// newest slot gets the filter's feature weights dotted with the input, and
// the time weights are dotted with the whole row; every `rank` filters sum
// into one of U = F / rank outputs, plus the bias. As TFLite Micro's
// reference kernels compute it (svdf_common.cc): int8 input with int8 or
// int16 state (the time weights' type), int32 bias, multipliers from float32
// scale arithmetic, the fused activation ignored; float32 with its fused
// activation applied.
//
// Node: inputs {input [B, I], time weights [F, M] (a graph constant), state
// [B, F * M] (a graph state tensor)}; weights = feature weights [F, I];
// bias [U]. Cores split the outputs (each core owns the state rows of its
// outputs' filters) or the batches.
#pragma once

#include "weft/ops/staged_dot.hpp"
#include "weft/ops/unit.hpp"

#include <cstring>

#include <cstdint>
#include <limits>
#include <type_traits>

namespace weft {

struct svdf_options {
  int rank = 1;
  /// Applied to float32 outputs only (TFLite Micro's int8 kernel ignores it).
  activation act = activation::none;
  friend constexpr bool operator==(const svdf_options&, const svdf_options&) = default;
};

namespace ops {

template <class T>
struct svdf_args {
  int batches = 0, inputs = 0, filters = 0, memory = 0, rank = 1, units = 0;
  const T* feature = nullptr;  // [F, I]
  // Time weights [F, M] and the state: int8 or int16 with int8 input
  // (state16 says which), float32 with float32 input.
  const T* time = nullptr;
  const std::int16_t* time16 = nullptr;
  bool state16 = false;
  const std::conditional_t<std::is_same_v<T, float>, float, std::int32_t>* bias = nullptr;
  // int8:
  std::int32_t input_zero_point = 0, state_zero_point = 0, output_zero_point = 0;
  multiplier to_state{}, to_output{};
  // float32:
  float_range range{};
};

struct svdf_op : row_family {
  using options = svdf_options;
  static constexpr int min_inputs = 3, max_inputs = 3;
  static constexpr op_family family = op_family::dense;
  static constexpr auto fields = std::tuple{field{"rank", &options::rank}, field{"act", &options::act}};
  static constexpr bool state_input(int k) { return k == 2; }

  // The multipliers of the int8 kernel: float32 products and quotients,
  // then widened (svdf_common.cc's Prepare).
  static constexpr multiplier to_state(float in, float feature, float state) {
    return quantize_multiplier(static_cast<double>(in * feature / state));
  }
  static constexpr multiplier to_output(float state, float time, float out) {
    return quantize_multiplier(static_cast<double>(state * time / out));
  }

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    const tensor_spec& time = x.in[1];
    const tensor_spec& state = x.in[2];
    const constant& feature = *x.weights;
    const constant& bias = *x.bias;
    if (in.type != dtype::int8 && in.type != dtype::float32) return {.err = error::unsupported_dtype};
    const bool q = in.type == dtype::int8;
    if (in.dims.rank != 2 || feature.spec.dims.rank != 2 || time.dims.rank != 2 || state.dims.rank != 2)
      return {.err = error::svdf_shapes};
    const int batches = in.dims[0], inputs = in.dims[1], filters = feature.spec.dims[0], memory = time.dims[1];
    if (o.rank < 1 || filters % o.rank != 0 || feature.spec.dims[1] != inputs || time.dims[0] != filters ||
        state.dims[0] != batches || state.dims[1] != filters * memory)
      return {.err = error::svdf_shapes};
    const int units = filters / o.rank;
    if (x.consts[1].empty()) return {.err = error::svdf_types};
    // int8: int8 feature weights, int8 or int16 time weights and a state of
    // the same type, an int32 bias; float32: everything float32. A bias is
    // required (TFLite Micro crashes without one).
    const bool types_ok = q ? feature.spec.type == dtype::int8 &&
                                  (time.type == dtype::int8 || time.type == dtype::int16) && state.type == time.type &&
                                  bias.spec.type == dtype::int32
                            : feature.spec.type == dtype::float32 && time.type == dtype::float32 &&
                                  state.type == dtype::float32 && bias.spec.type == dtype::float32;
    if (!types_ok || bias.empty()) return {.err = error::svdf_types};
    if (bias.spec.dims.elements() != units || feature.provided != feature.elements())
      return {.err = error::svdf_shapes};
    if (q && feature.spec.quant.per_channel()) return {.err = error::svdf_types};
    if (q && !valid_int8_quantization(x.out)) return {.err = error::bad_quantization};
    if (q && (to_state(in.quant.scale, feature.spec.quant.scale, state.quant.scale).shift > 31 ||
              to_output(state.quant.scale, time.quant.scale, x.out.scale).shift > 31))
      return {.err = error::scale_out_of_range};
    inferred r{};
    r.out = output_spec(in, shape{batches, units}, x.out);
    r.macs = std::int64_t{batches} * filters * (inputs + memory);
    return r;
  }

  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    const auto& n = g.at(i);
    const shape& out = g.spec(n.output).dims;
    const std::int64_t per_output = n.macs / out.elements() + m.per_output;
    std::array<divisible, 2> a{};
    a[0] = {split_axis::channels, out[1], per_output * out[0]};
    a[1] = {split_axis::rows, out[0], per_output * out[1]};
    return a;
  }

  /// A core writes its outputs and reads the input whole; it reads and
  /// updates the state rows of its outputs' filters.
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    accesses a = row_access(g, plan, i, t, true);
    const auto& n = g.at(i);
    const int rank = n.template opt<options>().rank;
    const int memory = g.spec(n.inputs[1]).dims[1];
    access_region s{};
    s.row_lo = t.row_begin;
    s.row_hi = t.row_end;
    s.col_lo = t.ch_begin * rank * memory;
    s.col_hi = t.ch_end * rank * memory;
    a.reads[2] = plan_detail::make_region(g, plan, n.inputs[2], s);
    a.reads[2].updated = true;
    return a;
  }

  template <class T, class G>
  static constexpr svdf_args<T> make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    const constant& time = g.constants[static_cast<std::size_t>(n.inputs[1])];
    const tensor_spec& state = g.spec(n.inputs[2]);
    const tensor_spec& out = g.spec(n.output);
    const options& o = n.template opt<options>();
    svdf_args<T> a{};
    a.batches = in.dims[0];
    a.inputs = in.dims[1];
    a.filters = n.weights.spec.dims[0];
    a.memory = time.spec.dims[1];
    a.rank = o.rank;
    a.units = a.filters / o.rank;
    if constexpr (std::is_same_v<T, float>) {
      a.feature = n.weights.f32;
      a.time = time.f32;
      a.bias = n.bias.f32;
      a.range = activation_range(o.act);
    } else {
      a.feature = n.weights.i8;
      a.state16 = state.type == dtype::int16;
      if (a.state16) {
        a.time16 = time.i16;
      } else {
        a.time = time.i8;
      }
      a.bias = n.bias.i32;
      a.input_zero_point = in.quant.zero_point;
      a.state_zero_point = state.quant.zero_point;
      a.output_zero_point = out.quant.zero_point;
      a.to_state = to_state(in.quant.scale, n.weights.spec.quant.scale, state.quant.scale);
      a.to_output = to_output(state.quant.scale, time.spec.quant.scale, out.quant.scale);
    }
    return a;
  }

  // The state rows of filters [f0, f1) of one batch move one step back in
  // time: one move of the whole run (TFLite Micro moves the whole state by
  // one element; the slot that takes the next row's first element is each
  // row's newest, which the new feature overwrites).
  template <class S>
  [[gnu::always_inline]] static void age(S* rows, int f0, int f1, int memory) {
    const int n = (f1 - f0) * memory;
    if (n > 1) std::memmove(rows + f0 * memory, rows + f0 * memory + 1, static_cast<std::size_t>(n - 1) * sizeof(S));
  }

  // Float32: the feature dot, the newest slot, the time dot (TFLite
  // Micro's order of float additions).
  static float float_filter(const svdf_args<float>& a, float* row, const float* x, int f) {
    const float* w = a.feature + f * a.inputs;
    const float* tw = a.time + f * a.memory;
    float d = 0.0f;
    for (int c = 0; c < a.inputs; ++c) d += w[c] * x[c];
    row[a.memory - 1] = d;
    float s = 0.0f;
    for (int j = 0; j < a.memory; ++j) s += tw[j] * row[j];
    return s;
  }

  // int8: filter f's newest state value from its feature dot d (before
  // requantization), stored in the state's type S: clamped to S, then
  // offset by the state's zero point with wrap-around, as TFLite Micro's
  // store does; returns the time weights dotted with the row, offset.
  template <class S, class W>
  [[gnu::always_inline]] static std::int32_t int_filter(const svdf_args<std::int8_t>& a, const W* time, S* row,
                                                        std::int32_t d, int f) {
    constexpr std::int32_t lo = std::numeric_limits<S>::min(), hi = std::numeric_limits<S>::max();
    d = requantize(d, a.to_state);
    d = d < lo ? lo : (d > hi ? hi : d);
    row[a.memory - 1] = static_cast<S>(a.state_zero_point + d);
    const W* tw = time + f * a.memory;
    std::int32_t s = 0;
    for (int j = 0; j < a.memory; ++j) s += tw[j] * (row[j] - a.state_zero_point);
    return s;
  }

  template <bool Dsp, class S, class W>
  [[gnu::always_inline]] static void run_int8(const svdf_args<std::int8_t>& a, const W* time, S* state,
                                              const std::int8_t* in, std::int8_t* out, tile t) {
    staged_vector<Dsp> x;  // the batch's input, offset, once for every filter
    for (int b = t.row_begin; b < t.row_end; ++b) {
      x.stage(in + b * a.inputs, a.inputs, a.input_zero_point);
      S* rows = state + b * a.filters * a.memory;
      age(rows, t.ch_begin * a.rank, t.ch_end * a.rank, a.memory);
      for (int u = t.ch_begin; u < t.ch_end; ++u) {
        std::int32_t acc = a.bias[u];
        for (int r = 0; r < a.rank; ++r) {
          const int f = u * a.rank + r;
          acc += int_filter(a, time, rows + f * a.memory, x.dot(a.feature + f * a.inputs), f);
        }
        const std::int32_t v = requantize(acc, a.to_output) + a.output_zero_point;
        out[b * a.units + u] = static_cast<std::int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
      }
    }
  }

  static void run_float(const svdf_args<float>& a, float* state, const float* in, float* out, tile t) {
    for (int b = t.row_begin; b < t.row_end; ++b) {
      float* rows = state + b * a.filters * a.memory;
      age(rows, t.ch_begin * a.rank, t.ch_end * a.rank, a.memory);
      for (int u = t.ch_begin; u < t.ch_end; ++u) {
        float o = a.bias[u];
        for (int r = 0; r < a.rank; ++r) {
          const int f = u * a.rank + r;
          o += float_filter(a, rows + f * a.memory, in + b * a.inputs, f);
        }
        out[b * a.units + u] = clamp(o, a.range);
      }
    }
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const svdf_args<T>& a, const kernel_io& io, tile t) {
    // The state is the operator's to update (graph::state).
    std::byte* state = const_cast<std::byte*>(io.in[2]);
    if constexpr (std::is_same_v<T, float>) {
      run_float(a, reinterpret_cast<float*>(state), io.input<T>(0), io.output<T>(), t);
    } else {
      if (a.state16) {
        run_int8<Isa::dsp>(a, a.time16, reinterpret_cast<std::int16_t*>(state), io.input<T>(0), io.output<T>(), t);
      } else {
        run_int8<Isa::dsp>(a, a.time, reinterpret_cast<std::int8_t*>(state), io.input<T>(0), io.output<T>(), t);
      }
    }
  }
};

}  // namespace ops
}  // namespace weft
