# SPDX-License-Identifier: Apache-2.0
# Bare-metal RV32IMAC compiled with Clang (Debian's clang) and linked by
# Debian's gcc-riscv64-unknown-elf against picolibc, as riscv32-elf.cmake
# does with GCC (whose comments say where the C++ headers come from).
# examples/boards asks the GNU driver (WEFT_GNU_DRIVER with WEFT_GNU_FLAGS)
# where its headers are, so that Clang compiles against the same ones.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_ASM_COMPILER clang)
foreach(lang C CXX ASM)
  set(CMAKE_${lang}_COMPILER_TARGET riscv32-unknown-elf)
endforeach()
set(arch "-march=rv32imac -mabi=ilp32 -mcmodel=medany")
set(CMAKE_C_FLAGS_INIT "${arch}")
set(CMAKE_ASM_FLAGS_INIT "${arch}")
set(CMAKE_CXX_FLAGS_INIT "${arch}")
set(std_headers /usr/include/newlib/c++/12.2.1)
set(WEFT_GNU_DRIVER riscv64-unknown-elf-gcc)
set(WEFT_GNU_FLAGS "-march=rv32imac -misa-spec=2.2 -mabi=ilp32 -mcmodel=medany --specs=picolibc.specs -nostdinc++ -isystem ${std_headers} -isystem ${std_headers}/arm-none-eabi")
set(CMAKE_CXX_LINK_EXECUTABLE
    "${WEFT_GNU_DRIVER} ${WEFT_GNU_FLAGS} <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
