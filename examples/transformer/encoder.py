# SPDX-License-Identifier: Apache-2.0
"""Writes a small transformer encoder as .tflite, int8 and int16 (16x8).

    encoder.py models OUT_DIR   write OUT_DIR/encoder_int8.tflite and
                                OUT_DIR/encoder_int16.tflite
    encoder.py tokens OUT_DIR   write the example token sequences
                                OUT_DIR/in_00.bin, in_01.bin, in_02.bin
                                (16 int32 token ids each)

Debian's python3-numpy is all it needs, besides weft's writer
(tools/python/tflite_writer.py) and flatc. Everything is seeded: the same
files come out, byte for byte, every time.

The network is the operator chain TensorFlow Lite's converter emits for a
Keras pre-norm encoder: token ids -> EMBEDDING_LOOKUP + a constant position
table -> two blocks of [layer norm -> multi-head self-attention -> residual
ADD -> layer norm -> FULLY_CONNECTED up -> GELU -> FULLY_CONNECTED down ->
residual ADD]. The weights are random (seeded, scaled by 1/sqrt(fan in)):
this is an example of the operators, not a trained model.

TensorFlow Lite Micro has no GELU kernel, so GELU is written as its tanh
approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), out of MUL,
ADD and TANH.

Quantization follows TensorFlow Lite's post-training conventions. Weights:
int8, symmetric, one scale per output channel; biases int32 (int8 model) or
int64 (16x8 model) at input scale times weight scale. Activations: ranges
calibrated by running the float network (numpy, float64) on 8 seeded token
sequences; int8 activations are asymmetric over [min, max], int16 ones
symmetric with zero point 0, as 16x8 quantization makes them. Softmax and
tanh outputs take TensorFlow Lite's fixed quantizations (1/256 and -128,
1/128 and 0 for int8; 1/32768 and 0 for int16). In the 16x8 model the
embedding table stays int8 (TensorFlow Lite Micro's EMBEDDING_LOOKUP has no
int16 table) and is QUANTIZEd to int16, and 1/sqrt(variance + eps) is
computed in float32 (DEQUANTIZE, ADD, RSQRT, QUANTIZE: Micro's RSQRT has no
int16 kernel), as the converter leaves an operator without an int16 kernel
in float.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "python"))
import tflite_writer as tw  # noqa: E402

SEED = 20261205
VOCAB, TOKENS, WIDTH, HEADS, HIDDEN, BLOCKS = 64, 16, 32, 2, 64, 2
HEAD_WIDTH = WIDTH // HEADS
EPS = 1e-3  # Keras LayerNormalization's epsilon
CALIBRATION = 8  # token sequences the activation ranges come from
SAMPLES = 3  # token sequences the tests run


def as_float32(a):
    """a rounded to float32 values (held in float64)."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def init_params(rng):
    """Seeded random weights: embeddings N(0, 1), projections N(0, 1/fan_in)."""
    p = {"embedding": rng.normal(0.0, 1.0, (VOCAB, WIDTH)), "position": rng.normal(0.0, 0.5, (TOKENS, WIDTH))}
    shapes = {"query": (WIDTH, WIDTH), "key": (WIDTH, WIDTH), "value": (WIDTH, WIDTH),
              "attention_output": (WIDTH, WIDTH), "up": (HIDDEN, WIDTH), "down": (WIDTH, HIDDEN)}
    for b in range(BLOCKS):
        for name, (units, depth) in shapes.items():
            p[f"block{b}_{name}_weights"] = rng.normal(0.0, 1.0 / np.sqrt(depth), (units, depth))
            p[f"block{b}_{name}_bias"] = rng.normal(0.0, 0.02, units)
        for ln in ("ln1", "ln2"):
            p[f"block{b}_{ln}_gamma"] = 1.0 + 0.1 * rng.normal(0.0, 1.0, WIDTH)
            p[f"block{b}_{ln}_beta"] = 0.1 * rng.normal(0.0, 1.0, WIDTH)
    return {k: as_float32(v) for k, v in p.items()}


def token_sequences(rng, count):
    return [rng.integers(0, VOCAB, TOKENS).astype(np.int32) for _ in range(count)]


# --- the network, written once against two back ends: numpy floats (which
# record every activation's range) and the .tflite writer (which quantizes
# with those ranges) ---

def layer_norm(ops, x, p, name):
    mean = ops.mean(x, f"{name}_mean")
    variance = ops.mean(ops.squared_difference(x, mean, f"{name}_squared_difference"), f"{name}_variance")
    inverse = ops.rsqrt_eps(variance, EPS, name)
    normalized = ops.mul(ops.sub(x, mean, f"{name}_centred"), inverse, f"{name}_normalized")
    scaled = ops.mul(normalized, ops.const(p[f"{name}_gamma"]), f"{name}_scaled")
    return ops.add(scaled, ops.const(p[f"{name}_beta"]), name)


