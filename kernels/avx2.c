/* AVX2 kernels (f32, f64): 256-bit compare-and-select, four vectors a step. */
#include "kernels.h"

/* Emulated, vectors wider than the enabled ISA pass between static
   functions: no ABI boundary is crossed. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#include <simde/x86/avx2.h>

#ifdef FRK_EMUL
#define NAME "avx2 (emulated)"
#else
#define NAME "avx2"
#endif

#if defined(__GNUC__)
#define INL static inline __attribute__((always_inline))
#else
#define INL static inline
#endif

/* Vector type v<P>, lane-mask type m<P> and the primitives the kernels use. */
typedef simde__m256 vs, ms;
typedef simde__m256d vd, md;

INL vs ld_s(const float *p) { return simde_mm256_loadu_ps(p); }
INL void st_s(float *p, vs v) { simde_mm256_storeu_ps(p, v); }
INL vs dup_s(float f) { return simde_mm256_set1_ps(f); }
INL ms gt_s(vs x) { return simde_mm256_cmp_ps(x, simde_mm256_setzero_ps(), SIMDE_CMP_GT_OQ); }
INL vs sel_s(ms m, vs a, vs b) { return simde_mm256_blendv_ps(b, a, m); }
INL vs zsel_s(ms m, vs a) { return simde_mm256_and_ps(m, a); }
INL vs vrelu_s(vs x) { return zsel_s(simde_mm256_cmp_ps(x, simde_mm256_setzero_ps(), SIMDE_CMP_NLE_UQ), x); }
INL unsigned bits_s(ms m) { return (unsigned)simde_mm256_movemask_ps(m); }
INL ms unbits_s(uint64_t b)
{
    simde__m256i k = simde_mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    simde__m256i v = simde_mm256_and_si256(simde_mm256_set1_epi32((int)(b & 0xff)), k);
    return simde_mm256_castsi256_ps(simde_mm256_cmpeq_epi32(v, k));
}
INL vs mul_s(vs v, vs a, vs nan)
{
    vs p = simde_mm256_mul_ps(v, a);
    vs q = simde_mm256_or_ps(v, simde_mm256_castsi256_ps(simde_mm256_set1_epi32((int)FRK_QUIET32)));
    vs fix = sel_s(simde_mm256_cmp_ps(v, v, SIMDE_CMP_UNORD_Q), q, nan);
    return sel_s(simde_mm256_cmp_ps(p, p, SIMDE_CMP_UNORD_Q), fix, p);
}

INL vd ld_d(const double *p) { return simde_mm256_loadu_pd(p); }
INL void st_d(double *p, vd v) { simde_mm256_storeu_pd(p, v); }
INL vd dup_d(double f) { return simde_mm256_set1_pd(f); }
INL md gt_d(vd x) { return simde_mm256_cmp_pd(x, simde_mm256_setzero_pd(), SIMDE_CMP_GT_OQ); }
INL vd sel_d(md m, vd a, vd b) { return simde_mm256_blendv_pd(b, a, m); }
INL vd zsel_d(md m, vd a) { return simde_mm256_and_pd(m, a); }
INL vd vrelu_d(vd x) { return zsel_d(simde_mm256_cmp_pd(x, simde_mm256_setzero_pd(), SIMDE_CMP_NLE_UQ), x); }
INL unsigned bits_d(md m) { return (unsigned)simde_mm256_movemask_pd(m); }
INL md unbits_d(uint64_t b)
{
    simde__m256i k = simde_mm256_setr_epi64x(1, 2, 4, 8);
    simde__m256i v = simde_mm256_and_si256(simde_mm256_set1_epi64x((int64_t)(b & 0xf)), k);
    return simde_mm256_castsi256_pd(simde_mm256_cmpeq_epi64(v, k));
}
INL vd mul_d(vd v, vd a, vd nan)
{
    vd p = simde_mm256_mul_pd(v, a);
    vd q = simde_mm256_or_pd(v, simde_mm256_castsi256_pd(simde_mm256_set1_epi64x((int64_t)FRK_QUIET64)));
    vd fix = sel_d(simde_mm256_cmp_pd(v, v, SIMDE_CMP_UNORD_Q), q, nan);
    return sel_d(simde_mm256_cmp_pd(p, p, SIMDE_CMP_UNORD_Q), fix, p);
}

#include "simd_body.h"

KERNELS(s, float, 8, frk_nanval32, frk_mul32)
KERNELS(d, double, 4, frk_nanval64, frk_mul64)

const struct frk_table FRK_TABLE(avx2) = {
    .isa = FR_ISA_AVX2,
    .name = NAME,
    .ops = {[FRK_S] = OPS(s), [FRK_D] = OPS(d)},
};
