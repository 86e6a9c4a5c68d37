#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, then builds and runs every test: the whole suite
# under AddressSanitizer and UndefinedBehaviorSanitizer (the MLPerf golden
# tests too when ../shared is there), the host-thread executor's tests under
# ThreadSanitizer, then the .tflite reader's fuzzer for a bounded time (Clang).
set -eu
cd "$(dirname "$0")/.."
tools/setup-debian.sh
cmake --workflow --preset asan
echo "== host threads under ThreadSanitizer"
cmake --preset tsan >/dev/null
cmake --build --preset tsan
# Without address-space randomization: TSan's memory layout needs it on some
# kernels.
setarch "$(uname -m)" -R build/tsan/tests/test_multicore
cmake --workflow --preset fuzz
