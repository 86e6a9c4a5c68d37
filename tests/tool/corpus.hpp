// SPDX-License-Identifier: Apache-2.0
// The importer's test corpus: valid models that cover every operator and
// parameter combination weft supports (built with the weft builder and
// written with weft's .tflite writer), and invalid files made by altering a
// valid one, each with the words its error message must contain.
#pragma once

#include "support/random.hpp"
#include "support/run_graph.hpp"
#include "tflite_writer.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace weft::test {

struct good_model {
  std::string name;
  std::unique_ptr<constant_store> constants = std::make_unique<constant_store>();
  std::unique_ptr<graph<12>> g = std::make_unique<graph<12>>();
};

inline std::vector<float> scales(rng& r, int n) {
  std::vector<float> s(static_cast<std::size_t>(n));
  for (auto& x : s) x = r.log_uniform(1e-3, 2e-2);
  return s;
}

inline std::vector<std::int32_t> biases(rng& r, int n) {
  std::vector<std::int32_t> b(static_cast<std::size_t>(n));
  for (auto& x : b) x = r.uniform(-2000, 2000);
  return b;
}

// conv -> depthwise -> conv (residual add) -> pools -> reshape -> fc -> softmax:
// every int8 operator, SAME and VALID, strides, dilation, depth multiplier,
// every fused activation, per-channel and per-tensor weights.
inline good_model int8_network(std::uint64_t seed, bool with_dilation) {
  rng r(seed);
  good_model m;
  m.name = with_dilation ? "int8_dilated" : "int8_network";
  auto& c = *m.constants;
  auto& g = *m.g;
  const auto x = g.input(int8_tensor({1, 12, 10, 3}, 0.02f, -5));
  const auto a = g.conv2d(x, {{2, 1}, with_dilation ? hw{2, 2} : hw{1, 1}, padding::same, activation::relu},
                          c.int8_weights(r.int8s(8 * 3 * 3 * 3), {8, 3, 3, 3}, scales(r, 8), 0),
                          c.int32_bias(biases(r, 8)), {0.03f, -128});
  const auto b = g.depthwise_conv2d(a, {{1, 1}, {1, 1}, padding::same, activation::relu6, 2},
                                    c.int8_weights(r.int8s(3 * 3 * 16), {1, 3, 3, 16}, scales(r, 16), 3),
                                    c.int32_bias(biases(r, 16)), {0.04f, -100});
  const auto d =
      g.conv2d(b, {{1, 1}, {1, 1}, padding::valid, activation::none},
               c.int8_weights(r.int8s(8 * 16), {8, 1, 1, 16}, scales(r, 8), 0), c.int32_bias(biases(r, 8)), {0.05f, 7});
  const auto e = g.add(a, d, {activation::relu_n1_to_1}, {0.01f, 0});
  const auto f = g.max_pool2d(e, {{2, 2}, {2, 2}, padding::valid, activation::none});
  const auto h = g.average_pool2d(f, {{3, 2}, {1, 1}, padding::same, activation::relu});
  const auto k = g.reshape(h, {1, h.valid() ? static_cast<int>(g.spec(h.index).dims.elements()) : 1});
  const int features = k.valid() ? g.spec(k.index).dims[1] : 1;
  const auto l =
      g.fully_connected(k, {activation::none},
                        c.int8_weights(r.int8s(static_cast<std::size_t>(10 * features)), {10, features}, {0.004f}, 0),
                        c.int32_bias(biases(r, 10)), {0.2f, 3});
  g.output(g.softmax(l, {1.0f}));
  return m;
}

// A float32 model with every operator.
inline good_model float_network(std::uint64_t seed) {
  rng r(seed);
  good_model m;
  m.name = "float32_network";
  auto& c = *m.constants;
  auto& g = *m.g;
  const auto x = g.input(float32_tensor({1, 9, 9, 2}));
  const auto a =
      g.conv2d(x, {{1, 1}, {1, 1}, padding::same, activation::relu},
               c.float32(r.floats(4 * 3 * 3 * 2, -0.5, 0.5), {4, 3, 3, 2}), c.float32(r.floats(4, -0.1, 0.1), {4}));
  const auto b = g.depthwise_conv2d(a, {{2, 2}, {1, 1}, padding::valid, activation::none, 1},
                                    c.float32(r.floats(3 * 3 * 4, -0.5, 0.5), {1, 3, 3, 4}),
                                    c.float32(r.floats(4, -0.1, 0.1), {4}));
  const auto p = g.average_pool2d(b, {{2, 2}, {1, 1}, padding::same, activation::none});
  const auto q = g.max_pool2d(b, {{2, 2}, {1, 1}, padding::same, activation::relu6});
  const auto s = g.add(p, q, {activation::none});
  const auto f = g.reshape(s, {1, 64});
  const auto l = g.fully_connected(f, {activation::none, false}, c.float32(r.floats(5 * 64, -0.3, 0.3), {5, 64}),
                                   c.float32(r.floats(5, -0.1, 0.1), {5}));
  g.output(g.softmax(l, {1.0f}));
  return m;
}

