#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Instructions per inference of the MLPerf Tiny models on the emulated
boards, from `weft bench --target ... --json` (QEMU 7.2 and the project's
instruction-counting plugin), as Markdown tables.

    python3 bench/boards.py [--compilers] [WEFT] [MODELS_DIR]
        --compilers: instead, GCC's and Clang's firmware side by side on the
            AN386 and RISC-V virt (1 and 4 harts)
        WEFT: the weft tool (default build/release/tools/weft)
        MODELS_DIR: the MLPerf Tiny models (default ../shared/models)
"""
import json
import subprocess
import sys

args = sys.argv[1:]
compilers = "--compilers" in args
args = [a for a in args if a != "--compilers"]
weft = args[0] if len(args) > 0 else "build/release/tools/weft"
models_dir = args[1] if len(args) > 1 else "../shared/models"
models = [("kws", "kws_ref_model"), ("vww", "vww_96_int8"), ("ic", "pretrainedResnet_quant"), ("ad", "ad01_int8")]
configs = [("an386", 1), ("an500", 1), ("an521", 1), ("an521", 2), ("riscv-virt", 1), ("riscv-virt", 2), ("riscv-virt", 4)]


def bench(path, target, cores, compiler="gcc"):
    out = subprocess.run([weft, "bench", path, "--target", target, "--cores", str(cores), "--compiler", compiler,
                          "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


if compilers:
    pairs = [("an386", 1), ("riscv-virt", 1), ("riscv-virt", 4)]
    print("## Instructions per inference (critical path), GCC and Clang firmware\n")
    print("| model | " + " | ".join(f"{t} {c}: gcc | clang" for t, c in pairs) + " |")
    print("|---|" + "---:|" * (2 * len(pairs)))
    for name, file in models:
        cells = []
        for target, cores in pairs:
            gcc = bench(f"{models_dir}/{file}.tflite", target, cores, "gcc")["critical_path_instructions"]
            clang = bench(f"{models_dir}/{file}.tflite", target, cores, "clang")["critical_path_instructions"]
            cells += [f"{gcc:,}", f"{clang:,} ({clang / gcc:.2f}x)"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    sys.exit(0)

results = {}
for name, file in models:
    for target, cores in configs:
        results[name, target, cores] = bench(f"{models_dir}/{file}.tflite", target, cores)

print("## Instructions per inference (critical path)\n")
print("| model | MACs | an386 M4F | an500 M7 | an521 1 core | an521 2 cores | speedup | "
      "riscv 1 hart | riscv 2 harts | riscv 4 harts | speedup 2 | speedup 4 |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, _ in models:
    r = {c: results[name, c[0], c[1]]["critical_path_instructions"] for c in configs}
    macs = results[name, "an386", 1]["macs"]
    print(f"| {name} | {macs:,} | {r['an386', 1]:,} | {r['an500', 1]:,} | {r['an521', 1]:,} | {r['an521', 2]:,} | "
          f"{r['an521', 1] / r['an521', 2]:.2f}x | {r['riscv-virt', 1]:,} | {r['riscv-virt', 2]:,} | "
          f"{r['riscv-virt', 4]:,} | {r['riscv-virt', 1] / r['riscv-virt', 2]:.2f}x | "
          f"{r['riscv-virt', 1] / r['riscv-virt', 4]:.2f}x |")

print("\n## Memory\n")
print("| model | arena bytes | flash: code, an386 | flash: per-operator constants | flash: weights | "
      "stack per core: an386 | an521 2 cores | riscv 4 harts |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, _ in models:
    a = results[name, "an386", 1]
    print(f"| {name} | {a['arena_bytes']:,} | {a['flash_code_bytes']:,} | {a['flash_constant_bytes']:,} | "
          f"{a['flash_weight_bytes']:,} | "
          f"{a['stack_bytes'][0]} | {', '.join(map(str, results[name, 'an521', 2]['stack_bytes']))} | "
          f"{', '.join(map(str, results[name, 'riscv-virt', 4]['stack_bytes']))} |")

print("\n## MACs per instruction (all cores' work)\n")
print("| model | " + " | ".join(f"{t} {c}" for t, c in configs) + " |")
print("|---|" + "---:|" * len(configs))
for name, _ in models:
    print(f"| {name} | " + " | ".join(f"{results[name, t, c]['macs_per_instruction']:.3f}" for t, c in configs) + " |")
