# SPDX-License-Identifier: Apache-2.0
# Runs a model on an emulated board (or the host) with `weft run --target` for every
# "INPUT|EXPECTED" pair of CASES and requires the expected bytes.
# -DSIZE=ON: in weft's size configuration (weft run --size).
# -DCOMPILER=clang: firmware built with Clang (weft run --compiler clang).
# cmake -DWEFT=<tool> -DMODEL=<.tflite> -DTARGET=<board> -DCORES=<n> -DCASES=<pairs> -DWORK=<dir> [-DSIZE=ON]
#       [-DCOMPILER=gcc|clang] -P check_run.cmake
file(MAKE_DIRECTORY ${WORK})
set(failures "")
set(n 0)
foreach(pair IN LISTS CASES)
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 input)
  list(GET pair 1 expected)
  set(out ${WORK}/out${n}.bin)
  file(REMOVE ${out})
  set(size_option "")
  if(SIZE)
    set(size_option --size)
  endif()
  if(COMPILER)
    list(APPEND size_option --compiler ${COMPILER})
  endif()
  execute_process(COMMAND ${WEFT} run ${MODEL} --target ${TARGET} --cores ${CORES} ${size_option} --input ${input}
                          --output ${out}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(APPEND failures "${input}: weft run exited with ${rc}: ${err}\n")
  else()
    file(SHA256 ${out} got)
    file(SHA256 ${expected} want)
    if(NOT got STREQUAL want)
      string(APPEND failures "${input}: the output on ${TARGET} (${CORES} cores) differs from ${expected}\n")
    endif()
  endif()
  math(EXPR n "${n} + 1")
endforeach()
if(failures)
  message(FATAL_ERROR "${failures}")
endif()
message(STATUS "${n} inputs bit-exact on ${TARGET}, ${CORES} cores")
