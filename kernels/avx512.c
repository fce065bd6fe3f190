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
INL vs mul0_s(vs v, vs a) { return simde_mm512_mul_ps(v, a); }
/* any lane of a, b, c, d NaN */
INL int nan4_s(vs a, vs b, vs c, vs d)
{
    return (simde_mm512_cmp_ps_mask(a, b, SIMDE_CMP_UNORD_Q) |
            simde_mm512_cmp_ps_mask(c, d, SIMDE_CMP_UNORD_Q)) != 0;
}
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
INL vd mul0_d(vd v, vd a) { return simde_mm512_mul_pd(v, a); }
INL int nan4_d(vd a, vd b, vd c, vd d)
{
    return (simde_mm512_cmp_pd_mask(a, b, SIMDE_CMP_UNORD_Q) |
            simde_mm512_cmp_pd_mask(c, d, SIMDE_CMP_UNORD_Q)) != 0;
}
INL vd mul_d(vd v, vd a, vd nan)
{
    vd p = simde_mm512_mul_pd(v, a);
    simde__m512i q = simde_mm512_set1_epi64((int64_t)FRK_QUIET64);
    p = simde_mm512_mask_mov_pd(p, simde_mm512_cmp_pd_mask(p, p, SIMDE_CMP_UNORD_Q), nan);
    return simde_mm512_castsi512_pd(simde_mm512_mask_or_epi64(
        simde_mm512_castpd_si512(p), simde_mm512_cmp_pd_mask(v, v, SIMDE_CMP_UNORD_Q),
        simde_mm512_castpd_si512(v), q));
}

/* Non-temporal stores to 64-byte aligned p. SIMDe 0.7.4 has no 512-bit
   stream: native builds use the intrinsic, emulated ones an aligned store. */
#if defined(SIMDE_X86_AVX512F_NATIVE)
INL void stn_s(float *p, vs v) { _mm512_stream_ps(p, v); }
INL void stn_d(double *p, vd v) { _mm512_stream_pd(p, v); }
#else
INL void stn_s(float *p, vs v) { simde_mm512_store_ps(p, v); }
INL void stn_d(double *p, vd v) { simde_mm512_store_pd(p, v); }
#endif

/* Increment-2 stores take another form (st2b_) beyond the last-level cache. */
#if defined(SIMDE_X86_AVX512F_NATIVE) && !defined(FRK_EMUL)
#define INC2_BIG 1
#define ST2(P, big, y, v) ((big) ? st2b_##P(y, v) : st2_##P(y, v))
#endif

/* In cache, the mask backwards load each vector's lane mask from memory
   (kmovw / kmovb k, m): one 64-bit load split by kshift spent port 5, which
   the blends need; 1.1-1.2x at 2K-4K f32. */
#define LDBITS4 1
#if defined(SIMDE_X86_AVX512F_NATIVE) && defined(__GNUC__)
#define KLD(ins, g, p) __asm__(ins " %1, %0" : "=k"(g) : "m"(*(p)))
#define KLDW(g, m) KLD("kmovw", g, (const uint16_t *)(const void *)(m))
#define KLDB(g, m) KLD("kmovb", g, m)
#else
#define KLDW(g, m) ((g) = (ms)((m)[0] | (m)[1] << 8))
#define KLDB(g, m) ((g) = (md)(m)[0])
#endif
#define LDBITS4_FN(P, M, KL, nb)                                               \
    INL void ldbits4_##P(int full, const uint8_t *m, M *g)                     \
    {                                                                          \
        unsigned j;                                                            \
        (void)full;                                                            \
        for (j = 0; j < 4; j++)                                                \
            KL(g[j], m + (nb) * j);                                            \
    }
LDBITS4_FN(s, ms, KLDW, 2)
LDBITS4_FN(d, md, KLDB, 1)

/* Leaky forwards and x-based backwards: lkmul_ below. */
#define LKMUL 1

/* Mask forwards: 256 f32 or 64 f64 elements a step (simd_body.h). */
#define FGRP_s 256
#define FGRP_d 64

/* In place beyond the L2: prefetch, halves only (simd_body.h). */
#define PF_HALF 1

#include "simd_body.h"

