# Runs one compile-fail test. Inputs: CXX, CXX_ID, INCLUDES (list), SYSTEM_INCLUDES (list), SOURCE.
# The source's `// expect: REGEX` lines must all match the first error line; `// expect-gnu:`
# lines must match somewhere in g++'s output (g++ prints the names it lists as strings); a
# `// max-lines: N` line bounds the length of g++'s whole output; `// expect-named: REGEX` lines
# must match the error line together with the first note after it (g++ names the culprits in the
# note "'...<the callback, the member>' evaluates to false", clang in the error line itself).
set(flags -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic)
foreach(dir ${INCLUDES})
  list(APPEND flags -I${dir})
endforeach()
foreach(dir ${SYSTEM_INCLUDES})  # others' headers, whose warnings are not ours (libtorch's)
  list(APPEND flags -isystem ${dir})
endforeach()

execute_process(COMMAND ${CXX} ${flags} ${SOURCE} RESULT_VARIABLE ok_rc ERROR_VARIABLE ok_err
                OUTPUT_VARIABLE ok_out)
if(NOT ok_rc EQUAL 0)
  message(FATAL_ERROR "the corrected twin (without CUE_MISTAKE) does not compile:\n${ok_err}")
endif()
if(ok_err MATCHES "warning:")
  message(FATAL_ERROR "the corrected twin compiles with warnings:\n${ok_err}")
endif()

execute_process(COMMAND ${CXX} ${flags} -DCUE_MISTAKE ${SOURCE} RESULT_VARIABLE rc
                ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "the mistake compiled; it must be an error")
endif()

string(REGEX MATCHALL "\n" newlines "${err}")
list(LENGTH newlines lines)
string(REPLACE ";" "," err "${err}")  # a CMake list must not split a message at its semicolons
string(REGEX MATCHALL "[^\n]*: error: [^\n]*" errors "${err}")  # not "system_error:41" of an include trace
list(LENGTH errors count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected exactly one error, got ${count}:\n${err}")
endif()
list(GET errors 0 first)
string(FIND "${err}" "${first}" at)
string(SUBSTRING "${err}" ${at} -1 after)
string(FIND "${after}" "note: " note_at)
set(named "${first}")
if(note_at GREATER -1)
  string(SUBSTRING "${after}" ${note_at} -1 note)
  string(FIND "${note}" "\n" eol)
  string(SUBSTRING "${note}" 0 ${eol} note)
  set(named "${first}\n${note}")
endif()
if(NOT first MATCHES "error: .*cue: ")
  message(FATAL_ERROR "the error does not start with 'cue:':\n${first}")
endif()

file(STRINGS ${SOURCE} expectations REGEX "^// (expect|max-lines)")
foreach(line ${expectations})
  if(line MATCHES "^// expect: (.*)$")
    if(NOT first MATCHES "${CMAKE_MATCH_1}")
      message(FATAL_ERROR "the error does not match '${CMAKE_MATCH_1}':\n${first}")
    endif()
  elseif(line MATCHES "^// max-lines: ([0-9]+)$" AND CXX_ID STREQUAL "GNU")
    if(lines GREATER CMAKE_MATCH_1)
      message(FATAL_ERROR "the error takes ${lines} lines, more than ${CMAKE_MATCH_1}:\n${err}")
    endif()
  elseif(line MATCHES "^// expect-named: (.*)$")
    if(NOT named MATCHES "${CMAKE_MATCH_1}")
      message(FATAL_ERROR "the error and its first note do not match '${CMAKE_MATCH_1}':\n${named}")
    endif()
  elseif(line MATCHES "^// expect-named-gnu: (.*)$" AND CXX_ID STREQUAL "GNU")  # clang spells strings as numbers
    if(NOT named MATCHES "${CMAKE_MATCH_1}")
      message(FATAL_ERROR "the error and its first note do not match '${CMAKE_MATCH_1}':\n${named}")
    endif()
  elseif(line MATCHES "^// expect-gnu: (.*)$" AND CXX_ID STREQUAL "GNU")
    if(NOT err MATCHES "${CMAKE_MATCH_1}")
      message(FATAL_ERROR "the output does not match '${CMAKE_MATCH_1}':\n${err}")
    endif()
  endif()
endforeach()
message(STATUS "one error, as expected, in ${lines} lines: ${first}")
