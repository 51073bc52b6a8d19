# CMake package config for building cohort task libraries (C++ code that
# cohort loads with rt.loadLibrary()). Ships in the npm package as
# node_modules/cohort/cmake/; `npx cohort-config --cmake-dir` prints where.
#
#   execute_process(COMMAND npx cohort-config --cmake-dir
#                   WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
#                   OUTPUT_VARIABLE COHORT_CMAKE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE
#                   COMMAND_ERROR_IS_FATAL ANY)
#   find_package(cohort 0.1 CONFIG REQUIRED PATHS ${COHORT_CMAKE_DIR} NO_DEFAULT_PATH)
#   cohort_add_task_library(my_kernels my_kernels.cc)   # -> libmy_kernels.so
#
# (or configure with -Dcohort_DIR="$(npx cohort-config --cmake-dir)" and a
# plain find_package(cohort CONFIG REQUIRED)).
#
# Provides:
#   cohort::sdk                      INTERFACE target: the SDK include directory + C++17
#   cohort_add_task_library(name [MODULE|SHARED] source...)
#                                    a task library (default MODULE: dlopen only),
#                                    linked to cohort::sdk, PIC, hidden visibility
#                                    (only the COHORT_LIBRARY entry points are exported),
#                                    -O2 when no CMAKE_BUILD_TYPE is set
#   cohort_INCLUDE_DIR               <package>/include
#   cohort_SDK_VERSION               COHORT_SDK_VERSION of these headers; the runtime
#                                    refuses libraries built for another SDK version
#   cohort_VERSION                   the npm package version (from cohortConfigVersion.cmake)

get_filename_component(_cohort_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(cohort_INCLUDE_DIR "${_cohort_root}/include")

if(NOT EXISTS "${cohort_INCLUDE_DIR}/cohort/cohort.hpp")
  set(cohort_FOUND FALSE)
  set(cohort_NOT_FOUND_MESSAGE
      "cohort: no SDK headers at ${cohort_INCLUDE_DIR}/cohort (is ${_cohort_root} a complete cohort package?)")
  unset(_cohort_root)
  return()
endif()

file(STRINGS "${cohort_INCLUDE_DIR}/cohort/cohort.h" _cohort_sdk_line
     REGEX "^#define COHORT_SDK_VERSION [0-9]+u?")
string(REGEX REPLACE "^#define COHORT_SDK_VERSION ([0-9]+)u?.*$" "\\1" cohort_SDK_VERSION "${_cohort_sdk_line}")
unset(_cohort_sdk_line)

if(NOT TARGET cohort::sdk)
  add_library(cohort::sdk INTERFACE IMPORTED)
  set_target_properties(cohort::sdk PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${cohort_INCLUDE_DIR}"
    INTERFACE_COMPILE_FEATURES cxx_std_17)
endif()

# cohort_add_task_library(<name> [MODULE|SHARED] <source>...)
function(cohort_add_task_library name)
  set(_kind MODULE)
  set(_sources ${ARGN})
  if(_sources)
    list(GET _sources 0 _first)
    if(_first STREQUAL "MODULE" OR _first STREQUAL "SHARED")
      set(_kind ${_first})
      list(REMOVE_AT _sources 0)
    endif()
  endif()
  if(NOT _sources)
    message(FATAL_ERROR "cohort_add_task_library(${name}): no source files given")
  endif()
  add_library(${name} ${_kind} ${_sources})
  target_link_libraries(${name} PRIVATE cohort::sdk)
  set_target_properties(${name} PROPERTIES
    CXX_EXTENSIONS OFF
    POSITION_INDEPENDENT_CODE ON
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  # Without a build type CMake passes no optimisation flag; task kernels
  # should not run unoptimised by accident (cohort-config build uses -O2 too).
  target_compile_options(${name} PRIVATE
    "$<$<AND:$<STREQUAL:$<CONFIG>,>,$<CXX_COMPILER_ID:GNU,Clang,AppleClang>>:-O2>")
endfunction()

set(cohort_FOUND TRUE)
unset(_cohort_root)
