#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds weft (release) and runs the examples: a
# model written as a C++ type, and, with ../shared beside the checkout, the
# MLPerf keyword-spotting model imported from its .tflite, planned, and run
# bit-exact against TensorFlow Lite Micro's output.
set -eu
cd "$(dirname "$0")/.."
tools/setup-debian.sh
echo "== building (release)"
cmake --preset release >/dev/null
cmake --build --preset release --target examples weft_tool
bin=build/release
echo
echo "== a model written as a C++ type (examples/edges)"
$bin/examples/edges
shared=${WEFT_SHARED_DIR:-../shared}
if [ ! -f "$shared/models/kws_ref_model.tflite" ]; then
  echo
  echo "(no $shared/models: skipping the MLPerf Tiny part of the demo)"
  exit 0
fi
echo
echo "== weft plan $shared/models/kws_ref_model.tflite"
$bin/tools/weft plan "$shared/models/kws_ref_model.tflite"
echo
echo "== weft run: the golden input, compared with TFLite Micro's output"
out=$bin/demo-kws-out.bin
WEFT_CACHE_DIR=$bin/weft-cache $bin/tools/weft run "$shared/models/kws_ref_model.tflite" \
  --input "$shared/golden/kws/in_00.bin" --output "$out" --dump $bin/demo-kws-dump
if cmp -s "$out" "$shared/golden/kws/out_00.bin"; then
  echo "output identical to TFLite Micro's ($(ls $bin/demo-kws-dump | wc -l) operator outputs in $bin/demo-kws-dump)"
else
  echo "output DIFFERS from TFLite Micro's"; exit 1
fi
echo
echo "== the same model imported at build time (examples/mlperf_kws)"
$bin/examples/mlperf_kws "$shared/golden/kws/in_00.bin"
