// SPDX-License-Identifier: Apache-2.0
// A model's operator graph as a constexpr value: its inputs, constants,
// operators in execution order, and outputs. Building it infers every tensor's spec; the
// first mistake is recorded (not thrown) so that weft::compiled can report it
// in a static_assert, and the host tool at run time.
#pragma once

#include "weft/core/error.hpp"
#include "weft/core/tensor_spec.hpp"
#include "weft/ops/registry.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <variant>

namespace weft {

/// A tensor of a graph, as the builder hands it out.
struct tensor_id {
  int index = -1;
  constexpr bool valid() const { return index >= 0; }
};

/// One operator: its kind, the tensors it reads and writes, its constants and
/// the options of its kind.
struct node {
  op kind = op::conv2d;
  std::array<int, max_inputs> inputs{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
  int arity = 0;  // inputs used
  int output = -1;
  constant weights{};
  constant bias{};
  node_options options{};
  std::int64_t macs = 0;
  hw pad{0, 0};

  /// The options, as the kind's options type O (a compile error in constant
  /// evaluation, std::bad_variant_access at run time, if O is not the kind's).
  template <class O>
  constexpr const O& opt() const {
    return std::get<O>(options);
  }
  constexpr int input_count() const { return arity; }
  /// The fused activation, for kinds whose options have one.
  constexpr activation act() const {
    return std::visit(
        [](const auto& o) {
          if constexpr (requires { o.act; }) {
            return o.act;
          } else {
            return activation::none;
          }
        },
        options);
  }
};

/// The window of a node whose unit slides one over its input (conv2d,
/// depthwise_conv2d, the pools) on input shape `in`: what its kernels, its
/// tiles and its memory plan read of it, as its spec inference computed it
/// (an empty geometry for any other unit).
constexpr ops::window_geometry window_of(const node& n, const shape& in) {
  return visit_unit(n.kind, [&]<class U>() {
    if constexpr (requires { U::window(n, in); }) {
      return U::window(n, in);
    } else {
      return ops::window_geometry{};
    }
  });
}

/// Whether unit U takes an activation of dtype t as input k: int8 and
/// float32 always (its infer says which it computes on), int32 (indices)
/// where U::int32_input(k), int16 where U::int16_input(k).
template <class U>
constexpr bool takes_activation(dtype t, int k) {
  if (t == dtype::int32) {
    if constexpr (requires { U::int32_input(k); }) return U::int32_input(k);
    return false;
  }
  if (t == dtype::int16) {
    if constexpr (requires { U::int16_input(k); }) return U::int16_input(k);
    return false;
  }
  return t == dtype::int8 || t == dtype::float32;
}

/// Most input and output tensors a model has.
inline constexpr int max_model_inputs = 8;
inline constexpr int max_model_outputs = 8;

/// graph::producer of a tensor no operator writes.
inline constexpr int from_model_input = -1;  // a model input: the caller writes it
inline constexpr int from_constant = -2;     // a constant: its data is in flash
inline constexpr int from_state = -3;        // state: kept across inferences (compiled::state_bytes)

/// The byte a state tensor of spec s starts at (and returns to on reset):
/// an int8 tensor's zero point, zero for the others, as TFLite Micro's
/// ResetVariableTensors sets them.
constexpr std::uint8_t initial_state_byte(const tensor_spec& s) {
  return static_cast<std::uint8_t>(s.type == dtype::int8 ? s.quant.zero_point : 0);
}

/// The error of a tensor whose quantization does not suit its dtype, or
/// none.
constexpr error quantization_error(const tensor_spec& s) {
  if (s.type == dtype::int8 && !ops::valid_int8_quantization(s.quant)) return error::bad_quantization;
  if (s.type == dtype::int16 && !ops::valid_int16_quantization(s.quant)) return error::bad_int16_quantization;
  return error::none;
}

/// Whether unit U keeps state in input k (U::state_input): it reads and
/// updates that tensor, which must be a graph state tensor.
template <class U>
constexpr bool keeps_state(int k) {
  if constexpr (requires { U::state_input(k); }) {
    return U::state_input(k);
  } else {
    return false;
  }
}

/// A model graph with room for N operators and T tensors (model inputs,
/// constants an operator reads as an input, and one output per operator).
/// Build it in a constexpr lambda:
///
///     static constexpr auto graph = [] {
///       weft::graph<4> g;
///       auto x = g.input(weft::int8_tensor({1, 8, 8, 1}, 0.02f, -128));
///       x = g.conv2d(x, {.pad = weft::padding::same}, weights, bias, {0.05f, -128});
///       ...
///       g.output(x);
///       return g;
///     }();
///
/// Models with several inputs call input() once per input and output() once
/// per output, in the order a caller passes and reads them.
template <int N, int T = N + max_model_inputs>
struct graph {
  static_assert(N >= 1, "weft: a graph needs room for at least one operator");
  static_assert(T >= N + 1, "weft: a graph needs room for at least one tensor per operator and an input");
  static constexpr int capacity = N;
  static constexpr int tensor_capacity = T;

