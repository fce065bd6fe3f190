/* NEON kernels (128-bit; f32, f64, f16 and bf16) through SIMDe. */
#include <simde/arm/neon.h>

#include "kernels.h"

typedef simde_float32x4_t v4f;
typedef simde_uint32x4_t v4u;
typedef simde_float64x2_t v2d;
typedef simde_uint64x2_t v2u;
typedef simde_uint16x8_t v8u;
typedef simde_uint16x4_t v4h;

static const uint8_t bitw8[8] = {1, 2, 4, 8, 16, 32, 64, 128};
static const uint32_t bitw32[8] = {1, 2, 4, 8, 16, 32, 64, 128};
static const uint64_t bitw64[8] = {1, 2, 4, 8, 16, 32, 64, 128};
static const uint16_t bitw16[8] = {1, 2, 4, 8, 16, 32, 64, 128};

/* ---- f32 ---- */

struct k32 {
    float sa;
    v4f a, nv, zero;
    v4u quiet;
};

static inline struct k32 k32_init(double alpha)
{
    struct k32 k;
    k.sa = (float)alpha;
    k.a = simde_vdupq_n_f32(k.sa);
    k.nv = simde_vdupq_n_f32(frk_nanval32(k.sa));
    k.zero = simde_vdupq_n_f32(0.0f);
    k.quiet = simde_vdupq_n_u32(FRK_QUIET32);
    return k;
}

/* v * alpha with the NaN rule of kernels.h */
static inline v4f mul4(v4f v, const struct k32 *k)
{
    v4f p = simde_vmulq_f32(v, k->a);
    v4f vq = simde_vreinterpretq_f32_u32(
        simde_vorrq_u32(simde_vreinterpretq_u32_f32(v), k->quiet));
    v4f fix = simde_vbslq_f32(simde_vceqq_f32(v, v), k->nv, vq);
    return simde_vbslq_f32(simde_vceqq_f32(p, p), p, fix);
}

/* relu keeps NaNs: zero exactly where x <= 0 */
static inline v4f fwd4(v4f x, const struct k32 *k, int leaky)
{
    if (leaky)
        return simde_vbslq_f32(simde_vcgtq_f32(x, k->zero), x, mul4(x, k));
    return simde_vbslq_f32(simde_vcleq_f32(x, k->zero), k->zero, x);
}

static inline v4f bwd4(v4u pos, v4f dy, const struct k32 *k, int leaky)
{
    return simde_vbslq_f32(pos, dy, leaky ? mul4(dy, k) : k->zero);
}

static inline float fwd1f(float v, float a, int leaky)
{
    if (v > 0)
        return v;
    if (leaky)
        return frk_mul32(v, a);
    return v != v ? v : 0.0f;
}

static inline float bwd1f(int pos, float dy, float a, int leaky)
{
    if (pos)
        return dy;
    return leaky ? frk_mul32(dy, a) : 0.0f;
}

static inline uint8_t pack32(v4u c0, v4u c1, simde_uint8x8_t w)
{
    simde_uint16x8_t h = simde_vcombine_u16(simde_vmovn_u32(c0), simde_vmovn_u32(c1));
    return simde_vaddv_u8(simde_vand_u8(simde_vmovn_u16(h), w));
}

static inline void fwd32(size_t n, double alpha, const float *x, float *y, int leaky)
{
    struct k32 k = k32_init(alpha);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v4f x0 = simde_vld1q_f32(x + i), x1 = simde_vld1q_f32(x + i + 4);
        v4f x2 = simde_vld1q_f32(x + i + 8), x3 = simde_vld1q_f32(x + i + 12);
        simde_vst1q_f32(y + i, fwd4(x0, &k, leaky));
        simde_vst1q_f32(y + i + 4, fwd4(x1, &k, leaky));
        simde_vst1q_f32(y + i + 8, fwd4(x2, &k, leaky));
        simde_vst1q_f32(y + i + 12, fwd4(x3, &k, leaky));
    }
    for (; i + 4 <= n; i += 4)
        simde_vst1q_f32(y + i, fwd4(simde_vld1q_f32(x + i), &k, leaky));
    for (; i < n; i++)
        y[i] = fwd1f(x[i], k.sa, leaky);
}

