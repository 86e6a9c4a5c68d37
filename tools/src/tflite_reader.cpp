// SPDX-License-Identifier: Apache-2.0
// .tflite -> weft::graph: verify the flatbuffer, check everything weft relies
// on with a message that names the operator, then build the graph with the
// same builder (and so the same checks) as a compile-time model.

#include "codegen.hpp"
#include "model.hpp"
#include "tflite_generated.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <span>
#include <sstream>
#include <variant>

namespace weft::tool {
namespace {

std::string shape_text(const std::vector<int>& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

std::string shape_text(const weft::shape& s) {
  std::vector<int> v;
  for (int i = 0; i < s.rank; ++i) v.push_back(s[i]);
  return shape_text(v);
}

class reader {
 public:
  explicit reader(std::span<const std::uint8_t> bytes) : file_(bytes) {}

  imported_model run() {
    verify();
    const auto* subgraphs = model_->subgraphs();
    if (subgraphs == nullptr || subgraphs->size() == 0) fail("the model has no subgraph");
    sg_ = subgraphs->Get(0);
    if (sg_->tensors() == nullptr || sg_->tensors()->size() == 0) fail("the subgraph has no tensors");
    weft_id_.assign(sg_->tensors()->size(), -1);
    if (model_->description() != nullptr) out_.description = model_->description()->str();

    const auto* ops = sg_->operators();
    if (ops == nullptr || ops->size() == 0) fail("the model has no operators");
    if (ops->size() > static_cast<std::size_t>(max_operators))
      fail("the model has " + std::to_string(ops->size()) + " operators; weft reads at most " +
           std::to_string(max_operators));
    check_operators_known(*ops);
    for (const int input : io_tensors(sg_->inputs(), "input", max_model_inputs)) add_input(input);
    const std::vector<int> outputs = io_tensors(sg_->outputs(), "output", max_model_outputs);
    resolve_variables();
    for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i) add_operator(static_cast<int>(i), ops->Get(i));
    for (const int output : outputs) {
      const int id = weft_id_[static_cast<std::size_t>(output)];
      if (id < 0 || out_.graph->is_constant(id))
        fail("the model's output tensor " + tensor_label(output) + " is not written by any operator");
      out_.graph->output({id});
      if (!out_.graph->ok()) fail("model output " + tensor_label(output) + ": " + message(out_.graph->err));
    }
    if (error e = out_.graph->check(); e != error::none) fail(std::string(message(e)));
    return std::move(out_);
  }

 private:
  std::span<const std::uint8_t> file_;
  const tflite::Model* model_ = nullptr;
  const tflite::SubGraph* sg_ = nullptr;
  std::vector<int> weft_id_;  // .tflite tensor index -> weft tensor id
  std::string context_;       // "operator 3 (CONV_2D): " while reading one
  bool folded_ = false;       // the operator being read was folded into the next
  struct padded_input {       // a convolution's input: a folded PAD's input and padding
    tensor_id x;
    hw before{0, 0}, after{0, 0};
  };
  std::map<int, padded_input> folded_pads_;  // by the PAD's output tensor
  imported_model out_;

  [[noreturn]] void fail(const std::string& what) const { throw input_error(context_ + what); }

  // Resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and
  // CALL_ONCE's init subgraph), resolved when the model is read: each
  // variable the main subgraph reads or assigns is one graph state tensor,
  // and READ_VARIABLE and ASSIGN_VARIABLE are variable operators on it.
  struct variable {
    const flatbuffers::String* container = nullptr;  // the first VAR_HANDLE's (null: none)
    std::string shared_name;
    bool allocated = false;             // an ASSIGN_VARIABLE gave it its size (TensorFlow Lite Micro's Prepare)
    tensor_spec spec{};                 // that first assigned value's
    std::uint8_t fill = 0;              // the byte TensorFlow Lite Micro's Prepare sets it to
    std::vector<std::uint8_t> initial;  // what the init subgraph assigns (empty: nothing)
    int state = -1;                     // its state tensor, once the main subgraph names it
  };
  std::vector<variable> variables_;
  std::map<std::pair<int, int>, int> handles_;  // (subgraph, VAR_HANDLE's output tensor) -> variable

  void verify() {
    if (file_.size() < 8)
      fail("not a TensorFlow Lite model: the file is " + std::to_string(file_.size()) + " bytes long");
    if (std::memcmp(file_.data() + 4, tflite::ModelIdentifier(), 4) != 0) {
      std::string id;
      for (int i = 4; i < 8; ++i) {
        const auto c = static_cast<char>(file_[static_cast<std::size_t>(i)]);
        id += (c >= 32 && c < 127) ? std::string(1, c) : "\\x" + std::to_string(static_cast<unsigned>(c) & 0xffu);
      }
      fail("not a TensorFlow Lite model: the file identifier is '" + id + "', expected 'TFL3'");
    }
    if (file_.size() >= std::numeric_limits<std::int32_t>::max())
      fail("the file is larger than 2 GiB, which the flatbuffer format cannot address");
    flatbuffers::Verifier verifier(file_.data(), file_.size(), 64, 10'000'000);
    if (!tflite::VerifyModelBuffer(verifier))
      fail("corrupt model: the flatbuffer does not verify (a truncated file, or an offset or size out of range)");
    model_ = tflite::GetModel(file_.data());
    if (model_->version() != 3)
      fail("schema version " + std::to_string(model_->version()) + " is not supported (weft reads version 3)");
  }

  // The model's input or output tensors, in order: at least one, at most
  // `most`, each named once.
  std::vector<int> io_tensors(const flatbuffers::Vector<std::int32_t>* v, const char* what, int most) {
    const std::size_t count = v == nullptr ? 0 : v->size();
    if (count == 0 || count > static_cast<std::size_t>(most))
      fail(std::string("the model has ") + std::to_string(count) + " " + what + " tensors; weft models have 1 to " +
           std::to_string(most));
    std::vector<int> r;
    for (const auto t : *v) {
      const int index = checked_tensor(t);
      if (std::find(r.begin(), r.end(), index) != r.end())
        fail(std::string("the model names tensor ") + tensor_label(index) + " as an " + what + " twice");
      r.push_back(index);
    }
    return r;
  }

  int checked_tensor(std::int32_t index) const {
    if (index < 0 || static_cast<std::size_t>(index) >= sg_->tensors()->size())
      fail("tensor index " + std::to_string(index) + " is out of range (the subgraph has " +
           std::to_string(sg_->tensors()->size()) + " tensors)");
    return index;
  }

  const tflite::Tensor* tensor(int index) const {
    return sg_->tensors()->Get(static_cast<flatbuffers::uoffset_t>(index));
  }

  std::string tensor_label(int index) const {
    const auto* t = tensor(index);
    // Escaped as in generated comments: the message stays one line, with no
    // terminal control sequences from the file.
    return std::to_string(index) + " '" + comment_text(t->name() ? t->name()->str() : std::string()) + "'";
  }

  // A tensor's shape, checked; `scalar`: a rank-0 constant is allowed.
  std::vector<int> dims(int index, bool scalar = false) const {
    const auto* t = tensor(index);
    std::vector<int> s;
    if (t->shape() != nullptr)
      for (auto d : *t->shape()) s.push_back(d);
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] < 0)
        fail("tensor " + tensor_label(index) + " has a dynamic dimension " + shape_text(s) +
             "; weft needs static shapes");
      if (s[i] == 0) fail("tensor " + tensor_label(index) + " has an empty dimension " + shape_text(s));
    }
    // Far beyond any microcontroller's memory, and small enough that element,
    // byte and MAC counts derived from shapes stay within 64 bits.
    constexpr std::int64_t max_elements = std::int64_t{1} << 24;
    std::int64_t elements = 1;
    for (int d : s)
      if ((elements *= d) > max_elements)
        fail("tensor " + tensor_label(index) + " has shape " + shape_text(s) + ", more than 16,777,216 elements");
    if (t->shape_signature() != nullptr && t->shape_signature()->size() > 0) {
      const auto* sig = t->shape_signature();
      if (sig->size() != s.size()) fail("tensor " + tensor_label(index) + ": shape and shape_signature differ in rank");
      // A dynamic batch (-1 first) is fixed to the stored shape, as TFLite Micro does.
      for (flatbuffers::uoffset_t i = 1; i < sig->size(); ++i)
        if (sig->Get(i) < 0)
          fail("tensor " + tensor_label(index) + " has a dynamic dimension (shape_signature " +
               std::to_string(sig->Get(i)) + " at axis " + std::to_string(i) + "); weft needs static shapes");
    }
    if ((s.empty() && !scalar) || s.size() > static_cast<std::size_t>(max_rank))
      fail("tensor " + tensor_label(index) + " has rank " + std::to_string(s.size()) +
           "; weft supports 1 to 4 dimensions");
    if (t->sparsity() != nullptr)
      fail("tensor " + tensor_label(index) + " is sparse; weft supports dense tensors only");
    return s;
  }

  static weft::shape to_shape(const std::vector<int>& s) {
    weft::shape r;
    r.rank = static_cast<int>(s.size());
    for (std::size_t i = 0; i < s.size() && i < r.dims.size(); ++i) r.dims[i] = s[i];
    return r;
  }

  std::string type_name(tflite::TensorType t) const {
    const char* n = tflite::EnumNameTensorType(t);
    std::string s = (n && *n) ? n : "type " + std::to_string(static_cast<int>(t));
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  weft::dtype activation_type(int index) const {
    const auto t = tensor(index)->type();
    if (t == tflite::TensorType_INT8) return dtype::int8;
    if (t == tflite::TensorType_FLOAT32) return dtype::float32;
    if (t == tflite::TensorType_INT32) return dtype::int32;  // indices: the operators say where they take them
    if (t == tflite::TensorType_INT16) return dtype::int16;  // 16x8 models: the operators say where they take them
    const std::string extra = t == tflite::TensorType_INT64 ? " (TensorFlow Lite Micro's indices are int32)" : "";
    fail("tensor " + tensor_label(index) + " has dtype " + type_name(t) +
         "; weft activations are int8, int16 or float32, and int32 for indices" + extra);
  }

  // Element i of an int64 vector (zero points). The verifier checks that a
  // vector's length field is 4-aligned, not that 8-byte elements are, so a
  // corrupt file can misalign them: read the bytes, never an int64 lvalue.
  static std::int64_t element(const flatbuffers::Vector<std::int64_t>* v, flatbuffers::uoffset_t i) {
    std::int64_t x = 0;
    std::memcpy(&x, v->Data() + static_cast<std::size_t>(i) * sizeof x, sizeof x);
    return flatbuffers::EndianScalar(x);
  }

  // Per-tensor (scale, zero point) of an int8 or int16 activation.
  quantization activation_quant(int index) const {
    const auto t = tensor(index)->type();
    const bool wide = t == tflite::TensorType_INT16 || t == tflite::TensorType_INT32;
    const char* type = t == tflite::TensorType_INT32 ? "int32" : wide ? "int16" : "int8";
    const auto* q = tensor(index)->quantization();
    if (q == nullptr || q->scale() == nullptr || q->scale()->size() != 1 || q->zero_point() == nullptr ||
        q->zero_point()->size() != 1)
      fail(std::string(type) + " tensor " + tensor_label(index) + " needs one scale and one zero point");
    const std::int64_t zp = element(q->zero_point(), 0);
    if (zp < (wide ? -32768 : -128) || zp > (wide ? 32767 : 127))
      fail("tensor " + tensor_label(index) + " has zero point " + std::to_string(zp) + ", outside " + type);
    return {q->scale()->Get(0), static_cast<std::int32_t>(zp)};
  }

  // The quantization of a tensor of dtype t: per-tensor for int8 and int16
  // activations, none for the others.
  quantization quant_of(int index, dtype t) const {
    return t == dtype::int8 || t == dtype::int16 ? activation_quant(index) : quantization{};
  }

  bool is_variable(int index) const { return tensor(index)->is_variable(); }

  std::span<const std::uint8_t> buffer_bytes(int index) const {
    const auto* t = tensor(index);
    const auto* buffers = model_->buffers();
    if (buffers == nullptr || t->buffer() >= buffers->size())
      fail("tensor " + tensor_label(index) + " refers to buffer " + std::to_string(t->buffer()) +
           ", which does not exist");
    const auto* b = buffers->Get(t->buffer());
    if (b->data() != nullptr && b->data()->size() > 0) return {b->data()->data(), b->data()->size()};
    if (b->offset() > 1) {
      if (b->offset() > file_.size() || b->size() > file_.size() - b->offset())
        fail("tensor " + tensor_label(index) + ": its buffer lies outside the file (offset " +
             std::to_string(b->offset()) + ")");
      return file_.subspan(static_cast<std::size_t>(b->offset()), static_cast<std::size_t>(b->size()));
    }
    return {};
  }

  bool is_constant(int index) const { return !buffer_bytes(index).empty(); }

  template <class T>
  std::vector<T> copy_data(int index, std::size_t elements) const {
    const auto bytes = buffer_bytes(index);
    if (bytes.size() != elements * sizeof(T))
      fail("tensor " + tensor_label(index) + ": its buffer holds " + std::to_string(bytes.size()) +
           " bytes, its shape needs " + std::to_string(elements * sizeof(T)));
    std::vector<T> v(elements);
    std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
  }

  void add_input(int index) {
    if (is_constant(index)) fail("the model's input tensor " + tensor_label(index) + " is a constant");
    const auto s = dims(index);
    const dtype type = activation_type(index);
    tensor_spec spec{type, to_shape(s), quant_of(index, type)};
    const tensor_id id = out_.graph->input(spec);
    if (!id.valid()) fail("model input " + tensor_label(index) + ": " + message(out_.graph->err));
    map_tensor(index, id.index);
  }

  void map_tensor(int tflite_index, int weft_index) {
    weft_id_[static_cast<std::size_t>(tflite_index)] = weft_index;
    if (out_.tensor_names.size() <= static_cast<std::size_t>(weft_index)) {
      out_.tensor_names.resize(static_cast<std::size_t>(weft_index) + 1);
      out_.source_tensor.resize(static_cast<std::size_t>(weft_index) + 1);
    }
    const auto* t = tensor(tflite_index);
    out_.tensor_names[static_cast<std::size_t>(weft_index)] = t->name() ? t->name()->str() : "";
    out_.source_tensor[static_cast<std::size_t>(weft_index)] = tflite_index;
  }

  // An operator's input: a model input, an earlier operator's output, or a
  // constant (an operand kept in flash as a graph tensor, made once).
  tensor_id activation_input(int tflite_index) {
    const int id = weft_id_[static_cast<std::size_t>(tflite_index)];
    if (id >= 0) return {id};
    // A variable tensor is state: made once, and every operator that names
    // it shares it (its buffer in the file, if any, is ignored, as TFLite
    // Micro ignores it).
    if (is_variable(tflite_index)) {
      const dtype type = activation_type(tflite_index);
      const tensor_id v = graph().state({type, to_shape(dims(tflite_index)), quant_of(tflite_index, type)});
      if (!v.valid()) fail("variable tensor " + tensor_label(tflite_index) + ": " + message(graph().err));
      map_tensor(tflite_index, v.index);
      return v;
    }
    if (!is_constant(tflite_index))
      fail("reads tensor " + tensor_label(tflite_index) +
           ", which neither a model input nor an earlier operator provides");
    const tensor_id c = graph().constant(constant_operand(tflite_index));
    if (!c.valid()) fail("constant " + tensor_label(tflite_index) + ": " + message(graph().err));
    map_tensor(tflite_index, c.index);
    return c;
  }

  // A constant tensor read as an operand: int8 (per-tensor scale and zero
  // point), int32 or float32, any shape.
  constant constant_operand(int index) {
    const weft::shape shp = to_shape(dims(index, true).empty() ? std::vector<int>{1} : dims(index, true));
    const auto n = static_cast<std::size_t>(shp.elements());
    auto data = std::make_unique<constant_data>();
    data->name = "tensor" + std::to_string(index);
    constant c{};
    c.spec.dims = shp;
    c.provided = static_cast<std::int64_t>(n);
    switch (tensor(index)->type()) {
      case tflite::TensorType_INT8:
        c.spec = {dtype::int8, shp, activation_quant(index)};
        data->i8 = copy_data<std::int8_t>(index, n);
        c.i8 = data->i8.data();
        break;
      case tflite::TensorType_INT32:
        c.spec.type = dtype::int32;
        data->i32 = copy_data<std::int32_t>(index, n);
        c.i32 = data->i32.data();
        break;
      case tflite::TensorType_FLOAT32:
        c.spec.type = dtype::float32;
        data->f32 = copy_data<float>(index, n);
        c.f32 = data->f32.data();
        break;
      case tflite::TensorType_INT16:
        c.spec = {dtype::int16, shp, activation_quant(index)};
        data->i16 = copy_data<std::int16_t>(index, n);
        c.i16 = data->i16.data();
        break;
      default:
        fail("reads the constant " + tensor_label(index) + " of dtype " + type_name(tensor(index)->type()) +
             "; weft's constant operands are int8, int16, int32 or float32");
    }
    out_.constants.push_back(std::move(data));
    return c;
  }

  // Weights: int8 (per-tensor or per-channel along `axis`) or float32.
  constant weights(int index, int op_index, const char* role, dtype activations, int axis) {
    if (!is_constant(index))
      fail(std::string(role) + " tensor " + tensor_label(index) + " is not a constant; weft needs constant weights");
    const auto s = dims(index);
    const weft::shape shp = to_shape(s);
    const auto n = static_cast<std::size_t>(shp.elements());
    auto data = std::make_unique<constant_data>();
    char name[32];
    std::snprintf(name, sizeof name, "op%03d_%s", op_index, role);
    data->name = name;
    constant c{};
    c.spec.dims = shp;
    c.provided = static_cast<std::int64_t>(n);
    const auto type = tensor(index)->type();
    if (type == tflite::TensorType_INT8 && (activations == dtype::int8 || activations == dtype::int16)) {
      const auto* q = tensor(index)->quantization();
      if (q == nullptr || q->scale() == nullptr || q->scale()->size() == 0)
        fail(std::string(role) + " tensor " + tensor_label(index) + " is int8 but has no scale");
      if (q->zero_point() != nullptr)
        for (flatbuffers::uoffset_t i = 0; i < q->zero_point()->size(); ++i)
          if (element(q->zero_point(), i) != 0)
            fail(std::string(role) + " tensor " + tensor_label(index) +
                 " has a non-zero zero point; int8 weights must be symmetric");
      data->i8 = copy_data<std::int8_t>(index, n);
      c.spec.type = dtype::int8;
      c.i8 = data->i8.data();
      const auto channels = q->scale()->size();
      if (channels == 1) {
        c.spec.quant = {q->scale()->Get(0), 0};
      } else {
        if (q->quantized_dimension() != axis || static_cast<int>(channels) != shp[axis])
          fail(std::string(role) + " tensor " + tensor_label(index) + " has " + std::to_string(channels) +
               " scales along axis " + std::to_string(q->quantized_dimension()) +
               "; weft expects one per output channel along axis " + std::to_string(axis));
        data->scales.assign(q->scale()->begin(), q->scale()->end());
        c.spec.quant = {data->scales[0], 0, data->scales.data(), static_cast<int>(channels), axis};
      }
    } else if (type == tflite::TensorType_FLOAT32 && activations == dtype::float32) {
      data->f32 = copy_data<float>(index, n);
      c.spec.type = dtype::float32;
      c.f32 = data->f32.data();
    } else {
      fail(std::string(role) + " tensor " + tensor_label(index) + " has dtype " + type_name(type) + " with " +
           name_of(activations) +
           " activations; weft supports int8 weights with int8 or int16 activations and float32 with float32" +
           (type == tflite::TensorType_FLOAT16 ? " (float16 is not supported)" : ""));
    }
    out_.constants.push_back(std::move(data));
    return c;
  }

  constant bias(int index, int op_index, dtype activations) {
    if (index < 0) return {};
    if (!is_constant(index)) fail("bias tensor " + tensor_label(index) + " is not a constant");
    const auto s = dims(index);
    const auto n = static_cast<std::size_t>(to_shape(s).elements());
    auto data = std::make_unique<constant_data>();
    char name[32];
    std::snprintf(name, sizeof name, "op%03d_bias", op_index);
    data->name = name;
    constant c{};
    c.spec.dims = to_shape(s);
    c.provided = static_cast<std::int64_t>(n);
    const auto type = tensor(index)->type();
    if (type == tflite::TensorType_INT32 && (activations == dtype::int8 || activations == dtype::int16)) {
      data->i32 = copy_data<std::int32_t>(index, n);
      c.spec.type = dtype::int32;
      c.i32 = data->i32.data();
    } else if (type == tflite::TensorType_INT64 && activations == dtype::int16) {
      data->i64 = copy_data<std::int64_t>(index, n);
      c.spec.type = dtype::int64;
      c.i64 = data->i64.data();
    } else if (type == tflite::TensorType_FLOAT32 && activations == dtype::float32) {
      data->f32 = copy_data<float>(index, n);
      c.spec.type = dtype::float32;
      c.f32 = data->f32.data();
    } else {
      fail("bias tensor " + tensor_label(index) + " has dtype " + type_name(type) +
           "; weft needs int32 biases for int8 layers, int32 or int64 for 16x8 layers (int16 activations) and "
           "float32 for float32 layers");
    }
    out_.constants.push_back(std::move(data));
    return c;
  }

  // An int32 bias of `channels` zeros for operator op_index.
  constant zero_int32_bias(int channels, int op_index) {
    auto data = std::make_unique<constant_data>();
    char name[32];
    std::snprintf(name, sizeof name, "op%03d_bias", op_index);
    data->name = name;
    data->i32.assign(static_cast<std::size_t>(channels), 0);
    constant c{};
    c.spec = {dtype::int32, weft::shape{channels}, {}};
    c.provided = channels;
    c.i32 = data->i32.data();
    out_.constants.push_back(std::move(data));
    return c;
  }

  static activation act(tflite::ActivationFunctionType a, const std::function<void(const std::string&)>& bad) {
    switch (a) {
      case tflite::ActivationFunctionType_NONE:
        return activation::none;
      case tflite::ActivationFunctionType_RELU:
        return activation::relu;
      case tflite::ActivationFunctionType_RELU_N1_TO_1:
        return activation::relu_n1_to_1;
      case tflite::ActivationFunctionType_RELU6:
        return activation::relu6;
      default:
        bad("fused activation " + std::string(tflite::EnumNameActivationFunctionType(a)) + " is not supported");
    }
    return activation::none;
  }

  static padding pad(tflite::Padding p) { return p == tflite::Padding_VALID ? padding::valid : padding::same; }

  // What an operator's reader gets: the operator, its index and its
  // tensors, with helpers that fail naming the operator.
  struct operator_input {
    const tflite::Operator* o;
    int index;
    int out;  // the output tensor (the first, for operators with several)
    std::vector<int> ins;
    std::vector<int> out_dims;
    quantization out_q;
    const reader* r;
    std::vector<int> outs;                    // every output tensor, in order
    std::vector<std::vector<int>> outs_dims;  // and their shapes

    int input_at(std::size_t k) const {
      if (k >= ins.size() || ins[k] < 0) r->fail("input " + std::to_string(k) + " is missing");
      return ins[k];
    }
    int optional_at(std::size_t k) const { return k < ins.size() ? ins[k] : -1; }
    activation act(tflite::ActivationFunctionType a) const {
      return reader::act(a, [this](const std::string& m) { r->fail(m); });
    }
  };
  using operator_reader = tensor_id (reader::*)(const operator_input&);
  // A reader of an operator with several outputs: one tensor per output.
  using outputs_reader = std::vector<tensor_id> (reader::*)(const operator_input&);

  tensor_id read_conv2d(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_Conv2DOptions();
    if (opt == nullptr) fail("its Conv2DOptions are missing");
    const padded_input p = conv_input(in.input_at(0));
    const tensor_id x = p.x;
    const dtype t = graph().spec(x.index).type;
    conv2d_options c{{opt->stride_h(), opt->stride_w()},
                     {opt->dilation_h_factor(), opt->dilation_w_factor()},
                     pad(opt->padding()),
                     in.act(opt->fused_activation_function()),
                     p.before,
                     p.after};
    const constant w = weights(in.input_at(1), in.index, "weights", t, 0);
    constant b = bias(in.optional_at(2), in.index, t);
    // A 16x8 layer without a bias sums in int64 unless the options ask for
    // int32 (as fully_connected).
    if (t == dtype::int16 && b.empty() && opt->quantized_bias_type() == tflite::TensorType_INT32 &&
        w.spec.dims.rank == 4)
      b = zero_int32_bias(w.spec.dims[0], in.index);
    return graph().conv2d(x, c, w, b, in.out_q);
  }

  tensor_id read_depthwise_conv2d(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_DepthwiseConv2DOptions();
    if (opt == nullptr) fail("its DepthwiseConv2DOptions are missing");
    const padded_input p = conv_input(in.input_at(0));
    const tensor_id x = p.x;
    const dtype t = graph().spec(x.index).type;
    const constant w = weights(in.input_at(1), in.index, "weights", t, 3);
    int multiplier = opt->depth_multiplier();
    const int in_c = graph().spec(x.index).dims.back();
    if (multiplier <= 0 && in_c > 0) multiplier = w.spec.dims.back() / in_c;  // newer converters leave it 0
    depthwise_conv2d_options d{{opt->stride_h(), opt->stride_w()},
                               {opt->dilation_h_factor(), opt->dilation_w_factor()},
                               pad(opt->padding()),
                               in.act(opt->fused_activation_function()),
                               multiplier,
                               p.before,
                               p.after};
    const constant b = bias(in.optional_at(2), in.index, t);
    // (A 16x8 one stays a depthwise convolution: its bias rules differ.)
    if (t != dtype::int16 && in_c == 1 && w.spec.dims.rank == 4 && w.spec.dims[0] == 1 &&
        w.spec.dims[3] == multiplier && multiplier > 1)
      return one_channel_depthwise_as_conv2d(in, x, d, w, b);
    return graph().depthwise_conv2d(x, d, w, b, in.out_q);
  }

  // A depthwise convolution of a one-channel input computes what a
  // convolution with its weights as [multiplier, kh, kw, 1] computes, to the
  // bit (the same sums, per-channel multipliers and epilogue, output channel
  // m from weights m): run it as one, on the convolution's kernels.
  tensor_id one_channel_depthwise_as_conv2d(const operator_input& in, tensor_id x, const depthwise_conv2d_options& d,
                                            constant w, const constant& b) {
    constant_data& data = *out_.constants[out_.constants.size() - (b.empty() ? 1 : 2)];
    const int kh = w.spec.dims[1], kw = w.spec.dims[2], m = w.spec.dims[3];
    auto to_conv = [&](auto& v) {
      const auto from = v;
      for (int c = 0; c < m; ++c)
        for (int y = 0; y < kh; ++y)
          for (int k = 0; k < kw; ++k)
            v[static_cast<std::size_t>((c * kh + y) * kw + k)] = from[static_cast<std::size_t>((y * kw + k) * m + c)];
    };
    if (!data.i8.empty()) to_conv(data.i8);
    if (!data.f32.empty()) to_conv(data.f32);
    w.spec.dims = weft::shape{m, kh, kw, 1};
    if (w.spec.quant.per_channel()) w.spec.quant.axis = 0;
    out_.notes.push_back("operator " + std::to_string(in.index) +
                         " (DEPTHWISE_CONV_2D) has one input channel: it runs as a CONV_2D, the same arithmetic");
    conv2d_options c{d.stride, d.dilation, d.pad, d.act, d.pad_before, d.pad_after};
    return graph().conv2d(x, c, w, b, in.out_q);
  }

  tensor_id read_fully_connected(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_FullyConnectedOptions();
    fully_connected_options f{};
    if (opt != nullptr) {
      if (opt->weights_format() != tflite::FullyConnectedOptionsWeightsFormat_DEFAULT)
        fail("shuffled weights are not supported");
      if (opt->asymmetric_quantize_inputs()) fail("hybrid (dynamic-range) quantization is not supported");
      f = {in.act(opt->fused_activation_function()), opt->keep_num_dims()};
    }
    const tensor_id x = activation_input(in.input_at(0));
    const dtype t = graph().spec(x.index).type;
    const constant w = weights(in.input_at(1), in.index, "weights", t, 0);
    constant b = bias(in.optional_at(2), in.index, t);
    // A 16x8 layer sums in its bias's type; without a bias, in int64 unless
    // the options ask for int32 (TFLite Micro's quantized_bias_type): then
    // it is the layer with an int32 bias of zeros.
    if (t == dtype::int16 && b.empty() && opt != nullptr && opt->quantized_bias_type() == tflite::TensorType_INT32 &&
        w.spec.dims.rank == 2)
      b = zero_int32_bias(w.spec.dims[0], in.index);
    // TFLite Micro's Prepare of a per-tensor 16x8 layer with a bias
    // (GetQuantizedConvolutionMultipler) refuses a bias scale more than 2% of
    // the output scale away from input scale x weight scale.
    if (t == dtype::int16 && in.optional_at(2) >= 0 && !w.spec.quant.per_channel()) {
      const auto* q = tensor(in.optional_at(2))->quantization();
      const double bias_scale =
          q != nullptr && q->scale() != nullptr && q->scale()->size() > 0 ? q->scale()->Get(0) : 0.0;
      const double product = static_cast<double>(graph().spec(x.index).quant.scale) * w.spec.quant.scale;
      if (std::abs(product - bias_scale) / static_cast<double>(in.out_q.scale) > 0.02)
        fail(
            "its bias scale is not input scale x weight scale (TensorFlow Lite Micro refuses a difference above 2% "
            "of the output scale)");
    }
    return graph().fully_connected(x, f, w, b, in.out_q);
  }

  pool2d_options pool_options(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_Pool2DOptions();
    if (opt == nullptr) fail("its Pool2DOptions are missing");
    return {{opt->filter_height(), opt->filter_width()},
            {opt->stride_h(), opt->stride_w()},
            pad(opt->padding()),
            in.act(opt->fused_activation_function())};
  }
  tensor_id read_average_pool2d(const operator_input& in) {
    return graph().average_pool2d(activation_input(in.input_at(0)), pool_options(in));
  }
  tensor_id read_max_pool2d(const operator_input& in) {
    return graph().max_pool2d(activation_input(in.input_at(0)), pool_options(in));
  }

  // An element-wise operator of two inputs (the binary family): both are
  // activations (a constant operand is refused by activation_input), with
  // the fused activation of its options where they have one.
  template <class U>
  tensor_id read_binary(const operator_input& in, const typename U::options& o) {
    if (in.o->inputs() != nullptr && in.o->inputs()->size() != 2)
      fail("has " + std::to_string(in.o->inputs()->size()) + " inputs; it takes two");
    return graph().apply<U>({activation_input(in.input_at(0)), activation_input(in.input_at(1))}, o, in.out_q);
  }
  template <class U, class Options>
  tensor_id read_binary_act(const operator_input& in, const Options* opt) {
    typename U::options o{};
    if (opt != nullptr) o.act = in.act(opt->fused_activation_function());
    return read_binary<U>(in, o);
  }
  tensor_id read_add(const operator_input& in) {
    return read_binary_act<ops::add_op>(in, in.o->builtin_options_as_AddOptions());
  }
  tensor_id read_mul(const operator_input& in) {
    return read_binary_act<ops::mul_op>(in, in.o->builtin_options_as_MulOptions());
  }
  tensor_id read_sub(const operator_input& in) {
    return read_binary_act<ops::sub_op>(in, in.o->builtin_options_as_SubOptions());
  }
  tensor_id read_div(const operator_input& in) {
    return read_binary_act<ops::div_op>(in, in.o->builtin_options_as_DivOptions());
  }
  tensor_id read_squared_difference(const operator_input& in) {
    return read_binary<ops::squared_difference_op>(in, {});
  }
  tensor_id read_maximum(const operator_input& in) { return read_binary<ops::maximum_op>(in, {}); }
  tensor_id read_minimum(const operator_input& in) { return read_binary<ops::minimum_op>(in, {}); }

  // SVDF: input, feature weights, time weights, bias, state (a variable
  // tensor). The node reads the time weights as a constant operand.
  tensor_id read_svdf(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_SVDFOptions();
    if (opt == nullptr) fail("its SVDFOptions are missing");
    if (in.ins.size() != 5) fail("has " + std::to_string(in.ins.size()) + " inputs; SVDF takes 5");
    if (in.optional_at(3) < 0) fail("has no bias; TensorFlow Lite Micro's SVDF needs one");
    if (!is_variable(in.input_at(4))) fail("its state " + tensor_label(in.input_at(4)) + " is not a variable tensor");
    const tensor_id x = activation_input(in.input_at(0));
    const dtype t = graph().spec(x.index).type;
    const tensor_id time = activation_input(in.input_at(2));
    const tensor_id state = activation_input(in.input_at(4));
    if (t == dtype::int8) {
      // TFLite Micro's Prepare: the bias scale is the state's times the time
      // weights' (in float32), within 1e-5.
      const auto* bq = tensor(in.input_at(3))->quantization();
      const float product = graph().spec(state.index).quant.scale * graph().spec(time.index).quant.scale;
      if (bq == nullptr || bq->scale() == nullptr || bq->scale()->size() != 1 ||
          std::abs(static_cast<double>(bq->scale()->Get(0)) - static_cast<double>(product)) >= 1e-5)
        fail("its bias scale must be the state scale times the time weights' scale (TensorFlow Lite Micro's check)");
    }
    const svdf_options o{opt->rank(), in.act(opt->fused_activation_function())};
    return graph().apply<ops::svdf_op>({x, time, state}, o, in.out_q,
                                       weights(in.input_at(1), in.index, "weights", t, 0),
                                       bias(in.input_at(3), in.index, t));
  }

  // UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite Micro's standard LSTM (no
  // peephole, projection, layer normalization or CIFG). The four gates'
  // input weights, recurrent weights and biases become one constant each,
  // the gates' rows one after another (input, forget, cell, output), an
  // int8 gate's scale on each of its rows.
  tensor_id read_lstm(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_UnidirectionalSequenceLSTMOptions();
    if (opt == nullptr) fail("its UnidirectionalSequenceLSTMOptions are missing");
    if (in.ins.size() != 24)
      fail("has " + std::to_string(in.ins.size()) + " inputs; TensorFlow Lite Micro's LSTM takes 24");
    for (int k : {9, 10, 11, 16, 17, 20, 21, 22, 23})
      if (in.optional_at(static_cast<std::size_t>(k)) >= 0)
        fail("has peephole, projection or layer normalization tensors (input " + std::to_string(k) +
             "); TensorFlow Lite Micro's LSTM has none");
    if (opt->fused_activation_function() != tflite::ActivationFunctionType_TANH)
      fail("its cell activation is not TANH (TensorFlow Lite Micro's LSTM aborts on any other)");
    if (in.o->intermediates() != nullptr)
      for (auto t : *in.o->intermediates()) {
        // (TFLite Micro takes them only empty: a dimension of 0.)
        const auto* shape = t >= 0 ? tensor(checked_tensor(t))->shape() : nullptr;
        if (t >= 0 && (shape == nullptr || std::find(shape->begin(), shape->end(), 0) == shape->end()))
          fail("has intermediate tensors with bytes (TensorFlow Lite Micro refuses them)");
      }
    for (int k : {18, 19})
      if (!is_variable(in.input_at(static_cast<std::size_t>(k))))
        fail("its " + std::string(k == 18 ? "hidden" : "cell") + " state is not a variable tensor");
    const tensor_id x = activation_input(in.input_at(0));
    const dtype t = graph().spec(x.index).type;
    const constant w = gates(in, 1, "input_weights", t);
    const constant u = gates(in, 5, "recurrent_weights", t);
    const constant b = gates(in, 12, "bias", t);
    const tensor_id recurrent = graph().constant(u);
    if (!recurrent.valid()) fail(std::string("its recurrent weights: ") + message(graph().err));
    const lstm_options o{opt->time_major(), opt->cell_clip()};
    return graph().apply<ops::lstm_op>(
        {x, recurrent, activation_input(in.input_at(18)), activation_input(in.input_at(19))}, o, in.out_q, w, b);
  }

  // The four gate tensors of an LSTM from input `first` on, as one
  // constant: int8 weights (one scale per gate, zero point 0) and int32
  // biases with int8 activations, int8 weights and int64 biases with int16
  // (16x8), float32 weights and biases with float32.
  constant gates(const operator_input& in, int first, const char* role, dtype activations) {
    auto data = std::make_unique<constant_data>();
    char name[40];
    std::snprintf(name, sizeof name, "op%03d_%s", in.index, role);
    data->name = name;
    std::vector<int> shape0;
    const bool is_bias = first == 12;
    for (int g = 0; g < 4; ++g) {
      const int index = in.input_at(static_cast<std::size_t>(first + g));
      if (!is_constant(index)) fail(std::string(role) + " tensor " + tensor_label(index) + " is not a constant");
      const auto s = dims(index);
      if (g == 0) shape0 = s;
      if (s != shape0) fail("its " + std::string(role) + " tensors differ in shape");
      const auto n = static_cast<std::size_t>(to_shape(s).elements());
      const auto type = tensor(index)->type();
      if (activations == dtype::float32 && type == tflite::TensorType_FLOAT32) {
        const auto v = copy_data<float>(index, n);
        data->f32.insert(data->f32.end(), v.begin(), v.end());
      } else if (activations == dtype::int8 && is_bias && type == tflite::TensorType_INT32) {
        const auto v = copy_data<std::int32_t>(index, n);
        data->i32.insert(data->i32.end(), v.begin(), v.end());
      } else if (activations == dtype::int16 && is_bias && type == tflite::TensorType_INT64) {
        const auto v = copy_data<std::int64_t>(index, n);
        data->i64.insert(data->i64.end(), v.begin(), v.end());
      } else if (activations != dtype::float32 && !is_bias && type == tflite::TensorType_INT8) {
        const auto* q = tensor(index)->quantization();
        if (q == nullptr || q->scale() == nullptr || q->scale()->size() != 1)
          fail(std::string(role) + " tensor " + tensor_label(index) +
               " needs one scale (TensorFlow Lite Micro's LSTM misreads per-channel weights)");
        if (q->zero_point() != nullptr && q->zero_point()->size() > 0 && element(q->zero_point(), 0) != 0)
          fail(std::string(role) + " tensor " + tensor_label(index) + " has a non-zero zero point");
        const auto v = copy_data<std::int8_t>(index, n);
        data->i8.insert(data->i8.end(), v.begin(), v.end());
        data->scales.insert(data->scales.end(), static_cast<std::size_t>(s.empty() ? 1 : s[0]), q->scale()->Get(0));
      } else {
        fail(std::string(role) + " tensor " + tensor_label(index) + " has dtype " + type_name(type) + " with " +
             name_of(activations) +
             " activations; weft's LSTM takes int8 weights and int32 biases with int8, "
             "int8 weights and int64 biases with int16, float32 with float32");
      }
    }
    std::vector<int> whole = shape0;
    if (whole.empty()) whole.push_back(1);
    whole[0] *= 4;
    constant c{};
    c.spec.dims = to_shape(whole);
    c.provided = c.spec.dims.elements();
    if (!data->i8.empty()) {
      c.spec.type = dtype::int8;
      c.i8 = data->i8.data();
      c.spec.quant = {data->scales[0], 0, data->scales.data(), static_cast<int>(data->scales.size()), 0};
    } else if (!data->i32.empty()) {
      c.spec.type = dtype::int32;
      c.i32 = data->i32.data();
    } else if (!data->i64.empty()) {
      c.spec.type = dtype::int64;
      c.i64 = data->i64.data();
    } else {
      c.spec.type = dtype::float32;
      c.f32 = data->f32.data();
    }
    out_.constants.push_back(std::move(data));
    return c;
  }

  tensor_id read_softmax(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_SoftmaxOptions();
    softmax_options sm{};
    sm.beta = opt != nullptr ? opt->beta() : 0.0f;
    sm.int16_output = activation_type(in.out) == dtype::int16;
    return graph().apply<ops::softmax_op>({activation_input(in.input_at(0))}, sm, in.out_q);
  }

  tensor_id read_reshape(const operator_input& in) {
    return graph().reshape(activation_input(in.input_at(0)), to_shape(in.out_dims));
  }

  // A constant int32 tensor's values (paddings, permutations, axes).
  std::vector<std::int32_t> int_values(int index, const char* role) const {
    if (!is_constant(index))
      fail(std::string(role) + " tensor " + tensor_label(index) + " is not a constant; weft needs its values");
    if (tensor(index)->type() != tflite::TensorType_INT32)
      fail(std::string(role) + " tensor " + tensor_label(index) + " has dtype " + type_name(tensor(index)->type()) +
           "; weft reads int32");
    return copy_data<std::int32_t>(index, static_cast<std::size_t>(to_shape(dims(index, true)).elements()));
  }

  pad_options pad_amounts(const operator_input& in, const tensor_id x) const {
    const int rank = graph().spec(x.index).dims.rank;
    const std::vector<std::int32_t> p = int_values(in.input_at(1), "paddings");
    if (p.size() != static_cast<std::size_t>(2 * rank))
      fail("has " + std::to_string(p.size()) + " padding values for a rank-" + std::to_string(rank) +
           " input; it needs two per axis");
    pad_options o{};
    for (int d = 0; d < rank; ++d) {
      o.before[static_cast<std::size_t>(d)] = p[static_cast<std::size_t>(2 * d)];
      o.after[static_cast<std::size_t>(d)] = p[static_cast<std::size_t>(2 * d + 1)];
    }
    return o;
  }
  tensor_id read_pad(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    pad_options o = pad_amounts(in, x);
    if (const int v = in.optional_at(2); v >= 0) {  // PADV2's constant value
      if (!is_constant(v)) fail("its pad value " + tensor_label(v) + " is not a constant");
      const dtype t = graph().spec(x.index).type;
      if (to_shape(dims(v, true)).elements() != 1) fail("its pad value " + tensor_label(v) + " is not a scalar");
      o.has_value = true;
      if (t == dtype::int8) {
        if (tensor(v)->type() != tflite::TensorType_INT8) fail("its pad value " + tensor_label(v) + " is not int8");
        o.qvalue = copy_data<std::int8_t>(v, 1)[0];
      } else if (t == dtype::int16) {
        if (tensor(v)->type() != tflite::TensorType_INT16) fail("its pad value " + tensor_label(v) + " is not int16");
        o.qvalue = copy_data<std::int16_t>(v, 1)[0];
      } else {
        if (tensor(v)->type() != tflite::TensorType_FLOAT32)
          fail("its pad value " + tensor_label(v) + " is not float32");
        o.value = copy_data<float>(v, 1)[0];
      }
    }
    if (foldable(in, x, o)) {
      folded_pads_[in.out] = {x, {o.before[1], o.before[2]}, {o.after[1], o.after[2]}};
      folded_ = true;
      return {};
    }
    return graph().apply<ops::pad_op>({x}, o);
  }

  // The operators reading tensor t, in order.
  std::vector<int> consumers(int t) const {
    std::vector<int> r;
    const auto* ops = sg_->operators();
    for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i) {
      const auto* ins = ops->Get(i)->inputs();
      if (ins == nullptr) continue;
      for (auto k : *ins)
        if (k == t) {
          r.push_back(static_cast<int>(i));
          break;
        }
    }
    return r;
  }

  // Whether a PAD can be left to the convolution that alone reads it: it
  // pads only rows and columns of an NHWC image, with what the convolution
  // reads outside its input (the zero point, 0.0 for float32), keeps the
  // quantization, and feeds one VALID convolution as its input.
  bool foldable(const operator_input& in, tensor_id x, const pad_options& o) const {
    const tensor_spec& s = graph().spec(x.index);
    if (s.dims.rank != 4 || o.before[0] || o.after[0] || o.before[3] || o.after[3]) return false;
    if (s.type == dtype::int16) return false;  // an int16 PAD stays an operator
    if (s.type == dtype::int8) {
      const int value = o.has_value ? o.qvalue : in.out_q.zero_point;
      if (value != s.quant.zero_point || in.out_q.scale != s.quant.scale || in.out_q.zero_point != s.quant.zero_point)
        return false;
    } else if (o.has_value && o.value != 0.0f) {
      return false;
    }
    if (sg_->outputs() != nullptr)
      for (auto t : *sg_->outputs())
        if (t == in.out) return false;
    const std::vector<int> readers = consumers(in.out);
    if (readers.size() != 1 || readers[0] <= in.index) return false;
    const tflite::Operator* next = sg_->operators()->Get(static_cast<flatbuffers::uoffset_t>(readers[0]));
    if (next->inputs() == nullptr || next->inputs()->size() < 1 || next->inputs()->Get(0) != in.out) return false;
    for (flatbuffers::uoffset_t k = 1; k < next->inputs()->size(); ++k)
      if (next->inputs()->Get(k) == in.out) return false;
    const int code = code_of(readers[0], next);
    if (code == tflite::BuiltinOperator_CONV_2D) {
      const auto* opt = next->builtin_options_as_Conv2DOptions();
      return opt != nullptr && opt->padding() == tflite::Padding_VALID;
    }
    if (code == tflite::BuiltinOperator_DEPTHWISE_CONV_2D) {
      const auto* opt = next->builtin_options_as_DepthwiseConv2DOptions();
      return opt != nullptr && opt->padding() == tflite::Padding_VALID;
    }
    return false;
  }

  // A convolution's input: a folded PAD's input and its padding, or the
  // activation itself.
  padded_input conv_input(int tflite_index) {
    if (const auto f = folded_pads_.find(tflite_index); f != folded_pads_.end()) return f->second;
    return {activation_input(tflite_index)};
  }

  // QUANTIZE: the output tensor's dtype is the operator's.
  tensor_id read_quantize(const operator_input& in) {
    const quantize_options o{activation_type(in.out)};
    // (An int32 output, from int16, is quantized too.)
    const quantization q = o.to == dtype::int32 ? activation_quant(in.out) : in.out_q;
    return graph().apply<ops::quantize_op>({activation_input(in.input_at(0))}, o, q);
  }

  tensor_id read_transpose(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    const int rank = graph().spec(x.index).dims.rank;
    const std::vector<std::int32_t> p = int_values(in.input_at(1), "perm");
    if (p.size() != static_cast<std::size_t>(rank))
      fail("its perm has " + std::to_string(p.size()) + " entries for a rank-" + std::to_string(rank) + " input");
    transpose_options o{};
    for (int d = 0; d < rank; ++d) o.perm[static_cast<std::size_t>(d)] = p[static_cast<std::size_t>(d)];
    return graph().apply<ops::transpose_op>({x}, o);
  }

  // A unary element-wise operator without options (weft/ops/unary.hpp): its
  // output quantization is the output tensor's (none for float32).
  template <class U>
  tensor_id read_unary(const operator_input& in) {
    return graph().apply<U>({activation_input(in.input_at(0))}, {}, in.out_q);
  }

  // CAST: the output tensor's dtype is the target (TFLite Micro does not
  // read CastOptions either).
  tensor_id read_cast(const operator_input& in) {
    const cast_options o{activation_type(in.out) == dtype::float32};
    return graph().apply<ops::cast_op>({activation_input(in.input_at(0))}, o, in.out_q);
  }

  tensor_id read_leaky_relu(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_LeakyReluOptions();
    leaky_relu_options o{};
    if (opt != nullptr) o.alpha = opt->alpha();  // TFLite takes 0 when the options are missing
    return graph().apply<ops::leaky_relu_op>({activation_input(in.input_at(0))}, o, in.out_q);
  }

  // MEAN, SUM, REDUCE_MAX: constant int32 axes (negative from the last,
  // repeats allowed), keep_dims in ReducerOptions.
  template <class U>
  tensor_id read_reduce(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    const int rank = graph().spec(x.index).dims.rank;
    reduce_options o{};
    const std::vector<std::int32_t> axes = int_values(in.input_at(1), "axes");
    // TFLite Micro resolves axes into an array of 4 (MeanParams).
    if (axes.size() > static_cast<std::size_t>(max_rank))
      fail("names " + std::to_string(axes.size()) + " axes; TensorFlow Lite Micro reads at most 4");
    for (const std::int32_t a : axes) {
      if (a < -rank || a >= rank)
        fail("reduces axis " + std::to_string(a) + " of a rank-" + std::to_string(rank) + " input");
      o.axes[static_cast<std::size_t>(a < 0 ? a + rank : a)] = true;
    }
    const auto* opt = in.o->builtin_options_as_ReducerOptions();
    o.keep_dims = opt != nullptr && opt->keep_dims();
    return graph().apply<U>({x}, o, in.out_q);
  }

  // ARG_MAX, ARG_MIN: the first value of a constant int32 axis tensor (as
  // TFLite Micro reads it); the output must be int32 (output_type is not
  // read: TFLite Micro's kernels go by the output tensor's dtype).
  template <class U>
  tensor_id read_arg(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    const std::vector<std::int32_t> axis = int_values(in.input_at(1), "axis");
    if (axis.empty()) fail("its axis tensor is empty");
    return graph().apply<U>({x}, {.axis = axis[0]});
  }

  // GATHER: int32 positions, a constant (checked now) or an activation
  // (a model input of token ids, say); axis and batch_dims in GatherOptions.
  tensor_id read_gather(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    const int p = in.input_at(1);
    if (tensor(p)->type() != tflite::TensorType_INT32)
      fail("its positions " + tensor_label(p) + " are " + type_name(tensor(p)->type()) +
           "; TensorFlow Lite Micro's GATHER takes int32 positions only");
    const tensor_id positions = activation_input(p);
    gather_options o{};
    if (const auto* opt = in.o->builtin_options_as_GatherOptions(); opt != nullptr) {
      o.axis = opt->axis();
      o.batch_dims = opt->batch_dims();
    }
    // An int8 output takes the output tensor's quantization: TFLite Micro
    // copies the stored values whatever it says.
    return graph().apply<ops::gather_op>({x, positions}, o, in.out_q);
  }

  // EMBEDDING_LOOKUP: rows of a table (input 1: float32 or int8, 2 or more
  // dimensions) picked by 1-D int32 ids (input 0), which is GATHER along
  // axis 0. A float32 table gives float32; an int8 table gives int8 (the
  // stored values, whatever the output's quantization says) or float32
  // (each value times the table's scale, its zero point 0). An id outside
  // the table at run time gives a row of zeros (the zero point), where
  // TensorFlow Lite Micro stops with an error.
  tensor_id read_embedding_lookup(const operator_input& in) {
    if (in.ins.size() != 2) fail("has " + std::to_string(in.ins.size()) + " inputs; it takes two (ids, table)");
    const int ids = in.input_at(0), table = in.input_at(1);
    if (tensor(ids)->type() != tflite::TensorType_INT32)
      fail("its ids " + tensor_label(ids) + " are " + type_name(tensor(ids)->type()) +
           "; TensorFlow Lite Micro's EMBEDDING_LOOKUP takes int32 ids only");
    if (const auto d = dims(ids, true); d.size() != 1)
      fail("its ids " + tensor_label(ids) + " have shape " + shape_text(d) +
           "; TensorFlow Lite Micro's EMBEDDING_LOOKUP takes 1-D ids");
    const auto table_type = tensor(table)->type();
    if (table_type != tflite::TensorType_FLOAT32 && table_type != tflite::TensorType_INT8)
      fail("its table " + tensor_label(table) + " is " + type_name(table_type) +
           "; TensorFlow Lite Micro's EMBEDDING_LOOKUP takes float32 or int8 tables");
    if (const auto d = dims(table, true); d.size() < 2)
      fail("its table " + tensor_label(table) + " has shape " + shape_text(d) +
           "; TensorFlow Lite Micro's EMBEDDING_LOOKUP needs 2 or more dimensions (rows first)");
    gather_options o{};
    const dtype out_type = activation_type(in.out);
    const dtype value_type = table_type == tflite::TensorType_INT8 ? dtype::int8 : dtype::float32;
    if (value_type == dtype::int8 && out_type == dtype::float32) {
      o.dequantize = true;
    } else if (out_type != value_type) {
      fail("its output is " + std::string(name_of(out_type)) + " for a " + name_of(value_type) +
           " table; TensorFlow Lite Micro reads a float32 table into float32, and an int8 one into int8 or float32");
    }
    const tensor_id x = activation_input(table);
    return graph().apply<ops::gather_op>({x, activation_input(ids)}, o, in.out_q);
  }

  // BATCH_MATMUL: two inputs, each an activation or a constant, and adj_x
  // and adj_y of BatchMatMulOptions (asymmetric_quantize_inputs concerns
  // hybrid kernels TensorFlow Lite Micro does not have: it ignores it, and
  // so does weft).
  tensor_id read_batch_matmul(const operator_input& in) {
    if (in.ins.size() != 2) fail("has " + std::to_string(in.ins.size()) + " inputs; it takes two (lhs, rhs)");
    batch_matmul_options o{};
    if (const auto* opt = in.o->builtin_options_as_BatchMatMulOptions(); opt != nullptr) {
      o.adj_x = opt->adj_x();
      o.adj_y = opt->adj_y();
    }
    const tensor_id lhs = activation_input(in.input_at(0));
    const tensor_id rhs = activation_input(in.input_at(1));
    return graph().apply<ops::batch_matmul_op>({lhs, rhs}, o, in.out_q);
  }

  // RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (the resize family): a
  // constant size of two values and the options' flags.
  template <class U, class Options>
  tensor_id read_resize(const operator_input& in, const Options* opt) {
    const tensor_id x = activation_input(in.input_at(0));
    const std::vector<std::int32_t> size = int_values(in.input_at(1), "size");
    if (size.size() != 2) fail("its size has " + std::to_string(size.size()) + " values; it needs 2 (height, width)");
    resize_options o{{size[0], size[1]}};
    if (opt != nullptr) {
      o.align_corners = opt->align_corners();
      o.half_pixel_centers = opt->half_pixel_centers();
    }
    return graph().apply<U>({x}, o);
  }
  tensor_id read_resize_nearest_neighbor(const operator_input& in) {
    return read_resize<ops::resize_nearest_neighbor_op>(in, in.o->builtin_options_as_ResizeNearestNeighborOptions());
  }

  tensor_id read_prelu(const operator_input& in) { return read_binary<ops::prelu_op>(in, {}); }

  tensor_id read_resize_bilinear(const operator_input& in) {
    return read_resize<ops::resize_bilinear_op>(in, in.o->builtin_options_as_ResizeBilinearOptions());
  }

  tensor_id read_l2_pool2d(const operator_input& in) {
    return graph().apply<ops::l2_pool2d_op>({activation_input(in.input_at(0))}, pool_options(in));
  }

  // TRANSPOSE_CONV: inputs output_shape, weights, input and an optional
  // bias. The output's height and width are the output tensor's, as TFLite
  // Micro takes them; a constant output_shape operand must say the same
  // (TFLite Micro ignores it; one that differs is a malformed model). Some
  // converters leave output_shape a model input: it stays one (so that the
  // model's inputs keep their order), no operator reads it, and `weft run`
  // checks its values against the output's shape (fixed_inputs).
  tensor_id read_transpose_conv(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_TransposeConvOptions();
    if (opt == nullptr) fail("its TransposeConvOptions are missing");
    if (in.out_dims.size() != 4) fail("its output is not 4-D");
    const std::vector<std::int32_t> out_shape(in.out_dims.begin(), in.out_dims.end());
    if (const int s = in.input_at(0); is_constant(s)) {
      const std::vector<std::int32_t> shape = int_values(s, "output_shape");
      if (shape != out_shape)
        fail("its output_shape operand says " + shape_text(std::vector<int>(shape.begin(), shape.end())) +
             " but its output tensor has the shape " + shape_text(in.out_dims));
    } else {
      fix_model_input(s, out_shape, "output_shape of operator " + std::to_string(in.index) + " (TRANSPOSE_CONV)");
    }
    const tensor_id x = activation_input(in.input_at(2));
    const dtype t = graph().spec(x.index).type;
    transpose_conv_options o{{opt->stride_h(), opt->stride_w()},
                             pad(opt->padding()),
                             in.act(opt->fused_activation_function()),
                             {in.out_dims[1], in.out_dims[2]}};
    // 16x8: TFLite Micro widens an int16 bias to int64 before it sums.
    const int b = in.optional_at(3);
    const constant bias_constant =
        t == dtype::int16 && b >= 0 && is_constant(b) && tensor(b)->type() == tflite::TensorType_INT16
            ? widened_int16_bias(b, in.index)
            : bias(b, in.index, t);
    return graph().apply<ops::transpose_conv_op>({x}, o, in.out_q, weights(in.input_at(1), in.index, "weights", t, 0),
                                                 bias_constant);
  }

  // An int16 bias as int64 (what TFLite Micro's 16x8 TRANSPOSE_CONV sums).
  constant widened_int16_bias(int index, int op_index) {
    const auto n = static_cast<std::size_t>(to_shape(dims(index)).elements());
    const std::vector<std::int16_t> narrow = copy_data<std::int16_t>(index, n);
    auto data = std::make_unique<constant_data>();
    char name[32];
    std::snprintf(name, sizeof name, "op%03d_bias", op_index);
    data->name = name;
    data->i64.assign(narrow.begin(), narrow.end());
    constant c{};
    c.spec = {dtype::int64, to_shape(dims(index)), {}};
    c.provided = static_cast<std::int64_t>(n);
    c.i64 = data->i64.data();
    out_.constants.push_back(std::move(data));
    return c;
  }

  // A model input the model fixes to `values` (int32) and no operator
  // reads; `weft run` checks each record of it.
  void fix_model_input(int index, const std::vector<std::int32_t>& values, const std::string& what) {
    const auto* inputs = sg_->inputs();
    int position = -1;
    for (flatbuffers::uoffset_t k = 0; inputs != nullptr && k < inputs->size(); ++k)
      if (inputs->Get(k) == index) position = static_cast<int>(k);
    if (position < 0)
      fail("its " + what.substr(0, what.find(' ')) + " tensor " + tensor_label(index) +
           " is neither a constant nor a model input; weft needs its values");
    if (tensor(index)->type() != tflite::TensorType_INT32 ||
        to_shape(dims(index)).elements() != static_cast<std::int64_t>(values.size()))
      fail("its " + what.substr(0, what.find(' ')) + " tensor " + tensor_label(index) + " must be " +
           std::to_string(values.size()) + " int32 values");
    out_.fixed_inputs.push_back({position, values, what});
  }

  // DEPTH_TO_SPACE and SPACE_TO_DEPTH: the block size of their options.
  template <class U, class Options>
  tensor_id read_depth_space(const operator_input& in, const Options* opt, const char* options_name) {
    if (opt == nullptr) fail(std::string("its ") + options_name + " are missing");
    return graph().apply<U>({activation_input(in.input_at(0))}, depth_space_options{opt->block_size()});
  }
  tensor_id read_depth_to_space(const operator_input& in) {
    return read_depth_space<ops::depth_to_space_op>(in, in.o->builtin_options_as_DepthToSpaceOptions(),
                                                    "DepthToSpaceOptions");
  }
  tensor_id read_space_to_depth(const operator_input& in) {
    return read_depth_space<ops::space_to_depth_op>(in, in.o->builtin_options_as_SpaceToDepthOptions(),
                                                    "SpaceToDepthOptions");
  }

  // MIRROR_PAD: PAD's paddings operand, and the mode of its options
  // (TFLite Micro fails without them).
  tensor_id read_mirror_pad(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_MirrorPadOptions();
    if (opt == nullptr) fail("its MirrorPadOptions are missing");
    const tensor_id x = activation_input(in.input_at(0));
    const pad_options amounts = pad_amounts(in, x);
    const mirror_pad_options o{amounts.before, amounts.after, opt->mode() == tflite::MirrorPadMode_SYMMETRIC};
    return graph().apply<ops::mirror_pad_op>({x}, o);
  }

  // An axis of a rank-`rank` tensor, negative ones counted from the end
  // (TFLite's convention); fails naming `what` when it is not one.
  int axis_of(std::int64_t axis, int rank, const std::string& what) const {
    const std::int64_t a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank)
      fail(what + " " + std::to_string(axis) + " is not an axis of a rank-" + std::to_string(rank) + " tensor");
    return static_cast<int>(a);
  }

  // A constant int32 or int64 tensor's values (SLICE's begin and size).
  std::vector<std::int64_t> index_values(int index, const char* role) const {
    if (is_constant(index) && tensor(index)->type() == tflite::TensorType_INT64)
      return copy_data<std::int64_t>(index, static_cast<std::size_t>(to_shape(dims(index, true)).elements()));
    const std::vector<std::int32_t> v = int_values(index, role);
    return {v.begin(), v.end()};
  }

  // A SLICE, STRIDED_SLICE, SPLIT, SPLIT_V or UNPACK output: the whole of
  // x but along the axes `o` restricts.
  slice_options whole(tensor_id x) const {
    const weft::shape& s = graph().spec(x.index).dims;
    slice_options o{};
    for (int d = 0; d < s.rank; ++d) o.count[static_cast<std::size_t>(d)] = s[d];
    return o;
  }

  tensor_id read_concatenation(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_ConcatenationOptions();
    if (opt != nullptr && opt->fused_activation_function() != tflite::ActivationFunctionType_NONE)
      fail("fused activation " + std::string(tflite::EnumNameActivationFunctionType(opt->fused_activation_function())) +
           ": TensorFlow Lite Micro's CONCATENATION takes none");
    if (in.ins.empty() || in.ins.size() > static_cast<std::size_t>(max_inputs))
      fail("has " + std::to_string(in.ins.size()) + " inputs; TensorFlow Lite Micro's CONCATENATION takes 1 to " +
           std::to_string(max_inputs));
    std::vector<tensor_id> xs;
    for (std::size_t k = 0; k < in.ins.size(); ++k) xs.push_back(activation_input(in.input_at(k)));
    const int axis = axis_of(opt != nullptr ? opt->axis() : 0, static_cast<int>(in.out_dims.size()), "its axis");
    return graph().apply<ops::concatenation_op>(std::span<const tensor_id>(xs), {axis}, in.out_q);
  }

  // PACK: a concatenation along `axis` of the inputs, each viewed with a 1
  // inserted there (a reshape: no copy).
  tensor_id read_pack(const operator_input& in) {
    const auto* opt = in.o->builtin_options_as_PackOptions();
    const int count = opt != nullptr ? opt->values_count() : 0;
    if (count != static_cast<int>(in.ins.size()))
      fail("its values_count is " + std::to_string(count) + " for " + std::to_string(in.ins.size()) +
           " inputs; TensorFlow Lite Micro reads values_count inputs");
    if (in.ins.empty() || in.ins.size() > static_cast<std::size_t>(max_inputs))
      fail("has " + std::to_string(in.ins.size()) + " inputs; weft packs 1 to " + std::to_string(max_inputs));
    const int rank = static_cast<int>(in.out_dims.size());
    const int axis = axis_of(opt->axis(), rank, "its axis");
    std::vector<tensor_id> xs;
    for (std::size_t k = 0; k < in.ins.size(); ++k) {
      const tensor_id x = activation_input(in.input_at(k));
      const weft::shape& s = graph().spec(x.index).dims;
      if (s.rank + 1 != rank)
        fail("input " + std::to_string(k) + " has rank " + std::to_string(s.rank) + " for a rank-" +
             std::to_string(rank) + " output; PACK adds one axis");
      weft::shape to{};
      to.rank = rank;
      for (int d = 0, from = 0; d < rank; ++d) to[d] = d == axis ? 1 : s[from++];
      xs.push_back(graph().reshape(x, to));
    }
    return graph().apply<ops::concatenation_op>(std::span<const tensor_id>(xs), {axis}, in.out_q);
  }

  // SLICE: `size` elements (-1: to the end) from `begin` along each axis.
  // TFLite Micro neither wraps a negative begin nor clamps: it aborts on a
  // slice reaching outside its input, which weft refuses.
  tensor_id read_slice(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    const weft::shape s = graph().spec(x.index).dims;
    const std::vector<std::int64_t> begin = index_values(in.input_at(1), "begin");
    const std::vector<std::int64_t> size = index_values(in.input_at(2), "size");
    if (begin.size() != static_cast<std::size_t>(s.rank) || size.size() != begin.size())
      fail("its begin and size have " + std::to_string(begin.size()) + " and " + std::to_string(size.size()) +
           " values for a rank-" + std::to_string(s.rank) + " input; they need one per axis");
    slice_options o = whole(x);
    for (int d = 0; d < s.rank; ++d) {
      const auto k = static_cast<std::size_t>(d);
      const std::int64_t stop = size[k] == -1 ? s[d] : begin[k] + size[k];
      if (begin[k] < 0 || stop <= begin[k] || stop > s[d])
        fail("takes elements [" + std::to_string(begin[k]) + ", " + std::to_string(stop) + ") of axis " +
             std::to_string(d) + " of size " + std::to_string(s[d]) +
             "; TensorFlow Lite Micro aborts on a slice outside its input or an empty one");
      o.begin[k] = static_cast<int>(begin[k]);
      o.count[k] = static_cast<int>(stop - begin[k]);
    }
    return graph().apply<ops::slice_op>({x}, o);
  }

  // STRIDED_SLICE, resolved as TFLite Micro resolves it
  // (strided_slice_logic.h): per axis, begin and end wrap once if negative
  // and are clamped into the axis, masks take the whole axis, a shrunk axis
  // takes the element at begin; ellipsis_mask, new_axis_mask and offset
  // are ignored, as TFLite Micro ignores them.
  tensor_id read_strided_slice(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    const weft::shape s = graph().spec(x.index).dims;
    const std::vector<std::int32_t> begin = int_values(in.input_at(1), "begin");
    const std::vector<std::int32_t> end = int_values(in.input_at(2), "end");
    const std::vector<std::int32_t> strides = int_values(in.input_at(3), "strides");
    if (begin.size() != static_cast<std::size_t>(s.rank) || end.size() != begin.size() ||
        strides.size() != begin.size())
      fail("its begin, end and strides have " + std::to_string(begin.size()) + ", " + std::to_string(end.size()) +
           " and " + std::to_string(strides.size()) + " values for a rank-" + std::to_string(s.rank) +
           " input; they need one per axis");
    const auto* opt = in.o->builtin_options_as_StridedSliceOptions();
    const int begin_mask = opt ? opt->begin_mask() : 0, end_mask = opt ? opt->end_mask() : 0;
    const int shrink = opt ? opt->shrink_axis_mask() : 0;
    if (opt != nullptr && (opt->ellipsis_mask() != 0 || opt->new_axis_mask() != 0 || opt->offset()))
      out_.notes.push_back("operator " + std::to_string(in.index) +
                           " (STRIDED_SLICE): its ellipsis_mask, new_axis_mask and offset are ignored, as TensorFlow "
                           "Lite Micro ignores them");
    slice_options o = whole(x);
    for (int d = 0; d < s.rank; ++d) {
      const auto k = static_cast<std::size_t>(d);
      const std::int64_t n = s[d], stride = strides[k];
      if (stride == 0) fail("its stride along axis " + std::to_string(d) + " is 0; TensorFlow Lite Micro refuses it");
      // Clamped into [0, n] going forwards, [-1, n - 1] backwards.
      auto clamp = [&](std::int64_t v) {
        if (v < 0) v += n;
        const std::int64_t lo = stride > 0 ? 0 : -1, hi = stride > 0 ? n : n - 1;
        return v < lo ? lo : v > hi ? hi : v;
      };
      std::int64_t start = clamp(begin[k]);
      if (begin_mask & (1 << d)) start = stride > 0 ? 0 : n - 1;
      if (shrink & (1 << d)) {
        // TFLite Micro's loop takes start..start+1 forwards only: a shrunk
        // axis walked backwards, or begun past its end, writes nothing (the
        // output keeps whatever the arena held).
        if (stride < 0 || start >= n)
          fail("shrinks axis " + std::to_string(d) + (stride < 0 ? " with a negative stride" : " past its end") +
               ", where TensorFlow Lite Micro writes nothing (its output is whatever its memory held)");
        o.begin[k] = static_cast<int>(start);
        o.count[k] = 1;
        o.drop[k] = true;
        continue;
      }
      std::int64_t stop = clamp(end[k]);
      if (end_mask & (1 << d)) stop = stride > 0 ? n : -1;
      const std::int64_t span = stride > 0 ? stop - start : start - stop, step = stride > 0 ? stride : -stride;
      if (span <= 0)
        fail("takes no element along axis " + std::to_string(d) + " (begin " + std::to_string(begin[k]) + ", end " +
             std::to_string(end[k]) + ", stride " + std::to_string(stride) + "): the output would be empty");
      o.begin[k] = static_cast<int>(start);
      o.stride[k] = static_cast<int>(stride);
      o.count[k] = static_cast<int>((span + step - 1) / step);
    }
    return graph().apply<ops::slice_op>({x}, o);
  }

  // SPLIT and SPLIT_V: output k is the next out_k(axis) elements along the
  // axis (SPLIT: every output takes output 0's size, as TFLite Micro does;
  // neither reads num_splits or SPLIT_V's size_splits).
  std::vector<tensor_id> split(const operator_input& in, tensor_id x, std::int32_t axis_value, bool first_size) {
    const weft::shape s = graph().spec(x.index).dims;
    const int axis = axis_of(axis_value, s.rank, "its axis");
    for (std::size_t k = 0; k < in.outs.size(); ++k)
      if (in.outs_dims[k].size() != static_cast<std::size_t>(s.rank))
        fail("output " + std::to_string(k) + " has rank " + std::to_string(in.outs_dims[k].size()) + " for a rank-" +
             std::to_string(s.rank) + " input");
    std::int64_t total = 0;
    for (std::size_t k = 0; k < in.outs.size(); ++k)
      total += in.outs_dims[first_size ? 0 : k][static_cast<std::size_t>(axis)];
    if (total != s[axis])
      fail("its outputs take " + std::to_string(total) + " elements along axis " + std::to_string(axis) +
           ", which has " + std::to_string(s[axis]) + "; TensorFlow Lite Micro aborts");
    std::vector<tensor_id> r;
    int begin = 0;
    for (std::size_t k = 0; k < in.outs.size(); ++k) {
      slice_options o = whole(x);
      o.begin[static_cast<std::size_t>(axis)] = begin;
      o.count[static_cast<std::size_t>(axis)] = in.outs_dims[first_size ? 0 : k][static_cast<std::size_t>(axis)];
      begin += o.count[static_cast<std::size_t>(axis)];
      r.push_back(graph().apply<ops::slice_op>({x}, o));
    }
    return r;
  }
  std::int32_t axis_value(int index) const {
    const std::vector<std::int32_t> a = int_values(index, "axis");
    if (a.empty()) fail("its axis tensor is empty");
    return a[0];
  }
  std::vector<tensor_id> read_split(const operator_input& in) {
    const std::int32_t axis = axis_value(in.input_at(0));
    return split(in, activation_input(in.input_at(1)), axis, true);
  }
  std::vector<tensor_id> read_split_v(const operator_input& in) {
    if (in.ins.size() != 3) fail("has " + std::to_string(in.ins.size()) + " inputs; it takes three");
    const std::int32_t axis = axis_value(in.input_at(2));
    return split(in, activation_input(in.input_at(0)), axis, false);
  }

  // UNPACK: output k is element k along the axis, the axis dropped.
  std::vector<tensor_id> read_unpack(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    const weft::shape s = graph().spec(x.index).dims;
    const auto* opt = in.o->builtin_options_as_UnpackOptions();
    const int axis = axis_of(opt != nullptr ? opt->axis() : 0, s.rank, "its axis");
    const int num = opt != nullptr ? opt->num() : 0;
    // TFLite Micro strides by num through the input: it unpacks only where
    // num is the axis size (and writes num outputs).
    if (num != s[axis] || in.outs.size() != static_cast<std::size_t>(num))
      fail("its num is " + std::to_string(num) + " with " + std::to_string(in.outs.size()) + " outputs, along axis " +
           std::to_string(axis) + " of size " + std::to_string(s[axis]) + "; they must be equal");
    std::vector<tensor_id> r;
    for (int k = 0; k < num; ++k) {
      slice_options o = whole(x);
      o.begin[static_cast<std::size_t>(axis)] = k;
      o.count[static_cast<std::size_t>(axis)] = 1;
      o.drop[static_cast<std::size_t>(axis)] = true;
      r.push_back(graph().apply<ops::slice_op>({x}, o));
    }
    return r;
  }

  // SQUEEZE: a reshape dropping the listed axes of size 1 (every one
  // when none is listed).
  tensor_id read_squeeze(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    const weft::shape s = graph().spec(x.index).dims;
    const auto* opt = in.o->builtin_options_as_SqueezeOptions();
    std::array<bool, max_rank> squeezed{};
    if (opt == nullptr || opt->squeeze_dims() == nullptr || opt->squeeze_dims()->size() == 0) {
      for (int d = 0; d < s.rank; ++d) squeezed[static_cast<std::size_t>(d)] = s[d] == 1;
    } else {
      if (opt->squeeze_dims()->size() > 8)
        fail("lists " + std::to_string(opt->squeeze_dims()->size()) + " squeeze_dims; TensorFlow Lite takes at most 8");
      for (const std::int32_t v : *opt->squeeze_dims()) {
        const int d = axis_of(v, s.rank, "its squeeze_dims entry");
        if (s[d] != 1)
          fail("squeezes axis " + std::to_string(d) + " of size " + std::to_string(s[d]) +
               "; TensorFlow Lite Micro squeezes axes of size 1 only");
        squeezed[static_cast<std::size_t>(d)] = true;
      }
    }
    weft::shape to{};
    for (int d = 0; d < s.rank; ++d)
      if (!squeezed[static_cast<std::size_t>(d)]) to[to.rank++] = s[d];
    if (to.rank == 0) fail("squeezes every axis; weft tensors have at least one");
    return graph().reshape(x, to);
  }

  // EXPAND_DIMS: a reshape inserting an axis of size 1 before `axis`
  // (counted from the end, where rank + 1 axes are, when negative).
  tensor_id read_expand_dims(const operator_input& in) {
    const tensor_id x = activation_input(in.input_at(0));
    const weft::shape s = graph().spec(x.index).dims;
    const int a = in.input_at(1);
    if (dims(a, true).size() > 1) fail("its axis tensor " + tensor_label(a) + " has more than one dimension");
    const std::int32_t v = axis_value(a);
    const int axis = v < 0 ? v + s.rank + 1 : v;
    if (axis < 0 || axis > s.rank)
      fail("its axis " + std::to_string(v) + " is not a place to insert an axis in a rank-" + std::to_string(s.rank) +
           " input");
    if (s.rank + 1 > max_rank)
      fail("makes a rank-" + std::to_string(s.rank + 1) + " tensor; weft supports 1 to 4 dimensions");
    weft::shape to{};
    to.rank = s.rank + 1;
    for (int d = 0, from = 0; d < to.rank; ++d) to[d] = d == axis ? 1 : s[from++];
    return graph().reshape(x, to);
  }

  // The main subgraph's CALL_ONCE (at most one, before any variable is
  // read or assigned: weft starts each variable at what the init subgraph
  // assigns it, where TensorFlow Lite Micro assigns it when CALL_ONCE runs,
  // on the first inference), the subgraphs (the main one and CALL_ONCE's
  // init subgraph only), and every variable, in the order TensorFlow Lite
  // Micro prepares them (the main subgraph's operators, then the init
  // subgraph's): the first ASSIGN_VARIABLE of a variable gives its size and
  // the byte it starts at.
  void resolve_variables() {
    const auto* subgraphs = model_->subgraphs();
    const auto& ops = *sg_->operators();
    int init = -1, call_once = -1, first_use = -1;
    for (flatbuffers::uoffset_t i = 0; i < ops.size(); ++i) {
      const int index = static_cast<int>(i);
      const int code = code_of(index, ops.Get(i));
      if ((code == tflite::BuiltinOperator_READ_VARIABLE || code == tflite::BuiltinOperator_ASSIGN_VARIABLE) &&
          first_use < 0)
        first_use = index;
      if (code != tflite::BuiltinOperator_CALL_ONCE) continue;
      context_ = "operator " + std::to_string(index) + " (CALL_ONCE): ";
      if (call_once >= 0)
        fail(
            "is the model's second CALL_ONCE; TensorFlow Lite Micro runs the init subgraph again at each CALL_ONCE "
            "of the first inference, which weft does not model (it supports one)");
      const auto* opt = ops.Get(i)->builtin_options_as_CallOnceOptions();
      if (opt == nullptr) fail("its CallOnceOptions are missing");
      const auto* o = ops.Get(i);
      if ((o->inputs() != nullptr && o->inputs()->size() > 0) || (o->outputs() != nullptr && o->outputs()->size() > 0))
        fail("has inputs or outputs; CALL_ONCE takes none (TensorFlow Lite Micro refuses it)");
      init = opt->init_subgraph_index();
      if (init <= 0 || static_cast<flatbuffers::uoffset_t>(init) >= subgraphs->size())
        fail("its init_subgraph_index " + std::to_string(init) +
             " names no subgraph besides the main one (the model has " + std::to_string(subgraphs->size()) + ")");
      if (first_use >= 0)
        fail("comes after operator " + std::to_string(first_use) +
             ", which reads or assigns a variable; weft starts variables at the values the init subgraph assigns, so "
             "CALL_ONCE must come before every READ_VARIABLE and ASSIGN_VARIABLE");
      call_once = index;
    }
    context_.clear();
    for (flatbuffers::uoffset_t k = 1; k < subgraphs->size(); ++k)
      if (static_cast<int>(k) != init)
        fail("the model has " + std::to_string(subgraphs->size()) + " subgraphs, and subgraph " + std::to_string(k) +
             " is not a CALL_ONCE's init subgraph; weft runs one subgraph (no control flow), and an init subgraph that "
             "assigns constants to variables");
    scan_variables(0);
    if (init > 0) scan_variables(init);
  }

  // "operator 3 (ASSIGN_VARIABLE): ", with the subgraph outside the main one.
  std::string where(int subgraph, int index, int code) const {
    return (subgraph == 0 ? "" : "init subgraph " + std::to_string(subgraph) + ", ") + "operator " +
           std::to_string(index) + " (" + builtin_name(code) + "): ";
  }

  // The VAR_HANDLEs and ASSIGN_VARIABLEs of subgraph `s` (the init
  // subgraph has nothing else, and assigns constants).
  void scan_variables(int s) {
    const tflite::SubGraph* main = sg_;
    sg_ = model_->subgraphs()->Get(static_cast<flatbuffers::uoffset_t>(s));
    if (s != 0) {
      if ((sg_->inputs() != nullptr && sg_->inputs()->size() > 0) ||
          (sg_->outputs() != nullptr && sg_->outputs()->size() > 0))
        fail("init subgraph " + std::to_string(s) + " has inputs or outputs; weft's init subgraphs have none");
      if (sg_->tensors() == nullptr) fail("init subgraph " + std::to_string(s) + " has no tensors");
    }
    const auto* ops = sg_->operators();
    for (flatbuffers::uoffset_t i = 0; ops != nullptr && i < ops->size(); ++i) {
      const tflite::Operator* o = ops->Get(i);
      const int code = code_of(static_cast<int>(i), o);
      context_ = where(s, static_cast<int>(i), code);
      const std::size_t ins = o->inputs() ? o->inputs()->size() : 0, outs = o->outputs() ? o->outputs()->size() : 0;
      if (code == tflite::BuiltinOperator_VAR_HANDLE) {
        if (ins != 0 || outs != 1)
          fail("has " + std::to_string(ins) + " inputs and " + std::to_string(outs) +
               " outputs; VAR_HANDLE takes none and gives one");
        const auto* opt = o->builtin_options_as_VarHandleOptions();
        if (opt == nullptr || opt->shared_name() == nullptr) fail("has no shared_name");
        const int r = checked_tensor(o->outputs()->Get(0));
        if (tensor(r)->type() != tflite::TensorType_RESOURCE)
          fail("its output " + tensor_label(r) + " is " + type_name(tensor(r)->type()) + ", not a resource");
        handles_[{s, r}] = variable_named(opt->container(), opt->shared_name()->str());
      } else if (code == tflite::BuiltinOperator_ASSIGN_VARIABLE) {
        if (ins != 2 || outs != 0)
          fail("has " + std::to_string(ins) + " inputs and " + std::to_string(outs) +
               " outputs; ASSIGN_VARIABLE takes two (variable, value) and gives none");
        variable& v = variables_[static_cast<std::size_t>(variable_at(s, o->inputs()->Get(0)))];
        const int value = checked_tensor(o->inputs()->Get(1));
        const dtype type = activation_type(value);
        if (type == dtype::int32)
          fail("assigns int32 " + tensor_label(value) + "; weft's variables are int8, int16 or float32");
        const tensor_spec spec{type, to_shape(dims(value)), quant_of(value, type)};
        if (!v.allocated) {
          v.allocated = true;
          v.spec = spec;
          // TensorFlow Lite Micro sets the bytes to the value's zero point
          // cast to int8 (an int16 variable of zero point 1 starts at 257).
          v.fill = static_cast<std::uint8_t>(static_cast<std::int8_t>(spec.quant.zero_point));
        } else if (spec.bytes() != v.spec.bytes()) {
          fail("assigns " + std::to_string(spec.bytes()) + " bytes to variable '" + comment_text(v.shared_name) +
               "' of " + std::to_string(v.spec.bytes()) + " bytes; TensorFlow Lite Micro aborts");
        }
        if (s != 0) {
          if (!is_constant(value))
            fail("assigns " + tensor_label(value) +
                 ", which is not a constant; weft computes the init subgraph when it reads the model, from constants");
          const auto bytes = buffer_bytes(value);
          if (bytes.size() != spec.bytes())
            fail("its value " + tensor_label(value) + " holds " + std::to_string(bytes.size()) +
                 " bytes, its shape needs " + std::to_string(spec.bytes()));
          if (spec.type != v.spec.type)
            fail("assigns " + std::string(name_of(spec.type)) + " to variable '" + comment_text(v.shared_name) +
                 "' of dtype " + name_of(v.spec.type) + "; weft needs one dtype per variable");
          v.initial.assign(bytes.begin(), bytes.end());
        }
      } else if (s != 0) {
        fail(
            "is not supported in an init subgraph: weft supports init subgraphs that ASSIGN_VARIABLE constants to "
            "VAR_HANDLE variables");
      }
    }
    context_.clear();
    sg_ = main;
  }

  // The variable VAR_HANDLE names `shared_name` in `container`, as TensorFlow
  // Lite Micro finds it: the first with that name whose container is the
  // same (any, where this VAR_HANDLE has none), else a new one.
  int variable_named(const flatbuffers::String* container, const std::string& shared_name) {
    for (std::size_t v = 0; v < variables_.size(); ++v) {
      const variable& x = variables_[v];
      if (x.shared_name != shared_name) continue;
      if (container == nullptr) return static_cast<int>(v);
      if (x.container == nullptr)
        fail("names variable '" + comment_text(shared_name) +
             "' with a container where an earlier VAR_HANDLE named it without one (TensorFlow Lite Micro compares a "
             "null name)");
      if (x.container->str() == container->str()) return static_cast<int>(v);
    }
    variable v{};
    v.container = container;
    v.shared_name = shared_name;
    variables_.push_back(std::move(v));
    return static_cast<int>(variables_.size()) - 1;
  }

  // The variable of resource tensor r of subgraph s (a VAR_HANDLE's output).
  int variable_at(int s, std::int32_t r) const {
    const auto at = handles_.find({s, r});
    if (at == handles_.end())
      fail("its variable tensor " + std::to_string(r) + " is not the output of an earlier VAR_HANDLE");
    return at->second;
  }

  // Variable v's state tensor, made the first time the main subgraph names
  // it: it starts at what the init subgraph assigns, else at the byte
  // TensorFlow Lite Micro sets it to.
  tensor_id state_of(int v) {
    variable& x = variables_[static_cast<std::size_t>(v)];
    if (x.state >= 0) return {x.state};
    std::vector<std::uint8_t> bytes = x.initial;
    if (bytes.empty() && x.fill != initial_state_byte(x.spec)) bytes.assign(x.spec.bytes(), x.fill);
    constant initial{};
    if (!bytes.empty()) {
      auto data = std::make_unique<constant_data>();
      data->name = "variable" + std::to_string(v) + "_initial";
      const auto n = static_cast<std::size_t>(x.spec.dims.elements());
      initial.spec = x.spec;
      initial.provided = static_cast<std::int64_t>(n);
      if (x.spec.type == dtype::int8) {
        data->i8.resize(n);
        std::memcpy(data->i8.data(), bytes.data(), bytes.size());
        initial.i8 = data->i8.data();
      } else if (x.spec.type == dtype::int16) {
        data->i16.resize(n);
        std::memcpy(data->i16.data(), bytes.data(), bytes.size());
        initial.i16 = data->i16.data();
      } else {
        data->f32.resize(n);
        std::memcpy(data->f32.data(), bytes.data(), bytes.size());
        initial.f32 = data->f32.data();
      }
      out_.constants.push_back(std::move(data));
    }
    const tensor_id t = graph().state(x.spec, initial);
    if (!t.valid()) fail("variable '" + comment_text(x.shared_name) + "': " + message(graph().err));
    x.state = t.index;
    if (out_.tensor_names.size() <= static_cast<std::size_t>(t.index)) {
      out_.tensor_names.resize(static_cast<std::size_t>(t.index) + 1);
      out_.source_tensor.resize(static_cast<std::size_t>(t.index) + 1, -1);
    }
    out_.tensor_names[static_cast<std::size_t>(t.index)] = "variable " + x.shared_name;
    out_.source_tensor[static_cast<std::size_t>(t.index)] = -1;
    return t;
  }

  // The variable of the main subgraph's resource operand `r`, which must
  // have been assigned somewhere (TensorFlow Lite Micro aborts on reading a
  // variable no ASSIGN_VARIABLE prepared).
  tensor_id assigned_variable(int r) {
    const int v = variable_at(0, r);
    if (!variables_[static_cast<std::size_t>(v)].allocated)
      fail("reads variable '" + comment_text(variables_[static_cast<std::size_t>(v)].shared_name) +
           "', which no ASSIGN_VARIABLE of the model assigns; TensorFlow Lite Micro aborts");
    return state_of(v);
  }

  // READ_VARIABLE: a copy of the variable, in its output's quantization.
  tensor_id read_variable(const operator_input& in) {
    if (in.ins.size() != 1) fail("has " + std::to_string(in.ins.size()) + " inputs; READ_VARIABLE takes one");
    const tensor_id v = assigned_variable(in.input_at(0));
    if (graph().spec(v.index).bytes() != tensor_spec{activation_type(in.out), to_shape(in.out_dims), {}}.bytes())
      fail("reads " + std::to_string(graph().spec(v.index).bytes()) + " bytes of variable into " +
           tensor_label(in.out) + "; TensorFlow Lite Micro aborts on another byte count");
    return graph().apply<ops::variable_op>({v}, {false}, in.out_q);
  }

  // ASSIGN_VARIABLE (no output): the variable takes the value. VAR_HANDLE
  // and CALL_ONCE make no operator (resolve_variables read them).
  void add_resource_operator(const operator_input& in, int code) {
    if (code != tflite::BuiltinOperator_ASSIGN_VARIABLE) return;
    const tensor_id v = assigned_variable(in.input_at(0));
    const tensor_id x = activation_input(in.input_at(1));
    if (!graph().apply<ops::variable_op>({v, x}, {true}).valid()) fail(message(graph().err));
  }

  // weft's TensorFlow Lite mapping: the builtin operators it reads, each
  // with its reader.
  struct mapping {
    tflite::BuiltinOperator code;
    op kind;
    std::variant<operator_reader, outputs_reader> read;
  };
  static constexpr mapping mappings[] = {
      {tflite::BuiltinOperator_CONV_2D, op::conv2d, &reader::read_conv2d},
      {tflite::BuiltinOperator_DEPTHWISE_CONV_2D, op::depthwise_conv2d, &reader::read_depthwise_conv2d},
      {tflite::BuiltinOperator_FULLY_CONNECTED, op::fully_connected, &reader::read_fully_connected},
      {tflite::BuiltinOperator_AVERAGE_POOL_2D, op::average_pool2d, &reader::read_average_pool2d},
      {tflite::BuiltinOperator_MAX_POOL_2D, op::max_pool2d, &reader::read_max_pool2d},
      {tflite::BuiltinOperator_ADD, op::add, &reader::read_add},
      {tflite::BuiltinOperator_SOFTMAX, op::softmax, &reader::read_softmax},
      {tflite::BuiltinOperator_RESHAPE, op::reshape, &reader::read_reshape},
      {tflite::BuiltinOperator_PAD, op::pad, &reader::read_pad},
      {tflite::BuiltinOperator_PADV2, op::pad, &reader::read_pad},
      {tflite::BuiltinOperator_TRANSPOSE, op::transpose, &reader::read_transpose},
      {tflite::BuiltinOperator_QUANTIZE, op::quantize, &reader::read_quantize},
      {tflite::BuiltinOperator_DEQUANTIZE, op::dequantize, &reader::read_unary<ops::dequantize_op>},
      {tflite::BuiltinOperator_MEAN, op::mean, &reader::read_reduce<ops::mean_op>},
      {tflite::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR, op::resize_nearest_neighbor,
       &reader::read_resize_nearest_neighbor},
      {tflite::BuiltinOperator_MUL, op::mul, &reader::read_mul},
      {tflite::BuiltinOperator_SUB, op::sub, &reader::read_sub},
      {tflite::BuiltinOperator_DIV, op::div, &reader::read_div},
      {tflite::BuiltinOperator_SQUARED_DIFFERENCE, op::squared_difference, &reader::read_squared_difference},
      {tflite::BuiltinOperator_MAXIMUM, op::maximum, &reader::read_maximum},
      {tflite::BuiltinOperator_MINIMUM, op::minimum, &reader::read_minimum},
      {tflite::BuiltinOperator_RELU, op::relu, &reader::read_unary<ops::relu_op>},
      {tflite::BuiltinOperator_RELU6, op::relu6, &reader::read_unary<ops::relu6_op>},
      {tflite::BuiltinOperator_LEAKY_RELU, op::leaky_relu, &reader::read_leaky_relu},
      {tflite::BuiltinOperator_LOGISTIC, op::logistic, &reader::read_unary<ops::logistic_op>},
      {tflite::BuiltinOperator_TANH, op::tanh, &reader::read_unary<ops::tanh_op>},
      {tflite::BuiltinOperator_HARD_SWISH, op::hard_swish, &reader::read_unary<ops::hard_swish_op>},
      {tflite::BuiltinOperator_ELU, op::elu, &reader::read_unary<ops::elu_op>},
      {tflite::BuiltinOperator_ABS, op::abs, &reader::read_unary<ops::abs_op>},
      {tflite::BuiltinOperator_NEG, op::neg, &reader::read_unary<ops::neg_op>},
      {tflite::BuiltinOperator_SQRT, op::sqrt, &reader::read_unary<ops::sqrt_op>},
      {tflite::BuiltinOperator_RSQRT, op::rsqrt, &reader::read_unary<ops::rsqrt_op>},
      {tflite::BuiltinOperator_SQUARE, op::square, &reader::read_unary<ops::square_op>},
      {tflite::BuiltinOperator_EXP, op::exp, &reader::read_unary<ops::exp_op>},
      {tflite::BuiltinOperator_LOG, op::log, &reader::read_unary<ops::log_op>},
      {tflite::BuiltinOperator_SIN, op::sin, &reader::read_unary<ops::sin_op>},
      {tflite::BuiltinOperator_COS, op::cos, &reader::read_unary<ops::cos_op>},
      {tflite::BuiltinOperator_FLOOR, op::floor, &reader::read_unary<ops::floor_op>},
      {tflite::BuiltinOperator_CEIL, op::ceil, &reader::read_unary<ops::ceil_op>},
      {tflite::BuiltinOperator_ROUND, op::round, &reader::read_unary<ops::round_op>},
      {tflite::BuiltinOperator_CAST, op::cast, &reader::read_cast},
      {tflite::BuiltinOperator_SUM, op::sum, &reader::read_reduce<ops::sum_op>},
      {tflite::BuiltinOperator_REDUCE_MAX, op::reduce_max, &reader::read_reduce<ops::reduce_max_op>},
      {tflite::BuiltinOperator_ARG_MAX, op::arg_max, &reader::read_arg<ops::arg_max_op>},
      {tflite::BuiltinOperator_ARG_MIN, op::arg_min, &reader::read_arg<ops::arg_min_op>},
      {tflite::BuiltinOperator_GATHER, op::gather, &reader::read_gather},
      {tflite::BuiltinOperator_CONCATENATION, op::concatenation, &reader::read_concatenation},
      {tflite::BuiltinOperator_PACK, op::concatenation, &reader::read_pack},
      {tflite::BuiltinOperator_SLICE, op::slice, &reader::read_slice},
      {tflite::BuiltinOperator_STRIDED_SLICE, op::slice, &reader::read_strided_slice},
      {tflite::BuiltinOperator_SPLIT, op::slice, &reader::read_split},
      {tflite::BuiltinOperator_SPLIT_V, op::slice, &reader::read_split_v},
      {tflite::BuiltinOperator_UNPACK, op::slice, &reader::read_unpack},
      {tflite::BuiltinOperator_SQUEEZE, op::reshape, &reader::read_squeeze},
      {tflite::BuiltinOperator_EXPAND_DIMS, op::reshape, &reader::read_expand_dims},
      {tflite::BuiltinOperator_PRELU, op::prelu, &reader::read_prelu},
      {tflite::BuiltinOperator_RESIZE_BILINEAR, op::resize_bilinear, &reader::read_resize_bilinear},
      {tflite::BuiltinOperator_L2_POOL_2D, op::l2_pool2d, &reader::read_l2_pool2d},
      {tflite::BuiltinOperator_TRANSPOSE_CONV, op::transpose_conv, &reader::read_transpose_conv},
      {tflite::BuiltinOperator_DEPTH_TO_SPACE, op::depth_to_space, &reader::read_depth_to_space},
      {tflite::BuiltinOperator_SPACE_TO_DEPTH, op::space_to_depth, &reader::read_space_to_depth},
      {tflite::BuiltinOperator_MIRROR_PAD, op::mirror_pad, &reader::read_mirror_pad},
      {tflite::BuiltinOperator_SVDF, op::svdf, &reader::read_svdf},
      {tflite::BuiltinOperator_UNIDIRECTIONAL_SEQUENCE_LSTM, op::lstm, &reader::read_lstm},
      {tflite::BuiltinOperator_EMBEDDING_LOOKUP, op::gather, &reader::read_embedding_lookup},
      {tflite::BuiltinOperator_BATCH_MATMUL, op::batch_matmul, &reader::read_batch_matmul},
      // (VAR_HANDLE, ASSIGN_VARIABLE and CALL_ONCE have no output to read:
      // add_operator hands them to add_resource_operator.)
      {tflite::BuiltinOperator_VAR_HANDLE, op::variable, &reader::read_variable},
      {tflite::BuiltinOperator_READ_VARIABLE, op::variable, &reader::read_variable},
      {tflite::BuiltinOperator_ASSIGN_VARIABLE, op::variable, &reader::read_variable},
      {tflite::BuiltinOperator_CALL_ONCE, op::variable, &reader::read_variable},
  };

 public:
  static std::vector<std::pair<std::string, std::string>> supported() {
    std::vector<std::pair<std::string, std::string>> r;
    for (const mapping& m : mappings) r.emplace_back(builtin_name(m.code), name_of(m.kind));
    return r;
  }

 private:
  static const mapping* reader_for(int code) {
    for (const mapping& m : mappings)
      if (m.code == code) return &m;
    return nullptr;
  }

  // Operators whose output shape, or the shape they compute, depends on
  // run-time values: weft plans every shape at compile time.
  static bool computes_shapes(int code) {
    switch (code) {
      case tflite::BuiltinOperator_SHAPE:
      case tflite::BuiltinOperator_FILL:
      case tflite::BuiltinOperator_RANGE:
      case tflite::BuiltinOperator_BROADCAST_ARGS:
      case tflite::BuiltinOperator_WHERE:
      case tflite::BuiltinOperator_UNIQUE:
      case tflite::BuiltinOperator_NON_MAX_SUPPRESSION_V4:
      case tflite::BuiltinOperator_NON_MAX_SUPPRESSION_V5:
        return true;
      default:
        return false;
    }
  }

  // Operators TensorFlow Lite Micro has no kernel for: weft, bit-exact with
  // it, has no reference to match.
  static bool micro_lacks(int code) {
    return code == tflite::BuiltinOperator_RELU_N1_TO_1 || code == tflite::BuiltinOperator_RELU_0_TO_1;
  }

  tool_graph& graph() { return *out_.graph; }
  const tool_graph& graph() const { return *out_.graph; }

  // The builtin code of operator `index`, after checking its opcode index.
  int code_of(int index, const tflite::Operator* o) const {
    const auto* codes = model_->operator_codes();
    if (codes == nullptr || o->opcode_index() >= codes->size())
      throw input_error("operator " + std::to_string(index) + ": opcode index " + std::to_string(o->opcode_index()) +
                        " is out of range");
    const auto* oc = codes->Get(o->opcode_index());
    return std::max<int>(oc->deprecated_builtin_code(), oc->builtin_code());
  }

  // Every operator weft cannot read, all at once: one line per kind, with
  // the operators' indices, so a user learns the whole gap in one run.
  void check_operators_known(const flatbuffers::Vector<flatbuffers::Offset<tflite::Operator>>& ops) const {
    std::vector<std::string> kinds;       // in order of first appearance
    std::vector<std::vector<int>> where;  // per kind
    std::vector<std::string> why;         // per kind
    for (flatbuffers::uoffset_t i = 0; i < ops.size(); ++i) {
      const int index = static_cast<int>(i);
      const tflite::Operator* o = ops.Get(i);
      const int code = code_of(index, o);
      std::string kind, reason;
      if (code == tflite::BuiltinOperator_CUSTOM) {
        const auto* oc = model_->operator_codes()->Get(o->opcode_index());
        kind = "custom operator " + cpp_string_literal(oc->custom_code() ? oc->custom_code()->str() : std::string());
      } else if (computes_shapes(code)) {
        kind = builtin_name(code);
        reason = ": it computes shapes at run time, and weft plans every shape when it compiles the model";
      } else if (code == tflite::BuiltinOperator_RESHAPE && o->inputs() != nullptr && o->inputs()->size() >= 2 &&
                 o->inputs()->Get(1) >= 0 && static_cast<std::size_t>(o->inputs()->Get(1)) < sg_->tensors()->size() &&
                 !is_constant(o->inputs()->Get(1))) {
        kind = "RESHAPE to a shape computed at run time";
        reason = ": weft plans every shape when it compiles the model (a constant new shape is supported)";
      } else if (micro_lacks(code)) {
        kind = builtin_name(code);
        reason = ": TensorFlow Lite Micro has no kernel for it, so weft has none to match";
      } else if (reader_for(code) == nullptr) {
        kind = builtin_name(code);
      } else {
        continue;
      }
      const auto at = std::find(kinds.begin(), kinds.end(), kind);
      if (at == kinds.end()) {
        kinds.push_back(kind);
        where.push_back({index});
        why.push_back(reason);
      } else {
        where[static_cast<std::size_t>(at - kinds.begin())].push_back(index);
      }
    }
    if (kinds.empty()) return;
    std::string m;
    for (std::size_t k = 0; k < kinds.size(); ++k) {
      m += (k ? "\n" : "") + kinds[k] + " is not supported (" +
           (where[k].size() == 1 ? "operator " : std::to_string(where[k].size()) + " operators: ");
      for (std::size_t j = 0; j < where[k].size(); ++j) m += (j ? ", " : "") + std::to_string(where[k][j]);
      m += ")" + why[k];
    }
    throw input_error(m);
  }

  void add_operator(int index, const tflite::Operator* o) {
    const int code = code_of(index, o);
    const std::string name = builtin_name(code);
    context_ = "operator " + std::to_string(index) + " (" + name + "): ";
    const mapping* read = reader_for(code);
    if (read == nullptr) fail("is not supported");  // check_operators_known ran before

    operator_input in{o, index, -1, {}, {}, {}, this, {}, {}};
    if (o->inputs() != nullptr)
      for (auto i : *o->inputs()) in.ins.push_back(i < 0 ? -1 : checked_tensor(i));
    if (o->outputs() != nullptr)
      for (auto i : *o->outputs()) in.outs.push_back(checked_tensor(i));
    if (code == tflite::BuiltinOperator_VAR_HANDLE || code == tflite::BuiltinOperator_ASSIGN_VARIABLE ||
        code == tflite::BuiltinOperator_CALL_ONCE) {
      const int first = graph().node_count;
      add_resource_operator(in, code);
      for (int i = first; i < graph().node_count; ++i) {
        out_.op_names.push_back(name);
        out_.source_op.push_back(index);
        out_.source_output.push_back(internal_output);
      }
      context_.clear();
      return;
    }
    if (in.outs.empty()) fail("has no output");
    const auto* one = std::get_if<operator_reader>(&read->read);
    if (one != nullptr && in.outs.size() != 1) fail("has " + std::to_string(in.outs.size()) + " outputs; it has one");
    for (std::size_t k = 0; k < in.outs.size(); ++k) {
      const int out = in.outs[k];
      if (const int id = weft_id_[static_cast<std::size_t>(out)]; id >= 0)
        fail("writes tensor " + tensor_label(out) +
             (graph().is_model_input(id) ? ", a model input" : ", which is already written"));
      if (is_constant(out)) fail("writes the constant tensor " + tensor_label(out));
      if (std::find(in.outs.begin(), in.outs.begin() + static_cast<std::ptrdiff_t>(k), out) !=
          in.outs.begin() + static_cast<std::ptrdiff_t>(k))
        fail("writes tensor " + tensor_label(out) + " twice");
      in.outs_dims.push_back(dims(out));
    }
    in.out = in.outs[0];
    in.out_dims = in.outs_dims[0];
    in.out_q = quant_of(in.out, activation_type(in.out));

    tool_graph& g = graph();
    const int first_node = g.node_count;
    folded_ = false;
    std::vector<tensor_id> ys;
    if (one != nullptr) {
      ys.push_back((this->*(*one))(in));
    } else {
      ys = (this->*std::get<outputs_reader>(read->read))(in);
    }
    if (folded_) {  // nothing to run: the next operator does it
      out_.notes.push_back("operator " + std::to_string(index) + " (" + name +
                           ") is folded into the padding of operator " + std::to_string(consumers(in.out).front()));
      context_.clear();
      return;
    }
    for (const tensor_id y : ys)
      if (!y.valid()) fail(message(g.err));
    if (ys.size() != in.outs.size()) fail("weft made " + std::to_string(ys.size()) + " outputs");  // a reader's bug
    const bool several = in.outs.size() > 1;
    for (std::size_t k = 0; k < in.outs.size(); ++k) {
      const int out = in.outs[k];
      const std::string which = several ? "output " + std::to_string(k) : "its output";
      const tensor_spec& got = g.spec(ys[k].index);
      const auto& want_dims = in.outs_dims[k];
      const dtype out_type = activation_type(out);
      const quantization out_q = quant_of(out, out_type);
      if (!(got.dims == to_shape(want_dims)))
        fail("the model gives " + which + " the shape " + shape_text(want_dims) + ", weft infers " +
             shape_text(got.dims));
      if (got.type != out_type)
        fail("the model gives " + which + " dtype " + std::string(name_of(out_type)) + ", weft infers " +
             name_of(got.type));
      if ((out_type == dtype::int8 || out_type == dtype::int16) &&
          (got.quant.scale != out_q.scale || got.quant.zero_point != out_q.zero_point)) {
        std::ostringstream m;
        m << (several ? which : std::string("its output")) << " quantization (scale " << out_q.scale << ", zero point "
          << out_q.zero_point << ") differs from what weft's "
          << (g.producer[static_cast<std::size_t>(ys[k].index)] >= 0
                  ? name_of(g.at(g.producer[static_cast<std::size_t>(ys[k].index)]).kind)
                  : "operator")
          << " produces (scale " << got.quant.scale << ", zero point " << got.quant.zero_point << ")";
        fail(m.str());
      }
      map_tensor(out, ys[k].index);
    }
    // Every weft operator made for this one names it; the one writing
    // output k (of several) is output k, the others (the views a PACK
    // makes of its inputs) write no TFLite tensor.
    for (int i = first_node; i < g.node_count; ++i) {
      int source_output = internal_output;
      for (std::size_t k = 0; k < ys.size(); ++k)
        if (g.at(i).output == ys[k].index) source_output = several ? static_cast<int>(k) : sole_output;
      out_.op_names.push_back(name);
      out_.source_op.push_back(index);
      out_.source_output.push_back(source_output);
    }
    context_.clear();
  }
};

}  // namespace

std::string builtin_name(int code) {
  const char* name = code >= tflite::BuiltinOperator_MIN && code <= tflite::BuiltinOperator_MAX
                         ? tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code))
                         : "";
  return name != nullptr && *name != '\0' ? std::string(name) : "BUILTIN_" + std::to_string(code);
}

imported_model import_tflite(std::span<const std::uint8_t> bytes) { return reader(bytes).run(); }

std::vector<std::pair<std::string, std::string>> supported_operators() { return reader::supported(); }

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error("cannot open '" + path + "'");
  std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw input_error("cannot read '" + path + "'");
  return data;
}

}  // namespace weft::tool