/* v * a under the mask of x <= 0 or NaN: one micro-op where a product and a
   blend took two. Written as the instruction itself: clang may turn the
   masked product into v * (a where the mask, else 1), which quiets a
   signalling NaN dy that should pass bit for bit (PIN's comment in
   simd_body.h); emulated, a pinned product and a blend. */
#if defined(SIMDE_X86_AVX512F_NATIVE) && defined(__GNUC__)
#define LKMUL_OP(P, V, v, k, a) __asm__("vmul" #P " %2, %0, %0%{%1%}" : "+v"(v) : "Yk"(k), "v"(a))
#else
#define LKMUL_OP(P, V, v, k, a)                                                \
    do {                                                                       \
        V p_ = simde_mm512_mul_##P(v, a);                                      \
        PIN(p_);                                                               \
        v = simde_mm512_mask_mov_##P(v, k, p_);                                \
    } while (0)
#endif
INL vs lkmul_s(vs x, vs v, vs a)
{
    ms k = simde_mm512_cmp_ps_mask(x, simde_mm512_setzero_ps(), SIMDE_CMP_NGT_UQ);
    LKMUL_OP(ps, vs, v, k, a);
    return v;
}
INL vd lkmul_d(vd x, vd v, vd a)
{
    md k = simde_mm512_cmp_pd_mask(x, simde_mm512_setzero_pd(), SIMDE_CMP_NGT_UQ);
    LKMUL_OP(pd, vd, v, k, a);
    return v;
}

/* binary16 and bfloat16: 32 lanes of 16 bits, masks in k-registers. f16
   converts with the 512-bit vcvtph2ps / vcvtps2ph of AVX-512F, bf16 in
   integer arithmetic (AVX512_BF16's vcvtneps2bf16 flushes subnormals, and
   AVX512_FP16 would round the product in binary16, not f32). Unpack and
   pack both work within 128-bit blocks, so a bf16 round trip keeps the lane
   order. */
#include <simde/x86/f16c.h>

typedef simde__m512i vh, vi;
typedef simde__mmask32 mh;

INL vh ld_h(const uint16_t *p) { return simde_mm512_loadu_si512((const void *)p); }
INL void st_h(uint16_t *p, vh v) { simde_mm512_storeu_si512((void *)p, v); }
#if defined(SIMDE_X86_AVX512F_NATIVE)
INL void stn_h(uint16_t *p, vh v) { _mm512_stream_si512((void *)p, v); }
#else
INL void stn_h(uint16_t *p, vh v) { simde_mm512_store_si512((void *)p, v); }
#endif
INL vh dup_h(uint16_t c) { return simde_mm512_set1_epi16((int16_t)c); }
INL vi dup_i(uint32_t c) { return simde_mm512_set1_epi32((int32_t)c); }
/* 0 < x <= inf: see pos_h in sse2.c */
INL mh pos_h(vh x, int16_t inf)
{
    return simde_mm512_cmple_epi16_mask(simde_mm512_add_epi16(x, dup_h(0x7fff)),
                                        simde_mm512_set1_epi16((int16_t)(inf - 0x8001)));
}
INL vh keep_h(vh x, int16_t ninf)
{
    return simde_mm512_maskz_mov_epi16(
        simde_mm512_cmpge_epi16_mask(x, simde_mm512_set1_epi16((int16_t)(ninf + 1))), x);
}
INL vh sel_h(mh m, vh a, vh b) { return simde_mm512_mask_blend_epi16(m, b, a); }
INL vh zsel_h(mh m, vh a) { return simde_mm512_maskz_mov_epi16(m, a); }
INL unsigned bits_h(mh m) { return m; }
INL uint64_t bits2_h(mh m0, mh m1) { return m0 | (uint64_t)m1 << 32; }
INL mh unbits_h(uint64_t b) { return (mh)(b & 0xffffffffu); }

/* SIMDe 0.7.4 has no 512-bit F16C forms: native builds use the intrinsics,
   emulated ones SIMDe's 256-bit forms on each half. */
