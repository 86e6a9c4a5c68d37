// SPDX-License-Identifier: Apache-2.0
// Writes a weft graph as a .tflite flatbuffer, through flatbuffers' object
// API so that callers (tests) can alter the model before packing it. Used to
// generate the importer's test models and its corpus of bad files.
#pragma once

#include "tflite_generated.h"

#include <weft/weft.hpp>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace weft::tool {

namespace detail {

inline int builtin_code(op k) {
  switch (k) {
    case op::add:
      return 0;
    case op::average_pool2d:
      return 1;
    case op::conv2d:
      return 3;
    case op::depthwise_conv2d:
      return 4;
    case op::fully_connected:
      return 9;
    case op::max_pool2d:
      return 17;
    case op::reshape:
      return 22;
    case op::softmax:
      return 25;
  }
  return -1;
}

inline tflite::ActivationFunctionType activation_type(activation a) {
  switch (a) {
    case activation::relu:
      return tflite::ActivationFunctionType_RELU;
    case activation::relu6:
      return tflite::ActivationFunctionType_RELU6;
    case activation::relu_n1_to_1:
      return tflite::ActivationFunctionType_RELU_N1_TO_1;
    case activation::none:
      break;
  }
  return tflite::ActivationFunctionType_NONE;
}

inline tflite::Padding padding_type(padding p) {
  return p == padding::same ? tflite::Padding_SAME : tflite::Padding_VALID;
}

template <class T>
std::vector<std::uint8_t> raw_bytes(const T* data, std::int64_t n) {
  std::vector<std::uint8_t> v(static_cast<std::size_t>(n) * sizeof(T));
  if (n > 0) std::memcpy(v.data(), data, v.size());
  return v;
}

}  // namespace detail

