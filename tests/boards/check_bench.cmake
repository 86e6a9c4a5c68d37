# SPDX-License-Identifier: Apache-2.0
# `weft bench --target` twice: the JSON has the keys scripts rely on, and the
# work instruction counts (per core, per operator, and the busiest core's
# along the critical path) are the same both times; the waits' small share of
# the critical path may move by a few instructions.
# cmake -DWEFT=<tool> -DMODEL=<.tflite> -DTARGET=<board> -DCORES=<n> -P check_bench.cmake
foreach(run 1 2)
  execute_process(COMMAND ${WEFT} bench ${MODEL} --target ${TARGET} --cores ${CORES} --json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE json${run} ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "weft bench exited with ${rc}: ${err}")
  endif()
endforeach()
foreach(key target cores macs work_instructions critical_path_instructions arena_bytes state_bytes flash_code_bytes
            flash_constant_bytes flash_weight_bytes stack_bytes)
  string(JSON value ERROR_VARIABLE jerr GET "${json1}" ${key})
  if(jerr)
    message(FATAL_ERROR "bench --json has no '${key}': ${json1}")
  endif()
endforeach()
string(JSON cores LENGTH "${json1}" work_instructions)
string(JSON stacks LENGTH "${json1}" stack_bytes)
if(NOT cores EQUAL CORES OR NOT stacks EQUAL CORES)
  message(FATAL_ERROR "expected ${CORES} cores' counts and stacks: ${json1}")
endif()
foreach(key work_instructions critical_path_work_instructions ops)
  string(JSON a GET "${json1}" ${key})
  string(JSON b GET "${json2}" ${key})
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${key} differs between two runs: ${a} against ${b}")
  endif()
endforeach()
string(JSON critical GET "${json1}" critical_path_instructions)
string(JSON critical2 GET "${json2}" critical_path_instructions)
math(EXPR drift "(${critical} - ${critical2}) * 1000")
if(drift GREATER critical OR drift LESS -${critical})
  message(FATAL_ERROR "the critical path moved by more than 0.1%: ${critical} against ${critical2}")
endif()
string(JSON work0 GET "${json1}" work_instructions 0)
if(critical LESS work0)
  message(FATAL_ERROR "the critical path (${critical}) is shorter than core 0's work (${work0})")
endif()
message(STATUS "deterministic: ${json1}")