static inline void bwd32(size_t n, double alpha, const float *x, const float *dy,
                         float *dx, int leaky)
{
    struct k32 k = k32_init(alpha);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v4u p0 = simde_vcgtq_f32(simde_vld1q_f32(x + i), k.zero);
        v4u p1 = simde_vcgtq_f32(simde_vld1q_f32(x + i + 4), k.zero);
        v4u p2 = simde_vcgtq_f32(simde_vld1q_f32(x + i + 8), k.zero);
        v4u p3 = simde_vcgtq_f32(simde_vld1q_f32(x + i + 12), k.zero);
        v4f d0 = simde_vld1q_f32(dy + i), d1 = simde_vld1q_f32(dy + i + 4);
        v4f d2 = simde_vld1q_f32(dy + i + 8), d3 = simde_vld1q_f32(dy + i + 12);
        simde_vst1q_f32(dx + i, bwd4(p0, d0, &k, leaky));
        simde_vst1q_f32(dx + i + 4, bwd4(p1, d1, &k, leaky));
        simde_vst1q_f32(dx + i + 8, bwd4(p2, d2, &k, leaky));
        simde_vst1q_f32(dx + i + 12, bwd4(p3, d3, &k, leaky));
    }
    for (; i + 4 <= n; i += 4) {
        v4u p = simde_vcgtq_f32(simde_vld1q_f32(x + i), k.zero);
        simde_vst1q_f32(dx + i, bwd4(p, simde_vld1q_f32(dy + i), &k, leaky));
    }
    for (; i < n; i++)
        dx[i] = bwd1f(x[i] > 0, dy[i], k.sa, leaky);
}

static void mask32(size_t n, const float *x, uint8_t *mask)
{
    simde_uint8x8_t w = simde_vld1_u8(bitw8);
    v4f zero = simde_vdupq_n_f32(0.0f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v4u c0 = simde_vcgtq_f32(simde_vld1q_f32(x + i), zero);
        v4u c1 = simde_vcgtq_f32(simde_vld1q_f32(x + i + 4), zero);
        v4u c2 = simde_vcgtq_f32(simde_vld1q_f32(x + i + 8), zero);
        v4u c3 = simde_vcgtq_f32(simde_vld1q_f32(x + i + 12), zero);
        mask[i / 8] = pack32(c0, c1, w);
        mask[i / 8 + 1] = pack32(c2, c3, w);
    }
    for (; i + 8 <= n; i += 8) {
        v4u c0 = simde_vcgtq_f32(simde_vld1q_f32(x + i), zero);
        v4u c1 = simde_vcgtq_f32(simde_vld1q_f32(x + i + 4), zero);
        mask[i / 8] = pack32(c0, c1, w);
    }
    if (i < n) {
        unsigned b = 0;
        for (size_t j = 0; i + j < n; j++)
            b |= (unsigned)(x[i + j] > 0) << j;
        mask[i / 8] = (uint8_t)b;
    }
}

static inline void fwdmask32(size_t n, double alpha, const float *x, float *y,
                             uint8_t *mask, int leaky)
{
    if (!y) {
        mask32(n, x, mask);
        return;
    }
    struct k32 k = k32_init(alpha);
    simde_uint8x8_t w = simde_vld1_u8(bitw8);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v4f x0 = simde_vld1q_f32(x + i), x1 = simde_vld1q_f32(x + i + 4);
        v4f x2 = simde_vld1q_f32(x + i + 8), x3 = simde_vld1q_f32(x + i + 12);
        v4u c0 = simde_vcgtq_f32(x0, k.zero), c1 = simde_vcgtq_f32(x1, k.zero);
        v4u c2 = simde_vcgtq_f32(x2, k.zero), c3 = simde_vcgtq_f32(x3, k.zero);
        simde_vst1q_f32(y + i, fwd4(x0, &k, leaky));
        simde_vst1q_f32(y + i + 4, fwd4(x1, &k, leaky));
        simde_vst1q_f32(y + i + 8, fwd4(x2, &k, leaky));
        simde_vst1q_f32(y + i + 12, fwd4(x3, &k, leaky));
        mask[i / 8] = pack32(c0, c1, w);
        mask[i / 8 + 1] = pack32(c2, c3, w);
    }
    for (; i + 8 <= n; i += 8) {
        v4f x0 = simde_vld1q_f32(x + i), x1 = simde_vld1q_f32(x + i + 4);
        v4u c0 = simde_vcgtq_f32(x0, k.zero), c1 = simde_vcgtq_f32(x1, k.zero);
        simde_vst1q_f32(y + i, fwd4(x0, &k, leaky));
        simde_vst1q_f32(y + i + 4, fwd4(x1, &k, leaky));
        mask[i / 8] = pack32(c0, c1, w);
    }
    if (i < n) {
        unsigned b = 0;
        for (size_t j = 0; i + j < n; j++) {
            float v = x[i + j];
            b |= (unsigned)(v > 0) << j;
            y[i + j] = fwd1f(v, k.sa, leaky);
        }
        mask[i / 8] = (uint8_t)b;
    }
}