/// The .tflite form of graph `g`: one subgraph, tensors named t<id> (and
/// op<i>_weights/_bias/_shape for constants), TensorFlow's conventions for
/// per-channel weights and int32 bias scales.
template <class G>
tflite::ModelT to_tflite(const G& g, const std::string& description = "written by weft") {
  tflite::ModelT m;
  m.version = 3;
  m.description = description;
  m.buffers.push_back(std::make_unique<tflite::BufferT>());  // buffer 0: empty, by convention
  auto sg = std::make_unique<tflite::SubGraphT>();
  sg->name = "main";
  std::map<int, std::uint32_t> opcode_of;

  auto add_tensor = [&](const std::string& name, tflite::TensorType type, const shape& s,
                        std::vector<std::uint8_t> data) {
    auto t = std::make_unique<tflite::TensorT>();
    t->name = name;
    t->type = type;
    for (int i = 0; i < s.rank; ++i) t->shape.push_back(s[i]);
    if (!data.empty()) {
      auto b = std::make_unique<tflite::BufferT>();
      b->data = std::move(data);
      t->buffer = static_cast<std::uint32_t>(m.buffers.size());
      m.buffers.push_back(std::move(b));
    }
    sg->tensors.push_back(std::move(t));
    return static_cast<int>(sg->tensors.size() - 1);
  };
  auto quantize = [](tflite::TensorT& t, std::vector<float> scales, std::int64_t zero_point, int axis) {
    t.quantization = std::make_unique<tflite::QuantizationParametersT>();
    t.quantization->zero_point.assign(scales.size(), zero_point);
    t.quantization->scale = std::move(scales);
    t.quantization->quantized_dimension = axis;
  };

  // Activations keep their weft ids as tensor indices.
  for (int id = 0; id < g.tensor_count; ++id) {
    const tensor_spec& s = g.spec(id);
    const int t = add_tensor("t" + std::to_string(id),
                             s.type == dtype::int8 ? tflite::TensorType_INT8 : tflite::TensorType_FLOAT32, s.dims, {});
    if (s.type == dtype::int8)
      quantize(*sg->tensors[static_cast<std::size_t>(t)], {s.quant.scale}, s.quant.zero_point, 0);
  }

  for (int i = 0; i < g.node_count; ++i) {
    const node& n = g.at(i);
    const std::string prefix = "op" + std::to_string(i);
    const tensor_spec& in = g.spec(n.inputs[0]);
    auto o = std::make_unique<tflite::OperatorT>();
    const int code = detail::builtin_code(n.kind);
    if (!opcode_of.count(code)) {
      auto c = std::make_unique<tflite::OperatorCodeT>();
      c->deprecated_builtin_code = static_cast<std::int8_t>(code);
      c->builtin_code = code;
      c->version = 1;
      opcode_of[code] = static_cast<std::uint32_t>(m.operator_codes.size());
      m.operator_codes.push_back(std::move(c));
    }
    o->opcode_index = opcode_of[code];
    o->inputs.push_back(n.inputs[0]);
    if (n.input_count() == 2) o->inputs.push_back(n.inputs[1]);
    o->outputs.push_back(n.output);

    if (!n.weights.empty()) {
      const constant& w = n.weights;
      int wt = 0;
      if (w.spec.type == dtype::int8) {
        wt = add_tensor(prefix + "_weights", tflite::TensorType_INT8, w.spec.dims,
                        detail::raw_bytes(w.i8, w.elements()));
        std::vector<float> scales;
        for (int c = 0; c < (w.spec.quant.per_channel() ? w.spec.quant.channels : 1); ++c)
          scales.push_back(w.spec.quant.scale_at(c));
        quantize(*sg->tensors[static_cast<std::size_t>(wt)], scales, 0, w.spec.quant.axis);
      } else {
        wt = add_tensor(prefix + "_weights", tflite::TensorType_FLOAT32, w.spec.dims,
                        detail::raw_bytes(w.f32, w.elements()));
      }
      o->inputs.push_back(wt);
      if (!n.bias.empty()) {
        const constant& b = n.bias;
        if (b.spec.type == dtype::int32) {
          const int bt = add_tensor(prefix + "_bias", tflite::TensorType_INT32, b.spec.dims,
                                    detail::raw_bytes(b.i32, b.elements()));
          std::vector<float> scales;
          for (int c = 0; c < b.spec.dims[0]; ++c)
            scales.push_back(in.quant.scale * w.spec.quant.scale_at(w.spec.quant.per_channel() ? c : 0));
          quantize(*sg->tensors[static_cast<std::size_t>(bt)], scales, 0, 0);
          o->inputs.push_back(bt);
        } else {
          o->inputs.push_back(add_tensor(prefix + "_bias", tflite::TensorType_FLOAT32, b.spec.dims,
                                         detail::raw_bytes(b.f32, b.elements())));
        }
      }
    }

    switch (n.kind) {
      case op::conv2d: {
        tflite::Conv2DOptionsT c;
        c.padding = detail::padding_type(n.conv.pad);
        c.stride_h = n.conv.stride.h;
        c.stride_w = n.conv.stride.w;
        c.dilation_h_factor = n.conv.dilation.h;
        c.dilation_w_factor = n.conv.dilation.w;
        c.fused_activation_function = detail::activation_type(n.conv.act);
        o->builtin_options.Set(std::move(c));
        break;
      }
      case op::depthwise_conv2d: {
        tflite::DepthwiseConv2DOptionsT d;
        d.padding = detail::padding_type(n.depthwise.pad);
        d.stride_h = n.depthwise.stride.h;
        d.stride_w = n.depthwise.stride.w;
        d.dilation_h_factor = n.depthwise.dilation.h;
        d.dilation_w_factor = n.depthwise.dilation.w;
        d.depth_multiplier = n.depthwise.depth_multiplier;
        d.fused_activation_function = detail::activation_type(n.depthwise.act);
        o->builtin_options.Set(std::move(d));
        break;
      }
      case op::fully_connected: {
        tflite::FullyConnectedOptionsT f;
        f.fused_activation_function = detail::activation_type(n.fc.act);
        f.keep_num_dims = n.fc.keep_num_dims;
        o->builtin_options.Set(std::move(f));
        break;
      }
      case op::average_pool2d:
      case op::max_pool2d: {
        tflite::Pool2DOptionsT p;
        p.padding = detail::padding_type(n.pool.pad);
        p.stride_h = n.pool.stride.h;
        p.stride_w = n.pool.stride.w;
        p.filter_height = n.pool.filter.h;
        p.filter_width = n.pool.filter.w;
        p.fused_activation_function = detail::activation_type(n.pool.act);
        o->builtin_options.Set(std::move(p));
        break;
      }
      case op::add: {
        tflite::AddOptionsT a;
        a.fused_activation_function = detail::activation_type(n.add.act);
        o->builtin_options.Set(std::move(a));
        break;
      }
      case op::softmax: {
        tflite::SoftmaxOptionsT s;
        s.beta = n.softmax.beta;
        o->builtin_options.Set(std::move(s));
        break;
      }
      case op::reshape: {
        const shape& to = g.spec(n.output).dims;
        std::vector<std::int32_t> dims(to.dims.begin(), to.dims.begin() + to.rank);
        o->inputs.push_back(add_tensor(prefix + "_shape", tflite::TensorType_INT32, shape{to.rank},
                                       detail::raw_bytes(dims.data(), to.rank)));
        tflite::ReshapeOptionsT r;
        r.new_shape = dims;
        o->builtin_options.Set(std::move(r));
        break;
      }
    }
    sg->operators.push_back(std::move(o));
  }
  sg->inputs.push_back(g.input_tensor);
  sg->outputs.push_back(g.output_tensor);
  m.subgraphs.push_back(std::move(sg));
  return m;
}

/// Serializes a model with the "TFL3" file identifier.
inline std::vector<std::uint8_t> pack(const tflite::ModelT& m) {
  flatbuffers::FlatBufferBuilder b;
  b.Finish(tflite::Model::Pack(b, &m), tflite::ModelIdentifier());
  return {b.GetBufferPointer(), b.GetBufferPointer() + b.GetSize()};
}

}  // namespace weft::tool
