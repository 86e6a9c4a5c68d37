# SPDX-License-Identifier: Apache-2.0
# weft run --dump against TensorFlow Lite Micro, layer by layer (cmake
# -DWEFT=<tool> -DSHARED=<../shared> -DWORK=<scratch dir> -P check_dump.cmake):
# ic (pretrainedResnet_quant), whose compact plan fuses three residual adds
# into the convolutions before them, dumped on the host on 1 and 2 cores for
# every golden input: every opNNN.bin equals TFLite Micro's intermediate of
# that operator (the fused convolutions' own outputs included), there is one
# file per operator and no other, and the output equals the golden output
# and a run without --dump.
# Without ../shared the test reports itself skipped ("SKIPPED:"), except in
# CI (the CI environment variable set), where the data must be there.
set(model ${SHARED}/models/pretrainedResnet_quant.tflite)
set(golden ${SHARED}/golden/ic)
if(NOT EXISTS ${model} OR NOT EXISTS ${golden}/intermediates)
  if(DEFINED ENV{CI} AND NOT "$ENV{CI}" STREQUAL "")
    message(FATAL_ERROR "CI is set but ${model} or ${golden}/intermediates is missing: the dump test must run in CI")
  endif()
  message("SKIPPED: ${SHARED} (the MLPerf Tiny models and golden data) is not there; set WEFT_SHARED_DIR to run this test")
  return()
endif()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(failures "")
set(compared 0)
foreach(cores 1 2)
  foreach(i 00 01 02)
    set(dir ${WORK}/c${cores}-in_${i})
    file(MAKE_DIRECTORY ${dir})
    execute_process(COMMAND ${WEFT} run ${model} --input ${golden}/in_${i}.bin --output ${dir}/out.bin --cores ${cores}
                            --dump ${dir}/ops
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      string(APPEND failures "in_${i}, ${cores} cores: weft run --dump exited with ${rc}: ${err}\n")
      continue()
    endif()
    execute_process(COMMAND ${WEFT} run ${model} --input ${golden}/in_${i}.bin --output ${dir}/plain.bin --cores ${cores}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      string(APPEND failures "in_${i}, ${cores} cores: weft run exited with ${rc}: ${err}\n")
    endif()
    foreach(pair "out.bin;${golden}/out_${i}.bin" "out.bin;${dir}/plain.bin")
      list(GET pair 0 mine)
      list(GET pair 1 want)
      execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${dir}/${mine} ${want} RESULT_VARIABLE differ)
      if(NOT differ EQUAL 0)
        string(APPEND failures "in_${i}, ${cores} cores: the output with --dump differs from ${want}\n")
      endif()
    endforeach()
    file(GLOB expected RELATIVE ${golden}/intermediates/in_${i} ${golden}/intermediates/in_${i}/op*.bin)
    file(GLOB dumped RELATIVE ${dir}/ops ${dir}/ops/op*.bin)
    list(LENGTH expected n_expected)
    list(LENGTH dumped n_dumped)
    if(n_expected EQUAL 0 OR NOT n_expected EQUAL n_dumped)
      string(APPEND failures "in_${i}, ${cores} cores: ${n_dumped} files dumped, ${n_expected} golden intermediates\n")
    endif()
    foreach(file IN LISTS expected)
      string(SUBSTRING ${file} 0 5 op)  # opKKK_tT.bin -> opKKK
      execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${dir}/ops/${op}.bin ${golden}/intermediates/in_${i}/${file}
                      RESULT_VARIABLE differ)
      if(differ EQUAL 0)
        math(EXPR compared "${compared} + 1")
      else()
        string(APPEND failures "in_${i}, ${cores} cores: ${op}.bin differs from TFLite Micro's ${file} (or is missing)\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(failures)
  message(FATAL_ERROR "${failures}")
endif()
message(STATUS "ic: ${compared} dumped intermediates equal TFLite Micro's, on 1 and 2 cores")
