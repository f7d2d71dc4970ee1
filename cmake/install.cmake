# install.cmake: what `cmake --install BUILD [--prefix P]` installs
# (README "Install"). Components: `wasmc` (what running wasmc needs) and
# `dev` (what embedders compile and link against); scripts/package-deb
# makes one Debian package of each.
#
#   P/bin/wasmc                                         wasmc
#   P/LIBDIR/libwasmrt.so.0 -> libwasmrt.so.0.1.0       wasmc (the runtime;
#                                                       wasmc links it too)
#   P/LIBDIR/wasmc/lib{wasmc_launcher,wasmc_wasi,wasmrt_static}.a
#                                                       wasmc (`wasmc build`
#                                                       links these)
#   P/LIBDIR/wasmc/ARCH/...                             wasmc, the same for
#                                                       each cross build
#   P/share/man/man1/wasmc.1                            wasmc (dist/, if there)
#   P/share/bash-completion/completions/wasmc           wasmc (dist/, if there)
#   P/LIBDIR/libwasmrt.so, libwasmrt.a                  dev
#   P/include/wasmrt/wasmrt.h, wasmrt_abi.h             dev
#   P/LIBDIR/pkgconfig/wasmrt.pc                        dev
#   P/LIBDIR/cmake/wasmrt/wasmrt{Config,ConfigVersion,Targets*}.cmake  dev
#
# LIBDIR is GNUInstallDirs' CMAKE_INSTALL_LIBDIR: lib, or lib/TRIPLET
# (e.g. lib/x86_64-linux-gnu) on Debian when the prefix is /usr at
# configure time. Everything installed finds the rest relative to itself,
# so the prefix can be chosen at install time (--prefix) and moved later:
# wasmc its archives (WASMC_REL_LIBDIR, compiled into compiler/link.c)
# and libwasmrt (an $ORIGIN RPATH), wasmrt.pc and the CMake package their
# prefix (${pcfiledir}, CMake's relative import prefix).

include(CMakePackageConfigHelpers)

set(WASMC_INSTALL_PRIVATE_LIBDIR "${CMAKE_INSTALL_LIBDIR}/wasmc" CACHE STRING
    "where `cmake --install` puts the archives `wasmc build` links (relative to the prefix)")
option(WASMC_INSTALL_RPATH
       "give the installed wasmc an $ORIGIN-relative RPATH to libwasmrt (off for a distribution package, whose libwasmrt is in the loader's path)"
       ON)
set(WASMC_CROSS_BUILDS "" CACHE STRING
    "cross builds whose archives `cmake --install` puts in PRIVATE_LIBDIR/ARCH, as ARCH=DIR;... (empty: build-ARCH beside this build, for each cross target, when it has them)")

# wasmc_from_bindir(OUT DIR): how the installed wasmc reaches DIR (a
# folder relative to the prefix): a path relative to BINDIR, which moves
# with the prefix; or DIR itself when DIR is absolute (fixed, not
# relocatable: a warning says so).
function(wasmc_from_bindir out dir)
  if(IS_ABSOLUTE "${dir}")
    message(WARNING "install: ${dir} is absolute: the installation will not be relocatable")
    set(${out} "${dir}" PARENT_SCOPE)
    return()
  endif()
  if(IS_ABSOLUTE "${CMAKE_INSTALL_BINDIR}")
    message(FATAL_ERROR "install: CMAKE_INSTALL_BINDIR must be relative to the prefix")
  endif()
  file(RELATIVE_PATH rel "/P/${CMAKE_INSTALL_BINDIR}" "/P/${dir}")
  string(REGEX REPLACE "/$" "" rel "${rel}")
  set(${out} "${rel}" PARENT_SCOPE)
endfunction()
wasmc_from_bindir(rel_privlib "${WASMC_INSTALL_PRIVATE_LIBDIR}")
wasmc_from_bindir(rel_lib "${CMAKE_INSTALL_LIBDIR}")
if(IS_ABSOLUTE "${rel_privlib}")
  message(STATUS "install: wasmc finds its archives in ${rel_privlib}")
else()
  message(STATUS "install: wasmc finds its archives in BINDIR/${rel_privlib}")
endif()

# link.c is compiled in compiler/ and, in a fuzzing build, again in
# tests/fuzz/ (wasmc_back_fuzz): both get the folder.
set(link_c_dirs "${PROJECT_SOURCE_DIR}/compiler")
if(TARGET wasmc_back_fuzz)
  get_target_property(fuzz_dir wasmc_back_fuzz SOURCE_DIR)
  list(APPEND link_c_dirs "${fuzz_dir}")
endif()
set_property(SOURCE "${PROJECT_SOURCE_DIR}/compiler/link.c"
                    "${PROJECT_SOURCE_DIR}/compiler/llvm_load.c"
             DIRECTORY ${link_c_dirs} APPEND
             PROPERTY COMPILE_DEFINITIONS "WASMC_REL_LIBDIR=\"${rel_privlib}\"")
if(WASMC_INSTALL_RPATH AND IS_ABSOLUTE "${rel_lib}")
  set_target_properties(wasmc PROPERTIES INSTALL_RPATH "${rel_lib}")
elseif(WASMC_INSTALL_RPATH)
  set_target_properties(wasmc PROPERTIES INSTALL_RPATH "$ORIGIN/${rel_lib}")
endif()

