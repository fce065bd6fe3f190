/* AVX-512 kernels (f32, f64): 512-bit compares into k-masks, four vectors a step. */
#include "kernels.h"

/* Emulated, vectors wider than the enabled ISA pass between static
   functions: no ABI boundary is crossed. */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

#include <simde/x86/avx512.h>

#ifdef FRK_EMUL
#define NAME "avx512 (emulated)"
#else
#define NAME "avx512"
#endif

#if defined(__GNUC__)
#define INL static inline __attribute__((always_inline))
#else
#define INL static inline
#endif

/* Vector type v<P>, lane-mask type m<P> and the primitives the kernels use. */
typedef simde__m512 vs;
typedef simde__mmask16 ms;
typedef simde__m512d vd;
typedef simde__mmask8 md;

INL vs ld_s(const float *p) { return simde_mm512_loadu_ps(p); }
INL void st_s(float *p, vs v) { simde_mm512_storeu_ps(p, v); }
INL vs dup_s(float f) { return simde_mm512_set1_ps(f); }
INL ms gt_s(vs x) { return simde_mm512_cmp_ps_mask(x, simde_mm512_setzero_ps(), SIMDE_CMP_GT_OQ); }
INL vs sel_s(ms m, vs a, vs b) { return simde_mm512_mask_blend_ps(m, b, a); }
INL vs zsel_s(ms m, vs a) { return simde_mm512_maskz_mov_ps(m, a); }
INL vs vrelu_s(vs x) { return zsel_s(simde_mm512_cmp_ps_mask(x, simde_mm512_setzero_ps(), SIMDE_CMP_NLE_UQ), x); }
INL unsigned bits_s(ms m) { return m; }
INL ms unbits_s(uint64_t b) { return (ms)(b & 0xffff); }
INL vs mul_s(vs v, vs a, vs nan)
{
    vs p = simde_mm512_mul_ps(v, a);
    simde__m512i q = simde_mm512_set1_epi32((int)FRK_QUIET32);
    p = simde_mm512_mask_mov_ps(p, simde_mm512_cmp_ps_mask(p, p, SIMDE_CMP_UNORD_Q), nan);
    /* a NaN v always gives a NaN p: overwrite those lanes with v quieted */
    return simde_mm512_castsi512_ps(simde_mm512_mask_or_epi32(
        simde_mm512_castps_si512(p), simde_mm512_cmp_ps_mask(v, v, SIMDE_CMP_UNORD_Q),
        simde_mm512_castps_si512(v), q));
}

INL vd ld_d(const double *p) { return simde_mm512_loadu_pd(p); }
INL void st_d(double *p, vd v) { simde_mm512_storeu_pd(p, v); }
INL vd dup_d(double f) { return simde_mm512_set1_pd(f); }
INL md gt_d(vd x) { return simde_mm512_cmp_pd_mask(x, simde_mm512_setzero_pd(), SIMDE_CMP_GT_OQ); }
INL vd sel_d(md m, vd a, vd b) { return simde_mm512_mask_blend_pd(m, b, a); }
INL vd zsel_d(md m, vd a) { return simde_mm512_maskz_mov_pd(m, a); }
INL vd vrelu_d(vd x) { return zsel_d(simde_mm512_cmp_pd_mask(x, simde_mm512_setzero_pd(), SIMDE_CMP_NLE_UQ), x); }
INL unsigned bits_d(md m) { return m; }
INL md unbits_d(uint64_t b) { return (md)(b & 0xff); }
INL vd mul_d(vd v, vd a, vd nan)
{
    vd p = simde_mm512_mul_pd(v, a);
    simde__m512i q = simde_mm512_set1_epi64((int64_t)FRK_QUIET64);
    p = simde_mm512_mask_mov_pd(p, simde_mm512_cmp_pd_mask(p, p, SIMDE_CMP_UNORD_Q), nan);
    return simde_mm512_castsi512_pd(simde_mm512_mask_or_epi64(
        simde_mm512_castpd_si512(p), simde_mm512_cmp_pd_mask(v, v, SIMDE_CMP_UNORD_Q),
        simde_mm512_castpd_si512(v), q));
}

#include "simd_body.h"

KERNELS(s, float, 16, frk_nanval32, frk_mul32)
KERNELS(d, double, 8, frk_nanval64, frk_mul64)

const struct frk_table FRK_TABLE(avx512) = {
    .isa = FR_ISA_AVX512,
    .name = NAME,
    .ops = {[FRK_S] = OPS(s), [FRK_D] = OPS(d)},
};
