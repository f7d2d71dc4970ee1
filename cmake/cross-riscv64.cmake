# cross-riscv64.cmake: CMake toolchain file for riscv64 Linux (Debian's
# gcc-riscv64-linux-gnu; its default, rv64gc with the lp64d ABI, is
# wasmc's baseline too). Used by scripts/cross-build riscv64.
set(WASMC_CROSS_ARCH riscv64)
include(${CMAKE_CURRENT_LIST_DIR}/cross-linux-gnu.cmake)
