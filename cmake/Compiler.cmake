# Compiler flags shared by every finserve target. Third-party headers come in as SYSTEM
# includes, so warnings (and -Werror) apply to our own code only.

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_C_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
endif()

# x86-64-v3 (AVX2 + FMA) is the floor; wider kernels dispatch at run time.
add_compile_options(-march=x86-64-v3)

set(FINSERVE_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wnon-virtual-dtor)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12's -Wrestrict fires inside libstdc++'s char_traits when nlohmann/json strings are
  # inlined (GCC bug 105329), a false positive that -isystem cannot silence.
  list(APPEND FINSERVE_WARNINGS -Wno-restrict)
endif()
if(FINSERVE_WERROR)
  list(APPEND FINSERVE_WARNINGS -Werror)
endif()

# finserve_target_defaults(<target>): warnings and include root for one of our own targets.
function(finserve_target_defaults target)
  target_compile_options(${target} PRIVATE ${FINSERVE_WARNINGS})
endfunction()

# finserve_library(<name> SOURCES ... DEPS ...): one library per folder under src/.
function(finserve_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  finserve_target_defaults(${name})
endfunction()

# Build-time levers for CI (docs/development.md has the measurements). They change how much the
# compiler works, never which code is built or which checks run.
option(FINSERVE_UNITY_BUILD "Compile test binaries and the CLI commands as unity batches" ON)
set(FINSERVE_TEST_OPT_RELEASE "-O1" CACHE STRING
    "Optimization of test code (test binaries and their helper libraries) in Release; the product stays at -O3")

# finserve_unity(<target>): compile the target's sources in batches of 8 (one parse of the shared
# headers per batch instead of per file). Sources that cannot share a batch say so with
# SKIP_UNITY_BUILD_INCLUSION.
function(finserve_unity target)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ${FINSERVE_UNITY_BUILD} UNITY_BUILD_BATCH_SIZE 8)
endfunction()

# finserve_test_code(<target>): test code (drivers and helpers) is compiled with
# FINSERVE_TEST_OPT_RELEASE in Release; the libraries under test keep -O3.
function(finserve_test_code target)
  target_compile_options(${target} PRIVATE "$<$<CONFIG:Release>:${FINSERVE_TEST_OPT_RELEASE}>")
  finserve_unity(${target})
endfunction()
