# Builds and runs tests/consumer in MODE. Inputs: MODE, CUE_SOURCE_DIR, CUE_BINARY_DIR, CXX, WORK.
file(REMOVE_RECURSE ${WORK})
set(args -DMODE=${MODE} -DCUE_SOURCE_DIR=${CUE_SOURCE_DIR} -DCMAKE_CXX_COMPILER=${CXX})
if(MODE STREQUAL "find_package")
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${CUE_BINARY_DIR} --prefix ${WORK}/prefix
                  RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "installing cue failed")
  endif()
  list(APPEND args -DCMAKE_PREFIX_PATH=${WORK}/prefix)
endif()
foreach(step
    "${CMAKE_COMMAND};-S;${CUE_SOURCE_DIR}/tests/consumer;-B;${WORK}/build;${args}"
    "${CMAKE_COMMAND};--build;${WORK}/build"
    "${WORK}/build/consumer")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed: ${step}\n${out}")
  endif()
endforeach()
message(STATUS "${out}")
