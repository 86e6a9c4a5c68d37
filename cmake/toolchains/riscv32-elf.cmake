# SPDX-License-Identifier: Apache-2.0
# Bare-metal RV32IMAC with Debian's gcc-riscv64-unknown-elf and picolibc.
# Debian ships no C++ library for this target: the C++ compiler is the gcc
# driver (g++ would link a missing -lstdc++), and the header-only parts of
# the standard library come from arm-none-eabi's libstdc++ (the same GCC 12.2,
# also built for newlib), which weft's headers need and no more.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_CXX_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_ASM_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# -misa-spec=2.2: with GCC 12 and binutils 2.40, rv32imac then accepts csr
# instructions and still selects the rv32imac/ilp32 multilib.
set(arch "-march=rv32imac -misa-spec=2.2 -mabi=ilp32 -mcmodel=medany")
set(std_headers /usr/include/newlib/c++/12.2.1)
set(CMAKE_C_FLAGS_INIT "${arch} --specs=picolibc.specs")
set(CMAKE_ASM_FLAGS_INIT "${arch}")
set(CMAKE_CXX_FLAGS_INIT "${arch} --specs=picolibc.specs -nostdinc++ -isystem ${std_headers} -isystem ${std_headers}/arm-none-eabi")
# CMake repeats the compile flags when linking: --specs must not appear twice.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
