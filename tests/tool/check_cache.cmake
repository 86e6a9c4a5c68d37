# SPDX-License-Identifier: Apache-2.0
# The build cache of weft run under concurrency and damage
# (cmake -DWEFT=<tool> -DCORPUS=<dir> -DWORK=<scratch> -DMODE=concurrent|damaged
#  [-DBOARD=an521] -P check_cache.cmake):
# - concurrent: 4 host runs (--cores 1 to 4) and 4 more that share one entry
#   (with BOARD on that board with --cores 2, else on the host with
#   --cores 2), all 8 at once on an empty cache: every one succeeds with
#   the expected output, and no temporary folder is left behind;
# - damaged: a truncated runner, an empty runner, a runner without its
#   marker (and with BOARD a truncated firmware.elf) are each rebuilt with
#   exactly one "is damaged; rebuilding" line; a stale temporary folder is
#   cleaned; an unusable cache folder is one "weft: error:" line, status 2.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(cache ${WORK}/cache)
set(model ${CORPUS}/good_int8_network)
file(SHA256 ${model}.out.bin want)
set(failures "")
macro(fail what)
  string(APPEND failures "${what}\n")
endmacro()

# weft run with the test's cache; <out> is the output file.
macro(run_weft out)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env WEFT_CACHE_DIR=${cache} ${WEFT} run ${model}.tflite --input
                          ${model}.in.bin --output ${out} ${ARGN} RESULT_VARIABLE rc ERROR_VARIABLE err)
endmacro()

macro(expect_output what out)
  if(NOT EXISTS ${out})
    fail("${what}: no output (status ${rc}): ${err}")
  else()
    file(SHA256 ${out} got)
    if(NOT got STREQUAL want)
      fail("${what}: the output differs from the expected one")
    endif()
  endif()
endmacro()

