# SPDX-License-Identifier: Apache-2.0
# weft's code never addresses a template parameter object (docs/compilers.md):
# compiled at -O0, where nothing is folded away, no code of weft's refers to
# one (a relocation in a code section against a symbol starting with _ZTA;
# compilers may still emit the objects themselves, unused). The control,
# test_template_objects.cpp's direct<>, must show one, so the check sees
# what it looks for.
# cmake -DCXX=<compiler> -DINCLUDE=<weft include> -DSOURCE=<weft source> -DWEFT=<tool>
#       -DMODELS=<a.tflite;b.tflite> -DWORK=<dir> -P check_template_objects.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(failures "")

# The constant-evaluation limits weft's CMake target gives every user (a
# model's plan takes more steps than Clang's default allows).
if(CXX MATCHES "clang")
  set(limits -fconstexpr-steps=1000000000)
else()
  set(limits -fconstexpr-ops-limit=1000000000)
endif()

# compile(<name> <expect: none|some> <flags>...)
function(compile name expect)
  execute_process(COMMAND ${CXX} -std=c++20 -O0 ${limits} -c -I${INCLUDE} ${ARGN} -o ${WORK}/${name}.o
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    set(failures "${failures}${name}: does not compile:\n${err}\n" PARENT_SCOPE)
    return()
  endif()
  execute_process(COMMAND readelf -rW ${WORK}/${name}.o OUTPUT_VARIABLE relocations RESULT_VARIABLE rc)
  # The relocations of code sections (.rela.text*, .rel.text*) only.
  string(REGEX REPLACE "\n\n" ";" sections "${relocations}")
  set(objects "")
  foreach(section IN LISTS sections)
    if(section MATCHES "Relocation section '\\.rela?\\.text")
      string(REGEX MATCHALL "_ZTA[A-Za-z0-9_]*" found "${section}")
      list(APPEND objects ${found})
    endif()
  endforeach()
  if(expect STREQUAL "none" AND objects)
    list(REMOVE_DUPLICATES objects)
    string(REPLACE ";" "\n" objects "${objects}")
    set(failures "${failures}${name}: code addresses template parameter objects:\n${objects}\n" PARENT_SCOPE)
  elseif(expect STREQUAL "some" AND NOT objects)
    set(failures "${failures}${name}: the control shows no template parameter object: the check is blind\n" PARENT_SCOPE)
  endif()
endfunction()

compile(control some ${SOURCE}/tests/compilers/test_template_objects.cpp)
compile(edges none ${SOURCE}/examples/edges/main.cpp)
foreach(model IN LISTS MODELS)
  get_filename_component(name ${model} NAME_WE)
  execute_process(COMMAND ${WEFT} import ${model} -o ${WORK}/${name}.hpp --name weft_model RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(APPEND failures "${name}: weft import failed\n")
    continue()
  endif()
  compile(${name} none -pthread -include ${WORK}/${name}.hpp -DWEFT_MODEL=weft_model
          ${SOURCE}/tools/runner/runner_main.cpp)
endforeach()
if(failures)
  message(FATAL_ERROR "${failures}")
endif()
list(LENGTH MODELS n)
message(STATUS "no template parameter object in the example and ${n} models' runners")
