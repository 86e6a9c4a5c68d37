// SPDX-License-Identifier: Apache-2.0
// A model's operator graph as a constexpr value: one input, operators in
// execution order, one output. Building it infers every tensor's spec; the
// first mistake is recorded (not thrown) so that weft::compiled can report it
// in a static_assert, and the host tool at run time.
#pragma once

#include "weft/core/error.hpp"
#include "weft/core/tensor_spec.hpp"
#include "weft/ops/add.hpp"
#include "weft/ops/conv2d.hpp"
#include "weft/ops/depthwise_conv2d.hpp"
#include "weft/ops/fully_connected.hpp"
#include "weft/ops/pool2d.hpp"
#include "weft/ops/reshape.hpp"
#include "weft/ops/softmax.hpp"

#include <array>
#include <cstdint>
#include <variant>

namespace weft {

enum class op : std::uint8_t {
  conv2d,
  depthwise_conv2d,
  fully_connected,
  average_pool2d,
  max_pool2d,
  add,
  softmax,
  reshape,
};

constexpr const char* name_of(op k) {
  switch (k) {
    case op::conv2d:
      return "conv2d";
    case op::depthwise_conv2d:
      return "depthwise_conv2d";
    case op::fully_connected:
      return "fully_connected";
    case op::average_pool2d:
      return "average_pool2d";
    case op::max_pool2d:
      return "max_pool2d";
    case op::add:
      return "add";
    case op::softmax:
      return "softmax";
    case op::reshape:
      return "reshape";
  }
  return "?";
}

/// A tensor of a graph, as the builder hands it out.
struct tensor_id {
  int index = -1;
  constexpr bool valid() const { return index >= 0; }
};

/// The options of each operator kind, one alternative per options type
/// (operators without options hold std::monostate): a node is as large as
/// the largest, whatever the number of kinds.
using node_options = std::variant<std::monostate, conv2d_options, depthwise_conv2d_options, fully_connected_options,
                                  pool2d_options, add_options, softmax_options>;

/// One operator: its kind, the tensors it reads and writes, its constants and
/// the options of its kind.
struct node {
  op kind = op::conv2d;
  std::array<int, 2> inputs{-1, -1};
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
  constexpr int input_count() const { return kind == op::add ? 2 : 1; }
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

/// The window of a node that slides one over its input (conv2d,
/// depthwise_conv2d, average_pool2d, max_pool2d) on input `in`: what its
/// kernels, its tiles and its memory plan read of it, as its spec inference
/// computed it (any other kind: bad_variant_access, a compile error in
/// constant evaluation).
constexpr ops::window_geometry window_of(const node& n, const shape& in) {
  switch (n.kind) {
    case op::conv2d:
      return ops::conv2d_window(in, n.opt<conv2d_options>(), n.weights.spec.dims);
    case op::depthwise_conv2d:
      return ops::depthwise_conv2d_window(in, n.opt<depthwise_conv2d_options>(), n.weights.spec.dims);
    default:
      return ops::pool2d_window(in, n.opt<pool2d_options>());
  }
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

  constexpr tensor_id conv2d(tensor_id x, const conv2d_options& o, const constant& w, const constant& b = {},
                             const quantization& out = {}) {
    node n{.kind = op::conv2d, .weights = w, .bias = b, .options = o};
    return add_node(n, x, {},
                    [&](const tensor_spec& in, const tensor_spec&) { return ops::infer_conv2d(in, o, w, b, out); });
  }

  constexpr tensor_id depthwise_conv2d(tensor_id x, const depthwise_conv2d_options& o, const constant& w,
                                       const constant& b = {}, const quantization& out = {}) {
    node n{.kind = op::depthwise_conv2d, .weights = w, .bias = b, .options = o};
    return add_node(n, x, {}, [&](const tensor_spec& in, const tensor_spec&) {
      return ops::infer_depthwise_conv2d(in, o, w, b, out);
    });
  }

  constexpr tensor_id fully_connected(tensor_id x, const fully_connected_options& o, const constant& w,
                                      const constant& b = {}, const quantization& out = {}) {
    node n{.kind = op::fully_connected, .weights = w, .bias = b, .options = o};
    return add_node(n, x, {}, [&](const tensor_spec& in, const tensor_spec&) {
      return ops::infer_fully_connected(in, o, w, b, out);
    });
  }

  constexpr tensor_id average_pool2d(tensor_id x, const pool2d_options& o) {
    node n{.kind = op::average_pool2d, .options = o};
    return add_node(n, x, {}, [&](const tensor_spec& in, const tensor_spec&) { return ops::infer_pool2d(in, o); });
  }

  constexpr tensor_id max_pool2d(tensor_id x, const pool2d_options& o) {
    node n{.kind = op::max_pool2d, .options = o};
    return add_node(n, x, {}, [&](const tensor_spec& in, const tensor_spec&) { return ops::infer_pool2d(in, o); });
  }

  /// x + y; for int8 the output quantization is given (TFLite rescales).
  constexpr tensor_id add(tensor_id x, tensor_id y, const add_options& o = {}, const quantization& out = {}) {
    node n{.kind = op::add, .options = o};
    return add_node(n, x, y, [&](const tensor_spec& a, const tensor_spec& b) { return ops::infer_add(a, b, o, out); });
  }

  constexpr tensor_id softmax(tensor_id x, const softmax_options& o = {}) {
    node n{.kind = op::softmax, .options = o};
    return add_node(n, x, {}, [&](const tensor_spec& in, const tensor_spec&) { return ops::infer_softmax(in, o); });
  }

  constexpr tensor_id reshape(tensor_id x, const shape& to) {
    node n{.kind = op::reshape};
    return add_node(n, x, {}, [&](const tensor_spec& in, const tensor_spec&) { return ops::infer_reshape(in, to); });
  }

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

  template <class Infer>
  constexpr tensor_id add_node(node n, tensor_id x, tensor_id y, Infer infer) {
    if (!ok()) return {};
    const int index = node_count;
    if (input_tensor < 0) return fail(error::no_input, index);
    if (index >= N) return fail(error::too_many_nodes, index);
    if (!valid(x) || (n.input_count() == 2 && !valid(y))) return fail(error::bad_tensor, index);
    const tensor_spec& a = spec(x.index);
    const ops::inferred r = infer(a, n.input_count() == 2 ? spec(y.index) : a);
    if (r.err != error::none) return fail(r.err, index);
    n.inputs = {x.index, n.input_count() == 2 ? y.index : -1};
    n.macs = r.macs;
    n.pad = r.pad;
    n.output = add_tensor(r.out, index);
    nodes[static_cast<std::size_t>(index)] = n;
    ++node_count;
    return {n.output};
  }
};

}  // namespace weft
