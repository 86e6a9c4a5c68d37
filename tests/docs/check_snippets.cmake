# SPDX-License-Identifier: Apache-2.0
# The documentation's code does what it says:
# - README.md's C++ blocks, put together as one program (#include lines on
#   top, blocks that declare at namespace scope before main, the others in
#   main in order), compile with warnings as errors and run;
# - docs/tool.md's Python block writes a model that weft plans;
# - every option `weft --help` lists is in docs/tool.md.
# cmake -DSOURCE=<weft source> -DCXX=<compiler> -DWEFT=<tool> -DPYTHON=<python3> -DFLATC=<flatc> -DWORK=<dir>
#       -P check_snippets.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(failures "")

# The fenced blocks of one language in a Markdown file, as a list (each
# block's semicolons escaped).
function(fenced_blocks file language out)
  file(STRINGS ${file} lines)
  set(blocks "")
  set(inside FALSE)
  foreach(line IN LISTS lines)
    if(NOT inside AND line STREQUAL "```${language}")
      set(inside TRUE)
      set(block "")
    elseif(inside AND line STREQUAL "```")
      set(inside FALSE)
      string(REPLACE ";" "\\;" block "${block}")
      list(APPEND blocks "${block}")
    elseif(inside)
      string(APPEND block "${line}\n")
    endif()
  endforeach()
  set(${out} "${blocks}" PARENT_SCOPE)
endfunction()

# README.md's C++.
fenced_blocks(${SOURCE}/README.md cpp blocks)
list(LENGTH blocks count)
if(count LESS 3)
  string(APPEND failures "README.md has ${count} C++ blocks; expected the model, its use and the multicore one\n")
endif()
set(includes "#include <weft/weft.hpp>\n#include <array>\n#include <cstdint>\n")
set(scope "")
set(body "")
foreach(block IN LISTS blocks)
  string(REGEX MATCHALL "#include [^\n]*\n" found "${block}")
  foreach(line IN LISTS found)
    string(APPEND includes "${line}")
  endforeach()
  string(REGEX REPLACE "#include [^\n]*\n" "" block "${block}")
  if(block MATCHES "(^|\n)(struct|inline constexpr|static_assert)")
    string(APPEND scope "${block}\n")
  else()
    string(APPEND body "  {\n${block}  }\n")
  endif()
endforeach()
file(WRITE ${WORK}/readme.cpp "${includes}\n${scope}\nint main() {\n${body}  return 0;\n}\n")
execute_process(COMMAND ${CXX} -std=c++20 -O1 -pthread -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror -Wno-unused-variable
                        -Wno-unused-but-set-variable
                        -I${SOURCE}/include ${WORK}/readme.cpp -o ${WORK}/readme
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  string(APPEND failures "README.md's C++ does not compile (${WORK}/readme.cpp):\n${err}\n")
else()
  execute_process(COMMAND ${WORK}/readme RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(APPEND failures "README.md's C++ compiled but exited with ${rc}\n")
  endif()
endif()

# docs/tool.md's Python.
fenced_blocks(${SOURCE}/docs/tool.md python blocks)
list(LENGTH blocks count)
if(NOT count EQUAL 1)
  string(APPEND failures "docs/tool.md has ${count} Python blocks; expected the writer's\n")
else()
  file(WRITE ${WORK}/writer.py "${blocks}")
  execute_process(COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${SOURCE}/tools/python FLATC=${FLATC}
                          ${PYTHON} ${WORK}/writer.py
                  WORKING_DIRECTORY ${WORK} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT EXISTS ${WORK}/model.tflite)
    string(APPEND failures "docs/tool.md's writer example fails:\n${err}\n")
  else()
    execute_process(COMMAND ${WEFT} plan ${WORK}/model.tflite RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      string(APPEND failures "weft does not plan the writer example's model:\n${err}\n")
    endif()
  endif()
endif()

# Every option of `weft --help` is documented.
execute_process(COMMAND ${WEFT} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
file(READ ${SOURCE}/docs/tool.md tool_doc)
string(REGEX MATCHALL "--[a-z][a-z-]*" options "${help}")
list(REMOVE_DUPLICATES options)
list(LENGTH options count)
if(NOT rc EQUAL 0 OR count LESS 5)
  string(APPEND failures "weft --help lists ${count} options (status ${rc})\n")
endif()
foreach(option IN LISTS options)
  string(FIND "${tool_doc}" "${option}" at)
  if(at EQUAL -1)
    string(APPEND failures "docs/tool.md does not mention ${option}, which weft --help lists\n")
  endif()
endforeach()

if(failures)
  message(FATAL_ERROR "${failures}")
endif()
message(STATUS "README.md's C++ runs, docs/tool.md's writer example plans, and its options are every one of weft's")
