#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Computes the requantization constants that tests/core/test_constants.cpp
pins, from the scales stored in the MLPerf Tiny models, with TFLite's formulas
transcribed independently of weft (Python doubles; std::round is half away
from zero). Run it with ../shared present to regenerate the expectations:

    python3 tests/core/pin_constants.py ../shared/models
"""
import math
import struct
import sys

sys.path.insert(0, sys.argv[1] + "/../tools")
from tflite_dump import FB  # noqa: E402  (the reader shipped in ../shared)


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def quantize_multiplier(m):
    if m == 0.0:
        return 0, 0
    q, shift = math.frexp(m)
    q_fixed = math.floor(q * (1 << 31) + 0.5)  # q > 0: half away from zero
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    return q_fixed, shift


def tensors(path):
    fb = FB(open(path, "rb").read())
    sg = fb.vec_tables(fb.root(), 8)[0]
    out = []
    for t in fb.vec_tables(sg, 4):
        q = fb.ref(t, 12)
        scales = fb.vec_scalars(q, 8, "f") if q is not None else []
        zps = fb.vec_scalars(q, 10, "q") if q is not None else []
        out.append((scales, zps))
    ops = []
    for o in fb.vec_tables(sg, 10):
        ops.append((fb.vec_scalars(o, 6, "i"), fb.vec_scalars(o, 8, "i")))
    return out, ops


def hexf(x):
    return float.hex(x) + "f"


def conv(models, model, op, channels):
    ts, ops = tensors(models + "/" + model)
    ins, outs = ops[op]
    s_in = ts[ins[0]][0][0]
    s_w = ts[ins[1]][0]
    s_out = ts[outs[0]][0][0]
    print(f"// {model} operator {op}: input {hexf(s_in)}, output {hexf(s_out)}")
    for c in channels:
        m = quantize_multiplier(s_in * s_w[c] / s_out)
        print(f"//   channel {c}: weight scale {hexf(s_w[c])} -> {m}")


def fc_per_tensor(models, model, op):
    ts, ops = tensors(models + "/" + model)
    ins, outs = ops[op]
    s_in, s_w, s_out = ts[ins[0]][0][0], ts[ins[1]][0][0], ts[outs[0]][0][0]
    # GetQuantizedConvolutionMultipler: float product, then double.
    m = quantize_multiplier(f32(s_in * s_w) / s_out)
    print(f"// {model} operator {op} (FC): in {hexf(s_in)} w {hexf(s_w)} out {hexf(s_out)} -> {m}")


def add(models, model, op):
    ts, ops = tensors(models + "/" + model)
    ins, outs = ops[op]
    s1, s2, so = ts[ins[0]][0][0], ts[ins[1]][0][0], ts[outs[0]][0][0]
    twice_max = 2 * max(s1, s2)
    m1 = quantize_multiplier(s1 / twice_max)
    m2 = quantize_multiplier(s2 / twice_max)
    mo = quantize_multiplier(twice_max / ((1 << 20) * so))
    print(f"// {model} operator {op} (ADD): in1 {hexf(s1)} in2 {hexf(s2)} out {hexf(so)} -> {m1} {m2} {mo}")


def softmax(models, model, op):
    ts, ops = tensors(models + "/" + model)
    ins, _ = ops[op]
    s_in = ts[ins[0]][0][0]
    real = min(1.0 * s_in * (1 << 26), (1 << 31) - 1.0)
    m = quantize_multiplier(real)
    radius = math.floor(31.0 * (1 << 26) / (1 << m[1]))
    print(f"// {model} operator {op} (SOFTMAX): input {hexf(s_in)} -> {m}, diff_min {-radius}")


def act_range(models, model, op, act):
    ts, ops = tensors(models + "/" + model)
    _, outs = ops[op]
    s, zp = ts[outs[0]][0][0], ts[outs[0]][1][0]
    q = lambda f: zp + int(math.floor(abs(f32(f / s)) + 0.5)) * (1 if f >= 0 else -1)
    lo = max(-128, q(0.0)) if act in ("relu", "relu6") else -128
    hi = min(127, q(6.0)) if act == "relu6" else 127
    print(f"// {model} operator {op} {act}: out {hexf(s)} zp {zp} -> [{lo}, {hi}]")


if __name__ == "__main__":
    models = sys.argv[1] if len(sys.argv) > 1 else "../shared/models"
    conv(models, "kws_ref_model.tflite", 0, [0, 1, 63])
    conv(models, "kws_ref_model.tflite", 1, [0, 17])
    conv(models, "vww_96_int8.tflite", 10, range(64))
    conv(models, "pretrainedResnet_quant.tflite", 0, [0, 15])
    fc_per_tensor(models, "kws_ref_model.tflite", 11)
    for op in range(10):
        fc_per_tensor(models, "ad01_int8.tflite", op)
    add(models, "pretrainedResnet_quant.tflite", 3)
    add(models, "pretrainedResnet_quant.tflite", 7)
    softmax(models, "kws_ref_model.tflite", 12)
    softmax(models, "vww_96_int8.tflite", 30)
    act_range(models, "kws_ref_model.tflite", 0, "relu")
    act_range(models, "pretrainedResnet_quant.tflite", 2, "none")
