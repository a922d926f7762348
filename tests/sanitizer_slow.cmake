# Label `slow` for the longest statistical runs of the GoogleTest suite (included by ctest after
# the discovered tests, tests/CMakeLists.txt). scripts/test-sanitize.sh leaves them out of the
# AddressSanitizer run, where each would take minutes and add little: the same model code, on
# the same kernels, runs under ASan in every other scenario test; the main suite runs them all.
foreach(name
    # Four 3-day village_bombing.toml runs (two seeds, with and without air): ~90 s
    # optimised, several minutes under ASan.
    Scenarios.VillageBombingDrivesDefendersOutAndVillagesChangeHands)
  set_tests_properties(${name} PROPERTIES LABELS slow)
endforeach()
