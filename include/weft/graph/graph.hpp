// SPDX-License-Identifier: Apache-2.0
// A model's operator graph as a constexpr value: one input, operators in
// execution order, one output. Building it infers every tensor's spec; the
// first mistake is recorded (not thrown) so that weft::compiled can report it
// in a static_assert, and the host tool at run time.
#pragma once

#include "weft/core/error.hpp"
#include "weft/core/tensor_spec.hpp"
#include "weft/ops/registry.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
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
  std::array<int, max_inputs> inputs{-1, -1, -1, -1};
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

/// A model graph with room for N operators (and N + 1 tensors: the input and
/// one output per operator). Build it in a constexpr lambda:
///
///     static constexpr auto graph = [] {
///       weft::graph<4> g;
///       auto x = g.input(weft::int8_tensor({1, 8, 8, 1}, 0.02f, -128));
///       x = g.conv2d(x, {.pad = weft::padding::same}, weights, bias, {0.05f, -128});
///       ...
///       g.output(x);
///       return g;
///     }();
template <int N>
struct graph {
  static_assert(N >= 1, "weft: a graph needs room for at least one operator");
  static constexpr int capacity = N;

  std::array<node, N> nodes{};
  std::array<tensor_spec, N + 1> tensors{};
  std::array<int, N + 1> producer{};  // node index, -1 for the graph input
  int node_count = 0;
  int tensor_count = 0;
  int input_tensor = -1;
  int output_tensor = -1;
  error err = error::none;
  int err_node = -1;  // the operator the error is about, -1 for the graph

  constexpr bool ok() const { return err == error::none; }

  constexpr tensor_id input(const tensor_spec& s) {
    if (!ok()) return {};
    if (input_tensor >= 0) return fail(error::input_twice, -1);
    if (!s.dims.valid()) return fail(error::bad_shape, -1);
    if (s.type != dtype::int8 && s.type != dtype::float32) return fail(error::unsupported_dtype, -1);
    if (s.type == dtype::int8 && !ops::valid_int8_quantization(s.quant)) return fail(error::bad_quantization, -1);
    input_tensor = add_tensor(s, -1);
    return {input_tensor};
  }

  /// Adds an operator of unit U (weft::ops::<name>_op) reading `inputs`,
  /// with its options, the output quantization of an int8 result where the
  /// unit takes one, and its constants. The named builders below call it.
  template <class U>
  constexpr tensor_id apply(std::initializer_list<tensor_id> inputs, const typename U::options& o = {},
                            const quantization& out = {}, const constant& w = {}, const constant& b = {}) {
    if (!ok()) return {};
    const int index = node_count;
    if (input_tensor < 0) return fail(error::no_input, index);
    if (index >= N) return fail(error::too_many_nodes, index);
    const auto count = static_cast<int>(inputs.size());
    if (count < U::min_inputs || count > U::max_inputs) return fail(error::input_count, index);
    node n{.kind = kind_of<U>, .weights = w, .bias = b, .options = o};
    operands x{.count = count, .weights = &n.weights, .bias = &n.bias, .out = out};
    int k = 0;
    for (const tensor_id t : inputs) {
      if (!valid(t)) return fail(error::bad_tensor, index);
      x.in[static_cast<std::size_t>(k)] = spec(t.index);
      n.inputs[static_cast<std::size_t>(k++)] = t.index;
    }
    n.arity = count;
    const ops::inferred r = U::infer(x, o);
    if (r.err != error::none) return fail(r.err, index);
    n.macs = r.macs;
    n.pad = r.pad;
    n.output = add_tensor(r.out, index);
    nodes[static_cast<std::size_t>(index)] = n;
    ++node_count;
    return {n.output};
  }

  constexpr tensor_id conv2d(tensor_id x, const conv2d_options& o, const constant& w, const constant& b = {},
                             const quantization& out = {}) {
    return apply<ops::conv2d_op>({x}, o, out, w, b);
  }

  constexpr tensor_id depthwise_conv2d(tensor_id x, const depthwise_conv2d_options& o, const constant& w,
                                       const constant& b = {}, const quantization& out = {}) {
    return apply<ops::depthwise_conv2d_op>({x}, o, out, w, b);
  }

  constexpr tensor_id fully_connected(tensor_id x, const fully_connected_options& o, const constant& w,
                                      const constant& b = {}, const quantization& out = {}) {
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

  /// Marks y as the model's output. Call it last.
  constexpr void output(tensor_id y) {
    if (!ok()) return;
    if (!valid(y)) {
      fail(error::bad_tensor, -1);
      return;
    }
    output_tensor = y.index;
  }

  /// The graph is complete: input, output, no error recorded.
  constexpr error check() const {
    if (!ok()) return err;
    if (input_tensor < 0) return error::no_input;
    if (output_tensor < 0) return error::no_output;
    return error::none;
  }

  constexpr const tensor_spec& input_spec() const { return tensors[static_cast<std::size_t>(input_tensor)]; }
  constexpr const tensor_spec& output_spec() const { return tensors[static_cast<std::size_t>(output_tensor)]; }
  constexpr const tensor_spec& spec(int t) const { return tensors[static_cast<std::size_t>(t)]; }
  constexpr const node& at(int i) const { return nodes[static_cast<std::size_t>(i)]; }

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
    const int t = tensor_count++;
    tensors[static_cast<std::size_t>(t)] = s;
    producer[static_cast<std::size_t>(t)] = from;
    return t;
  }
};

}  // namespace weft
