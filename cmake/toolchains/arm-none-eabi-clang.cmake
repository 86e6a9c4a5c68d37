# SPDX-License-Identifier: Apache-2.0
# Bare-metal Arm Cortex-M compiled with Clang (Debian's clang) and linked by
# Debian's gcc-arm-none-eabi against newlib, libgcc and its start files: the
# board's CPU flags pick the multilib. examples/boards asks the GNU driver
# (WEFT_GNU_DRIVER) where its C and C++ library headers are, so that Clang
# compiles against the same ones.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_ASM_COMPILER clang)
foreach(lang C CXX ASM)
  set(CMAKE_${lang}_COMPILER_TARGET arm-none-eabi)
endforeach()
# Enums as small as their values, as arm-none-eabi-gcc and the newlib it
# links make them (Clang's default for this target is 32 bits).
set(CMAKE_C_FLAGS_INIT -fshort-enums)
set(CMAKE_CXX_FLAGS_INIT -fshort-enums)
set(WEFT_GNU_DRIVER arm-none-eabi-gcc)
set(WEFT_GNU_FLAGS "")
# The GNU driver links: it knows newlib's multilibs, its specs and libgcc.
set(CMAKE_CXX_LINK_EXECUTABLE
    "${WEFT_GNU_DRIVER} <CMAKE_CXX_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
