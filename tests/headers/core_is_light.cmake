# <cue/fit.hpp> and what it includes pull in none of the standard headers that make a translation
# unit slow to compile (file system, streams, threads, random numbers, <ranges>' views, <memory>,
# <chrono>, <functional>, <algorithm>): a user who fits pays for those only in the callbacks that
# need them (issue: compile time). Inputs: CXX, INCLUDES (list), WORK.
set(flags -std=c++20 -H -fsyntax-only)
foreach(dir ${INCLUDES})
  list(APPEND flags -I${dir})
endforeach()
file(WRITE ${WORK}/core.cpp "#include <cue/fit.hpp>\n")
execute_process(COMMAND ${CXX} ${flags} ${WORK}/core.cpp RESULT_VARIABLE rc ERROR_VARIABLE included)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "<cue/fit.hpp> does not compile alone:\n${included}")
endif()
set(heavy filesystem fstream sstream istream ostream iostream thread mutex condition_variable random
          ranges memory chrono functional algorithm regex any)
set(found "")
foreach(name ${heavy})
  if(included MATCHES "[/ ]${name}\n")
    list(APPEND found "<${name}>")
  endif()
endforeach()
if(found)
  message(FATAL_ERROR "<cue/fit.hpp> includes ${found}; include them only where a callback needs them:\n${included}")
endif()
message(STATUS "<cue/fit.hpp> includes none of: ${heavy}")