if(MODE STREQUAL "concurrent")
  # execute_process runs its COMMANDs at once (as a pipeline; weft run reads
  # no standard input and prints nothing on its standard output).
  set(commands "")
  set(outputs "")
  foreach(cores 1 2 3 4)
    list(APPEND outputs ${WORK}/host-${cores}.bin)
    list(APPEND commands COMMAND ${CMAKE_COMMAND} -E env WEFT_CACHE_DIR=${cache} ${WEFT} run ${model}.tflite --cores
         ${cores} --input ${model}.in.bin --output ${WORK}/host-${cores}.bin)
  endforeach()
  # Four more that race for one entry: on the board, or the host's 2 cores.
  foreach(i 1 2 3 4)
    if(BOARD)
      list(APPEND outputs ${WORK}/${BOARD}-${i}.bin)
      list(APPEND commands COMMAND ${CMAKE_COMMAND} -E env WEFT_CACHE_DIR=${cache} ${WEFT} run ${model}.tflite
           --target ${BOARD} --cores 2 --input ${model}.in.bin --output ${WORK}/${BOARD}-${i}.bin)
    else()
      list(APPEND outputs ${WORK}/host-2-${i}.bin)
      list(APPEND commands COMMAND ${CMAKE_COMMAND} -E env WEFT_CACHE_DIR=${cache} ${WEFT} run ${model}.tflite
           --cores 2 --input ${model}.in.bin --output ${WORK}/host-2-${i}.bin)
    endif()
  endforeach()
  execute_process(${commands} RESULTS_VARIABLE statuses ERROR_VARIABLE err)
  foreach(status out IN ZIP_LISTS statuses outputs)
    if(NOT status EQUAL 0)
      fail("the run writing ${out} exited with ${status}")
    endif()
    set(rc ${status})
    expect_output("concurrent run writing ${out}" ${out})
  endforeach()
  if(err MATCHES "internal error|CMake Error|damaged")
    fail("concurrent runs reported:\n${err}")
  endif()
  file(GLOB leftovers ${cache}/*.tmp-*)
  if(leftovers)
    fail("temporary folders left in the cache: ${leftovers}")
  endif()
  # And the cache they left is good: a second run builds nothing.
  run_weft(${WORK}/again.bin --cores 3)
  expect_output("a run after the concurrent ones" ${WORK}/again.bin)
  if(err MATCHES "compiling|building|damaged")
    fail("a run after the concurrent ones did not use the cache: ${err}")
  endif()
elseif(MODE STREQUAL "damaged")
  # Counts the damage lines in err: exactly one is expected.
  macro(expect_rebuilt what out)
    expect_output("${what}" ${out})
    string(REPLACE ";" "," plain "${err}")  # a ';' would split the list of matches
    string(REGEX MATCHALL "weft: cache entry [^\n]* is damaged, rebuilding\n" lines "${plain}")
    list(LENGTH lines n)
    if(NOT rc EQUAL 0 OR NOT n EQUAL 1)
      fail("${what}: status ${rc} and ${n} 'is damaged; rebuilding' lines, not one:\n${err}")
    endif()
    if(err MATCHES "internal error")
      fail("${what}: ${err}")
    endif()
  endmacro()

  run_weft(${WORK}/first.bin)
  expect_output("the first run" ${WORK}/first.bin)
  file(GLOB runner ${cache}/host-*/runner)
  list(LENGTH runner n)
  if(NOT n EQUAL 1)
    fail("expected one host runner in the cache, found '${runner}'")
  else()
    get_filename_component(entry ${runner} DIRECTORY)
    set(step 0)
    foreach(damage "truncate;-s;2000" "truncate;-s;0" "marker")
      math(EXPR step "${step} + 1")
      if(damage STREQUAL "marker")
        file(REMOVE ${entry}/complete)
      else()
        execute_process(COMMAND ${damage} ${runner})
      endif()
      run_weft(${WORK}/damaged-${step}.bin)
      expect_rebuilt("a host runner damaged by '${damage}'" ${WORK}/damaged-${step}.bin)
    endforeach()
    # A byte changed, the size kept: the hash tells.
    execute_process(COMMAND sh -c "printf 'X' | dd of='${runner}' bs=1 seek=3000 conv=notrunc status=none")
    run_weft(${WORK}/damaged-flip.bin)
    expect_rebuilt("a host runner with a byte changed" ${WORK}/damaged-flip.bin)
    # Rebuilt once, then used as it is.
    run_weft(${WORK}/after.bin)
    expect_output("a run after the rebuilds" ${WORK}/after.bin)
    if(err MATCHES "damaged|compiling")
      fail("the rebuilt entry was not reused: ${err}")
    endif()
  endif()

  # A temporary folder of a process that is gone is removed on the next use.
  file(MAKE_DIRECTORY ${cache}/host-0000000000000000-1c.tmp-999999999-0badf00d/stuff)
  run_weft(${WORK}/stale.bin --cores 2)
  expect_output("a run with a stale temporary folder" ${WORK}/stale.bin)
  if(EXISTS ${cache}/host-0000000000000000-1c.tmp-999999999-0badf00d)
    fail("a stale temporary folder was not cleaned")
  endif()

  if(BOARD)
    run_weft(${WORK}/board.bin --target ${BOARD} --cores 2)
    expect_output("the first run on ${BOARD}" ${WORK}/board.bin)
    file(GLOB elf ${cache}/fw-*-${BOARD}-2c/firmware.elf)
    list(LENGTH elf n)
    if(NOT n EQUAL 1)
      fail("expected one firmware for ${BOARD} in the cache, found '${elf}'")
    else()
      execute_process(COMMAND truncate -s 3000 ${elf})
      run_weft(${WORK}/board-damaged.bin --target ${BOARD} --cores 2)
      expect_rebuilt("a truncated firmware.elf for ${BOARD}" ${WORK}/board-damaged.bin)
    endif()
  endif()

  # A cache folder that cannot be made: one clear line and status 2 (a file
  # stands in the way, which holds even for root, unlike file permissions).
  file(WRITE ${WORK}/a_file "")
  execute_process(COMMAND ${CMAKE_COMMAND} -E env WEFT_CACHE_DIR=${WORK}/a_file/cache ${WEFT} run ${model}.tflite
                          --cores 4 --input ${model}.in.bin --output ${WORK}/nocache.bin RESULT_VARIABLE rc
                  ERROR_VARIABLE err)
  string(STRIP "${err}" err)
  if(NOT rc EQUAL 2 OR NOT err MATCHES "^weft: error: [^\n]*cache folder[^\n]*WEFT_CACHE_DIR[^\n]*$")
    fail("an unusable cache folder: status ${rc}, not one 'weft: error:' line about the cache folder:\n${err}")
  endif()
else()
  message(FATAL_ERROR "MODE must be concurrent or damaged")
endif()

if(failures)
  message(FATAL_ERROR "${failures}")
endif()
message(STATUS "cache ${MODE}: all good")
