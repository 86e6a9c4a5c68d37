#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Instructions per inference of the MLPerf Tiny models on the emulated
boards, from `weft bench --target ... --json` (QEMU 7.2 and the project's
instruction-counting plugin), as Markdown tables.

    python3 bench/boards.py [--compilers | --zoo] [--save FILE] [--check FILE] [WEFT] [MODELS_DIR]
        --compilers: instead, GCC's and Clang's firmware side by side on the
            AN386 and RISC-V virt (1 and 4 harts)
        --zoo: instead, the models of ../shared/zoo (MODELS_DIR: the zoo,
            default ../shared/zoo) on the AN386, the dual M33 and RISC-V
            virt (1 and 4 harts), against TFLite Micro with CMSIS-NN on the
            AN386 (the issue's figures), with the instructions of each
            operator kind on the AN386; then each model runs on each of
            those boards on the zoo's two inputs (`weft run --target`, the
            firmware just benchmarked), every output compared byte for byte
            with TFLite Micro's (the zoo's out_NN.bin, outK_NN.bin)
        --save FILE: also write every configuration's critical-path
            instructions as JSON (bench/boards_baseline.json is the one
            bench/results.md reports)
        --check FILE: then compare with such a file and exit with status 1
            if any configuration takes more than 1% more instructions (a
            regression is a bug; no test times kernels, so run this after
            changing anything the firmware compiles)
        WEFT: the weft tool (default build/release/tools/weft)
        MODELS_DIR: the MLPerf Tiny models (default ../shared/models)
