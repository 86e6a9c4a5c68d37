#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages weft's build, tests, tools and emulated
# boards need, when they are missing. Idempotent; prints nothing when
# everything is there.
set -eu

packages="cmake ninja-build g++ python3 python3-numpy python3-sklearn catch2 libeigen3-dev libflatbuffers-dev flatbuffers-compiler
          clang libclang-rt-14-dev
          gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib
          gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-arm qemu-system-misc"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "weft: installing Debian packages:$missing"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "weft: packages installed"
