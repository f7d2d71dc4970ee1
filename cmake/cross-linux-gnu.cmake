# cross-linux-gnu.cmake: what the per-architecture toolchain files
# (cross-aarch64.cmake, cross-riscv64.cmake) share. A cross build makes
# only what runs on the target: the runtime, the WASI host, the launcher
# and the spec runner (wasmc-spec-run); the compiler stays on the build
# machine (see the top-level CMakeLists.txt and scripts/cross-build).
# Debian's cross gcc (gcc-ARCH-linux-gnu) and its sysroot
# /usr/ARCH-linux-gnu are used; programs run under qemu-user with that
# sysroot, which CMake learns as the cross-compiling emulator.
if(NOT WASMC_CROSS_ARCH)
  message(FATAL_ERROR "cross-linux-gnu.cmake: include it from cmake/cross-ARCH.cmake")
endif()
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${WASMC_CROSS_ARCH})
set(WASMC_CROSS_SYSROOT /usr/${WASMC_CROSS_ARCH}-linux-gnu)
set(CMAKE_C_COMPILER ${WASMC_CROSS_ARCH}-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH ${WASMC_CROSS_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${WASMC_CROSS_ARCH};-L;${WASMC_CROSS_SYSROOT})
