// SPDX-License-Identifier: Apache-2.0
// A .tflite model read into a weft::graph built at run time with the same
// builder a model type uses at compile time, plus what the tool needs to
// print and generate code: names, constants and the source operator codes.
#pragma once

#include <weft/weft.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace weft::tool {

/// Capacity of graphs the tool builds; larger models are refused.
inline constexpr int max_operators = 1024;
// Tensors: model inputs, constant operands and operator outputs.
using tool_graph = weft::graph<max_operators, 4 * max_operators>;

/// Bad input: the message names the problem (and the operator when there is
/// one). The tool prints it on one line and exits with status 2.
struct input_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A constant tensor's data, owned here; the graph's weft::constant points
/// into it.
struct constant_data {
  std::string name;  // C++ identifier used by the code generator
  std::vector<std::int8_t> i8;
  std::vector<std::int32_t> i32;
  std::vector<float> f32;
  std::vector<std::int16_t> i16;
  std::vector<std::int64_t> i64;
  std::vector<float> scales;  // per-channel weight scales, if any
};

/// imported_model::source_output of an operator writing the one output of
/// its .tflite operator, and of one writing none of its outputs.
inline constexpr int sole_output = -1;
inline constexpr int internal_output = -2;

struct imported_model {
  std::unique_ptr<tool_graph> graph = std::make_unique<tool_graph>();
  std::vector<std::unique_ptr<constant_data>> constants;
  std::vector<std::string> tensor_names;  // by weft tensor id
  std::vector<int> source_tensor;         // weft tensor id -> .tflite tensor index
  std::vector<std::string> op_names;      // by operator: the .tflite builtin name
  std::vector<int> source_op;             // by operator: its index in the .tflite
  // By operator: which output of its .tflite operator it writes (k for an
  // operator with several, sole_output, or internal_output for a view the
  // import adds on the way, which writes no .tflite tensor).
  std::vector<int> source_output;
  std::string description;
  std::vector<std::string> notes;  // what the import decided, for the user
  /// Model inputs whose values the model fixes and no operator reads: a
  /// TRANSPOSE_CONV's output_shape operand left as a model input (TFLite
  /// Micro ignores it and takes the output tensor's shape, as weft does).
  /// `weft run` checks that every record of input `input` holds `values`.
  struct fixed_input {
    int input = 0;                     // the model input's position
    std::vector<std::int32_t> values;  // what it must hold (int32)
    std::string what;                  // for the error message
  };
  std::vector<fixed_input> fixed_inputs;
};

/// Reads, verifies and converts a .tflite flatbuffer. Throws input_error.
imported_model import_tflite(std::span<const std::uint8_t> bytes);

/// The name of a TensorFlow Lite builtin operator code.
std::string builtin_name(int code);

/// The TensorFlow Lite builtin operators the reader maps to weft operators:
/// (builtin name, weft operator name), in the reader's order.
std::vector<std::pair<std::string, std::string>> supported_operators();

/// Reads a whole file; throws input_error when it cannot.
std::vector<std::uint8_t> read_file(const std::string& path);

}  // namespace weft::tool
