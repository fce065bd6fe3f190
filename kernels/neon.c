/* NEON kernels (128-bit, f32 and f64) through SIMDe. */
#include <simde/arm/neon.h>

#include "kernels.h"

typedef simde_float32x4_t v4f;
typedef simde_uint32x4_t v4u;
typedef simde_float64x2_t v2d;
typedef simde_uint64x2_t v2u;

static const uint8_t bitw8[8] = {1, 2, 4, 8, 16, 32, 64, 128};
static const uint32_t bitw32[8] = {1, 2, 4, 8, 16, 32, 64, 128};
static const uint64_t bitw64[8] = {1, 2, 4, 8, 16, 32, 64, 128};

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
    },
};
