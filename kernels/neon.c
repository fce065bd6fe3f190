/* NEON kernels (128-bit; f32, f64, f16 and bf16) through SIMDe. */
#include <simde/arm/neon.h>

#include "kernels.h"

#ifdef FRK_EMUL
#define NAME "neon (emulated)"
#else
#define NAME "neon"
#endif

#if defined(__GNUC__)
#define INL static inline __attribute__((always_inline))
#else
#define INL static inline
#endif

typedef simde_float32x4_t vs;
typedef simde_uint32x4_t ms, v4u;
typedef simde_float64x2_t vd;
typedef simde_uint64x2_t md;
typedef simde_uint16x8_t v8u;
typedef simde_uint16x4_t v4h;

static const uint8_t bitw8[8] = {1, 2, 4, 8, 16, 32, 64, 128};
static const uint16_t bitw16[8] = {1, 2, 4, 8, 16, 32, 64, 128};
static const uint32_t bitw32[4] = {1, 2, 4, 8};
static const uint64_t bitw64[2] = {1, 2};

/* f32 and f64: vector type v<P>, lane-mask type m<P> and the primitives of
   simd_body.h. NEON intrinsics have no non-temporal store: the body's
   streaming forms are never taken, and stn_ only has to compile. */
#define NT_STORES 0
#define nt_fence() ((void)0)
INL vs ld_s(const float *p) { return simde_vld1q_f32(p); }
INL void st_s(float *p, vs v) { simde_vst1q_f32(p, v); }
INL void stn_s(float *p, vs v) { simde_vst1q_f32(p, v); }
INL vs dup_s(float f) { return simde_vdupq_n_f32(f); }
INL ms gt_s(vs x) { return simde_vcgtzq_f32(x); }
INL vs sel_s(ms m, vs a, vs b) { return simde_vbslq_f32(m, a, b); }
INL vs zsel_s(ms m, vs a)
{
    return simde_vreinterpretq_f32_u32(simde_vandq_u32(m, simde_vreinterpretq_u32_f32(a)));
}
/* relu keeps NaNs: zero exactly where x <= 0 */
INL vs vrelu_s(vs x)
{
    return simde_vreinterpretq_f32_u32(
        simde_vbicq_u32(simde_vreinterpretq_u32_f32(x), simde_vclezq_f32(x)));
}
INL unsigned bits_s(ms m) { return simde_vaddvq_u32(simde_vandq_u32(m, simde_vld1q_u32(bitw32))); }
INL ms unbits_s(uint64_t b) { return simde_vtstq_u32(simde_vdupq_n_u32((uint32_t)b), simde_vld1q_u32(bitw32)); }
INL vs mul0_s(vs v, vs a) { return simde_vmulq_f32(v, a); }
/* any lane of a, b, c, d NaN: FMAX returns NaN for a NaN operand */
INL int nan4_s(vs a, vs b, vs c, vs d)
{
    vs m = simde_vmaxq_f32(simde_vmaxq_f32(a, b), simde_vmaxq_f32(c, d));
    return simde_vminvq_u32(simde_vceqq_f32(m, m)) == 0;
}
INL vs mul_s(vs v, vs a, vs nan)
{
    vs p = simde_vmulq_f32(v, a);
    vs q = simde_vreinterpretq_f32_u32(
        simde_vorrq_u32(simde_vreinterpretq_u32_f32(v), simde_vdupq_n_u32(FRK_QUIET32)));
    vs fix = simde_vbslq_f32(simde_vceqq_f32(v, v), nan, q);
    return simde_vbslq_f32(simde_vceqq_f32(p, p), p, fix);
}

