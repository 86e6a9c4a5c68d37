# SPDX-License-Identifier: Apache-2.0
# Every generated header compiles: `weft import` on each good_*.tflite and
# names_*.tflite (the same models with hostile tensor names, subgraph name and
# description) of the corpus, then the host compiler on a file that includes
# the header and uses the model type, warnings as errors. The fuzzer only
# checks headers lexically; this proves that what it accepts compiles.
# cmake -DWEFT=<weft> -DSOURCE=<weft source> -DCORPUS=<corpus> -DWORK=<scratch> -DCXX=<compiler>
#       -P check_headers.cmake
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(GLOB models ${CORPUS}/good_*.tflite ${CORPUS}/names_*.tflite)
list(LENGTH models count)
if(count LESS 8)
  message(FATAL_ERROR "expected the 4 good_ and 4 names_ models in ${CORPUS}, found ${count}")
endif()
set(hostile 0)
foreach(model IN LISTS models)
  get_filename_component(name ${model} NAME_WE)
  execute_process(COMMAND ${WEFT} import ${model} -o ${WORK}/${name}.hpp --name ${name} RESULT_VARIABLE rc
                  ERROR_VARIABLE e)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: weft import exited with ${rc}: ${e}")
  endif()
  file(READ ${WORK}/${name}.hpp header)
  if(header MATCHES "PWNED")  # names_*: the hostile strings must be in it (escaped)
    math(EXPR hostile "${hostile} + 1")
  endif()
  file(WRITE ${WORK}/${name}.cpp "#include \"${name}.hpp\"\n"
                                 "static_assert(${name}::graph.node_count > 0);\n"
                                 "static_assert(${name}_data::tensor_names.size() > 0);\n"
                                 "const char* description() { return ${name}_data::description; }\n")
  execute_process(COMMAND ${CXX} -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I${SOURCE}/include
                          -I${WORK} ${WORK}/${name}.cpp
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${name}: the generated header does not compile (${rc}):\n${out}")
  endif()
endforeach()
if(hostile LESS 4)
  message(FATAL_ERROR "only ${hostile} headers carry the corpus's hostile names")
endif()
message(STATUS "${count} generated headers compile, ${hostile} of them with hostile names")
