# cross-aarch64.cmake: CMake toolchain file for aarch64 Linux (Debian's
# gcc-aarch64-linux-gnu; its default, armv8-a, is wasmc's baseline too).
# Used by scripts/cross-build aarch64.
set(WASMC_CROSS_ARCH aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
