#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The main job in one command: installs what is missing, builds weft's host
# tool (release), then walks a TinyML engineer's path on a model the project
# makes itself (examples/digits): train a small CNN on scikit-learn's 8x8
# digits, quantize it to an int8 .tflite, plan it, and run the 360 held-out
# images on the host (1 core and all cores) and on emulated multi-core boards
# (dual Cortex-M33 an521, 4 RISC-V harts) in QEMU. Prints accuracy, time or
# instructions per inference, arena and flash bytes; writes everything,
# including the plan's SVG, to build/release/digits.
set -eu
cd "$(dirname "$0")/.."
tools/setup-debian.sh
echo "== building weft (release)"
cmake --preset release >/dev/null
cmake --build --preset release --target weft_tool
echo
# Debian's python3 has numpy and scikit-learn; another python3 earlier on PATH may not.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" examples/digits/demo.py --weft build/release/tools/weft --out build/release/digits "$@"