static inline void bwdmask32(size_t n, double alpha, const uint8_t *mask,
                             const float *dy, float *dx, int leaky)
{
    struct k32 k = k32_init(alpha);
    v4u wlo = simde_vld1q_u32(bitw32), whi = simde_vld1q_u32(bitw32 + 4);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v4u m0 = simde_vdupq_n_u32(mask[i / 8]), m1 = simde_vdupq_n_u32(mask[i / 8 + 1]);
        v4f d0 = simde_vld1q_f32(dy + i), d1 = simde_vld1q_f32(dy + i + 4);
        v4f d2 = simde_vld1q_f32(dy + i + 8), d3 = simde_vld1q_f32(dy + i + 12);
        simde_vst1q_f32(dx + i, bwd4(simde_vtstq_u32(m0, wlo), d0, &k, leaky));
        simde_vst1q_f32(dx + i + 4, bwd4(simde_vtstq_u32(m0, whi), d1, &k, leaky));
        simde_vst1q_f32(dx + i + 8, bwd4(simde_vtstq_u32(m1, wlo), d2, &k, leaky));
        simde_vst1q_f32(dx + i + 12, bwd4(simde_vtstq_u32(m1, whi), d3, &k, leaky));
    }
    for (; i + 8 <= n; i += 8) {
        v4u m = simde_vdupq_n_u32(mask[i / 8]);
        v4f d0 = simde_vld1q_f32(dy + i), d1 = simde_vld1q_f32(dy + i + 4);
        simde_vst1q_f32(dx + i, bwd4(simde_vtstq_u32(m, wlo), d0, &k, leaky));
        simde_vst1q_f32(dx + i + 4, bwd4(simde_vtstq_u32(m, whi), d1, &k, leaky));
    }
    for (; i < n; i++)
        dx[i] = bwd1f((mask[i / 8] >> (i % 8)) & 1, dy[i], k.sa, leaky);
}

static void s_relu(size_t n, double alpha, const void *x, void *y)
{
    fwd32(n, alpha, x, y, 0);
}
static void s_leaky(size_t n, double alpha, const void *x, void *y)
{
    fwd32(n, alpha, x, y, 1);
}
static void s_relu_bwd(size_t n, double alpha, const void *x, const void *dy, void *dx)
{
    bwd32(n, alpha, x, dy, dx, 0);
}
static void s_leaky_bwd(size_t n, double alpha, const void *x, const void *dy, void *dx)
{
    bwd32(n, alpha, x, dy, dx, 1);
}
static void s_relu_mask(size_t n, double alpha, const void *x, void *y, uint8_t *mask)
{
    fwdmask32(n, alpha, x, y, mask, 0);
}
static void s_leaky_mask(size_t n, double alpha, const void *x, void *y, uint8_t *mask)
{
    fwdmask32(n, alpha, x, y, mask, 1);
}
static void s_relu_bwd_mask(size_t n, double alpha, const uint8_t *mask,
                            const void *dy, void *dx)
{
    bwdmask32(n, alpha, mask, dy, dx, 0);
}
static void s_leaky_bwd_mask(size_t n, double alpha, const uint8_t *mask,
                             const void *dy, void *dx)
{
    bwdmask32(n, alpha, mask, dy, dx, 1);
}

/* ---- f64 ---- */

struct k64 {
    double sa;
    v2d a, nv, zero;
    v2u quiet;
};

static inline struct k64 k64_init(double alpha)
{
    struct k64 k;
    k.sa = alpha;
    k.a = simde_vdupq_n_f64(alpha);
    k.nv = simde_vdupq_n_f64(frk_nanval64(alpha));
    k.zero = simde_vdupq_n_f64(0.0);
    k.quiet = simde_vdupq_n_u64(FRK_QUIET64);
    return k;
}

