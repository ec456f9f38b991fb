# boxloop_module(NAME [TORCH] DEPS ...): a static library from every .cpp in src/NAME, with src/ as
# the include root (#include "core/types.h") and project warnings on. TORCH links LibTorch and
# uses the precompiled <torch/torch.h>: it is by far the slowest header to parse, and CI has two
# cores.
function(boxloop_module name)
  cmake_parse_arguments(ARG "TORCH" "" "DEPS" ${ARGN})
  file(GLOB _sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT _sources)
    # A module still being written: header-only until its first .cpp lands.
    add_library(boxloop_${name} INTERFACE)
    target_include_directories(boxloop_${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(boxloop_${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(boxloop_${name} STATIC ${_sources})
  target_include_directories(boxloop_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(boxloop_${name} PUBLIC ${ARG_DEPS} PRIVATE boxloop_warnings)
  if(ARG_TORCH)
    boxloop_use_torch(boxloop_${name} PUBLIC)
  endif()
endfunction()

# Compiles a LibTorch target's files in batches (CMake's unity build): every file that uses
# LibTorch instantiates and optimises the same inline code of its headers again (20-45 s a file on
# one core even with the precompiled header), and a batch does that once. Faster from scratch,
# which is what the README's commands and CI do; slower after editing one file (its batch
# recompiles): configure with -DBOXLOOP_UNITY_BUILD=OFF while working on these modules.
option(BOXLOOP_UNITY_BUILD "Compile the LibTorch modules' files in batches" ON)
function(boxloop_unity_build target)
  if(BOXLOOP_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE BATCH
                                               UNITY_BUILD_BATCH_SIZE 8)
  endif()
endfunction()

# Links LibTorch (headers as SYSTEM) and reuses the one precompiled <torch/torch.h>
# (boxloop_torch_pch in the top CMakeLists.txt).
function(boxloop_use_torch target visibility)
  target_link_libraries(${target} ${visibility} boxloop_torch)
  target_precompile_headers(${target} REUSE_FROM boxloop_torch_pch)
  boxloop_unity_build(${target})
endfunction()

# boxloop_torch_free(FILE ...): files of a LibTorch target that include no LibTorch header, even
# indirectly. Loading the precompiled header alone costs such a file twice its own compile time.
# Only a build-time property: a file listed here that starts to use LibTorch still compiles.
function(boxloop_torch_free)
  set_source_files_properties(${ARGN} DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
                              PROPERTIES SKIP_PRECOMPILE_HEADERS ON SKIP_UNITY_BUILD_INCLUSION ON)
endfunction()

# boxloop_test(NAME [TORCH] DEPS ...): one GoogleTest executable from every .cpp in tests/NAME,
# each test registered with ctest. BOXLOOP_SHARED_DIR points at ../shared for the optional
# real-data tests (they skip when it is absent); BOXLOOP_BINARY is the CLI for end-to-end tests.
function(boxloop_test name)
  cmake_parse_arguments(ARG "TORCH" "" "DEPS" ${ARGN})
  file(GLOB _sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  add_executable(test_${name} ${_sources})
  target_include_directories(test_${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(test_${name} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock
                                             boxloop_warnings)
  if(ARG_TORCH)
    boxloop_use_torch(test_${name} PRIVATE)
  endif()
  target_compile_definitions(test_${name} PRIVATE
    BOXLOOP_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared"
    BOXLOOP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    BOXLOOP_BINARY="$<TARGET_FILE:boxloop>")
  # libgomp busy-waits by default, and it reads this when it loads (before main): on a machine
  # where ctest runs two LibTorch tests at once, spinning threads starve each other.
  gtest_discover_tests(test_${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES LABELS ${name} ENVIRONMENT OMP_WAIT_POLICY=PASSIVE)
endfunction()
