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
INL vs mul0_s(vs v, vs a) { return simde_mm256_mul_ps(v, a); }
/* any lane of a, b, c, d NaN */
INL int nan4_s(vs a, vs b, vs c, vs d)
{
    return simde_mm256_movemask_ps(simde_mm256_or_ps(simde_mm256_cmp_ps(a, b, SIMDE_CMP_UNORD_Q),
                                                     simde_mm256_cmp_ps(c, d, SIMDE_CMP_UNORD_Q))) != 0;
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
INL vd mul0_d(vd v, vd a) { return simde_mm256_mul_pd(v, a); }
INL int nan4_d(vd a, vd b, vd c, vd d)
{
    return simde_mm256_movemask_pd(simde_mm256_or_pd(simde_mm256_cmp_pd(a, b, SIMDE_CMP_UNORD_Q),
                                                     simde_mm256_cmp_pd(c, d, SIMDE_CMP_UNORD_Q))) != 0;
}
INL vd mul_d(vd v, vd a, vd nan)
{
    vd p = simde_mm256_mul_pd(v, a);
    vd q = simde_mm256_or_pd(v, simde_mm256_castsi256_pd(simde_mm256_set1_epi64x((int64_t)FRK_QUIET64)));
    vd fix = sel_d(simde_mm256_cmp_pd(v, v, SIMDE_CMP_UNORD_Q), q, nan);
    return sel_d(simde_mm256_cmp_pd(p, p, SIMDE_CMP_UNORD_Q), fix, p);
}

/* Four vectors' lane masks from mask bits (simd_body.h): one vpsllv a
   vector moves lane l's bit to the sign, all blendv reads; full masks take
   one more instruction. Four unbits_ take a broadcast, an and and a compare
   a vector. */
#define UNBITS4
INL void unbits4_s(int full, uint64_t b, ms *g)
{
    simde__m256i v = simde_mm256_set1_epi32((int32_t)(uint32_t)b);
    int j;
    for (j = 0; j < 4; j++) {
        int k = 31 - 8 * j;
        simde__m256i t = simde_mm256_sllv_epi32(
            v, simde_mm256_setr_epi32(k, k - 1, k - 2, k - 3, k - 4, k - 5, k - 6, k - 7));
        g[j] = simde_mm256_castsi256_ps(full ? simde_mm256_srai_epi32(t, 31) : t);
    }
}
INL void unbits4_d(int full, uint64_t b, md *g)
{
    simde__m256i v = simde_mm256_set1_epi32((int32_t)(b & 0xffff));
    int j;
    for (j = 0; j < 4; j++) {
        int k = 63 - 4 * j;
        simde__m256i t = simde_mm256_sllv_epi64(v, simde_mm256_setr_epi64x(k, k - 1, k - 2, k - 3));
        g[j] = simde_mm256_castsi256_pd(
            full ? simde_mm256_cmpgt_epi64(simde_mm256_setzero_si256(), t) : t);
    }
}

/* Leaky selects by max and min (simd_body.h, MAXSEL). The mask forwards
   keep the compare: with max their f32 loop ran 0.89x in the L3
   (bench/NOTES.md entry 37). */
#define MAXSEL 1
#define MAXSEL_MASK 0
#define MAX_(P, x, p) max_##P(x, p)
#define MIN_(P, x, p) min_##P(x, p)
INL vs max_s(vs x, vs p) { return simde_mm256_max_ps(x, p); }
INL vs min_s(vs x, vs p) { return simde_mm256_min_ps(x, p); }
INL vd max_d(vd x, vd p) { return simde_mm256_max_pd(x, p); }
INL vd min_d(vd x, vd p) { return simde_mm256_min_pd(x, p); }

/* Non-temporal stores to 32-byte aligned p. */
INL void stn_s(float *p, vs v) { simde_mm256_stream_ps(p, v); }
INL void stn_d(double *p, vd v) { simde_mm256_stream_pd(p, v); }

/* In place beyond the L2: prefetch, f32/f64 forwards and halves (simd_body.h). */
#define PF_FWD 1
#define PF_HALF 1

#include "simd_body.h"

/* binary16 and bfloat16: 16 lanes of 16 bits. f16 converts with F16C,
   bf16 in integer arithmetic; unpack and pack both work within 128-bit
   halves, so a bf16 round trip keeps the lane order. */
#include <simde/x86/f16c.h>

typedef simde__m256i vh, mh;
typedef simde__m256i vi;

INL vh ld_h(const uint16_t *p) { return simde_mm256_loadu_si256((const void *)p); }
INL void st_h(uint16_t *p, vh v) { simde_mm256_storeu_si256((void *)p, v); }
INL void stn_h(uint16_t *p, vh v) { simde_mm256_stream_si256((void *)p, v); }
INL vh dup_h(uint16_t c) { return simde_mm256_set1_epi16((int16_t)c); }
INL vi dup_i(uint32_t c) { return simde_mm256_set1_epi32((int32_t)c); }
/* 0 < x <= inf: see pos_h in sse2.c */
INL mh pos_h(vh x, int16_t inf)
{
    return simde_mm256_cmpgt_epi16(simde_mm256_set1_epi16((int16_t)(inf - 0x8000)),
                                   simde_mm256_add_epi16(x, simde_mm256_set1_epi16(0x7fff)));
}
/* ninf + 1 > x: see keep_h in sse2.c */
INL vh keep_h(vh x, int16_t ninf)
{
    return simde_mm256_andnot_si256(
        simde_mm256_cmpgt_epi16(simde_mm256_set1_epi16((int16_t)(ninf + 1)), x), x);
}
INL vh sel_h(mh m, vh a, vh b) { return simde_mm256_blendv_epi8(b, a, m); }
INL vh zsel_h(mh m, vh a) { return simde_mm256_and_si256(m, a); }
/* packs leaves lanes 0-7 in bytes 0-7 and lanes 8-15 in bytes 16-23 */
INL unsigned bits_h(mh m)
{
    unsigned b = (unsigned)simde_mm256_movemask_epi8(simde_mm256_packs_epi16(m, m));
    return (b & 0xff) | (b >> 8 & 0xff00);
}
/* packs of two masks, 64-bit blocks m0 0-7, m1 0-7, m0 8-15, m1 8-15, put
   in order by one vpermq */
INL uint64_t bits2_h(mh m0, mh m1)
{
    return (uint32_t)simde_mm256_movemask_epi8(
        simde_mm256_permute4x64_epi64(simde_mm256_packs_epi16(m0, m1), 0xd8));
}
INL mh unbits_h(uint64_t b)
{
    simde__m256i k = simde_mm256_setr_epi16(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048,
                                            4096, 8192, 16384, INT16_MIN);
    simde__m256i v = simde_mm256_and_si256(simde_mm256_set1_epi16((int16_t)(b & 0xffff)), k);
    return simde_mm256_cmpeq_epi16(v, k);
}

INL mh hnan(vh x, int16_t inf)
{
    return simde_mm256_cmpgt_epi16(simde_mm256_and_si256(x, dup_h(0x7fff)),
                                   simde_mm256_set1_epi16(inf));
}

/* Unless gen, alpha is finite and nonzero: a product is NaN only where v is,
   and with one NaN operand IEEE multiplication returns it quieted, as the
   NaN rule says. */
INL vs fmul(int gen, vs v, vs a, vs nan) { return gen ? mul_s(v, a, nan) : simde_mm256_mul_ps(v, a); }

/* The product through f32, rounded by F16C, which keeps NaN payloads. When
   gen, NaN lanes are set afterwards in binary16 as the NaN rule says, and so
   are those of NaN v where F16C is emulated: SIMDe's drops payloads. */
INL vh mulv_h(int gen, vh v, vs a, vs nan, vh hn)
{
    const int rn = SIMDE_MM_FROUND_TO_NEAREST_INT | SIMDE_MM_FROUND_NO_EXC;
    vs lo = simde_mm256_mul_ps(simde_mm256_cvtph_ps(simde_mm256_castsi256_si128(v)), a);
    vs hi = simde_mm256_mul_ps(simde_mm256_cvtph_ps(simde_mm256_extracti128_si256(v, 1)), a);
    vh r = simde_mm256_setr_m128i(simde_mm256_cvtps_ph(lo, rn), simde_mm256_cvtps_ph(hi, rn));
    vh q = simde_mm256_or_si256(v, dup_h(0x0200));
    (void)nan;
    if (gen)
        return sel_h(hnan(r, 0x7c00), sel_h(hnan(v, 0x7c00), q, hn), r);
#if !defined(SIMDE_X86_F16C_NATIVE)
    r = sel_h(hnan(v, 0x7c00), q, r);
#endif
    return r;
}

/* With a finite nonzero alpha (LKP_h, LKB_h of simd_half.h) 8 halves at a
   time straight from memory, so that no loaded vector is split in two: the
   forward multiplies the lanes with x <= 0, or with the sign bit set when
   alpha > 0 (one blendv, no compare; kept lanes round-trip exactly, NaNs
   quieted), the backward blends the kept dy in after rounding. Native
   F16C only: SIMDe's drops the NaN payloads that kept lanes carry. */
#if defined(SIMDE_X86_F16C_NATIVE)
#define LKP_h 1
INL void lkp_h(int nt, int pos, const uint16_t *x, uint16_t *y, vs a)
{
    for (int j = 0; j < 2; j++) {
        vs f = simde_mm256_cvtph_ps(simde_mm_loadu_si128((const void *)(x + 8 * j)));
        vs m = pos ? f : simde_mm256_cmp_ps(f, simde_mm256_setzero_ps(), SIMDE_CMP_LE_OQ);
        f = simde_mm256_blendv_ps(f, simde_mm256_mul_ps(f, a), m);
        simde__m128i r = simde_mm256_cvtps_ph(f, SIMDE_MM_FROUND_TO_NEAREST_INT | SIMDE_MM_FROUND_NO_EXC);
        if (nt)
            simde_mm_stream_si128((void *)(y + 8 * j), r);
        else
            simde_mm_storeu_si128((void *)(y + 8 * j), r);
    }
}

#define LKB_h 1
INL void lkb_h(int nt, mh m, const uint16_t *dy, uint16_t *dx, vs a)
{
    const int rn = SIMDE_MM_FROUND_TO_NEAREST_INT | SIMDE_MM_FROUND_NO_EXC;
    simde__m128i lo = simde_mm256_cvtps_ph(
        simde_mm256_mul_ps(simde_mm256_cvtph_ps(simde_mm_loadu_si128((const void *)dy)), a), rn);
    simde__m128i hi = simde_mm256_cvtps_ph(
        simde_mm256_mul_ps(simde_mm256_cvtph_ps(simde_mm_loadu_si128((const void *)(dy + 8))), a), rn);
    vh r = simde_mm256_blendv_epi8(simde_mm256_setr_m128i(lo, hi), ld_h(dy), m);
    if (nt)
        stn_h(dx, r);
    else
        st_h(dx, r);
}
#endif

/* f32 to bfloat16 as frk_f2b, in the upper half of 32-bit lanes (the lower
   half is left over), for products that may be NaN anywhere (gen): quiet
   NaNs are kept, not rounded. */
INL vi f2bq(vs p)
{
    vi u = simde_mm256_castps_si256(p);
    vi rnd = simde_mm256_add_epi32(simde_mm256_and_si256(simde_mm256_srli_epi32(u, 16), dup_i(1)),
                                   dup_i(0x7fff));
    rnd = simde_mm256_andnot_si256(simde_mm256_castps_si256(simde_mm256_cmp_ps(p, p, SIMDE_CMP_UNORD_Q)), rnd);
    return simde_mm256_add_epi32(u, rnd);
}

/* The products of the even (pe) and odd (po) lanes of a bf16 vector, neither
   NaN unless it came from a NaN lane (so its low 16 bits are zero), rounded
   as frk_f2b in lane order, with 16-bit arithmetic: h the truncations, l the
   16 bits below them. Round up where l > 0x8000, or l == 0x8000 and h is
   odd: where l | (h & 1) > 0x8000, bit 15 of its average with 0x7ffe. */
INL vh f2b2(vs pe, vs po)
{
    vi ev = simde_mm256_castps_si256(pe), od = simde_mm256_castps_si256(po);
    vh h = simde_mm256_blend_epi16(simde_mm256_srli_epi32(ev, 16), od, 0xaa);
    vh l = simde_mm256_blend_epi16(ev, simde_mm256_slli_epi32(od, 16), 0xaa);
    l = simde_mm256_or_si256(l, simde_mm256_and_si256(h, dup_h(1)));
    return simde_mm256_add_epi16(h, simde_mm256_srli_epi16(simde_mm256_avg_epu16(l, dup_h(0x7ffe)), 15));
}

/* Even lanes widened by a shift, odd lanes by a mask, so that no unpack or
   pack is needed. */
INL vs evn_b(vh v) { return simde_mm256_castsi256_ps(simde_mm256_slli_epi32(v, 16)); }
INL vs odd_b(vh v) { return simde_mm256_castsi256_ps(simde_mm256_and_si256(v, dup_i(0xffff0000u))); }

INL vh mulv_b(int gen, vh v, vs a, vs nan, vh hn)
{
    vs ev = fmul(gen, evn_b(v), a, nan), od = fmul(gen, odd_b(v), a, nan);
    (void)hn;
    if (!gen)
        return f2b2(ev, od);
    return simde_mm256_blend_epi16(simde_mm256_srli_epi32(f2bq(ev), 16), f2bq(od), 0xaa);
}

/* The leaky forward for a finite nonzero alpha. With alpha > 0 (pos) each
   lane is multiplied by 1 or, where its sign bit is set, by alpha, picked by
   vblendvps: x * 1 is x (NaN quieted), and rounds back to x exactly. */
#define LKP_b 1
INL void lkp_b(int nt, int pos, const uint16_t *x, uint16_t *y, vs a)
{
    vh v = ld_h(x), r;
    vs ev = evn_b(v), od = odd_b(v), one = dup_s(1);
    if (pos)
        r = f2b2(simde_mm256_mul_ps(ev, simde_mm256_blendv_ps(one, a, ev)),
                 simde_mm256_mul_ps(od, simde_mm256_blendv_ps(one, a, od)));
    else
        r = sel_h(pos_h(v, 0x7f80), v, f2b2(simde_mm256_mul_ps(ev, a), simde_mm256_mul_ps(od, a)));
    if (nt)
        stn_h(y, r);
    else
        st_h(y, r);
}

#define INC2_RELU1 1
#include "simd_half.h"

HALF_KERNELS(16)

KERNELS(s, float, 8, frk_nanval32, frk_mul32)
KERNELS(d, double, 4, frk_nanval64, frk_mul64)

/* Increment 2 (INC2 of simd_body.h): each addressed element is loaded and
   stored on its own; the gaps between them are neither read nor written. */

INL vs ld2_s(const float *x)
{
    return simde_mm256_setr_ps(ld1_s(x), ld1_s(x + 2), ld1_s(x + 4), ld1_s(x + 6), ld1_s(x + 8),
                               ld1_s(x + 10), ld1_s(x + 12), ld1_s(x + 14));
}

INL void st2_s(float *y, vs v) { put8_s(y, v); }

INL vd ld2_d(const double *x)
{
    return simde_mm256_setr_pd(ld1_d(x), ld1_d(x + 2), ld1_d(x + 4), ld1_d(x + 6));
}

INL void st2_d(double *y, vd v) { put4_d(y, v); }

INC2(s, float, 8, frk_nanval32)
INC2(d, double, 4, frk_nanval64)

INL vh ld2_h(const uint16_t *x)
{
    return simde_mm256_setr_epi64x(ld4_16(x), ld4_16(x + 8), ld4_16(x + 16), ld4_16(x + 24));
}

INL void st2_h(uint16_t *y, vh v) { put16_16(y, v); }

INC2H(h, 16, 0x7c00)
INC2H(b, 16, 0x7f80)

const struct frk_table FRK_TABLE(avx2) = {
    .isa = FR_ISA_AVX2,
    .name = NAME,
    .ops = {[FRK_S] = OPS(s), [FRK_D] = OPS(d), [FRK_H] = OPS(h),
            [FRK_B] = OPS(b)},
    .relu_inc2 = {[FRK_S] = relu_inc2_s, [FRK_D] = relu_inc2_d, [FRK_H] = relu_inc2_h,
                  [FRK_B] = relu_inc2_b},
    .leaky_inc2 = {[FRK_S] = leaky_inc2_s, [FRK_D] = leaky_inc2_d, [FRK_H] = leaky_inc2_h,
                   [FRK_B] = leaky_inc2_b},
};
