// SPDX-License-Identifier: Apache-2.0
// UNIDIRECTIONAL_SEQUENCE_LSTM: the standard (Keras) LSTM over a sequence,
// its hidden and cell state kept across inferences, as TFLite Micro's
// reference kernel computes it (lstm_eval): per step and unit, four gates
// (input, forget, cell, output), each the input's and the previous hidden
// state's weighted sums rescaled to Q3.12 and added; sigmoid on three, tanh
// on the cell gate; the cell state c = f * c + i * g (clipped where the
// model says), the new hidden state o * tanh(c). int8 activations with int8
// weights, int16 cell state and int32 biases (TFLite's integer LSTM, the
// gates' and the products' fixed-point formats fixed as TFLite Micro fixes
// them), the same with int16 activations and int64 biases (16x8: the gates'
// sums in int64), or float32 throughout. No peephole, projection, layer
// normalization or CIFG: TFLite Micro has none.
//
// Node: inputs {input [B, T, I] (or [T, B, I] time-major), recurrent weights
// [4S, S] (a graph constant), hidden state [B, S], cell state [B, S] (graph
// state tensors)}; weights = input weights [4S, I]; bias [4S]: each gate's
// S rows in the order input, forget, cell, output (an int8 gate's scale per
// row, per-channel along axis 0). Output [B, T, S] (or [T, B, S]): the hidden
// state after each step.
#pragma once

#include "weft/ops/activations/unit.hpp"
#include "weft/ops/staged_dot.hpp"
#include "weft/ops/unit.hpp"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

namespace weft {

struct lstm_options {
  /// The input is [time, batch, inputs] rather than [batch, time, inputs].
  bool time_major = false;
  /// The cell state's bound (0: none), in real units.
  float cell_clip = 0.0f;
  friend constexpr bool operator==(const lstm_options&, const lstm_options&) = default;
};

namespace ops {

template <class T>
struct lstm_args {
  static constexpr bool is_float = std::is_same_v<T, float>;
  int batches = 0, steps = 0, inputs = 0, units = 0;
  bool time_major = false;
  const std::conditional_t<is_float, float, std::int8_t>* w = nullptr;  // [4S, I]
  const std::conditional_t<is_float, float, std::int8_t>* u = nullptr;  // [4S, S]
  // float32, int32 with int8 activations, int64 with int16 (16x8).
  const std::conditional_t<is_float, float, std::conditional_t<sizeof(T) == 1, std::int32_t, std::int64_t>>* bias =
      nullptr;
  // int8 and int16:
  std::array<multiplier, 4> input_to_gate{}, hidden_to_gate{};
  std::int32_t input_zero_point = 0, hidden_zero_point = 0;
  multiplier forget_times_cell{}, input_times_cell{}, to_hidden{};
  sigmoid16_scaling cell_tanh{};
  std::int32_t cell_clip = 0;  // quantized; 0: none
  // float32:
  float clip = 0.0f;
};

struct lstm_op : row_family {
  using options = lstm_options;
  static constexpr int min_inputs = 4, max_inputs = 4;
  static constexpr op_family family = op_family::dense;
  static constexpr auto fields =
      std::tuple{field{"time_major", &options::time_major}, field{"cell_clip", &options::cell_clip}};
  static constexpr bool state_input(int k) { return k == 2 || k == 3; }
  /// int16 activations with int8 weights (16x8).
  static constexpr bool int16_input(int k) { return k == 0; }

  /// The gates' format: Q3.12 (TFLite Micro's fixed intermediate scale).
  static constexpr double gate_scale = 1.0 / 4096;

