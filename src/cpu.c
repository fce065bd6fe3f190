/* CPU features: CPUID plus XCR0 on x86-64, NEON on aarch64; one CPU's share of the last-level cache. */
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

int frk_cpu_has_ext(int ext)
{
#if defined(__x86_64__) || defined(_M_X64)
    unsigned a, b, c, d;
    /* vcvtne2ps2bf16: CPUID.(7,1):EAX bit 5, on top of AVX-512 */
    if (ext == FRK_EXT_AVX512BF16)
        return x86_supports(FR_ISA_AVX512) && __get_cpuid_count(7, 1, &a, &b, &c, &d) &&
               ((a >> 5) & 1);
#endif
    (void)ext;
    return 0;
}

int frk_cpu_intel(void)
{
#if defined(__x86_64__) || defined(_M_X64)
    unsigned a, b, c, d;
    __cpuid(0, a, b, c, d);
    return b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e; /* GenuineIntel */
#else
    return 0;
#endif
}

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

#if defined(__x86_64__) || defined(_M_X64)
/* The data or unified caches that CPUID describes (leaf 4 on Intel,
   0x8000001D on AMD), each divided among the logical CPUs that share it: the
   highest level, and on Intel the L2 (0 elsewhere). */
static void x86_caches(size_t *llc, size_t *intel_l2)
{
    unsigned a, b, c, d, leaf = 4, top, best_level = 0;
    *llc = *intel_l2 = 0;
    int intel = frk_cpu_intel();
    __cpuid(0, top, b, c, d);
    if (b == 0x68747541) { /* "Auth"enticAMD */
        __cpuid(0x80000000, top, b, c, d);
        leaf = 0x8000001d;
    }
    if (top < leaf)
        return;
    for (unsigned i = 0; i < 16; i++) {
        __cpuid_count(leaf, i, a, b, c, d);
        unsigned type = a & 31, level = (a >> 5) & 7;
        if (type == 0)
            break;
        if (type == 2 || level < 2) /* instruction cache, L1 */
            continue;
        size_t size = (size_t)((b >> 22) + 1) * (((b >> 12) & 0x3ff) + 1) *
                      ((b & 0xfff) + 1) * ((size_t)c + 1);
        size_t sharing = ((a >> 14) & 0xfff) + 1;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (cpus > 0 && sharing > (size_t)cpus)
            sharing = (size_t)cpus;
        if (level == 2 && intel)
            *intel_l2 = size / sharing;
        if (level >= best_level) {
            best_level = level;
            *llc = size / sharing;
        }
    }
}
#endif

void frk_cache_bytes(size_t *llc, size_t *stream)
{
    size_t l2 = 0;
    *llc = 0;
#if defined(__x86_64__) || defined(_M_X64)
    x86_caches(llc, &l2);
#endif
#if defined(_SC_LEVEL3_CACHE_SIZE)
    if (!*llc) {
        /* a shared L3 split among the CPUs, else the L2 */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN), b = sysconf(_SC_LEVEL3_CACHE_SIZE);
        if (b > 0 && cpus > 1)
            b /= cpus;
        if (b <= 0)
            b = sysconf(_SC_LEVEL2_CACHE_SIZE);
        if (b > 0)
            *llc = (size_t)b;
    }
#endif
    if (!*llc)
        *llc = (size_t)2 << 20;
    /* On Intel's Xeon a store that misses the L2 costs more from the L3 than
       a streaming store to memory (bench/NOTES.md, entry 23) */
    *stream = l2 && l2 < *llc ? l2 : *llc;
}