INL vd ld_d(const double *p) { return simde_vld1q_f64(p); }
INL void st_d(double *p, vd v) { simde_vst1q_f64(p, v); }
INL void stn_d(double *p, vd v) { simde_vst1q_f64(p, v); }
INL vd dup_d(double f) { return simde_vdupq_n_f64(f); }
INL md gt_d(vd x) { return simde_vcgtzq_f64(x); }
INL vd sel_d(md m, vd a, vd b) { return simde_vbslq_f64(m, a, b); }
INL vd zsel_d(md m, vd a)
{
    return simde_vreinterpretq_f64_u64(simde_vandq_u64(m, simde_vreinterpretq_u64_f64(a)));
}
INL vd vrelu_d(vd x)
{
    return simde_vreinterpretq_f64_u64(
        simde_vbicq_u64(simde_vreinterpretq_u64_f64(x), simde_vclezq_f64(x)));
}
INL unsigned bits_d(md m) { return (unsigned)simde_vaddvq_u64(simde_vandq_u64(m, simde_vld1q_u64(bitw64))); }
INL md unbits_d(uint64_t b) { return simde_vtstq_u64(simde_vdupq_n_u64(b), simde_vld1q_u64(bitw64)); }
INL vd mul0_d(vd v, vd a) { return simde_vmulq_f64(v, a); }
INL int nan4_d(vd a, vd b, vd c, vd d)
{
    vd m = simde_vmaxq_f64(simde_vmaxq_f64(a, b), simde_vmaxq_f64(c, d));
    return simde_vminvq_u32(simde_vreinterpretq_u32_u64(simde_vceqq_f64(m, m))) == 0;
}
INL vd mul_d(vd v, vd a, vd nan)
{
    vd p = simde_vmulq_f64(v, a);
    vd q = simde_vreinterpretq_f64_u64(
        simde_vorrq_u64(simde_vreinterpretq_u64_f64(v), simde_vdupq_n_u64(FRK_QUIET64)));
    vd fix = simde_vbslq_f64(simde_vceqq_f64(v, v), nan, q);
    return simde_vbslq_f64(simde_vceqq_f64(p, p), p, fix);
}

/* Four vectors' masks and mask bits (simd_body.h): one weight per lane and
   one horizontal add for the four, where four bits_ take four adds, shifts
   and ors; one dup for the four unbits. Counted in instructions only: no
   aarch64 hardware was at hand to time it. */
static const uint32_t bitw32x4[16] = {1, 2, 4, 8, 16, 32, 64, 128,
                                      256, 512, 1024, 2048, 4096, 8192, 16384, 32768};
static const uint64_t bitw64x4[8] = {1, 2, 4, 8, 16, 32, 64, 128};
#define BITS4
#define UNBITS4
INL uint64_t bits4_s(const ms *m)
{
    simde_uint32x4_t r = simde_vandq_u32(m[0], simde_vld1q_u32(bitw32x4));
    int j;
    for (j = 1; j < 4; j++)
        r = simde_vorrq_u32(r, simde_vandq_u32(m[j], simde_vld1q_u32(bitw32x4 + 4 * j)));
    return simde_vaddvq_u32(r);
}
INL uint64_t bits4_d(const md *m)
{
    simde_uint64x2_t r = simde_vandq_u64(m[0], simde_vld1q_u64(bitw64x4));
    int j;
    for (j = 1; j < 4; j++)
        r = simde_vorrq_u64(r, simde_vandq_u64(m[j], simde_vld1q_u64(bitw64x4 + 2 * j)));
    return simde_vaddvq_u64(r);
}
INL void unbits4_s(int full, uint64_t b, ms *g)
{
    simde_uint32x4_t v = simde_vdupq_n_u32((uint32_t)(b & 0xffff));
    int j;
    (void)full;
    for (j = 0; j < 4; j++)
        g[j] = simde_vtstq_u32(v, simde_vld1q_u32(bitw32x4 + 4 * j));
}
INL void unbits4_d(int full, uint64_t b, md *g)
{
    simde_uint64x2_t v = simde_vdupq_n_u64(b & 0xff);
    int j;
    (void)full;
    for (j = 0; j < 4; j++)
        g[j] = simde_vtstq_u64(v, simde_vld1q_u64(bitw64x4 + 2 * j));
}

