# SPDX-License-Identifier: Apache-2.0
# The transformer example (examples/transformer) against TensorFlow Lite
# Micro: tflm_run computes the outputs of the committed token inputs, then
# the zoo's check (tests/zoo/check_zoo.cmake) runs `weft run` on every core
# count of CORES and compares the outputs byte for byte, and `weft run --dump`
# with `tflm_run --dump` operator by operator.
# cmake -DWEFT=<tool> -DTFLM=<tflm_run> -DEXAMPLE=<examples/transformer> -DNAME=<encoder_int8>
#       -DCORES=<list> -DWORK=<dir> -DZOO_CHECK=<tests/zoo/check_zoo.cmake> -P check_encoder.cmake
file(REMOVE_RECURSE ${WORK})
# A directory laid out as ../shared/zoo is: models/NAME.tflite and
# NAME/in_NN.bin, out_NN.bin.
set(zoo ${WORK}/zoo)
file(MAKE_DIRECTORY ${zoo}/models ${zoo}/${NAME})
file(COPY ${EXAMPLE}/${NAME}.tflite DESTINATION ${zoo}/models)
file(GLOB inputs ${EXAMPLE}/tokens/in_*.bin)
if(NOT inputs)
  message(FATAL_ERROR "${EXAMPLE}/tokens has no token inputs")
endif()
foreach(input IN LISTS inputs)
  get_filename_component(input_name ${input} NAME)
  string(REPLACE "in_" "out_" output_name ${input_name})
  file(COPY ${input} DESTINATION ${zoo}/${NAME})
  execute_process(COMMAND ${TFLM} ${zoo}/models/${NAME}.tflite --input ${input} --output ${zoo}/${NAME}/${output_name}
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "tflm_run refused ${NAME}.tflite on ${input_name} (exit ${rc}): ${err}")
  endif()
endforeach()
set(ZOO ${zoo})
set(WORK ${WORK}/check)
include(${ZOO_CHECK})
