# SPDX-License-Identifier: Apache-2.0
# Hostile names stay inert. Model files named with a newline (or CR) and a C++
# statement, with quotes, backslashes, '#', "??/" and non-ASCII bytes, and the
# corpus's names_*.tflite (hostile tensor names and description) go through
# `weft import`, `weft run` (host) and weft_add_model (a small CMake project
# built here). Every header must compile, every program must run, and the
# statements, which would print PWNED and create weft-pwned-marker if they
# ran, must not run. Bad --name and NAME values must be refused, and names
# derived from hostile file names must be valid.
# cmake -DWEFT=<weft> -DSOURCE=<weft source> -DCORPUS=<corpus> -DWORK=<scratch> -DCXX=<compiler>
#       -P check_names.cmake
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/models)
set(marker ${WORK}/weft-pwned-marker)

# Every process runs in ${WORK}, where the hostile statement would write.
# Paths with ';' are passed to execute_process directly, never through a
# function's arguments, where CMake would split them.
macro(check_inert what)
  if(EXISTS ${marker} OR out MATCHES "PWNED" OR err MATCHES "PWNED")
    message(FATAL_ERROR "${what}: a statement from a name ran (or was compiled):\n${out}\n${err}")
  endif()
endmacro()

macro(check_ok what)
  check_inert("${what}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
endmacro()

function(run what)
  execute_process(COMMAND ${ARGN} WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  check_inert("${what}")
  set(rc "${rc}" PARENT_SCOPE)
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

function(expect_ok what)
  run("${what}" ${ARGN})
  check_ok("${what}")
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

string(ASCII 13 cr)
# The statement declares system() itself so that it compiles wherever the
# comment it escapes from sits at namespace scope; "#define weft_rest " makes
# the rest of the header's first line (".tflite. Do not edit...") vanish.
set(stmt "extern \"C\" int system(const char*); static int weft_pwned = system(\"touch weft-pwned-marker\") + __builtin_printf(\"PWN\" \"ED\");")
set(file_1 "x\n${stmt}\n#define weft_rest ")
set(file_2 "x\nint main(){return 0;}\n#define weft_rest ")
set(file_3 "x${cr}${stmt}${cr}#define weft_rest ")
set(file_4 "q \" ' # ?? ??= ??! \\ \\\\ é 模型 (1) [2] {3} `4` $5 ")
set(file_count 4)
set(file_5 "y\nnewline")  # for weft_add_model, which refuses control characters in paths
file(COPY_FILE ${CORPUS}/good_int8_network.tflite "${WORK}/models/${file_5}.tflite")

# weft import: hostile file names, default and hostile tensor names; one
# program includes every header, prints each header's `source` and must
# print the file names exactly.
set(includes "")
set(prints "")
set(expected "")
foreach(i RANGE 1 ${file_count})
  set(path "${WORK}/models/${file_${i}}.tflite")
  execute_process(COMMAND cp ${CORPUS}/names_int8_network.tflite "${path}")  # file() would make '\' a '/'
  execute_process(COMMAND ${WEFT} import "${path}" -o ${WORK}/h${i}.hpp --name hostile${i} WORKING_DIRECTORY ${WORK}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  check_ok("import of file ${i}")
  string(APPEND includes "#include \"h${i}.hpp\"\n")
  string(APPEND prints "  std::printf(\"[%s]\\n\", hostile${i}_data::source);\n")
  string(APPEND expected "[${file_${i}}.tflite]\n")
endforeach()
# Names derived from hostile file names are valid identifiers.
foreach(pair "int|int_model" "class|class_model" "9 lives|model_9_lives" "__|model" "weft|weft_model"
             "x\nint main(){return 0}\n#define weft_rest |x_int_main_return_0_define_weft_rest")
  string(FIND "${pair}" "|" bar REVERSE)
  string(SUBSTRING "${pair}" 0 ${bar} stem)
  math(EXPR bar "${bar} + 1")
  string(SUBSTRING "${pair}" ${bar} -1 name)
  file(COPY_FILE ${CORPUS}/good_int8_network.tflite "${WORK}/models/${stem}.tflite")
  expect_ok("import of '${stem}.tflite' without --name" ${WEFT} import "${WORK}/models/${stem}.tflite" -o
            ${WORK}/${name}.hpp)
  file(READ ${WORK}/${name}.hpp header)
  string(FIND "${header}" "\nstruct ${name} {\n" at)
  if(at LESS 0)
    message(FATAL_ERROR "'${stem}.tflite' without --name: no struct ${name} in the header")
  endif()
  string(APPEND includes "#include \"${name}.hpp\"\n")
  string(APPEND prints "  std::printf(\"%d\\n\", ${name}::graph.node_count);\n")
  string(APPEND expected "9\n")
endforeach()
file(WRITE ${WORK}/main.cpp "${includes}#include <cstdio>\n\nint main() {\n${prints}  return 0;\n}\n")
expect_ok("compiling the headers of weft import" ${CXX} -std=c++20 -Wall -Wextra -Wpedantic -I${SOURCE}/include
          -I${WORK} ${WORK}/main.cpp -o ${WORK}/imported)
expect_ok("running the program with the imported headers" ${WORK}/imported)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "the headers' source strings differ from the file names:\n${out}\nexpected:\n${expected}")
endif()

# Bad --name values are refused, and no header is written.
foreach(name "int" "class" "delete" "co_await" "_X" "_x" "a__b" "a_" "9lives" "a b" "x\nint y" "x\;int y" "é" "")
  run("--name '${name}'" ${WEFT} import ${CORPUS}/good_int8_network.tflite -o ${WORK}/refused.hpp --name "${name}")
  if(rc EQUAL 0 OR EXISTS ${WORK}/refused.hpp OR NOT err MATCHES "--name")
    message(FATAL_ERROR "--name '${name}' was not refused (${rc}): ${err}")
  endif()
endforeach()

# weft run (host): the runner is compiled with the header and run; its
# output must be the model's, and nothing else may happen.
foreach(i 1 2)
  set(path "${WORK}/models/${file_${i}}.tflite")
  execute_process(COMMAND ${WEFT} run "${path}" --input ${CORPUS}/good_int8_network.in.bin --output ${WORK}/run${i}.bin
                  WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  check_ok("weft run of file ${i}")
  file(SHA256 ${WORK}/run${i}.bin got)
  file(SHA256 ${CORPUS}/good_int8_network.out.bin want)
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "weft run of file ${i}: the output differs from the model's")
  endif()
endforeach()

# weft_add_model: a project with the tool as WEFT_EXECUTABLE and weft's
# headers as weft::weft, importing a hostile file name with the default
# NAME, another with a keyword for a stem, and the hostile tensor names.
set(project ${WORK}/project)
file(MAKE_DIRECTORY ${project}/models)
# CMake reads '\' in paths as '/', so this name has none.
set(file_6 "q \" ' # ?? ??= ??! é 模型 (1) [2] {3} `4` $5 ")
file(COPY_FILE ${CORPUS}/names_int8_network.tflite "${project}/models/${file_6}.tflite")
file(COPY_FILE ${CORPUS}/good_int8_network.tflite ${project}/models/int.tflite)
file(WRITE ${project}/CMakeLists.txt [=[
cmake_minimum_required(VERSION 3.20)
project(hostile_names CXX)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
find_package(Threads REQUIRED)
add_library(weft_headers INTERFACE)
target_include_directories(weft_headers INTERFACE ${WEFT_INCLUDE})
target_link_libraries(weft_headers INTERFACE Threads::Threads)
add_library(weft::weft ALIAS weft_headers)
include(${WEFT_CMAKE})
add_executable(app main.cpp)
file(GLOB models ${CMAKE_CURRENT_SOURCE_DIR}/models/*.tflite)
foreach(model IN LISTS models)
  weft_add_model(app MODEL "${model}")
endforeach()
weft_add_model(app MODEL ${CORPUS}/names_int8_network.tflite NAME hostile_tensors)
if(DEFINED BAD_NAME)
  weft_add_model(app MODEL ${CORPUS}/good_int8_network.tflite NAME "${BAD_NAME}")
endif()
if(DEFINED BAD_MODEL)
  weft_add_model(app MODEL "${BAD_MODEL}")
endif()
]=])
file(WRITE ${project}/main.cpp [=[
#include "hostile_tensors.hpp"
#include "int_model.hpp"
#include "q_1_2_3_4_5.hpp"

#include <cstdio>

int main() {
  std::printf("%d %d %d\n", hostile_tensors::graph.node_count, int_model::graph.node_count,
              q_1_2_3_4_5::graph.node_count);
  std::printf("[%s]\n", q_1_2_3_4_5_data::source);
  return 0;
}
]=])
set(configure ${CMAKE_COMMAND} -G Ninja -DCMAKE_CXX_COMPILER=${CXX} -DWEFT_EXECUTABLE=${WEFT}
              -DWEFT_INCLUDE=${SOURCE}/include -DWEFT_CMAKE=${SOURCE}/cmake/weft.cmake -DCORPUS=${CORPUS})
# q_1_2_3_4_5: the stem of file_6 with each run of other characters made one
# '_', the trailing one dropped.
expect_ok("configuring the weft_add_model project" ${configure} -S ${project} -B ${project}/build)
expect_ok("building the weft_add_model project" ${CMAKE_COMMAND} --build ${project}/build)
expect_ok("running the weft_add_model project" ${project}/build/app)
if(NOT out STREQUAL "9 9 9\n[${file_6}.tflite]\n")
  message(FATAL_ERROR "the weft_add_model program printed:\n${out}")
endif()
foreach(bad "BAD_NAME=int" "BAD_NAME=class" "BAD_NAME=_X" "BAD_NAME=a__b" "BAD_NAME=9lives" "BAD_NAME=a-b"
            "BAD_MODEL=${WORK}/models/${file_5}.tflite")
  string(REGEX REPLACE "[^A-Za-z0-9]" "_" dir "${bad}")
  string(SUBSTRING "${dir}" 0 20 dir)
  run("weft_add_model with ${bad}" ${configure} -S ${project} -B ${project}/${dir} "-D${bad}")
  if(rc EQUAL 0 OR NOT err MATCHES "weft_add_model\\(app\\): (NAME '|the MODEL path holds a control character)")
    message(FATAL_ERROR "weft_add_model with ${bad} was not refused at configure time (${rc}):\n${err}")
  endif()
endforeach()
message(STATUS "hostile names stayed inert through import, run and weft_add_model")
