# SPDX-License-Identifier: Apache-2.0
# Trains the digits model afresh (examples/digits/digits.py) and checks that
# both .tflite files are the committed ones, byte for byte.
# -DPYTHON= -DFLATC= -DDIGITS=<examples/digits> -DWORK=<scratch directory>
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} -E env FLATC=${FLATC} ${PYTHON} ${DIGITS}/digits.py train ${WORK}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "digits.py train exited with ${rc}")
endif()
foreach(file digits.tflite digits_float.tflite)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${file} ${DIGITS}/${file} RESULT_VARIABLE differ)
  if(NOT differ EQUAL 0)
    message(FATAL_ERROR "training wrote a ${file} that differs from the committed examples/digits/${file}")
  endif()
endforeach()
message(STATUS "training wrote the committed digits.tflite and digits_float.tflite, byte for byte")
