/* CPU feature detection: CPUID plus XCR0 on x86-64, NEON on aarch64; cache size. */
#include <unistd.h>

#include "internal.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static uint64_t xgetbv0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

/* CPUID says what the core has; XCR0 says which register state the OS saves
   on a context switch. Both must agree before YMM or ZMM code is safe. */
static int x86_supports(fr_isa isa)
{
    unsigned a, b, c, d;
    if (isa == FR_ISA_SSE2)
        return 1; /* baseline of x86-64 */
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    int fma = (c >> 12) & 1, f16c = (c >> 29) & 1;
    if (!osxsave || !avx || !fma || !f16c)
        return 0;
    uint64_t xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) /* SSE and AVX state */
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    int avx2 = (b >> 5) & 1;
    if (isa == FR_ISA_AVX2)
        return avx2;
    if (isa == FR_ISA_AVX512) {
        int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1,
            vl = (b >> 31) & 1;
        /* opmask, ZMM0-15 upper halves, ZMM16-31 */
        return avx2 && f && dq && bw && vl && (xcr0 & 0xe0) == 0xe0;
    }
    return 0;
}
#endif

int frk_cpu_supports(fr_isa isa)
{
    if (isa == FR_ISA_SCALAR)
        return 1;
#if defined(__x86_64__) || defined(_M_X64)
    return x86_supports(isa);
#elif defined(__aarch64__)
    return isa == FR_ISA_NEON; /* Advanced SIMD is mandatory on AArch64 */
#else
    return 0;
#endif
}

size_t frk_llc_bytes(void)
{
    long b = -1;
#if defined(_SC_LEVEL3_CACHE_SIZE)
    b = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (b <= 0)
        b = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
    return b > 0 ? (size_t)b : (size_t)8 << 20;
}
