# Runs the libFuzzer target EXE for SECONDS on a fresh corpus seeded from the repository's
# scenarios (configs/**/*.toml, tests/config/**/*.toml), with tests/fuzz/scenario.dict.
# Variables: EXE, SRC (source dir), WORK (scratch dir, emptied first), SECONDS.
# Fails on any finding; its input is left as WORK/crash-*, WORK/leak-*, WORK/timeout-*.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus)
file(GLOB_RECURSE seeds ${SRC}/configs/*.toml ${SRC}/tests/config/*.toml)
foreach(seed ${seeds})
  file(RELATIVE_PATH name ${SRC} ${seed})
  string(REPLACE "/" "_" name "${name}")
  configure_file(${seed} ${WORK}/corpus/${name} COPYONLY)
endforeach()
list(LENGTH seeds n)
message(STATUS "fuzz: ${n} seeds, ${SECONDS} s")
execute_process(
  COMMAND ${EXE} -max_total_time=${SECONDS} -timeout=10 -rss_limit_mb=2048
          -dict=${SRC}/tests/fuzz/scenario.dict -artifact_prefix=${WORK}/ -print_final_stats=1
          ${WORK}/corpus
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found ${WORK}/crash-* ${WORK}/leak-* ${WORK}/timeout-* ${WORK}/oom-*)
  message(FATAL_ERROR "fuzz: ${EXE} exited ${rc}; input(s): ${found}")
endif()
