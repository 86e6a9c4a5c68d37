# SPDX-License-Identifier: Apache-2.0
"""Writes .tflite models: weft's one writer, for its examples and its tests.

A model is built operator by operator, TensorFlow Lite's way: NHWC tensors,
weights [O, KH, KW, I] (depthwise [1, KH, KW, C*M]), per-channel symmetric
int8 weights on the output-channel axis, int32 biases at input scale times
weight scale, asymmetric per-tensor int8 activations. Output shapes are
derived here as TensorFlow Lite derives them.

The model becomes the JSON form of the .tflite schema subset in
tools/schema/tflite.fbs, and Debian's flatbuffers compiler (flatc) turns that
into the binary flatbuffer, so the file is checked against the schema as it
is written. Tests alter the JSON form (`to_dict`) to make invalid models.

    m = Model()
    x = m.input([1, 8, 8, 1], scale=1 / 255, zero_point=-128)
    y = m.conv2d(x, int8_weights(w, [4, 3, 3, 1], scales), int32_bias(b),
                 output=(0.05, -128), activation="RELU")
    m.output(m.softmax(m.fully_connected(m.reshape(y, [1, 256]), ...)))
    m.write("model.tflite")

Only the Python standard library is needed (and flatc); numpy arrays are
accepted wherever values are.
"""

import json
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile

SCHEMA = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schema", "tflite.fbs"))

def _builtin_codes():
    """TensorFlow Lite's builtin operator codes by name: the schema's
    BuiltinOperator enum, the one list the reader names operators from."""
    with open(SCHEMA) as f:
        body = re.search(r"enum BuiltinOperator\s*:\s*int\s*\{([^}]*)\}", f.read()).group(1)
    return {name: int(code) for name, code in re.findall(r"([A-Z0-9_]+)\s*=\s*(\d+)", body)}


BUILTIN_CODES = _builtin_codes()
# Files store codes above this one in builtin_code only (deprecated_builtin_code is a byte).
PLACEHOLDER_FOR_GREATER_OP_CODES = 127


def operator_code(name, custom=None):
    """The operator_codes entry of builtin `name` (the JSON form)."""
    code = BUILTIN_CODES[name]
    c = {"deprecated_builtin_code": min(code, PLACEHOLDER_FOR_GREATER_OP_CODES), "builtin_code": code}
    if custom is not None:
        c["custom_code"] = custom
    return c

ACTIVATIONS = ("NONE", "RELU", "RELU_N1_TO_1", "RELU6")
PADDINGS = ("SAME", "VALID")


class WriterError(ValueError):
    """A model the writer cannot express (a shape that does not fit, ...)."""


def float32(x):
    """x rounded to the nearest float32, as a Python float."""
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]


def _flat(values, shape=None):
    """Values as a flat list, and their shape (numpy arrays carry theirs)."""
    if hasattr(values, "shape") and hasattr(values, "flatten"):
        if shape is not None and list(shape) != list(values.shape):
            raise WriterError(f"values of shape {list(values.shape)} given for shape {list(shape)}")
        return values.flatten().tolist(), [int(d) for d in values.shape]
    flat = list(values)
    if shape is None:
        shape = [len(flat)]
    if math.prod(shape) != len(flat):
        raise WriterError(f"{len(flat)} values for shape {list(shape)}")
    return flat, [int(d) for d in shape]


class Constant:
    """A constant tensor's values, dtype and quantization, not yet in a model."""

    def __init__(self, dtype, values, shape, scales=None, zero_points=None, axis=0):
        self.dtype = dtype
        self.values, self.shape = _flat(values, shape)
        self.scales = None if scales is None else [float32(s) for s in scales]
        self.zero_points = zero_points
        self.axis = axis

    def raw(self):
        fmt = {"INT8": "b", "INT16": "h", "INT32": "i", "INT64": "q", "FLOAT32": "f"}[self.dtype]
        if self.dtype == "FLOAT32":
            vals = [float(v) for v in self.values]
        else:
            vals = [int(v) for v in self.values]
        try:
            return struct.pack(f"<{len(vals)}{fmt}", *vals)
        except struct.error as e:
            raise WriterError(f"{self.dtype} values out of range: {e}") from None


def int8_weights(values, shape=None, scales=(1.0,)):
    """Symmetric int8 weights; one scale, or one per output channel."""
    return Constant("INT8", values, shape, scales=list(scales), zero_points=[0] * len(scales))


def int32_bias(values):
    """int32 bias; its scales (input scale x weight scale) are set by the operator."""
    return Constant("INT32", values, None)


def int64_bias(values):
    """int64 bias of a 16x8 layer (int16 activations, int8 weights); its
    scales are set by the operator."""
    return Constant("INT64", values, None)


def int16_bias(values):
    """int16 bias of a 16x8 TRANSPOSE_CONV (TensorFlow Lite Micro widens it
    to int64); its scales are set by the operator."""
    return Constant("INT16", values, None)


def float32_tensor(values, shape=None):
    return Constant("FLOAT32", values, shape)


class Tensor:
    """A tensor of the model being built: its index, shape, dtype, quantization."""

    def __init__(self, index, shape, dtype, scale=None, zero_point=None):
        self.index = index
        self.shape = list(shape)
        self.dtype = dtype
        self.scale = scale
        self.zero_point = zero_point

    @property
    def quantization(self):
        return None if self.scale is None else (self.scale, self.zero_point)


def _window_out(size, k, stride, dilation, padding):
    """TensorFlow Lite's output size of a window along one axis."""
    effective = (k - 1) * dilation + 1
    if padding == "SAME":
        return (size + stride - 1) // stride
    if padding == "VALID":
        return (size - effective + stride) // stride
    raise WriterError(f"padding must be SAME or VALID, not {padding!r}")


def broadcast_shape(a, b):
    """The shape inputs of shapes a and b broadcast to, or None."""
    rank = max(len(a), len(b))
    a = [1] * (rank - len(a)) + list(a)
    b = [1] * (rank - len(b)) + list(b)
    if any(x != y and x != 1 and y != 1 for x, y in zip(a, b)):
        return None
    return [y if x == 1 else x for x, y in zip(a, b)]


