# SPDX-License-Identifier: Apache-2.0
# CMake helpers of weft, for this project and for projects that use it.
include_guard(GLOBAL)

# Sets `out` to why `name` cannot name a model's struct, or to "": the rules
# and the list of codegen.cpp's model_name_problem, kept in step with it.
function(_weft_model_name_problem name out)
  set(unusable
    alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class
    compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype
    default delete do double dynamic_cast else enum explicit export extern false float for friend goto if inline
    int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private protected public register
    reinterpret_cast requires return short signed sizeof static static_assert static_cast struct switch template
    this thread_local throw true try typedef typeid typename union unsigned using virtual void volatile wchar_t
    while xor xor_eq final override import module main NULL EOF assert errno offsetof stdin stdout stderr setjmp
    va_arg va_copy va_end va_start std weft graph)
  list(FIND unusable "${name}" unusable_index)  # not IN_LIST: callers may predate policy CMP0057
  set(problem "")
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    set(problem "is not a C++ identifier (ASCII letters, digits and '_', not starting with a digit)")
  elseif(unusable_index GREATER_EQUAL 0)
    set(problem "is a C++ keyword or a name the generated code or the standard library needs")
  elseif(name MATCHES "^_" OR "${name}_data" MATCHES "__")
    set(problem "is reserved in C++ (it starts with '_', holds \"__\" or ends with '_')")
  endif()
  set(${out} "${problem}" PARENT_SCOPE)
endfunction()

# weft_add_model(<target> MODEL <file.tflite> [NAME <name>])
#
# Imports a .tflite at build time into <build>/weft_models/<target>/<name>.hpp
# (struct <name>) and makes it includable from <target>, which also gets
# weft::weft. The header is regenerated when the model or the tool changes,
# so generated code is never committed.
#
# NAME must be a C++ identifier that the generated code can use at global
# scope: not a keyword, not reserved (no leading '_', no "__", no trailing
# '_'), not std, weft or graph. Without NAME, the model file's name up to its
# first dot, with every run of other characters made one '_', is used,
# prefixed with "model_" when it starts with a digit and suffixed with
# "_model" when it would still not be valid (int.tflite: int_model). Model
# paths holding control characters (a newline) are refused: build tools
# cannot express them, and such a name is a red flag.
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
  string(ASCII 1 first_control)
  string(ASCII 31 last_control)
  string(ASCII 127 del)
  if(model MATCHES "[${first_control}-${last_control}${del}]")
    message(FATAL_ERROR "weft_add_model(${target}): the MODEL path holds a control character (a newline?); "
                        "rename the file")
  endif()
  if(NOT DEFINED ARG_NAME)
    get_filename_component(stem "${model}" NAME_WE)
    string(REGEX REPLACE "[^A-Za-z0-9]+" "_" ARG_NAME "${stem}")
    string(REGEX REPLACE "^_+|_+$" "" ARG_NAME "${ARG_NAME}")
    if(ARG_NAME STREQUAL "")
      set(ARG_NAME model)
    elseif(ARG_NAME MATCHES "^[0-9]")
      set(ARG_NAME "model_${ARG_NAME}")
    endif()
    _weft_model_name_problem("${ARG_NAME}" problem)
    if(problem)
      set(ARG_NAME "${ARG_NAME}_model")
    endif()
  endif()
  _weft_model_name_problem("${ARG_NAME}" problem)
  if(problem)
    message(FATAL_ERROR "weft_add_model(${target}): NAME '${ARG_NAME}' ${problem}")
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