#if defined(SIMDE_X86_AVX512F_NATIVE)
INL vs h2f(simde__m256i h) { return _mm512_cvtph_ps(h); }
INL simde__m256i f2h(vs f)
{
    return _mm512_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
#else
INL vs h2f(simde__m256i h)
{
    return simde_mm512_insertf32x8(
        simde_mm512_castps256_ps512(simde_mm256_cvtph_ps(simde_mm256_castsi256_si128(h))),
        simde_mm256_cvtph_ps(simde_mm256_extracti128_si256(h, 1)), 1);
}
INL simde__m256i f2h(vs f)
{
    const int rn = SIMDE_MM_FROUND_TO_NEAREST_INT | SIMDE_MM_FROUND_NO_EXC;
    simde__m256 lo = simde_mm512_castps512_ps256(f);
    simde__m256 hi = simde_mm256_castsi256_ps(
        simde_mm512_extracti64x4_epi64(simde_mm512_castps_si512(f), 1));
    return simde_mm256_setr_m128i(simde_mm256_cvtps_ph(lo, rn), simde_mm256_cvtps_ph(hi, rn));
}
#endif

INL mh hnan(vh x, int16_t inf)
{
    return simde_mm512_cmpge_epi16_mask(simde_mm512_and_si512(x, dup_h(0x7fff)),
                                        simde_mm512_set1_epi16((int16_t)(inf + 1)));
}

/* Unless gen, alpha is finite and nonzero: a product is NaN only where v is,
   and with one NaN operand IEEE multiplication returns it quieted, as the
   NaN rule says. */
INL vs fmul(int gen, vs v, vs a, vs nan) { return gen ? mul_s(v, a, nan) : simde_mm512_mul_ps(v, a); }

/* The product through f32, rounded by vcvtps2ph, which keeps NaN payloads.
   When gen, NaN lanes are set afterwards in binary16 as the NaN rule says,
   and so are those of NaN v where F16C is emulated: SIMDe's drops payloads. */
INL vh mulv_h(int gen, vh v, vs a, vs nan, vh hn)
{
    vs lo = simde_mm512_mul_ps(h2f(simde_mm512_castsi512_si256(v)), a);
    vs hi = simde_mm512_mul_ps(h2f(simde_mm512_extracti64x4_epi64(v, 1)), a);
    vh r = simde_mm512_inserti64x4(simde_mm512_castsi256_si512(f2h(lo)), f2h(hi), 1);
    vh q = simde_mm512_or_si512(v, dup_h(0x0200));
    (void)nan;
    if (gen)
        return sel_h(hnan(r, 0x7c00), sel_h(hnan(v, 0x7c00), q, hn), r);
#if !defined(SIMDE_X86_AVX512F_NATIVE)
    r = sel_h(hnan(v, 0x7c00), q, r);
#endif
    return r;
}

/* With a finite nonzero alpha (LKP_h, LKB_h of simd_half.h) the f16 leaky
   kernels stay in f32, 8 halves at a time straight from memory: vcvtph2ps,
   a multiply masked to the lanes with x <= 0, vcvtps2ph. Kept lanes (x > 0
   or NaN) make an exact round trip, NaNs quieted as the NaN rule says. On
   Zen 4 the 256-bit conversions run 25 % faster than the 512-bit ones, and
   splitting a loaded 512-bit vector costs a fifth; Intel gets 16 halves a
   conversion (the hw kernels below). */
#if defined(SIMDE_X86_AVX512F_NATIVE)
#define RN (_MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
INL void put8_h(int nt, uint16_t *p, __m128i r)
{
    if (nt)
        _mm_stream_si128((__m128i *)p, r);
    else
        _mm_storeu_si128((__m128i *)p, r);
}

INL void put16_h(int nt, uint16_t *p, __m256i r)
{
    if (nt)
        _mm256_stream_si256((__m256i *)p, r);
    else
        _mm256_storeu_si256((__m256i *)p, r);
}

#define LKP_h 1
INL void lkp_h(int nt, int pos, const uint16_t *x, uint16_t *y, vs a)
{
    (void)pos;
    __m256 a8 = _mm512_castps512_ps256(a);
    for (int j = 0; j < 4; j++) {
        __m256 f = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + 8 * j)));
        f = _mm256_mask_mul_ps(f, _mm256_cmp_ps_mask(f, _mm256_setzero_ps(), _CMP_LE_OQ), f, a8);
        put8_h(nt, y + 8 * j, _mm256_cvtps_ph(f, RN));
    }
}

/* dy where m, else alpha * dy: the products in f32, the kept lanes
   blended in afterwards, so that they are copied bit for bit. */
