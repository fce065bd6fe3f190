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
set(FR_FLAGS_avx512 -mavx512f -mavx512bw -mavx512vl -mavx512dq)
set(FR_FLAGS_neon)

# Only the kernel files get ISA flags: the rest of the library stays baseline.
function(fr_add_native_kernels target)
  foreach(isa ${FR_NATIVE_ISAS})
    set(src ${PROJECT_SOURCE_DIR}/kernels/${isa}.c)
    target_sources(${target} PRIVATE ${src})
    set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "${FR_FLAGS_${isa}}")
    string(TOUPPER ${isa} ISA)
    target_compile_definitions(${target} PRIVATE FR_HAVE_${ISA})
  endforeach()
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
