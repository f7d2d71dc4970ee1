# convert_spec.cmake: converts every .wast in SPEC_DIR with wast2json into
# OUT (JSON + .wasm), for the robustness test's sample of valid modules.
#   cmake -DWAST2JSON=... -DSPEC_DIR=... -DOUT=... -P convert_spec.cmake
# A file that does not convert is reported and left out: the spec harness
# (scripts/spectest) is the place that fails on it. The result is reused
# while wast2json and the .wast files stay the same (OUT/stamp), since
# writing the suite's ~5,000 small files costs seconds on a busy machine.
file(GLOB wasts "${SPEC_DIR}/*.wast")
if(NOT wasts)
  message(FATAL_ERROR "no .wast files in ${SPEC_DIR}: the spec suite must be "
          "in ../shared/spec-testsuite beside the checkout (or set WASMC_SPEC_DIR)")
endif()
list(SORT wasts)

execute_process(COMMAND "${WAST2JSON}" --version OUTPUT_VARIABLE stamp
                ERROR_QUIET)
foreach(wast IN LISTS wasts)
  file(SHA1 "${wast}" sum)
  string(APPEND stamp "${wast} ${sum}\n")
endforeach()
if(EXISTS "${OUT}/stamp")
  file(READ "${OUT}/stamp" old)
  if(old STREQUAL stamp)
    message(STATUS "reusing the conversion in ${OUT}")
    return()
  endif()
endif()

# Converted into a folder of its own, then renamed into place, so that a
# test reading OUT never sees half of a conversion.
string(RANDOM LENGTH 8 tag)
set(tmp "${OUT}.tmp-${tag}")
file(REMOVE_RECURSE "${tmp}")
file(MAKE_DIRECTORY "${tmp}")
set(converted 0)
foreach(wast IN LISTS wasts)
  get_filename_component(stem "${wast}" NAME_WLE)
  execute_process(COMMAND "${WAST2JSON}" "${wast}" -o "${tmp}/${stem}.json"
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc OR NOT err STREQUAL "")
    message(WARNING "wast2json ${wast} failed (${rc}): ${err}")
    file(REMOVE "${tmp}/${stem}.json")
  else()
    math(EXPR converted "${converted} + 1")
  endif()
endforeach()
list(LENGTH wasts total)
file(WRITE "${tmp}/stamp" "${stamp}")
file(REMOVE_RECURSE "${OUT}")
file(RENAME "${tmp}" "${OUT}")
message(STATUS "converted ${converted} of ${total} .wast files into ${OUT}")
