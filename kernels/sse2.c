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

/* Holds a loaded vector in its register: GCC otherwise loads x a second
   time for the select rather than keep the first load live. */
#if defined(SIMDE_X86_SSE2_NATIVE) && defined(__GNUC__)
#define KEEP(v) __asm__("" : "+x"(v))
#else
#define KEEP(v) ((void)0)
#endif

INL vs ld_s(const float *p)
{
    vs v = simde_mm_loadu_ps(p);
    KEEP(v);
    return v;
}
INL void st_s(float *p, vs v) { simde_mm_storeu_ps(p, v); }
INL vs dup_s(float f) { return simde_mm_set1_ps(f); }
INL ms gt_s(vs x) { return simde_mm_cmpgt_ps(x, simde_mm_setzero_ps()); }
/* x when !(x <= 0): x > 0 or NaN, that is the bits above -infinity's as a
   signed integer (-0 below). An integer compare leaves x in its register:
   cmpleps would overwrite it, and GCC loaded x a second time instead. */
INL vs vrelu_s(vs x)
{
    simde__m128i i = simde_mm_castps_si128(x);
    return simde_mm_castsi128_ps(
        simde_mm_andnot_si128(simde_mm_cmpgt_epi32(simde_mm_set1_epi32((int32_t)0xff800001u), i), i));
}
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
INL vs mul0_s(vs v, vs a) { return simde_mm_mul_ps(v, a); }
/* any lane of a, b, c, d NaN */
INL int nan4_s(vs a, vs b, vs c, vs d)
{
    return simde_mm_movemask_ps(simde_mm_or_ps(simde_mm_cmpunord_ps(a, b), simde_mm_cmpunord_ps(c, d))) != 0;
}
INL vs mul_s(vs v, vs a, vs nan)
{
    vs p = simde_mm_mul_ps(v, a);
    vs q = simde_mm_or_ps(v, simde_mm_castsi128_ps(simde_mm_set1_epi32((int)FRK_QUIET32)));
    vs fix = sel_s(simde_mm_cmpunord_ps(v, v), q, nan);
    return sel_s(simde_mm_cmpunord_ps(p, p), fix, p);
}

INL vd ld_d(const double *p)
{
    vd v = simde_mm_loadu_pd(p);
    KEEP(v);
    return v;
}
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
INL vd mul0_d(vd v, vd a) { return simde_mm_mul_pd(v, a); }
INL int nan4_d(vd a, vd b, vd c, vd d)
{
    return simde_mm_movemask_pd(simde_mm_or_pd(simde_mm_cmpunord_pd(a, b), simde_mm_cmpunord_pd(c, d))) != 0;
}
INL vd mul_d(vd v, vd a, vd nan)
{
    vd p = simde_mm_mul_pd(v, a);
    vd q = simde_mm_or_pd(v, simde_mm_castsi128_pd(simde_mm_set1_epi64x((int64_t)FRK_QUIET64)));
    vd fix = sel_d(simde_mm_cmpunord_pd(v, v), q, nan);
    return sel_d(simde_mm_cmpunord_pd(p, p), fix, p);
}

/* Four vectors' masks and mask bits (simd_body.h): lanes to bits by packs in
   order for one pmovmskb, where four movmskps take three shifts and three
   ors more; bits to lanes from one broadcast, a constant per vector. */
