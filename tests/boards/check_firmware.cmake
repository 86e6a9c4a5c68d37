# SPDX-License-Identifier: Apache-2.0
# Builds examples/boards directly with extra settings and checks the outcome.
# MODE=heap: a firmware that calls malloc must fail to link, saying why.
# MODE=rp2040: the RP2040 firmware must build (there is no emulator).
# MODE=nofloat: int8 firmware for the soft-float Cortex-M33 and RV32IMAC
#   contains none of libgcc's floating-point helpers: the int8 run path does
#   no floating point.
# MODE=mutation: on riscv-virt with 4 harts, a build without the plan's waits
#   must compute wrong bits on some golden input while the normal build
#   stays exact, both run with -icount (one host thread, harts in turn,
#   the same interleaving every time).
# MODE=debug: on riscv-virt with 4 harts, a firmware built with -O0 (where
#   the RV32 assembly kernels step aside, as they need registers an
#   unoptimized build does not leave) builds and is exact on the golden
#   inputs.
# cmake -DMODE=... -DWEFT=<tool> -DSOURCE=<weft source> -DMODEL=<.tflite> -DWORK=<dir>
#       [-DINPUTS=in1;in2 -DOUTPUTS=out1;out2] -P check_firmware.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${WEFT} import ${MODEL} -o ${WORK}/model.hpp --name model RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "weft import failed")
endif()

function(build dir board cores toolchain result log)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE}/examples/boards -B ${dir} -G Ninja
                          --toolchain ${SOURCE}/cmake/toolchains/${toolchain} -DWEFT_BOARD=${board} -DWEFT_CORES=${cores}
                          -DWEFT_MODEL_HEADER=${WORK}/model.hpp ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc EQUAL 0)
    execute_process(COMMAND ${CMAKE_COMMAND} --build ${dir} RESULT_VARIABLE rc OUTPUT_VARIABLE out2 ERROR_VARIABLE out2)
    string(APPEND out "${out2}")
  endif()
  set(${result} ${rc} PARENT_SCOPE)
  set(${log} "${out}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "heap")
  build(${WORK}/heap an521 1 arm-none-eabi.cmake rc log -DWEFT_EXTRA_SOURCES=${SOURCE}/tests/boards/uses_heap.cpp)
  if(rc EQUAL 0)
    message(FATAL_ERROR "a firmware calling malloc linked")
  endif()
  if(NOT log MATCHES "uses the heap")
    message(FATAL_ERROR "the link failed without saying why:\n${log}")
  endif()
  build(${WORK}/control an521 1 arm-none-eabi.cmake rc log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the same firmware without the malloc call does not build:\n${log}")
  endif()
elseif(MODE STREQUAL "rp2040")
  build(${WORK}/rp2040 rp2040 2 arm-none-eabi.cmake rc log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the RP2040 firmware does not build:\n${log}")
  endif()
elseif(MODE STREQUAL "nofloat")
  set(boards an521 riscv-virt)
  set(toolchains arm-none-eabi.cmake riscv32-elf.cmake)
  set(nms arm-none-eabi-nm riscv64-unknown-elf-nm)
  foreach(board toolchain nm IN ZIP_LISTS boards toolchains nms)
    build(${WORK}/${board} ${board} 2 ${toolchain} rc log)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${log}")
    endif()
    execute_process(COMMAND ${nm} ${WORK}/${board}/firmware.elf OUTPUT_VARIABLE symbols)
    # Arm EABI (__aeabi_fadd, __aeabi_d2iz, ...) and generic libgcc (__addsf3, __floatsidf, ...).
    string(REGEX MATCHALL "__aeabi_[fd][a-z0-9]+|__aeabi_[iu]2[fd]|__aeabi_l2[fd]|__[a-z]+[sd]f[0-9]?|__float[a-z]*[sd]f|__fix[a-z]*[sd]f[a-z]*"
           helpers "${symbols}")
    if(helpers)
      list(REMOVE_DUPLICATES helpers)
      message(FATAL_ERROR "the int8 firmware for ${board} uses floating point: ${helpers}")
    endif()
    string(FIND "${symbols}" "weft_probe_mark" found)
    if(found EQUAL -1)
      message(FATAL_ERROR "the symbol table of ${board}'s firmware looks empty")
    endif()
  endforeach()
elseif(MODE STREQUAL "mutation")
  build(${WORK}/good riscv-virt 4 riscv32-elf.cmake rc log)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${log}")
  endif()
  build(${WORK}/broken riscv-virt 4 riscv32-elf.cmake rc log -DWEFT_MUTATION_NO_WAITS=ON)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${log}")
  endif()
  set(wrong 0)
  foreach(input expected IN ZIP_LISTS INPUTS OUTPUTS)
    foreach(kind good broken)
      file(REMOVE ${WORK}/${kind}.bin)
      execute_process(COMMAND qemu-system-riscv32 -M virt -smp 4 -bios none -icount shift=0,sleep=off -display none
                              -monitor none -serial none -chardev stdio,id=c
                              -semihosting-config enable=on,target=native,chardev=c,arg=fw,arg=run,arg=${input},arg=${WORK}/${kind}.bin
                              -kernel ${WORK}/${kind}/firmware.elf
                      RESULT_VARIABLE rc TIMEOUT 300)
      execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${kind}.bin ${expected} RESULT_VARIABLE differs)
      if(kind STREQUAL "good" AND (NOT rc EQUAL 0 OR differs))
        message(FATAL_ERROR "the normal firmware is not exact on ${input} (status ${rc})")
      endif()
      if(kind STREQUAL "broken" AND (NOT rc EQUAL 0 OR differs))
        math(EXPR wrong "${wrong} + 1")
      endif()
    endforeach()
  endforeach()
  if(wrong EQUAL 0)
    message(FATAL_ERROR "the firmware without waits still computed the right bits: the tests would not catch a broken barrier")
  endif()
  message(STATUS "without waits, ${wrong} of the inputs came out wrong; with them, all exact")
elseif(MODE STREQUAL "debug")
  build(${WORK}/debug riscv-virt 4 riscv32-elf.cmake rc log -DWEFT_OPTIMIZE_FLAG=-O0)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the -O0 firmware does not build:\n${log}")
  endif()
  foreach(input expected IN ZIP_LISTS INPUTS OUTPUTS)
    file(REMOVE ${WORK}/debug.bin)
    execute_process(COMMAND qemu-system-riscv32 -M virt -smp 4 -bios none -icount shift=0,sleep=off -display none
                            -monitor none -serial none -chardev stdio,id=c
                            -semihosting-config enable=on,target=native,chardev=c,arg=fw,arg=run,arg=${input},arg=${WORK}/debug.bin
                            -kernel ${WORK}/debug/firmware.elf
                    RESULT_VARIABLE rc TIMEOUT 300)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/debug.bin ${expected} RESULT_VARIABLE differs)
    if(NOT rc EQUAL 0 OR differs)
      message(FATAL_ERROR "the -O0 firmware is not exact on ${input} (status ${rc})")
    endif()
  endforeach()
  message(STATUS "the -O0 firmware is exact on every golden input")
else()
  message(FATAL_ERROR "unknown MODE ${MODE}")
endif()
