# SPDX-License-Identifier: Apache-2.0
"""The digits demo: the path from training data to int8 inference on
emulated multi-core boards, with weft's host tool at every step.

    demo.py --weft PATH --out DIR [--model FILE] [--check] [--host-cores N]
            [--no-boards]

1. trains the CNN of digits.py and quantizes it to digits.tflite (int8) and
   digits_float.tflite (skipped with --model, which names an int8 model with
   its float twin beside it as <stem>_float.tflite);
2. prints the plan (`weft plan`) and writes its SVG for 4 cores;
3. runs the 360 held-out images through the float model on the host and
   through the int8 model on the host (1 core and N), on the dual Cortex-M33
   (an521, 2 cores) and on RISC-V (riscv-virt, 4 harts), both in QEMU;
4. prints accuracy per target, whether the outputs are identical, time or
   instructions per inference, arena and flash bytes.

With --check it exits 1 unless int8 accuracy is at least 95%, within 1.5
points of the float model's, and every target's outputs are identical.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import digits  # noqa: E402

MIN_ACCURACY = 95.0
MAX_FLOAT_GAP = 1.5  # points
BOARDS = (("an521", 2), ("riscv-virt", 4))


class Demo:
    def __init__(self, weft, out):
        self.weft = weft
        self.out = out
        self.started = time.monotonic()
        self.env = dict(os.environ)
        self.env.setdefault("WEFT_CACHE_DIR", os.path.join(out, "weft-cache"))

    def say(self, text):
        print(f"[{time.monotonic() - self.started:5.1f} s] {text}", flush=True)

    def weft_cmd(self, *args, capture=True):
        """Runs weft; its progress lines (stderr) pass through, stdout is returned."""
        r = subprocess.run([self.weft, *args], env=self.env, stdout=subprocess.PIPE if capture else None, text=True)
        if r.returncode != 0:
            raise SystemExit(f"demo: `weft {' '.join(args)}` failed with status {r.returncode}")
        return r.stdout


def shown(path):
    """path relative to the working directory when it lies below it."""
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel


def accuracy_of(path, labels):
    with open(path, "rb") as f:
        return 100.0 * digits.accuracy(f.read(), labels)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weft", required=True, help="the weft host tool")
    ap.add_argument("--out", required=True, help="directory for models, data, outputs and the plan's SVG")
    ap.add_argument("--model", help="use this int8 .tflite instead of training one")
    ap.add_argument("--check", action="store_true", help="fail unless the accuracy goals hold and all outputs agree")
    ap.add_argument("--host-cores", type=int, default=min(max(os.cpu_count() or 2, 2), 8),
                    help="cores for the multi-core host run (default: this machine's, 2 to 8)")
    ap.add_argument("--no-boards", action="store_true", help="run on the host only")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    d = Demo(os.path.abspath(a.weft), os.path.abspath(a.out))

    # 1. Train and quantize, or take the given model.
    if a.model:
        model = os.path.abspath(a.model)
        float_model = os.path.splitext(model)[0] + "_float.tflite"
    else:
        d.say("1/4 training a CNN on 1,437 of scikit-learn's 8x8 digits (numpy, fixed seed), then int8 quantization")
        digits.cmd_train(d.out)
        model, float_model = os.path.join(d.out, "digits.tflite"), os.path.join(d.out, "digits_float.tflite")
        committed = os.path.join(HERE, "digits.tflite")
        same = open(model, "rb").read() == open(committed, "rb").read()
        d.say("the trained model is " + ("byte-identical to" if same else "NOT identical to") +
              " the committed examples/digits/digits.tflite")
    digits.cmd_data(d.out)
    images = os.path.join(d.out, "test_int8.bin")
    labels = np.frombuffer(open(os.path.join(d.out, "test_labels.bin"), "rb").read(), dtype=np.uint8)

    # 2. The plan.
    svg = os.path.join(d.out, "digits-plan-4cores.svg")
    d.say(f"2/4 weft plan {shown(model)}")
    print(d.weft_cmd("plan", model), flush=True)
    d.weft_cmd("plan", model, "--cores", "4", "--svg", svg)
    d.say(f"the plan for 4 cores is drawn in {shown(svg)}")

    # 3. Run the held-out images everywhere.
    d.say(f"3/4 running the {len(labels)} held-out images")
    float_out = os.path.join(d.out, "out-float-host-1.bin")
    d.weft_cmd("run", float_model, "--input", os.path.join(d.out, "test_float.bin"), "--output", float_out)
    float_accuracy = accuracy_of(float_out, labels)
    d.say(f"float32 model on the host: {float_accuracy:.2f}%")
    targets = [("host", 1), ("host", a.host_cores)] + ([] if a.no_boards else list(BOARDS))
    rows = []
    reference = None
    for name, cores in targets:
        out = os.path.join(d.out, f"out-int8-{name}-{cores}.bin")
        where = [] if name == "host" else ["--target", name]
        d.weft_cmd("run", model, "--input", images, "--output", out, "--cores", str(cores), *where)
        data = open(out, "rb").read()
        if reference is None:
            reference = data
        acc = accuracy_of(out, labels)
        same = data == reference
        if name == "host":
            b = json.loads(d.weft_cmd("bench", model, "--cores", str(cores), "--iterations", "2000", "--json"))
            cost = f"{b['median_ns'] / 1000:.1f} us (host, median)"
            flash = "-"
        else:
            b = json.loads(d.weft_cmd("bench", model, "--cores", str(cores), "--json", *where))
            cost = f"{b['critical_path_instructions']:,} instructions"
            flash = f"{b['flash_code_bytes']:,} + {b['flash_constant_bytes']:,} + {b['flash_weight_bytes']:,}"
        rows.append((name, cores, acc, same, cost, b["arena_bytes"], flash))
        d.say(f"int8 model on {name}, {cores} {'core' if cores == 1 else 'cores'}: {acc:.2f}%"
              f"{'' if same else ' (outputs DIFFER from the host, 1 core)'}")

    # 4. The summary.
    d.say("4/4 summary")
    print()
    print(f"{'target':<12} {'cores':>5} {'int8 acc.':>9}  {'outputs':<10} {'per inference':<30} {'arena B':>7}  "
          f"flash B (code + constants + weights)")
    for name, cores, acc, same, cost, arena, flash in rows:
        print(f"{name:<12} {cores:>5} {acc:>8.2f}%  {'identical' if same else 'DIFFER':<10} {cost:<30} {arena:>7}  {flash}")
    int8_accuracy = rows[0][2]
    gap = float_accuracy - int8_accuracy
    identical = all(r[3] for r in rows)
    print()
    print(f"float32 accuracy {float_accuracy:.2f}%, int8 accuracy {int8_accuracy:.2f}% "
          f"({gap:+.2f} points), outputs {'identical on every target' if identical else 'NOT identical'}")
    print("(instructions: the critical path of one inference, the busiest core per layer plus waits, "
          "counted by weft's QEMU plugin)")
    if a.check:
        problems = []
        if int8_accuracy < MIN_ACCURACY:
            problems.append(f"int8 accuracy {int8_accuracy:.2f}% is below {MIN_ACCURACY}%")
        if gap > MAX_FLOAT_GAP:
            problems.append(f"int8 accuracy is {gap:.2f} points below float (at most {MAX_FLOAT_GAP})")
        if not identical:
            problems.append("the targets' outputs are not identical")
        for p in problems:
            print(f"demo: check failed: {p}", file=sys.stderr)
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