#define BITS4
#define UNBITS4
INL uint64_t bits4_s(const ms *m)
{
    simde__m128i a = simde_mm_packs_epi32(simde_mm_castps_si128(m[0]), simde_mm_castps_si128(m[1]));
    simde__m128i b = simde_mm_packs_epi32(simde_mm_castps_si128(m[2]), simde_mm_castps_si128(m[3]));
    return (uint32_t)simde_mm_movemask_epi8(simde_mm_packs_epi16(a, b));
}
/* the low half of each 64-bit lane, then as bits4_s */
INL uint64_t bits4_d(const md *m)
{
    vs a = simde_mm_shuffle_ps(simde_mm_castpd_ps(m[0]), simde_mm_castpd_ps(m[1]), 0x88);
    vs b = simde_mm_shuffle_ps(simde_mm_castpd_ps(m[2]), simde_mm_castpd_ps(m[3]), 0x88);
    simde__m128i c = simde_mm_packs_epi32(simde_mm_castps_si128(a), simde_mm_castps_si128(b));
    return (uint32_t)simde_mm_movemask_epi8(simde_mm_packs_epi16(c, c)) & 0xff;
}
INL void unbits4_s(int full, uint64_t b, ms *g)
{
    simde__m128i v = simde_mm_set1_epi32((int)(b & 0xffff));
    int j;
    (void)full;
    for (j = 0; j < 4; j++) {
        simde__m128i k = simde_mm_setr_epi32(1 << 4 * j, 2 << 4 * j, 4 << 4 * j, 8 << 4 * j);
        g[j] = simde_mm_castsi128_ps(simde_mm_cmpeq_epi32(simde_mm_and_si128(v, k), k));
    }
}
INL void unbits4_d(int full, uint64_t b, md *g)
{
    simde__m128i v = simde_mm_set1_epi32((int)(b & 0xff));
    int j;
    (void)full;
    for (j = 0; j < 4; j++) {
        simde__m128i k = simde_mm_setr_epi32(1 << 2 * j, 1 << 2 * j, 2 << 2 * j, 2 << 2 * j);
        g[j] = simde_mm_castsi128_pd(simde_mm_cmpeq_epi32(simde_mm_and_si128(v, k), k));
    }
}

/* Leaky selects by max and min (simd_body.h, MAXSEL). */
#define MAXSEL 1
#define MAXSEL_MASK 1
#define MAX_(P, x, p) max_##P(x, p)
#define MIN_(P, x, p) min_##P(x, p)
INL vs max_s(vs x, vs p) { return simde_mm_max_ps(x, p); }
INL vs min_s(vs x, vs p) { return simde_mm_min_ps(x, p); }
INL vd max_d(vd x, vd p) { return simde_mm_max_pd(x, p); }
INL vd min_d(vd x, vd p) { return simde_mm_min_pd(x, p); }

/* Non-temporal stores to 16-byte aligned p. */
INL void stn_s(float *p, vs v) { simde_mm_stream_ps(p, v); }
INL void stn_d(double *p, vd v) { simde_mm_stream_pd(p, v); }

/* Mask forwards: 64 elements a step (simd_body.h). */
#define FGRP_s 64
#define FGRP_d 64

/* In place beyond the L2: prefetch, halves only (simd_body.h). */
#define PF_HALF 1

#include "simd_body.h"

/* binary16 and bfloat16: 8 lanes of 16 bits; SSE2 has no F16C, so both
   precisions convert to and from f32 in integer arithmetic. */
typedef simde__m128i vh, mh;
typedef simde__m128i vi;

INL vh ld_h(const uint16_t *p)
{
    vh v = simde_mm_loadu_si128((const void *)p);
    KEEP(v);
    return v;
}
INL void st_h(uint16_t *p, vh v) { simde_mm_storeu_si128((void *)p, v); }
INL void stn_h(uint16_t *p, vh v) { simde_mm_stream_si128((void *)p, v); }
INL vh dup_h(uint16_t c) { return simde_mm_set1_epi16((int16_t)c); }
INL vi dup_i(uint32_t c) { return simde_mm_set1_epi32((int32_t)c); }
/* 0 < x <= inf as one signed compare: x + 0x7fff wraps exactly those x to
   -32768 .. inf - 32769 */
INL mh pos_h(vh x, int16_t inf)
{
    return simde_mm_cmpgt_epi16(simde_mm_set1_epi16((int16_t)(inf - 0x8000)),
                                simde_mm_add_epi16(x, simde_mm_set1_epi16(0x7fff)));
}
/* ninf + 1 > x, not x > ninf: GCC turns the latter into x >= ninf + 1,
   which it builds from pminsw and pcmpeqw, one instruction more. */
