# SPDX-License-Identifier: Apache-2.0
# Builds tests/package/consumer against weft and runs it on a corpus model.
# cmake -DMODE=install|subdirectory -DBUILD=<weft build dir> -DSOURCE=<weft source>
#       -DWORK=<scratch> -DCORPUS=<corpus dir> -DCXX=<compiler> -P check_package.cmake
file(REMOVE_RECURSE ${WORK})
set(model ${CORPUS}/good_int8_network)
set(args -S ${SOURCE}/tests/package/consumer -B ${WORK}/build -G Ninja -DCMAKE_CXX_COMPILER=${CXX}
         -DCMAKE_BUILD_TYPE=Release -DMODEL=${model}.tflite)
if(MODE STREQUAL "install")
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed")
  endif()
  list(APPEND args -DCMAKE_PREFIX_PATH=${WORK}/prefix)
else()
  list(APPEND args -DWEFT_SOURCE_DIR=${SOURCE})
endif()
foreach(step "configure;${CMAKE_COMMAND};${args}" "build;${CMAKE_COMMAND};--build;${WORK}/build"
             "run;${WORK}/build/consumer;${model}.in.bin;${model}.out.bin")
  list(POP_FRONT step name)
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${MODE}: ${name} failed (${rc}):\n${out}")
  endif()
endforeach()
message(STATUS "${MODE}: ${out}")
