# Command-line behaviour of `salient`: validate, refuse to overwrite, exit codes.
# Variables: EXE (salient), SRC (source dir), WORK (scratch dir).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(expect_exit code)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL code)
    message(FATAL_ERROR "'${ARGN}' exited ${rc}, expected ${code}\n${out}\n${err}")
  endif()
  set(last_output "${out}${err}" PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE configs ${SRC}/configs/*.toml)
foreach(cfg ${configs})
  expect_exit(0 ${EXE} validate ${cfg})
endforeach()
expect_exit(0 ${EXE} info)

# A copy of the default scenario with one key misspelled: exit 2, naming line and key.
file(READ ${SRC}/configs/default.toml text)
string(REPLACE "forest_fraction" "forest_fractoin" text "${text}")
file(WRITE ${WORK}/misspelled.toml "${text}")
string(FIND "${text}" "forest_fractoin" pos)
string(SUBSTRING "${text}" 0 ${pos} before)
string(REGEX MATCHALL "\n" newlines "${before}")
list(LENGTH newlines line)
math(EXPR line "${line} + 1")
expect_exit(2 ${EXE} validate ${WORK}/misspelled.toml)
if(NOT last_output MATCHES "misspelled.toml:${line}:[0-9]+: region.forest_fractoin: .*did you mean 'forest_fraction'")
  message(FATAL_ERROR "unexpected message: ${last_output}")
endif()
expect_exit(2 ${EXE} run ${WORK}/misspelled.toml -o ${WORK}/never.h5)
if(EXISTS ${WORK}/never.h5)
  message(FATAL_ERROR "an invalid scenario wrote output")
endif()

# Never overwrite without --force.
expect_exit(0 ${EXE} run ${SRC}/configs/ci.toml -o ${WORK}/run.h5 --duration 100 --quiet)
file(SHA256 ${WORK}/run.h5 before)
expect_exit(3 ${EXE} run ${SRC}/configs/ci.toml -o ${WORK}/run.h5 --duration 100 --quiet)
file(SHA256 ${WORK}/run.h5 after)
if(NOT before STREQUAL after)
  message(FATAL_ERROR "output overwritten without --force")
endif()
expect_exit(0 ${EXE} run ${SRC}/configs/ci.toml -o ${WORK}/run.h5 --duration 100 --force --quiet)

# Bad command lines.
expect_exit(2 ${EXE} run ${SRC}/configs/ci.toml --backend gpu)
expect_exit(2 ${EXE} run ${WORK}/does-not-exist.toml)
expect_exit(2 ${EXE})
message(STATUS "cli checks passed")
