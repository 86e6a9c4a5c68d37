#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the importer's test corpus with weft's .tflite writer.

    make_corpus.py OUT_DIR

- op_<operator>_<dtype>_<parameters>.tflite: one model per operator and
  combination of the parameters weft supports (strides, dilations, padding,
  depth multiplier, fused activation, keep_num_dims, bias or none, per-tensor
  or per-channel weights, softmax beta, residual add), int8 and float32, with
  random shapes, weights and quantization (extreme zero points included),
  and int16 (TFLite's 16x8) where weft takes it (int16_models);
- good_<name>.tflite: whole networks the command-line, generated-model and
  board tests run;
- each of those with <file>.ops: the operators as written, one line each
  ("conv2d stride 2 1 dilation 1 2 padding valid activation relu6 ..."), which
  the importer test holds the imported graph to;
- bad_<name>.tflite with bad_<name>.expect: files made by altering a valid
  model, and the words weft's error message for each must contain;
- names_<name>.tflite: each good model with hostile tensor names, subgraph
  name and description (newlines, comment openers and closers, quotes,
  trailing backslashes, trigraphs, control bytes, NUL, non-ASCII, C++ code
  and keywords), which generated headers must carry inertly.

Deterministic: the same files on every run.
"""

import copy
import math
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "python"))
import tflite_writer as tw  # noqa: E402

STRIDES = [(1, 1), (2, 2), (2, 1)]
DILATIONS = [(1, 1), (2, 2), (1, 2)]
ACTIVATIONS = ["NONE", "RELU", "RELU6", "RELU_N1_TO_1"]
PADDINGS = ["SAME", "VALID"]
DTYPES = ["INT8", "FLOAT32"]


class Recorder(tw.Model):
    """A writer model that also notes each operator's parameters for <file>.ops."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []

    def note(self, kind, **p):
        fields = {"stride": (1, 1), "dilation": (1, 1), "padding": "valid", "activation": "none", "multiplier": 1,
                  "filter": (1, 1), "keep_num_dims": 0, "bias": 0, "per_channel": 0}
        fields.update(p)
        parts = [kind]
        for k, v in fields.items():
            parts.append(k)
            parts.extend(str(x) for x in (v if isinstance(v, tuple) else (v,)))
        self.lines.append(" ".join(parts).lower())


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def scale(self, lo=1e-3, hi=0.1):
        return math.exp(self.r.uniform(math.log(lo), math.log(hi)))

    def zero_point(self):
        return self.r.choice([-128, 127, 0, self.r.randint(-128, 127)])

    def int8s(self, n, lo=-127, hi=127):
        return [self.r.randint(lo, hi) for _ in range(n)]

    def floats(self, n, lo=-1.0, hi=1.0):
        return [tw.float32(self.r.uniform(lo, hi)) for _ in range(n)]

    def input(self, m, shape, dtype):
        if dtype == "INT8":
            return m.input(shape, "INT8", self.scale(0.005, 0.05), self.zero_point())
        if dtype == "INT16":
            return m.input(shape, "INT16", self.scale(1e-5, 1e-3), self.r.choice([0, self.r.randint(-300, 300)]))
        return m.input(shape, "FLOAT32")

    def output_quant(self, x, w_scale, depth):
        """An output scale that keeps a typical accumulator inside int8's range."""
        spread = math.sqrt(depth) * 73 * 73 * x.scale * w_scale
        return (4 * spread / 255 * self.r.uniform(0.5, 2.0), self.zero_point())

    def weights(self, x, shape, per_channel, channels):
        """int8 weights (per-channel or per-tensor scales) or float32 weights."""
        n = math.prod(shape)
        if x.dtype == "FLOAT32":
            return tw.float32_tensor(self.floats(n, -0.5, 0.5), shape), 1.0
        scales = [self.scale(0.002, 0.02) for _ in range(channels if per_channel else 1)]
        return tw.int8_weights(self.int8s(n), shape, scales), sum(scales) / len(scales)

    def bias(self, x, channels, depth, w_scale):
        if x.dtype == "FLOAT32":
            return tw.float32_tensor(self.floats(channels, -0.2, 0.2), [channels])
        reach = int(math.sqrt(depth) * 73 * 73 / 4) + 1
        return tw.int32_bias([self.r.randint(-reach, reach) for _ in range(channels)])


def window_fits(size, k, stride, dilation, padding):
    effective = (k - 1) * dilation + 1
    return padding == "SAME" or size >= effective


def conv_model(g, dtype, stride, dilation, padding, act, index, depthwise=False, multiplier=1, channels_in=None):
    """A convolution; a depthwise one of a one-channel input with a depth
    multiplier (channels_in=1) is imported as the convolution it equals."""
    m = Recorder(f"conv corpus {index}")
    kh, kw = g.r.choice([(3, 3), (1, 1), (2, 3), (3, 1), (5, 5)])
    h = max(g.r.randint(4, 11), (kh - 1) * dilation[0] + 1)
    w = max(g.r.randint(4, 11), (kw - 1) * dilation[1] + 1)
    c = channels_in or g.r.randint(1 if multiplier == 1 else 2, 5)
    x = g.input(m, [1, h, w, c], dtype)
    per_channel = index % 2 == 0
    with_bias = index % 3 != 2
    if depthwise:
        channels = c * multiplier
        wts, ws = g.weights(x, [1, kh, kw, channels], per_channel, channels)
        depth = kh * kw
    else:
        channels = g.r.randint(1, 8)
        wts, ws = g.weights(x, [channels, kh, kw, c], per_channel, channels)
        depth = kh * kw * c
    b = g.bias(x, channels, depth, ws) if with_bias else None
    out = g.output_quant(x, ws, depth) if dtype == "INT8" else None
    kind = "depthwise_conv2d" if depthwise and not (c == 1 and multiplier > 1) else "conv2d"
    args = dict(stride=stride, dilation=dilation, padding=padding, activation=act)
    if depthwise:
        y = m.depthwise_conv2d(x, wts, b, out, depth_multiplier=multiplier, **args)
    else:
        y = m.conv2d(x, wts, b, out, **args)
    m.output(y)
    m.note(kind, stride=stride, dilation=dilation, padding=padding, activation=act,
           multiplier=multiplier if kind == "depthwise_conv2d" else 1,
           filter=(kh, kw), bias=int(with_bias), per_channel=int(per_channel and dtype == "INT8" and channels > 1))
    return m


def pool_model(g, dtype, kind, stride, padding, act):
    m = Recorder(f"{kind} corpus")
    fh, fw = g.r.choice([(2, 2), (3, 3), (2, 3), (1, 2), (4, 4)])
    x = g.input(m, [1, max(g.r.randint(3, 10), fh), max(g.r.randint(3, 10), fw), g.r.randint(1, 6)], dtype)
    f = m.max_pool2d if kind == "max_pool2d" else m.average_pool2d
    m.output(f(x, (fh, fw), stride, padding, act))
    m.note(kind, stride=stride, padding=padding, activation=act, filter=(fh, fw))
    return m


def fc_model(g, dtype, keep, with_bias, act, per_channel):
    m = Recorder("fully_connected corpus")
    depth = g.r.randint(1, 40)
    units = g.r.randint(2, 12)  # per-channel needs more than one channel
    x = g.input(m, [g.r.randint(1, 3), g.r.randint(1, 3), depth] if keep else [g.r.randint(1, 3), depth], dtype)
    wts, ws = g.weights(x, [units, depth], per_channel, units)
    b = g.bias(x, units, depth, ws) if with_bias else None
    out = g.output_quant(x, ws, depth) if dtype == "INT8" else None
    m.output(m.fully_connected(x, wts, b, out, activation=act, keep_num_dims=keep))
    m.note("fully_connected", activation=act, keep_num_dims=int(keep), bias=int(with_bias),
           per_channel=int(per_channel and dtype == "INT8" and units > 1))
    return m


def add_model(g, dtype, act):
    """A residual add: x + conv1x1(x)."""
    m = Recorder("add corpus")
    c = g.r.randint(1, 6)
    x = g.input(m, [1, g.r.randint(2, 8), g.r.randint(2, 8), c], dtype)
    wts, ws = g.weights(x, [c, 1, 1, c], True, c)
    y = m.conv2d(x, wts, g.bias(x, c, c, ws), g.output_quant(x, ws, c) if dtype == "INT8" else None)
    out = (g.scale(0.005, 0.05), g.zero_point()) if dtype == "INT8" else None
    m.output(m.add(x, y, out, act))
    m.note("conv2d", filter=(1, 1), bias=1, per_channel=int(dtype == "INT8" and c > 1), padding="same")
    m.note("add", activation=act)
    return m


def softmax_model(g, dtype, beta, rank4):
    m = Recorder("softmax corpus")
    shape = [1, g.r.randint(1, 4), g.r.randint(1, 4), g.r.randint(2, 12)] if rank4 else [g.r.randint(1, 4),
                                                                                          g.r.randint(2, 40)]
    x = g.input(m, shape, dtype)
    m.output(m.softmax(x, beta))
    m.note("softmax")
    return m


def reshape_model(g, dtype, to_rank2):
    m = Recorder("reshape corpus")
    h, w, c = g.r.randint(1, 5), g.r.randint(1, 5), g.r.randint(1, 5)
    if to_rank2:
        x = g.input(m, [1, h, w, c], dtype)
        y = m.reshape(x, [1, h * w * c])
    else:
        x = g.input(m, [1, h * w * c], dtype)
        y = m.reshape(x, [1, h, w, c])
    # A softmax after it, so the model's output is an operator's own tensor.
    m.output(m.softmax(y))
    m.note("reshape")
    m.note("softmax")
    return m


def random_shape(g, rank):
    return [g.r.randint(1, 2)] + [g.r.randint(1, 6) for _ in range(rank - 1)]


def pad_model(g, dtype, rank, with_value):
    m = Recorder("pad corpus")
    x = g.input(m, random_shape(g, rank), dtype)
    paddings = [(g.r.randint(0, 3), g.r.randint(0, 3)) for _ in range(rank)]
    value = None
    if with_value:
        value = g.r.randint(-128, 127) if dtype == "INT8" else g.r.uniform(-2, 2)
    m.output(m.pad(x, paddings, value))
    m.note("pad")
    return m


def transpose_model(g, dtype, perm):
    m = Recorder("transpose corpus")
    x = g.input(m, random_shape(g, len(perm)), dtype)
    m.output(m.transpose(x, perm))
    m.note("transpose")
    return m


def quantize_model(g, source):
    """QUANTIZE from float32 or int8 to int8, then back to the source dtype
    of a second output's kind where that tests the other direction."""
    m = Recorder("quantize corpus")
    x = g.input(m, random_shape(g, g.r.randint(1, 4)), source)
    m.output(m.quantize(x, (g.scale(0.002, 0.2), g.zero_point())))
    m.note("quantize")
    return m


def dequantize_model(g):
    m = Recorder("dequantize corpus")
    x = g.input(m, random_shape(g, g.r.randint(1, 4)), "INT8")
    m.output(m.dequantize(x))
    m.note("dequantize")
    return m


def mean_model(g, dtype, rank, axes, keep_dims, same_quant):
    m = Recorder("mean corpus")
    x = g.input(m, [g.r.randint(1, 3)] + [g.r.randint(1, 7) for _ in range(rank - 1)], dtype)
    out = None
    if dtype == "INT8" and not same_quant:
        out = (x.scale * g.r.uniform(0.3, 3.0), g.zero_point())
    m.output(m.mean(x, axes, keep_dims, out))
    m.note("mean")
    return m


def resize_nearest_model(g, dtype, align_corners, half_pixel_centers):
    m = Recorder("resize corpus")
    x = g.input(m, [g.r.randint(1, 2), g.r.randint(1, 7), g.r.randint(1, 7), g.r.randint(1, 4)], dtype)
    size = (g.r.randint(1, 16), g.r.randint(1, 16))
    m.output(m.resize_nearest_neighbor(x, size, align_corners, half_pixel_centers))
    m.note("resize_nearest_neighbor")
    return m


def io_model(g, dtype, variant):
    """Several inputs, several outputs and constant operands."""
    m = Recorder("inputs and outputs corpus")
    shape = [1, g.r.randint(1, 6), g.r.randint(1, 6), g.r.randint(1, 5)]
    out = (lambda: (g.scale(0.005, 0.05), g.zero_point())) if dtype == "INT8" else (lambda: None)
    if variant == "two_inputs":  # out0 = a + b, out1 = mean(b)
        a, b = g.input(m, shape, dtype), g.input(m, shape, dtype)
        m.output(m.add(a, b, out()))
        m.output(m.mean(b, [1, 2]))
        m.note("add")
        m.note("mean")
    elif variant == "constant_operand":  # x + c, c a constant tensor with its own quantization
        x = g.input(m, shape, dtype)
        n = math.prod(shape)
        if dtype == "INT8":
            c = m.constant(g.int8s(n, -128, 127), shape, "INT8", g.scale(0.005, 0.05), g.zero_point())
        else:
            c = m.constant(g.floats(n), shape, "FLOAT32")
        first = g.r.random() < 0.5
        m.output(m.add(c, x, out()) if first else m.add(x, c, out()))
        m.note("add")
    elif variant == "intermediate_output":  # y = conv(x) is an output and read by the add after it
        x = g.input(m, shape, dtype)
        ch = shape[3]
        wts, ws = g.weights(x, [ch, 1, 1, ch], True, ch)
        y = m.conv2d(x, wts, g.bias(x, ch, ch, ws), g.output_quant(x, ws, ch) if dtype == "INT8" else None)
        z = m.add(x, y, out())
        for t in ((z, y) if g.r.random() < 0.5 else (y, z)):
            m.output(t)
        m.note("conv2d", filter=(1, 1), bias=1, per_channel=int(dtype == "INT8" and ch > 1), padding="same")
        m.note("add")
    else:  # three inputs, three outputs
        a, b = g.input(m, shape, dtype), g.input(m, shape, dtype)
        c = g.input(m, [g.r.randint(1, 3), g.r.randint(2, 9)], dtype)
        m.output(m.softmax(c))
        m.output(m.add(a, b, out()))
        m.output(m.pad(a, [(0, 0), (1, 0), (0, 2), (0, 0)]))
        m.note("softmax")
        m.note("add")
        m.note("pad")
    return m


def axis_sets(rank):
    """Every non-empty set of axes of a rank-`rank` input."""
    return [[d for d in range(rank) if k >> d & 1] for k in range(1, 1 << rank)]


def reduce_model(g, kind, dtype, rank, axes, keep_dims, quant="same"):
    """SUM or REDUCE_MAX over `axes` of a small input. An int8 SUM's output
    scale (quant): the input's ("same"), one that keeps typical sums in
    range ("fitted"), or extreme ones whose multiplier is tiny (2^-9 to
    2^-12) or above 1 ("large": a left shift)."""
    m = Recorder(f"{kind} corpus")
    shape = [g.r.randint(1, 3)] + [g.r.randint(1, 5) for _ in range(rank - 1)]
    x = g.input(m, shape, dtype)
    if kind == "reduce_max":
        y = m.reduce_max(x, axes, keep_dims)
    else:
        out = None
        if dtype == "INT8" and quant != "same":
            n = math.prod(shape[a % rank] for a in set(a % rank for a in axes))
            factor = {"fitted": math.sqrt(n) * g.r.uniform(1.0, 3.0), "tiny": 2 ** g.r.uniform(9, 12),
                      "large": 1 / g.r.uniform(1.5, 6.0)}[quant]
            out = (x.scale * factor, g.zero_point())
        y = m.sum(x, axes, keep_dims, out)
    m.output(y)
    m.note(kind)
    return m


def arg_model(g, kind, dtype, rank, axis):
    """ARG_MAX or ARG_MIN along `axis` (int32 output). Models named _ties get
    inputs of few values (and NaNs for float32) from test_tflm."""
    m = Recorder(f"{kind} corpus")
    x = g.input(m, [g.r.randint(1, 3)] + [g.r.randint(1, 6) for _ in range(rank - 1)], dtype)
    m.output(m.arg_max(x, axis) if kind == "arg_max" else m.arg_min(x, axis))
    m.note(kind)
    return m


def gather_model(g, dtype, rank, axis, batch_dims, from_input):
    """GATHER along `axis` with batch_dims, the positions a constant (every
    one inside the axis) or an int32 model input (test_tflm draws it inside
    the axis)."""
    m = Recorder("gather corpus")
    shape = [g.r.randint(1, 3) for _ in range(rank)]
    a = axis % rank
    shape[a] = g.r.randint(2, 6)
    x = g.input(m, shape, dtype)
    # batch_dims -1 counts from the positions' last axis: rank-2 positions, 1.
    bd, extra = (1, 1) if batch_dims < 0 else (batch_dims, g.r.randint(1, 2))
    pshape = shape[:bd] + [g.r.randint(1, 3) for _ in range(extra)]
    while len(shape) - 1 + len(pshape) - bd > 4:
        pshape.pop()
    if from_input:
        positions = m.input(pshape, "INT32", name="positions")
    else:
        positions = ([g.r.randrange(shape[a]) for _ in range(math.prod(pshape))], pshape)
    m.output(m.gather(x, positions, axis, batch_dims))
    m.note("gather")
    return m


def indices_model(g, dtype):
    """Token ids (an int32 model input) looked up in a constant embedding
    table by GATHER, and the ARG_MAX of each embedding (an int32 model
    output); check_io.py draws ids below 4."""
    m = Recorder("inputs and outputs corpus")
    vocabulary, width, length = g.r.randint(4, 9), g.r.randint(2, 6), g.r.randint(1, 6)
    ids = m.input([1, length], "INT32", name="token_ids")
    n = vocabulary * width
    if dtype == "INT8":
        table = m.constant(g.int8s(n, -128, 127), [vocabulary, width], "INT8", g.scale(0.005, 0.05), g.zero_point())
    else:
        table = m.constant(g.floats(n), [vocabulary, width], "FLOAT32")
    e = m.gather(table, ids)
    m.output(m.arg_max(e, -1))
    m.output(e)
    m.note("gather")
    m.note("arg_max")
    return m


BINARY_KINDS = ["add", "sub", "mul", "div", "squared_difference", "maximum", "minimum"]
WITH_ACTIVATION = ("add", "sub", "mul", "div")
# Broadcast patterns: both inputs of the output's shape (ranks 1 to 4), one
# input a scalar-like [1], a row (the last axis alone), a column (last axis
# 1), both inputs broadcasting, and inputs of lower rank with ones inside;
# "_first": the broadcast input is the first.
BINARY_PATTERNS = ["same_r1", "same_r2", "same_r3", "same_r4", "scalar", "scalar_first", "row", "row_first", "column",
                   "column_first", "both", "both_ranks", "ranks", "ranks_first"]


def binary_shapes(g, pattern):
    """(output shape, first input's shape, second input's shape) of a pattern."""
    def out_shape(rank):
        return [g.r.randint(1, 2)] + [g.r.randint(2, 5) for _ in range(rank - 1)] if rank == 4 else \
            [g.r.randint(2, 5) for _ in range(rank)]
    first = pattern.endswith("_first")
    p = pattern[:-len("_first")] if first else pattern
    if p.startswith("same_r"):
        o = out_shape(int(p[-1]))
        return o, o, o
    if p == "scalar":
        o = out_shape(g.r.randint(1, 4))
        a, b = o, [1]
    elif p == "row":
        o = out_shape(g.r.randint(2, 4))
        a, b = o, [o[-1]]
    elif p == "column":
        o = out_shape(g.r.randint(2, 4))
        a, b = o, o[:-1] + [1]
    elif p in ("both", "both_ranks"):
        o = out_shape(g.r.randint(2, 4))
        axes = list(range(len(o)))
        g.r.shuffle(axes)
        cut = g.r.randint(1, len(o) - 1)
        a = [1 if d in axes[:cut] else n for d, n in enumerate(o)]
        b = [1 if d in axes[cut:] else n for d, n in enumerate(o)]
        if p == "both_ranks":  # leading ones dropped
            while len(b) > 1 and b[0] == 1:
                b = b[1:]
    else:  # "ranks": a lower-rank input with a one inside
        o = out_shape(4)
        k = g.r.randint(2, 3)
        b = o[-k:]
        b[g.r.randint(0, k - 2)] = 1
        a = o
    return (o, b, a) if first else (o, a, b)


def fitted_quant(g, lo, hi):
    """An int8 (scale, zero point) that spreads the real interval [lo, hi]
    over int8, give or take a random factor."""
    scale = max(hi - lo, 1e-6) / 255 * g.r.uniform(0.8, 1.3)
    return scale, max(-128, min(127, round(-128 - lo / scale)))


def typical(lo, hi, k):
    """Where the mean of k values spread uniformly over [lo, hi] falls, about
    two standard deviations either side of the centre."""
    half = (hi - lo) * 0.6 / math.sqrt(k)
    mid = (lo + hi) / 2
    return max(lo, mid - half), min(hi, mid + half)


class Operands:
    """Inputs of a binary operator made from the model's one input x, each
    with the interval its real values typically fall in (int8: quantized to
    spread that interval over int8 unless `keep`, x's quantization)."""

    def __init__(self, g, m, x, keep):
        self.g, self.m, self.x, self.keep = g, m, x, keep
        if x.dtype == "INT8":
            self.range = (x.scale * (-128 - x.zero_point), x.scale * (127 - x.zero_point))
        else:
            self.range = (-1.0, 1.0)
        self.ranges = {x.index: self.range}

    def quant(self, lo, hi):
        if self.x.dtype != "INT8":
            return None
        return (self.x.scale, self.x.zero_point) if self.keep else fitted_quant(self.g, lo, hi)

    def mean_of(self, shape):
        """x's mean over the axes `shape` repeats, reshaped to its rank."""
        m, x = self.m, self.x
        rank = len(x.shape)
        aligned = [1] * (rank - len(shape)) + list(shape)
        axes = [d for d in range(rank) if aligned[d] == 1 and x.shape[d] != 1]
        y, r = x, self.range
        if axes:
            r = typical(*self.range, math.prod(x.shape[d] for d in axes))
            y = m.mean(x, axes, True, self.quant(*r))
            m.note("mean")
        if list(y.shape) != list(shape):
            y = m.reshape(y, shape)
            m.note("reshape")
        self.ranges[y.index] = r
        return y

    def smoothed(self):
        """x's shape, other values: a 2x2 average pool over x seen as
        [1, ..., C] (the quantization kept), then requantized (int8)."""
        m, x = self.m, self.x
        y = x
        if len(x.shape) != 4:
            y = m.reshape(x, [1] * (4 - len(x.shape)) + list(x.shape))
            m.note("reshape")
        y = m.average_pool2d(y, (2, 2), (1, 1), "SAME")
        m.note("average_pool2d", padding="same", filter=(2, 2))
        if len(x.shape) != 4:
            y = m.reshape(y, x.shape)
            m.note("reshape")
        r = typical(*self.range, 4)
        if x.dtype == "INT8" and not self.keep:
            y = m.quantize(y, self.quant(*r))
            m.note("quantize")
        self.ranges[y.index] = r
        return y


def result_range(kind, a, b):
    """The interval of kind(a, b) for a in interval a, b in interval b."""
    if kind == "add":
        return a[0] + b[0], a[1] + b[1]
    if kind == "sub":
        return a[0] - b[1], a[1] - b[0]
    if kind == "mul":
        p = [x * y for x in a for y in b]
        return min(p), max(p)
    d = (a[0] - b[1], a[1] - b[0])
    return (0.0 if d[0] <= 0 <= d[1] else min(d[0] ** 2, d[1] ** 2)), max(d[0] ** 2, d[1] ** 2)


def binary_output(g, kind, x1, x2, fitted, quant):
    """The int8 output quantization of operator `kind` on inputs x1, x2:
    "ordinary" (`fitted`, the result's interval spread over int8), "tiny"
    (a multiplier of 2^-20 to 2^-31: nearly every output at the zero point) or
    "large" (outputs saturate; for mul and squared_difference a multiplier
    above one). (binary_model's "skewed": inputs of scales 40 times apart,
    the output "ordinary".) A divisor is a softmax (scale 1/256): the multiplier
    s1 / (s2 * s_out) stays at 2^6 or more, where TFLite's reference kernel
    never fails an assertion on an int8 dividend (0 or -1 divided by a large
    divisor shifts right by more than 31 bits below that)."""
    s1, s2 = x1.scale, x2.scale
    if kind == "div":
        return (s1 * {"ordinary": g.r.uniform(1.5, 3.9), "large": 0.05}[quant], g.zero_point())
    if quant == "ordinary":
        return fitted
    big = max(s1, s2)
    if kind in ("add", "sub"):
        scale = {"tiny": big * 3000, "large": big * 0.01}[quant]
    elif kind == "mul":
        scale = {"tiny": s1 * s2 * 1e6, "large": s1 * s2 * g.r.uniform(0.3, 0.9)}[quant]
    else:  # squared_difference; the multiplier stays below 4 (no overflow)
        scale = {"tiny": big * big * 1e5, "large": big * big / g.r.uniform(4200, 12000)}[quant]
    return (scale, g.zero_point())


def binary_model(g, kind, dtype, pattern, act="NONE", quant="ordinary", shapes=None):
    """One binary operator on inputs made from the model's one input x (of
    the output's shape): x itself where an input has x's shape (the other of
    two such is x smoothed), else x's mean over the axes the input repeats.
    int8 operands and output spread what they typically hold over int8
    (maximum and minimum: x's quantization, which they require); x's zero
    point is random, extremes included. An int8 divisor is a softmax, whose
    values never equal its zero point (TFLite aborts on a zero divisor).
    `shapes`: (output, first input, second input) instead of the pattern's."""
    m = Recorder(f"{kind} corpus")
    o, sa, sb = shapes or binary_shapes(g, pattern)
    x = g.input(m, o, dtype)
    ops = Operands(g, m, x, kind in ("maximum", "minimum"))

    def make(shape, second):
        if list(shape) == list(o):
            return ops.smoothed() if second else x
        return ops.mean_of(shape)

    a = make(sa, False)
    b = make(sb, list(sa) == list(o))
    int8 = dtype == "INT8"
    if quant == "skewed":  # input scales 40 times apart: one input multiplier near 1/80
        r = ops.ranges[b.index]
        b = m.quantize(b, (b.scale * 40, b.zero_point))
        m.note("quantize")
        ops.ranges[b.index] = r
        quant = "ordinary"
    out = None
    if kind == "div" and int8:
        lo, hi = ops.ranges[b.index]
        b = m.softmax(m.quantize(b, (0.004, max(-128, min(127, round(-(lo + hi) / 2 / 0.004))))))
        m.note("quantize")
        m.note("softmax")
        out = binary_output(g, kind, a, b, None, quant)
        if quant == "ordinary":  # the zero point where a typical quotient (b near 1 / its row) is 0
            lo, hi = ops.ranges[a.index]
            out = (out[0], max(-128, min(127, round(-(lo + hi) / 2 * b.shape[-1] / out[0]))))
    elif int8 and kind not in ("maximum", "minimum"):
        fitted = fitted_quant(g, *result_range(kind, ops.ranges[a.index], ops.ranges[b.index]))
        out = binary_output(g, kind, a, b, fitted, quant)
    if kind in WITH_ACTIVATION:
        y = getattr(m, kind)(a, b, out, act)
    else:
        y = getattr(m, kind)(a, b, out)
    m.output(y)
    m.note(kind, activation=act)
    return m


def binary_constant_model(g, kind, dtype, pattern):
    """A binary operator whose second input is a constant tensor of the
    pattern's second shape (a per-channel scale or offset, say), with its
    own quantization; int8 outputs get a scale wide enough for the result
    (maximum and minimum: the input's quantization, which they require)."""
    m = Recorder(f"{kind} with a constant corpus")
    o, _, sb = binary_shapes(g, pattern)
    x = g.input(m, o, dtype)
    n = math.prod(sb)
    out = None
    if dtype == "INT8":
        same = kind in ("maximum", "minimum")
        scale, zp = (x.scale, x.zero_point) if same else (g.scale(0.005, 0.05), g.zero_point())
        values = g.int8s(n, -128, 127)
        if kind == "div":  # divisors away from their zero point
            zp = -128
            values = [g.r.randint(-60, 127) for _ in range(n)]
        c = m.constant(values, sb, "INT8", scale, zp)
        reach = {"add": x.scale + scale, "sub": x.scale + scale, "mul": x.scale * scale * 128,
                 "squared_difference": (x.scale + scale) ** 2 * 128, "div": x.scale / scale / 128}
        out = (x.scale, x.zero_point) if same else (reach[kind] * g.r.uniform(0.6, 1.2), g.zero_point())
    else:
        values = g.floats(n, 0.5, 2.0) if kind == "div" else g.floats(n)
        c = m.constant(values, sb, "FLOAT32")
    m.output(getattr(m, kind)(x, c, out))
    m.note(kind)
    return m


def unary_quantizations(g, kind):
    """(input, output) int8 quantizations for a unary operator: ordinary
    ones, extreme zero points, and scales at the edges of what each kind's
    arithmetic takes (tiny and large ratios, saturation reached or not)."""
    ordinary = [((g.scale(0.005, 0.1), g.zero_point()), None) for _ in range(3)]
    extreme = [((g.scale(1e-4, 2e-4), -128), None), ((g.scale(0.3, 0.6), 127), None), ((0.05, 0), None)]
    cases = []
    for (si, zi), _ in ordinary + extreme:
        if kind == "logistic":
            out = (1 / 256, -128) if len(cases) % 2 == 0 else (g.scale(0.01, 0.5), -128)  # TFLite ignores the scale
        elif kind == "tanh":
            out = (1 / 128, 0) if len(cases) % 2 == 0 else (g.scale(0.01, 0.5), g.zero_point())  # ignored
        elif kind == "hard_swish":
            # The output multiplier (input scale / 128 / output scale) must be below one; from ratios near
            # that limit to ones so small the int16 rounding shift passes 15.
            ratio = [g.r.uniform(0.5, 2.0), 1 / 127, 1 / 100, 700.0, 3000.0, 1.0][len(cases)]
            out = (si * ratio, g.zero_point())
        elif kind == "rsqrt":
            # TFLite Micro stops on inputs below the zero point: -128 keeps every input valid. Outputs from
            # 1 / sqrt(255 * scale) to 1 / sqrt(scale), then scales that saturate or flush.
            zi = -128
            ratio = [1 / 127, 1 / 40, 1 / 300, 1e-4, 1.0, 1 / 127][len(cases)]
            out = (ratio / math.sqrt(si), g.zero_point())
        elif kind == "relu6":
            out = (si, zi) if len(cases) % 2 == 0 else (g.scale(0.005, 0.1), g.zero_point())  # TFLite ignores it
        else:
            ratio = [g.r.uniform(0.5, 2.0), g.r.uniform(0.05, 0.2), g.r.uniform(3, 20), 1e-3, 300.0, 1.0][len(cases)]
            out = (si * ratio, g.zero_point())
        cases.append(((si, zi), out))
    if kind == "abs":  # equal scales: no requantization
        cases[-1] = (cases[-1][0], cases[-1][0])
    return cases


def unary_shape(g):
    """A random shape of rank 1 to 4, of up to a few thousand elements, so
    that the schedule cuts most of them across cores (by rows of the last
    axis: a rank-1 tensor is one row)."""
    rank = g.r.randint(1, 4)
    if rank == 1:
        return [g.r.randint(1, 700)]
    if rank == 2:
        return [g.r.randint(2, 40), g.r.randint(1, 60)]
    if rank == 3:
        return [g.r.randint(1, 2), g.r.randint(2, 16), g.r.randint(1, 40)]
    return [g.r.randint(1, 2), g.r.randint(1, 8), g.r.randint(2, 8), g.r.randint(1, 24)]


def unary_model(g, kind, dtype, quant=None, **options):
    """One unary operator on a random shape (unary_shape)."""
    m = Recorder(f"{kind} corpus")
    shape = unary_shape(g)
    if dtype == "INT8":
        (si, zi), out = quant
        x = m.input(shape, "INT8", si, zi)
    else:
        x = m.input(shape, "FLOAT32")
        out = None
    y = getattr(m, kind)(x, output=out, **options) if out is not None else getattr(m, kind)(x, **options)
    m.output(y)
    m.note(kind)
    return m


UNARY_ACTIVATIONS = ["relu", "relu6", "leaky_relu", "logistic", "tanh", "hard_swish", "elu", "abs", "rsqrt"]
UNARY_FLOAT_ONLY = ["neg", "sqrt", "square", "exp", "log", "sin", "cos", "floor", "ceil", "round"]
LEAKY_ALPHAS = [0.2, 0.01, -0.5, 1.5, 0.0, 0.3]


def unary_models(g):
    """op_<kind>_<dtype>_<k>: every unary operator on int8 quantizations of
    unary_quantizations and on float32; float32 models named _wide get inputs
    in [-30, 30] (test_tflm), to reach where the functions saturate."""
    models = {}
    for kind in UNARY_ACTIVATIONS:
        for k, quant in enumerate(unary_quantizations(g, kind)):
            options = {"alpha": LEAKY_ALPHAS[k]} if kind == "leaky_relu" else {}
            models[f"op_{kind}_int8_{k}"] = unary_model(g, kind, "INT8", quant, **options)
        for k in range(4):
            options = {"alpha": LEAKY_ALPHAS[k]} if kind == "leaky_relu" else {}
            tag = "wide_" if k % 2 else ""
            models[f"op_{kind}_float32_{tag}{k}"] = unary_model(g, kind, "FLOAT32", **options)
    for kind in UNARY_FLOAT_ONLY:
        for k in range(4):
            models[f"op_{kind}_float32_{'wide_' if k % 2 else ''}{k}"] = unary_model(g, kind, "FLOAT32")
    for dtype in ("INT8", "FLOAT32"):
        models[f"op_unary_chain_{dtype.lower()}"] = unary_chain_model(g, dtype)
    for source in ("INT8", "FLOAT32"):
        for target in ("INT8", "FLOAT32"):
            for k in range(3):
                tag = "wide_" if source == "FLOAT32" and k % 2 else ""
                models[f"op_cast_{source.lower()}_to_{target.lower()}_{tag}{k}"] = cast_model(g, source, target)
    return models


def unary_chain_model(g, dtype):
    """RELU, TANH, ABS, LEAKY_RELU in a row, then an add of the input: with
    the input live throughout, each but the first writes its output over its
    input's bytes (in place), which saves a buffer."""
    m = Recorder("unary chain corpus")
    x = g.input(m, [2, g.r.randint(4, 16), g.r.randint(2, 30)], dtype)
    int8 = dtype == "INT8"
    y = m.relu(x, (x.scale * 0.7, -128) if int8 else None) if int8 else m.relu(x)
    y = m.tanh(y)
    y = m.abs(y, (1 / 100, -100)) if int8 else m.abs(y)
    y = m.leaky_relu(y, 0.25, (1 / 90, 3)) if int8 else m.leaky_relu(y, 0.25)
    m.output(m.add(y, x, (0.05, 0) if int8 else None))
    for kind in ("relu", "tanh", "abs", "leaky_relu", "add"):
        m.note(kind)
    return m


def cast_model(g, source, target):
    m = Recorder("cast corpus")
    x = g.input(m, unary_shape(g), source)
    out = (g.scale(0.005, 0.1), g.zero_point()) if target == "INT8" else None
    m.output(m.cast(x, target, out))
    m.note("cast")
    return m

# -- PRELU, RESIZE_BILINEAR, L2_POOL_2D, TRANSPOSE_CONV, DEPTH_TO_SPACE,
# SPACE_TO_DEPTH, MIRROR_PAD: small models (a few hundred elements), many
# parameter combinations.

def prelu_model(g, dtype, pattern, shape=None):
    """PRELU of x with alpha a constant of the pattern's shape ("channel":
    [C], "pixel": [1, 1, C], "same": x's shape, "scalar": [1]) or a second
    model input ("input": x's shape, "input_channel": [C]); alphas of both
    signs, above and below 1."""
    m = Recorder("prelu corpus")
    shape = shape or [g.r.randint(1, 2), g.r.randint(1, 6), g.r.randint(1, 6), g.r.randint(1, 6)]
    x = g.input(m, shape, dtype)
    sb = {"channel": [shape[3]], "pixel": [1, 1, shape[3]], "same": shape, "scalar": [1],
          "input": shape, "input_channel": [shape[3]]}[pattern]
    n = math.prod(sb)
    int8 = dtype == "INT8"
    if pattern.startswith("input"):
        alpha = m.input(sb, dtype, g.scale(0.002, 0.05), g.zero_point(), name="alpha") if int8 else \
            m.input(sb, dtype, name="alpha")
    elif int8:
        alpha = m.constant(g.int8s(n, -128, 127), sb, "INT8", g.scale(0.002, 0.03), g.zero_point())
    else:
        alpha = m.constant(g.floats(n, -2.0, 2.0), sb, "FLOAT32")
    out = (x.scale * g.r.uniform(0.4, 2.0), g.zero_point()) if int8 else None
    m.output(m.prelu(x, alpha, out))
    m.note("prelu")
    return m


def resize_bilinear_model(g, dtype, align_corners, half_pixel_centers):
    m = Recorder("resize bilinear corpus")
    x = g.input(m, [g.r.randint(1, 2), g.r.randint(1, 6), g.r.randint(1, 6), g.r.randint(1, 4)], dtype)
    size = (g.r.randint(1, 13), g.r.randint(1, 13))
    m.output(m.resize_bilinear(x, size, align_corners, half_pixel_centers))
    m.note("resize_bilinear")
    return m


def l2_pool_model(g, stride, padding, act, shape=None):
    m = Recorder("l2_pool2d corpus")
    fh, fw = g.r.choice([(2, 2), (3, 3), (2, 3), (1, 2), (3, 1)])
    x = g.input(m, shape or [g.r.randint(1, 2), max(g.r.randint(2, 8), fh), max(g.r.randint(2, 8), fw),
                             g.r.randint(1, 5)], "FLOAT32")
    m.output(m.l2_pool2d(x, (fh, fw), stride, padding, act))
    m.note("l2_pool2d", stride=stride, padding=padding, activation=act, filter=(fh, fw))
    return m


def transpose_conv_model(g, dtype, stride, padding, act, with_bias, per_channel, extreme=False, sizes=None,
                         shape_input=False):
    """TRANSPOSE_CONV with random filter and input sizes and an output size
    among those whose convolution gives back the input's (TensorFlow's
    rule); extreme: per-channel weight scales from 1e-6 to 4; sizes: (kh,
    kw, h, w, c, output channels) instead of random ones; shape_input: the
    output_shape operand a model input."""
    m = Recorder("transpose_conv corpus")
    kh, kw = g.r.choice([(1, 1), (2, 2), (3, 3), (3, 2), (4, 4), (5, 3)])
    h, w, c = g.r.randint(1, 5), g.r.randint(1, 5), g.r.randint(1, 4)
    if sizes:
        kh, kw, h, w, c = sizes[:5]
    x = g.input(m, [g.r.randint(1, 2), h, w, c], dtype)

    def out_size(size, k, s):
        if padding == "SAME":
            return g.r.randint((size - 1) * s + 1, size * s)
        return g.r.randint((size - 1) * s + k, (size - 1) * s + k + s - 1)
    out_hw = (out_size(h, kh, stride[0]), out_size(w, kw, stride[1]))
    channels = sizes[5] if sizes else g.r.randint(1, 5) if not extreme else 4
    n = channels * kh * kw * c
    if dtype == "FLOAT32":
        wts, ws = tw.float32_tensor(g.floats(n, -0.5, 0.5), [channels, kh, kw, c]), 1.0
    else:
        if extreme:
            scales = [1e-6, 4.0, 0.02, 1e-3]
        else:
            scales = [g.scale(0.002, 0.02) for _ in range(channels if per_channel else 1)]
        wts, ws = tw.int8_weights(g.int8s(n), [channels, kh, kw, c], scales), sum(scales) / len(scales)
        if extreme:
            ws = 0.02
    depth = max(1, kh * kw * c // (stride[0] * stride[1]))
    b = g.bias(x, channels, depth, ws) if with_bias else None
    out = g.output_quant(x, ws, depth) if dtype == "INT8" else None
    m.output(m.transpose_conv(x, wts, out_hw, b, out, stride, padding, act, shape_input=shape_input))
    m.note("transpose_conv", stride=stride, padding=padding, activation=act, filter=(kh, kw), bias=int(with_bias),
           per_channel=int(dtype == "INT8" and (per_channel or extreme) and channels > 1))
    return m


def depth_space_model(g, dtype, kind, block, shape=None):
    m = Recorder(f"{kind} corpus")
    if shape:
        pass
    elif kind == "depth_to_space":
        shape = [g.r.randint(1, 2), g.r.randint(1, 4), g.r.randint(1, 4), block * block * g.r.randint(1, 3)]
    else:
        shape = [g.r.randint(1, 2), block * g.r.randint(1, 3), block * g.r.randint(1, 3), g.r.randint(1, 4)]
    x = g.input(m, shape, dtype)
    m.output(getattr(m, kind)(x, block))
    m.note(kind)
    return m


def mirror_pad_model(g, dtype, rank, mode, shape=None):
    m = Recorder("mirror_pad corpus")
    x = g.input(m, shape or [g.r.randint(1, 3)] + [g.r.randint(1, 6) for _ in range(rank - 1)], dtype)
    reach = [d - (1 if mode == "REFLECT" else 0) for d in x.shape]
    paddings = [(g.r.randint(0, min(r, 3)), g.r.randint(0, min(r, 3))) for r in reach]
    m.output(m.mirror_pad(x, paddings, mode))
    m.note("mirror_pad")
    return m


def spatial_models(g):
    """op_ models of the operators above, int8 and float32 (L2_POOL_2D:
    float32 only, as TFLite Micro)."""
    models = {}
    for dtype in DTYPES:
        d = dtype.lower()
        for pattern in ("channel", "pixel", "same", "scalar", "input", "input_channel"):
            for k in range(2):
                models[f"op_prelu_{d}_{pattern}_{k}"] = prelu_model(g, dtype, pattern)
        for align, half in ((False, False), (True, False), (False, True)):
            for k in range(6):
                tag = f"{'align' if align else 'noalign'}_{'half' if half else 'corner'}_{k}"
                models[f"op_resize_bilinear_{d}_{tag}"] = resize_bilinear_model(g, dtype, align, half)
        for s in ((1, 1), (2, 2), (2, 1), (3, 2)):
            for p in PADDINGS:
                for k, (with_bias, per_channel) in enumerate(((True, True), (False, False), (True, False),
                                                              (False, True))):
                    a = ACTIVATIONS[k]
                    tag = f"s{s[0]}x{s[1]}_{p.lower()}_{a.lower()}_{'bias' if with_bias else 'nobias'}"
                    if dtype == "INT8":
                        tag += "_pc" if per_channel else "_pt"
                    models[f"op_transpose_conv_{d}_{tag}"] = transpose_conv_model(g, dtype, s, p, a, with_bias,
                                                                                  per_channel)
        if dtype == "INT8":
            for k in range(4):
                s, p = ((1, 1), (2, 2), (2, 1), (3, 2))[k], PADDINGS[k % 2]
                models[f"op_transpose_conv_{d}_extreme_{k}"] = transpose_conv_model(g, dtype, s, p, "NONE", k % 2 == 0,
                                                                                   True, extreme=True)
        for kind in ("depth_to_space", "space_to_depth"):
            for block in (1, 2, 3, 4):
                for k in range(2 if block > 1 else 1):
                    models[f"op_{kind}_{d}_b{block}_{k}"] = depth_space_model(g, dtype, kind, block)
        for mode in ("REFLECT", "SYMMETRIC"):
            for rank in (1, 2, 3, 4):
                for k in range(2):
                    models[f"op_mirror_pad_{d}_{mode.lower()}_rank{rank}_{k}"] = mirror_pad_model(g, dtype, rank, mode)
    for s in STRIDES:
        for p in PADDINGS:
            for a in ("NONE", "RELU6") if s != (2, 1) else ACTIVATIONS:
                models[f"op_l2_pool2d_float32_s{s[0]}x{s[1]}_{p.lower()}_{a.lower()}"] = l2_pool_model(g, s, p, a)
    # A few thousand elements each: large enough for the schedule to cut
    # them across cores (the small ones above mostly run whole).
    for dtype in DTYPES:
        d = dtype.lower()
        models[f"op_prelu_{d}_large"] = prelu_model(g, dtype, "channel", [1, 10, 12, 16])
        models[f"op_prelu_{d}_input_large"] = prelu_model(g, dtype, "input", [2, 8, 8, 12])
        models[f"op_depth_to_space_{d}_large"] = depth_space_model(g, dtype, "depth_to_space", 2, [1, 8, 10, 48])
        models[f"op_space_to_depth_{d}_large"] = depth_space_model(g, dtype, "space_to_depth", 2, [1, 16, 20, 12])
        models[f"op_mirror_pad_{d}_reflect_large"] = mirror_pad_model(g, dtype, 4, "REFLECT", [1, 12, 14, 16])
        models[f"op_mirror_pad_{d}_symmetric_large"] = mirror_pad_model(g, dtype, 3, "SYMMETRIC", [20, 14, 12])
        # One output row of many channels: the schedule cuts the channels.
        models[f"op_transpose_conv_{d}_channels"] = transpose_conv_model(g, dtype, (1, 2), "VALID", "RELU", True, True,
                                                                        sizes=(1, 3, 1, 6, 4, 128))
    for k, s in enumerate(((1, 1), (2, 2))):
        models[f"op_l2_pool2d_float32_large_{k}"] = l2_pool_model(g, s, "SAME", "NONE", [1, 16, 18, 8])
    return models


def small_shape(g, rank, lo=1, hi=5):
    return [g.r.randint(lo, hi) for _ in range(rank)]


def movement_input(g, m, shape, dtype):
    """An input with a random quantization (int8, int16), which a raw copy keeps."""
    if dtype == "INT8":
        return m.input(shape, "INT8", g.scale(0.002, 0.2), g.zero_point())
    if dtype == "INT16":
        return int16_input(g, m, shape)
    return m.input(shape, "FLOAT32")


def concatenation_model(g, dtype, count, rank, constant=False):
    """`count` inputs; beyond 6 (a model takes at most 8 inputs), and the
    last with `constant`, constant tensors."""
    m = Recorder("concatenation corpus")
    axis = g.r.randrange(-rank, rank)
    base = small_shape(g, rank, 1, 4)
    q = (g.scale(0.002, 0.2), g.zero_point())
    xs = []
    for k in range(count):
        shape = list(base)
        shape[axis] = g.r.randint(1, 4)
        if k >= 6 or (constant and k == count - 1):
            n = math.prod(shape)
            xs.append(m.constant(g.int8s(n, -128, 127), shape, "INT8", *q) if dtype == "INT8" else
                      m.constant(g.floats(n), shape, "FLOAT32"))
        else:
            xs.append(m.input(shape, "INT8", *q) if dtype == "INT8" else m.input(shape, "FLOAT32"))
    m.output(m.concatenation(xs, axis))
    m.note("concatenation")
    return m


def pack_model(g, dtype, count, rank, axis):
    m = Recorder("pack corpus")
    shape = small_shape(g, rank, 1, 4)
    q = (g.scale(0.002, 0.2), g.zero_point())
    xs = [m.input(shape, "INT8", *q) if dtype == "INT8" else m.input(shape, "FLOAT32") for _ in range(count)]
    m.output(m.pack(xs, axis))
    for _ in range(count):
        m.note("reshape")
    m.note("concatenation")
    return m


def slice_model(g, dtype, rank):
    m = Recorder("slice corpus")
    shape = small_shape(g, rank, 1, 6)
    x = movement_input(g, m, shape, dtype)
    begin = [g.r.randrange(n) for n in shape]
    size = [-1 if g.r.random() < 0.25 else g.r.randint(1, n - b) for n, b in zip(shape, begin)]
    m.output(m.slice(x, begin, size))
    m.note("slice")
    return m


def strided_slice_shape(shape, begin, end, strides, begin_mask, end_mask, shrink):
    """The output shape TFLite Micro gives (strided_slice_logic.h), or None
    where it is empty or TFLite Micro writes nothing (a shrunk axis walked
    backwards or begun past its end)."""
    out = []
    for d, n in enumerate(shape):
        s = strides[d]

        def clamp(v):
            v = v + n if v < 0 else v
            lo, hi = (0, n) if s > 0 else (-1, n - 1)
            return min(max(v, lo), hi)
        start = clamp(begin[d])
        if begin_mask >> d & 1:
            start = 0 if s > 0 else n - 1
        if shrink >> d & 1:
            if s < 0 or start >= n:
                return None
            continue
        stop = clamp(end[d])
        if end_mask >> d & 1:
            stop = n if s > 0 else -1
        span = stop - start if s > 0 else start - stop
        if span <= 0:
            return None
        out.append(-(-span // abs(s)))
    return out or None


def strided_slice_model(g, dtype, rank, force=None, ignored=False):
    """A random STRIDED_SLICE of a rank-`rank` input; force = (mask, axis):
    that mask bit set."""
    while True:
        shape = small_shape(g, rank, 1, 7)
        begin = [g.r.randint(-n - 2, n + 1) for n in shape]
        end = [g.r.randint(-n - 2, n + 2) for n in shape]
        strides = [g.r.choice([1, 1, 2, 3, -1, -2]) for _ in shape]
        masks = {k: g.r.randrange(1 << rank) if g.r.random() < 0.5 else 0 for k in ("begin", "end", "shrink")}
        if force is not None:
            masks[force[0]] |= 1 << force[1]
        out = strided_slice_shape(shape, begin, end, strides, masks["begin"], masks["end"], masks["shrink"])
        if out is not None:
            break
    m = Recorder("strided slice corpus")
    x = movement_input(g, m, shape, dtype)
    extra = {"ellipsis_mask": g.r.randrange(1, 1 << rank), "new_axis_mask": g.r.randrange(1, 1 << rank)} \
        if ignored else {}
    m.output(m.strided_slice(x, begin, end, strides, out, masks["begin"], masks["end"], masks["shrink"], **extra))
    m.note("slice")
    return m


def split_model(g, dtype, parts, axis, rank):
    m = Recorder("split corpus")
    shape = small_shape(g, rank, 1, 3)
    shape[axis] = parts * g.r.randint(1, 3)
    x = movement_input(g, m, shape, dtype)
    for y in m.split(x, axis, parts):
        m.output(y)
        m.note("slice")
    return m


def split_v_model(g, dtype, rank):
    m = Recorder("split_v corpus")
    shape = small_shape(g, rank, 1, 3)
    axis = g.r.randrange(-rank, rank)
    sizes = [g.r.randint(1, 4) for _ in range(g.r.randint(2, 4))]
    shape[axis] = sum(sizes)
    x = movement_input(g, m, shape, dtype)
    for y in m.split_v(x, sizes, axis):
        m.output(y)
        m.note("slice")
    return m


def unpack_model(g, dtype, rank, axis):
    m = Recorder("unpack corpus")
    shape = small_shape(g, rank, 1, 4)
    x = movement_input(g, m, shape, dtype)
    for y in m.unpack(x, axis):
        m.output(y)
        m.note("slice")
    return m


def squeeze_model(g, dtype, with_dims):
    m = Recorder("squeeze corpus")
    rank = g.r.randint(2, 4)
    shape = small_shape(g, rank, 2, 5)
    ones = g.r.sample(range(rank), g.r.randint(1, rank - 1))
    for d in ones:
        shape[d] = 1
    x = movement_input(g, m, shape, dtype)
    dims = [d - rank if g.r.random() < 0.5 else d for d in g.r.sample(ones, g.r.randint(1, len(ones)))] \
        if with_dims else []
    # Between two copies, so that the reshape is not the model's input or output.
    y = m.squeeze(m.slice(x, [0] * rank, shape), dims)
    m.output(m.slice(y, [0] * len(y.shape), y.shape))
    m.note("slice")
    m.note("reshape")
    m.note("slice")
    return m


def expand_dims_model(g, dtype, axis):
    m = Recorder("expand_dims corpus")
    shape = small_shape(g, 3, 1, 5)
    x = movement_input(g, m, shape, dtype)
    y = m.expand_dims(m.slice(x, [0, 0, 0], shape), axis)
    m.output(m.slice(y, [0] * 4, y.shape))
    m.note("slice")
    m.note("reshape")
    m.note("slice")
    return m


def split_pack_model(g, dtype):
    """SPLIT, PACK, UNPACK and CONCATENATION in a row, with two outputs: the
    operators with several outputs and the views PACK adds, for `weft run
    --dump` (check_io.py) as well as test_tflm."""
    m = Recorder("split and pack corpus")
    x = movement_input(g, m, [2, 6, g.r.randint(1, 4)], dtype)
    parts = m.split(x, 1, 3)
    u = m.unpack(m.pack(parts, 0), 2)
    m.output(m.concatenation(u, -1))
    m.output(parts[1])
    for kind in ["slice"] * 3 + ["reshape"] * 3 + ["concatenation"] + ["slice"] * 2 + ["concatenation"]:
        m.note(kind)
    return m


def slicing_refusals():
    """(name, the words weft's message must contain, a function adding the
    operator to a writer model): slicing and joining operators TFLite Micro
    refuses (exit 2), aborts on, or writes nothing for."""
    def i8(m, shape, zp=0):
        return m.input(shape, "INT8", 0.05, zp)

    def concat_relu(m):
        m.output(m.concatenation([i8(m, [2, 3]), i8(m, [2, 3])], 1))
        m.operators[-1]["builtin_options"]["fused_activation_function"] = "RELU"

    def concat_quant(m):
        m.output(m.concatenation([i8(m, [2, 3]), i8(m, [2, 3], 5)], 1))

    def strided(begin, end, strides, shrink, shape):
        return lambda m: m.output(m.strided_slice(i8(m, [4, 5]), begin, end, strides, shape, shrink_axis_mask=shrink))

    def split_v_short(m):
        for y in m.split_v(i8(m, [4, 6]), [2, 2], 1):
            m.output(y)

    def unpack_num(m):
        for y in m.unpack(i8(m, [3, 2]), 0):
            m.output(y)
        m.operators[-1]["builtin_options"]["num"] = 2

    def expand_far(m):
        x = i8(m, [2, 3])
        m.output(m.expand_dims(x, 1))
        m.buffers[-1]["data"] = list(struct.pack("<i", 3))
    return [
        ("concatenation_activation", "operator 0 (CONCATENATION): fused activation RELU: TensorFlow Lite Micro's "
         "CONCATENATION takes none", concat_relu),
        ("concatenation_quantization", "operator 0 (CONCATENATION): concatenation: every int8 input must have the "
         "output's scale and zero point", concat_quant),
        ("slice_outside", "operator 0 (SLICE): takes elements [3, 5) of axis 1 of size 4",
         lambda m: m.output(m.slice(i8(m, [2, 4]), [0, 3], [2, 2]))),
        ("strided_slice_stride_0", "operator 0 (STRIDED_SLICE): its stride along axis 1 is 0",
         strided([0, 0], [4, 5], [1, 0], 0, [4, 5])),
        ("strided_slice_shrink_backwards", "operator 0 (STRIDED_SLICE): shrinks axis 0 with a negative stride",
         strided([1, 0], [2, 5], [-1, 1], 1, [5])),
        ("strided_slice_empty", "operator 0 (STRIDED_SLICE): takes no element along axis 1",
         strided([0, 3], [4, 1], [1, 1], 0, [4, 1])),
        ("split_v_uncovered", "operator 0 (SPLIT_V): its outputs take 4 elements along axis 1, which has 6",
         split_v_short),
        ("unpack_num", "operator 0 (UNPACK): its num is 2 with 3 outputs, along axis 0 of size 3", unpack_num),
        ("squeeze_not_one", "operator 0 (SQUEEZE): squeezes axis 1 of size 3",
         lambda m: m.output(m.squeeze(i8(m, [1, 3]), [1]))),
        ("expand_dims_axis", "operator 0 (EXPAND_DIMS): its axis 3 is not a place to insert an axis in a rank-2 "
         "input", expand_far),
    ]


def slicing_models(g):
    """CONCATENATION, PACK, SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, UNPACK,
    SQUEEZE, EXPAND_DIMS: small tensors, every axis (negative ones too)."""
    models = {}
    for dtype in DTYPES:
        d = dtype.lower()
        for count in range(1, 11):
            for k in range(2):
                rank = (count + k) % 4 + 1
                models[f"op_concatenation_{d}_{count}in_r{rank}_{k}"] = concatenation_model(g, dtype, count, rank)
        models[f"op_concatenation_{d}_constant"] = concatenation_model(g, dtype, 3, 3, constant=True)
        for rank in (1, 2, 3):
            for axis in range(-rank - 1, rank + 1):
                tag = str(axis).replace("-", "m")
                models[f"op_pack_{d}_r{rank}_axis{tag}"] = pack_model(g, dtype, g.r.randint(1, 4), rank, axis)
        for rank in (1, 2, 3, 4):
            for k in range(3):
                models[f"op_slice_{d}_r{rank}_{k}"] = slice_model(g, dtype, rank)
            for k in range(4):
                models[f"op_strided_slice_{d}_r{rank}_{k}"] = strided_slice_model(g, dtype, rank)
        for mask in ("begin", "end", "shrink"):
            for axis in range(4):
                models[f"op_strided_slice_{d}_{mask}_mask{axis}"] = strided_slice_model(g, dtype, 4, (mask, axis))
        models[f"op_strided_slice_{d}_ignored_masks"] = strided_slice_model(g, dtype, 3, ignored=True)
        for parts in (1, 2, 3, 4):
            for k, (rank, axis) in enumerate(((4, g.r.randrange(4)), (3, g.r.randrange(-3, 0)))):
                tag = str(axis).replace("-", "m")
                models[f"op_split_{d}_{parts}parts_r{rank}_axis{tag}"] = split_model(g, dtype, parts, axis, rank)
        for rank in (1, 2, 3, 4):
            models[f"op_split_v_{d}_r{rank}"] = split_v_model(g, dtype, rank)
        for rank in (2, 3, 4):
            for axis in range(rank):
                models[f"op_unpack_{d}_r{rank}_axis{axis}"] = unpack_model(g, dtype, rank, axis)
            models[f"op_unpack_{d}_r{rank}_axism1"] = unpack_model(g, dtype, rank, -1)
        for with_dims in (False, True):
            for k in range(2):
                models[f"op_squeeze_{d}_{'dims' if with_dims else 'all'}_{k}"] = squeeze_model(g, dtype, with_dims)
        for axis in (0, 2, 3, -1, -4, -2):
            models[f"op_expand_dims_{d}_axis{str(axis).replace('-', 'm')}"] = expand_dims_model(g, dtype, axis)
        # Outputs of about a thousand elements, which the schedule cuts
        # across cores (the small ones above run on one).
        for k, axis in enumerate((-1, 1)):
            m = Recorder("concatenation corpus")
            q = (g.scale(0.002, 0.2), g.zero_point())
            shapes = [[2, 9, 7, 5], [2, 13, 7, 5], [2, 4, 7, 5]] if axis == 1 else \
                [[2, 9, 7, 5], [2, 9, 7, 11], [2, 9, 7, 3]]
            xs = [m.input(sh, "INT8", *q) if dtype == "INT8" else m.input(sh, "FLOAT32") for sh in shapes]
            m.output(m.concatenation(xs, axis))
            m.note("concatenation")
            models[f"op_concatenation_{d}_cores_{k}"] = m
        m = Recorder("pack corpus")
        q = (g.scale(0.002, 0.2), g.zero_point())
        xs = [m.input([6, 7, 9], "INT8", *q) if dtype == "INT8" else m.input([6, 7, 9], "FLOAT32") for _ in range(4)]
        m.output(m.pack(xs, 2))
        for kind in ["reshape"] * 4 + ["concatenation"]:
            m.note(kind)
        models[f"op_pack_{d}_cores"] = m
        m = Recorder("slice corpus")
        m.output(m.slice(movement_input(g, m, [3, 17, 9, 11], dtype), [1, 2, 0, 3], [2, 14, -1, 5]))
        m.note("slice")
        models[f"op_slice_{d}_cores"] = m
        for k, (begin, end, strides, shape) in enumerate((([0, 1, 0, 0], [3, 17, 9, 11], [1, 1, 2, 1], [3, 16, 5, 11]),
                                                           ([2, -1, 8, 10], [0, 0, 0, 0], [-1, -1, -1, -2],
                                                            [2, 16, 8, 5]))):
            m = Recorder("strided slice corpus")
            m.output(m.strided_slice(movement_input(g, m, [3, 17, 9, 11], dtype), begin, end, strides, shape))
            m.note("slice")
            models[f"op_strided_slice_{d}_cores_{k}"] = m
        m = Recorder("split corpus")
        for y in m.split(movement_input(g, m, [2, 12, 9, 10], dtype), 1, 3):
            m.output(y)
            m.note("slice")
        models[f"op_split_{d}_cores"] = m
        m = Recorder("split_v corpus")
        for y in m.split_v(movement_input(g, m, [2, 9, 10, 12], dtype), [7, 1, 4], -1):
            m.output(y)
            m.note("slice")
        models[f"op_split_v_{d}_cores"] = m
        m = Recorder("unpack corpus")
        for y in m.unpack(movement_input(g, m, [6, 3, 9, 11], dtype), 1):
            m.output(y)
            m.note("slice")
        models[f"op_unpack_{d}_cores"] = m
    # float32 only: check_io.py builds int8 op_io_ models for a board too.
    models["op_io_float32_split_pack_0"] = split_pack_model(g, "FLOAT32")
    return models

def operator_models():
    g = Generator(2026)
    models = {}
    for dtype in DTYPES:
        d = dtype.lower()
        i = 0
        for s in STRIDES:
            for dl in DILATIONS:
                for p in PADDINGS:
                    for a in ACTIVATIONS:
                        tag = f"s{s[0]}x{s[1]}_d{dl[0]}x{dl[1]}_{p.lower()}_{a.lower()}"
                        models[f"op_conv2d_{d}_{tag}"] = conv_model(g, dtype, s, dl, p, a, i)
                        for mult in (1, 2, 3):
                            models[f"op_depthwise_conv2d_{d}_{tag}_m{mult}"] = conv_model(g, dtype, s, dl, p, a, i,
                                                                                          True, mult)
                        i += 1
        for k, (s, dl, p, a, mult) in enumerate([((1, 1), (1, 1), "VALID", "NONE", 8), ((2, 2), (1, 1), "SAME", "RELU", 4),
                                                  ((2, 1), (1, 2), "VALID", "RELU6", 2),
                                                  ((1, 1), (2, 2), "SAME", "NONE", 3)]):
            models[f"op_depthwise_conv2d_{d}_one_channel_m{mult}_{k}"] = conv_model(g, dtype, s, dl, p, a, 3 * k,
                                                                                   True, mult, channels_in=1)
        for kind in ("max_pool2d", "average_pool2d"):
            for s in STRIDES:
                for p in PADDINGS:
                    for a in ACTIVATIONS:
                        models[f"op_{kind}_{d}_s{s[0]}x{s[1]}_{p.lower()}_{a.lower()}"] = pool_model(g, dtype, kind, s,
                                                                                                    p, a)
        for keep in (False, True):
            for with_bias in (True, False):
                for a in ACTIVATIONS:
                    for per_channel in ((True, False) if dtype == "INT8" else (False,)):
                        tag = f"{'keep' if keep else 'flat'}_{'bias' if with_bias else 'nobias'}_{a.lower()}"
                        if dtype == "INT8":
                            tag += "_pc" if per_channel else "_pt"
                        models[f"op_fully_connected_{d}_{tag}"] = fc_model(g, dtype, keep, with_bias, a, per_channel)
        for a in ACTIVATIONS:
            models[f"op_add_{d}_{a.lower()}"] = add_model(g, dtype, a)
        for beta in (1.0, 0.5, 2.0):
            for rank4 in (False, True):
                models[f"op_softmax_{d}_beta{beta:g}_rank{4 if rank4 else 2}"] = softmax_model(g, dtype, beta, rank4)
        for to_rank2 in (True, False):
            models[f"op_reshape_{d}_{'flatten' if to_rank2 else 'unflatten'}"] = reshape_model(g, dtype, to_rank2)
        for rank in (1, 2, 3, 4):
            for with_value in (False, True):
                for k in range(3):
                    models[f"op_pad_{d}_rank{rank}_{'v2' if with_value else 'v1'}_{k}"] = pad_model(g, dtype, rank,
                                                                                                    with_value)
        for perm in ([1, 0], [0, 2, 1], [2, 0, 1], [0, 2, 3, 1], [0, 3, 1, 2], [3, 2, 1, 0], [1, 0, 3, 2],
                     [0, 1, 2, 3]):
            for k in range(2):
                models[f"op_transpose_{d}_{''.join(map(str, perm))}_{k}"] = transpose_model(g, dtype, perm)
        for k in range(8):
            models[f"op_quantize_{d}_to_int8_{k}"] = quantize_model(g, dtype)
        for kind in BINARY_KINDS:
            for pattern in BINARY_PATTERNS:
                models[f"op_{kind}_{d}_{pattern}"] = binary_model(g, kind, dtype, pattern)
            if kind in WITH_ACTIVATION:
                for a in ACTIVATIONS[1:]:
                    # Inputs of one shape, and inputs that broadcast.
                    for pattern in (g.r.choice(BINARY_PATTERNS[:4]), g.r.choice(BINARY_PATTERNS[4:])):
                        models[f"op_{kind}_{d}_{a.lower()}_{pattern}"] = binary_model(g, kind, dtype, pattern, a)
            if kind == "add":  # int8: large enough for add's rescaling table
                for k, shapes in enumerate((([2, 8, 8, 6], [2, 8, 8, 6], [2, 1, 8, 1]),
                                            ([2, 8, 8, 6], [1, 8, 1, 6], [2, 8, 8, 6]))):
                    models[f"op_add_{d}_table_{k}"] = binary_model(g, kind, dtype, "", "RELU", shapes=shapes)
            for pattern in ("same_r4", "row", "scalar", "column"):  # a constant second input
                models[f"op_{kind}_{d}_constant_{pattern}"] = binary_constant_model(g, kind, dtype, pattern)
            if dtype == "INT8" and kind not in ("maximum", "minimum"):
                for quant in ("tiny", "large", "skewed") if kind != "div" else ("ordinary", "large"):
                    for k in range(2):
                        pattern = g.r.choice(BINARY_PATTERNS)
                        models[f"op_{kind}_{d}_{quant}_{pattern}_{k}"] = binary_model(g, kind, dtype, pattern,
                                                                                     quant=quant)
        for rank, axes in ((4, [1, 2]), (4, [2, 1]), (4, [-3, -2]), (4, [3]), (4, [0, 3]), (3, [1]), (3, [0, 1, 2]),
                           (2, [1]), (2, [0]), (1, [0]), (4, [1, 2, 3])):
            for keep in (True, False):
                for same in ((True, False) if dtype == "INT8" else (True,)):
                    tag = f"r{rank}_{'_'.join(str(a).replace('-', 'm') for a in axes)}_{'keep' if keep else 'drop'}"
                    if dtype == "INT8":
                        tag += "_same" if same else "_requant"
                    models[f"op_mean_{d}_{tag}"] = mean_model(g, dtype, rank, axes, keep, same)
        for align in (False, True):
            for half in (False, True):
                for k in range(6):
                    tag = f"{'align' if align else 'noalign'}_{'half' if half else 'corner'}_{k}"
                    models[f"op_resize_nearest_neighbor_{d}_{tag}"] = resize_nearest_model(g, dtype, align, half)
        for variant in ("two_inputs", "constant_operand", "intermediate_output", "three"):
            for k in range(3):
                models[f"op_io_{d}_{variant}_{k}"] = io_model(g, dtype, variant)
    for k in range(8):
        models[f"op_dequantize_int8_{k}"] = dequantize_model(g)
    models.update(unary_models(Generator(2027)))
    models.update(reduction_models(Generator(2028)))
    models.update(slicing_models(Generator(2028)))
    models.update(spatial_models(Generator(2028)))
    models.update(sequence_models(Generator(2029)))
    models.update(transformer_models(Generator(2029)))
    models.update(int16_models(Generator(1608)))
    models.update(variable_models(Generator(4401)))
    return models


def variable_quant(g, dtype):
    """(scale, zero point) of an int8 or int16 variable, None for float32."""
    if dtype == "INT8":
        return (g.scale(0.005, 0.05), g.zero_point())
    if dtype == "INT16":
        return (g.scale(1e-4, 1e-3), g.r.choice([0, 1, g.r.randint(-300, 300)]))
    return None


def variable_values(g, dtype, n):
    """Initial values of a variable of n elements."""
    if dtype == "INT8":
        return g.int8s(n, -128, 127)
    if dtype == "INT16":
        return [g.r.randint(-3000, 3000) for _ in range(n)]
    return g.floats(n, -2.0, 2.0)


def variable_model(g, dtype, pattern, chained=False):
    """Resource variables (VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE,
    CALL_ONCE with an init subgraph of constants) on a small input:
    accumulate: the variable (initial values from CALL_ONCE, or none) plus the
      input, assigned back and output; chained: twice, on two inputs, as two
      inferences would;
    read_assign_read: read (the initial value), assign the input, read again
      (the new value, in the same inference);
    two_variables: two variables, each read, then assigned the other's value
      plus the input;
    shared_name: two VAR_HANDLEs of one name (one variable), one without a
      container; the init subgraph assigns twice (the last one counts)."""
    m = Recorder(f"variable corpus {pattern}")
    shape = g.r.choice([[g.r.randint(1, 40)], [2, g.r.randint(1, 20)], [2, 3, g.r.randint(1, 8)]])
    n = math.prod(shape)
    if dtype == "INT16":
        x = m.input(shape, "INT16", g.scale(1e-4, 1e-3), g.r.choice([0, g.r.randint(-300, 300)]))
    else:
        x = g.input(m, shape, dtype)
    q = variable_quant(g, dtype)
    init = pattern.endswith("_init") or pattern in ("two_variables", "shared_name")
    names = ["a", "b"] if pattern == "two_variables" else ["acc"]
    if init:
        sub = m.init_subgraph()
        for name in names:
            h = sub.var_handle(name)
            for _ in range(2 if pattern == "shared_name" else 1):
                c = sub.constant(variable_values(g, dtype, n), shape, dtype, q and q[0], q[1] if q else 0)
                sub.assign_variable(h, c)
        m.call_once(sub)
    handles = [m.var_handle(name) for name in names]

    def read(h):
        m.note("variable")
        return m.read_variable(h, shape, dtype, q)

    def add(a, b):
        m.note("add")
        return m.add(a, b, q)

    def assign(h, v):
        m.note("variable")
        m.assign_variable(h, v)

    if pattern.startswith("accumulate"):
        h = handles[0]
        for k in range(2 if chained else 1):
            xk = x if k == 0 else m.input(x.shape, dtype, x.scale, x.zero_point, name="input2")
            y = add(read(h), xk)
            assign(h, y)
            m.output(y)
    elif pattern.startswith("read_assign_read"):
        h = handles[0]
        m.output(read(h))
        v = add(x, x)
        assign(h, v)
        m.output(read(h))
    elif pattern == "two_variables":
        a, b = (read(h) for h in handles)
        assign(handles[0], add(b, x))
        assign(handles[1], add(a, x))
        m.output(read(handles[0]))
        m.output(read(handles[1]))
    elif pattern == "shared_name":
        other = m.var_handle(names[0], container=None)
        m.output(read(handles[0]))
        assign(other, add(x, x))
        m.output(read(handles[0]))
    return m


def variable_models(g):
    """Resource variables: int8, int16 and float32, with and without an init
    subgraph; chained accumulators and their first halves for test_tflm's
    stream test."""
    models = {}
    for dtype in ("INT8", "INT16", "FLOAT32"):
        d = dtype.lower()
        for pattern in ("accumulate", "accumulate_init", "read_assign_read", "read_assign_read_init",
                        "two_variables", "shared_name"):
            for k in range(2):
                models[f"op_variable_{d}_{pattern}_{k}"] = variable_model(g, dtype, pattern)
        for pattern in ("accumulate", "accumulate_init"):
            seed = g.r.randrange(1 << 30)
            models[f"op_variable_{d}_{pattern}_chained"] = variable_model(Generator(seed), dtype, pattern, True)
            models[f"stream_variable_{d}_{pattern}_chained"] = variable_model(Generator(seed), dtype, pattern)
    return models


def svdf_weights(g, x, rank, state, filters, memory, state16):
    """Random weights of an SVDF on x updating `state`: (feature, time,
    bias, output quantization)."""
    depth = x.shape[-1]
    if x.dtype == "FLOAT32":
        feature = tw.float32_tensor(g.floats(filters * depth, -0.5, 0.5), [filters, depth])
        time = tw.float32_tensor(g.floats(filters * memory, -0.5, 0.5), [filters, memory])
        bias = tw.float32_tensor(g.floats(filters // rank, -0.2, 0.2), [filters // rank])
        return feature, time, bias, None
    s_feature = g.scale(0.002, 0.02)
    feature = tw.int8_weights(g.int8s(filters * depth), [filters, depth], [s_feature])
    s_time = g.scale(0.002, 0.02)
    if state16:
        time = tw.Constant("INT16", [g.r.randint(-2000, 2000) for _ in range(filters * memory)], [filters, memory],
                           scales=[s_time], zero_points=[0])
    else:
        time = tw.int8_weights(g.int8s(filters * memory), [filters, memory], [s_time])
    reach = int(math.sqrt(memory * rank) * 73 * 73 / 4) + 1
    bias = tw.int32_bias([g.r.randint(-reach, reach) for _ in range(filters // rank)])
    # An output scale that keeps typical sums of the time products in range.
    top = 2000 if state16 else 73
    spread = math.sqrt(memory * rank) * top * 73 * state.scale * s_time
    out = (4 * spread / 255 * g.r.uniform(0.5, 2.0), g.zero_point())
    return feature, time, bias, out


def svdf_model(g, dtype, rank, batches, state16, act, chained):
    """SVDF on a [batches, inputs] input; chained: the same SVDF on a second
    input of the same quantization, sharing the state: the second sees what
    the first left, as the next invocation would (the once model, from the
    same generator state, is the first half)."""
    m = Recorder("svdf corpus")
    depth = g.r.randint(1, 24)
    units = g.r.randint(1, 8)
    filters = units * rank
    memory = g.r.randint(1, 10)
    x = g.input(m, [batches, depth], dtype)
    if dtype == "FLOAT32":
        state = m.variable([batches, filters * memory], "FLOAT32")
    else:
        # The state's scale keeps typical features inside its range; int16
        # state starts at 0 whatever its zero point, int8 at its zero point.
        spread = math.sqrt(depth) * 73 * 73 * x.scale * 0.01
        if state16:
            state = m.variable([batches, filters * memory], "INT16", 4 * spread / 65535 * g.r.uniform(0.5, 2.0),
                               g.r.choice([0, 0, g.r.randint(-300, 300)]))
        else:
            state = m.variable([batches, filters * memory], "INT8", 4 * spread / 255 * g.r.uniform(0.5, 2.0),
                               g.zero_point())
    feature, time, bias, out = svdf_weights(g, x, rank, state, filters, memory, state16)
    m.output(m.svdf(x, feature, time, bias, state, rank, out, activation=act))
    m.note("svdf", activation=act, bias=1)
    if chained:
        x2 = m.input(x.shape, dtype, x.scale, x.zero_point, name="input2")
        m.output(m.svdf(x2, feature, time, bias, state, rank, out, activation=act))
        m.note("svdf", activation=act, bias=1)
    return m


def lstm_weights(g, x, units):
    """Random gates of an LSTM on x: four input weights, four recurrent
    weights, four biases."""
    depth = x.shape[-1]
    if x.dtype == "FLOAT32":
        w = [tw.float32_tensor(g.floats(units * depth, -0.6, 0.6), [units, depth]) for _ in range(4)]
        u = [tw.float32_tensor(g.floats(units * units, -0.6, 0.6), [units, units]) for _ in range(4)]
        b = [tw.float32_tensor(g.floats(units, -0.3, 0.3), [units]) for _ in range(4)]
        return w, u, b
    w = [tw.int8_weights(g.int8s(units * depth), [units, depth], [g.scale(0.005, 0.05) / math.sqrt(depth)])
         for _ in range(4)]
    u = [tw.int8_weights(g.int8s(units * units), [units, units], [g.scale(0.005, 0.05) / math.sqrt(units)])
         for _ in range(4)]
    bias = tw.int64_bias if x.dtype == "INT16" else tw.int32_bias
    b = [bias([g.r.randint(-3000, 3000) for _ in range(units)]) for _ in range(4)]
    return w, u, b


def lstm_model(g, dtype, batches, steps, time_major, clip, chained):
    """An LSTM on a [batches, steps, inputs] input (time-major: [steps,
    batches, inputs]); chained: the same LSTM on a second input, sharing
    the hidden and cell state, as the next invocation would."""
    m = Recorder("lstm corpus")
    depth = g.r.randint(1, 12)
    units = g.r.randint(1, 10)
    shape = [steps, batches, depth] if time_major else [batches, steps, depth]
    if dtype == "FLOAT32":
        x = m.input(shape, "FLOAT32")
        hidden = m.variable([batches, units], "FLOAT32")
        cell = m.variable([batches, units], "FLOAT32")
    elif dtype == "INT16":
        # 16x8: zero points are usually 0 (TFLite Micro applies them anyway).
        x = int16_input(g, m, shape)
        hidden = m.variable([batches, units], "INT16", g.r.choice([1 / 32768, 1 / 20000, 3e-5]),
                            g.r.choice([0, 0, g.r.randint(-50, 50)]))
        cell = m.variable([batches, units], "INT16", g.r.choice([2 ** -11, 2 ** -12, 2 ** -13, 1.3 * 2 ** -11]), 0)
    else:
        x = m.input(shape, "INT8", g.scale(0.005, 0.05), g.zero_point())
        hidden = m.variable([batches, units], "INT8", g.r.choice([1 / 128, 1 / 100, 0.0078]), g.r.randint(-10, 10))
        # The cell scale: a power of two, as converters write it (TFLite
        # Micro rounds its log2), sometimes not.
        cell = m.variable([batches, units], "INT16", g.r.choice([2 ** -11, 2 ** -12, 2 ** -13, 1.3 * 2 ** -11]), 0)
    w, u, b = lstm_weights(g, x, units)
    # (An int8 LSTM's weights are one scale per gate row: per-channel.)
    m.output(m.lstm(x, w, u, b, hidden, cell, time_major, clip))
    m.note("lstm", bias=1, per_channel=int(dtype != "FLOAT32"))
    if chained:
        x2 = m.input(shape, dtype, x.scale, x.zero_point, name="input2")
        m.output(m.lstm(x2, w, u, b, hidden, cell, time_major, clip))
        m.note("lstm", bias=1, per_channel=int(dtype != "FLOAT32"))
    return m


def sequence_models(g):
    """SVDF: int8 with int8 and int16 state, float32; ranks 1 to 3, one or
    two batches, every fused activation (which the int8 kernel ignores);
    chained pairs share their state."""
    models = {}
    for dtype, state16 in (("INT8", False), ("INT8", True), ("FLOAT32", False)):
        d = dtype.lower() + ("_state16" if state16 else "")
        for rank in (1, 2, 3):
            for batches in (1, 2):
                for act in ("NONE", "RELU", "RELU6"):
                    for k in range(2):
                        models[f"op_svdf_{d}_r{rank}_b{batches}_{act.lower()}_{k}"] = svdf_model(
                            g, dtype, rank, batches, state16, act, False)
                # The chained model and its first half: test_tflm's stream
                # test runs the second twice and expects the first's outputs.
                seed = g.r.randrange(1 << 30)
                models[f"op_svdf_{d}_r{rank}_b{batches}_chained"] = svdf_model(Generator(seed), dtype, rank, batches,
                                                                               state16, "NONE", True)
                models[f"stream_svdf_{d}_r{rank}_b{batches}_chained"] = svdf_model(Generator(seed), dtype, rank,
                                                                                   batches, state16, "NONE", False)
    # LSTM: int8, int16 (16x8) and float32, batch- and time-major, one or
    # two batches, 1 to 4 steps, with and without a cell clip; chained pairs
    # and their first halves as for SVDF.
    for dtype in ("INT8", "INT16", "FLOAT32"):
        d = dtype.lower()
        for time_major in (False, True):
            major = "time" if time_major else "batch"
            for batches in (1, 2):
                for steps in (1, 2, 4):
                    for clip in (0.0, 1.5):
                        for k in range(2):
                            models[f"op_lstm_{d}_{major}_b{batches}_t{steps}_clip{int(clip > 0)}_{k}"] = lstm_model(
                                g, dtype, batches, steps, time_major, clip, False)
                seed = g.r.randrange(1 << 30)
                models[f"op_lstm_{d}_{major}_b{batches}_chained"] = lstm_model(Generator(seed), dtype, batches, 3,
                                                                               time_major, 0.0, True)
                models[f"stream_lstm_{d}_{major}_b{batches}_chained"] = lstm_model(Generator(seed), dtype, batches,
                                                                                   3, time_major, 0.0, False)
    return models


def int16_input(g, m, shape, zero_point=None):
    """An int16 activation (TFLite's 16x8 quantization): a scale that spreads
    typical values over int16, a zero point that is 0 or any other."""
    zp = g.r.choice([0, 0, g.r.randint(-300, 300)]) if zero_point is None else zero_point
    return m.input(shape, "INT16", g.scale(1e-5, 1e-3), zp)


def fc16_model(g, bias, act, per_channel, keep, zero_points):
    """A 16x8 fully connected layer: int16 input and output, int8 weights;
    bias int32, int64, or none (summing in int64, or in int32 where the
    options say quantized_bias_type INT32)."""
    m = Recorder("fully_connected int16 corpus")
    depth = g.r.randint(1, 40)
    units = g.r.randint(2, 12)
    shape = [g.r.randint(1, 3), g.r.randint(1, 3), depth] if keep else [g.r.randint(1, 4), depth]
    x = int16_input(g, m, shape, None if zero_points else 0)
    scales = [g.scale(0.002, 0.02) for _ in range(units if per_channel else 1)]
    wts = tw.int8_weights(g.int8s(units * depth), [units, depth], scales)
    ws = sum(scales) / len(scales)
    # An accumulator of up to about sqrt(depth) * 2^14 * 73 for typical inputs.
    reach = int(math.sqrt(depth) * 16384 * 73 / 4) + 1
    values = [g.r.randint(-reach, reach) for _ in range(units)]
    b = {"int32": tw.int32_bias, "int64": tw.int64_bias}.get(bias, lambda v: None)(values)
    spread = math.sqrt(depth) * 73 * 16384 * x.scale * ws
    out = (4 * spread / 65535 * g.r.uniform(0.5, 2.0), g.r.choice([0, g.r.randint(-300, 300)]) if zero_points else 0)
    bias_type = "INT32" if bias == "none_int32" else None
    m.output(m.fully_connected(x, wts, b, out, activation=act, keep_num_dims=keep, quantized_bias_type=bias_type))
    m.note("fully_connected", activation=act, keep_num_dims=int(keep), bias=int(bias != "none_int64"),
           per_channel=int(per_channel))
    return m


def binary16_model(g, kind, pattern, act, zero_points):
    """An int16 ADD, SUB or MUL of two model inputs whose shapes follow a
    broadcast pattern. Zero points: 0, or (zero_points) random ones where
    TFLite Micro takes them (add always, sub where the inputs broadcast)."""
    m = Recorder(f"{kind} int16 corpus")
    o, sa, sb = binary_shapes(g, pattern)
    a = int16_input(g, m, sa, None if zero_points else 0)
    b = int16_input(g, m, sb, None if zero_points else 0)
    if kind == "mul":
        scale = a.scale * b.scale * 32768 * g.r.uniform(0.3, 2.0)
        out = (scale, 0)
    else:
        scale = max(a.scale, b.scale) * g.r.uniform(1.0, 2.5)
        out = (scale, g.r.choice([0, g.r.randint(-3000, 3000)]) if zero_points else 0)
    m.output(getattr(m, kind)(a, b, out, act))
    m.note(kind, activation=act)
    return m


def unary16_model(g, kind, in_scale):
    """int16 LOGISTIC or TANH (zero points 0, output scale 2^-15) on an
    input scale: a power of two that takes TFLite Micro's shortcut, or any
    other; or LEAKY_RELU with random zero points and alpha."""
    m = Recorder(f"{kind} int16 corpus")
    shape = [g.r.randint(1, 3), g.r.randint(1, 6), g.r.randint(1, 6), g.r.randint(2, 9)]
    if kind == "leaky_relu":
        x = int16_input(g, m, shape)
        alpha = g.r.choice([0.2, 0.01, -0.5, 1.5])
        out = (x.scale * g.r.uniform(0.5, 2.0), g.r.choice([0, g.r.randint(-3000, 3000)]))
        y = m.leaky_relu(x, alpha, out)
    else:
        x = m.input(shape, "INT16", in_scale, 0)
        y = getattr(m, kind)(x, (2.0 ** -15, 0))
    m.output(y)
    m.note(kind)
    return m


def concatenation16_model(g, count, rank):
    """int16 inputs of zero point 0 (TFLite Micro's requirement) and their
    own scales (it compares none), joined along a random axis."""
    m = Recorder("concatenation int16 corpus")
    axis = g.r.randrange(-rank, rank)
    base = small_shape(g, rank, 1, 4)
    xs = []
    for _ in range(count):
        shape = list(base)
        shape[axis] = g.r.randint(1, 4)
        xs.append(int16_input(g, m, shape, 0))
    m.output(m.concatenation(xs, axis))
    m.note("concatenation")
    return m


def reshape16_model(g):
    """An int16 RESHAPE between two operators (a LEAKY_RELU after it, so that
    the model's output is an operator's own tensor)."""
    m = Recorder("reshape int16 corpus")
    shape = small_shape(g, 4, 1, 5)
    x = int16_input(g, m, shape)
    y = m.reshape(x, [shape[0], math.prod(shape[1:])])
    m.output(m.leaky_relu(y, 0.25, (x.scale, x.zero_point)))
    m.note("reshape")
    m.note("leaky_relu")
    return m


def int16_models(g):
    """16x8 models (int16 activations, int8 weights): each operator weft
    runs on int16, over the parameters where TFLite Micro's int16 arithmetic
    differs."""
    models = {}
    for bias in ("int32", "int64", "none_int64", "none_int32"):
        for a in ("NONE", "RELU", "RELU6"):
            for per_channel in (False, True):
                for k, (keep, zps) in enumerate(((False, True), (True, False))):
                    tag = f"{bias}_{a.lower()}_{'pc' if per_channel else 'pt'}_{k}"
                    models[f"op_fully_connected_int16_{tag}"] = fc16_model(g, bias, a, per_channel, keep, zps)
    for kind in ("add", "sub", "mul"):
        for pattern in BINARY_PATTERNS:
            act = g.r.choice(ACTIVATIONS)
            # Random zero points where TFLite Micro takes them: add always,
            # sub where the inputs broadcast, mul never.
            zps = kind == "add" or (kind == "sub" and not pattern.startswith("same"))
            models[f"op_{kind}_int16_{pattern}_{act.lower()}"] = binary16_model(g, kind, pattern, act, zps)
    # Input scales: 2^-12 (and for TANH 2^-11: TFLite Micro's power-of-two
    # shortcut), other powers of two, near-powers, and arbitrary scales up to
    # the largest TFLite Micro takes (about 4/3).
    scales = [2.0 ** -12, 2.0 ** -11, 2.0 ** -10, 2.0 ** -14, 2.0 ** -12 * 1.0003, 1.3, 0.01]
    for kind in ("logistic", "tanh"):
        for k, scale in enumerate(scales + [g.scale(1e-5, 1e-2) for _ in range(3)]):
            models[f"op_{kind}_int16_{k}"] = unary16_model(g, kind, scale)
    for k in range(4):
        models[f"op_leaky_relu_int16_{k}"] = unary16_model(g, "leaky_relu", None)
    # Raw copies: the values move as they are.
    for k in range(3):
        models[f"op_reshape_int16_{k}"] = reshape16_model(g)
    for rank in (1, 2, 3, 4):
        for with_value in (False, True):
            models[f"op_pad_int16_rank{rank}_{'v2' if with_value else 'v1'}"] = pad16_model(g, rank, with_value)
        models[f"op_slice_int16_r{rank}"] = slice_model(g, "INT16", rank)
        models[f"op_strided_slice_int16_r{rank}"] = strided_slice_model(g, "INT16", rank)
        models[f"op_concatenation_int16_r{rank}"] = concatenation16_model(g, g.r.randint(2, 4), rank)
    for perm in ([1, 0], [0, 2, 1], [2, 0, 1], [0, 3, 1, 2], [3, 2, 1, 0]):
        models[f"op_transpose_int16_{''.join(map(str, perm))}"] = transpose_model(g, "INT16", perm)
    # Pools: the output keeps the input's quantization.
    for kind in ("max_pool2d", "average_pool2d"):
        for s in STRIDES:
            for p in PADDINGS:
                a = g.r.choice(ACTIVATIONS[:3])
                models[f"op_{kind}_int16_s{s[0]}x{s[1]}_{p.lower()}_{a.lower()}"] = pool_model(g, "INT16", kind, s, p, a)
    for rank, axes in ((4, [1, 2]), (4, [3]), (3, [0, 2]), (2, [1]), (1, [0])):
        for keep in (True, False):
            models[f"op_mean_int16_r{rank}_{'_'.join(map(str, axes))}_{'keep' if keep else 'drop'}"] = mean16_model(
                g, rank, axes, keep)
    # Convolutions: every stride, dilation, padding and bias kind, cycling
    # through the activations and per-channel or per-tensor weights.
    k = 0
    for s in STRIDES:
        for dl in DILATIONS:
            for p in PADDINGS:
                a = ACTIVATIONS[k % 3]
                bias = ("int32", "int64", "none_int64", "none_int32")[k % 4]
                tag = f"s{s[0]}x{s[1]}_d{dl[0]}x{dl[1]}_{p.lower()}_{a.lower()}"
                models[f"op_conv2d_int16_{tag}_{bias}"] = conv16_model(g, False, s, dl, p, a, bias, k % 2 == 0)
                mult = (1, 2, 3)[k % 3]
                models[f"op_depthwise_conv2d_int16_{tag}_m{mult}"] = conv16_model(g, True, s, dl, p, a, "int64",
                                                                                 k % 2 == 1, mult)
                k += 1
    # SOFTMAX int16: ranks 1 to 4, input scales from where most of a row's
    # exponentials count to where only the maximum does, betas; _ties
    # inputs (values -2..2) give rows of near equals.
    for rank in (1, 2, 3, 4):
        for k, (scale, beta) in enumerate(((1e-5, 1.0), (3e-4, 1.0), (1e-3, 0.5), (0.01, 2.0), (2e-4, 0.3),
                                           (g.scale(1e-5, 1e-2), g.r.uniform(0.2, 3.0)))):
            ties = "_ties" if k % 3 == 0 else ""
            models[f"op_softmax_int16_r{rank}_{k}{ties}"] = softmax16_model(g, rank, scale, beta, k == 4)
    # BATCH_MATMUL int16: the rank pairs, adj_x / adj_y, rhs an input, a
    # constant or the lhs itself, broadcasting batch axes.
    for k, (lrank, rrank) in enumerate(BMM_RANKS):
        for adj in range(4):
            source = ("input", "constant", "self" if lrank == rrank else "input", "constant")[(k + adj) % 4]
            adj_x, adj_y = bool(adj & 1), bool(adj & 2)
            if source == "self" and adj_x == adj_y:
                source = "input"
            tag = f"r{lrank}{rrank}_{'t' if adj_x else 'n'}{'t' if adj_y else 'n'}_{source}"
            models[f"op_batch_matmul_int16_{tag}"] = batch_matmul16_model(g, lrank, rrank, adj_x, adj_y, source,
                                                                          adj % 2 == 0)
    # TRANSPOSE_CONV int16: every stride and padding with each bias kind
    # (int64, int16 widened, none), cycling through the activations and
    # per-channel or per-tensor weights; some with output_shape a model
    # input (TFLite Micro ignores it), and int8 ones with it too.
    k = 0
    for s in STRIDES:
        for p in PADDINGS:
            for bias in ("int64", "int16", "none"):
                a = ACTIVATIONS[k % 3]
                shape_input = k % 4 == 3
                tag = f"s{s[0]}x{s[1]}_{p.lower()}_{a.lower()}_{bias}{'_shape_input' if shape_input else ''}"
                models[f"op_transpose_conv_int16_{tag}"] = transpose_conv16_model(g, s, p, a, bias, k % 2 == 0,
                                                                                  shape_input)
                k += 1
    for k, s in enumerate(STRIDES):
        models[f"op_transpose_conv_int8_shape_input_s{s[0]}x{s[1]}"] = transpose_conv_model(
            g, "INT8", s, PADDINGS[k % 2], ACTIVATIONS[k % 3], True, k % 2 == 0, shape_input=True)
    # MAXIMUM and MINIMUM int16: raw values, every broadcast pattern.
    for kind in ("maximum", "minimum"):
        for pattern in BINARY_PATTERNS:
            models[f"op_{kind}_int16_{pattern}"] = maximum16_model(g, kind, pattern)
    # SUM int16: MEAN's arithmetic without the division.
    for rank, axes in ((4, [1, 2]), (4, [3]), (3, [0, 2]), (2, [1]), (1, [0])):
        for keep in (True, False):
            models[f"op_sum_int16_r{rank}_{'_'.join(map(str, axes))}_{'keep' if keep else 'drop'}"] = sum16_model(
                g, rank, axes, keep)
    # ABS int16 (zero points 0): the output on the input's scale, or
    # rescaled.
    for k in range(8):
        models[f"op_abs_int16_{k}{'_rescaled' if k % 2 else ''}"] = abs16_model(g, k % 2 == 1)
    # SQUARED_DIFFERENCE int16 (zero points 0: TFLite Micro's requirement)
    # on every broadcast pattern, from a generator of its own.
    g_sqd = Generator(1612)
    for pattern in BINARY_PATTERNS:
        models[f"op_squared_difference_int16_{pattern}"] = squared_difference16_model(g_sqd, pattern)
    return models


def abs16_model(g, rescaled):
    """int16 ABS, zero points 0 (TFLite Micro's requirement); the output
    scale the input's or (rescaled) another."""
    m = Recorder("abs int16 corpus")
    x = m.input(small_shape(g, g.r.randint(1, 4), 1, 6), "INT16", g.scale(1e-5, 1e-3), 0)
    m.output(m.abs(x, (x.scale * (g.r.uniform(0.5, 2.0) if rescaled else 1.0), 0)))
    m.note("abs")
    return m


def sum16_model(g, rank, axes, keep):
    """int16 SUM to an output of another scale (enough for a few of the
    summed values) and zero point."""
    m = Recorder("sum int16 corpus")
    x = int16_input(g, m, [g.r.randint(1, 3)] + [g.r.randint(1, 6) for _ in range(rank - 1)])
    count = math.prod(x.shape[a] for a in axes)
    out = (x.scale * math.sqrt(count) * g.r.uniform(0.5, 3.0), g.r.choice([0, g.r.randint(-3000, 3000)]))
    m.output(m.sum(x, axes, keep, out))
    m.note("sum")
    return m


def maximum16_model(g, kind, pattern):
    """int16 MAXIMUM or MINIMUM of two model inputs whose shapes follow a
    broadcast pattern, inputs and output of one quantization."""
    m = Recorder(f"{kind} int16 corpus")
    _, sa, sb = binary_shapes(g, pattern)
    a = int16_input(g, m, sa)
    b = m.input(sb, "INT16", a.scale, a.zero_point, name="b")
    m.output(getattr(m, kind)(a, b))
    m.note(kind)
    return m


def transpose_conv16_model(g, stride, padding, act, bias, per_channel, shape_input):
    """A 16x8 TRANSPOSE_CONV: int16 input and output with random zero points
    (TFLite Micro ignores them, the clamp aside), int8 weights, bias int64,
    int16 (TFLite Micro widens it) or none; output_shape a constant or
    (shape_input) a model input."""
    m = Recorder("transpose_conv int16 corpus")
    kh, kw = g.r.choice([(1, 1), (2, 2), (3, 3), (3, 2), (4, 4)])
    h, w, c = g.r.randint(1, 4), g.r.randint(1, 4), g.r.randint(1, 3)
    x = int16_input(g, m, [g.r.randint(1, 2), h, w, c])

    def out_size(size, k, s):
        if padding == "SAME":
            return g.r.randint((size - 1) * s + 1, size * s)
        return g.r.randint((size - 1) * s + k, (size - 1) * s + k + s - 1)
    out_hw = (out_size(h, kh, stride[0]), out_size(w, kw, stride[1]))
    channels = g.r.randint(1, 4)
    scales = [g.scale(0.002, 0.02) for _ in range(channels if per_channel else 1)]
    wts = tw.int8_weights(g.int8s(channels * kh * kw * c), [channels, kh, kw, c], scales)
    ws = sum(scales) / len(scales)
    depth = max(1, kh * kw * c // (stride[0] * stride[1]))
    reach = int(math.sqrt(depth) * 18919 * 73 / 4) + 1
    if bias == "int64":
        b = tw.int64_bias([g.r.randint(-reach, reach) for _ in range(channels)])
    elif bias == "int16":
        b = tw.int16_bias([g.r.randint(-32768, 32767) for _ in range(channels)])
    else:
        b = None
    spread = math.sqrt(depth) * 73 * 18919 * x.scale * ws
    out = (4 * spread / 65535 * g.r.uniform(0.5, 2.0), g.r.choice([0, g.r.randint(-300, 300)]))
    m.output(m.transpose_conv(x, wts, out_hw, b, out, stride, padding, act, shape_input=shape_input))
    m.note("transpose_conv", stride=stride, padding=padding, activation=act, filter=(kh, kw), bias=int(b is not None),
           per_channel=int(per_channel and channels > 1))
    return m


def softmax16_model(g, rank, scale, beta, off_scale):
    """int16 SOFTMAX (zero points 0) of a rank-`rank` input on `scale`; the
    output scale 1/32768, or (off_scale) a little off it, within TFLite
    Micro's tolerance of 0.1%."""
    m = Recorder("softmax int16 corpus")
    shape = [g.r.randint(1, 3) for _ in range(rank - 1)] + [g.r.randint(1, 20)]
    x = m.input(shape, "INT16", scale, 0)
    m.output(m.softmax(x, beta, (1 / 32768 * (1.0007 if off_scale else 1.0), 0)))
    m.note("softmax")
    return m


def batch_matmul16_model(g, lrank, rrank, adj_x, adj_y, rhs_source, broadcast):
    """int16 BATCH_MATMUL (zero points 0, as TFLite Micro requires): lhs an
    input, rhs an input, an int16 constant or lhs itself; an output scale
    that keeps a typical sum of uniform int16 products inside int16."""
    m = Recorder("batch_matmul int16 corpus")
    rows, depth, cols = g.r.randint(1, 6), g.r.randint(1, 12), g.r.randint(1, 6)
    axes = max(lrank, rrank) - 2
    batch = [g.r.randint(1, 3) for _ in range(axes)]
    lbatch, rbatch = batch[axes - (lrank - 2):], batch[axes - (rrank - 2):]
    if broadcast:
        for b in (lbatch, rbatch):
            for k in range(len(b)):
                if g.r.random() < 0.4:
                    b[k] = 1
    if rhs_source == "self":
        cols, lbatch = rows, rbatch  # lhs times its own transpose
    lshape = lbatch + ([depth, rows] if adj_x else [rows, depth])
    rshape = rbatch + ([cols, depth] if adj_y else [depth, cols])
    lhs = m.input(lshape, "INT16", g.scale(1e-5, 1e-3), 0)
    if rhs_source == "self":
        rhs = lhs
    elif rhs_source == "input":
        rhs = m.input(rshape, "INT16", g.scale(1e-5, 1e-3), 0, name="rhs")
    else:
        rhs = m.constant([g.r.randint(-32768, 32767) for _ in range(math.prod(rshape))], rshape, "INT16",
                         g.scale(1e-5, 1e-3), 0)
    spread = math.sqrt(depth) * 18919 * 18919 * lhs.scale * rhs.scale
    m.output(m.batch_matmul(lhs, rhs, (4 * spread / 65535 * g.r.uniform(0.5, 2.0), 0), adj_x, adj_y))
    m.note("batch_matmul")
    return m


def squared_difference16_model(g, pattern):
    """An int16 SQUARED_DIFFERENCE of two model inputs (zero points 0); the
    output scale puts the largest squares anywhere from well inside int16
    to far past it (saturating)."""
    m = Recorder("squared_difference int16 corpus")
    o, sa, sb = binary_shapes(g, pattern)
    a = int16_input(g, m, sa, 0)
    b = int16_input(g, m, sb, 0)
    twice_max = 2 * max(a.scale, b.scale)
    m.output(m.squared_difference(a, b, (twice_max * twice_max * 2 ** 28 / 32767 * g.r.uniform(0.02, 2.0), 0)))
    m.note("squared_difference")
    return m


def conv16_model(g, depthwise, stride, dilation, padding, act, bias, per_channel, multiplier=1):
    """A 16x8 CONV_2D or DEPTHWISE_CONV_2D: int16 input and output with
    random zero points (TFLite Micro ignores them, the clamp aside), int8
    weights, bias int32 / int64 / none (conv; none_int32: summing in int32
    by the options) or int64 (depthwise, which needs one)."""
    m = Recorder(f"{'depthwise ' if depthwise else ''}conv int16 corpus")
    kh, kw = g.r.choice([(3, 3), (1, 1), (2, 3), (3, 1)])
    h = max(g.r.randint(3, 9), (kh - 1) * dilation[0] + 1)
    w = max(g.r.randint(3, 9), (kw - 1) * dilation[1] + 1)
    c = g.r.randint(1, 4)
    x = int16_input(g, m, [g.r.randint(1, 2), h, w, c])
    channels = c * multiplier if depthwise else g.r.randint(1, 6)
    depth = kh * kw * (1 if depthwise else c)
    scales = [g.scale(0.002, 0.02) for _ in range(channels if per_channel else 1)]
    shape = [1, kh, kw, channels] if depthwise else [channels, kh, kw, c]
    wts = tw.int8_weights(g.int8s(math.prod(shape)), shape, scales)
    ws = sum(scales) / len(scales)
    reach = int(math.sqrt(depth) * 16384 * 73 / 4) + 1
    values = [g.r.randint(-reach, reach) for _ in range(channels)]
    b = {"int32": tw.int32_bias, "int64": tw.int64_bias}.get(bias, lambda v: None)(values)
    spread = math.sqrt(depth) * 73 * 16384 * x.scale * ws
    out = (4 * spread / 65535 * g.r.uniform(0.5, 2.0), g.r.choice([0, g.r.randint(-300, 300)]))
    args = dict(stride=stride, dilation=dilation, padding=padding, activation=act)
    if depthwise:
        y = m.depthwise_conv2d(x, wts, b, out, depth_multiplier=multiplier, **args)
    else:
        y = m.conv2d(x, wts, b, out, quantized_bias_type="INT32" if bias == "none_int32" else None, **args)
    m.output(y)
    m.note("depthwise_conv2d" if depthwise else "conv2d", stride=stride, dilation=dilation, padding=padding,
           activation=act, multiplier=multiplier, filter=(kh, kw), bias=int(bias != "none_int64"),
           per_channel=int(per_channel and channels > 1))
    return m


def pad16_model(g, rank, with_value):
    """int16 PAD (padded with 0 whatever the zero point) or PADV2 (an int16
    constant)."""
    m = Recorder("pad int16 corpus")
    x = int16_input(g, m, random_shape(g, rank))
    paddings = [(g.r.randint(0, 3), g.r.randint(0, 3)) for _ in range(rank)]
    m.output(m.pad(x, paddings, g.r.randint(-32768, 32767) if with_value else None))
    m.note("pad")
    return m


def mean16_model(g, rank, axes, keep):
    """int16 MEAN to an output of another scale and zero point."""
    m = Recorder("mean int16 corpus")
    x = int16_input(g, m, [g.r.randint(1, 3)] + [g.r.randint(1, 7) for _ in range(rank - 1)])
    out = (x.scale * g.r.uniform(0.3, 3.0), g.r.choice([0, g.r.randint(-3000, 3000)]))
    m.output(m.mean(x, axes, keep, out))
    m.note("mean")
    return m


def reduction_models(g):
    """SUM, REDUCE_MAX, ARG_MAX, ARG_MIN and GATHER: small inputs, every axis
    set of ranks 1 to 4 (some named by negative axes), keep_dims either way."""
    models = {}
    for kind in ("sum", "reduce_max"):
        for dtype in DTYPES:
            d = dtype.lower()
            for rank in (1, 2, 3, 4):
                for axes in axis_sets(rank):
                    keep = g.r.random() < 0.5
                    named = [a - rank if g.r.random() < 0.3 else a for a in axes]
                    tag = f"r{rank}_{'_'.join(str(a).replace('-', 'm') for a in named)}_{'keep' if keep else 'drop'}"
                    quant = "fitted" if kind == "sum" and dtype == "INT8" and g.r.random() < 0.5 else "same"
                    models[f"op_{kind}_{d}_{tag}"] = reduce_model(g, kind, dtype, rank, named, keep, quant)
        for keep in (True, False):  # all axes, named twice and negatively
            for dtype in DTYPES:
                models[f"op_{kind}_{dtype.lower()}_all_repeated_{'keep' if keep else 'drop'}"] = reduce_model(
                    g, kind, dtype, 3, [2, -1, 0, 1], keep)
    for quant in ("tiny", "large"):
        for k in range(3):
            rank = g.r.randint(1, 4)
            axes = g.r.choice(axis_sets(rank))
            models[f"op_sum_int8_{quant}_{k}"] = reduce_model(g, "sum", "INT8", rank, axes, g.r.random() < 0.5, quant)
    for kind in ("arg_max", "arg_min"):
        for dtype in DTYPES:
            d = dtype.lower()
            for rank in (2, 3, 4):
                for axis in range(rank):
                    named = axis - rank if g.r.random() < 0.3 else axis
                    models[f"op_{kind}_{d}_r{rank}_axis{str(named).replace('-', 'm')}"] = arg_model(g, kind, dtype,
                                                                                                   rank, named)
            for k, (rank, axis) in enumerate(((2, 1), (3, 0), (4, -1))):
                models[f"op_{kind}_{d}_ties_{k}"] = arg_model(g, kind, dtype, rank, axis)
    for from_input in (False, True):
        source = "input" if from_input else "constant"
        for rank in (1, 2, 3, 4):
            for axis in range(rank):
                dtype = DTYPES[(rank + axis + from_input) % 2]
                named = axis - rank if g.r.random() < 0.3 else axis
                models[f"op_gather_{dtype.lower()}_{source}_r{rank}_axis{str(named).replace('-', 'm')}"] = \
                    gather_model(g, dtype, rank, named, 0, from_input)
        for k, (rank, axis, bd) in enumerate(((2, 1, 1), (3, 1, 1), (3, 2, 1), (3, 2, 2), (4, 3, 2), (4, 2, 1),
                                              (3, -1, -1))):
            dtype = DTYPES[k % 2]
            models[f"op_gather_{dtype.lower()}_{source}_batch_{k}"] = gather_model(g, dtype, rank, axis, bd,
                                                                                   from_input)
    # One such model: check_io.py compiles a runner for each op_io_ model.
    models["op_io_int8_indices_0"] = indices_model(g, "INT8")
    return models


def batch_matmul_model(g, dtype, lrank, rrank, adj_x, adj_y, rhs_source, broadcast, sizes=None):
    """BATCH_MATMUL of an input lhs by a constant or an input rhs (or lhs by
    itself), ranks 2 to 4; `broadcast`: some batch axes of one input or the
    other are 1 (the lower-rank input's missing axes broadcast anyway).
    int8 inputs take random scales and zero points (extremes included), a
    constant rhs too; `sizes`: (rows, depth, cols) instead of random ones."""
    m = Recorder("batch_matmul corpus")
    rows, depth, cols = sizes or (g.r.randint(1, 8), g.r.randint(1, 16), g.r.randint(1, 8))
    axes = max(lrank, rrank) - 2
    batch = [g.r.randint(1, 3) for _ in range(axes)]
    lbatch, rbatch = batch[axes - (lrank - 2):], batch[axes - (rrank - 2):]
    if broadcast:
        for b in (lbatch, rbatch):
            for k in range(len(b)):
                if g.r.random() < 0.4:
                    b[k] = 1
    lshape = lbatch + ([depth, rows] if adj_x else [rows, depth])
    rshape = rbatch + ([cols, depth] if adj_y else [depth, cols])
    lhs = g.input(m, lshape, dtype)
    if rhs_source == "self":
        rhs = lhs
    elif rhs_source == "input":
        rhs = g.input(m, rshape, dtype)
    elif dtype == "INT8":
        rhs = m.constant(g.int8s(math.prod(rshape), -128, 127), rshape, "INT8", g.scale(0.002, 0.05), g.zero_point())
    else:
        rhs = m.constant(g.floats(math.prod(rshape)), rshape, "FLOAT32")
    out = None
    if dtype == "INT8":
        k = rhs.shape[-1] if adj_y else rhs.shape[-2]
        spread = math.sqrt(k) * 73 * 73 * lhs.scale * rhs.scale
        out = (4 * spread / 255 * g.r.uniform(0.5, 2.0), g.zero_point())
    m.output(m.batch_matmul(lhs, rhs, out, adj_x, adj_y))
    m.note("batch_matmul")
    return m


def embedding_lookup_model(g, kind, rank, ids_from_input, table_from_input, sizes=None):
    """EMBEDDING_LOOKUP of a table of `rank` dimensions: "float32",
    "int8" (the output quantized as the table), "int8_requant" (another
    output quantization: the stored values are copied all the same),
    "hybrid" (an int8 table, zero point 0, read into float32). The ids are
    a constant or an int32 model input (test_tflm draws them in the table);
    `sizes`: (table shape, ids) instead of random ones."""
    m = Recorder("embedding_lookup corpus")
    shape, length = sizes or ([g.r.randint(2, 9)] + [g.r.randint(1, 5) for _ in range(rank - 1)], g.r.randint(1, 6))
    n = math.prod(shape)
    dtype = "FLOAT32" if kind == "float32" else "INT8"
    zp = 0 if kind == "hybrid" else g.zero_point()
    scale = g.scale(0.005, 0.05)
    if table_from_input:
        table = m.input(shape, dtype, scale if dtype == "INT8" else None, zp, name="table")
    elif dtype == "INT8":
        table = m.constant(g.int8s(n, -128, 127), shape, "INT8", scale, zp)
    else:
        table = m.constant(g.floats(n), shape, "FLOAT32")
    ids = m.input([length], "INT32", name="ids") if ids_from_input else [g.r.randrange(shape[0])
                                                                         for _ in range(length)]
    output = (g.scale(0.005, 0.05), g.zero_point()) if kind == "int8_requant" else None
    y = m.embedding_lookup(ids, table, output, "FLOAT32" if kind == "hybrid" else None)
    m.output(y)
    m.note("gather")
    return m


def fc_3d_model(g, dtype, keep, with_bias, act, per_channel):
    """FULLY_CONNECTED on a 3-D input [B, T, K]: output [B, T, O]
    (keep_num_dims) or [B * T, O]."""
    m = Recorder("fully_connected corpus")
    depth, units = g.r.randint(1, 40), g.r.randint(2, 12)
    x = g.input(m, [g.r.randint(1, 3), g.r.randint(1, 5), depth], dtype)
    wts, ws = g.weights(x, [units, depth], per_channel, units)
    b = g.bias(x, units, depth, ws) if with_bias else None
    out = g.output_quant(x, ws, depth) if dtype == "INT8" else None
    m.output(m.fully_connected(x, wts, b, out, activation=act, keep_num_dims=keep))
    m.note("fully_connected", activation=act, keep_num_dims=int(keep), bias=int(with_bias),
           per_channel=int(per_channel and dtype == "INT8"))
    return m


def softmax_nd_model(g, dtype, beta, rank):
    """SOFTMAX along the last axis of a rank-1 to rank-4 input (rows: every
    other axis)."""
    m = Recorder("softmax corpus")
    shape = [g.r.randint(1, 4) for _ in range(rank - 1)] + [g.r.randint(1, 24)]
    x = g.input(m, shape, dtype)
    m.output(m.softmax(x, beta))
    m.note("softmax")
    return m


BMM_RANKS = [(2, 2), (3, 3), (4, 4), (3, 2), (2, 3), (4, 2), (2, 4), (4, 3), (3, 4)]


def transformer_models(g):
    """Transformer building blocks: BATCH_MATMUL (every rank pair 2 to 4,
    adj_x and adj_y, constant and input rhs, broadcast batch axes),
    EMBEDDING_LOOKUP (float32, int8, int8 requantized, hybrid; constant
    or input ids and tables), FULLY_CONNECTED on 3-D inputs and SOFTMAX on
    N-D inputs."""
    models = {}
    for dtype in DTYPES:
        d = dtype.lower()
        for lrank, rrank in BMM_RANKS:
            for adj_x in (False, True):
                for adj_y in (False, True):
                    for source in ("constant", "input"):
                        for k in range(2):
                            tag = f"l{lrank}r{rrank}_{'t' if adj_x else 'n'}{'t' if adj_y else 'n'}_{source}_{k}"
                            models[f"op_batch_matmul_{d}_{tag}"] = batch_matmul_model(
                                g, dtype, lrank, rrank, adj_x, adj_y, source, broadcast=k == 1)
        # x x^T and x^T x: one tensor as both inputs.
        for rank in (2, 3, 4):
            for adj_x, adj_y in ((False, True), (True, False)):
                models[f"op_batch_matmul_{d}_self_r{rank}_{'t' if adj_x else 'n'}{'t' if adj_y else 'n'}"] = \
                    batch_matmul_model(g, dtype, rank, rank, adj_x, adj_y, "self", False,
                                       sizes=(5, 7, 5) if adj_y else (7, 5, 7))
        # Large enough to be cut across cores: many rows (attention scores
        # of a batch of heads), and one row of many columns.
        for k, (lrank, rrank, sizes, source) in enumerate(((4, 4, (16, 16, 24), "input"),
                                                           (3, 2, (24, 32, 16), "constant"),
                                                           (2, 2, (1, 64, 96), "constant"),
                                                           (3, 3, (1, 24, 64), "input"))):
            for adj_y in (False, True):
                models[f"op_batch_matmul_{d}_large_{k}_{'nt' if adj_y else 'nn'}"] = batch_matmul_model(
                    g, dtype, lrank, rrank, False, adj_y, source, False, sizes)
    for kind in ("float32", "int8", "int8_requant", "hybrid"):
        for rank in (2, 3, 4):
            # (A constant table looked up at constant ids would leave the model no input.)
            for ids_from_input, table_from_input in ((True, False), (True, True), (False, True)):
                tag = f"{kind}_r{rank}_{'input' if ids_from_input else 'constant'}_ids_" \
                      f"{'input' if table_from_input else 'constant'}_table"
                models[f"op_embedding_lookup_{tag}"] = embedding_lookup_model(g, kind, rank, ids_from_input,
                                                                              table_from_input)
        # Enough rows to be cut across cores: a token embedding.
        models[f"op_embedding_lookup_{kind}_large"] = embedding_lookup_model(g, kind, 2, True, False,
                                                                             ([96, 64], 24))
    for dtype in DTYPES:
        d = dtype.lower()
        for keep in (False, True):
            for with_bias in (True, False):
                for a in ACTIVATIONS:
                    for per_channel in ((True, False) if dtype == "INT8" else (False,)):
                        tag = f"3d_{'keep' if keep else 'flat'}_{'bias' if with_bias else 'nobias'}_{a.lower()}"
                        if dtype == "INT8":
                            tag += "_pc" if per_channel else "_pt"
                        models[f"op_fully_connected_{d}_{tag}"] = fc_3d_model(g, dtype, keep, with_bias, a,
                                                                              per_channel)
        for rank in (1, 2, 3, 4):
            for beta in (1.0, 0.5):
                for k in range(3):
                    models[f"op_softmax_{d}_nd_r{rank}_beta{beta:g}_{k}"] = softmax_nd_model(g, dtype, beta, rank)
    return models


def sequence_refusals():
    """(name, expected message, build) for BATCH_MATMUL and EMBEDDING_LOOKUP
    models TFLite Micro refuses, written past the writer's own checks."""
    def bmm(lhs, rhs, out_shape, out_dtype="FLOAT32", adj_x=False, adj_y=False):
        def build(m):
            x = m.input(lhs[0], lhs[1], *lhs[2:])
            y = m.input(rhs[0], rhs[1], *rhs[2:], name="rhs")
            z = m._activation(out_shape, out_dtype, (0.1, 0) if out_dtype == "INT8" else None)
            m._operator("BATCH_MATMUL", [x.index, y.index], [z.index], "BatchMatMulOptions",
                        {"adj_x": adj_x, "adj_y": adj_y})
            m.output(z)
        return build

    def lookup(ids, table, out_shape, out_dtype, ids_dtype="INT32", table_zp=0):
        def build(m):
            i = m.input(ids, ids_dtype, 0.1 if ids_dtype == "INT8" else None, 0, name="ids")
            t = m.input(table[0], table[1], 0.05 if table[1] == "INT8" else None, table_zp, name="table")
            y = m._activation(out_shape, out_dtype, (0.05, table_zp) if out_dtype == "INT8" else None)
            m._operator("EMBEDDING_LOOKUP", [i.index, t.index], [y.index])
            m.output(y)
        return build

    bm = "operator 0 (BATCH_MATMUL): batch_matmul: "
    el = "operator 0 (EMBEDDING_LOOKUP): "
    return [
        ("batch_matmul_dtypes", bm + "both inputs must have the same dtype",
         bmm(([2, 3], "INT8", 0.05, 0), ([3, 4], "FLOAT32"), [2, 4], "INT8")),
        ("batch_matmul_rank", bm + "each input needs 2 to 4 dimensions", bmm(([3], "FLOAT32"), ([3, 4], "FLOAT32"),
                                                                               [4])),
        ("batch_matmul_depth", bm + "the summed axes differ", bmm(([2, 3], "FLOAT32"), ([4, 5], "FLOAT32"), [2, 5])),
        ("batch_matmul_adj_depth", bm + "the summed axes differ",
         bmm(([2, 3], "FLOAT32"), ([3, 5], "FLOAT32"), [3, 5], adj_x=True)),
        ("batch_matmul_batch", bm + "the inputs' batch axes (all but the last two) do not broadcast",
         bmm(([2, 2, 3], "FLOAT32"), ([3, 3, 4], "FLOAT32"), [3, 2, 4])),
        # TFLite Micro overwrites the output's shape when the element count
        # matches; weft holds a file to the shape it computes.
        ("batch_matmul_output_shape", "operator 0 (BATCH_MATMUL): the model gives its output the shape [4, 2], "
                                      "weft infers [2, 4]", bmm(([2, 3], "FLOAT32"), ([3, 4], "FLOAT32"), [4, 2])),
        ("batch_matmul_rank5", "has rank 5; weft supports 1 to 4 dimensions",
         bmm(([1, 1, 1, 2, 3], "FLOAT32"), ([3, 4], "FLOAT32"), [1, 1, 1, 2, 4])),
        ("embedding_lookup_ids_dtype", el + "its ids 0 'ids' are int8; TensorFlow Lite Micro's EMBEDDING_LOOKUP takes "
                                            "int32 ids only",
         lookup([2], ([4, 3], "FLOAT32"), [2, 3], "FLOAT32", ids_dtype="INT8")),
        ("embedding_lookup_ids_rank", el + "its ids 0 'ids' have shape [1, 2]; TensorFlow Lite Micro's "
                                           "EMBEDDING_LOOKUP takes 1-D ids",
         lookup([1, 2], ([4, 3], "FLOAT32"), [1, 2, 3], "FLOAT32")),
        ("embedding_lookup_table_rank", el + "its table 1 'table' has shape [4]; TensorFlow Lite Micro's "
                                             "EMBEDDING_LOOKUP needs 2 or more dimensions",
         lookup([2], ([4], "FLOAT32"), [2], "FLOAT32")),
        ("embedding_lookup_table_dtype", el + "its table 1 'table' is int32; TensorFlow Lite Micro's EMBEDDING_LOOKUP "
                                              "takes float32 or int8 tables",
         lookup([2], ([4, 3], "INT32"), [2, 3], "INT32")),
        ("embedding_lookup_output_dtype", el + "its output is int8 for a float32 table",
         lookup([2], ([4, 3], "FLOAT32"), [2, 3], "INT8")),
        ("embedding_lookup_hybrid_zero_point", el + "embedding_lookup: an int8 table read into a float32 output must "
                                                    "have zero point 0",
         lookup([2], ([4, 3], "INT8"), [2, 3], "FLOAT32", table_zp=3)),
    ]


def int8_network(seed, with_dilation):
    """conv -> depthwise -> conv, residual add -> pools -> reshape -> fc -> softmax:
    every int8 operator, SAME and VALID, strides, dilation, depth multiplier,
    every fused activation, per-channel and per-tensor weights."""
    g = Generator(seed)
    m = Recorder("int8 network")
    x = m.input([1, 12, 10, 3], "INT8", 0.02, -5)
    dil = (2, 2) if with_dilation else (1, 1)
    a = m.conv2d(x, tw.int8_weights(g.int8s(8 * 27), [8, 3, 3, 3], [g.scale(1e-3, 2e-2) for _ in range(8)]),
                 tw.int32_bias(g.int8s(8, -2000, 2000)), (0.03, -128), stride=(2, 1), dilation=dil, activation="RELU")
    m.note("conv2d", stride=(2, 1), dilation=dil, padding="same", activation="relu", filter=(3, 3), bias=1,
           per_channel=1)
    b = m.depthwise_conv2d(a, tw.int8_weights(g.int8s(9 * 16), [1, 3, 3, 16], [g.scale(1e-3, 2e-2) for _ in range(16)]),
                           tw.int32_bias(g.int8s(16, -2000, 2000)), (0.04, -100), activation="RELU6",
                           depth_multiplier=2)
    m.note("depthwise_conv2d", padding="same", activation="relu6", multiplier=2, filter=(3, 3), bias=1, per_channel=1)
    d = m.conv2d(b, tw.int8_weights(g.int8s(8 * 16), [8, 1, 1, 16], [g.scale(1e-3, 2e-2) for _ in range(8)]),
                 tw.int32_bias(g.int8s(8, -2000, 2000)), (0.05, 7), padding="VALID")
    m.note("conv2d", filter=(1, 1), bias=1, per_channel=1)
    e = m.add(a, d, (0.01, 0), "RELU_N1_TO_1")
    m.note("add", activation="relu_n1_to_1")
    f = m.max_pool2d(e, (2, 2), (2, 2), "VALID")
    m.note("max_pool2d", stride=(2, 2), filter=(2, 2))
    h = m.average_pool2d(f, (3, 2), (1, 1), "SAME", "RELU")
    m.note("average_pool2d", padding="same", activation="relu", filter=(3, 2))
    k = m.reshape(h, [1, math.prod(h.shape)])
    m.note("reshape")
    n = k.shape[1]
    fc = m.fully_connected(k, tw.int8_weights(g.int8s(10 * n), [10, n], [0.004]),
                           tw.int32_bias(g.int8s(10, -2000, 2000)), (0.2, 3))
    m.note("fully_connected", bias=1)
    m.output(m.softmax(fc))
    m.note("softmax")
    return m


def float_network(seed):
    g = Generator(seed)
    m = Recorder("float32 network")
    x = m.input([1, 9, 9, 2], "FLOAT32")
    a = m.conv2d(x, tw.float32_tensor(g.floats(4 * 18, -0.5, 0.5), [4, 3, 3, 2]),
                 tw.float32_tensor(g.floats(4, -0.1, 0.1)), activation="RELU")
    m.note("conv2d", padding="same", activation="relu", filter=(3, 3), bias=1)
    b = m.depthwise_conv2d(a, tw.float32_tensor(g.floats(36, -0.5, 0.5), [1, 3, 3, 4]),
                           tw.float32_tensor(g.floats(4, -0.1, 0.1)), stride=(2, 2), padding="VALID")
    m.note("depthwise_conv2d", stride=(2, 2), filter=(3, 3), bias=1)
    p = m.average_pool2d(b, (2, 2), (1, 1), "SAME")
    m.note("average_pool2d", padding="same", filter=(2, 2))
    q = m.max_pool2d(b, (2, 2), (1, 1), "SAME", "RELU6")
    m.note("max_pool2d", padding="same", activation="relu6", filter=(2, 2))
    s = m.add(p, q)
    m.note("add")
    f = m.reshape(s, [1, 64])
    m.note("reshape")
    fc = m.fully_connected(f, tw.float32_tensor(g.floats(5 * 64, -0.3, 0.3), [5, 64]),
                           tw.float32_tensor(g.floats(5, -0.1, 0.1)))
    m.note("fully_connected", bias=1)
    m.output(m.softmax(fc))
    m.note("softmax")
    return m


def fc_network(seed):
    """A per-channel fully_connected with keep_num_dims on a 3-D input."""
    g = Generator(seed)
    m = Recorder("fully_connected network")
    x = m.input([2, 3, 40], "INT8", 0.1, 12)
    y = m.fully_connected(x, tw.int8_weights(g.int8s(6 * 40), [6, 40], [g.scale(1e-3, 2e-2) for _ in range(6)]),
                          tw.int32_bias(g.int8s(6, -2000, 2000)), (0.08, -128), "RELU", keep_num_dims=True)
    m.note("fully_connected", activation="relu", keep_num_dims=1, bias=1, per_channel=1)
    m.output(m.fully_connected(y, tw.int8_weights(g.int8s(4 * 6), [4, 6], [0.01]), None, (0.05, 0)))
    m.note("fully_connected")
    return m


def binary_network(dtype):
    """Every binary operator, broadcasting, on statistics of the input:
    x minus its channel means, scaled by a per-pixel spread, clamped between
    means over rows and columns, plus the channel means, divided by a softmax
    of its channel means."""
    m = Recorder(f"{dtype.lower()} binary network")
    int8 = dtype == "INT8"

    def q(scale, zero_point):
        return (scale, zero_point) if int8 else None

    x = m.input([1, 6, 5, 4], dtype, 0.02, 0) if int8 else m.input([1, 6, 5, 4], dtype)
    mu = m.mean(x, [1, 2], True, q(0.003, 0))
    m.note("mean")
    centred = m.sub(x, mu, q(0.025, 0))
    m.note("sub")
    spread = m.squared_difference(x, mu, q(0.035, -128))
    m.note("squared_difference")
    pixel = m.mean(spread, [3], True, q(0.03, -128))
    m.note("mean")
    scaled = m.mul(centred, pixel, q(6 / 255, -128), "RELU6")
    m.note("mul", activation="relu6")
    rows = m.mean(scaled, [1], True, q(6 / 255, -128))
    m.note("mean")
    high = m.maximum(scaled, rows)
    m.note("maximum")
    cols = m.mean(high, [2], True, q(6 / 255, -128))
    m.note("mean")
    low = m.minimum(high, cols)
    m.note("minimum")
    shifted = m.add(low, mu, q(0.025, -128), "RELU")
    m.note("add", activation="relu")
    weights = m.mean(shifted, [1, 2], True, q(0.02, -128))
    m.note("mean")
    if int8:
        weights = m.quantize(weights, (0.004, -128))
        m.note("quantize")
    weights = m.softmax(weights)
    m.note("softmax")
    # int8: the multiplier 0.025 * 256 / 0.05 = 2^7 (see binary_output).
    m.output(m.div(shifted, weights, q(0.05, -128)))
    m.note("div")
    return m


def good_models():
    return {
        "good_int8_network": int8_network(11, False),
        "good_int8_dilated": int8_network(12, True),
        "good_float32_network": float_network(13),
        "good_fc_keep_dims": fc_network(14),
        "good_int8_binary": binary_network("INT8"),
        "good_float32_binary": binary_network("FLOAT32"),
    }


def bad_int16_models(flatc):
    """16x8 models TensorFlow Lite Micro refuses (or aborts on), which weft
    refuses too, with the words of weft's message."""
    g = Generator(1609)
    made = {}

    def depthwise_without_bias():
        m = tw.Model("bad int16")
        x = m.input([1, 5, 5, 2], "INT16", 1e-4, 0)
        w = tw.int8_weights(g.int8s(18), [1, 3, 3, 2], [0.01])
        m.output(m.depthwise_conv2d(x, w, None, (1e-3, 0)))
        return m, "the bias must be int64"

    def mul_zero_point():
        m = tw.Model("bad int16")
        a = m.input([2, 3], "INT16", 1e-4, 5, name="a")
        b = m.input([2, 3], "INT16", 1e-4, 0, name="b")
        m.output(m.mul(a, b, (1e-6, 0)))
        return m, "needs zero points of 0"

    def logistic_output_scale():
        m = tw.Model("bad int16")
        x = m.input([2, 3], "INT16", 1e-3, 0)
        m.output(m.logistic(x, (2.0 ** -14, 0)))
        return m, "the output scale must be 2^-15"

    def concatenation_zero_point():
        m = tw.Model("bad int16")
        a = m.input([2, 3], "INT16", 1e-4, 0, name="a")
        b = m.input([2, 3], "INT16", 1e-4, 7, name="b")
        m.output(m.concatenation([a, b], 1, (1e-4, 0)))
        return m, "needs zero points of 0"

    def float_bias():
        m = tw.Model("bad int16")
        x = m.input([2, 4], "INT16", 1e-4, 0)
        w = tw.int8_weights(g.int8s(12), [3, 4], [0.01])
        y = m.fully_connected(x, w, tw.int64_bias([1, 2, 3]), (1e-3, 0))
        m.output(y)
        d = m.to_dict()
        sg = d["subgraphs"][0]
        sg["tensors"][sg["operators"][0]["inputs"][2]]["type"] = "FLOAT32"  # 3 int64 values read as 6 floats
        return d, "int32 or int64 for 16x8 layers"

    def bias_scale():
        m = tw.Model("bad int16")
        x = m.input([2, 4], "INT16", 1e-4, 0)
        w = tw.int8_weights(g.int8s(12), [3, 4], [0.01])
        m.output(m.fully_connected(x, w, tw.int64_bias([1, 2, 3]), (1e-6, 0)))
        d = m.to_dict()
        sg = d["subgraphs"][0]
        sg["tensors"][sg["operators"][0]["inputs"][2]]["quantization"]["scale"] = [2e-6]  # 1e-6 + 100% of 1e-6
        return d, "its bias scale is not input scale x weight scale"

    def softmax_zero_point():
        m = tw.Model("bad int16")
        x = m.input([2, 5], "INT16", 1e-3, 3)
        m.output(m.softmax(x))
        return m, "the input and output zero points must be 0 and the output scale 1/32768"

    def softmax_output_scale():
        m = tw.Model("bad int16")
        x = m.input([2, 5], "INT16", 1e-3, 0)
        m.output(m.softmax(x, 1.0, (2.0 ** -16, 0)))
        return m, "the input and output zero points must be 0 and the output scale 1/32768"

    def batch_matmul_zero_point():
        m = tw.Model("bad int16")
        a = m.input([2, 3], "INT16", 1e-4, 0, name="a")
        b = m.input([3, 2], "INT16", 1e-4, 4, name="b")
        m.output(m.batch_matmul(a, b, (1e-4, 0)))
        return m, "needs zero points of 0"

    def transpose_conv_int32_bias():
        m = tw.Model("bad int16")
        x = m.input([1, 2, 2, 1], "INT16", 1e-4, 0)
        w = tw.int8_weights(g.int8s(18), [2, 3, 3, 1], [0.01])
        m.output(m.transpose_conv(x, w, (4, 4), tw.int32_bias([5, -5]), (1e-3, 0), (2, 2)))
        return m, "the bias must be int64 (an int16 one is widened) or absent"

    def abs_zero_point():
        m = tw.Model("bad int16")
        x = m.input([2, 3], "INT16", 1e-4, 2)
        m.output(m.abs(x, (1e-4, 2)))
        return m, "needs zero points of 0"

    def squared_difference_zero_point():
        m = tw.Model("bad int16")
        a = m.input([2, 3], "INT16", 1e-4, 0, name="a")
        b = m.input([2, 3], "INT16", 1e-4, 3, name="b")
        m.output(m.squared_difference(a, b, (1e-6, 0)))
        return m, "needs zero points of 0"

    for name, make in (("int16_depthwise_without_bias", depthwise_without_bias),
                       ("int16_bias_scale", bias_scale),
                       ("int16_mul_zero_point", mul_zero_point),
                       ("int16_logistic_output_scale", logistic_output_scale),
                       ("int16_concatenation_zero_point", concatenation_zero_point),
                       ("int16_float_bias", float_bias),
                       ("int16_softmax_zero_point", softmax_zero_point),
                       ("int16_softmax_output_scale", softmax_output_scale),
                       ("int16_batch_matmul_zero_point", batch_matmul_zero_point),
                       ("int16_transpose_conv_int32_bias", transpose_conv_int32_bias),
                       ("int16_abs_zero_point", abs_zero_point),
                       ("int16_squared_difference_zero_point", squared_difference_zero_point)):
        model, expect = make()
        made[name] = (model if isinstance(model, dict) else model.to_dict(), expect)
    files = tw.to_bytes_many([d for d, _ in made.values()], flatc)
    return {name: (data, expect) for (name, (_, expect)), data in zip(made.items(), files)}


def bad_variable_models(flatc):
    """Resource-variable models TensorFlow Lite Micro refuses or aborts on,
    or that weft does not model, refused with the words of weft's message."""
    g = Generator(4402)
    made = {}

    def base(init=True, read_first=False):
        m = tw.Model("bad variable")
        x = m.input([2, 3], "INT8", 0.02, 0)
        sub = None
        if init:
            sub = m.init_subgraph()
            sub.assign_variable(sub.var_handle("v"), sub.constant(g.int8s(6), [2, 3], "INT8", 0.02, 0))
            if not read_first:
                m.call_once(sub)
        h = m.var_handle("v")
        return m, x, h, sub

    def read_unassigned():
        m, x, h, _ = base(init=False)
        m.output(m.add(m.read_variable(h, [2, 3], "INT8", (0.02, 0)), x, (0.04, 0)))
        return m, "which no ASSIGN_VARIABLE of the model assigns; TensorFlow Lite Micro aborts"

    def assign_size():
        m, x, h, _ = base(init=False)
        m.assign_variable(h, x)
        m.assign_variable(h, m.constant(g.int8s(4), [4], "INT8", 0.02, 0))
        m.output(m.read_variable(h, [2, 3], "INT8", (0.02, 0)))
        return m, "assigns 4 bytes to variable 'v' of 6 bytes"

    def two_call_once():
        m, x, h, sub = base()
        m.call_once(sub)
        m.output(m.add(m.read_variable(h, [2, 3], "INT8", (0.02, 0)), x, (0.04, 0)))
        return m, "second CALL_ONCE"

    def call_once_late():
        m, x, h, sub = base(read_first=True)
        y = m.add(m.read_variable(h, [2, 3], "INT8", (0.02, 0)), x, (0.04, 0))
        m.call_once(sub)
        m.output(y)
        return m, "CALL_ONCE must come before every READ_VARIABLE and ASSIGN_VARIABLE"

    def init_computes():
        m, x, h, sub = base()
        c = sub.constant(g.int8s(6), [2, 3], "INT8", 0.02, 0)
        sub.assign_variable(sub.var_handle("v"), sub.add(c, c, (0.04, 0)))
        m.output(m.add(m.read_variable(h, [2, 3], "INT8", (0.02, 0)), x, (0.04, 0)))
        return m, "ADD): is not supported in an init subgraph"

    def init_index():
        m, x, h, sub = base()
        m.output(m.add(m.read_variable(h, [2, 3], "INT8", (0.02, 0)), x, (0.04, 0)))
        d = m.to_dict()
        d["subgraphs"][0]["operators"][0]["builtin_options"]["init_subgraph_index"] = 5
        return d, "its init_subgraph_index 5 names no subgraph"

    for name, make in (("variable_read_unassigned", read_unassigned),
                       ("variable_assign_size", assign_size),
                       ("variable_two_call_once", two_call_once),
                       ("variable_call_once_late", call_once_late),
                       ("variable_init_computes", init_computes),
                       ("variable_init_index", init_index)):
        model, expect = make()
        made[name] = (model if isinstance(model, dict) else model.to_dict(), expect)
    files = tw.to_bytes_many([d for d, _ in made.values()], flatc)
    return {name: (data, expect) for (name, (_, expect)), data in zip(made.items(), files)}


def bad_models(base, flatc):
    """Files made by altering `base` (an int8_network), with the words each
    error message must contain."""
    valid = base.to_bytes(flatc)
    bad = {}
    ref = base.to_dict()
    sg = ref["subgraphs"][0]
    ops = sg["operators"]

    def name_of(t):
        return f"{t} '{sg['tensors'][t]['name']}'"

    altered = {}

    def mutated(name, expect, change):
        d = copy.deepcopy(ref)
        change(d, d["subgraphs"][0])
        altered[name] = (d, expect)

    def weights_of(s, op):
        return s["tensors"][s["operators"][op]["inputs"][1]]

    bad["empty"] = (b"", "the file is 0 bytes long")
    bad["too_short"] = (valid[:4], "the file is 4 bytes long")
    bad["truncated"] = (valid[: len(valid) // 2], "corrupt model")
    bad["wrong_identifier"] = (valid[:4] + b"TFL2" + valid[8:], "file identifier is 'TFL2'")
    bad["root_offset_out_of_range"] = (b"\xf0\xff\xff\x7f" + valid[4:], "corrupt model")

    mutated("schema_version", "schema version 2", lambda d, s: d.update(version=2))
    mutated("two_subgraphs", "2 subgraphs", lambda d, s: d["subgraphs"].append(copy.deepcopy(s)))
    mutated("no_subgraph", "no subgraph", lambda d, s: d.update(subgraphs=[]))
    mutated("input_written", "a model input", lambda d, s: s["inputs"].append(ops[0]["outputs"][0]))
    mutated("nine_inputs", "the model has 9 input tensors; weft models have 1 to 8",
            lambda d, s: s["inputs"].extend(range(1, 9)))

    def new_opcode(d, s, op, name, custom=None):
        d["operator_codes"].append(tw.operator_code(name, custom))
        s["operators"][op]["opcode_index"] = len(d["operator_codes"]) - 1

    def new_opcodes(*changes):
        def change(d, s):
            for op, name, *custom in changes:
                new_opcode(d, s, op, name, *custom)
        return change

    mutated("unsupported_operator", "LSH_PROJECTION is not supported (operator 4)",
            new_opcodes((4, "LSH_PROJECTION")))
    # Every unsupported kind at once, one line each, in order of appearance;
    # codes past 127 live in builtin_code only.
    mutated("unsupported_operators", "BATCH_TO_SPACE_ND is not supported (2 operators: 1, 6)\n"
            "custom operator \"MyOp\" is not supported (operator 2)\n"
            "GELU is not supported (operator 4)\n"
            "SHAPE is not supported (operator 5): it computes shapes at run time",
            new_opcodes((1, "BATCH_TO_SPACE_ND"), (2, "CUSTOM", "MyOp"), (4, "GELU"), (5, "SHAPE"),
                        (6, "BATCH_TO_SPACE_ND")))
    mutated("custom_operator", "custom operator \"MyOp\"", new_opcodes((2, "CUSTOM", "MyOp")))
    mutated("relu_n1_to_1", "RELU_N1_TO_1 is not supported (operator 3): TensorFlow Lite Micro has no kernel for it",
            new_opcodes((3, "RELU_N1_TO_1")))

    def unknown_code(d, s):
        d["operator_codes"].append({"deprecated_builtin_code": 127, "builtin_code": 4000})
        s["operators"][3]["opcode_index"] = len(d["operator_codes"]) - 1

    mutated("unknown_builtin_code", "BUILTIN_4000 is not supported (operator 3)", unknown_code)

    def runtime_reshape(d, s):
        reshape = next(o for o in s["operators"] if d["operator_codes"][o["opcode_index"]]["builtin_code"] ==
                       tw.BUILTIN_CODES["RESHAPE"])
        s["tensors"][reshape["inputs"][1]]["buffer"] = 0  # the new shape: no data, so a run-time tensor

    mutated("runtime_reshape", "RESHAPE to a shape computed at run time is not supported (operator 6)",
            runtime_reshape)
    # Binary operators: shapes that do not broadcast, int8 MAXIMUM on
    # differently quantized inputs (TFLite compares stored values).
    mutated("binary_shapes", "operator 3 (ADD): an element-wise operator's inputs do not broadcast",
            lambda d, s: s["operators"][3]["inputs"].__setitem__(1, ops[1]["outputs"][0]))
    mutated("maximum_quantization", "operator 3 (MAXIMUM): maximum/minimum compare stored int8 values",
            new_opcodes((3, "MAXIMUM")))
    mutated("opcode_index_out_of_range", "operator 1: opcode index 99 is out of range",
            lambda d, s: s["operators"][1].update(opcode_index=99))
    mutated("tensor_index_out_of_range", "operator 3 (ADD): tensor index 500 is out of range",
            lambda d, s: s["operators"][3]["inputs"].__setitem__(1, 500))
    mutated("buffer_index_out_of_range", "operator 0 (CONV_2D): tensor",
            lambda d, s: weights_of(s, 0).update(buffer=9999))
    mutated("float16_weights", "float16 is not supported", lambda d, s: weights_of(s, 0).update(type="FLOAT16"))
    mutated("uint8_activations", "has dtype uint8; weft activations are int8, int16 or float32",
            lambda d, s: s["tensors"][s["inputs"][0]].update(type="UINT8"))
    # An int16 input into int8 layers: the convolution takes it (16x8) and
    # gives int16, not the int8 the model says.
    mutated("int16_activations", "the model gives its output dtype int8, weft infers int16",
            lambda d, s: s["tensors"][s["inputs"][0]].update(type="INT16"))
    mutated("dynamic_dimension", "dynamic dimension",
            lambda d, s: s["tensors"][s["inputs"][0]]["shape"].__setitem__(1, -1))
    mutated("dynamic_signature", "shape_signature -1 at axis 2",
            lambda d, s: s["tensors"][s["inputs"][0]].update(shape_signature=[-1, 12, -1, 3]))
    mutated("wrong_output_shape", "operator 0 (CONV_2D): the model gives its output the shape [1, 6, 10, 9]",
            lambda d, s: s["tensors"][ops[0]["outputs"][0]].update(shape=[1, 6, 10, 9]))

    def shrink(d, s):
        d["buffers"][weights_of(s, 0)["buffer"]]["data"] = d["buffers"][weights_of(s, 0)["buffer"]]["data"][:100]

    mutated("buffer_size_mismatch", "holds 100 bytes, its shape needs 216", shrink)
    mutated("non_constant_weights", "is not a constant", lambda d, s: weights_of(s, 2).update(buffer=0))
    mutated("sparse_tensor", "sparse", lambda d, s: weights_of(s, 0).update(sparsity={}))
    mutated("asymmetric_weights", "symmetric",
            lambda d, s: weights_of(s, 2)["quantization"]["zero_point"].__setitem__(0, 3))
    mutated("conv_channel_mismatch", "operator 2 (CONV_2D): conv2d: the weights' last dimension",
            lambda d, s: weights_of(s, 2).update(shape=[8, 1, 2, 8]))
    mutated("hybrid_fc", "hybrid", lambda d, s: s["operators"][7]["builtin_options"].update(
        asymmetric_quantize_inputs=True))
    mutated("read_before_write", f"operator 1 (DEPTHWISE_CONV_2D): reads tensor {name_of(ops[4]['outputs'][0])}",
            lambda d, s: s["operators"][1]["inputs"].__setitem__(0, ops[4]["outputs"][0]))
    mutated("missing_quantization", "needs one scale and one zero point",
            lambda d, s: s["tensors"][ops[1]["outputs"][0]].pop("quantization"))
    mutated("output_not_written", f"output tensor {name_of(ops[7]['inputs'][1])} is not written by any operator",
            lambda d, s: s["outputs"].__setitem__(0, ops[7]["inputs"][1]))
    mutated("unknown_activation", "fused activation TANH is not supported",
            lambda d, s: s["operators"][5]["builtin_options"].update(fused_activation_function="TANH"))
    mutated("softmax_beta_zero", "operator 8 (SOFTMAX): softmax: beta must be a positive finite number",
            lambda d, s: s["operators"][8]["builtin_options"].update(beta=0.0))
    mutated("softmax_beta_negative", "operator 8 (SOFTMAX): softmax: beta must be a positive finite number",
            lambda d, s: s["operators"][8]["builtin_options"].update(beta=-1.0))
    # Window sizes whose arithmetic would overflow int (found by the fuzzer).
    mutated("huge_pool_filter", "operator 5 (AVERAGE_POOL_2D): strides, dilations, filter sizes",
            lambda d, s: s["operators"][5]["builtin_options"].update(filter_height=1073741826, padding="SAME"))
    mutated("huge_dilation", "must be from 1 to 32767",
            lambda d, s: s["operators"][0]["builtin_options"].update(dilation_h_factor=1 << 30, padding="SAME"))
    mutated("huge_depth_multiplier", "must be from 1 to 32767",
            lambda d, s: s["operators"][1]["builtin_options"].update(depth_multiplier=1 << 30))
    mutated("huge_tensor", "more than 16,777,216 elements",
            lambda d, s: s["tensors"][s["inputs"][0]].update(shape=[1, 65536, 65536, 3]))
    # TFLite (Micro too) refuses an int8 LOGISTIC whose output zero point is not -128.
    lg = tw.Model("bad logistic")
    lg.output(lg.logistic(lg.input([1, 4], "INT8", 0.05, 0), output=(1 / 256, 0)))
    bad["logistic_zero_point"] = (lg.to_bytes(flatc),
                                  "operator 0 (LOGISTIC): logistic: an int8 output needs zero point -128")
    # ... and has no int8 NEG (nor SQRT, EXP, ...).
    ng = tw.Model("bad neg")
    x = ng.input([1, 4], "INT8", 0.05, 0)
    ng.output(ng.unary("NEG", x))
    bad["int8_neg"] = (ng.to_bytes(flatc), "operator 0 (NEG): this operator takes float32 only")
    # TFLite Micro refuses (or aborts on) these reductions, arg and gather models.
    rm = tw.Model("bad reduce_max")
    rm.output(rm._reduce("REDUCE_MAX", rm.input([2, 4], "INT8", 0.05, 3), [1], True, (0.1, 3)))
    bad["reduce_max_requantized"] = (rm.to_bytes(flatc),
                                     "operator 0 (REDUCE_MAX): reduce_max compares stored int8 values")
    am = tw.Model("bad arg_max")
    am.output(am.arg_max(am.input([2, 4], "FLOAT32"), 1, output_type="INT64"))
    bad["arg_max_int64"] = (am.to_bytes(flatc), "has dtype int64; weft activations are int8, int16 or float32, and "
                                                "int32 for indices (TensorFlow Lite Micro's indices are int32)")
    ai = tw.Model("bad arg_max reader")
    ai.output(ai.abs(ai.arg_max(ai.input([2, 4], "FLOAT32"), 1)))
    bad["int32_into_abs"] = (ai.to_bytes(flatc), "operator 1 (ABS): this operator does not take int32 activations")
    gi = tw.Model("bad gather")
    gi.output(gi.gather(gi.input([3, 2], "INT8", 0.05, 0), ([0, 3], [2])))
    bad["gather_index"] = (gi.to_bytes(flatc),
                           "operator 0 (GATHER): gather: a constant position is outside the gathered axis")
    gp = tw.Model("bad gather positions")
    gp.output(gp.gather(gp.input([3, 2], "FLOAT32"), ([0, 1], [2])))
    d = gp.to_dict()
    positions = d["subgraphs"][0]["tensors"][d["subgraphs"][0]["operators"][0]["inputs"][1]]
    positions["type"] = "INT64"
    d["buffers"][positions["buffer"]]["data"] = list(bytes(16))
    bad["gather_int64_positions"] = (tw.to_bytes(d, flatc),
                                     "operator 0 (GATHER): its positions 1 'op0_positions' are int64; TensorFlow "
                                     "Lite Micro's GATHER takes int32 positions only")
    # Slicing and joining: what TFLite Micro refuses, aborts on, or writes
    # nothing for.
    for name, expect, build in slicing_refusals():
        sm = tw.Model(f"bad {name}")
        build(sm)
        bad[name] = (tw.to_bytes(sm.to_dict(), flatc), expect)
    # TFLite Micro's L2_POOL_2D is float32 only.
    l2 = tw.Model("bad l2 pool")
    l2.output(l2.l2_pool2d(l2.input([1, 4, 4, 2], "INT8", 0.05, 0), (2, 2)))
    bad["l2_pool_int8"] = (l2.to_bytes(flatc), "operator 0 (L2_POOL_2D): this operator takes float32 only")
    # A TRANSPOSE_CONV whose constant output_shape differs from its output.
    tc = tw.Model("bad transpose conv")
    x = tc.input([1, 3, 3, 2], "FLOAT32")
    tc.output(tc.transpose_conv(x, tw.float32_tensor([0.5] * 8, [2, 1, 2, 2]), (6, 6), stride=(2, 2),
                                output_shape=[1, 5, 6, 2]))
    bad["transpose_conv_output_shape"] = (tc.to_bytes(flatc), "operator 0 (TRANSPOSE_CONV): its output_shape operand "
                                          "says [1, 5, 6, 2] but its output tensor has the shape [1, 6, 6, 2]")
    # A REFLECT pad as large as the axis (TFLite Micro would read outside the input).
    mp = tw.Model("bad mirror pad")
    mp.output(mp.mirror_pad(mp.input([1, 3, 3, 2], "FLOAT32"), [(0, 0), (3, 0), (0, 0), (0, 0)], "REFLECT"))
    bad["mirror_pad_too_far"] = (mp.to_bytes(flatc), "operator 0 (MIRROR_PAD): mirror_pad: each padding amount")
    # TFLite Micro refuses RESIZE_BILINEAR with both align_corners and half_pixel_centers.
    rb = tw.Model("bad resize bilinear")
    rb.output(rb.resize_bilinear(rb.input([1, 3, 3, 2], "FLOAT32"), (6, 6), True, True))
    bad["resize_bilinear_align_half"] = (rb.to_bytes(flatc),
                                         "operator 0 (RESIZE_BILINEAR): resize_bilinear: align_corners and "
                                         "half_pixel_centers cannot both be set")
    # BATCH_MATMUL and EMBEDDING_LOOKUP: what TFLite Micro refuses in Prepare.
    for name, expect, build in sequence_refusals():
        sm = tw.Model(f"bad {name}")
        build(sm)
        bad[name] = (tw.to_bytes(sm.to_dict(), flatc), expect)
    files = tw.to_bytes_many([d for d, _ in altered.values()], flatc)
    for (name, (_, expect)), data in zip(altered.items(), files):
        bad[name] = (data, expect)
    return bad


# Strings a model file may hold that would break, or add code to, a header
# that copied them unescaped. A statement here that ran would print PWNED.
HOSTILE_NAMES = [
    "x\n[[maybe_unused]] static int weft_pwned = __builtin_printf(\"PWNED\");\n//",
    "*/ int injected_after_close; /*",
    "/* an opened comment",
    "a \"quoted\" name and a lone \"",
    "ends in a backslash \\",
    "\\\n#error a spliced line",
    "#include <cstdlib>\n#error a directive",
    "??/\n#error a trigraph splice ??= ??' ??( ??! ??<",
    "caf\u00e9 \u6a21\u578b \U0001F600 \u2028 \u202e",
    "tab\there\r\x01\x1f\x7f",
    "\x00 NUL first",
    "int",
    "class",
    "delete",
    "R\"(raw string",
    "'",
    "",
]


def hostile_models(models, flatc):
    """names_<model>: the good models with HOSTILE_NAMES as their strings."""
    out = {}
    for name, m in models.items():
        d = m.to_dict()
        sg = d["subgraphs"][0]
        for i, t in enumerate(sg["tensors"]):
            t["name"] = HOSTILE_NAMES[i % len(HOSTILE_NAMES)]
        sg["name"] = HOSTILE_NAMES[0]
        d["description"] = "\n".join(HOSTILE_NAMES)
        out["names_" + name[len("good_"):]] = d
    return dict(zip(out, tw.to_bytes_many(list(out.values()), flatc)))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py OUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    flatc = tw.find_flatc()
    models = {**operator_models(), **good_models()}
    files = tw.to_bytes_many([m.to_dict() for m in models.values()], flatc)
    for (name, m), data in zip(models.items(), files):
        tw.write_bytes(os.path.join(out, name + ".tflite"), data)
        with open(os.path.join(out, name + ".ops"), "w") as f:
            f.write("\n".join(m.lines) + "\n")
    for name, data in hostile_models(good_models(), flatc).items():
        tw.write_bytes(os.path.join(out, name + ".tflite"), data)
    bad = bad_models(int8_network(11, False), flatc)
    bad.update(bad_int16_models(flatc))
    bad.update(bad_variable_models(flatc))
    for name, (data, expect) in bad.items():
        tw.write_bytes(os.path.join(out, f"bad_{name}.tflite"), data)
        with open(os.path.join(out, f"bad_{name}.expect"), "w") as f:
            f.write(expect)
    print(f"make_corpus: {len(models)} models and {len(bad)} bad files in {out}")


if __name__ == "__main__":
    main()