#define LKB_h 1
INL void lkb_h(int nt, mh m, const uint16_t *dy, uint16_t *dx, vs a)
{
    __m256 a8 = _mm512_castps512_ps256(a);
    for (int j = 0; j < 2; j++) {
        const uint16_t *d = dy + 16 * j;
        __m128i lo = _mm256_cvtps_ph(
            _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)d)), a8), RN);
        __m128i hi = _mm256_cvtps_ph(
            _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(d + 8))), a8), RN);
        __m256i r = _mm256_mask_blend_epi16((__mmask16)(m >> 16 * j),
                                            _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1),
                                            _mm256_loadu_si256((const __m256i *)d));
        if (nt)
            _mm256_stream_si256((__m256i *)(dx + 16 * j), r);
        else
            _mm256_storeu_si256((__m256i *)(dx + 16 * j), r);
    }
}
#endif

/* f32 to bfloat16 as frk_f2b, in the low half of 32-bit lanes. A quiet NaN
   is kept when gen; else the only NaNs are widened NaN v quieted, whose low
   16 bits are zero, so the rounding add leaves them as they are. */
INL vi f2b(int gen, vs p)
{
    vi u = simde_mm512_castps_si512(p);
    vi rnd = simde_mm512_add_epi32(simde_mm512_and_si512(simde_mm512_srli_epi32(u, 16), dup_i(1)),
                                   dup_i(0x7fff));
    if (gen)
        u = simde_mm512_mask_add_epi32(u, simde_mm512_cmp_ps_mask(p, p, SIMDE_CMP_ORD_Q), u, rnd);
    else
        u = simde_mm512_add_epi32(u, rnd);
    return simde_mm512_srli_epi32(u, 16);
}

INL vh mulv_b(int gen, vh v, vs a, vs nan, vh hn)
{
    vi z = simde_mm512_setzero_si512();
    vs lo = fmul(gen, simde_mm512_castsi512_ps(simde_mm512_unpacklo_epi16(z, v)), a, nan);
    vs hi = fmul(gen, simde_mm512_castsi512_ps(simde_mm512_unpackhi_epi16(z, v)), a, nan);
    (void)hn;
    return simde_mm512_packus_epi32(f2b(gen, lo), f2b(gen, hi));
}

#include "simd_half.h"

HALF_KERNELS(32)

/* f16 again, converting 16 halves per instruction, for frk_cvt512 (Intel):
   the leaky kernels of the table pick one form or the other per call. The
   relu kernels of this copy go unused. */
#if defined(SIMDE_X86_AVX512F_NATIVE)
#define LKV_hw 0
#define lkv_hw(x, a, hn) ((void)(a), (void)(hn), (x))
#define mulv_hw mulv_h

#define LKP_hw 1
INL void lkp_hw(int nt, int pos, const uint16_t *x, uint16_t *y, vs a)
{
    (void)pos;
    for (int j = 0; j < 2; j++) {
        __m512 f = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + 16 * j)));
        f = _mm512_mask_mul_ps(f, _mm512_cmp_ps_mask(f, _mm512_setzero_ps(), _CMP_LE_OQ), f, a);
        put16_h(nt, y + 16 * j, _mm512_cvtps_ph(f, RN));
    }
}

#define LKB_hw 1
INL void lkb_hw(int nt, mh m, const uint16_t *dy, uint16_t *dx, vs a)
{
    for (int j = 0; j < 2; j++) {
        const __m256i *d = (const __m256i *)(dy + 16 * j);
        __m256i r = _mm512_cvtps_ph(_mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256(d)), a), RN);
        put16_h(nt, dx + 16 * j, _mm256_mask_blend_epi16((__mmask16)(m >> 16 * j), r, _mm256_loadu_si256(d)));
    }
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
HKERNELS(hw, 32, 0x7c00, frk_hpos, frk_hnan, hn_h, H_MUL0)
#pragma GCC diagnostic pop