  static constexpr inferred infer(const operands& x, const options& o) {
    const tensor_spec& in = x.in[0];
    const tensor_spec& u = x.in[1];
    const tensor_spec& hidden = x.in[2];
    const tensor_spec& cell = x.in[3];
    const constant& w = *x.weights;
    const constant& bias = *x.bias;
    if (in.type != dtype::int8 && in.type != dtype::int16 && in.type != dtype::float32)
      return {.err = error::unsupported_dtype};
    const bool q = in.type != dtype::float32;
    if (in.dims.rank != 3 || hidden.dims.rank != 2 || cell.dims.rank != 2 || w.spec.dims.rank != 2 || u.dims.rank != 2)
      return {.err = error::lstm_shapes};
    const int batches = o.time_major ? in.dims[1] : in.dims[0], inputs = in.dims[2], units = hidden.dims[1];
    if (hidden.dims[0] != batches || !(cell.dims == hidden.dims) || w.spec.dims[0] != 4 * units ||
        w.spec.dims[1] != inputs || u.dims[0] != 4 * units || u.dims[1] != units ||
        bias.spec.dims.elements() != 4 * units)
      return {.err = error::lstm_shapes};
    if (x.consts[1].empty() || bias.empty()) return {.err = error::lstm_types};
    // int8: int32 bias; int16 (16x8): int64 bias; the hidden state of the
    // input's type, the cell state int16.
    const dtype bias_type = in.type == dtype::int16 ? dtype::int64 : dtype::int32;
    const bool types_ok = q ? w.spec.type == dtype::int8 && u.type == dtype::int8 && bias.spec.type == bias_type &&
                                  hidden.type == in.type && cell.type == dtype::int16
                            : w.spec.type == dtype::float32 && u.type == dtype::float32 &&
                                  bias.spec.type == dtype::float32 && hidden.type == dtype::float32 &&
                                  cell.type == dtype::float32;
    if (!types_ok || !(o.cell_clip >= 0.0f)) return {.err = error::lstm_types};
    if (q) {
      // One scale per gate (the reader spreads each gate's over its rows).
      for (const quantization* s : {&w.spec.quant, &u.quant}) {
        if (s->channels != 4 * units) return {.err = error::lstm_types};
        for (int g = 0; g < 4; ++g)
          for (int k = 1; k < units; ++k)
            if (s->scales[g * units + k] != s->scales[g * units]) return {.err = error::lstm_types};
      }
      if (in.type == dtype::int8 && !valid_int8_quantization(x.out)) return {.err = error::bad_quantization};
      if (in.type == dtype::int16 && !valid_int16_quantization(x.out)) return {.err = error::bad_int16_quantization};
    }
    inferred r{};
    r.out = output_spec(in, shape{in.dims[0], in.dims[1], units}, x.out);
    r.macs = std::int64_t{batches} * in.dims[0 + (o.time_major ? 0 : 1)] * 4 * units * (inputs + units);
    return r;
  }

  /// Cut by batches (batch-major input: each batch's sequence is its own),
  /// or by units, step by step: each step's gates need the whole previous
  /// hidden state, so the cores wait for each other after every step but
  /// the last (divisible::phases). Each core keeps its units' cell state;
  /// the new hidden state goes to the state once the last step is done.
  /// (One step has no wait in which a core could update the hidden state
  /// another still reads: it is only cut by batches.)
  static constexpr int row_unit(const shape& out) { return out[1]; }
  template <class G>
  static constexpr std::array<divisible, 2> axes(const G& g, int i, const cost_model& m, in_place_kind) {
    const auto& n = g.at(i);
    const shape& out = g.spec(n.output).dims;
    const bool time_major = n.template opt<options>().time_major;
    const int batches = time_major ? out[1] : out[0], steps = time_major ? out[0] : out[1], units = out[2];
    // Per unit and step: the four gates' activations and the cell's tanh
    // (about two fixed-point exps' worth), then one output. (Per step, every
    // core also stages the input and the hidden state: counted with each
    // pass's kernel call, cost_model::per_tile.)
    const std::int64_t per_unit_step = m.per_output + 2 * m.per_softmax_element;
    std::array<divisible, 2> a{};
    if (!time_major) a[0] = {split_axis::rows, batches, n.macs / batches + steps * units * per_unit_step};
    if (steps > 1) a[1] = {split_axis::channels, units, n.macs / units + batches * steps * per_unit_step, steps};
    return a;
  }