# ---- component wasmc ------------------------------------------------------
install(TARGETS wasmc RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT wasmc)
install(TARGETS wasmrt EXPORT wasmrtTargets
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT wasmc
                NAMELINK_COMPONENT dev
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/wasmrt")
install(TARGETS wasmc_launcher wasmc_wasi wasmrt_static
        ARCHIVE DESTINATION "${WASMC_INSTALL_PRIVATE_LIBDIR}" COMPONENT wasmc)
# The code generator wasmc dlopens (compiler/llvm_api.h): private, no
# soname link, found relative to the executable like the archives.
install(TARGETS wasmc_llvm
        LIBRARY DESTINATION "${WASMC_INSTALL_PRIVATE_LIBDIR}" COMPONENT wasmc
                NAMELINK_SKIP)

# The cross builds' archives (scripts/cross-build), decided at install
# time: a default one that is not there is left out with a note; one named
# in WASMC_CROSS_BUILDS must be complete.
set(cross_builds "${WASMC_CROSS_BUILDS}")
set(cross_required TRUE)
if(NOT cross_builds)
  set(cross_required FALSE)
  file(GLOB cross_files RELATIVE "${PROJECT_SOURCE_DIR}/cmake"
       "${PROJECT_SOURCE_DIR}/cmake/cross-*.cmake")
  foreach(f ${cross_files})
    string(REGEX REPLACE "^cross-(.*)\\.cmake$" "\\1" arch "${f}")
    if(arch STREQUAL "linux-gnu" OR arch STREQUAL CMAKE_SYSTEM_PROCESSOR)
      continue()
    endif()
    cmake_path(SET dir NORMALIZE "${CMAKE_BINARY_DIR}/../build-${arch}")
    list(APPEND cross_builds "${arch}=${dir}")
  endforeach()
endif()
foreach(entry ${cross_builds})
  if(NOT entry MATCHES "^([a-z0-9_]+)=(.+)$")
    message(FATAL_ERROR "WASMC_CROSS_BUILDS: '${entry}' is not ARCH=DIR")
  endif()
  set(arch "${CMAKE_MATCH_1}")
  set(dir "${CMAKE_MATCH_2}")
  set(files "${dir}/wasi-libc-shim/libwasmc_launcher.a"
            "${dir}/wasi-libc-shim/libwasmc_wasi.a" "${dir}/runtime/libwasmrt_static.a")
  install(CODE "
    set(files \"${files}\")
    set(have TRUE)
    foreach(f \${files})
      if(NOT EXISTS \"\${f}\")
        set(have FALSE)
        set(missing \"\${f}\")
      endif()
    endforeach()
    if(have)
      file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${WASMC_INSTALL_PRIVATE_LIBDIR}/${arch}\"
           TYPE FILE PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
           FILES \${files})
    elseif(${cross_required})
      message(FATAL_ERROR \"install: no \${missing}: the ${arch} cross build in ${dir} is incomplete (scripts/cross-build ${arch})\")
    else()
      message(STATUS \"install: not installing ${arch} archives: no cross build in ${dir} (scripts/cross-build ${arch})\")
    endif()" COMPONENT wasmc)
endforeach()

# The man page and bash completion, written in dist/ (checked at
# configure time: re-run cmake once they are there).
if(EXISTS "${PROJECT_SOURCE_DIR}/dist/wasmc.1")
  install(FILES "${PROJECT_SOURCE_DIR}/dist/wasmc.1"
          DESTINATION "${CMAKE_INSTALL_MANDIR}/man1" COMPONENT wasmc)
endif()
if(EXISTS "${PROJECT_SOURCE_DIR}/dist/wasmc.bash-completion")
  install(FILES "${PROJECT_SOURCE_DIR}/dist/wasmc.bash-completion"
          DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions"
          RENAME wasmc COMPONENT wasmc)
endif()

# ---- component dev --------------------------------------------------------
install(TARGETS wasmrt_static_embed EXPORT wasmrtTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT dev)
# wasmrt.h includes wasmrt_abi.h (the generated code's contract: traps,
# values, descriptors), so both are public.
install(FILES "${PROJECT_SOURCE_DIR}/runtime/wasmrt.h"
              "${PROJECT_SOURCE_DIR}/runtime/wasmrt_abi.h"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/wasmrt" COMPONENT dev)

# wasmrt.pc: its prefix is found from its own place (${pcfiledir}).
file(RELATIVE_PATH pc_to_prefix "/P/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/P")
string(REGEX REPLACE "/$" "" pc_to_prefix "${pc_to_prefix}")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  message(FATAL_ERROR "wasmrt.pc needs CMAKE_INSTALL_LIBDIR and CMAKE_INSTALL_INCLUDEDIR relative to the prefix")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/wasmrt.pc.in"
               "${PROJECT_BINARY_DIR}/wasmrt.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/wasmrt.pc"
        DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT dev)

# find_package(wasmrt): wasmrt::wasmrt (shared), wasmrt::wasmrt_static.
set(cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/wasmrt")
install(EXPORT wasmrtTargets NAMESPACE wasmrt:: DESTINATION "${cmake_dir}"
        COMPONENT dev)
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/wasmrtConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/wasmrtConfig.cmake" INSTALL_DESTINATION "${cmake_dir}")
# 0.x: a minor version may change the ABI (WASMRT_ABI_VERSION).
write_basic_package_version_file("${PROJECT_BINARY_DIR}/wasmrtConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/wasmrtConfig.cmake"
              "${PROJECT_BINARY_DIR}/wasmrtConfigVersion.cmake"
        DESTINATION "${cmake_dir}" COMPONENT dev)