// A per-channel fully_connected with keep_num_dims on a 3-D input.
inline good_model fc_network(std::uint64_t seed) {
  rng r(seed);
  good_model m;
  m.name = "fc_keep_dims";
  auto& c = *m.constants;
  auto& g = *m.g;
  const auto x = g.input(int8_tensor({2, 3, 40}, 0.1f, 12));
  const auto y =
      g.fully_connected(x, {activation::relu, true}, c.int8_weights(r.int8s(6 * 40), {6, 40}, scales(r, 6), 0),
                        c.int32_bias(biases(r, 6)), {0.08f, -128});
  g.output(g.fully_connected(y, {activation::none, false}, c.int8_weights(r.int8s(4 * 6), {4, 6}, {0.01f}, 0), {},
                             {0.05f, 0}));
  return m;
}

inline std::vector<good_model> good_models() {
  std::vector<good_model> v;
  v.push_back(int8_network(11, false));
  v.push_back(int8_network(12, true));
  v.push_back(float_network(13));
  v.push_back(fc_network(14));
  return v;
}

struct bad_model {
  std::string name;
  std::vector<std::uint8_t> bytes;
  std::string expect;  // words the error message contains
};

inline std::vector<bad_model> bad_models() {
  const good_model base = int8_network(11, false);
  auto model = [&] { return tool::to_tflite(*base.g); };
  const std::vector<std::uint8_t> valid = tool::pack(model());
  std::vector<bad_model> v;
  auto mutated = [&](const std::string& name, const std::string& expect,
                     const std::function<void(tflite::ModelT&)>& f) {
    tflite::ModelT m = model();
    f(m);
    v.push_back({name, tool::pack(m), expect});
  };
  auto bytes = [&](const std::string& name, const std::string& expect, std::vector<std::uint8_t> b) {
    v.push_back({name, std::move(b), expect});
  };
  auto first = [](tflite::ModelT& m) -> tflite::SubGraphT& { return *m.subgraphs[0]; };
  // Tensor indices of the base model: t0..t10 activations, then constants.
  auto weights_of = [&](tflite::ModelT& m, int op) -> tflite::TensorT& {
    return *first(m).tensors[static_cast<std::size_t>(first(m).operators[static_cast<std::size_t>(op)]->inputs[1])];
  };

  bytes("empty", "the file is 0 bytes long", {});
  bytes("too_short", "the file is 4 bytes long", {valid.begin(), valid.begin() + 4});
  bytes("truncated", "corrupt model", {valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(valid.size() / 2)});
  {
    auto b = valid;
    b[4] = 'T', b[5] = 'F', b[6] = 'L', b[7] = '2';
    bytes("wrong_identifier", "file identifier is 'TFL2'", b);
  }
  {
    auto b = valid;
    b[0] = 0xF0, b[1] = 0xFF, b[2] = 0xFF, b[3] = 0x7F;  // root offset far outside the file
    bytes("root_offset_out_of_range", "corrupt model", b);
  }
  mutated("schema_version", "schema version 2", [](tflite::ModelT& m) { m.version = 2; });
  mutated("two_subgraphs", "2 subgraphs", [&](tflite::ModelT& m) {
    tflite::ModelT copy = model();
    m.subgraphs.push_back(std::move(copy.subgraphs[0]));
  });
  mutated("no_subgraph", "no subgraph", [](tflite::ModelT& m) { m.subgraphs.clear(); });
  mutated("two_inputs", "2 input tensors", [&](tflite::ModelT& m) { first(m).inputs.push_back(1); });
  mutated("unsupported_operator", "operator 4 (MUL): unsupported operator", [](tflite::ModelT& m) {
    auto c = std::make_unique<tflite::OperatorCodeT>();
    c->deprecated_builtin_code = 18;
    c->builtin_code = 18;
    m.operator_codes.push_back(std::move(c));
    m.subgraphs[0]->operators[4]->opcode_index = static_cast<std::uint32_t>(m.operator_codes.size() - 1);
  });
  mutated("custom_operator", "custom operator 'MyOp'", [](tflite::ModelT& m) {
    auto c = std::make_unique<tflite::OperatorCodeT>();
    c->deprecated_builtin_code = 32;
    c->builtin_code = 32;
    c->custom_code = "MyOp";
    m.operator_codes.push_back(std::move(c));
    m.subgraphs[0]->operators[2]->opcode_index = static_cast<std::uint32_t>(m.operator_codes.size() - 1);
  });
  mutated("opcode_index_out_of_range", "operator 1: opcode index 99 is out of range",
          [](tflite::ModelT& m) { m.subgraphs[0]->operators[1]->opcode_index = 99; });
  mutated("tensor_index_out_of_range", "operator 3 (ADD): tensor index 500 is out of range",
          [](tflite::ModelT& m) { m.subgraphs[0]->operators[3]->inputs[1] = 500; });
  mutated("buffer_index_out_of_range", "operator 0 (CONV_2D): tensor",
          [&](tflite::ModelT& m) { weights_of(m, 0).buffer = 9999; });
  mutated("float16_weights", "float16 is not supported",
          [&](tflite::ModelT& m) { weights_of(m, 0).type = tflite::TensorType_FLOAT16; });
  mutated("int16_activations", "int16 activations are not supported",
          [](tflite::ModelT& m) { m.subgraphs[0]->tensors[0]->type = tflite::TensorType_INT16; });
  mutated("dynamic_dimension", "dynamic dimension",
          [](tflite::ModelT& m) { m.subgraphs[0]->tensors[0]->shape[1] = -1; });
  mutated("dynamic_signature", "shape_signature -1 at axis 2", [](tflite::ModelT& m) {
    m.subgraphs[0]->tensors[0]->shape_signature = {-1, 12, -1, 3};
  });
  mutated("wrong_output_shape", "operator 0 (CONV_2D): the model gives its output the shape [1, 6, 10, 9]",
          [](tflite::ModelT& m) {
            m.subgraphs[0]->tensors[1]->shape = {1, 6, 10, 9};
          });
  mutated("buffer_size_mismatch", "holds 100 bytes, its shape needs 216",
          [&](tflite::ModelT& m) { m.buffers[weights_of(m, 0).buffer]->data.resize(100); });
  mutated("non_constant_weights", "is not a constant", [&](tflite::ModelT& m) { weights_of(m, 2).buffer = 0; });
  mutated("sparse_tensor", "sparse",
          [&](tflite::ModelT& m) { weights_of(m, 0).sparsity = std::make_unique<tflite::SparsityParametersT>(); });
  mutated("asymmetric_weights", "symmetric",
          [&](tflite::ModelT& m) { weights_of(m, 2).quantization->zero_point[0] = 3; });
  mutated("conv_channel_mismatch", "operator 2 (CONV_2D): conv2d: the weights' last dimension", [&](tflite::ModelT& m) {
    auto& w = weights_of(m, 2);
    w.shape = {8, 1, 2, 8};
  });
  mutated("hybrid_fc", "hybrid", [](tflite::ModelT& m) {
    m.subgraphs[0]->operators[7]->builtin_options.AsFullyConnectedOptions()->asymmetric_quantize_inputs = true;
  });
  mutated("read_before_write", "operator 1 (DEPTHWISE_CONV_2D): reads tensor 4",
          [](tflite::ModelT& m) { m.subgraphs[0]->operators[1]->inputs[0] = 4; });
  mutated("missing_quantization", "needs one scale and one zero point",
          [](tflite::ModelT& m) { m.subgraphs[0]->tensors[2]->quantization.reset(); });
  mutated("output_not_written", "is not written by any operator", [](tflite::ModelT& m) {
    m.subgraphs[0]->outputs[0] = static_cast<std::int32_t>(m.subgraphs[0]->tensors.size() - 1);
  });
  return v;
}

}  // namespace weft::test