#include "simd_body.h"

KERNELS(s, float, 4, frk_nanval32, frk_mul32)
KERNELS(d, double, 2, frk_nanval64, frk_mul64)

/* ---- f16 and bf16 (bf: bfloat16), 8 lanes of uint16 ----

   relu, the backward tests and the masks stay in 16-bit integer lanes. leaky
   widens to f32, multiplies and narrows with round to nearest even; the NaN
   rule and infinite inputs are then settled in the 16-bit lanes. SIMDe 0.7.4
   maps vcvt_f16_f32 to FCVTN only with FP16 arithmetic (armv8.2-a+fp16) and
   otherwise drops NaN payloads, so the f16 conversions are built here from
   integer and f32 operations, exact with FPCR.FZ = 0 (Linux's default). */

struct k16 {
    float sa;
    vs a;
    v8u nv, pinf, ninf; /* what NaN products and alpha * +-inf give */
};

static inline uint16_t mul1(uint16_t v, float a, int bf)
{
    if (bf)
        return frk_f2b(frk_mul32(frk_b2f(v), a));
    return frk_f2h(frk_mul32(frk_h2f(v), a));
}

static inline struct k16 k16_init(double alpha, int bf)
{
    struct k16 k;
    uint16_t inf = bf ? 0x7f80 : 0x7c00;
    float nv = frk_nanval32((float)alpha);
    k.sa = (float)alpha;
    k.a = simde_vdupq_n_f32(k.sa);
    k.nv = simde_vdupq_n_u16(bf ? frk_f2b(nv) : frk_f2h(nv));
    k.pinf = simde_vdupq_n_u16(mul1(inf, k.sa, bf));
    k.ninf = simde_vdupq_n_u16(mul1((uint16_t)(inf | 0x8000), k.sa, bf));
    return k;
}

static inline v8u pos8(v8u x, int bf)
{
    /* 1 <= x <= +inf, unsigned */
    return simde_vcltq_u16(simde_vsubq_u16(x, simde_vdupq_n_u16(1)),
                           simde_vdupq_n_u16(bf ? 0x7f80 : 0x7c00));
}

/* As int16, x <= -inf is -0 or negative non-NaN; x = +0 may keep itself. */
static inline v8u relu8(v8u x, int bf)
{
    simde_int16x8_t s = simde_vreinterpretq_s16_u16(x);
    return simde_vandq_u16(x, simde_vcgtq_s16(s, simde_vdupq_n_s16(bf ? -128 : -1024)));
}

/* Exact for finite h; f16 inf and NaN come out finite (mul8 fixes them). */
static inline vs widen4(v4h h, int bf)
{
    if (bf)
        return simde_vreinterpretq_f32_u32(simde_vshlq_n_u32(simde_vmovl_u16(h), 16));
    /* sign | (h & 0x7fff) << 13 is h times 2^-112, subnormals included */
    v4u t = simde_vreinterpretq_u32_s32(simde_vmovl_s16(simde_vreinterpret_s16_u16(h)));
    t = simde_vandq_u32(simde_vshlq_n_u32(t, 13), simde_vdupq_n_u32(0x8fffffffu));
    return simde_vmulq_f32(simde_vreinterpretq_f32_u32(t), simde_vdupq_n_f32(0x1p112f));
}