  std::array<node, N> nodes{};
  std::array<tensor_spec, T> tensors{};
  /// The operator writing each tensor, or from_model_input, from_constant.
  std::array<int, T> producer{};
  /// The data of each constant tensor (empty for the others).
  std::array<weft::constant, T> constants{};
  std::array<int, max_model_inputs> model_inputs{};
  std::array<int, max_model_outputs> model_outputs{};
  int node_count = 0;
  int tensor_count = 0;
  int input_count = 0;
  int output_count = 0;
  error err = error::none;
  int err_node = -1;  // the operator the error is about, -1 for the graph

  constexpr bool ok() const { return err == error::none; }

  /// Adds a model input (the next one, in the order callers pass them).
  constexpr tensor_id input(const tensor_spec& s) {
    if (!ok()) return {};
    if (input_count >= max_model_inputs) return fail(error::too_many_inputs, -1);
    if (!s.dims.valid()) return fail(error::bad_shape, -1);
    // int32: indices (gather's positions, token ids, say); int16: 16x8 models.
    if (s.type != dtype::int8 && s.type != dtype::float32 && s.type != dtype::int32 && s.type != dtype::int16)
      return fail(error::unsupported_dtype, -1);
    if (const error e = quantization_error(s); e != error::none) return fail(e, -1);
    const int t = add_tensor(s, from_model_input);
    if (t < 0) return {};
    model_inputs[static_cast<std::size_t>(input_count++)] = t;
    return {t};
  }

  /// Adds a constant tensor operators read as an input (an operand of an
  /// element-wise operator, say); its data stays in flash, outside the arena.
  constexpr tensor_id constant(const weft::constant& c) {
    if (!ok()) return {};
    if (!c.spec.dims.valid()) return fail(error::bad_shape, -1);
    if (c.empty() || c.provided != c.elements()) return fail(error::weights_size, -1);
    // The constant's factories fill the pointer of spec.type; comparing a
    // pointer to an inline variable with nullptr is not a constant
    // expression under GCC's sanitizers, so only the type is checked here.
    if (c.spec.type != dtype::int8 && c.spec.type != dtype::int32 && c.spec.type != dtype::float32 &&
        c.spec.type != dtype::int16 && c.spec.type != dtype::int64)
      return fail(error::unsupported_dtype, -1);
    if (c.spec.type == dtype::int16 && !ops::valid_int16_quantization(c.spec.quant))
      return fail(error::bad_int16_quantization, -1);
    if (c.spec.type == dtype::int8 && !c.spec.quant.per_channel() && !ops::valid_int8_quantization(c.spec.quant))
      return fail(error::bad_quantization, -1);
    const int t = add_tensor(c.spec, from_constant);
    if (t < 0) return {};
    constants[static_cast<std::size_t>(t)] = c;
    return {t};
  }

  /// Adds a state tensor: bytes that keep their values from one inference
  /// to the next (TFLite's variable tensors: an SVDF's or an LSTM's memory;
  /// its resource variables). Operators that keep state read and update it
  /// (U::state_input); it lives after the arena (compiled::state_bytes) and
  /// starts, and returns on instance::reset(), at `initial` where given (a
  /// constant of its dtype, one element per element: a resource variable's
  /// value from CALL_ONCE's init subgraph), else at zero: at the zero point
  /// for int8, as TFLite Micro's ResetVariableTensors sets it.
  constexpr tensor_id state(const tensor_spec& s, const weft::constant& initial = {}) {
    if (!ok()) return {};
    if (!s.dims.valid()) return fail(error::bad_shape, -1);
    if (s.type != dtype::int8 && s.type != dtype::float32 && s.type != dtype::int16)
      return fail(error::unsupported_dtype, -1);
    if (const error e = quantization_error(s); e != error::none) return fail(e, -1);
    if (!initial.empty() && (initial.spec.type != s.type || initial.provided != s.dims.elements() ||
                             initial.elements() != s.dims.elements()))
      return fail(error::state_initial_value, -1);
    const int t = add_tensor(s, from_state);
    if (t < 0) return {};
    constants[static_cast<std::size_t>(t)] = initial;
    return {t};
  }