static void leaky_hx(size_t n, double alpha, const void *x, void *y)
{
    (frk_cvt512 ? leaky_hw : leaky_h)(n, alpha, x, y);
}
static void leaky_bwd_hx(size_t n, double alpha, const void *x, const void *dy, void *dx)
{
    (frk_cvt512 ? leaky_bwd_hw : leaky_bwd_h)(n, alpha, x, dy, dx);
}
static void leaky_mask_hx(size_t n, double alpha, const void *x, void *y, uint8_t *mask)
{
    (frk_cvt512 ? leaky_mask_hw : leaky_mask_h)(n, alpha, x, y, mask);
}
static void leaky_bwd_mask_hx(size_t n, double alpha, const uint8_t *mask, const void *dy, void *dx)
{
    (frk_cvt512 ? leaky_bwd_mask_hw : leaky_bwd_mask_h)(n, alpha, mask, dy, dx);
}

#define OPS_H                                                                  \
    {                                                                          \
        .relu = relu_h, .leaky = leaky_hx, .relu_bwd = relu_bwd_hm,            \
        .leaky_bwd = leaky_bwd_hx, .relu_mask = relu_mask_h,                   \
        .leaky_mask = leaky_mask_hx, .relu_bwd_mask = relu_bwd_mask_h,         \
        .leaky_bwd_mask = leaky_bwd_mask_hx                                    \
    }
#else
#define OPS_H OPSR(h)
#endif

/* bf16 again for CPUs with AVX512_BF16 (the table's ext_ops): one
   vcvtne2ps2bf16 rounds 32 products to nearest even as frk_f2b does, except
   that it reads a subnormal f32 as zero, so a vector with one goes the
   integer way. Native only: SIMDe 0.7.4 has no such instruction. */
#if defined(SIMDE_X86_AVX512F_NATIVE) && !defined(FRK_EMUL)
#define HAVE_BX
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512bf16"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512bf16")
#endif

/* The bits M such that every x with x & M nonzero is normal and so is
   x * alpha (alpha finite and nonzero), rounded to f32; a power of two in
   the encoding, so that one vptestnmw finds the lanes that may not be: those
   take the integer way. */
static uint16_t bx_big(float a)
{
    double t = 0x1p-126 / (a < 0 ? -(double)a : (double)a);
    for (int k = 7; k < 15; k++)
        if (frk_b2f((uint16_t)(1u << k)) >= t)
            return (uint16_t)(0x7fffu & ~((1u << k) - 1));
    return 0;
}

INL vh hn_bx(int gen, float a) { return gen ? hn_b(gen, a) : dup_h(bx_big(a)); }

/* The 32 products in order. The unpacks interleave 4 lanes of lo and 4 of
   hi in each 128-bit block; vcvtne2ps2bf16 (hi, lo) gives lo's 16 results,
   then hi's. */
