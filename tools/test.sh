#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, then builds and runs every test: the whole suite
# under AddressSanitizer and UndefinedBehaviorSanitizer (the MLPerf golden
# tests too when ../shared is there), then the .tflite reader's fuzzer for a
# bounded time under Clang.
set -eu
cd "$(dirname "$0")/.."
tools/setup-debian.sh
cmake --workflow --preset asan
cmake --workflow --preset fuzz
