// SPDX-License-Identifier: Apache-2.0
// Every way a model description can be wrong, with the message a user sees.
// One list serves both the compile-time checks (static_assert messages, which
// C++20 only takes as literals, hence the list macro) and the host tool's
// run-time messages.
#pragma once

#include <cstdint>

// X(code, message): the message says what is wrong and how to fix it.
#define WEFT_ERRORS(X)                                                                                                 \
  X(none, "no error")                                                                                                  \
  X(too_many_nodes, "the model has more operators than the graph's capacity: raise N in weft::graph<N>")               \
  X(too_many_tensors,                                                                                                  \
    "the model has more tensors (inputs, constants, operator outputs) than the graph's capacity: raise T in "          \
    "weft::graph<N, T>")                                                                                               \
  X(no_input, "the graph has no input: call input(spec) before adding operators")                                      \
  X(too_many_inputs, "a model takes at most weft::max_model_inputs (8) input tensors")                                 \
  X(no_output, "the graph has no output: finish the description with output(x)")                                       \
  X(too_many_outputs, "a model gives at most weft::max_model_outputs (8) output tensors")                              \
  X(bad_output,                                                                                                        \
    "a model output must be a tensor an operator computes or a model input, and each may be named only once")          \
  X(bad_tensor,                                                                                                        \
    "an operator's input is not a tensor of this graph: pass a value returned by input(), constant() or an operator")  \
  X(bad_shape, "a tensor shape must have 1 to 4 dimensions, each at least 1")                                          \
  X(unsupported_dtype,                                                                                                 \
    "activations must be int8, int16 or float32 (int32 for indices: gather's positions, arg_max/arg_min's outputs)")   \
  X(bad_quantization, "an int8 tensor needs a positive finite scale and a zero point in [-128, 127]")                  \
  X(not_4d, "convolutions and pools take a 4-D NHWC input [batch, height, width, channels]")                           \
  X(bad_window, "strides, dilations, filter sizes and depth multipliers must be from 1 to 32767")                      \
  X(empty_output, "the output would be empty: the filter window is larger than the padded input")                      \
  X(missing_weights, "this operator needs weights: pass them as a weft::constant")                                     \
  X(weights_size, "a constant's array holds a different number of elements than its shape says")                       \
  X(weights_dtype, "weights must be int8 for an int8 input and float32 for a float32 input")                           \
  X(weights_zero_point, "int8 weights must be symmetric: their zero point must be 0")                                  \
  X(conv_weights_shape, "conv2d weights must be 4-D [out_channels, kernel_h, kernel_w, in_channels]")                  \
  X(conv_channels, "conv2d: the weights' last dimension (input channels) differs from the input's channel count")      \
  X(depthwise_weights_shape,                                                                                           \
    "depthwise_conv2d weights must be 4-D [1, kernel_h, kernel_w, channels * depth_multiplier]")                       \
  X(depthwise_channels,                                                                                                \
    "depthwise_conv2d: the weights' last dimension must equal input channels times depth_multiplier")                  \
  X(fc_weights_shape, "fully_connected weights must be 2-D [outputs, inputs]")                                         \
  X(fc_inputs, "fully_connected: the input's element count is not a multiple of the weights' input size")              \
  X(per_channel_scales,                                                                                                \
    "per-channel weight scales need one scale per output channel, along axis 0 (conv2d, fully_connected) or 3 "        \
    "(depthwise_conv2d)")                                                                                              \
  X(bias_shape, "the bias must be 1-D with one element per output channel")                                            \
  X(bias_dtype, "the bias must be int32 for an int8 layer and float32 for a float32 layer")                            \
  X(input_count, "an operator got a different number of inputs than it takes")                                         \
  X(bad_padding, "pad: paddings must be non-negative, one pair per input axis, and an int8 pad value must fit int8")   \
  X(bad_permutation, "transpose: perm must name every input axis exactly once")                                        \
  X(bad_axes, "a reduction names an axis the input does not have")                                                     \
  X(bad_size, "resize: the output height and width must be from 1 to 32767")                                           \
  X(broadcast_shapes,                                                                                                  \
    "an element-wise operator's inputs do not broadcast: aligned on their last axis, each pair of sizes must be "      \
    "equal or one of them 1")                                                                                          \
  X(binary_dtypes, "an element-wise operator's two inputs must have the same dtype")                                   \
  X(binary_quantization,                                                                                               \
    "maximum/minimum compare stored int8 values: both inputs and the output must have the same scale and zero point")  \
  X(reshape_elements, "reshape: the new shape must hold as many elements as the input")                                \
  X(softmax_beta, "softmax: beta must be a positive finite number, as TFLite's softmax kernels require")               \
  X(float_only, "this operator takes float32 only: TensorFlow Lite Micro has no int8 kernel for it")                   \
  X(logistic_zero_point, "logistic: an int8 output needs zero point -128, as TensorFlow Lite requires")                \
  X(scale_out_of_range,                                                                                                \
    "the scales of this layer give a requantization multiplier TFLite cannot represent (check the input, weight and "  \
    "output scales)")                                                                                                  \
  X(reduce_max_quantization,                                                                                           \
    "reduce_max compares stored int8 values: its output must have the input's scale and zero point, as TensorFlow "    \
    "Lite Micro requires")                                                                                             \
  X(arg_axis,                                                                                                          \
    "arg_max/arg_min: the axis must be one of the input's axes (negative counts from the last), and the input needs "  \
    "2 to 4 dimensions (the output drops the axis)")                                                                   \
  X(gather_axes,                                                                                                       \
    "gather: the axis must be an input axis, batch_dims at most the axis and the positions' rank and below the "       \
    "input's rank, the first batch_dims dimensions of input and positions equal, and the output at most 4-D")          \
  X(gather_positions, "gather: the positions must be int32 (TensorFlow Lite Micro refuses int64)")                     \
  X(gather_index, "gather: a constant position is outside the gathered axis (TensorFlow Lite Micro aborts on it)")     \
  X(int32_activation,                                                                                                  \
    "this operator does not take int32 activations (indices): only gather (its positions) and reshape read them; "     \
    "arg_max/arg_min's int32 outputs may also be model outputs")                                                       \
  X(bad_slice,                                                                                                         \
    "slice: along each input axis the count must be at least 1, the stride non-zero, and the first and last "          \
    "elements taken inside the axis; a dropped axis takes one element, and at least one axis stays")                   \
  X(concatenation_shapes,                                                                                              \
    "concatenation: the axis must be an axis of the inputs, and every input must have the same rank and the same "     \
    "sizes off the axis")                                                                                              \
  X(concatenation_quantization,                                                                                        \
    "concatenation: every int8 input must have the output's scale and zero point (TensorFlow Lite Micro copies the "   \
    "values, it does not requantize)")                                                                                 \
  X(bad_block_size,                                                                                                    \
    "depth_to_space / space_to_depth: the block size must be at least 1, and divide the channels by its square "       \
    "(depth_to_space) or the height and width (space_to_depth)")                                                       \
  X(mirror_padding,                                                                                                    \
    "mirror_pad: each padding amount must be at most the axis size (SYMMETRIC) or the axis size - 1 (REFLECT)")        \
  X(resize_align_and_half_pixel,                                                                                       \
    "resize_bilinear: align_corners and half_pixel_centers cannot both be set (TFLite Micro refuses it)")              \
  X(int16_activation, "this operator does not take int16 activations: weft has no int16 kernel for it")                \
  X(bad_int16_quantization, "an int16 tensor needs a positive finite scale and a zero point in [-32768, 32767]")       \
  X(int16_zero_point,                                                                                                  \
    "this int16 operator needs zero points of 0 (TFLite Micro refuses others in mul, squared_difference, "             \
    "concatenation, logistic, tanh, batch_matmul and abs, and aborts on others in a sub of inputs of one shape)")      \
  X(int16_sigmoid_scales,                                                                                              \
    "logistic / tanh (int16): the output scale must be 2^-15, and the input scale at most about 4/3 (TFLite Micro "    \
    "refuses other output scales and aborts on larger input scales)")                                                  \
  X(depthwise16_bias,                                                                                                  \
    "depthwise_conv2d (int16): the bias must be int64 (TFLite Micro aborts without one and reads any other as "        \
    "int64)")                                                                                                          \
  X(int16_add_zero_point,                                                                                              \
    "add (int16, inputs of one shape): the input zero points must lie strictly between -32767 and 32767 (TFLite "      \
    "Micro aborts on others)")                                                                                         \
  X(state_operand,                                                                                                     \
    "a state tensor (TFLite's variable tensor) is only an operand of an operator that keeps state there (svdf's "      \
    "activation state, lstm's hidden and cell state), and such an operand must be a state tensor")                     \
  X(quantize_types,                                                                                                    \
    "quantize: the output must be int8 or int16 (int32 from int16 only), as TensorFlow Lite Micro's pairs are")        \
  X(softmax_int16_output,                                                                                              \
    "softmax: an int16 output takes an int8 input and has zero point -32768 and scale 1/65536 (TensorFlow Lite "       \
    "Micro's check)")                                                                                                  \
  X(lstm_shapes,                                                                                                       \
    "lstm: the input must be [batches, steps, inputs] ([steps, batches, inputs] time-major), the input weights "       \
    "[4 units, inputs], the recurrent weights [4 units, units], the hidden and cell state [batches, units], the "      \
    "bias [4 units]")                                                                                                  \
  X(lstm_types,                                                                                                        \
    "lstm: int8 input takes int8 weights with one scale per gate, constant recurrent weights, an int32 bias, an int8 " \
    "hidden state and an int16 cell state; float32 input takes float32 everywhere; the bias is required and the "      \
    "cell clip not negative")                                                                                          \
  X(svdf_shapes,                                                                                                       \
    "svdf: the input must be [batches, inputs], the feature weights [filters, inputs], the time weights [filters, "    \
    "memory], the state [batches, filters * memory], the bias [filters / rank], with rank >= 1 dividing filters")      \
  X(svdf_types,                                                                                                        \
    "svdf: int8 input takes per-tensor int8 feature weights, constant int8 or int16 time weights, a state of the "     \
    "time weights' type and an int32 bias; float32 input takes float32 everywhere; the bias is required")              \
  X(gather_dequantize,                                                                                                 \
    "embedding_lookup: an int8 table read into a float32 output must have zero point 0 (TensorFlow Lite Micro "        \
    "refuses others)")                                                                                                 \
  X(batch_matmul_dtypes, "batch_matmul: both inputs must have the same dtype, int8, int16 or float32")                 \
  X(batch_matmul_rank, "batch_matmul: each input needs 2 to 4 dimensions (the last two are the matrix)")               \
  X(batch_matmul_depth,                                                                                                \
    "batch_matmul: the summed axes differ: the left input's columns (its rows with adj_x) must equal the right "       \
    "input's rows (its columns with adj_y)")                                                                           \
  X(batch_matmul_batch,                                                                                                \
    "batch_matmul: the inputs' batch axes (all but the last two) do not broadcast: aligned on the last, each pair "    \
    "of sizes must be equal or one of them 1")                                                                         \
  X(variable_value,                                                                                                    \
    "variable: an assigned value must have the variable's dtype and element count (TensorFlow Lite Micro aborts on "   \
    "another byte count)")                                                                                             \
  X(state_initial_value,                                                                                               \
    "a state tensor's initial value must be a constant of its dtype with one element per element of the state")        \
  X(softmax_int16,                                                                                                     \
    "softmax (int16 input): the input and output zero points must be 0 and the output scale 1/32768 (TensorFlow "      \
    "Lite Micro's checks)")                                                                                            \
  X(transpose_conv16_bias,                                                                                             \
    "transpose_conv (int16): the bias must be int64 (an int16 one is widened) or absent; TensorFlow Lite Micro would " \
    "read an int32 one as int64")

namespace weft {

enum class error : std::uint8_t {
#define WEFT_X(code, message) code,
  WEFT_ERRORS(WEFT_X)
#undef WEFT_X
};

/// The message of an error, for run-time reporting.
constexpr const char* message(error e) {
  switch (e) {
#define WEFT_X(code, text) \
  case error::code:        \
    return text;
    WEFT_ERRORS(WEFT_X)
#undef WEFT_X
  }
  return "unknown error";
}

}  // namespace weft