  /// Adds an operator of unit U (weft::ops::<name>_op) reading `inputs`,
  /// with its options, the output quantization of an int8 result where the
  /// unit takes one, and its constants. The named builders below call it.
  /// An operator that only views its input under another shape (reshape)
  /// of a constant gives a constant of that shape, and no operator.
  template <class U>
  constexpr tensor_id apply(std::initializer_list<tensor_id> inputs, const typename U::options& o = {},
                            const quantization& out = {}, const weft::constant& w = {}, const weft::constant& b = {}) {
    return apply<U>(std::span<const tensor_id>(inputs.begin(), inputs.size()), o, out, w, b);
  }

  /// The same, with inputs counted at run time (the importer's concatenations).
  template <class U>
  constexpr tensor_id apply(std::span<const tensor_id> inputs, const typename U::options& o = {},
                            const quantization& out = {}, const weft::constant& w = {}, const weft::constant& b = {}) {
    if (!ok()) return {};
    const int index = node_count;
    if (input_count == 0) return fail(error::no_input, index);
    if (index >= N) return fail(error::too_many_nodes, index);
    const auto count = static_cast<int>(inputs.size());
    if (count < U::min_inputs || count > U::max_inputs) return fail(error::input_count, index);
    node n{.kind = kind_of<U>, .weights = w, .bias = b, .options = o};
    operands x{.count = count, .weights = &n.weights, .bias = &n.bias, .out = out};
    int k = 0;
    for (const tensor_id t : inputs) {
      if (!valid(t)) return fail(error::bad_tensor, index);
      x.in[static_cast<std::size_t>(k)] = spec(t.index);
      // State goes exactly where a unit keeps it.
      if (is_state(t.index) != keeps_state<U>(k)) return fail(error::state_operand, index);
      if (is_constant(t.index)) {
        x.consts[static_cast<std::size_t>(k)] = constants[static_cast<std::size_t>(t.index)];
      } else if (!is_state(t.index) && !takes_activation<U>(spec(t.index).type, k)) {
        // An int32 activation is an index: only units that read indices
        // take one; int16 only units with an int16 kernel.
        return fail(spec(t.index).type == dtype::int16 ? error::int16_activation : error::int32_activation, index);
      }
      n.inputs[static_cast<std::size_t>(k++)] = t.index;
    }
    n.arity = count;
    const ops::inferred r = U::infer(x, o);
    if (r.err != error::none) return fail(r.err, index);
    if constexpr (requires { U::aliases_input; }) {
      if (is_constant(n.inputs[0])) {
        weft::constant c = constants[static_cast<std::size_t>(n.inputs[0])];
        c.spec = r.out;
        return constant(c);
      }
    }
    n.macs = r.macs;
    n.pad = r.pad;
    n.output = add_tensor(r.out, index);
    if (n.output < 0) return {};
    nodes[static_cast<std::size_t>(index)] = n;
    ++node_count;
    return {n.output};
  }

  constexpr tensor_id conv2d(tensor_id x, const conv2d_options& o, const weft::constant& w,
                             const weft::constant& b = {}, const quantization& out = {}) {
    return apply<ops::conv2d_op>({x}, o, out, w, b);
  }

  constexpr tensor_id depthwise_conv2d(tensor_id x, const depthwise_conv2d_options& o, const weft::constant& w,
                                       const weft::constant& b = {}, const quantization& out = {}) {
    return apply<ops::depthwise_conv2d_op>({x}, o, out, w, b);
  }

  constexpr tensor_id fully_connected(tensor_id x, const fully_connected_options& o, const weft::constant& w,
                                      const weft::constant& b = {}, const quantization& out = {}) {
    return apply<ops::fully_connected_op>({x}, o, out, w, b);
  }

  constexpr tensor_id average_pool2d(tensor_id x, const pool2d_options& o) {
    return apply<ops::average_pool2d_op>({x}, o);
  }

  constexpr tensor_id max_pool2d(tensor_id x, const pool2d_options& o) { return apply<ops::max_pool2d_op>({x}, o); }

  /// x + y; for int8 the output quantization is given (TFLite rescales).
  constexpr tensor_id add(tensor_id x, tensor_id y, const add_options& o = {}, const quantization& out = {}) {
    return apply<ops::add_op>({x, y}, o, out);
  }