/* Round to nearest even, for any p but NaN. */
static inline v4h narrow4(vs p, int bf)
{
    v4u u = simde_vreinterpretq_u32_f32(p);
    if (bf) {
        v4u odd = simde_vandq_u32(simde_vshrq_n_u32(u, 16), simde_vdupq_n_u32(1));
        v4u r = simde_vaddq_u32(simde_vaddq_u32(u, simde_vdupq_n_u32(0x7fff)), odd);
        return simde_vshrn_n_u32(r, 16);
    }
    /* |p| up to 2^16 (infinity in binary16); m = 2^13 times the power of two
       at or below |p|, at least 2^-14: |p| + m rounds at the binary16 step */
    v4u a = simde_vminq_u32(simde_vandq_u32(u, simde_vdupq_n_u32(0x7fffffffu)),
                            simde_vdupq_n_u32(0x47800000u));
    v4u e = simde_vmaxq_u32(simde_vandq_u32(a, simde_vdupq_n_u32(0x7f800000u)),
                            simde_vdupq_n_u32(0x38800000u));
    vs m = simde_vreinterpretq_f32_u32(simde_vaddq_u32(e, simde_vdupq_n_u32(13u << 23)));
    vs r = simde_vsubq_f32(simde_vaddq_f32(simde_vreinterpretq_f32_u32(a), m), m);
    /* scaled by 2^-112, the float's bits are the binary16's shifted by 13 */
    r = simde_vmulq_f32(r, simde_vdupq_n_f32(0x1p-112f));
    v4h h = simde_vshrn_n_u32(simde_vreinterpretq_u32_f32(r), 13);
    return simde_vbsl_u16(simde_vdup_n_u16(0x8000), simde_vshrn_n_u32(u, 16), h);
}

/* v * alpha in the 16-bit format, with the NaN rule of kernels.h */
static inline v8u mul8(v8u v, const struct k16 *k, int bf)
{
    vs lo = simde_vmulq_f32(widen4(simde_vget_low_u16(v), bf), k->a);
    vs hi = simde_vmulq_f32(widen4(simde_vget_high_u16(v), bf), k->a);
    v8u r = simde_vcombine_u16(narrow4(lo, bf), narrow4(hi, bf));
    v8u ord = simde_vcombine_u16(simde_vmovn_u32(simde_vceqq_f32(lo, lo)),
                                 simde_vmovn_u32(simde_vceqq_f32(hi, hi)));
    v8u mag = simde_vandq_u16(v, simde_vdupq_n_u16(0x7fff));
    r = simde_vbslq_u16(ord, r, k->nv);
    if (bf) {
        v8u nan = simde_vcgtq_u16(mag, simde_vdupq_n_u16(0x7f80));
        return simde_vbslq_u16(nan, simde_vorrq_u16(v, simde_vdupq_n_u16(0x40)), r);
    }
    v8u nan = simde_vcgtq_u16(mag, simde_vdupq_n_u16(0x7c00));
    v8u inf = simde_vceqq_u16(mag, simde_vdupq_n_u16(0x7c00));
    v8u neg = simde_vcltq_s16(simde_vreinterpretq_s16_u16(v), simde_vdupq_n_s16(0));
    r = simde_vbslq_u16(inf, simde_vbslq_u16(neg, k->ninf, k->pinf), r);
    return simde_vbslq_u16(nan, simde_vorrq_u16(v, simde_vdupq_n_u16(0x200)), r);
}

static inline v8u fwd8(v8u x, const struct k16 *k, int leaky, int bf)
{
    if (leaky)
        return simde_vbslq_u16(pos8(x, bf), x, mul8(x, k, bf));
    return relu8(x, bf);
}

static inline v8u bwd8(v8u pos, v8u dy, const struct k16 *k, int leaky, int bf)
{
    if (leaky)
        return simde_vbslq_u16(pos, dy, mul8(dy, k, bf));
    return simde_vandq_u16(pos, dy);
}

static inline int pos1(uint16_t v, int bf)
{
    return bf ? frk_bpos(v) : frk_hpos(v);
}

static inline uint16_t fwd1h(uint16_t v, float a, int leaky, int bf)
{
    if (pos1(v, bf))
        return v;
    if (leaky)
        return mul1(v, a, bf);
    return (bf ? frk_bnan(v) : frk_hnan(v)) ? v : 0;
}

