# SPDX-License-Identifier: Apache-2.0
# Runs examples/transformer/encoder.py afresh and checks that the models and
# token inputs it writes are the committed ones, byte for byte.
# -DPYTHON= -DFLATC= -DEXAMPLE=<examples/transformer> -DWORK=<scratch directory>
file(REMOVE_RECURSE ${WORK})
foreach(command "models;${WORK}" "tokens;${WORK}/tokens")
  execute_process(COMMAND ${CMAKE_COMMAND} -E env FLATC=${FLATC} ${PYTHON} ${EXAMPLE}/encoder.py ${command}
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "encoder.py ${command} exited with ${rc}")
  endif()
endforeach()
file(GLOB_RECURSE committed RELATIVE ${EXAMPLE} ${EXAMPLE}/*.tflite ${EXAMPLE}/tokens/*.bin)
file(GLOB_RECURSE written RELATIVE ${WORK} ${WORK}/*.tflite ${WORK}/tokens/*.bin)
list(SORT committed)
list(SORT written)
if(NOT committed STREQUAL written)
  message(FATAL_ERROR "encoder.py wrote ${written}; examples/transformer holds ${committed}")
endif()
foreach(file IN LISTS committed)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${file} ${EXAMPLE}/${file} RESULT_VARIABLE differ)
  if(NOT differ EQUAL 0)
    message(FATAL_ERROR "encoder.py wrote a ${file} that differs from the committed examples/transformer/${file}")
  endif()
endforeach()
message(STATUS "encoder.py wrote the committed ${committed}, byte for byte")
