#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the importer's test corpus with weft's .tflite writer.

    make_corpus.py OUT_DIR

- op_<operator>_<dtype>_<parameters>.tflite: one model per operator and
  combination of the parameters weft supports (strides, dilations, padding,
  depth multiplier, fused activation, keep_num_dims, bias or none, per-tensor
  or per-channel weights, softmax beta, residual add), int8 and float32, with
  random shapes, weights and quantization (extreme zero points included);
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


def conv_model(g, dtype, stride, dilation, padding, act, index, depthwise=False, multiplier=1):
    m = Recorder(f"conv corpus {index}")
    kh, kw = g.r.choice([(3, 3), (1, 1), (2, 3), (3, 1), (5, 5)])
    h = max(g.r.randint(4, 11), (kh - 1) * dilation[0] + 1)
    w = max(g.r.randint(4, 11), (kw - 1) * dilation[1] + 1)
    c = g.r.randint(1, 5)
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
    kind = "depthwise_conv2d" if depthwise else "conv2d"
    args = dict(stride=stride, dilation=dilation, padding=padding, activation=act)
    if depthwise:
        y = m.depthwise_conv2d(x, wts, b, out, depth_multiplier=multiplier, **args)
    else:
        y = m.conv2d(x, wts, b, out, **args)
    m.output(y)
    m.note(kind, stride=stride, dilation=dilation, padding=padding, activation=act, multiplier=multiplier,
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
        for rank, axes in ((4, [1, 2]), (4, [2, 1]), (4, [-3, -2]), (4, [3]), (4, [0, 3]), (3, [1]), (3, [0, 1, 2]),
                           (2, [1]), (2, [0]), (1, [0]), (4, [1, 2, 3])):
            for keep in (True, False):
                for same in ((True, False) if dtype == "INT8" else (True,)):
                    tag = f"r{rank}_{'_'.join(str(a).replace('-', 'm') for a in axes)}_{'keep' if keep else 'drop'}"
                    if dtype == "INT8":
                        tag += "_same" if same else "_requant"
                    models[f"op_mean_{d}_{tag}"] = mean_model(g, dtype, rank, axes, keep, same)
    for k in range(8):
        models[f"op_dequantize_int8_{k}"] = dequantize_model(g)
    models.update(unary_models(Generator(2027)))
    return models


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


def good_models():
    return {
        "good_int8_network": int8_network(11, False),
        "good_int8_dilated": int8_network(12, True),
        "good_float32_network": float_network(13),
        "good_fc_keep_dims": fc_network(14),
    }


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
    mutated("two_inputs", "2 input tensors", lambda d, s: s["inputs"].append(ops[0]["outputs"][0]))

    def new_opcode(d, s, op, name, custom=None):
        d["operator_codes"].append(tw.operator_code(name, custom))
        s["operators"][op]["opcode_index"] = len(d["operator_codes"]) - 1

    def new_opcodes(*changes):
        def change(d, s):
            for op, name, *custom in changes:
                new_opcode(d, s, op, name, *custom)
        return change

    mutated("unsupported_operator", "MUL is not supported (operator 4)", new_opcodes((4, "MUL")))
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
    mutated("opcode_index_out_of_range", "operator 1: opcode index 99 is out of range",
            lambda d, s: s["operators"][1].update(opcode_index=99))
    mutated("tensor_index_out_of_range", "operator 3 (ADD): tensor index 500 is out of range",
            lambda d, s: s["operators"][3]["inputs"].__setitem__(1, 500))
    mutated("buffer_index_out_of_range", "operator 0 (CONV_2D): tensor",
            lambda d, s: weights_of(s, 0).update(buffer=9999))
    mutated("float16_weights", "float16 is not supported", lambda d, s: weights_of(s, 0).update(type="FLOAT16"))
    mutated("int16_activations", "int16 activations are not supported",
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
    for name, (data, expect) in bad.items():
        tw.write_bytes(os.path.join(out, f"bad_{name}.tflite"), data)
        with open(os.path.join(out, f"bad_{name}.expect"), "w") as f:
            f.write(expect)
    print(f"make_corpus: {len(models)} models and {len(bad)} bad files in {out}")


if __name__ == "__main__":
    main()
