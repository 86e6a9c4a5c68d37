#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Instructions per inference of the MLPerf Tiny models with firmware built
by GCC and by Clang (`weft bench --target ... --compiler ...`, QEMU 7.2 and
the project's instruction-counting plugin), as a Markdown table.

    python3 bench/compilers.py [WEFT] [MODELS_DIR]
        WEFT: the weft tool (default build/release/tools/weft)
        MODELS_DIR: the MLPerf Tiny models (default ../shared/models)
"""
import json
import subprocess
import sys

weft = sys.argv[1] if len(sys.argv) > 1 else "build/release/tools/weft"
models_dir = sys.argv[2] if len(sys.argv) > 2 else "../shared/models"
models = [("kws", "kws_ref_model"), ("vww", "vww_96_int8"), ("ic", "pretrainedResnet_quant"), ("ad", "ad01_int8")]
configs = [("an386", 1), ("riscv-virt", 1), ("riscv-virt", 4)]
compilers = ["gcc", "clang"]


def bench(path, target, cores, compiler):
    out = subprocess.run([weft, "bench", path, "--target", target, "--cores", str(cores), "--compiler", compiler,
                          "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["critical_path_instructions"]


print("## Instructions per inference (critical path), GCC and Clang firmware\n")
header = " | ".join(f"{t} {c}{'c' if t != 'riscv-virt' else 'h'}: {comp}" for t, c in configs for comp in compilers)
print(f"| model | {header} |")
print("|---|" + "---:|" * (len(configs) * len(compilers)))
for name, file in models:
    cells = []
    for target, cores in configs:
        gcc = bench(f"{models_dir}/{file}.tflite", target, cores, "gcc")
        clang = bench(f"{models_dir}/{file}.tflite", target, cores, "clang")
        cells += [f"{gcc:,}", f"{clang:,} ({clang / gcc:.2f}x)"]
    print(f"| {name} | " + " | ".join(cells) + " |")
