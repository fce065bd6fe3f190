/* SSE2 kernels (f32, f64): 128-bit compare-and-select, four vectors a step. */
#include "kernels.h"

#include <simde/x86/sse2.h>

#ifdef FRK_EMUL
#define NAME "sse2 (emulated)"
#else
#define NAME "sse2"
#endif

#if defined(__GNUC__)
#define INL static inline __attribute__((always_inline))
#else
#define INL static inline
#endif

/* Vector type v<P>, lane-mask type m<P> and the primitives the kernels use. */
typedef simde__m128 vs, ms;
typedef simde__m128d vd, md;

INL vs ld_s(const float *p) { return simde_mm_loadu_ps(p); }
INL void st_s(float *p, vs v) { simde_mm_storeu_ps(p, v); }
INL vs dup_s(float f) { return simde_mm_set1_ps(f); }
INL ms gt_s(vs x) { return simde_mm_cmpgt_ps(x, simde_mm_setzero_ps()); }
/* x when !(x <= 0): x > 0 or NaN (SIMDe's cmpnle is an ordered cmpgt) */
INL vs vrelu_s(vs x) { return simde_mm_andnot_ps(simde_mm_cmple_ps(x, simde_mm_setzero_ps()), x); }
INL vs sel_s(ms m, vs a, vs b)
{
    return simde_mm_or_ps(simde_mm_and_ps(m, a), simde_mm_andnot_ps(m, b));
}
INL vs zsel_s(ms m, vs a) { return simde_mm_and_ps(m, a); }
INL unsigned bits_s(ms m) { return (unsigned)simde_mm_movemask_ps(m); }
INL ms unbits_s(uint64_t b)
{
    simde__m128i k = simde_mm_setr_epi32(1, 2, 4, 8);
    simde__m128i v = simde_mm_and_si128(simde_mm_set1_epi32((int)(b & 0xf)), k);
    return simde_mm_castsi128_ps(simde_mm_cmpeq_epi32(v, k));
}
INL vs mul_s(vs v, vs a, vs nan)
{
    vs p = simde_mm_mul_ps(v, a);
    vs q = simde_mm_or_ps(v, simde_mm_castsi128_ps(simde_mm_set1_epi32((int)FRK_QUIET32)));
    vs fix = sel_s(simde_mm_cmpunord_ps(v, v), q, nan);
    return sel_s(simde_mm_cmpunord_ps(p, p), fix, p);
}

INL vd ld_d(const double *p) { return simde_mm_loadu_pd(p); }
INL void st_d(double *p, vd v) { simde_mm_storeu_pd(p, v); }
INL vd dup_d(double f) { return simde_mm_set1_pd(f); }
INL md gt_d(vd x) { return simde_mm_cmpgt_pd(x, simde_mm_setzero_pd()); }
INL vd vrelu_d(vd x) { return simde_mm_andnot_pd(simde_mm_cmple_pd(x, simde_mm_setzero_pd()), x); }
INL vd sel_d(md m, vd a, vd b)
{
    return simde_mm_or_pd(simde_mm_and_pd(m, a), simde_mm_andnot_pd(m, b));
}
INL vd zsel_d(md m, vd a) { return simde_mm_and_pd(m, a); }
INL unsigned bits_d(md m) { return (unsigned)simde_mm_movemask_pd(m); }
/* SSE2 has no 64-bit compare: test each bit in both halves of its lane. */
INL md unbits_d(uint64_t b)
{
    simde__m128i k = simde_mm_setr_epi32(1, 1, 2, 2);
    simde__m128i v = simde_mm_and_si128(simde_mm_set1_epi32((int)(b & 3)), k);
    return simde_mm_castsi128_pd(simde_mm_cmpeq_epi32(v, k));
}
INL vd mul_d(vd v, vd a, vd nan)
{
    vd p = simde_mm_mul_pd(v, a);
    vd q = simde_mm_or_pd(v, simde_mm_castsi128_pd(simde_mm_set1_epi64x((int64_t)FRK_QUIET64)));
    vd fix = sel_d(simde_mm_cmpunord_pd(v, v), q, nan);
    return sel_d(simde_mm_cmpunord_pd(p, p), fix, p);
}

#include "simd_body.h"

KERNELS(s, float, 4, frk_nanval32, frk_mul32)
KERNELS(d, double, 2, frk_nanval64, frk_mul64)

const struct frk_table FRK_TABLE(sse2) = {
    .isa = FR_ISA_SSE2,
    .name = NAME,
    .ops = {[FRK_S] = OPS(s), [FRK_D] = OPS(d)},
};