static inline uint16_t bwd1h(int pos, uint16_t dy, float a, int leaky, int bf)
{
    if (pos)
        return dy;
    return leaky ? mul1(dy, a, bf) : 0;
}

static inline uint8_t pack16(v8u c, simde_uint8x8_t w)
{
    return simde_vaddv_u8(simde_vand_u8(simde_vmovn_u16(c), w));
}

static inline void fwd16(size_t n, double alpha, const uint16_t *x, uint16_t *y,
                         int leaky, int bf)
{
    struct k16 k = k16_init(alpha, bf);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        v8u x0 = simde_vld1q_u16(x + i), x1 = simde_vld1q_u16(x + i + 8);
        v8u x2 = simde_vld1q_u16(x + i + 16), x3 = simde_vld1q_u16(x + i + 24);
        simde_vst1q_u16(y + i, fwd8(x0, &k, leaky, bf));
        simde_vst1q_u16(y + i + 8, fwd8(x1, &k, leaky, bf));
        simde_vst1q_u16(y + i + 16, fwd8(x2, &k, leaky, bf));
        simde_vst1q_u16(y + i + 24, fwd8(x3, &k, leaky, bf));
    }
    for (; i + 8 <= n; i += 8)
        simde_vst1q_u16(y + i, fwd8(simde_vld1q_u16(x + i), &k, leaky, bf));
    for (; i < n; i++)
        y[i] = fwd1h(x[i], k.sa, leaky, bf);
}

static inline void bwd16(size_t n, double alpha, const uint16_t *x,
                         const uint16_t *dy, uint16_t *dx, int leaky, int bf)
{
    struct k16 k = k16_init(alpha, bf);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        v8u p0 = pos8(simde_vld1q_u16(x + i), bf);
        v8u p1 = pos8(simde_vld1q_u16(x + i + 8), bf);
        v8u p2 = pos8(simde_vld1q_u16(x + i + 16), bf);
        v8u p3 = pos8(simde_vld1q_u16(x + i + 24), bf);
        v8u d0 = simde_vld1q_u16(dy + i), d1 = simde_vld1q_u16(dy + i + 8);
        v8u d2 = simde_vld1q_u16(dy + i + 16), d3 = simde_vld1q_u16(dy + i + 24);
        simde_vst1q_u16(dx + i, bwd8(p0, d0, &k, leaky, bf));
        simde_vst1q_u16(dx + i + 8, bwd8(p1, d1, &k, leaky, bf));
        simde_vst1q_u16(dx + i + 16, bwd8(p2, d2, &k, leaky, bf));
        simde_vst1q_u16(dx + i + 24, bwd8(p3, d3, &k, leaky, bf));
    }
    for (; i + 8 <= n; i += 8) {
        v8u p = pos8(simde_vld1q_u16(x + i), bf);
        simde_vst1q_u16(dx + i, bwd8(p, simde_vld1q_u16(dy + i), &k, leaky, bf));
    }
    for (; i < n; i++)
        dx[i] = bwd1h(pos1(x[i], bf), dy[i], k.sa, leaky, bf);
}

static void mask16(size_t n, const uint16_t *x, uint8_t *mask, int bf)
{
    simde_uint8x8_t w = simde_vld1_u8(bitw8);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        v8u c0 = pos8(simde_vld1q_u16(x + i), bf);
        v8u c1 = pos8(simde_vld1q_u16(x + i + 8), bf);
        v8u c2 = pos8(simde_vld1q_u16(x + i + 16), bf);
        v8u c3 = pos8(simde_vld1q_u16(x + i + 24), bf);
        mask[i / 8] = pack16(c0, w);
        mask[i / 8 + 1] = pack16(c1, w);
        mask[i / 8 + 2] = pack16(c2, w);
        mask[i / 8 + 3] = pack16(c3, w);
    }
    for (; i + 8 <= n; i += 8)
        mask[i / 8] = pack16(pos8(simde_vld1q_u16(x + i), bf), w);
    if (i < n) {
        unsigned b = 0;
        for (size_t j = 0; i + j < n; j++)
            b |= (unsigned)pos1(x[i + j], bf) << j;
        mask[i / 8] = (uint8_t)b;
    }
}

