#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, then builds and runs every test:
# 1. GCC (release): the whole suite, emulated boards, MLPerf golden data
#    (with ../shared), the tool, the digits example and packaging;
# 2. Clang (release): the host suite again, built by the other compiler
#    (the boards already ran Clang firmware in step 1);
# 3. AddressSanitizer and UndefinedBehaviorSanitizer (GCC) on the tests that
#    exercise memory: the unit tests, the real models, the tool's reader;
# 4. the host-thread executor's tests under ThreadSanitizer;
# 5. the .tflite reader's fuzzer for a bounded time (Clang).
# Prints how long each step took.
set -eu
cd "$(dirname "$0")/.."
tools/setup-debian.sh
start=$(date +%s)
step() {
  echo "== $1 ($(($(date +%s) - start)) s so far)"
}
step "GCC: the whole suite"
cmake --workflow --preset release
step "Clang: the host suite"
cmake --workflow --preset clang
step "AddressSanitizer and UndefinedBehaviorSanitizer: the tests that exercise memory"
cmake --workflow --preset asan
step "host threads under ThreadSanitizer"
cmake --preset tsan >/dev/null
cmake --build --preset tsan
# Without address-space randomization: TSan's memory layout needs it on some
# kernels.
setarch "$(uname -m)" -R build/tsan/tests/test_multicore
step "the .tflite reader's fuzzer"
cmake --workflow --preset fuzz
step "done"