class Model:
    """A one-subgraph .tflite model, built operator by operator."""

    def __init__(self, description="written by weft"):
        self.description = description
        self.buffers = [{}]  # buffer 0: empty, by convention
        self.tensors = []
        self.operators = []
        self.opcodes = []
        self.inputs = []
        self.outputs = []
        self.subgraphs = []  # subgraphs after the main one (CALL_ONCE's init subgraphs)

    # -- tensors ----------------------------------------------------------
    def _tensor(self, shape, dtype, quantization=None, name=None, buffer=0, channel_axis=None):
        index = len(self.tensors)
        t = {"shape": [int(d) for d in shape], "type": dtype, "buffer": buffer, "name": name or f"t{index}"}
        if quantization is not None:
            scales, zero_points = quantization
            t["quantization"] = {"scale": [float32(s) for s in scales], "zero_point": [int(z) for z in zero_points]}
            if channel_axis is not None:
                t["quantization"]["quantized_dimension"] = channel_axis
        self.tensors.append(t)
        return index

    def _activation(self, shape, dtype, output, name=None):
        if dtype in ("INT8", "INT16"):
            bits = 8 if dtype == "INT8" else 16
            if output is None:
                raise WriterError(f"an int{bits} operator needs its output's (scale, zero point)")
            scale, zp = float32(output[0]), int(output[1])
            if not (scale > 0 and -(1 << (bits - 1)) <= zp < (1 << (bits - 1))):
                raise WriterError(f"output quantization ({scale}, {zp}) is not a positive scale and an int{bits} "
                                  f"zero point")
            index = self._tensor(shape, dtype, ([scale], [zp]), name)
            return Tensor(index, shape, dtype, scale, zp)
        index = self._tensor(shape, dtype, None, name)
        return Tensor(index, shape, dtype)

    def _constant(self, c, name, channel_axis=None):
        self.buffers.append({"data": list(c.raw())})
        quant = None
        if c.scales is not None:
            quant = (c.scales, c.zero_points if c.zero_points is not None else [0] * len(c.scales))
        axis = channel_axis if (c.scales is not None and len(c.scales) > 1) else None
        return self._tensor(c.shape, c.dtype, quant, name, buffer=len(self.buffers) - 1, channel_axis=axis)

    def input(self, shape, dtype="INT8", scale=None, zero_point=0, name="input"):
        dtype = dtype.upper()
        if dtype in ("INT8", "INT16"):
            t = self._activation(shape, dtype, (scale, zero_point), name)
        else:
            t = self._activation(shape, dtype, None, name)
        self.inputs.append(t.index)
        return t

    def output(self, t):
        self.outputs.append(t.index)
        return t

    def constant(self, values, shape, dtype="INT8", scale=None, zero_point=0, name=None):
        """A constant tensor operators read as an input (an operand, not
        weights): int8 with its own (scale, zero point), int32 or float32."""
        dtype = dtype.upper()
        name = name or f"const{len(self.tensors)}"
        if dtype in ("INT8", "INT16"):
            c = Constant(dtype, values, shape, scales=[scale], zero_points=[int(zero_point)])
            return Tensor(self._constant(c, name), c.shape, dtype, float32(scale), int(zero_point))
        c = Constant(dtype, values, shape)
        return Tensor(self._constant(c, name), c.shape, dtype)

    def variable(self, shape, dtype="INT8", scale=None, zero_point=0, name=None):
        """A variable tensor (state kept across invocations: an SVDF's or an
        LSTM's), int8 or int16 with (scale, zero point), or float32."""
        dtype = dtype.upper()
        quant = None if scale is None else ([float32(scale)], [int(zero_point)])
        index = self._tensor(shape, dtype, quant, name or f"state{len(self.tensors)}")
        self.tensors[index]["is_variable"] = True
        if scale is None:
            return Tensor(index, shape, dtype)
        return Tensor(index, shape, dtype, float32(scale), int(zero_point))

    # -- operators --------------------------------------------------------
    def _operator(self, code, inputs, outputs, options_type=None, options=None):
        if code not in self.opcodes:
            self.opcodes.append(code)
        op = {"opcode_index": self.opcodes.index(code), "inputs": list(inputs), "outputs": list(outputs)}
        if options_type is not None:
            op["builtin_options_type"] = options_type
            op["builtin_options"] = options
        self.operators.append(op)

    def _weights_and_bias(self, x, weights, bias, channels, channel_axis, name):
        # 16x8 layers: int16 activations, int8 weights.
        if x.dtype != weights.dtype and not (x.dtype == "INT16" and weights.dtype == "INT8"):
            raise WriterError(f"{name}: {weights.dtype} weights on a {x.dtype} input")
        w = self._constant(weights, f"{name}_weights", channel_axis)
        if bias is None:
            return w, -1
        if len(bias.values) != channels:
            raise WriterError(f"{name}: {len(bias.values)} biases for {channels} output channels")
        if x.dtype in ("INT8", "INT16"):
            ws = weights.scales
            scales = [x.scale * (ws[c] if len(ws) > 1 else ws[0]) for c in range(channels)]
            bias = Constant(bias.dtype, bias.values, [channels], scales=scales, zero_points=[0] * channels)
        return w, self._constant(bias, f"{name}_bias", 0)

    @staticmethod
    def _window(x, kernel, stride, dilation, padding, name):
        """Output height and width of a window over the NHWC input x."""
        oh = _window_out(x.shape[1], kernel[0], stride[0], dilation[0], padding)
        ow = _window_out(x.shape[2], kernel[1], stride[1], dilation[1], padding)
        if oh < 1 or ow < 1:
            raise WriterError(f"{name}: the window does not fit the input {x.shape}")
        return oh, ow

    @staticmethod
    def _require_constants(weights, bias, name):
        """Weights and bias must say their dtype, shape and scales: plain lists do not."""
        for what, value in (("weights", weights), ("bias", bias)):
            if value is not None and not isinstance(value, Constant):
                raise WriterError(f"{name}: the {what} must be a constant made with tw.int8_weights(values, shape, "
                                  f"scales), tw.int32_bias(values) or tw.float32_tensor(values, shape), "
                                  f"not a {type(value).__name__}")

    def conv2d(self, x, weights, bias=None, output=None, stride=(1, 1), dilation=(1, 1), padding="SAME",
               activation="NONE", name=None, quantized_bias_type=None):
        name = name or f"op{len(self.operators)}"
        self._require_constants(weights, bias, name)
        o, kh, kw, i = weights.shape
        if i != x.shape[3]:
            raise WriterError(f"{name}: weights for {i} input channels on an input of {x.shape[3]}")
        oh, ow = self._window(x, (kh, kw), stride, dilation, padding, name)
        w, b = self._weights_and_bias(x, weights, bias, o, 0, name)
        y = self._activation([x.shape[0], oh, ow, o], x.dtype, output)
        options = {"padding": padding, "stride_h": stride[0], "stride_w": stride[1],
                   "dilation_h_factor": dilation[0], "dilation_w_factor": dilation[1],
                   "fused_activation_function": activation}
        if quantized_bias_type is not None:  # a 16x8 layer without a bias sums in this type
            options["quantized_bias_type"] = quantized_bias_type
        self._operator("CONV_2D", [x.index, w, b], [y.index], "Conv2DOptions", options)
        return y

    def depthwise_conv2d(self, x, weights, bias=None, output=None, stride=(1, 1), dilation=(1, 1), padding="SAME",
                         activation="NONE", depth_multiplier=1, name=None):
        name = name or f"op{len(self.operators)}"
        self._require_constants(weights, bias, name)
        _, kh, kw, cm = weights.shape
        if cm != x.shape[3] * depth_multiplier:
            raise WriterError(f"{name}: weights for {cm} channels, input {x.shape[3]} x multiplier {depth_multiplier}")
        oh, ow = self._window(x, (kh, kw), stride, dilation, padding, name)
        w, b = self._weights_and_bias(x, weights, bias, cm, 3, name)
        y = self._activation([x.shape[0], oh, ow, cm], x.dtype, output)
        self._operator("DEPTHWISE_CONV_2D", [x.index, w, b], [y.index], "DepthwiseConv2DOptions", {
            "padding": padding, "stride_h": stride[0], "stride_w": stride[1], "depth_multiplier": depth_multiplier,
            "dilation_h_factor": dilation[0], "dilation_w_factor": dilation[1],
            "fused_activation_function": activation})
        return y

    def fully_connected(self, x, weights, bias=None, output=None, activation="NONE", keep_num_dims=False, name=None,
                        quantized_bias_type=None):
        name = name or f"op{len(self.operators)}"
        self._require_constants(weights, bias, name)
        units, depth = weights.shape
        if math.prod(x.shape) % depth:
            raise WriterError(f"{name}: an input of {x.shape} is not rows of {depth}")
        shape = x.shape[:-1] + [units] if keep_num_dims else [math.prod(x.shape) // depth, units]
        if keep_num_dims and x.shape[-1] != depth:
            raise WriterError(f"{name}: keep_num_dims needs the input's last dimension to be {depth}")
        w, b = self._weights_and_bias(x, weights, bias, units, 0, name)
        options = {"fused_activation_function": activation, "keep_num_dims": keep_num_dims}
        if quantized_bias_type is not None:  # a 16x8 layer without a bias sums in this type
            options["quantized_bias_type"] = quantized_bias_type
        y = self._activation(shape, x.dtype, output)
        self._operator("FULLY_CONNECTED", [x.index, w, b], [y.index], "FullyConnectedOptions", options)
        return y

    def _pool(self, code, x, filter, stride, padding, activation, name):
        oh, ow = self._window(x, filter, stride, (1, 1), padding, name or code)
        y = self._activation([x.shape[0], oh, ow, x.shape[3]], x.dtype, x.quantization and (x.scale, x.zero_point))
        self._operator(code, [x.index], [y.index], "Pool2DOptions", {
            "padding": padding, "stride_h": stride[0], "stride_w": stride[1],
            "filter_height": filter[0], "filter_width": filter[1], "fused_activation_function": activation})
        return y

    def average_pool2d(self, x, filter, stride=(1, 1), padding="VALID", activation="NONE", name=None):
        return self._pool("AVERAGE_POOL_2D", x, filter, stride, padding, activation, name)

    def max_pool2d(self, x, filter, stride=(1, 1), padding="VALID", activation="NONE", name=None):
        return self._pool("MAX_POOL_2D", x, filter, stride, padding, activation, name)

    def _binary(self, code, a, b, output, options_type, options):
        """An element-wise operator of two inputs that broadcast (TensorFlow
        Lite's rules: shapes aligned on the last axis, sizes equal or 1)."""
        if a.dtype != b.dtype:
            raise WriterError(f"{code.lower()}: a {a.dtype} and a {b.dtype} input")
        shape = broadcast_shape(a.shape, b.shape)
        if shape is None:
            raise WriterError(f"{code.lower()}: shapes {a.shape} and {b.shape} do not broadcast")
        y = self._activation(shape, a.dtype, output)
        self._operator(code, [a.index, b.index], [y.index], options_type, options)
        return y

    def add(self, a, b, output=None, activation="NONE"):
        return self._binary("ADD", a, b, output, "AddOptions", {"fused_activation_function": activation})

    def sub(self, a, b, output=None, activation="NONE"):
        return self._binary("SUB", a, b, output, "SubOptions", {"fused_activation_function": activation})

    def mul(self, a, b, output=None, activation="NONE"):
        return self._binary("MUL", a, b, output, "MulOptions", {"fused_activation_function": activation})

    def div(self, a, b, output=None, activation="NONE"):
        return self._binary("DIV", a, b, output, "DivOptions", {"fused_activation_function": activation})

    def squared_difference(self, a, b, output=None):
        return self._binary("SQUARED_DIFFERENCE", a, b, output, "SquaredDifferenceOptions", {})

    def maximum(self, a, b, output=None):
        """MAXIMUM; an int8 output takes a's quantization by default."""
        return self._binary("MAXIMUM", a, b, output or a.quantization, "MaximumMinimumOptions", {})

    def minimum(self, a, b, output=None):
        """MINIMUM; an int8 output takes a's quantization by default."""
        return self._binary("MINIMUM", a, b, output or a.quantization, "MaximumMinimumOptions", {})

    def svdf(self, x, feature, time, bias, state, rank, output=None, activation="NONE", name=None):
        """SVDF: x [batches, inputs], feature weights [filters, inputs], time
        weights [filters, memory], bias [filters / rank] (int32 for int8: its
        scale is set to the state's times the time weights'), state a
        variable [batches, filters * memory]."""
        name = name or f"op{len(self.operators)}"
        filters, depth = feature.shape
        memory = time.shape[1]
        if filters % rank or x.shape[-1] != depth or time.shape[0] != filters or \
                state.shape != [x.shape[0], filters * memory]:
            raise WriterError(f"{name}: SVDF shapes do not fit")
        wf = self._constant(feature, f"{name}_feature")
        wt = self._constant(time, f"{name}_time")
        units = filters // rank
        if bias is None:
            b = -1
        else:
            if x.dtype == "INT8":
                bias = Constant("INT32", bias.values, [units], scales=[float32(state.scale * time.scales[0])],
                                zero_points=[0])
            b = self._constant(bias, f"{name}_bias")
        y = self._activation([x.shape[0], units], x.dtype, output)
        self._operator("SVDF", [x.index, wf, wt, b, state.index], [y.index], "SVDFOptions", {
            "rank": rank, "fused_activation_function": activation})
        return y

    def lstm(self, x, input_weights, recurrent_weights, biases, hidden, cell, time_major=False, cell_clip=0.0,
             output=None, name=None):
        """UNIDIRECTIONAL_SEQUENCE_LSTM (TFLite Micro's: no peephole,
        projection or layer normalization): x [batch, time, inputs] (or
        [time, batch, inputs]); four gates' (input, forget, cell, output)
        input weights [units, inputs], recurrent weights [units, units] and
        biases (int32 for int8, int64 for int16: their scales are set to the
        input's times the weights'); hidden [batch, units] and cell [batch,
        units] variables.
        The output takes the hidden state's quantization unless given."""
        name = name or f"op{len(self.operators)}"
        units = hidden.shape[-1]
        ws = [self._constant(w, f"{name}_input_weights{k}") for k, w in enumerate(input_weights)]
        us = [self._constant(u, f"{name}_recurrent_weights{k}") for k, u in enumerate(recurrent_weights)]
        bs = []
        for k, (b, w) in enumerate(zip(biases, input_weights)):
            if x.dtype in ("INT8", "INT16"):
                b = Constant("INT32" if x.dtype == "INT8" else "INT64", b.values, [units],
                             scales=[float32(x.scale * w.scales[0])], zero_points=[0])
            bs.append(self._constant(b, f"{name}_bias{k}"))
        shape = [x.shape[0], x.shape[1], units]
        y = self._activation(shape, x.dtype, output or hidden.quantization)
        inputs = [x.index] + ws + us + [-1, -1, -1] + bs + [-1, -1, hidden.index, cell.index, -1, -1, -1, -1]
        self._operator("UNIDIRECTIONAL_SEQUENCE_LSTM", inputs, [y.index], "UnidirectionalSequenceLSTMOptions", {
            "fused_activation_function": "TANH", "cell_clip": float32(cell_clip), "time_major": bool(time_major)})
        return y

    def softmax(self, x, beta=1.0, output=None):
        """SOFTMAX along the last axis; an int8 output is (1/256, -128) and an
        int16 one (1/32768, 0) unless `output` says otherwise."""
        if output is None and x.dtype in ("INT8", "INT16"):
            output = (1 / 256, -128) if x.dtype == "INT8" else (1 / 32768, 0)
        y = self._activation(x.shape, x.dtype, output if x.dtype in ("INT8", "INT16") else None)
        self._operator("SOFTMAX", [x.index], [y.index], "SoftmaxOptions", {"beta": float32(beta)})
        return y

    def reshape(self, x, shape):
        shape = [int(d) for d in shape]
        if math.prod(shape) != math.prod(x.shape):
            raise WriterError(f"reshape: {x.shape} has {math.prod(x.shape)} elements, {shape} has {math.prod(shape)}")
        s = self._constant(Constant("INT32", shape, [len(shape)]), f"op{len(self.operators)}_shape")
        y = self._activation(shape, x.dtype, x.quantization)
        self._operator("RESHAPE", [x.index, s], [y.index], "ReshapeOptions", {"new_shape": shape})
        return y

    def pad(self, x, paddings, value=None):
        """PAD (PADV2 with `value`: a float for float32, an int8 (int16) for int8 (int16)):
        paddings is one (before, after) pair per axis."""
        if len(paddings) != len(x.shape):
            raise WriterError(f"pad: {len(paddings)} pairs for a rank-{len(x.shape)} input")
        flat = [int(v) for pair in paddings for v in pair]
        p = self._constant(Constant("INT32", flat, [len(x.shape), 2]), f"op{len(self.operators)}_paddings")
        shape = [d + b + a for d, (b, a) in zip(x.shape, paddings)]
        y = self._activation(shape, x.dtype, x.quantization and (x.scale, x.zero_point))
        if value is None:
            self._operator("PAD", [x.index, p], [y.index], "PadOptions", {})
        else:
            if x.dtype in ("INT8", "INT16"):
                v = Constant(x.dtype, [int(value)], [], scales=[x.scale], zero_points=[x.zero_point])
            else:
                v = Constant("FLOAT32", [float32(value)], [])
            c = self._constant(v, f"op{len(self.operators)}_value")
            self._operator("PADV2", [x.index, p, c], [y.index], "PadV2Options", {})
        return y

    def transpose(self, x, perm):
        perm = [int(v) for v in perm]
        if sorted(perm) != list(range(len(x.shape))):
            raise WriterError(f"transpose: {perm} is not a permutation of {len(x.shape)} axes")
        p = self._constant(Constant("INT32", perm, [len(perm)]), f"op{len(self.operators)}_perm")
        y = self._activation([x.shape[d] for d in perm], x.dtype, x.quantization and (x.scale, x.zero_point))
        self._operator("TRANSPOSE", [x.index, p], [y.index], "TransposeOptions", {})
        return y

    def quantize(self, x, output):
        """QUANTIZE to int8 with output = (scale, zero point)."""
        y = self._activation(x.shape, "INT8", output)
        self._operator("QUANTIZE", [x.index], [y.index], "QuantizeOptions", {})
        return y

    def dequantize(self, x):
        y = self._activation(x.shape, "FLOAT32", None)
        self._operator("DEQUANTIZE", [x.index], [y.index], "DequantizeOptions", {})
        return y

    def unary(self, code, x, output=None, options_type=None, options=None, dtype=None):
        """A one-input element-wise operator `code` (RELU, LOGISTIC, ABS, ...):
        its output has x's shape and dtype (or `dtype`); an int8 or int16
        output takes output = (scale, zero point), x's by default."""
        dtype = (dtype or x.dtype).upper()
        quantized = dtype in ("INT8", "INT16")
        if quantized and output is None:
            if x.quantization is None:
                raise WriterError(f"{code.lower()}: an {dtype.lower()} output needs its (scale, zero point)")
            output = x.quantization
        y = self._activation(x.shape, dtype, output if quantized else None)
        self._operator(code, [x.index], [y.index], options_type, options)
        return y

    def relu(self, x, output=None):
        return self.unary("RELU", x, output)

    def relu6(self, x, output=None):
        return self.unary("RELU6", x, output)

    def leaky_relu(self, x, alpha, output=None):
        return self.unary("LEAKY_RELU", x, output, "LeakyReluOptions", {"alpha": float32(alpha)})

    def logistic(self, x, output=(1 / 256, -128)):
        """LOGISTIC; TensorFlow Lite's int8 output is (1/256, -128)."""
        return self.unary("LOGISTIC", x, output)

    def tanh(self, x, output=(1 / 128, 0)):
        """TANH; TensorFlow Lite's int8 output is (1/128, 0)."""
        return self.unary("TANH", x, output)

    def hard_swish(self, x, output=None):
        return self.unary("HARD_SWISH", x, output)

    def elu(self, x, output=None):
        return self.unary("ELU", x, output)

    def abs(self, x, output=None):
        return self.unary("ABS", x, output)

    def rsqrt(self, x, output=None):
        return self.unary("RSQRT", x, output)

    # Float32 only in TensorFlow Lite Micro.
    def neg(self, x):
        return self.unary("NEG", x)

    def sqrt(self, x):
        return self.unary("SQRT", x)

    def square(self, x):
        return self.unary("SQUARE", x)

    def exp(self, x):
        return self.unary("EXP", x)

    def log(self, x):
        return self.unary("LOG", x)

    def sin(self, x):
        return self.unary("SIN", x)

    def cos(self, x):
        return self.unary("COS", x)

    def floor(self, x):
        return self.unary("FLOOR", x)

    def ceil(self, x):
        return self.unary("CEIL", x)

    def round(self, x):
        return self.unary("ROUND", x)

    def cast(self, x, dtype, output=None):
        """CAST to `dtype` (INT8 or FLOAT32); an int8 output takes
        (scale, zero point), which TensorFlow Lite ignores."""
        if dtype.upper() == "INT8" and output is None:
            output = x.quantization or (1.0, 0)
        return self.unary("CAST", x, output, dtype=dtype)

    def mean(self, x, axes, keep_dims=True, output=None):
        """MEAN over `axes`; an int8 output takes (scale, zero point), the
        input's by default."""
        rank = len(x.shape)
        axes = [int(a) for a in axes]
        kept = [a % rank for a in axes]
        shape = [1 if d in kept else n for d, n in enumerate(x.shape)] if keep_dims else \
            [n for d, n in enumerate(x.shape) if d not in kept]
        a = self._constant(Constant("INT32", axes, [len(axes)]), f"op{len(self.operators)}_axes")
        if x.dtype in ("INT8", "INT16") and output is None:
            output = (x.scale, x.zero_point)
        y = self._activation(shape or [1], x.dtype, output)
        self._operator("MEAN", [x.index, a], [y.index], "ReducerOptions", {"keep_dims": keep_dims})
        return y

    def resize_nearest_neighbor(self, x, size, align_corners=False, half_pixel_centers=False):
        """RESIZE_NEAREST_NEIGHBOR of an NHWC image to size = (height, width)."""
        s = self._constant(Constant("INT32", [int(v) for v in size], [2]), f"op{len(self.operators)}_size")
        y = self._activation([x.shape[0], int(size[0]), int(size[1]), x.shape[3]], x.dtype,
                             x.quantization and (x.scale, x.zero_point))
        self._operator("RESIZE_NEAREST_NEIGHBOR", [x.index, s], [y.index], "ResizeNearestNeighborOptions",
                       {"align_corners": bool(align_corners), "half_pixel_centers": bool(half_pixel_centers)})
        return y

    def _reduce(self, code, x, axes, keep_dims, output):
        rank = len(x.shape)
        axes = [int(a) for a in axes]
        kept = [a % rank for a in axes]
        shape = [1 if d in kept else n for d, n in enumerate(x.shape)] if keep_dims else \
            [n for d, n in enumerate(x.shape) if d not in kept]
        a = self._constant(Constant("INT32", axes, [len(axes)]), f"op{len(self.operators)}_axes")
        if x.dtype == "INT8" and output is None:
            output = (x.scale, x.zero_point)
        y = self._activation(shape or [1], x.dtype, output)
        self._operator(code, [x.index, a], [y.index], "ReducerOptions", {"keep_dims": keep_dims})
        return y

    def sum(self, x, axes, keep_dims=True, output=None):
        """SUM over `axes`; an int8 output takes (scale, zero point), the
        input's by default."""
        return self._reduce("SUM", x, axes, keep_dims, output)

    def reduce_max(self, x, axes, keep_dims=True):
        """REDUCE_MAX over `axes`; an int8 output keeps the input's
        quantization (TensorFlow Lite Micro requires it)."""
        return self._reduce("REDUCE_MAX", x, axes, keep_dims, None)

    def _arg(self, code, x, axis, output_type):
        rank = len(x.shape)
        a = self._constant(Constant("INT32", [int(axis)], [1]), f"op{len(self.operators)}_axis")
        y = self._activation([n for d, n in enumerate(x.shape) if d != int(axis) % rank], output_type, None)
        options_type = "ArgMaxOptions" if code == "ARG_MAX" else "ArgMinOptions"
        self._operator(code, [x.index, a], [y.index], options_type, {"output_type": output_type})
        return y

    def arg_max(self, x, axis, output_type="INT32"):
        """ARG_MAX along `axis`: the index of the first largest element
        (TensorFlow Lite Micro gives int32 only)."""
        return self._arg("ARG_MAX", x, axis, output_type)

    def arg_min(self, x, axis, output_type="INT32"):
        """ARG_MIN along `axis`, as arg_max."""
        return self._arg("ARG_MIN", x, axis, output_type)

    def gather(self, x, positions, axis=0, batch_dims=0):
        """GATHER of x's slices along `axis` at `positions`: a Tensor (a
        model input of int32 token ids, say) or a list of int32 values with
        shape (values, shape). Output: x.shape[:axis] +
        positions.shape[batch_dims:] + x.shape[axis + 1:]."""
        if not isinstance(positions, Tensor):
            values, shape = positions
            positions = Tensor(self._constant(Constant("INT32", values, shape), f"op{len(self.operators)}_positions"),
                               shape, "INT32")
        rank, prank = len(x.shape), len(positions.shape)
        a, b = int(axis) % rank, int(batch_dims) % prank if batch_dims < 0 else int(batch_dims)
        shape = x.shape[:a] + positions.shape[b:] + x.shape[a + 1:]
        y = self._activation(shape, x.dtype, x.quantization and (x.scale, x.zero_point))
        self._operator("GATHER", [x.index, positions.index], [y.index], "GatherOptions",
                       {"axis": int(axis), "batch_dims": int(batch_dims)})
        return y

    def embedding_lookup(self, ids, table, output=None, dtype=None):
        """EMBEDDING_LOOKUP: rows of `table` (a Tensor, a constant made with
        Model.constant, say) picked by 1-D int32 `ids` (a Tensor, or a list
        of values). Output [len(ids)] + table.shape[1:]: dtype the table's,
        or "FLOAT32" for an int8 table read as floats; an int8 output takes
        `output` (scale, zero point), the table's by default (TensorFlow
        Lite Micro copies the stored values whatever it says)."""
        if not isinstance(ids, Tensor):
            ids = Tensor(self._constant(Constant("INT32", [int(v) for v in ids], [len(ids)]),
                                        f"op{len(self.operators)}_ids"), [len(ids)], "INT32")
        dtype = (dtype or table.dtype).upper()
        if dtype == "INT8" and output is None:
            output = table.quantization
        y = self._activation([ids.shape[0]] + table.shape[1:], dtype, output)
        self._operator("EMBEDDING_LOOKUP", [ids.index, table.index], [y.index])
        return y

    def batch_matmul(self, lhs, rhs, output=None, adj_x=False, adj_y=False):
        """BATCH_MATMUL of two Tensors (activations or constants made with
        Model.constant): lhs [..., R, K] (adj_x: [..., K, R]) times rhs
        [..., K, C] (adj_y: [..., C, K]), the batch axes broadcasting as
        numpy's. Output: the broadcast batch axes + [R, C]; an int8 output
        takes `output` (scale, zero point)."""
        if lhs.dtype != rhs.dtype:
            raise WriterError(f"batch_matmul: a {lhs.dtype} and a {rhs.dtype} input")
        if len(lhs.shape) < 2 or len(rhs.shape) < 2:
            raise WriterError(f"batch_matmul: inputs {lhs.shape} and {rhs.shape} need 2 or more dimensions")
        rows, k1 = (lhs.shape[-1], lhs.shape[-2]) if adj_x else (lhs.shape[-2], lhs.shape[-1])
        k2, cols = (rhs.shape[-1], rhs.shape[-2]) if adj_y else (rhs.shape[-2], rhs.shape[-1])
        if k1 != k2:
            raise WriterError(f"batch_matmul: {lhs.shape} (adj_x {adj_x}) and {rhs.shape} (adj_y {adj_y}) sum "
                              f"{k1} and {k2} elements")
        batch = broadcast_shape(lhs.shape[:-2], rhs.shape[:-2])
        if batch is None:
            raise WriterError(f"batch_matmul: batch axes of {lhs.shape} and {rhs.shape} do not broadcast")
        y = self._activation(batch + [rows, cols], lhs.dtype, output)
        self._operator("BATCH_MATMUL", [lhs.index, rhs.index], [y.index], "BatchMatMulOptions",
                       {"adj_x": bool(adj_x), "adj_y": bool(adj_y), "asymmetric_quantize_inputs": False})
        return y

    def concatenation(self, xs, axis, output=None):
        """CONCATENATION of xs along `axis` (negative: from the end); an int8
        output takes (scale, zero point), the first input's by default."""
        rank = len(xs[0].shape)
        a = axis + rank if axis < 0 else axis
        shape = list(xs[0].shape)
        shape[a] = sum(x.shape[a] for x in xs)
        if xs[0].dtype in ("INT8", "INT16") and output is None:
            output = xs[0].quantization
        y = self._activation(shape, xs[0].dtype, output)
        self._operator("CONCATENATION", [x.index for x in xs], [y.index], "ConcatenationOptions",
                       {"axis": int(axis), "fused_activation_function": "NONE"})
        return y

    def pack(self, xs, axis, output=None):
        """PACK: xs (one shape) stacked along a new axis `axis`."""
        rank = len(xs[0].shape) + 1
        a = axis + rank if axis < 0 else axis
        shape = list(xs[0].shape[:a]) + [len(xs)] + list(xs[0].shape[a:])
        if xs[0].dtype == "INT8" and output is None:
            output = xs[0].quantization
        y = self._activation(shape, xs[0].dtype, output)
        self._operator("PACK", [x.index for x in xs], [y.index], "PackOptions",
                       {"values_count": len(xs), "axis": int(axis)})
        return y

    def _indices(self, values, what):
        return self._constant(Constant("INT32", [int(v) for v in values], [len(values)]),
                              f"op{len(self.operators)}_{what}")

    def slice(self, x, begin, size):
        """SLICE: size[i] elements (-1: to the end) from begin[i] along axis i."""
        shape = [n - b if s == -1 else s for n, b, s in zip(x.shape, begin, size)]
        b, s = self._indices(begin, "begin"), self._indices(size, "size")
        y = self._activation(shape, x.dtype, x.quantization)
        self._operator("SLICE", [x.index, b, s], [y.index], "SliceOptions", {})
        return y

    def strided_slice(self, x, begin, end, strides, shape, begin_mask=0, end_mask=0, shrink_axis_mask=0,
                      ellipsis_mask=0, new_axis_mask=0):
        """STRIDED_SLICE; `shape` is the output's (the caller resolves the
        masks, as the corpus generator does)."""
        ts = [self._indices(v, w) for v, w in ((begin, "begin"), (end, "end"), (strides, "strides"))]
        y = self._activation(shape, x.dtype, x.quantization)
        self._operator("STRIDED_SLICE", [x.index] + ts, [y.index], "StridedSliceOptions",
                       {"begin_mask": begin_mask, "end_mask": end_mask, "ellipsis_mask": ellipsis_mask,
                        "new_axis_mask": new_axis_mask, "shrink_axis_mask": shrink_axis_mask})
        return y

    def _split_outputs(self, x, axis, sizes):
        a = axis + len(x.shape) if axis < 0 else axis
        ys = []
        for n in sizes:
            shape = list(x.shape)
            shape[a] = n
            ys.append(self._activation(shape, x.dtype, x.quantization))
        return ys

    def split(self, x, axis, parts):
        """SPLIT into `parts` equal parts along `axis`."""
        a = self._indices([axis], "axis")
        n = x.shape[axis + len(x.shape) if axis < 0 else axis]
        if n % parts:
            raise WriterError(f"split: axis of size {n} in {parts} parts")
        ys = self._split_outputs(x, axis, [n // parts] * parts)
        self._operator("SPLIT", [a, x.index], [y.index for y in ys], "SplitOptions", {"num_splits": parts})
        return ys

    def split_v(self, x, sizes, axis):
        """SPLIT_V into parts of `sizes` elements along `axis`."""
        s, a = self._indices(sizes, "sizes"), self._indices([axis], "axis")
        ys = self._split_outputs(x, axis, sizes)
        self._operator("SPLIT_V", [x.index, s, a], [y.index for y in ys], "SplitVOptions", {"num_splits": len(sizes)})
        return ys

    def unpack(self, x, axis):
        """UNPACK: one output per element along `axis`, without that axis."""
        a = axis + len(x.shape) if axis < 0 else axis
        shape = list(x.shape[:a]) + list(x.shape[a + 1:])
        ys = [self._activation(shape, x.dtype, x.quantization) for _ in range(x.shape[a])]
        self._operator("UNPACK", [x.index], [y.index for y in ys], "UnpackOptions",
                       {"num": x.shape[a], "axis": int(axis)})
        return ys

    def squeeze(self, x, dims=()):
        """SQUEEZE the axes `dims` (every axis of size 1 when empty)."""
        rank = len(x.shape)
        gone = {d % rank for d in dims} if dims else {d for d, n in enumerate(x.shape) if n == 1}
        shape = [n for d, n in enumerate(x.shape) if d not in gone]
        y = self._activation(shape, x.dtype, x.quantization)
        self._operator("SQUEEZE", [x.index], [y.index], "SqueezeOptions", {"squeeze_dims": [int(d) for d in dims]})
        return y

    def expand_dims(self, x, axis):
        """EXPAND_DIMS: a new axis of size 1 at `axis` (negative: from the end)."""
        a = axis + len(x.shape) + 1 if axis < 0 else axis
        shape = list(x.shape[:a]) + [1] + list(x.shape[a:])
        t = self._indices([axis], "axis")
        y = self._activation(shape, x.dtype, x.quantization)
        self._operator("EXPAND_DIMS", [x.index, t], [y.index], "ExpandDimsOptions", {})
        return y

    def prelu(self, x, alpha, output=None):
        """PRELU: x where x >= 0, else x * alpha; alpha (a constant or an
        activation of x's dtype) broadcasts against x. No options."""
        return self._binary("PRELU", x, alpha, output, None, None)

    def resize_bilinear(self, x, size, align_corners=False, half_pixel_centers=False):
        """RESIZE_BILINEAR of an NHWC image to size = (height, width)."""
        s = self._constant(Constant("INT32", [int(v) for v in size], [2]), f"op{len(self.operators)}_size")
        y = self._activation([x.shape[0], int(size[0]), int(size[1]), x.shape[3]], x.dtype,
                             x.quantization and (x.scale, x.zero_point))
        self._operator("RESIZE_BILINEAR", [x.index, s], [y.index], "ResizeBilinearOptions",
                       {"align_corners": bool(align_corners), "half_pixel_centers": bool(half_pixel_centers)})
        return y

    def l2_pool2d(self, x, filter, stride=(1, 1), padding="VALID", activation="NONE", name=None):
        return self._pool("L2_POOL_2D", x, filter, stride, padding, activation, name)

    def transpose_conv(self, x, weights, out_hw, bias=None, output=None, stride=(1, 1), padding="SAME",
                       activation="NONE", output_shape=None, name=None, shape_input=False):
        """TRANSPOSE_CONV of the NHWC input x with weights [O, KH, KW, I] to
        an output of height and width out_hw; the output_shape operand is
        the output's shape unless `output_shape` gives another, a constant
        or (shape_input) an int32 model input, as some converters leave it."""
        name = name or f"op{len(self.operators)}"
        self._require_constants(weights, bias, name)
        o, kh, kw, i = weights.shape
        if i != x.shape[3]:
            raise WriterError(f"{name}: weights for {i} input channels on an input of {x.shape[3]}")
        shape = [x.shape[0], int(out_hw[0]), int(out_hw[1]), o]
        if shape_input:
            s = self.input([4], "INT32", name=f"{name}_output_shape").index
        else:
            s = self._constant(Constant("INT32", [int(v) for v in (output_shape or shape)], [4]),
                               f"{name}_output_shape")
        w, b = self._weights_and_bias(x, weights, bias, o, 0, name)
        y = self._activation(shape, x.dtype, output)
        inputs = [s, w, x.index] + ([b] if b >= 0 else [])
        self._operator("TRANSPOSE_CONV", inputs, [y.index], "TransposeConvOptions", {
            "padding": padding, "stride_h": stride[0], "stride_w": stride[1],
            "fused_activation_function": activation})
        return y

    def depth_to_space(self, x, block):
        n, h, w, c = x.shape
        y = self._activation([n, h * block, w * block, c // (block * block)], x.dtype,
                             x.quantization and (x.scale, x.zero_point))
        self._operator("DEPTH_TO_SPACE", [x.index], [y.index], "DepthToSpaceOptions", {"block_size": int(block)})
        return y

    def space_to_depth(self, x, block):
        n, h, w, c = x.shape
        y = self._activation([n, h // block, w // block, c * block * block], x.dtype,
                             x.quantization and (x.scale, x.zero_point))
        self._operator("SPACE_TO_DEPTH", [x.index], [y.index], "SpaceToDepthOptions", {"block_size": int(block)})
        return y

    def mirror_pad(self, x, paddings, mode="REFLECT"):
        """MIRROR_PAD (mode REFLECT or SYMMETRIC): paddings is one (before,
        after) pair per axis."""
        if len(paddings) != len(x.shape):
            raise WriterError(f"mirror_pad: {len(paddings)} pairs for a rank-{len(x.shape)} input")
        flat = [int(v) for pair in paddings for v in pair]
        p = self._constant(Constant("INT32", flat, [len(x.shape), 2]), f"op{len(self.operators)}_paddings")
        shape = [d + b + a for d, (b, a) in zip(x.shape, paddings)]
        y = self._activation(shape, x.dtype, x.quantization and (x.scale, x.zero_point))
        self._operator("MIRROR_PAD", [x.index, p], [y.index], "MirrorPadOptions", {"mode": mode})
        return y

    # -- resource variables -------------------------------------------------
    def var_handle(self, shared_name, container=""):
        """VAR_HANDLE: a RESOURCE tensor naming variable `shared_name`
        (container None: the option left out)."""
        h = self._tensor([], "RESOURCE", name=f"handle_{shared_name}")
        options = {"shared_name": shared_name}
        if container is not None:
            options["container"] = container
        self._operator("VAR_HANDLE", [], [h], "VarHandleOptions", options)
        return Tensor(h, [], "RESOURCE")

    def read_variable(self, handle, shape, dtype="INT8", output=None):
        """READ_VARIABLE: the variable's bytes as a tensor of `shape` and
        dtype, int8/int16 with output = (scale, zero point)."""
        y = self._activation(shape, dtype.upper(), output)
        self._operator("READ_VARIABLE", [handle.index], [y.index], "ReadVariableOptions", {})
        return y

    def assign_variable(self, handle, value):
        """ASSIGN_VARIABLE: the variable takes `value`'s bytes (no output)."""
        self._operator("ASSIGN_VARIABLE", [handle.index, value.index], [], "AssignVariableOptions", {})

    def init_subgraph(self):
        """A new subgraph for CALL_ONCE to run (an init subgraph): a Model
        sharing this one's buffers and operator codes; build it with
        var_handle, constant and assign_variable."""
        sub = Model.__new__(Model)
        sub.description = self.description
        sub.buffers = self.buffers
        sub.opcodes = self.opcodes
        sub.tensors, sub.operators, sub.inputs, sub.outputs, sub.subgraphs = [], [], [], [], []
        self.subgraphs.append(sub)
        sub.subgraph_index = len(self.subgraphs)
        return sub

    def call_once(self, init):
        """CALL_ONCE of init subgraph `init` (from init_subgraph)."""
        self._operator("CALL_ONCE", [], [], "CallOnceOptions", {"init_subgraph_index": init.subgraph_index})

    # -- output -----------------------------------------------------------
    def _subgraph_dict(self, name):
        return {"tensors": self.tensors, "inputs": self.inputs, "outputs": self.outputs,
                "operators": self.operators, "name": name}

    def to_dict(self):
        """The model in the JSON form of the schema (tests alter it)."""
        return {
            "version": 3,
            "description": self.description,
            "operator_codes": [operator_code(c) for c in self.opcodes],
            "subgraphs": [self._subgraph_dict("main")] +
                         [sub._subgraph_dict(f"init{k + 1}") for k, sub in enumerate(self.subgraphs)],
            "buffers": self.buffers,
        }

    def to_bytes(self, flatc=None):
        return to_bytes(self.to_dict(), flatc)

    def write(self, path, flatc=None):
        write_bytes(path, self.to_bytes(flatc))


def find_flatc(flatc=None):
    found = flatc or os.environ.get("FLATC") or shutil.which("flatc")
    if not found:
        raise WriterError("flatc not found: install Debian's flatbuffers-compiler (tools/setup-debian.sh does)")
    return found


def to_bytes(model_dict, flatc=None):
    """The .tflite bytes of a model in JSON form, through flatc."""
    return to_bytes_many([model_dict], flatc)[0]


def to_bytes_many(model_dicts, flatc=None):
    """The .tflite bytes of several models, with one run of flatc."""
    flatc = find_flatc(flatc)
    with tempfile.TemporaryDirectory(prefix="weft-writer-") as d:
        sources = []
        for i, m in enumerate(model_dicts):
            sources.append(os.path.join(d, f"m{i}.json"))
            with open(sources[-1], "w") as f:
                json.dump(m, f)
        r = subprocess.run([flatc, "-b", "-o", d, SCHEMA, *sources], capture_output=True, text=True)
        if r.returncode != 0:
            raise WriterError(f"flatc refused the model: {r.stderr.strip() or r.stdout.strip()}")
        out = []
        for i in range(len(model_dicts)):
            with open(os.path.join(d, f"m{i}.tflite"), "rb") as f:
                out.append(f.read())
        return out


def write_bytes(path, data):
    """Writes a file whole or not at all (a temporary file, then a rename)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".weft-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
