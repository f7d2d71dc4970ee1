# wasi_toolchain.cmake: finds the C compiler for wasm32-wasi programs (the
# examples and the WASI tests) and checks once, at configure time, that it
# can compile and link a program against wasi-libc. Sets
#   WASMC_WASI_CLANG  the compiler to use
#   WASMC_WASI_OK     TRUE when it works
#   WASMC_WASI_PROBE_LOG  its output when it does not (for the warning)
# Debian's default clang (14) works with the wasi-libc sysroot and
# libclang-rt-14-dev-wasm32 (scripts/install-deps installs both).
set(WASMC_WASI_CC "" CACHE FILEPATH "clang used to build wasm32-wasi programs (default: clang on PATH)")
if(WASMC_WASI_CC)
  set(WASMC_WASI_CLANG "${WASMC_WASI_CC}")
else()
  find_program(WASMC_WASI_CLANG NAMES clang)
endif()
set(WASMC_WASI_OK FALSE)
set(WASMC_WASI_PROBE_LOG "")
if(WASMC_WASI_CLANG)
  set(probe_dir "${CMAKE_BINARY_DIR}/wasi-probe")
  file(WRITE "${probe_dir}/probe.c"
       "#include <stdio.h>\n#include <wasi/api.h>\nint main(void) { puts(\"ok\"); return 0; }\n")
  execute_process(
    COMMAND "${WASMC_WASI_CLANG}" --target=wasm32-wasi -O2 probe.c -o probe.wasm
    WORKING_DIRECTORY "${probe_dir}"
    RESULT_VARIABLE probe_rc OUTPUT_VARIABLE WASMC_WASI_PROBE_LOG ERROR_VARIABLE WASMC_WASI_PROBE_LOG)
  if(probe_rc EQUAL 0)
    set(WASMC_WASI_OK TRUE)
  endif()
endif()