static inline v2d mul2(v2d v, const struct k64 *k)
{
    v2d p = simde_vmulq_f64(v, k->a);
    v2d vq = simde_vreinterpretq_f64_u64(
        simde_vorrq_u64(simde_vreinterpretq_u64_f64(v), k->quiet));
    v2d fix = simde_vbslq_f64(simde_vceqq_f64(v, v), k->nv, vq);
    return simde_vbslq_f64(simde_vceqq_f64(p, p), p, fix);
}

static inline v2d fwd2(v2d x, const struct k64 *k, int leaky)
{
    if (leaky)
        return simde_vbslq_f64(simde_vcgtq_f64(x, k->zero), x, mul2(x, k));
    return simde_vbslq_f64(simde_vcleq_f64(x, k->zero), k->zero, x);
}

static inline v2d bwd2(v2u pos, v2d dy, const struct k64 *k, int leaky)
{
    return simde_vbslq_f64(pos, dy, leaky ? mul2(dy, k) : k->zero);
}

static inline double fwd1d(double v, double a, int leaky)
{
    if (v > 0)
        return v;
    if (leaky)
        return frk_mul64(v, a);
    return v != v ? v : 0.0;
}

static inline double bwd1d(int pos, double dy, double a, int leaky)
{
    if (pos)
        return dy;
    return leaky ? frk_mul64(dy, a) : 0.0;
}

static inline uint8_t pack64(v2u c0, v2u c1, v2u c2, v2u c3, simde_uint8x8_t w)
{
    simde_uint32x4_t lo = simde_vcombine_u32(simde_vmovn_u64(c0), simde_vmovn_u64(c1));
    simde_uint32x4_t hi = simde_vcombine_u32(simde_vmovn_u64(c2), simde_vmovn_u64(c3));
    simde_uint16x8_t h = simde_vcombine_u16(simde_vmovn_u32(lo), simde_vmovn_u32(hi));
    return simde_vaddv_u8(simde_vand_u8(simde_vmovn_u16(h), w));
}

static inline void fwd64(size_t n, double alpha, const double *x, double *y, int leaky)
{
    struct k64 k = k64_init(alpha);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v2d x0 = simde_vld1q_f64(x + i), x1 = simde_vld1q_f64(x + i + 2);
        v2d x2 = simde_vld1q_f64(x + i + 4), x3 = simde_vld1q_f64(x + i + 6);
        simde_vst1q_f64(y + i, fwd2(x0, &k, leaky));
        simde_vst1q_f64(y + i + 2, fwd2(x1, &k, leaky));
        simde_vst1q_f64(y + i + 4, fwd2(x2, &k, leaky));
        simde_vst1q_f64(y + i + 6, fwd2(x3, &k, leaky));
    }
    for (; i + 2 <= n; i += 2)
        simde_vst1q_f64(y + i, fwd2(simde_vld1q_f64(x + i), &k, leaky));
    for (; i < n; i++)
        y[i] = fwd1d(x[i], k.sa, leaky);
}

static inline void bwd64(size_t n, double alpha, const double *x, const double *dy,
                         double *dx, int leaky)
{
    struct k64 k = k64_init(alpha);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v2u p0 = simde_vcgtq_f64(simde_vld1q_f64(x + i), k.zero);
        v2u p1 = simde_vcgtq_f64(simde_vld1q_f64(x + i + 2), k.zero);
        v2u p2 = simde_vcgtq_f64(simde_vld1q_f64(x + i + 4), k.zero);
        v2u p3 = simde_vcgtq_f64(simde_vld1q_f64(x + i + 6), k.zero);
        v2d d0 = simde_vld1q_f64(dy + i), d1 = simde_vld1q_f64(dy + i + 2);
        v2d d2 = simde_vld1q_f64(dy + i + 4), d3 = simde_vld1q_f64(dy + i + 6);
        simde_vst1q_f64(dx + i, bwd2(p0, d0, &k, leaky));
        simde_vst1q_f64(dx + i + 2, bwd2(p1, d1, &k, leaky));
        simde_vst1q_f64(dx + i + 4, bwd2(p2, d2, &k, leaky));
        simde_vst1q_f64(dx + i + 6, bwd2(p3, d3, &k, leaky));
    }
    for (; i + 2 <= n; i += 2) {
        v2u p = simde_vcgtq_f64(simde_vld1q_f64(x + i), k.zero);
        simde_vst1q_f64(dx + i, bwd2(p, simde_vld1q_f64(dy + i), &k, leaky));
    }
    for (; i < n; i++)
        dx[i] = bwd1d(x[i] > 0, dy[i], k.sa, leaky);
}

