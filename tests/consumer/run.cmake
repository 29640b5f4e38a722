# Builds and runs tests/consumer in MODE. Inputs: MODE, CUE_SOURCE_DIR, CUE_BINARY_DIR, CXX, WORK.
file(REMOVE_RECURSE ${WORK})

# Runs one command; if it fails, the test ends with its output.
function(run_step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed: ${ARGN}\n${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

set(args -DMODE=${MODE} -DCUE_SOURCE_DIR=${CUE_SOURCE_DIR} -DCMAKE_CXX_COMPILER=${CXX})
if(MODE STREQUAL "find_package")
  run_step(${CMAKE_COMMAND} --install ${CUE_BINARY_DIR} --prefix ${WORK}/prefix)
  list(APPEND args -DCMAKE_PREFIX_PATH=${WORK}/prefix)
elseif(MODE STREQUAL "install_only_nn" OR MODE STREQUAL "install_http_crypto")
  # A user's install: a plain top-level configure, as if Catch2 and Google Benchmark were absent
  # (tests and timed benchmarks skipped with a message), then install; the consumer asks for nn.
  run_step(${CMAKE_COMMAND} -S ${CUE_SOURCE_DIR} -B ${WORK}/cue-build -DCMAKE_CXX_COMPILER=${CXX}
           -DCMAKE_DISABLE_FIND_PACKAGE_Catch2=ON -DCMAKE_DISABLE_FIND_PACKAGE_benchmark=ON
           -DCUE_BUILD_EXAMPLES=OFF -DCUE_BUILD_BENCHMARKS=OFF)
  run_step(${CMAKE_COMMAND} --install ${WORK}/cue-build --prefix ${WORK}/prefix)
  file(GLOB exported ${WORK}/prefix/share/cmake/cue/cue*Targets.cmake)
  set(build_paths "")
  foreach(targets ${exported})
    file(STRINGS ${targets} found REGEX "${CUE_SOURCE_DIR}|/usr/lib/x86_64-linux-gnu/")
    list(APPEND build_paths ${found})
  endforeach()
  if(build_paths)
    message(FATAL_ERROR "the installed package names paths of the build machine:\n${build_paths}")
  endif()
  list(APPEND args -DCMAKE_PREFIX_PATH=${WORK}/prefix)
endif()
run_step(${CMAKE_COMMAND} -S ${CUE_SOURCE_DIR}/tests/consumer -B ${WORK}/build ${args})
run_step(${CMAKE_COMMAND} --build ${WORK}/build)
execute_process(COMMAND ${WORK}/build/consumer WORKING_DIRECTORY ${WORK}/build RESULT_VARIABLE rc
                OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer failed:\n${out}")
endif()
message(STATUS "${out}")