def attention(ops, x, p, block):
    def heads(name):
        t = ops.fc(x, p[f"{block}_{name}_weights"], p[f"{block}_{name}_bias"], f"{block}_{name}")
        return ops.transpose(ops.reshape(t, [1, TOKENS, HEADS, HEAD_WIDTH]), [0, 2, 1, 3])  # [1, H, T, dh]

    q, k, v = heads("query"), heads("key"), heads("value")
    scores = ops.batch_matmul(q, k, True, f"{block}_scores")  # [1, H, T, T]
    scores = ops.mul(scores, ops.const(np.array([1.0 / np.sqrt(HEAD_WIDTH)])), f"{block}_scaled_scores")
    weights = ops.softmax(scores, f"{block}_attention_weights")
    context = ops.batch_matmul(weights, v, False, f"{block}_context")  # [1, H, T, dh]
    context = ops.reshape(ops.transpose(context, [0, 2, 1, 3]), [1, TOKENS, WIDTH])
    name = f"{block}_attention_output"
    return ops.fc(context, p[f"{name}_weights"], p[f"{name}_bias"], name)


def gelu(ops, x, name):
    """The tanh approximation of GELU, as MUL, ADD and TANH."""
    cube = ops.mul(ops.mul(x, x, f"{name}_square"), x, f"{name}_cube")
    inner = ops.add(x, ops.mul(cube, ops.const(np.array([0.044715])), f"{name}_cube_scaled"), f"{name}_inner")
    t = ops.tanh(ops.mul(inner, ops.const(np.array([np.sqrt(2.0 / np.pi)])), f"{name}_tanh_input"), f"{name}_tanh")
    gate = ops.add(t, ops.const(np.array([1.0])), f"{name}_gate")
    return ops.mul(ops.mul(x, gate, f"{name}_product"), ops.const(np.array([0.5])), name)


def encoder(ops, ids, p):
    x = ops.embedding(ids, p["embedding"], "embedding")  # [T, D]
    x = ops.reshape(ops.add(x, ops.const(p["position"]), "embedded"), [1, TOKENS, WIDTH])
    for b in range(BLOCKS):
        block = f"block{b}"
        x = ops.add(x, attention(ops, layer_norm(ops, x, p, f"{block}_ln1"), p, block), f"{block}_attention_residual")
        h = ops.fc(layer_norm(ops, x, p, f"{block}_ln2"), p[f"{block}_up_weights"], p[f"{block}_up_bias"],
                   f"{block}_up")
        h = gelu(ops, h, f"{block}_gelu")
        x = ops.add(x, ops.fc(h, p[f"{block}_down_weights"], p[f"{block}_down_bias"], f"{block}_down"),
                    f"{block}_ffn_residual")
    return x


class FloatOps:
    """The float network in numpy; records each named activation's range."""

    def __init__(self):
        self.ranges = {}

    def _record(self, name, v):
        lo, hi = float(v.min()), float(v.max())
        if name in self.ranges:
            lo, hi = min(lo, self.ranges[name][0]), max(hi, self.ranges[name][1])
        self.ranges[name] = (lo, hi)
        return v

    def const(self, values):
        return values

    def embedding(self, ids, table, name):
        self._record(name, table)  # the whole table: any row may be looked up
        return table[ids]

    def add(self, a, b, name):
        return self._record(name, a + b)

    def sub(self, a, b, name):
        return self._record(name, a - b)

    def mul(self, a, b, name):
        return self._record(name, a * b)

    def squared_difference(self, a, b, name):
        return self._record(name, (a - b) ** 2)

    def mean(self, x, name):
        return self._record(name, x.mean(axis=-1, keepdims=True))

    def rsqrt_eps(self, x, eps, name):
        return self._record(f"{name}_inverse", 1.0 / np.sqrt(self._record(f"{name}_variance_eps", x + eps)))

    def fc(self, x, w, b, name):
        return self._record(name, x @ w.T + b)

    def reshape(self, x, shape):
        return x.reshape(shape)

    def transpose(self, x, perm):
        return x.transpose(perm)

    def batch_matmul(self, a, b, adj_y, name):
        return self._record(name, a @ (b.swapaxes(-1, -2) if adj_y else b))

    def softmax(self, x, name):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return self._record(name, e / e.sum(axis=-1, keepdims=True))

    def tanh(self, x, name):
        return self._record(name, np.tanh(x))


# --- post-training quantization, TFLite's way ---