INL vh keep_h(vh x, int16_t ninf)
{
    return simde_mm_andnot_si128(simde_mm_cmpgt_epi16(simde_mm_set1_epi16((int16_t)(ninf + 1)), x), x);
}
INL vi sel_i(vi m, vi a, vi b)
{
    return simde_mm_or_si128(simde_mm_and_si128(m, a), simde_mm_andnot_si128(m, b));
}
INL vh sel_h(mh m, vh a, vh b) { return sel_i(m, a, b); }
INL vh zsel_h(mh m, vh a) { return simde_mm_and_si128(m, a); }
INL unsigned bits_h(mh m)
{
    return (unsigned)simde_mm_movemask_epi8(simde_mm_packs_epi16(m, m)) & 0xff;
}
INL uint64_t bits2_h(mh m0, mh m1)
{
    return (unsigned)simde_mm_movemask_epi8(simde_mm_packs_epi16(m0, m1));
}
INL mh unbits_h(uint64_t b)
{
    simde__m128i k = simde_mm_setr_epi16(1, 2, 4, 8, 16, 32, 64, 128);
    simde__m128i v = simde_mm_and_si128(simde_mm_set1_epi16((int16_t)(b & 0xff)), k);
    return simde_mm_cmpeq_epi16(v, k);
}

/* Zero-extended halves in 32-bit lanes to f32, exactly. Subnormals are
   converted as integers times 2^-24, so that no lane meets a subnormal f32,
   which some cores handle in slow microcode. */
INL vs h2f(vi w)
{
    vi t = simde_mm_slli_epi32(simde_mm_and_si128(w, dup_i(0x7fff)), 13);
    vi e = simde_mm_and_si128(t, dup_i(0x0f800000));
    vi f = simde_mm_add_epi32(t, dup_i(112u << 23));
    vs sub = simde_mm_mul_ps(simde_mm_cvtepi32_ps(simde_mm_and_si128(w, dup_i(0x3ff))),
                             simde_mm_set1_ps(1.0f / 16777216.0f));
    f = simde_mm_add_epi32(f, simde_mm_and_si128(simde_mm_cmpeq_epi32(e, dup_i(0x0f800000)),
                                                 dup_i(112u << 23)));
    f = sel_i(simde_mm_cmpeq_epi32(e, simde_mm_setzero_si128()), simde_mm_castps_si128(sub), f);
    return simde_mm_castsi128_ps(
        simde_mm_or_si128(f, simde_mm_slli_epi32(simde_mm_and_si128(w, dup_i(0x8000)), 16)));
}

/* f32 to binary16 as frk_f2h, sign-extended in 32-bit lanes. */
INL vi f2h(vs p)
{
    vi u = simde_mm_castps_si128(p), a = simde_mm_and_si128(u, dup_i(0x7fffffff));
    vi odd = simde_mm_and_si128(simde_mm_srli_epi32(a, 13), dup_i(1));
    vi r = simde_mm_srli_epi32(
        simde_mm_add_epi32(simde_mm_sub_epi32(a, dup_i((112u << 23) - 0xfff)), odd), 13);
    /* below 2^-14: 0.5 + a rounds a to a multiple of 2^-24 */
    vi sub = simde_mm_sub_epi32(
        simde_mm_castps_si128(simde_mm_add_ps(simde_mm_castsi128_ps(a), simde_mm_set1_ps(0.5f))),
        dup_i(0x3f000000));
    vi nan = simde_mm_or_si128(simde_mm_and_si128(simde_mm_srli_epi32(a, 13), dup_i(0x3ff)),
                               dup_i(0x7e00));
    r = sel_i(simde_mm_cmpgt_epi32(dup_i(0x38800000), a), sub, r);
    r = sel_i(simde_mm_cmpgt_epi32(a, dup_i(0x477fefff)), dup_i(0x7c00), r);
    r = sel_i(simde_mm_cmpgt_epi32(a, dup_i(0x7f800000)), nan, r);
    return simde_mm_or_si128(r, simde_mm_and_si128(simde_mm_srai_epi32(u, 16), dup_i(0xffff8000)));
}