"""
import json
import os
import subprocess
import sys
import tempfile

args = sys.argv[1:]
compilers = "--compilers" in args
zoo = "--zoo" in args
args = [a for a in args if a not in ("--compilers", "--zoo")]


def take_option(name):
    if name not in args:
        return None
    i = args.index(name)
    if i + 1 >= len(args):
        sys.exit(f"boards.py: {name} needs a file")
    value = args[i + 1]
    del args[i:i + 2]
    return value


save_file = take_option("--save")
check_file = take_option("--check")
weft = args[0] if len(args) > 0 else "build/release/tools/weft"
models_dir = args[1] if len(args) > 1 else "../shared/models"
models = [("kws", "kws_ref_model"), ("vww", "vww_96_int8"), ("ic", "pretrainedResnet_quant"), ("ad", "ad01_int8")]
configs = [("an386", 1), ("an500", 1), ("an521", 1), ("an521", 2), ("riscv-virt", 1), ("riscv-virt", 2), ("riscv-virt", 4)]


def bench(path, target, cores, compiler="gcc"):
    out = subprocess.run([weft, "bench", path, "--target", target, "--cores", str(cores), "--compiler", compiler,
                          "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


# TFLite Micro with CMSIS-NN's kernels on the AN386, interpreter included, one
# steady Invoke, and its image's flash (issue 18's figures, same QEMU).
CMSIS_NN = {"hello_world_int8": 3_523, "micro_speech_quantized": 1_495_348, "person_detect": 22_928_385,
            "te_vww": 48_626_997, "te_detection": 75_992_157, "mobilenet_v2_quantized_1x3x224x224": 798_472_339}
CMSIS_NN_FLASH = {"micro_speech_quantized": 83_324, "person_detect": 385_304, "te_vww": 791_680}

if zoo:
    zoo_dir = args[1] if len(args) > 1 else "../shared/zoo"
    names = list(CMSIS_NN)
    pairs = [("an386", 1), ("an521", 2), ("riscv-virt", 1), ("riscv-virt", 4)]
    runs = {(n, t, c): bench(f"{zoo_dir}/models/{n}.tflite", t, c) for n in names for t, c in pairs}
    print("## Zoo: instructions per inference (critical path)\n")
    print("| model | MACs | an386 | TFLM + CMSIS-NN an386 | ratio | an521 2 cores | riscv 1 hart | riscv 4 harts | "
          "speedup 4 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        r = {p: runs[n, p[0], p[1]]["critical_path_instructions"] for p in pairs}
        print(f"| {n} | {runs[n, 'an386', 1]['macs']:,} | {r['an386', 1]:,} | {CMSIS_NN[n]:,} | "
              f"{r['an386', 1] / CMSIS_NN[n]:.2f}x | {r['an521', 2]:,} | {r['riscv-virt', 1]:,} | "
              f"{r['riscv-virt', 4]:,} | {r['riscv-virt', 1] / r['riscv-virt', 4]:.2f}x |")
    print("\n## Zoo: memory on the AN386\n")
    print("| model | arena | flash: code | constants | weights | flash total | TFLM + CMSIS-NN image |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n in names:
        a = runs[n, "an386", 1]
        total = a["flash_code_bytes"] + a["flash_constant_bytes"] + a["flash_weight_bytes"]
        ref = f"{CMSIS_NN_FLASH[n]:,}" if n in CMSIS_NN_FLASH else "-"
        print(f"| {n} | {a['arena_bytes']:,} | {a['flash_code_bytes']:,} | {a['flash_constant_bytes']:,} | "
              f"{a['flash_weight_bytes']:,} | {total:,} | {ref} |")
    print("\n## Zoo: share of the AN386's instructions per operator kind\n")
    for n in names:
        plan = json.loads(subprocess.run([weft, "plan", f"{zoo_dir}/models/{n}.tflite", "--json"], check=True,
                                         capture_output=True, text=True).stdout)
        per_kind = {}
        for o, counts in zip(plan["ops"], runs[n, "an386", 1]["ops"]):
            per_kind[o["op"]] = per_kind.get(o["op"], 0) + counts[0]
        total = runs[n, "an386", 1]["critical_path_instructions"]
        parts = sorted(per_kind.items(), key=lambda kv: -kv[1])
        print(f"- {n}: " + ", ".join(f"{k} {v / total:.1%}" for k, v in parts))
    print("\n## Zoo: bit-exact with TFLite Micro on the boards (both inputs, every output)\n")
    print("| model | " + " | ".join(f"{t} {c}" for t, c in pairs) + " |")
    print("|---|" + "---|" * len(pairs))
    failed = False
    with tempfile.TemporaryDirectory() as work:
        for n in names:
            outputs = len(json.loads(subprocess.run([weft, "plan", f"{zoo_dir}/models/{n}.tflite", "--json"],
                                                    check=True, capture_output=True, text=True).stdout)["outputs"])
            cells = []
            for t, c in pairs:
                same = True
                for sample in ("00", "01"):
                    files = [os.path.join(work, f"out{k}.bin") for k in range(outputs)]
                    cmd = [weft, "run", f"{zoo_dir}/models/{n}.tflite", "--target", t, "--cores", str(c),
                           "--input", f"{zoo_dir}/{n}/in_{sample}.bin"]
                    for f in files:
                        cmd += ["--output", f]
                    subprocess.run(cmd, check=True, capture_output=True)
                    for k, f in enumerate(files):
                        want = f"{zoo_dir}/{n}/out{k if k else ''}_{sample}.bin"
                        with open(f, "rb") as a, open(want, "rb") as b:
                            same = same and a.read() == b.read()
                cells.append("yes" if same else "**no**")
                failed = failed or not same
            print(f"| {n} | " + " | ".join(cells) + " |")
    sys.exit(1 if failed else 0)

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

counts = {f"{name} {t} {c}": results[name, t, c]["critical_path_instructions"] for name, _ in models for t, c in configs}
if save_file:
    with open(save_file, "w") as f:
        json.dump(counts, f, indent=1, sort_keys=True)
        f.write("\n")
if check_file:
    with open(check_file) as f:
        baseline = json.load(f)
    worse = [(k, baseline[k], v) for k, v in counts.items() if k in baseline and v > baseline[k] * 1.01]
    print(f"\n## Against {check_file}\n")
    for k, was, now in worse:
        print(f"- {k}: {was:,} -> {now:,} ({now / was:.3f}x): a regression")
    missing = [k for k in counts if k not in baseline]
    for k in missing:
        print(f"- {k}: not in the baseline")
    if not worse:
        print(f"every configuration within 1% of the baseline ({len(counts) - len(missing)} compared)")
    sys.exit(1 if worse else 0)