INL vh bx_round(vs lo, vs hi)
{
    return _mm512_permutexvar_epi16(
        _mm512_set_epi16(31, 30, 29, 28, 15, 14, 13, 12, 27, 26, 25, 24, 11, 10, 9, 8,
                         23, 22, 21, 20, 7, 6, 5, 4, 19, 18, 17, 16, 3, 2, 1, 0),
        (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
}

/* When gen, hn is the NaN of mulv_b; else bx_big. */
INL vh mulv_bx(int gen, vh v, vs a, vs nan, vh hn)
{
    vi z = _mm512_setzero_si512();
    if (gen || _mm512_testn_epi16_mask(v, hn))
        return mulv_b(gen, v, a, nan, hn);
    return bx_round(_mm512_mul_ps(_mm512_castsi512_ps(_mm512_unpacklo_epi16(z, v)), a),
                    _mm512_mul_ps(_mm512_castsi512_ps(_mm512_unpackhi_epi16(z, v)), a));
}

/* As lkv_h: only the lanes with x <= 0 are multiplied; kept NaNs are
   quieted by vcvtne2ps2bf16. */
#define LKV_bx 1
INL vh lkv_bx(vh x, vs a, vh hn)
{
    vi z = _mm512_setzero_si512();
    vs lo = _mm512_castsi512_ps(_mm512_unpacklo_epi16(z, x));
    vs hi = _mm512_castsi512_ps(_mm512_unpackhi_epi16(z, x));
    if (_mm512_testn_epi16_mask(x, hn))
        return sel_h(pos_h(x, 0x7f80), x, mulv_b(0, x, a, a, hn));
    lo = _mm512_mask_mul_ps(lo, _mm512_cmp_ps_mask(lo, _mm512_setzero_ps(), _CMP_LE_OQ), lo, a);
    hi = _mm512_mask_mul_ps(hi, _mm512_cmp_ps_mask(hi, _mm512_setzero_ps(), _CMP_LE_OQ), hi, a);
    return bx_round(lo, hi);
}
#define LKP_bx 0
#define lkp_bx(nt, pos, x, y, a) ((void)(nt), (void)(pos), (void)(x), (void)(y), (void)(a))
#define LKB_bx 0
#define lkb_bx(nt, m, dy, dx, a) ((void)0)

HKERNELS(bx, 32, 0x7f80, frk_bpos, frk_bnan, hn_bx, B_MUL0)

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

KERNELS(s, float, 16, frk_nanval32, frk_mul32)
KERNELS(d, double, 8, frk_nanval64, frk_mul64)

/* Increment 2 (INC2 of simd_body.h): a masked load and store touch only
   the addressed elements, which stay in the even lanes; the odd lanes are
   zero and never stored. Native only: emulated masked forms touch the whole
   vector, and SIMDe 0.7.4 has no masked 512-bit loadu/storeu, hence the
   native names. */
#if defined(SIMDE_X86_AVX512F_NATIVE) && !defined(FRK_EMUL)
#define HAVE_INC2
INL vs ld2_s(const float *x) { return _mm512_maskz_loadu_ps(0x5555, x); }
INL void st2_s(float *y, vs v) { _mm512_mask_storeu_ps(y, 0x5555, v); }
INL vd ld2_d(const double *x) { return _mm512_maskz_loadu_pd(0x55, x); }
INL void st2_d(double *y, vd v) { _mm512_mask_storeu_pd(y, 0x55, v); }

/* Beyond the last-level cache masked stores ran about 20 % slower than
   plain ones on Zen 4, where the SSE2 kernel and GCC's scalar loop led: the
   even lanes are gathered into 256 bits and stored element by element. */
INL void st2b_s(float *y, vs v)
{
    put8_s(y, _mm512_castps512_ps256(_mm512_permutexvar_ps(
                  _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 0, 0, 0, 0, 0, 0, 0, 0), v)));
}

INL void st2b_d(double *y, vd v)
{
    put4_d(y, _mm512_castpd512_pd256(
                  _mm512_permutexvar_pd(_mm512_setr_epi64(0, 2, 4, 6, 0, 0, 0, 0), v)));
}

INC2(s, float, 8, frk_nanval32)
INC2(d, double, 4, frk_nanval64)

INL vh ld2_h(const uint16_t *x) { return _mm512_maskz_loadu_epi16(0x55555555, x); }
INL void st2_h(uint16_t *y, vh v) { _mm512_mask_storeu_epi16(y, 0x55555555, v); }

INL void st2b_h(uint16_t *y, vh v)
{
    put16_16(y, _mm512_castsi512_si256(_mm512_permutexvar_epi16(
                    _mm512_setr_epi32(0x20000, 0x60004, 0xa0008, 0xe000c, 0x120010, 0x160014,
                                      0x1a0018, 0x1e001c, 0, 0, 0, 0, 0, 0, 0, 0),
                    v)));
}

INC2H(h, 16, 0x7c00)
INC2H(b, 16, 0x7f80)
#endif

/* f32 and f64 forwards whose x and y span more than frk_mid_min_bytes, that
   do not stream and fit the last-level cache run the AVX2 table's loop, and
   in place, once the array itself reaches frk_nt_min_bytes (the L3), SSE2's:
   on an Intel Xeon 512-bit loads and stores moved 2-7 % less there out of
   place, and 10 % less in place from the L3; in place in the L2, SSE2's
   loop lost a third to AVX2's on the 16-core host (bench/NOTES.md, entries
   44, 47 and 52). */
#define MIDFWD(P, T, S, op)                                                    \
    static void op##_##P##m(size_t n, double alpha, const void *x, void *y)    \
    {                                                                          \
        size_t b = (y == x ? 1 : 2) * n * sizeof(T);                           \
        if (b > frk_mid_min_bytes && 2 * n * sizeof(T) < frk_big_min_bytes &&  \
            !ntok(y, x, x, 2 * n, sizeof(T)))                                  \
            (y == x && b >= frk_nt_min_bytes ? &FRK_TABLE(sse2)                \
                                             : &FRK_TABLE(avx2))               \
                ->ops[S].op(n, alpha, x, y);                                   \
        else                                                                   \
            op##_##P(n, alpha, x, y);                                          \
    }
MIDFWD(s, float, FRK_S, relu)
MIDFWD(s, float, FRK_S, leaky)
MIDFWD(d, double, FRK_D, relu)
MIDFWD(d, double, FRK_D, leaky)

/* In place, the f32 and f64 backwards (and the relu backward of halves)
   whose data (x and dx = dy: k 2, or dx = dy and the mask: k 1, n * size
   bytes each) the L2 does not hold and half the last-level cache does run
   the AVX2 table's loop too: there it moved 2-10 % more than the 512-bit one
   on an Intel Xeon (bench/NOTES.md, entry 55). frk_mid_min_bytes is
   SIZE_MAX off Intel: not measured there. in: x or the mask, IN its
   parameter. */
#define MIDBWD(P, T, S, op, k, in, IN)                                         \
    static void op##_##P##m(size_t n, double alpha, IN, const void *dy,        \
                            void *dx)                                          \
    {                                                                          \
        size_t b = k * n * sizeof(T);                                          \
        if (dx == dy && b > frk_mid_min_bytes && b >= frk_nt_min_bytes &&      \
            2 * b < frk_big_min_bytes)                                         \
            FRK_TABLE(avx2).ops[S].op(n, alpha, in, dy, dx);                   \
        else                                                                   \
            op##_##P(n, alpha, in, dy, dx);                                    \
    }