/* f32 to bfloat16 as frk_f2b, sign-extended in 32-bit lanes. A quiet NaN
   is kept when gen; else the only NaNs are widened NaN v quieted, whose low
   16 bits are zero, so the rounding add leaves them as they are. */
INL vi f2b(int gen, vs p)
{
    vi u = simde_mm_castps_si128(p);
    vi rnd = simde_mm_add_epi32(simde_mm_and_si128(simde_mm_srli_epi32(u, 16), dup_i(1)),
                                dup_i(0x7fff));
    if (gen)
        rnd = simde_mm_andnot_si128(simde_mm_castps_si128(simde_mm_cmpunord_ps(p, p)), rnd);
    return simde_mm_srai_epi32(simde_mm_add_epi32(u, rnd), 16);
}

/* Unless gen, alpha is finite and nonzero: a product is NaN only where v is,
   and with one NaN operand IEEE multiplication returns it quieted, as the
   NaN rule says. */
INL vs fmul(int gen, vs v, vs a, vs nan) { return gen ? mul_s(v, a, nan) : simde_mm_mul_ps(v, a); }

/* |v| (zero-extended, below 2^15) to f32, exactly, for a finite v; the
   exponent bias added as an integer, and subnormal v through 2^-14 +
   v * 2^-24 - 2^-14, so that no f32 subnormal is met. */
INL vs habs2f(vi w)
{
    vi t = simde_mm_slli_epi32(w, 13);
    vi sub = simde_mm_cmpgt_epi32(dup_i(1u << 23), t);
    vi f = simde_mm_add_epi32(simde_mm_add_epi32(t, dup_i(112u << 23)),
                              simde_mm_and_si128(sub, dup_i(1u << 23)));
    return simde_mm_sub_ps(simde_mm_castsi128_ps(f),
                           simde_mm_castsi128_ps(simde_mm_and_si128(sub, dup_i(113u << 23))));
}

/* A product p >= 0 (+infinity included) to binary16 as frk_f2h, in 32-bit
   lanes; a result past 0x7c00 is clamped to infinity after packing. */
INL vi f2h_pos(vs p)
{
    vi u = simde_mm_castps_si128(p);
    vi odd = simde_mm_and_si128(simde_mm_srli_epi32(u, 13), dup_i(1));
    vi r = simde_mm_srli_epi32(
        simde_mm_add_epi32(simde_mm_add_epi32(u, dup_i(0xfff - (112u << 23))), odd), 13);
    vi sub = simde_mm_sub_epi32(
        simde_mm_castps_si128(simde_mm_add_ps(p, simde_mm_set1_ps(0.5f))), dup_i(0x3f000000));
    return sel_i(simde_mm_cmpgt_epi32(dup_i(0x38800000), u), sub, r);
}

/* alpha * v for a finite nonzero alpha, as mulv_h with gen 0 gives it but
   in about 60 instead of 100 operations: |v| * |alpha|, the sign after
   rounding, infinities and NaNs (quieted) set in binary16. */
