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
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

namespace weft::tool {
namespace {

// TensorFlow Lite's BuiltinOperator codes, by value (schema facts).
constexpr std::array<const char*, 210> builtin_names = {"ADD",
                                                        "AVERAGE_POOL_2D",
                                                        "CONCATENATION",
                                                        "CONV_2D",
                                                        "DEPTHWISE_CONV_2D",
                                                        "DEPTH_TO_SPACE",
                                                        "DEQUANTIZE",
                                                        "EMBEDDING_LOOKUP",
                                                        "FLOOR",
                                                        "FULLY_CONNECTED",
                                                        "HASHTABLE_LOOKUP",
                                                        "L2_NORMALIZATION",
                                                        "L2_POOL_2D",
                                                        "LOCAL_RESPONSE_NORMALIZATION",
                                                        "LOGISTIC",
                                                        "LSH_PROJECTION",
                                                        "LSTM",
                                                        "MAX_POOL_2D",
                                                        "MUL",
                                                        "RELU",
                                                        "RELU_N1_TO_1",
                                                        "RELU6",
                                                        "RESHAPE",
                                                        "RESIZE_BILINEAR",
                                                        "RNN",
                                                        "SOFTMAX",
                                                        "SPACE_TO_DEPTH",
                                                        "SVDF",
                                                        "TANH",
                                                        "CONCAT_EMBEDDINGS",
                                                        "SKIP_GRAM",
                                                        "CALL",
                                                        "CUSTOM",
                                                        "EMBEDDING_LOOKUP_SPARSE",
                                                        "PAD",
                                                        "UNIDIRECTIONAL_SEQUENCE_RNN",
                                                        "GATHER",
                                                        "BATCH_TO_SPACE_ND",
                                                        "SPACE_TO_BATCH_ND",
                                                        "TRANSPOSE",
                                                        "MEAN",
                                                        "SUB",
                                                        "DIV",
                                                        "SQUEEZE",
                                                        "UNIDIRECTIONAL_SEQUENCE_LSTM",
                                                        "STRIDED_SLICE",
                                                        "BIDIRECTIONAL_SEQUENCE_RNN",
                                                        "EXP",
                                                        "TOPK_V2",
                                                        "SPLIT",
                                                        "LOG_SOFTMAX",
                                                        "DELEGATE",
                                                        "BIDIRECTIONAL_SEQUENCE_LSTM",
                                                        "CAST",
                                                        "PRELU",
                                                        "MAXIMUM",
                                                        "ARG_MAX",
                                                        "MINIMUM",
                                                        "LESS",
                                                        "NEG",
                                                        "PADV2",
                                                        "GREATER",
                                                        "GREATER_EQUAL",
                                                        "LESS_EQUAL",
                                                        "SELECT",
                                                        "SLICE",
                                                        "SIN",
                                                        "TRANSPOSE_CONV",
                                                        "SPARSE_TO_DENSE",
                                                        "TILE",
                                                        "EXPAND_DIMS",
                                                        "EQUAL",
                                                        "NOT_EQUAL",
                                                        "LOG",
                                                        "SUM",
                                                        "SQRT",
                                                        "RSQRT",
                                                        "SHAPE",
                                                        "POW",
                                                        "ARG_MIN",
                                                        "FAKE_QUANT",
                                                        "REDUCE_PROD",
                                                        "REDUCE_MAX",
                                                        "PACK",
                                                        "LOGICAL_OR",
                                                        "ONE_HOT",
                                                        "LOGICAL_AND",
                                                        "LOGICAL_NOT",
                                                        "UNPACK",
                                                        "REDUCE_MIN",
                                                        "FLOOR_DIV",
                                                        "REDUCE_ANY",
                                                        "SQUARE",
                                                        "ZEROS_LIKE",
                                                        "FILL",
                                                        "FLOOR_MOD",
                                                        "RANGE",
                                                        "RESIZE_NEAREST_NEIGHBOR",
                                                        "LEAKY_RELU",
                                                        "SQUARED_DIFFERENCE",
                                                        "MIRROR_PAD",
                                                        "ABS",
                                                        "SPLIT_V",
                                                        "UNIQUE",
                                                        "CEIL",
                                                        "REVERSE_V2",
                                                        "ADD_N",
                                                        "GATHER_ND",
                                                        "COS",
                                                        "WHERE",
                                                        "RANK",
                                                        "ELU",
                                                        "REVERSE_SEQUENCE",
                                                        "MATRIX_DIAG",
                                                        "QUANTIZE",
                                                        "MATRIX_SET_DIAG",
                                                        "ROUND",
                                                        "HARD_SWISH",
                                                        "IF",
                                                        "WHILE",
                                                        "NON_MAX_SUPPRESSION_V4",
                                                        "NON_MAX_SUPPRESSION_V5",
                                                        "SCATTER_ND",
                                                        "SELECT_V2",
                                                        "DENSIFY",
                                                        "SEGMENT_SUM",
                                                        "BATCH_MATMUL",
                                                        "PLACEHOLDER_FOR_GREATER_OP_CODES",
                                                        "CUMSUM",
                                                        "CALL_ONCE",
                                                        "BROADCAST_TO",
                                                        "RFFT2D",
                                                        "CONV_3D",
                                                        "IMAG",
                                                        "REAL",
                                                        "COMPLEX_ABS",
                                                        "HASHTABLE",
                                                        "HASHTABLE_FIND",
                                                        "HASHTABLE_IMPORT",
                                                        "HASHTABLE_SIZE",
                                                        "REDUCE_ALL",
                                                        "CONV_3D_TRANSPOSE",
                                                        "VAR_HANDLE",
                                                        "READ_VARIABLE",
                                                        "ASSIGN_VARIABLE",
                                                        "BROADCAST_ARGS",
                                                        "RANDOM_STANDARD_NORMAL",
                                                        "BUCKETIZE",
                                                        "RANDOM_UNIFORM",
                                                        "MULTINOMIAL",
                                                        "GELU",
                                                        "DYNAMIC_UPDATE_SLICE",
                                                        "RELU_0_TO_1",
                                                        "UNSORTED_SEGMENT_PROD",
                                                        "UNSORTED_SEGMENT_MAX",
                                                        "UNSORTED_SEGMENT_SUM",
                                                        "ATAN2",
                                                        "UNSORTED_SEGMENT_MIN",
                                                        "SIGN",
                                                        "BITCAST",
                                                        "BITWISE_XOR",
                                                        "RIGHT_SHIFT",
                                                        "STABLEHLO_LOGISTIC",
                                                        "STABLEHLO_ADD",
                                                        "STABLEHLO_DIVIDE",
                                                        "STABLEHLO_MULTIPLY",
                                                        "STABLEHLO_MAXIMUM",
                                                        "STABLEHLO_RESHAPE",
                                                        "STABLEHLO_CLAMP",
                                                        "STABLEHLO_CONCATENATE",
                                                        "STABLEHLO_BROADCAST_IN_DIM",
                                                        "STABLEHLO_CONVOLUTION",
                                                        "STABLEHLO_SLICE",
                                                        "STABLEHLO_CUSTOM_CALL",
                                                        "STABLEHLO_REDUCE",
                                                        "STABLEHLO_ABS",
                                                        "STABLEHLO_AND",
                                                        "STABLEHLO_COSINE",
                                                        "STABLEHLO_EXPONENTIAL",
                                                        "STABLEHLO_FLOOR",
                                                        "STABLEHLO_LOG",
                                                        "STABLEHLO_MINIMUM",
                                                        "STABLEHLO_NEGATE",
                                                        "STABLEHLO_OR",
                                                        "STABLEHLO_POWER",
                                                        "STABLEHLO_REMAINDER",
                                                        "STABLEHLO_RSQRT",
                                                        "STABLEHLO_SELECT",
                                                        "STABLEHLO_SUBTRACT",
                                                        "STABLEHLO_TANH",
                                                        "STABLEHLO_SCATTER",
                                                        "STABLEHLO_COMPARE",
                                                        "STABLEHLO_CONVERT",
                                                        "STABLEHLO_DYNAMIC_SLICE",
                                                        "STABLEHLO_DYNAMIC_UPDATE_SLICE",
                                                        "STABLEHLO_PAD",
                                                        "STABLEHLO_IOTA",
                                                        "STABLEHLO_DOT_GENERAL",
                                                        "STABLEHLO_REDUCE_WINDOW",
                                                        "STABLEHLO_SORT",
                                                        "STABLEHLO_WHILE",
                                                        "STABLEHLO_GATHER",
                                                        "STABLEHLO_TRANSPOSE",
                                                        "DILATE",
                                                        "STABLEHLO_RNG_BIT_GENERATOR",
                                                        "REDUCE_WINDOW"};

enum builtin : int {
  add_code = 0,
  average_pool_code = 1,
  conv_code = 3,
  depthwise_code = 4,
  fully_connected_code = 9,
  max_pool_code = 17,
  reshape_code = 22,
  softmax_code = 25,
  custom_code = 32,
};

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
    if (subgraphs->size() > 1)
      fail("the model has " + std::to_string(subgraphs->size()) +
           " subgraphs; weft runs models with exactly one (no control flow)");
    sg_ = subgraphs->Get(0);
    if (sg_->tensors() == nullptr || sg_->tensors()->size() == 0) fail("the subgraph has no tensors");
    weft_id_.assign(sg_->tensors()->size(), -1);
    if (model_->description() != nullptr) out_.description = model_->description()->str();

