# SPDX-License-Identifier: Apache-2.0
# CMake helpers of weft, for this project and for projects that use it.
include_guard(GLOBAL)

# weft_add_model(<target> MODEL <file.tflite> [NAME <name>])
#
# Imports a .tflite at build time into <build>/weft_models/<target>/<name>.hpp
# (struct <name>) and makes it includable from <target>, which also gets
# weft::weft. The header is regenerated when the model or the tool changes,
# so generated code is never committed.
#
# The importer is the `weft` host tool: the weft::tool target when it is part
# of the build (or of an installed package), else WEFT_EXECUTABLE or `weft`
# on the PATH (for cross builds, point WEFT_EXECUTABLE at a host build).
function(weft_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "MODEL;NAME" "")
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "weft_add_model(${target}): MODEL <file.tflite> is required")
  endif()
  get_filename_component(model "${ARG_MODEL}" ABSOLUTE)
  if(NOT ARG_NAME)
    get_filename_component(ARG_NAME "${model}" NAME_WE)
    string(MAKE_C_IDENTIFIER "${ARG_NAME}" ARG_NAME)
  endif()
  if(TARGET weft::tool AND NOT CMAKE_CROSSCOMPILING)
    set(tool "$<TARGET_FILE:weft::tool>")
    set(tool_dependency weft::tool)
  else()
    find_program(WEFT_EXECUTABLE weft)
    if(NOT WEFT_EXECUTABLE)
      message(FATAL_ERROR "weft_add_model(${target}): no weft host tool; build weft with WEFT_BUILD_TOOLS or set WEFT_EXECUTABLE")
    endif()
    set(tool "${WEFT_EXECUTABLE}")
    set(tool_dependency "${WEFT_EXECUTABLE}")
  endif()
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/weft_models/${target}")
  set(header "${dir}/${ARG_NAME}.hpp")
  add_custom_command(
    OUTPUT "${header}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${dir}"
    COMMAND ${tool} import "${model}" -o "${header}" --name ${ARG_NAME}
    DEPENDS "${model}" ${tool_dependency}
    COMMENT "weft: importing ${ARG_MODEL} as ${ARG_NAME}"
    VERBATIM)
  target_sources(${target} PRIVATE "${header}")
  target_include_directories(${target} PRIVATE "${dir}")
  target_link_libraries(${target} PRIVATE weft::weft)
endfunction()

# Warnings as errors on this project's own targets (not imposed on users of
# the weft::weft target).
function(weft_project_warnings target)
  # -ffp-contract=off: no fused multiply-adds, so float32 results are the same
  # bits on every target (GCC contracts a*b+c by default in C++).
  target_compile_options(${target} PRIVATE -ffp-contract=off -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror
    # GCC 12 warns falsely about std::string concatenation (GCC bug 105651).
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>)
endfunction()