INL vh hmul_fin(vh v, vs a)
{
    vi z = simde_mm_setzero_si128();
    vh m = simde_mm_and_si128(v, dup_h(0x7fff));
    vs aa = simde_mm_and_ps(a, simde_mm_castsi128_ps(dup_i(0x7fffffff)));
    vh sg = simde_mm_and_si128(simde_mm_packs_epi32(simde_mm_castps_si128(a), simde_mm_castps_si128(a)),
                               dup_h(0x8000));
    vs lo = simde_mm_mul_ps(habs2f(simde_mm_unpacklo_epi16(m, z)), aa);
    vs hi = simde_mm_mul_ps(habs2f(simde_mm_unpackhi_epi16(m, z)), aa);
    vh r = simde_mm_min_epi16(simde_mm_packs_epi32(f2h_pos(lo), f2h_pos(hi)), dup_h(0x7c00));
    r = simde_mm_max_epi16(r, simde_mm_and_si128(simde_mm_cmpgt_epi16(m, dup_h(0x7bff)), dup_h(0x7c00)));
    r = simde_mm_or_si128(r, simde_mm_and_si128(simde_mm_xor_si128(v, sg), dup_h(0x8000)));
    return sel_i(simde_mm_cmpgt_epi16(m, dup_h(0x7c00)), simde_mm_or_si128(v, dup_h(0x0200)), r);
}

INL vh mulv_h(int gen, vh v, vs a, vs nan, vh hn)
{
    vi z = simde_mm_setzero_si128();
    if (!gen)
        return hmul_fin(v, a);
    vs lo = fmul(gen, h2f(simde_mm_unpacklo_epi16(v, z)), a, nan);
    vs hi = fmul(gen, h2f(simde_mm_unpackhi_epi16(v, z)), a, nan);
    (void)hn;
    return simde_mm_packs_epi32(f2h(lo), f2h(hi));
}

INL vh mulv_b(int gen, vh v, vs a, vs nan, vh hn)
{
    vi z = simde_mm_setzero_si128();
    vs lo = fmul(gen, simde_mm_castsi128_ps(simde_mm_unpacklo_epi16(z, v)), a, nan);
    vs hi = fmul(gen, simde_mm_castsi128_ps(simde_mm_unpackhi_epi16(z, v)), a, nan);
    (void)hn;
    return simde_mm_packs_epi32(f2b(gen, lo), f2b(gen, hi));
}

#define INC2_RELU1 1
#include "simd_half.h"

HALF_KERNELS(8)

KERNELS(s, float, 4, frk_nanval32, frk_mul32)
KERNELS(d, double, 2, frk_nanval64, frk_mul64)

/* Increment 2 (INC2 of simd_body.h): each addressed element is loaded and
   stored on its own; the gaps between them are neither read nor written. */

INL vs ld2_s(const float *x)
{
    return simde_mm_setr_ps(ld1_s(x), ld1_s(x + 2), ld1_s(x + 4), ld1_s(x + 6));
}

INL void st2_s(float *y, vs v) { put4_s(y, v); }

INL vd ld2_d(const double *x) { return simde_mm_setr_pd(ld1_d(x), ld1_d(x + 2)); }

INL void st2_d(double *y, vd v) { put2_d(y, v); }

INC2(s, float, 4, frk_nanval32)
INC2(d, double, 2, frk_nanval64)

INL vh ld2_h(const uint16_t *x) { return simde_mm_set_epi64x(ld4_16(x + 8), ld4_16(x)); }

INL void st2_h(uint16_t *y, vh v) { put8_16(y, v); }

INC2H(h, 8, 0x7c00)
INC2H(b, 8, 0x7f80)

const struct frk_table FRK_TABLE(sse2) = {
    .isa = FR_ISA_SSE2,
    .name = NAME,
    .ops = {[FRK_S] = OPS(s), [FRK_D] = OPS(d), [FRK_H] = OPS(h),
            [FRK_B] = OPS(b)},
    .relu_inc2 = {[FRK_S] = relu_inc2_s, [FRK_D] = relu_inc2_d, [FRK_H] = relu_inc2_h,
                  [FRK_B] = relu_inc2_b},
    .leaky_inc2 = {[FRK_S] = leaky_inc2_s, [FRK_D] = leaky_inc2_d, [FRK_H] = leaky_inc2_h,
                   [FRK_B] = leaky_inc2_b},
};