#define MIDBWDX(P, T, S, op) MIDBWD(P, T, S, op, 2, x, const void *x)
#define MIDBWDM(P, T, S, op) MIDBWD(P, T, S, op, 1, mask, const uint8_t *mask)
MIDBWDX(s, float, FRK_S, relu_bwd)
MIDBWDX(s, float, FRK_S, leaky_bwd)
MIDBWDX(d, double, FRK_D, relu_bwd)
MIDBWDX(d, double, FRK_D, leaky_bwd)
MIDBWDX(h, uint16_t, FRK_H, relu_bwd)
MIDBWDX(b, uint16_t, FRK_B, relu_bwd)
#ifdef HAVE_BX
MIDBWDX(bx, uint16_t, FRK_B, relu_bwd)
#endif
MIDBWDM(s, float, FRK_S, relu_bwd_mask)
MIDBWDM(s, float, FRK_S, leaky_bwd_mask)
MIDBWDM(d, double, FRK_D, relu_bwd_mask)
MIDBWDM(d, double, FRK_D, leaky_bwd_mask)

/* OPS with suffixes on the routed kernels' names: f the forwards, rb and lb
   the relu and leaky x-based backwards, mb the mask backwards. */
#define OPSV(P, f, rb, lb, mb)                                                 \
    {                                                                          \
        .relu = relu_##P##f, .leaky = leaky_##P##f, .relu_bwd = relu_bwd_##P##rb, \
        .leaky_bwd = leaky_bwd_##P##lb, .relu_mask = relu_mask_##P,            \
        .leaky_mask = leaky_mask_##P, .relu_bwd_mask = relu_bwd_mask_##P##mb,  \
        .leaky_bwd_mask = leaky_bwd_mask_##P##mb                               \
    }
#define OPSM(P) OPSV(P, m, m, m, m)
#define OPSR(P) OPSV(P, , m, , )

const struct frk_table FRK_TABLE(avx512) = {
    .isa = FR_ISA_AVX512,
    .name = NAME,
    .ops = {[FRK_S] = OPSM(s), [FRK_D] = OPSM(d), [FRK_H] = OPS_H,
            [FRK_B] = OPSR(b)},
#ifdef HAVE_BX
    .ext = FRK_EXT_AVX512BF16,
    .ext_ops = {[FRK_B] = OPSR(bx)},
#endif
#ifdef HAVE_INC2
    .relu_inc2 = {[FRK_S] = relu_inc2_s, [FRK_D] = relu_inc2_d, [FRK_H] = relu_inc2_h,
                  [FRK_B] = relu_inc2_b},
    .leaky_inc2 = {[FRK_S] = leaky_inc2_s, [FRK_D] = leaky_inc2_d, [FRK_H] = leaky_inc2_h,
                   [FRK_B] = leaky_inc2_b},
#endif
};
