# SPDX-License-Identifier: Apache-2.0
"""Trains a small CNN on scikit-learn's 8x8 digits and writes it as .tflite.

    digits.py train OUT_DIR     train, quantize; write OUT_DIR/digits.tflite
                                (int8) and OUT_DIR/digits_float.tflite (float32)
    digits.py data OUT_DIR      write the 360 held-out images: test_int8.bin,
                                test_float.bin (raw NHWC tensors, one after
                                another) and test_labels.bin (one byte each)
    digits.py score OUT LABELS  accuracy of a file of model outputs (int8 or
                                float32, 10 per image) against the labels

Debian's python3-numpy and python3-sklearn (for its bundled digits set of
1,797 images) are all it needs, besides weft's writer
(tools/python/tflite_writer.py) and flatc. Everything is seeded, and the
training state is kept as float32 values computed in float64, so that
last-bit differences between machines' math routines do not grow through
training: the same files come out, byte for byte, every time.

The network uses the operators weft supports:
    input 8x8x1 -> conv 3x3, 12 channels, ReLU -> depthwise 3x3 stride 2, ReLU
    -> conv 1x1, 24 channels, ReLU -> average pool 2x2 -> reshape 96
    -> fully connected 10 -> softmax

Quantization follows TensorFlow Lite's post-training int8 conventions:
per-channel symmetric weights on the output-channel axis, int32 biases at
input scale times weight scale, asymmetric per-tensor activations whose
ranges are calibrated on the training images, softmax output at 1/256 and
-128, the input at 1/255 and -128 (pixel values 0..16 are scaled to 0..1).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "python"))
import tflite_writer as tw  # noqa: E402

SEED = 20261121
HELD_OUT = 360
EPOCHS = 40
BATCH = 32
CLASSES = 10
C1, C3 = 12, 24  # channels of the first and the 1x1 convolution
INPUT_SCALE, INPUT_ZERO_POINT = tw.float32(1 / 255), -128


def dataset():
    """(train images, train labels, test images, test labels); images NHWC in [0, 1]."""
    from sklearn.datasets import load_digits
    d = load_digits()
    x = (d.images.astype(np.float64) / 16.0).reshape(-1, 8, 8, 1)
    y = d.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(len(y))
    test, train = order[:HELD_OUT], order[HELD_OUT:]
    return x[train], y[train], x[test], y[test]


# --- the float network: forward and backward passes (NHWC, TFLite layouts) ---

def same_padding(size, k, stride):
    """Padding before and after, as TFLite's SAME pads (the odd one goes after)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k - size, 0)
    return out, total // 2, total - total // 2


def patches(x, k, stride):
    """x (B, H, W, C) -> (B, OH, OW, k*k, C) windows of a SAME k x k window."""
    b, h, w, c = x.shape
    oh, top, bottom = same_padding(h, k, stride)
    ow, left, right = same_padding(w, k, stride)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    out = np.empty((b, oh, ow, k * k, c))
    for i in range(k):
        for j in range(k):
            out[:, :, :, i * k + j, :] = xp[:, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride, :]
    return out


def unpatch(g, shape, k, stride):
    """The adjoint of patches: window gradients summed back onto the input."""
    b, h, w, c = shape
    oh, top, bottom = same_padding(h, k, stride)
    ow, left, right = same_padding(w, k, stride)
    gp = np.zeros((b, h + top + bottom, w + left + right, c))
    for i in range(k):
        for j in range(k):
            gp[:, i:i + stride * (oh - 1) + 1:stride, j:j + stride * (ow - 1) + 1:stride, :] += g[:, :, :, i * k + j, :]
    return gp[:, top:top + h, left:left + w, :]


def init_params(rng):
    def he(shape, fan_in):
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
    return {
        "w1": he((C1, 3, 3, 1), 9), "b1": np.zeros(C1),
        "w2": he((1, 3, 3, C1), 9), "b2": np.zeros(C1),
        "w3": he((C3, 1, 1, C1), C1), "b3": np.zeros(C3),
        "w4": he((CLASSES, 4 * C3), 4 * C3) / 2, "b4": np.zeros(CLASSES),
    }


def forward(p, x):
    """Every tensor of the float network for images x (B, 8, 8, 1)."""
    t = {"x": x}
    t["p1"] = patches(x, 3, 1)                                                       # B,8,8,9,1
    t["a1"] = np.maximum(np.einsum("bhwkc,okc->bhwo", t["p1"], p["w1"].reshape(C1, 9, 1)) + p["b1"], 0)
    t["p2"] = patches(t["a1"], 3, 2)                                                 # B,4,4,9,12
    t["a2"] = np.maximum(np.einsum("bhwkc,kc->bhwc", t["p2"], p["w2"].reshape(9, C1)) + p["b2"], 0)
    t["a3"] = np.maximum(t["a2"] @ p["w3"].reshape(C3, C1).T + p["b3"], 0)          # B,4,4,24
    b = x.shape[0]
    t["a4"] = t["a3"].reshape(b, 2, 2, 2, 2, C3).mean(axis=(2, 4))                  # B,2,2,24
    t["f"] = t["a4"].reshape(b, 4 * C3)
    t["logits"] = t["f"] @ p["w4"].T + p["b4"]
    z = t["logits"] - t["logits"].max(axis=1, keepdims=True)
    e = np.exp(z)
    t["probs"] = e / e.sum(axis=1, keepdims=True)
    return t


