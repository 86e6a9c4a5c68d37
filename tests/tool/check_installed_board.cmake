# SPDX-License-Identifier: Apache-2.0
# An installed weft runs a model on an emulated board with nothing but its
# prefix: the firmware build finds weft's CMake package, the board project
# and the toolchain files through the tool itself, not through PATH (whose
# bin/ entries CMake would search) nor the source tree.
# cmake -DBUILD=<weft build dir> -DWORK=<scratch> -DCORPUS=<corpus dir> -P check_installed_board.cmake
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix RESULT_VARIABLE rc OUTPUT_QUIET
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${err}")
endif()
set(model ${CORPUS}/good_int8_network)
# The system's PATH without any entry inside the prefix (it has none to
# begin with: this states the condition rather than relying on it).
set(path "")
string(REPLACE ":" ";" entries "$ENV{PATH}")
foreach(entry IN LISTS entries)
  if(NOT entry MATCHES "^${WORK}")
    list(APPEND path ${entry})
  endif()
endforeach()
string(REPLACE ";" ":" path "${path}")
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=WEFT_INCLUDE_DIR --unset=CMAKE_PREFIX_PATH "PATH=${path}"
                        WEFT_CACHE_DIR=${WORK}/cache ${WORK}/prefix/bin/weft run ${model}.tflite --target an386
                        --input ${model}.in.bin --output ${WORK}/out.bin
                WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the installed weft run --target an386 exited with ${rc}:\n${err}")
endif()
file(SHA256 ${model}.out.bin want)
file(SHA256 ${WORK}/out.bin got)
if(NOT want STREQUAL got)
  message(FATAL_ERROR "the installed weft's output on an386 differs from the expected one")
endif()
message(STATUS "installed weft ran on an386")