  /// A core writes its tile of the outputs (its batches, or its units of
  /// every step), reads the input, the previous hidden state of its batches
  /// (every unit) and updates its part of the hidden and cell state.
  template <class G, class P>
  static constexpr accesses access(const G& g, const P& plan, int i, const tile& t) {
    accesses a = row_access(g, plan, i, t, true);
    const auto& n = g.at(i);
    const shape& out = g.spec(n.output).dims;
    const bool whole = n.template opt<options>().time_major;
    access_region s{};
    s.row_lo = whole ? 0 : t.row_begin / out[1];
    s.row_hi = whole ? g.spec(n.inputs[2]).dims[0] : t.row_end / out[1];
    s.col_hi = out[2];
    a.reads[4] = plan_detail::make_region(g, plan, n.inputs[2], s);
    a.read_count = 5;
    s.col_lo = t.ch_begin;
    s.col_hi = t.ch_end;
    for (int k : {2, 3}) {
      a.reads[static_cast<std::size_t>(k)] =
          plan_detail::make_region(g, plan, n.inputs[static_cast<std::size_t>(k)], s);
      a.reads[static_cast<std::size_t>(k)].updated = true;
    }
    return a;
  }

  template <class T, class G>
  static constexpr lstm_args<T> make_args(const G& g, int i, const auto&) {
    const auto& n = g.at(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    const constant& u = g.constants[static_cast<std::size_t>(n.inputs[1])];
    const tensor_spec& hidden = g.spec(n.inputs[2]);
    const tensor_spec& cell = g.spec(n.inputs[3]);
    const options& o = n.template opt<options>();
    lstm_args<T> a{};
    a.time_major = o.time_major;
    a.batches = o.time_major ? in.dims[1] : in.dims[0];
    a.steps = o.time_major ? in.dims[0] : in.dims[1];
    a.inputs = in.dims[2];
    a.units = hidden.dims[1];
    if constexpr (std::is_same_v<T, float>) {
      a.w = n.weights.f32;
      a.u = u.f32;
      a.bias = n.bias.f32;
      a.clip = o.cell_clip;
    } else {
      a.w = n.weights.i8;
      a.u = u.i8;
      if constexpr (std::is_same_v<T, std::int16_t>)
        a.bias = n.bias.i64;
      else
        a.bias = n.bias.i32;
      a.input_zero_point = in.quant.zero_point;
      a.hidden_zero_point = hidden.quant.zero_point;
      // The gate multipliers: products of scales in float32, divided by
      // the gates' scale in double (TFLite's GetQuantizedConvolutionMultipler).
      for (int gate = 0; gate < 4; ++gate) {
        const float sw = n.weights.spec.quant.scale_at(gate * a.units);
        const float su = u.spec.quant.scale_at(gate * a.units);
        a.input_to_gate[static_cast<std::size_t>(gate)] =
            quantize_multiplier(static_cast<double>(in.quant.scale * sw) / gate_scale);
        a.hidden_to_gate[static_cast<std::size_t>(gate)] =
            quantize_multiplier(static_cast<double>(hidden.quant.scale * su) / gate_scale);
      }
      const double s_cell = static_cast<double>(cell.quant.scale);
      constexpr double q15 = 1.0 / 32768;
      a.forget_times_cell = quantize_multiplier(q15 * s_cell / s_cell);
      a.input_times_cell = quantize_multiplier(q15 * q15 / s_cell);
      a.to_hidden = quantize_multiplier(q15 * q15 / static_cast<double>(hidden.quant.scale));
      // tanh of the cell state: its Q format from the scale's rounded log2.
      const int shift = 15 + checked_log2(cell.quant.scale).rounded - 3;
      a.cell_tanh = shift < 0 ? sigmoid16_scaling{3, -shift} : sigmoid16_scaling{3 << shift, 0};
      if (o.cell_clip > 0.0f) {
        double c = static_cast<double>(o.cell_clip) / s_cell;
        c = c < -32768.0 ? -32768.0 : (c > 32767.0 ? 32767.0 : c);
        a.cell_clip = static_cast<std::int16_t>(c);
      }
    }
    return a;
  }

  static constexpr std::int32_t clamp16(std::int32_t v) { return v < -32768 ? -32768 : (v > 32767 ? 32767 : v); }

  // (requantize: TFLite's MultiplyByQuantizedMultiplier for multipliers
  // quantize_multiplier makes, in fewer instructions.)
  // Unit k's cell state (updated in place) and new hidden state from its
  // gates (input, forget, cell, output; Q0.15): the integer LSTM's tail,
  // for int8 and int16 activations alike.
  template <class T>
  [[gnu::always_inline]] static T cell_and_hidden(const lstm_args<T>& a, const std::int16_t (&gate)[4],
                                                  std::int16_t& cell) {
    std::int32_t c = clamp16(requantize(gate[1] * cell, a.forget_times_cell));
    c = clamp16(c + clamp16(requantize(gate[0] * gate[2], a.input_times_cell)));
    if (a.cell_clip > 0) c = c > a.cell_clip ? a.cell_clip : (c < -a.cell_clip ? -a.cell_clip : c);
    cell = static_cast<std::int16_t>(c);
    const std::int16_t tc = tanh16(static_cast<std::int16_t>(c), a.cell_tanh);
    const std::int32_t v = requantize(tc * gate[3], a.to_hidden) + a.hidden_zero_point;
    constexpr std::int32_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
    return static_cast<T>(v < lo ? lo : (v > hi ? hi : v));
  }

  // One int8 step of one batch: gates from the input x and the previous
  // hidden state (h, staged), the cell state updated in place, the new
  // hidden state written to `out` (never where h is read from).
  // Units [k0, k1) only.
  template <bool Dsp>
  [[gnu::always_inline]] static void int8_step(const lstm_args<std::int8_t>& a, const staged_vector<Dsp>& x,
                                               const staged_vector<Dsp>& h, int k0, int k1, std::int16_t* cell,
                                               std::int8_t* out) {
    const int s = a.units;
    for (int k = k0; k < k1; ++k) {
      std::int16_t gate[4];
      for (int g = 0; g < 4; ++g) {
        const int row = g * s + k;
        const std::int32_t from_input = clamp16(
            requantize(a.bias[row] + x.dot(a.w + row * a.inputs), a.input_to_gate[static_cast<std::size_t>(g)]));
        const std::int32_t from_hidden =
            clamp16(requantize(h.dot(a.u + row * s), a.hidden_to_gate[static_cast<std::size_t>(g)]));
        const auto v = static_cast<std::int16_t>(clamp16(from_input + from_hidden));
        gate[g] = g == 2 ? tanh16(v, {}) : logistic16(v, {});
      }
      out[k] = cell_and_hidden(a, gate, cell[k]);
    }
  }

  // The same with int16 activations (16x8): int64 sums, requantized by
  // TFLite's 64-bit MultiplyByQuantizedMultiplier, the bias int64.
  static void int16_step(const lstm_args<std::int16_t>& a, const std::int16_t* x, const std::int16_t* h, int k0, int k1,
                         std::int16_t* cell, std::int16_t* out) {
    const int s = a.units;
    for (int k = k0; k < k1; ++k) {
      std::int16_t gate[4];
      for (int g = 0; g < 4; ++g) {
        const int row = g * s + k;
        std::int64_t from_x = a.bias[row], from_h = 0;
        for (int j = 0; j < a.inputs; ++j) from_x += a.w[row * a.inputs + j] * (x[j] - a.input_zero_point);
        for (int j = 0; j < s; ++j) from_h += a.u[row * s + j] * (h[j] - a.hidden_zero_point);
        const std::int32_t from_input =
            clamp16(multiply_by_quantized_multiplier_64(from_x, a.input_to_gate[static_cast<std::size_t>(g)]));
        const std::int32_t from_hidden =
            clamp16(multiply_by_quantized_multiplier_64(from_h, a.hidden_to_gate[static_cast<std::size_t>(g)]));
        const auto v = static_cast<std::int16_t>(clamp16(from_input + from_hidden));
        gate[g] = g == 2 ? tanh16(v, {}) : logistic16(v, {});
      }
      out[k] = cell_and_hidden(a, gate, cell[k]);
    }
  }

  static float clamp_float(float v) {
    constexpr float m = 3.40282347e+38f;
    return v < -m ? -m : (v > m ? m : v);
  }

  static void float_step(const lstm_args<float>& a, const float* x, const float* h, int k0, int k1, float* cell,
                         float* out) {
    const int s = a.units;
    for (int k = k0; k < k1; ++k) {
      float gate[4];
      for (int g = 0; g < 4; ++g) {
        const int row = g * s + k;
        float from_input = 0.0f;
        for (int j = 0; j < a.inputs; ++j) from_input += x[j] * a.w[row * a.inputs + j];
        from_input = clamp_float(from_input + a.bias[row]);
        float from_hidden = 0.0f;
        for (int j = 0; j < s; ++j) from_hidden += h[j] * a.u[row * s + j];
        from_hidden = clamp_float(from_hidden + 0.0f);
        const float v = from_input + from_hidden;
        gate[g] = g == 2 ? std::tanh(v) : logistic_op::element(no_args{}, v);  // TFLite's float logistic
      }
      float c = clamp_float(gate[1] * cell[k]) + clamp_float(gate[0] * gate[2]);
      if (a.clip > 0.0f) c = c > a.clip ? a.clip : (c < -a.clip ? -a.clip : c);
      cell[k] = c;
      out[k] = clamp_float(std::tanh(c) * gate[3]);
    }
  }

  template <class Isa, class T>
  [[gnu::always_inline]] static void run(const lstm_args<T>& a, const kernel_io& io, tile t) {
    const T* in = io.input<T>(0);
    T* out = io.output<T>();
    // The state is the operator's to update (graph::state).
    T* hidden = reinterpret_cast<T*>(const_cast<std::byte*>(io.in[2]));
    using C = std::conditional_t<std::is_same_v<T, float>, float, std::int16_t>;
    C* cell = reinterpret_cast<C*>(const_cast<std::byte*>(io.in[3]));
    const int s = a.units;
    // The tile's batches: its rows are [batch * steps, ...) unless
    // time-major (then all of them); its units and steps: all, or a core's
    // units in one pass (a step).
    const int b0 = a.time_major ? 0 : t.row_begin / a.steps;
    const int b1 = a.time_major ? a.batches : t.row_end / a.steps;
    const int k0 = t.ch_begin, k1 = t.ch_end;
    const int last = t.phase_end < a.steps ? t.phase_end : a.steps;
    auto row = [&](int b, int step) { return a.time_major ? step * a.batches + b : b * a.steps + step; };
    // (Batches are independent: each runs its steps in turn.)
    for (int b = b0; b < b1; ++b) {
      for (int step = t.phase_begin; step < last; ++step) {
        // The previous hidden state: the state before the first step, then
        // the last step's output.
        const T* h = step == 0 ? hidden + b * s : out + row(b, step - 1) * s;
        const T* x = in + row(b, step) * a.inputs;
        if constexpr (std::is_same_v<T, float>) {
          float_step(a, x, h, k0, k1, cell + b * s, out + row(b, step) * s);
        } else if constexpr (std::is_same_v<T, std::int16_t>) {
          int16_step(a, x, h, k0, k1, cell + b * s, out + row(b, step) * s);
        } else {
          staged_vector<Isa::dsp> xs, hs;
          xs.stage(x, a.inputs, a.input_zero_point);
          hs.stage(h, s, a.hidden_zero_point);
          // (All units, as one core runs a whole LSTM: loop bounds the
          // compiler knows, a.units being a constant of the layer.)
          if (k0 == 0 && k1 == s)
            int8_step(a, xs, hs, 0, s, cell + b * s, out + row(b, step) * s);
          else
            int8_step(a, xs, hs, k0, k1, cell + b * s, out + row(b, step) * s);
        }
      }
      if (last == a.steps)
        std::memcpy(hidden + b * s + k0, out + row(b, a.steps - 1) * s + k0,
                    static_cast<std::size_t>(k1 - k0) * sizeof(T));
    }
  }
};

}  // namespace ops
}  // namespace weft