def backward(p, t, y):
    """Gradients of the mean cross-entropy for labels y."""
    b = y.shape[0]
    g = {}
    d = t["probs"].copy()
    d[np.arange(b), y] -= 1.0
    d /= b
    g["w4"] = d.T @ t["f"]
    g["b4"] = d.sum(axis=0)
    d = (d @ p["w4"]).reshape(b, 2, 1, 2, 1, C3)
    d = np.broadcast_to(d, (b, 2, 2, 2, 2, C3)).reshape(b, 4, 4, C3) / 4.0
    d = d * (t["a3"] > 0)
    g["w3"] = np.einsum("bhwo,bhwc->oc", d, t["a2"]).reshape(C3, 1, 1, C1)
    g["b3"] = d.sum(axis=(0, 1, 2))
    d = (d @ p["w3"].reshape(C3, C1)) * (t["a2"] > 0)
    g["w2"] = np.einsum("bhwc,bhwkc->kc", d, t["p2"]).reshape(1, 3, 3, C1)
    g["b2"] = d.sum(axis=(0, 1, 2))
    dp = np.einsum("bhwc,kc->bhwkc", d, p["w2"].reshape(9, C1))
    d = unpatch(dp, t["a1"].shape, 3, 2) * (t["a1"] > 0)
    g["w1"] = np.einsum("bhwo,bhwkc->okc", d, t["p1"]).reshape(C1, 3, 3, 1)
    g["b1"] = d.sum(axis=(0, 1, 2))
    return g