    const int input = single(sg_->inputs(), "input");
    const int output = single(sg_->outputs(), "output");
    add_input(input);
    const auto* ops = sg_->operators();
    if (ops == nullptr || ops->size() == 0) fail("the model has no operators");
    if (ops->size() > static_cast<std::size_t>(max_operators))
      fail("the model has " + std::to_string(ops->size()) + " operators; weft reads at most " +
           std::to_string(max_operators));
    for (flatbuffers::uoffset_t i = 0; i < ops->size(); ++i) add_operator(static_cast<int>(i), ops->Get(i));
    if (weft_id_[static_cast<std::size_t>(output)] < 0)
      fail("the model's output tensor " + tensor_label(output) + " is not written by any operator");
    out_.graph->output({weft_id_[static_cast<std::size_t>(output)]});
    if (error e = out_.graph->check(); e != error::none) fail(std::string(message(e)));
    return std::move(out_);
  }

 private:
  std::span<const std::uint8_t> file_;
  const tflite::Model* model_ = nullptr;
  const tflite::SubGraph* sg_ = nullptr;
  std::vector<int> weft_id_;  // .tflite tensor index -> weft tensor id
  std::string context_;       // "operator 3 (CONV_2D): " while reading one
  imported_model out_;

  [[noreturn]] void fail(const std::string& what) const { throw input_error(context_ + what); }

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

