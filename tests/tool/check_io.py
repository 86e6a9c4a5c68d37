#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""`weft run` on models with several inputs, several outputs and constant
operands, against TensorFlow Lite Micro (../shared/tools/tflm_run).

    check_io.py WEFT TFLM CORPUS WORK [TARGET CORES]

For op_io_ models of the corpus (two and three inputs, two and three
outputs, an output another operator also reads, a constant operand, token
ids (an int32 input) looked up by GATHER with ARG_MAX's int32 output), two
inferences of seeded random inputs run
- through tflm_run, one inference at a time, one --output per model output;
- through `weft run` with one --input per model input (each file holding
  both inferences) and one --output per model output, on 3 host cores (or
  on TARGET with CORES cores);
- through `weft run` with a single --output, which must hold each
  inference's outputs one after another.
int8 and int32 outputs must be equal byte for byte, float32 within 1e-5 of
the largest value. Wrong numbers of --input or --output files must be
refused (exit 2) with a message that says how many the model takes. On the
host, `weft run --dump` of the model with SPLIT, PACK and UNPACK writes the
files `tflm_run --dump` writes (opNNN_K.bin for output K of an operator with
several), with the same values.

Without tflm_run the test prints SKIPPED (CTest reports it skipped), except
under CI (the CI environment variable set), where it fails.
"""

import json
import os
import random
import shutil
import struct
import subprocess
import sys


def fail(message):
    print(f"FAILED: {message}")
    sys.exit(1)


def run(args, expect=0):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != expect:
        fail(f"{' '.join(args)} exited with {p.returncode} (expected {expect}):\n{p.stdout}{p.stderr}")
    return p


def tensor_bytes(rng, spec):
    count = spec["bytes"] // (1 if spec["dtype"] == "int8" else 4)
    if spec["dtype"] == "int8":
        return bytes(rng.randrange(256) for _ in range(count))
    if spec["dtype"] == "int32":  # token ids: the op_io_*_indices models' tables have at least 4 rows
        return struct.pack(f"<{count}i", *(rng.randrange(4) for _ in range(count)))
    return struct.pack(f"<{count}f", *(rng.uniform(-1.0, 1.0) for _ in range(count)))


def same(got, want, dtype, what):
    if len(got) != len(want):
        fail(f"{what}: {len(got)} bytes, TFLite Micro gives {len(want)}")
    if dtype in ("int8", "int32"):
        if got != want:
            k = next(i for i in range(len(got)) if got[i] != want[i])
            fail(f"{what}: first difference at byte {k}")
        return
    a = struct.unpack(f"<{len(got) // 4}f", got)
    b = struct.unpack(f"<{len(want) // 4}f", want)
    largest = max((abs(x) for x in b), default=0.0)
    worst = max((abs(x - y) for x, y in zip(a, b)), default=0.0)
    if worst > 1e-5 * max(largest, 1e-30):
        fail(f"{what}: float32 outputs differ by {worst} (largest value {largest})")


def main():
    weft, tflm, corpus, work = sys.argv[1:5]
    target = sys.argv[5] if len(sys.argv) > 5 else "host"
    cores = [sys.argv[6]] if len(sys.argv) > 6 else ["3"]
    if not os.path.exists(tflm):
        if os.environ.get("CI"):
            fail(f"CI is set but {tflm} is missing: this test must run in CI")
        print(f"SKIPPED: {tflm} is not there; set WEFT_SHARED_DIR to run this test")
        return
    # Each model is one build (a host program or a firmware): one model of
    # each kind, dtypes alternating, on the host (int8_indices: an int32
    # input and output; float32_split_pack: operators with several outputs,
    # dumped); on a board the two with several inputs or several outputs.
    # test_tflm runs every op_io_ model through the same kernels.
    kinds = ["int8_three", "float32_two_inputs", "int8_constant_operand", "float32_intermediate_output", "int8_indices",
             "float32_split_pack"]
    if target != "host":
        kinds = ["int8_three", "int8_two_inputs"]
    models = [f"op_io_{kind}_0.tflite" for kind in kinds]
    missing = [m for m in models if not os.path.exists(os.path.join(corpus, m))]
    if missing:
        fail(f"{', '.join(missing)} missing from {corpus}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    rng = random.Random(0x10)
    several = 0
    for name in models:
        model = os.path.join(corpus, name)
        plan = json.loads(run([weft, "plan", model, "--json"]).stdout)
        inputs, outputs = plan["inputs"], plan["outputs"]
        several += len(inputs) > 1 or len(outputs) > 1
        # Two inferences: each input file holds both, one after another.
        records = [[tensor_bytes(rng, spec) for spec in inputs] for _ in range(2)]
        in_files = []
        for k in range(len(inputs)):
            path = os.path.join(work, f"in{k}.bin")
            with open(path, "wb") as f:
                f.write(b"".join(r[k] for r in records))
            in_files.append(path)
        want = [b"" for _ in outputs]  # per output, both inferences
        for n, record in enumerate(records):
            args = [tflm, model]
            for k, data in enumerate(record):
                path = os.path.join(work, f"tflm_in{k}.bin")
                with open(path, "wb") as f:
                    f.write(data)
                args += ["--input", path]
            out_files = [os.path.join(work, f"tflm_out{k}.bin") for k in range(len(outputs))]
            for path in out_files:
                args += ["--output", path]
            run(args)
            for k, path in enumerate(out_files):
                with open(path, "rb") as f:
                    want[k] += f.read()
        for c in cores:
            base = [weft, "run", model, "--cores", c]
            if target != "host":
                base += ["--target", target]
            for path in in_files:
                base += ["--input", path]
            outs = [os.path.join(work, f"weft_out{k}.bin") for k in range(len(outputs))]
            args = list(base)
            for path in outs:
                args += ["--output", path]
            run(args)
            for k, path in enumerate(outs):
                with open(path, "rb") as f:
                    same(f.read(), want[k], outputs[k]["dtype"], f"{name} on {target}, {c} cores, output {k}")
            # One --output: each inference's outputs one after another.
            joined = os.path.join(work, "weft_joined.bin")
            run(base + ["--output", joined])
            with open(joined, "rb") as f:
                data = f.read()
            at = 0
            for n in range(2):
                for k, spec in enumerate(outputs):
                    size = spec["bytes"]
                    same(data[at:at + size], want[k][n * size:(n + 1) * size], spec["dtype"],
                         f"{name} on {target}, {c} cores, one --output, inference {n} output {k}")
                    at += size
            if at != len(data):
                fail(f"{name}: one --output holds {len(data)} bytes, expected {at}")
        # Operators with several outputs dump each as TFLite Micro does
        # (opNNN_K.bin), and the views an import adds on the way not at all.
        if "split" in name and target == "host":
            dumps = {}
            for who in ("tflm", "weft"):
                folder = os.path.join(work, f"dump_{who}")
                shutil.rmtree(folder, ignore_errors=True)
                os.makedirs(folder)
                one = os.path.join(work, "one_in0.bin")
                with open(one, "wb") as f:
                    f.write(records[0][0])
                out = os.path.join(work, "dump_out.bin")
                if who == "tflm":
                    run([tflm, model, "--input", one, "--output", out, "--dump", folder])
                else:
                    run([weft, "run", model, "--cores", cores[0], "--input", one, "--output", out, "--dump", folder])
                dumps[who] = {f: open(os.path.join(folder, f), "rb").read() for f in os.listdir(folder)}
            if sorted(dumps["weft"]) != sorted(dumps["tflm"]) or not any("_1.bin" in f for f in dumps["tflm"]):
                fail(f"{name}: weft dumps {sorted(dumps['weft'])}, tflm_run {sorted(dumps['tflm'])}")
            for f, data in dumps["tflm"].items():  # raw copies: byte for byte
                same(dumps["weft"][f], data, "int8", f"{name}: --dump {f}")
        # The wrong number of files is the user's mistake: exit 2, and say so.
        if len(inputs) > 1:
            p = run([weft, "run", model, "--input", in_files[0], "--output", os.path.join(work, "x.bin")], expect=2)
            if f"the model has {len(inputs)} inputs" not in p.stderr:
                fail(f"{name}: one --input for {len(inputs)} inputs gave: {p.stderr}")
        if len(outputs) > 2:
            args = [weft, "run", model]
            for path in in_files:
                args += ["--input", path]
            args += ["--output", os.path.join(work, "x.bin"), "--output", os.path.join(work, "y.bin")]
            p = run(args, expect=2)
            if f"the model has {len(outputs)} outputs" not in p.stderr:
                fail(f"{name}: two --output for {len(outputs)} outputs gave: {p.stderr}")
        print(f"{name}: {len(inputs)} inputs, {len(outputs)} outputs on {target} {'/'.join(cores)} cores: equal")
    if several < 2:
        fail("fewer than 2 models with several inputs or outputs")


if __name__ == "__main__":
    main()