def as_float32(a):
    """a rounded to float32 values (held in float64)."""
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def train(x, y, log):
    """Adam on mini-batches, seeded; returns the parameters."""
    rng = np.random.default_rng(SEED)
    p = {k: as_float32(v) for k, v in init_params(rng).items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    step = 0
    for epoch in range(EPOCHS):
        lr = 0.01 * (0.5 ** (epoch // 10))
        order = rng.permutation(len(y))
        loss = 0.0
        for start in range(0, len(y), BATCH):
            idx = order[start:start + BATCH]
            t = forward(p, x[idx])
            loss += -np.log(t["probs"][np.arange(len(idx)), y[idx]] + 1e-12).sum()
            g = backward(p, t, y[idx])
            step += 1
            for k in p:
                m[k] = as_float32(0.9 * m[k] + 0.1 * g[k])
                v[k] = as_float32(0.999 * v[k] + 0.001 * g[k] * g[k])
                mh = m[k] / (1 - 0.9 ** step)
                vh = v[k] / (1 - 0.999 ** step)
                p[k] = as_float32(p[k] - lr * mh / (np.sqrt(vh) + 1e-8))
        if epoch % 5 == 4 or epoch == EPOCHS - 1:
            log(f"  epoch {epoch + 1:2d}/{EPOCHS}: loss {loss / len(y):.4f}")
    return p


# --- post-training quantization, TFLite's way ---

def round_away(v):
    """Round half away from zero, as TFLite's converter rounds."""
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def activation_quant(lo, hi):
    """Asymmetric int8 (scale, zero point) for the range [lo, hi], which holds 0."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi == lo:
        return 1.0, 0
    scale = tw.float32((hi - lo) / 255.0)
    zero_point = int(round_away(min(max(-128 - lo / scale, -128), 127)))
    return scale, zero_point


def per_channel_weights(w):
    """Symmetric int8 weights, one scale per output channel (axis 0, or the last axis for depthwise)."""
    depthwise = w.shape[0] == 1 and w.ndim == 4
    axis = 3 if depthwise else 0
    reduce = tuple(a for a in range(w.ndim) if a != axis)
    scales = np.array([tw.float32(s) for s in np.maximum(np.abs(w).max(axis=reduce), 1e-12) / 127.0])
    shape = [1] * w.ndim
    shape[axis] = -1
    q = np.clip(round_away(w / scales.reshape(shape)), -127, 127).astype(np.int64)
    return tw.int8_weights(q, list(w.shape), list(scales)), scales


def quantized_bias(b, input_scale, weight_scales):
    return tw.int32_bias(round_away(b / (input_scale * weight_scales)).astype(np.int64))


def calibrate(p, x):
    """Each activation's (scale, zero point) from its range over the images x."""
    t = forward(p, x)
    return {k: activation_quant(t[k].min(), t[k].max()) for k in ("a1", "a2", "a3", "logits")}


def int8_model(p, ranges):
    m = tw.Model("weft digits example, int8")
    x = m.input([1, 8, 8, 1], scale=INPUT_SCALE, zero_point=INPUT_ZERO_POINT)
    scale = INPUT_SCALE
    layers = []
    for name, w, b, out in (("w1", "w1", "b1", "a1"), ("w2", "w2", "b2", "a2"), ("w3", "w3", "b3", "a3")):
        weights, ws = per_channel_weights(p[w])
        layers.append((name, weights, quantized_bias(p[b], scale, ws), ranges[out]))
        scale = ranges[out][0]
    (_, w1, b1, q1), (_, w2, b2, q2), (_, w3, b3, q3) = layers
    h = m.conv2d(x, w1, b1, output=q1, padding="SAME", activation="RELU")
    h = m.depthwise_conv2d(h, w2, b2, output=q2, stride=(2, 2), padding="SAME", activation="RELU")
    h = m.conv2d(h, w3, b3, output=q3, padding="SAME", activation="RELU")
    h = m.average_pool2d(h, (2, 2), stride=(2, 2), padding="VALID")
    h = m.reshape(h, [1, 4 * C3])
    w4, ws4 = per_channel_weights(p["w4"])
    h = m.fully_connected(h, w4, quantized_bias(p["b4"], q3[0], ws4), output=ranges["logits"])
    m.output(m.softmax(h))
    return m


def float_model(p):
    m = tw.Model("weft digits example, float32")
    x = m.input([1, 8, 8, 1], dtype="FLOAT32")
    h = m.conv2d(x, tw.float32_tensor(p["w1"]), tw.float32_tensor(p["b1"]), padding="SAME", activation="RELU")
    h = m.depthwise_conv2d(h, tw.float32_tensor(p["w2"]), tw.float32_tensor(p["b2"]), stride=(2, 2), padding="SAME",
                           activation="RELU")
    h = m.conv2d(h, tw.float32_tensor(p["w3"]), tw.float32_tensor(p["b3"]), padding="SAME", activation="RELU")
    h = m.average_pool2d(h, (2, 2), stride=(2, 2), padding="VALID")
    h = m.reshape(h, [1, 4 * C3])
    h = m.fully_connected(h, tw.float32_tensor(p["w4"]), tw.float32_tensor(p["b4"]))
    m.output(m.softmax(h))
    return m


def quantize_input(x):
    """Images in [0, 1] as the int8 model's input."""
    return np.clip(np.floor(x / INPUT_SCALE + 0.5) + INPUT_ZERO_POINT, -128, 127).astype(np.int8)


# --- commands ---

def cmd_train(out_dir):
    def log(s):
        print(s, flush=True)
    xtr, ytr, xte, yte = dataset()
    log(f"digits: training on {len(ytr)} images, {HELD_OUT} held out ({EPOCHS} epochs)")
    p = train(xtr, ytr, log)
    accuracy = (forward(p, xte)["probs"].argmax(axis=1) == yte).mean()
    log(f"digits: float accuracy in numpy on the held-out images: {100 * accuracy:.2f}%")
    ranges = calibrate(p, xtr)
    models = {"digits.tflite": int8_model(p, ranges), "digits_float.tflite": float_model(p)}
    blobs = tw.to_bytes_many([m.to_dict() for m in models.values()])
    os.makedirs(out_dir, exist_ok=True)
    for name, data in zip(models, blobs):
        tw.write_bytes(os.path.join(out_dir, name), data)
        log(f"digits: wrote {os.path.join(out_dir, name)} ({len(data)} bytes)")


def cmd_data(out_dir):
    _, _, xte, yte = dataset()
    os.makedirs(out_dir, exist_ok=True)
    tw.write_bytes(os.path.join(out_dir, "test_int8.bin"), quantize_input(xte).tobytes())
    tw.write_bytes(os.path.join(out_dir, "test_float.bin"), xte.astype("<f4").tobytes())
    tw.write_bytes(os.path.join(out_dir, "test_labels.bin"), yte.astype(np.uint8).tobytes())


def accuracy(outputs, labels):
    """Fraction of images whose largest output is the label; outputs is raw bytes (int8 or float32)."""
    n = len(labels)
    if len(outputs) == n * CLASSES:
        o = np.frombuffer(outputs, dtype=np.int8)
    elif len(outputs) == n * CLASSES * 4:
        o = np.frombuffer(outputs, dtype="<f4")
    else:
        raise SystemExit(f"digits: error: {len(outputs)} bytes of outputs for {n} labels")
    return float((o.reshape(n, CLASSES).argmax(axis=1) == labels).mean())


def cmd_score(outputs, labels):
    labels = np.frombuffer(open(labels, "rb").read(), dtype=np.uint8)
    print(f"{100 * accuracy(open(outputs, 'rb').read(), labels):.2f}")


def main(argv):
    commands = {"train": (cmd_train, 1), "data": (cmd_data, 1), "score": (cmd_score, 2)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        commands[argv[1]][0](*argv[2:])
    except tw.WriterError as e:
        print(f"digits: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