def round_away(v):
    """Round half away from zero, as TFLite's converter rounds."""
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def int8_activation(lo, hi):
    """Asymmetric int8 (scale, zero point) for the range [lo, hi] widened to hold 0."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = tw.float32((hi - lo) / 255.0)
    return scale, int(round_away(min(max(-128 - lo / scale, -128), 127)))


def int16_activation(lo, hi):
    """Symmetric int16 (scale, 0) for the range [lo, hi]."""
    return tw.float32(max(abs(lo), abs(hi)) / 32767.0), 0


def per_channel_weights(w):
    """Symmetric int8 weights, one scale per output channel (axis 0)."""
    scales = np.array([tw.float32(s) for s in np.maximum(np.abs(w).max(axis=1), 1e-12) / 127.0])
    q = np.clip(round_away(w / scales[:, None]), -127, 127).astype(np.int64)
    return tw.int8_weights(q, list(w.shape), list(scales)), scales


class ModelOps:
    """The quantized network as a .tflite model: int8, or 16x8 (int16 activations, int8 weights)."""

    def __init__(self, m, ranges, dtype):
        self.m, self.ranges, self.dtype = m, ranges, dtype
        self.bits = 8 if dtype == "INT8" else 16

    def _q(self, name):
        lo, hi = self.ranges[name]
        return int8_activation(lo, hi) if self.bits == 8 else int16_activation(lo, hi)

    def const(self, values):
        """A constant operand, symmetric in the activations' dtype."""
        values = np.asarray(values, dtype=np.float64)
        top = 127 if self.bits == 8 else 32767
        scale = tw.float32(np.abs(values).max() / top)
        q = np.clip(round_away(values / scale), -top, top).astype(np.int64)
        return self.m.constant(q, list(values.shape), self.dtype, scale, 0)

    def embedding(self, ids, table, name):
        lo, hi = self.ranges[name]
        scale = tw.float32(max(abs(lo), abs(hi)) / 127.0)
        q = np.clip(round_away(table / scale), -127, 127).astype(np.int64)
        y = self.m.embedding_lookup(ids, self.m.constant(q, list(table.shape), "INT8", scale, 0, name="embedding"))
        if self.bits == 16:
            y = self.m.unary("QUANTIZE", y, self._q(name), "QuantizeOptions", {}, dtype="INT16")
        return y

    def add(self, a, b, name):
        return self.m.add(a, b, output=self._q(name))

    def sub(self, a, b, name):
        return self.m.sub(a, b, output=self._q(name))

    def mul(self, a, b, name):
        return self.m.mul(a, b, output=self._q(name))

    def squared_difference(self, a, b, name):
        return self.m.squared_difference(a, b, output=self._q(name))

    def mean(self, x, name):
        return self.m.mean(x, [len(x.shape) - 1], keep_dims=True, output=self._q(name))

    def rsqrt_eps(self, x, eps, name):
        if self.bits == 8:
            return self.m.rsqrt(self.add(x, self.const(np.array([eps])), f"{name}_variance_eps"),
                                output=self._q(f"{name}_inverse"))
        f = self.m.add(self.m.dequantize(x), self.m.constant([tw.float32(eps)], [1], "FLOAT32"))
        return self.m.unary("QUANTIZE", self.m.rsqrt(f), self._q(f"{name}_inverse"), "QuantizeOptions", {},
                            dtype="INT16")

    def fc(self, x, w, b, name):
        weights, scales = per_channel_weights(w)
        q = round_away(b / (x.scale * scales)).astype(np.int64)
        bias = tw.int32_bias(q) if self.bits == 8 else tw.int64_bias(q)
        return self.m.fully_connected(x, weights, bias, output=self._q(name), keep_num_dims=True, name=name)

    def reshape(self, x, shape):
        return self.m.reshape(x, shape)

    def transpose(self, x, perm):
        return self.m.transpose(x, perm)

    def batch_matmul(self, a, b, adj_y, name):
        return self.m.batch_matmul(a, b, output=self._q(name), adj_y=adj_y)

    def softmax(self, x, name):
        out = (1 / 256, -128) if self.bits == 8 else (1 / 32768, 0)
        return self.m.unary("SOFTMAX", x, out, "SoftmaxOptions", {"beta": 1.0})

    def tanh(self, x, name):
        return self.m.tanh(x, output=(1 / 128, 0) if self.bits == 8 else (1 / 32768, 0))


def quantized_model(p, ranges, dtype):
    bits = 8 if dtype == "INT8" else 16
    m = tw.Model(f"weft transformer encoder example, {'int8' if bits == 8 else '16x8'}")
    ids = m.input([TOKENS], dtype="INT32", name="token_ids")
    m.output(encoder(ModelOps(m, ranges, dtype), ids, p))
    return m


def calibrate(p):
    ops = FloatOps()
    for ids in token_sequences(np.random.default_rng(SEED + 1), CALIBRATION):
        encoder(ops, ids, p)
    return ops.ranges


# --- commands ---

def cmd_models(out_dir):
    p = init_params(np.random.default_rng(SEED))
    ranges = calibrate(p)
    models = {"encoder_int8.tflite": quantized_model(p, ranges, "INT8"),
              "encoder_int16.tflite": quantized_model(p, ranges, "INT16")}
    blobs = tw.to_bytes_many([m.to_dict() for m in models.values()])
    os.makedirs(out_dir, exist_ok=True)
    for name, data in zip(models, blobs):
        tw.write_bytes(os.path.join(out_dir, name), data)
        print(f"encoder: wrote {os.path.join(out_dir, name)} ({len(data)} bytes)")


def cmd_tokens(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for i, ids in enumerate(token_sequences(np.random.default_rng(SEED + 2), SAMPLES)):
        tw.write_bytes(os.path.join(out_dir, f"in_{i:02d}.bin"), ids.astype("<i4").tobytes())


def main(argv):
    commands = {"models": cmd_models, "tokens": cmd_tokens}
    if len(argv) != 3 or argv[1] not in commands:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        commands[argv[1]](argv[2])
    except tw.WriterError as e:
        print(f"encoder: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