static inline void fwdmask16(size_t n, double alpha, const uint16_t *x, uint16_t *y,
                             uint8_t *mask, int leaky, int bf)
{
    if (!y) {
        mask16(n, x, mask, bf);
        return;
    }
    struct k16 k = k16_init(alpha, bf);
    simde_uint8x8_t w = simde_vld1_u8(bitw8);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        v8u x0 = simde_vld1q_u16(x + i), x1 = simde_vld1q_u16(x + i + 8);
        v8u x2 = simde_vld1q_u16(x + i + 16), x3 = simde_vld1q_u16(x + i + 24);
        simde_vst1q_u16(y + i, fwd8(x0, &k, leaky, bf));
        simde_vst1q_u16(y + i + 8, fwd8(x1, &k, leaky, bf));
        simde_vst1q_u16(y + i + 16, fwd8(x2, &k, leaky, bf));
        simde_vst1q_u16(y + i + 24, fwd8(x3, &k, leaky, bf));
        mask[i / 8] = pack16(pos8(x0, bf), w);
        mask[i / 8 + 1] = pack16(pos8(x1, bf), w);
        mask[i / 8 + 2] = pack16(pos8(x2, bf), w);
        mask[i / 8 + 3] = pack16(pos8(x3, bf), w);
    }
    for (; i + 8 <= n; i += 8) {
        v8u x0 = simde_vld1q_u16(x + i);
        simde_vst1q_u16(y + i, fwd8(x0, &k, leaky, bf));
        mask[i / 8] = pack16(pos8(x0, bf), w);
    }
    if (i < n) {
        unsigned b = 0;
        for (size_t j = 0; i + j < n; j++) {
            uint16_t v = x[i + j];
            b |= (unsigned)pos1(v, bf) << j;
            y[i + j] = fwd1h(v, k.sa, leaky, bf);
        }
        mask[i / 8] = (uint8_t)b;
    }
}

static inline v8u unpack16(uint8_t m, v8u w)
{
    return simde_vtstq_u16(simde_vdupq_n_u16(m), w);
}

static inline void bwdmask16(size_t n, double alpha, const uint8_t *mask,
                             const uint16_t *dy, uint16_t *dx, int leaky, int bf)
{
    struct k16 k = k16_init(alpha, bf);
    v8u w = simde_vld1q_u16(bitw16);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        v8u d0 = simde_vld1q_u16(dy + i), d1 = simde_vld1q_u16(dy + i + 8);
        v8u d2 = simde_vld1q_u16(dy + i + 16), d3 = simde_vld1q_u16(dy + i + 24);
        simde_vst1q_u16(dx + i, bwd8(unpack16(mask[i / 8], w), d0, &k, leaky, bf));
        simde_vst1q_u16(dx + i + 8, bwd8(unpack16(mask[i / 8 + 1], w), d1, &k, leaky, bf));
        simde_vst1q_u16(dx + i + 16, bwd8(unpack16(mask[i / 8 + 2], w), d2, &k, leaky, bf));
        simde_vst1q_u16(dx + i + 24, bwd8(unpack16(mask[i / 8 + 3], w), d3, &k, leaky, bf));
    }
    for (; i + 8 <= n; i += 8)
        simde_vst1q_u16(dx + i, bwd8(unpack16(mask[i / 8], w), simde_vld1q_u16(dy + i),
                                     &k, leaky, bf));
    for (; i < n; i++)
        dx[i] = bwd1h((mask[i / 8] >> (i % 8)) & 1, dy[i], k.sa, leaky, bf);
}

