# KernelTree.cmake - find the Linux tree a kernel-backed part of the build
# reads (the kernel backend's ring_buffer.c, libperf's tools/lib/perf/mmap.c).
#
#   UPRB_KERNEL_SRC   a kernel source tree (a directory holding
#                     kernel/events/ring_buffer.c), or a tarball of one
#                     (Debian's /usr/src/linux-source-<v>.tar.xz); empty:
#                     the newest Debian linux-source-6.1 tarball if one is
#                     installed (ci/deps installs it), else no tree
#   UPRB_KERNEL       AUTO (default): build the kernel parts when a tree is
#                     found; ON: a missing tree is an error; OFF: never
#
# A directory is used in place and never written to. A tarball is unpacked
# into the build directory, only the paths listed in UPRB_KERNEL_PATHS
# (GPL code stays out of this repository: it lives in the user's tree or
# the build directory). After include():
#
#   UPRB_KERNEL_TREE      the tree to read, or "" when there is none
#   UPRB_KERNEL_VERSION   "6.1.192" from the tree's Makefile ("" if unknown)
#   UPRB_KERNEL_TAG       "6.1" (major.minor), for names and messages
include_guard(GLOBAL)

set(UPRB_KERNEL "AUTO" CACHE STRING "Build the kernel-tree parts: AUTO, ON or OFF")
set_property(CACHE UPRB_KERNEL PROPERTY STRINGS AUTO ON OFF)
set(UPRB_KERNEL_SRC "" CACHE PATH
    "Kernel source tree or tarball for the kernel backend and libperf (empty: Debian's linux-source-6.1 if installed)")

# What the kernel-tree parts read; a tarball is cut down to these.
set(UPRB_KERNEL_PATHS
  Makefile
  kernel/events
  include/uapi/linux/perf_event.h
  include/linux/perf_event.h
  tools/include
  tools/arch/x86/include
  tools/lib/perf
)

set(UPRB_KERNEL_TREE "")
set(UPRB_KERNEL_VERSION "")
set(UPRB_KERNEL_TAG "")

function(_uprb_kernel_default out)
  file(GLOB tarballs /usr/src/linux-source-6.1.tar.xz /usr/src/linux-source-6.1.tar.bz2)
  if(tarballs)
    list(GET tarballs 0 t)
    set(${out} "${t}" PARENT_SCOPE)
  else()
    set(${out} "" PARENT_SCOPE)
  endif()
endfunction()

# uprb_kernel_tree(<src> <prefix>): the tree of <src> (a directory, used in
# place, or a tarball, unpacked once into the build directory), in
# <prefix>_TREE, <prefix>_VERSION ("6.1.192") and <prefix>_TAG ("6.1").
# A <src> that is neither stops configuring with a message.
function(uprb_kernel_tree src prefix)
  set(tree "")
  if(IS_DIRECTORY "${src}")
    get_filename_component(src "${src}" ABSOLUTE)
    if(NOT EXISTS "${src}/kernel/events/ring_buffer.c")
      message(FATAL_ERROR "${src}: not a kernel tree (no kernel/events/ring_buffer.c)")
    endif()
    set(tree "${src}")
  elseif(EXISTS "${src}")
    # A tarball: unpack what we read, once per tarball (named by its path,
    # size and time; one pass of tar, whatever its top directory is called).
    get_filename_component(src "${src}" ABSOLUTE)
    file(SIZE "${src}" size)
    file(TIMESTAMP "${src}" stamp "%Y%m%d%H%M%S" UTC)
    string(SHA1 sum "${src}:${size}:${stamp}")
    string(SUBSTRING "${sum}" 0 12 sum)
    set(dest "${CMAKE_BINARY_DIR}/kernel-tree/${sum}")
    if(NOT EXISTS "${dest}/.unpacked")
      message(STATUS "kernel tree: unpacking ${src} (the parts read) into ${dest}")
      file(REMOVE_RECURSE "${dest}")
      file(MAKE_DIRECTORY "${dest}/raw")
      set(members "")
      foreach(p IN LISTS UPRB_KERNEL_PATHS)
        list(APPEND members "*/${p}")
      endforeach()
      execute_process(COMMAND tar -xf "${src}" -C "${dest}/raw" --wildcards
                              --no-wildcards-match-slash ${members}
                      RESULT_VARIABLE rc ERROR_VARIABLE err)
      file(GLOB top LIST_DIRECTORIES true "${dest}/raw/*")
      list(LENGTH top ntop)
      if(NOT rc EQUAL 0 OR NOT ntop EQUAL 1 OR NOT EXISTS "${top}/kernel/events/ring_buffer.c")
        message(FATAL_ERROR "${src}: not a kernel tree tarball "
                            "(no <top>/kernel/events/ring_buffer.c): ${err}")
      endif()
      file(RENAME "${top}" "${dest}/tree")
      file(REMOVE_RECURSE "${dest}/raw")
      file(WRITE "${dest}/.unpacked" "${src}\n")
    endif()
    set(tree "${dest}/tree")
  else()
    message(FATAL_ERROR "${src}: no such directory or tarball")
  endif()

  file(STRINGS "${tree}/Makefile" mk LIMIT_COUNT 8
       REGEX "^(VERSION|PATCHLEVEL|SUBLEVEL) *=")
  set(v "")
  set(p "")
  set(s "")
  foreach(line IN LISTS mk)
    if(line MATCHES "^VERSION *= *([0-9]+)")
      set(v ${CMAKE_MATCH_1})
    elseif(line MATCHES "^PATCHLEVEL *= *([0-9]+)")
      set(p ${CMAKE_MATCH_1})
    elseif(line MATCHES "^SUBLEVEL *= *([0-9]+)")
      set(s ${CMAKE_MATCH_1})
    endif()
  endforeach()
  set(${prefix}_TREE "${tree}" PARENT_SCOPE)
  if(v STREQUAL "" OR p STREQUAL "")
    set(${prefix}_TAG "unknown" PARENT_SCOPE)
    set(${prefix}_VERSION "" PARENT_SCOPE)
  else()
    set(${prefix}_TAG "${v}.${p}" PARENT_SCOPE)
    set(${prefix}_VERSION "${v}.${p}.${s}" PARENT_SCOPE)
  endif()
endfunction()

if(NOT UPRB_KERNEL STREQUAL "OFF")
  set(src "${UPRB_KERNEL_SRC}")
  if(src STREQUAL "")
    _uprb_kernel_default(src)
  endif()
  if(src STREQUAL "")
    if(UPRB_KERNEL STREQUAL "ON")
      message(FATAL_ERROR "UPRB_KERNEL=ON: no kernel tree. Set -DUPRB_KERNEL_SRC=<tree or "
                          "tarball>, or install Debian's linux-source-6.1 (ci/deps)")
    endif()
    message(STATUS "kernel tree: none (UPRB_KERNEL_SRC unset, no /usr/src/linux-source-6.1.tar.xz): "
                   "kernel backend and libperf not built")
  else()
    uprb_kernel_tree("${src}" UPRB_KERNEL)
    message(STATUS "kernel tree: ${UPRB_KERNEL_TREE} (Linux ${UPRB_KERNEL_VERSION})")
  endif()
endif()
# For scripts that read the build (ci/campaign): which tree it took.
set(UPRB_KERNEL_TREE_USED "${UPRB_KERNEL_TREE}" CACHE INTERNAL "the kernel tree read")
set(UPRB_KERNEL_VERSION_USED "${UPRB_KERNEL_VERSION}" CACHE INTERNAL "its version")
