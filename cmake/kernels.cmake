# Per-ISA kernel files: native with their own flags in the library, emulated through SIMDe for the tests.

if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(FR_NATIVE_ISAS sse2 avx2 avx512)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(FR_NATIVE_ISAS neon)
else()
  set(FR_NATIVE_ISAS)
endif()
set(FR_ALL_ISAS scalar sse2 avx2 avx512 neon)

set(FR_FLAGS_sse2 -msse2)
set(FR_FLAGS_avx2 -mavx2 -mfma -mf16c)
set(FR_FLAGS_avx512 -mavx512f -mavx512bw -mavx512vl -mavx512dq -mf16c)
set(FR_FLAGS_neon)

# Hot loops start on a 64-byte boundary: where GCC placed them decided up to
# 1.28x between the same loop for f16 and for bf16 (bench/NOTES.md, entry 54).
include(CheckCCompilerFlag)
check_c_compiler_flag(-falign-loops=64 FR_CC_ALIGN_LOOPS)
if(FR_CC_ALIGN_LOOPS)
  set(FR_FLAGS_ALIGN -falign-loops=64)
endif()

# Only the kernel files get ISA flags: the rest of the library stays baseline.
# Each native file is an object library of its own, so its flags never reach
# the emulated build of the same source. Sets FR_NATIVE_OBJECTS in the caller.
function(fr_add_native_kernels target)
  set(objs)
  foreach(isa ${FR_NATIVE_ISAS})
    add_library(frk_native_${isa} OBJECT ${PROJECT_SOURCE_DIR}/kernels/${isa}.c)
    target_compile_options(frk_native_${isa} PRIVATE ${FR_FLAGS_${isa}} ${FR_FLAGS_ALIGN})
    target_include_directories(frk_native_${isa} PRIVATE
      ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/kernels ${SIMDE_INCLUDE_DIR})
    set_target_properties(frk_native_${isa} PROPERTIES
      POSITION_INDEPENDENT_CODE ON C_VISIBILITY_PRESET hidden)
    list(APPEND objs $<TARGET_OBJECTS:frk_native_${isa}>)
    string(TOUPPER ${isa} ISA)
    target_compile_definitions(${target} PRIVATE FR_HAVE_${ISA})
  endforeach()
  set(FR_NATIVE_OBJECTS ${objs} PARENT_SCOPE)
endfunction()

# Every table, portable C through SIMDe, named frk_table_<isa>_emul.
function(fr_add_emulated_kernels target)
  set(srcs)
  foreach(isa ${FR_ALL_ISAS})
    list(APPEND srcs ${PROJECT_SOURCE_DIR}/kernels/${isa}.c)
  endforeach()
  add_library(${target} OBJECT ${srcs})
  target_compile_definitions(${target} PRIVATE FRK_EMUL SIMDE_NO_NATIVE)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/include
    ${PROJECT_SOURCE_DIR}/kernels ${SIMDE_INCLUDE_DIR})
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  # SIMDe's portable loops ask clang to vectorise; failing to is not an error.
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wno-pass-failed)
  endif()
endfunction()