/* The eight kernels of P (h or b); BF as above. */
#define KERNELS16(P, BF)                                                       \
    static void P##_relu(size_t n, double alpha, const void *x, void *y)       \
    {                                                                          \
        fwd16(n, alpha, x, y, 0, BF);                                          \
    }                                                                          \
    static void P##_leaky(size_t n, double alpha, const void *x, void *y)      \
    {                                                                          \
        fwd16(n, alpha, x, y, 1, BF);                                          \
    }                                                                          \
    static void P##_relu_bwd(size_t n, double alpha, const void *x,            \
                             const void *dy, void *dx)                         \
    {                                                                          \
        bwd16(n, alpha, x, dy, dx, 0, BF);                                     \
    }                                                                          \
    static void P##_leaky_bwd(size_t n, double alpha, const void *x,           \
                              const void *dy, void *dx)                        \
    {                                                                          \
        bwd16(n, alpha, x, dy, dx, 1, BF);                                     \
    }                                                                          \
    static void P##_relu_mask(size_t n, double alpha, const void *x, void *y,  \
                              uint8_t *mask)                                   \
    {                                                                          \
        fwdmask16(n, alpha, x, y, mask, 0, BF);                                \
    }                                                                          \
    static void P##_leaky_mask(size_t n, double alpha, const void *x, void *y, \
                               uint8_t *mask)                                  \
    {                                                                          \
        fwdmask16(n, alpha, x, y, mask, 1, BF);                                \
    }                                                                          \
    static void P##_relu_bwd_mask(size_t n, double alpha, const uint8_t *mask, \
                                  const void *dy, void *dx)                    \
    {                                                                          \
        bwdmask16(n, alpha, mask, dy, dx, 0, BF);                              \
    }                                                                          \
    static void P##_leaky_bwd_mask(size_t n, double alpha,                     \
                                   const uint8_t *mask, const void *dy,        \
                                   void *dx)                                   \
    {                                                                          \
        bwdmask16(n, alpha, mask, dy, dx, 1, BF);                              \
    }

KERNELS16(h, 0)
KERNELS16(b, 1)

#define OPS16(P)                                                               \
    {P##_relu, P##_leaky, P##_relu_bwd, P##_leaky_bwd, P##_relu_mask,          \
     P##_leaky_mask, P##_relu_bwd_mask, P##_leaky_bwd_mask}

/* Increment 2 (INC2 of simd_body.h): lane loads and lane stores touch
   x[2i] and y[2i] alone, never the gaps between them. */
INL vs ld2_s(const float *p)
{
    vs v = simde_vld1q_dup_f32(p);
    v = simde_vld1q_lane_f32(p + 2, v, 1);
    v = simde_vld1q_lane_f32(p + 4, v, 2);
    return simde_vld1q_lane_f32(p + 6, v, 3);
}
INL void st2_s(float *p, vs v)
{
    simde_vst1q_lane_f32(p, v, 0);
    simde_vst1q_lane_f32(p + 2, v, 1);
    simde_vst1q_lane_f32(p + 4, v, 2);
    simde_vst1q_lane_f32(p + 6, v, 3);
}
INL vd ld2_d(const double *p) { return simde_vld1q_lane_f64(p + 2, simde_vld1q_dup_f64(p), 1); }
INL void st2_d(double *p, vd v)
{
    simde_vst1q_lane_f64(p, v, 0);
    simde_vst1q_lane_f64(p + 2, v, 1);
}

INC2(s, float, 4, frk_nanval32)
INC2(d, double, 2, frk_nanval64)

const struct frk_table FRK_TABLE(neon) = {
    .isa = FR_ISA_NEON,
    .name = NAME,
    .ops = {[FRK_S] = OPS(s), [FRK_D] = OPS(d), [FRK_H] = OPS16(h),
            [FRK_B] = OPS16(b)},
    .relu_inc2 = {[FRK_S] = relu_inc2_s, [FRK_D] = relu_inc2_d},
    .leaky_inc2 = {[FRK_S] = leaky_inc2_s, [FRK_D] = leaky_inc2_d},
};