static void mask64(size_t n, const double *x, uint8_t *mask)
{
    simde_uint8x8_t w = simde_vld1_u8(bitw8);
    v2d zero = simde_vdupq_n_f64(0.0);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v2u c0 = simde_vcgtq_f64(simde_vld1q_f64(x + i), zero);
        v2u c1 = simde_vcgtq_f64(simde_vld1q_f64(x + i + 2), zero);
        v2u c2 = simde_vcgtq_f64(simde_vld1q_f64(x + i + 4), zero);
        v2u c3 = simde_vcgtq_f64(simde_vld1q_f64(x + i + 6), zero);
        mask[i / 8] = pack64(c0, c1, c2, c3, w);
    }
    if (i < n) {
        unsigned b = 0;
        for (size_t j = 0; i + j < n; j++)
            b |= (unsigned)(x[i + j] > 0) << j;
        mask[i / 8] = (uint8_t)b;
    }
}

static inline void fwdmask64(size_t n, double alpha, const double *x, double *y,
                             uint8_t *mask, int leaky)
{
    if (!y) {
        mask64(n, x, mask);
        return;
    }
    struct k64 k = k64_init(alpha);
    simde_uint8x8_t w = simde_vld1_u8(bitw8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v2d x0 = simde_vld1q_f64(x + i), x1 = simde_vld1q_f64(x + i + 2);
        v2d x2 = simde_vld1q_f64(x + i + 4), x3 = simde_vld1q_f64(x + i + 6);
        v2u c0 = simde_vcgtq_f64(x0, k.zero), c1 = simde_vcgtq_f64(x1, k.zero);
        v2u c2 = simde_vcgtq_f64(x2, k.zero), c3 = simde_vcgtq_f64(x3, k.zero);
        simde_vst1q_f64(y + i, fwd2(x0, &k, leaky));
        simde_vst1q_f64(y + i + 2, fwd2(x1, &k, leaky));
        simde_vst1q_f64(y + i + 4, fwd2(x2, &k, leaky));
        simde_vst1q_f64(y + i + 6, fwd2(x3, &k, leaky));
        mask[i / 8] = pack64(c0, c1, c2, c3, w);
    }
    if (i < n) {
        unsigned b = 0;
        for (size_t j = 0; i + j < n; j++) {
            double v = x[i + j];
            b |= (unsigned)(v > 0) << j;
            y[i + j] = fwd1d(v, k.sa, leaky);
        }
        mask[i / 8] = (uint8_t)b;
    }
}

static inline void bwdmask64(size_t n, double alpha, const uint8_t *mask,
                             const double *dy, double *dx, int leaky)
{
    struct k64 k = k64_init(alpha);
    v2u w0 = simde_vld1q_u64(bitw64), w1 = simde_vld1q_u64(bitw64 + 2);
    v2u w2 = simde_vld1q_u64(bitw64 + 4), w3 = simde_vld1q_u64(bitw64 + 6);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v2u m = simde_vdupq_n_u64(mask[i / 8]);
        v2d d0 = simde_vld1q_f64(dy + i), d1 = simde_vld1q_f64(dy + i + 2);
        v2d d2 = simde_vld1q_f64(dy + i + 4), d3 = simde_vld1q_f64(dy + i + 6);
        simde_vst1q_f64(dx + i, bwd2(simde_vtstq_u64(m, w0), d0, &k, leaky));
        simde_vst1q_f64(dx + i + 2, bwd2(simde_vtstq_u64(m, w1), d1, &k, leaky));
        simde_vst1q_f64(dx + i + 4, bwd2(simde_vtstq_u64(m, w2), d2, &k, leaky));
        simde_vst1q_f64(dx + i + 6, bwd2(simde_vtstq_u64(m, w3), d3, &k, leaky));
    }
    for (; i < n; i++)
        dx[i] = bwd1d((mask[i / 8] >> (i % 8)) & 1, dy[i], k.sa, leaky);
}

