# check_embed.cmake: the ctest check of the embedding example (test
# example_embed_calc): `embed CALC_SO` must exit 0 AND print exactly the
# expected lines. ctest's PASS_REGULAR_EXPRESSION alone ignores the exit
# status, so a crash, a failed call or a LeakSanitizer report after the
# last expected line would have passed.
#   cmake -DEMBED=path/to/embed -DSO=path/to/calc.so -P check_embed.cmake
set(want
"fib(90) = 2880067194370816120
div(7, 0) trapped: integer divide by zero in function $div (func[1])
peek(70000) trapped: out of bounds memory access in function $peek (func[2])
div(84, 2) = 42 (after two traps, same instance)
")
execute_process(COMMAND "${EMBED}" "${SO}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("--- stdout:\n${out}--- stderr:\n${err}--- exit status: ${rc}")
if(NOT rc STREQUAL "0")
  message(FATAL_ERROR "embed exited with status ${rc}, expected 0")
endif()
if(NOT out STREQUAL want)
  message(FATAL_ERROR "embed's output differs; expected:\n${want}")
endif()
