# SPDX-License-Identifier: Apache-2.0
# Runs one compile-fail test: FILE must compile with -DWEFT_FIXED, and must
# fail without it, with every "// expect: <text>" line of FILE in the
# compiler's output; an expected "weft: ..." message must come from a static
# assertion (GCC: "static assertion failed", Clang: "static_assert failed").
# cmake -DCXX=<compiler> -DINCLUDE=<dir> -DFILE=<test.cpp> -P check.cmake
set(flags -std=c++20 -fsyntax-only -I${INCLUDE})
execute_process(COMMAND ${CXX} ${flags} -DWEFT_FIXED ${FILE} RESULT_VARIABLE fixed_rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT fixed_rc EQUAL 0)
  message(FATAL_ERROR "the fixed variant of ${FILE} does not compile:\n${out}")
endif()
execute_process(COMMAND ${CXX} ${flags} ${FILE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${FILE} compiled, but must not")
endif()
file(STRINGS ${FILE} expects REGEX "^// expect: ")
if(expects MATCHES "// expect: weft: " AND NOT out MATCHES "static assertion failed|static_assert failed")
  message(FATAL_ERROR "${FILE} failed to compile, but not on weft's static assertion:\n${out}")
endif()
if(NOT expects)
  message(FATAL_ERROR "${FILE} has no '// expect:' line")
endif()
foreach(line IN LISTS expects)
  string(REPLACE "// expect: " "" text "${line}")
  string(FIND "${out}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${FILE}: the compiler did not say \"${text}\". It said:\n${out}")
  endif()
endforeach()