static void d_relu(size_t n, double alpha, const void *x, void *y)
{
    fwd64(n, alpha, x, y, 0);
}
static void d_leaky(size_t n, double alpha, const void *x, void *y)
{
    fwd64(n, alpha, x, y, 1);
}
static void d_relu_bwd(size_t n, double alpha, const void *x, const void *dy, void *dx)
{
    bwd64(n, alpha, x, dy, dx, 0);
}
static void d_leaky_bwd(size_t n, double alpha, const void *x, const void *dy, void *dx)
{
    bwd64(n, alpha, x, dy, dx, 1);
}
static void d_relu_mask(size_t n, double alpha, const void *x, void *y, uint8_t *mask)
{
    fwdmask64(n, alpha, x, y, mask, 0);
}
static void d_leaky_mask(size_t n, double alpha, const void *x, void *y, uint8_t *mask)
{
    fwdmask64(n, alpha, x, y, mask, 1);
}
static void d_relu_bwd_mask(size_t n, double alpha, const uint8_t *mask,
                            const void *dy, void *dx)
{
    bwdmask64(n, alpha, mask, dy, dx, 0);
}
static void d_leaky_bwd_mask(size_t n, double alpha, const uint8_t *mask,
                             const void *dy, void *dx)
{
    bwdmask64(n, alpha, mask, dy, dx, 1);
}

/* ---- f16 and bf16 (bf: bfloat16), 8 lanes of uint16 ----

   relu, the backward tests and the masks stay in 16-bit integer lanes. leaky
   widens to f32, multiplies and narrows with round to nearest even; the NaN
   rule and infinite inputs are then settled in the 16-bit lanes. SIMDe 0.7.4
   maps vcvt_f16_f32 to FCVTN only with FP16 arithmetic (armv8.2-a+fp16) and
   otherwise drops NaN payloads, so the f16 conversions are built here from
   integer and f32 operations, exact with FPCR.FZ = 0 (Linux's default). */

struct k16 {
    float sa;
    v4f a;
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
static inline v4f widen4(v4h h, int bf)
{
    if (bf)
        return simde_vreinterpretq_f32_u32(simde_vshlq_n_u32(simde_vmovl_u16(h), 16));
    /* sign | (h & 0x7fff) << 13 is h times 2^-112, subnormals included */
    v4u t = simde_vreinterpretq_u32_s32(simde_vmovl_s16(simde_vreinterpret_s16_u16(h)));
    t = simde_vandq_u32(simde_vshlq_n_u32(t, 13), simde_vdupq_n_u32(0x8fffffffu));
    return simde_vmulq_f32(simde_vreinterpretq_f32_u32(t), simde_vdupq_n_f32(0x1p112f));
}

/* Round to nearest even, for any p but NaN. */
static inline v4h narrow4(v4f p, int bf)
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
    v4f m = simde_vreinterpretq_f32_u32(simde_vaddq_u32(e, simde_vdupq_n_u32(13u << 23)));
    v4f r = simde_vsubq_f32(simde_vaddq_f32(simde_vreinterpretq_f32_u32(a), m), m);
    /* scaled by 2^-112, the float's bits are the binary16's shifted by 13 */
    r = simde_vmulq_f32(r, simde_vdupq_n_f32(0x1p-112f));
    v4h h = simde_vshrn_n_u32(simde_vreinterpretq_u32_f32(r), 13);
    return simde_vbsl_u16(simde_vdup_n_u16(0x8000), simde_vshrn_n_u32(u, 16), h);
}

/* v * alpha in the 16-bit format, with the NaN rule of kernels.h */
static inline v8u mul8(v8u v, const struct k16 *k, int bf)
{
    v4f lo = simde_vmulq_f32(widen4(simde_vget_low_u16(v), bf), k->a);
    v4f hi = simde_vmulq_f32(widen4(simde_vget_high_u16(v), bf), k->a);
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

const struct frk_table FRK_TABLE(neon) = {
    .isa = FR_ISA_NEON,
#ifdef FRK_EMUL
    .name = "neon (emulated)",
#else
    .name = "neon",
#endif
    .ops = {
        [FRK_S] = {s_relu, s_leaky, s_relu_bwd, s_leaky_bwd,
                   s_relu_mask, s_leaky_mask, s_relu_bwd_mask, s_leaky_bwd_mask},
        [FRK_D] = {d_relu, d_leaky, d_relu_bwd, d_leaky_bwd,
                   d_relu_mask, d_leaky_mask, d_relu_bwd_mask, d_leaky_bwd_mask},
        [FRK_H] = OPS16(h),
        [FRK_B] = OPS16(b),
    },
};