  int single(const flatbuffers::Vector<std::int32_t>* v, const char* what) {
    if (v == nullptr || v->size() != 1)
      fail(std::string("the model has ") + std::to_string(v ? v->size() : 0) + " " + what +
           " tensors; weft models have exactly one");
    return checked_tensor(v->Get(0));
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

  std::vector<int> dims(int index) const {
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
    if (s.empty() || s.size() > static_cast<std::size_t>(max_rank))
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
    const std::string extra = t == tflite::TensorType_INT16 ? " (int16 activations are not supported)" : "";
    fail("tensor " + tensor_label(index) + " has dtype " + type_name(t) + "; weft activations are int8 or float32" +
         extra);
  }

  // Element i of an int64 vector (zero points). The verifier checks that a
  // vector's length field is 4-aligned, not that 8-byte elements are, so a
  // corrupt file can misalign them: read the bytes, never an int64 lvalue.
  static std::int64_t element(const flatbuffers::Vector<std::int64_t>* v, flatbuffers::uoffset_t i) {
    std::int64_t x = 0;
    std::memcpy(&x, v->Data() + static_cast<std::size_t>(i) * sizeof x, sizeof x);
    return flatbuffers::EndianScalar(x);
  }

  // Per-tensor (scale, zero point) of an int8 activation.
  quantization activation_quant(int index) const {
    const auto* q = tensor(index)->quantization();
    if (q == nullptr || q->scale() == nullptr || q->scale()->size() != 1 || q->zero_point() == nullptr ||
        q->zero_point()->size() != 1)
      fail("int8 tensor " + tensor_label(index) + " needs one scale and one zero point");
    const std::int64_t zp = element(q->zero_point(), 0);
    if (zp < -128 || zp > 127)
      fail("tensor " + tensor_label(index) + " has zero point " + std::to_string(zp) + ", outside int8");
    return {q->scale()->Get(0), static_cast<std::int32_t>(zp)};
  }

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
    tensor_spec spec{type, to_shape(s), type == dtype::int8 ? activation_quant(index) : quantization{}};
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

  tensor_id activation_input(int tflite_index) const {
    const int id = weft_id_[static_cast<std::size_t>(tflite_index)];
    if (id < 0)
      fail("reads tensor " + tensor_label(tflite_index) +
           (is_constant(tflite_index) ? ", a constant where weft expects an activation"
                                      : ", which neither the model input nor an earlier operator provides"));
    return {id};
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
    if (type == tflite::TensorType_INT8 && activations == dtype::int8) {
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
           " activations; weft supports int8 weights with int8 activations and float32 with float32" +
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
    if (type == tflite::TensorType_INT32 && activations == dtype::int8) {
      data->i32 = copy_data<std::int32_t>(index, n);
      c.spec.type = dtype::int32;
      c.i32 = data->i32.data();
    } else if (type == tflite::TensorType_FLOAT32 && activations == dtype::float32) {
      data->f32 = copy_data<float>(index, n);
      c.spec.type = dtype::float32;
      c.f32 = data->f32.data();
    } else {
      fail("bias tensor " + tensor_label(index) + " has dtype " + type_name(type) +
           "; weft needs int32 biases for int8 layers and float32 for float32 layers");
    }
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

  void add_operator(int index, const tflite::Operator* o) {
    const auto* codes = model_->operator_codes();
    if (codes == nullptr || o->opcode_index() >= codes->size())
      throw input_error("operator " + std::to_string(index) + ": opcode index " + std::to_string(o->opcode_index()) +
                        " is out of range");
    const auto* oc = codes->Get(o->opcode_index());
    const int code = std::max<int>(oc->deprecated_builtin_code(), oc->builtin_code());
    const std::string name = builtin_name(code);
    context_ = "operator " + std::to_string(index) + " (" + name + "): ";
    if (code == custom_code)
      fail("custom operator '" + (oc->custom_code() ? oc->custom_code()->str() : std::string()) + "' is not supported");

    std::vector<int> ins, outs;
    if (o->inputs() != nullptr)
      for (auto i : *o->inputs()) ins.push_back(i < 0 ? -1 : checked_tensor(i));
    if (o->outputs() != nullptr)
      for (auto i : *o->outputs()) outs.push_back(checked_tensor(i));
    if (outs.size() != 1) fail("has " + std::to_string(outs.size()) + " outputs; weft operators have one");
    const int out = outs[0];
    if (weft_id_[static_cast<std::size_t>(out)] >= 0)
      fail("writes tensor " + tensor_label(out) + ", which is already written");
    if (is_constant(out)) fail("writes the constant tensor " + tensor_label(out));
    const auto out_dims = dims(out);
    const dtype out_type = activation_type(out);
    const quantization out_q = out_type == dtype::int8 ? activation_quant(out) : quantization{};
    auto input_at = [&](std::size_t k) {
      if (k >= ins.size() || ins[k] < 0) fail("input " + std::to_string(k) + " is missing");
      return ins[k];
    };
    auto optional_at = [&](std::size_t k) { return k < ins.size() ? ins[k] : -1; };
    auto bad = [this](const std::string& m) { fail(m); };

    tool_graph& g = *out_.graph;
    tensor_id y{};
    switch (code) {
      case conv_code: {
        const auto* opt = o->builtin_options_as_Conv2DOptions();
        if (opt == nullptr) fail("its Conv2DOptions are missing");
        const tensor_id x = activation_input(input_at(0));
        const dtype t = g.spec(x.index).type;
        conv2d_options c{{opt->stride_h(), opt->stride_w()},
                         {opt->dilation_h_factor(), opt->dilation_w_factor()},
                         pad(opt->padding()),
                         act(opt->fused_activation_function(), bad)};
        y = g.conv2d(x, c, weights(input_at(1), index, "weights", t, 0), bias(optional_at(2), index, t), out_q);
        break;
      }
      case depthwise_code: {
        const auto* opt = o->builtin_options_as_DepthwiseConv2DOptions();
        if (opt == nullptr) fail("its DepthwiseConv2DOptions are missing");
        const tensor_id x = activation_input(input_at(0));
        const dtype t = g.spec(x.index).type;
        const constant w = weights(input_at(1), index, "weights", t, 3);
        int multiplier = opt->depth_multiplier();
        const int in_c = g.spec(x.index).dims.back();
        if (multiplier <= 0 && in_c > 0) multiplier = w.spec.dims.back() / in_c;  // newer converters leave it 0
        depthwise_conv2d_options d{{opt->stride_h(), opt->stride_w()},
                                   {opt->dilation_h_factor(), opt->dilation_w_factor()},
                                   pad(opt->padding()),
                                   act(opt->fused_activation_function(), bad),
                                   multiplier};
        y = g.depthwise_conv2d(x, d, w, bias(optional_at(2), index, t), out_q);
        break;
      }
      case fully_connected_code: {
        const auto* opt = o->builtin_options_as_FullyConnectedOptions();
        fully_connected_options f{};
        if (opt != nullptr) {
          if (opt->weights_format() != tflite::FullyConnectedOptionsWeightsFormat_DEFAULT)
            fail("shuffled weights are not supported");
          if (opt->asymmetric_quantize_inputs()) fail("hybrid (dynamic-range) quantization is not supported");
          f = {act(opt->fused_activation_function(), bad), opt->keep_num_dims()};
        }
        const tensor_id x = activation_input(input_at(0));
        const dtype t = g.spec(x.index).type;
        y = g.fully_connected(x, f, weights(input_at(1), index, "weights", t, 0), bias(optional_at(2), index, t),
                              out_q);
        break;
      }
      case average_pool_code:
      case max_pool_code: {
        const auto* opt = o->builtin_options_as_Pool2DOptions();
        if (opt == nullptr) fail("its Pool2DOptions are missing");
        pool2d_options p{{opt->filter_height(), opt->filter_width()},
                         {opt->stride_h(), opt->stride_w()},
                         pad(opt->padding()),
                         act(opt->fused_activation_function(), bad)};
        const tensor_id x = activation_input(input_at(0));
        y = code == max_pool_code ? g.max_pool2d(x, p) : g.average_pool2d(x, p);
        break;
      }
      case add_code: {
        const auto* opt = o->builtin_options_as_AddOptions();
        add_options a{};
        if (opt != nullptr) a.act = act(opt->fused_activation_function(), bad);
        y = g.add(activation_input(input_at(0)), activation_input(input_at(1)), a, out_q);
        break;
      }
      case softmax_code: {
        const auto* opt = o->builtin_options_as_SoftmaxOptions();
        softmax_options s{};
        s.beta = opt != nullptr ? opt->beta() : 0.0f;
        y = g.softmax(activation_input(input_at(0)), s);
        break;
      }
      case reshape_code:
        y = g.reshape(activation_input(input_at(0)), to_shape(out_dims));
        break;
      default:
        fail(
            "unsupported operator: weft supports CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, "
            "MAX_POOL_2D, ADD, SOFTMAX and RESHAPE");
    }
    if (!y.valid()) fail(message(g.err));
    const tensor_spec& got = g.spec(y.index);
    if (!(got.dims == to_shape(out_dims)))
      fail("the model gives its output the shape " + shape_text(out_dims) + ", weft infers " + shape_text(got.dims));
    if (got.type != out_type) fail("its output dtype differs from its input's");
    if (out_type == dtype::int8 && (got.quant.scale != out_q.scale || got.quant.zero_point != out_q.zero_point)) {
      std::ostringstream m;
      m << "its output quantization (scale " << out_q.scale << ", zero point " << out_q.zero_point
        << ") differs from what weft's " << name_of(g.at(index).kind) << " produces (scale " << got.quant.scale
        << ", zero point " << got.quant.zero_point << ")";
      fail(m.str());
    }
    map_tensor(out, y.index);
    out_.op_names.push_back(name);
    context_.clear();
  }
};

}  // namespace

std::string builtin_name(int code) {
  if (code >= 0 && static_cast<std::size_t>(code) < builtin_names.size())
    return builtin_names[static_cast<std::size_t>(code)];
  return "BUILTIN_" + std::to_string(code);
}

imported_model import_tflite(std::span<const std::uint8_t> bytes) { return reader(bytes).run(); }

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error("cannot open '" + path + "'");
  std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw input_error("cannot read '" + path + "'");
  return data;
}

}  // namespace weft::tool