  constexpr tensor_id softmax(tensor_id x, const softmax_options& o = {}) { return apply<ops::softmax_op>({x}, o); }

  constexpr tensor_id reshape(tensor_id x, const shape& to) { return apply<ops::reshape_op>({x}, {to}); }

  /// Marks y as the model's next output (in the order callers read them).
  /// Call it after the operators.
  constexpr void output(tensor_id y) {
    if (!ok()) return;
    if (!valid(y)) {
      fail(error::bad_tensor, -1);
      return;
    }
    if (output_count >= max_model_outputs) {
      fail(error::too_many_outputs, -1);
      return;
    }
    bool named = is_constant(y.index) || is_state(y.index);
    for (int k = 0; k < output_count; ++k) named = named || model_outputs[static_cast<std::size_t>(k)] == y.index;
    if (named) {
      fail(error::bad_output, -1);
      return;
    }
    model_outputs[static_cast<std::size_t>(output_count++)] = y.index;
  }

  /// The graph is complete: inputs, outputs, no error recorded.
  constexpr error check() const {
    if (!ok()) return err;
    if (input_count == 0) return error::no_input;
    if (output_count == 0) return error::no_output;
    return error::none;
  }

  /// Model input k's tensor and spec (k in [0, input_count)).
  constexpr int input_tensor(int k = 0) const { return model_inputs[static_cast<std::size_t>(k)]; }
  constexpr int output_tensor(int k = 0) const { return model_outputs[static_cast<std::size_t>(k)]; }
  constexpr const tensor_spec& input_spec(int k = 0) const { return spec(input_tensor(k)); }
  constexpr const tensor_spec& output_spec(int k = 0) const { return spec(output_tensor(k)); }
  constexpr const tensor_spec& spec(int t) const { return tensors[static_cast<std::size_t>(t)]; }
  constexpr const node& at(int i) const { return nodes[static_cast<std::size_t>(i)]; }

  constexpr bool is_constant(int t) const { return producer[static_cast<std::size_t>(t)] == from_constant; }
  constexpr bool is_model_input(int t) const { return producer[static_cast<std::size_t>(t)] == from_model_input; }
  constexpr bool is_state(int t) const { return producer[static_cast<std::size_t>(t)] == from_state; }
  constexpr bool is_model_output(int t) const {
    for (int k = 0; k < output_count; ++k)
      if (model_outputs[static_cast<std::size_t>(k)] == t) return true;
    return false;
  }
  /// Whether state tensor t starts at contents of its own (graph::state's
  /// `initial`) rather than at initial_state_byte.
  constexpr bool has_initial_value(int t) const {
    return is_state(t) && !constants[static_cast<std::size_t>(t)].empty();
  }
  /// Writes state tensor t's initial contents (spec(t).bytes() bytes) at
  /// `at`: its initial value, or initial_state_byte repeated. Programs call
  /// it at construction and on reset.
  void write_initial_state(int t, std::byte* at) const {
    if (has_initial_value(t)) {
      std::memcpy(at, constant_bytes(t), spec(t).bytes());
    } else {
      std::memset(at, initial_state_byte(spec(t)), spec(t).bytes());
    }
  }
  /// A constant tensor's bytes in flash (at run time); a state tensor's
  /// initial value.
  const std::byte* constant_bytes(int t) const {
    const weft::constant& c = constants[static_cast<std::size_t>(t)];
    if (c.spec.type == dtype::int8) return reinterpret_cast<const std::byte*>(c.i8);
    if (c.spec.type == dtype::int32) return reinterpret_cast<const std::byte*>(c.i32);
    if (c.spec.type == dtype::int16) return reinterpret_cast<const std::byte*>(c.i16);
    if (c.spec.type == dtype::int64) return reinterpret_cast<const std::byte*>(c.i64);
    return reinterpret_cast<const std::byte*>(c.f32);
  }

 private:
  constexpr bool valid(tensor_id t) const { return t.index >= 0 && t.index < tensor_count; }

  constexpr tensor_id fail(error e, int node_index) {
    if (ok()) {
      err = e;
      err_node = node_index;
    }
    return {};
  }

  constexpr int add_tensor(const tensor_spec& s, int from) {
    if (tensor_count >= T) {
      fail(error::too_many_tensors, from >= 0 ? from : -1);
      return -1;
    }
    const int t = tensor_count++;
    tensors[static_cast<std::size_t>(t)] = s;
    producer[static_cast<std::size_t>(t)] = from;
    return t;
  }
};

}  // namespace weft
