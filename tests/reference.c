/* Reference implementation of API.md: plain loops, one element at a time, written apart from the kernels. */
#include "reference.h"

#include <math.h>
#include <string.h>

static float s_val(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }
static uint32_t s_bits(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
static double d_val(uint64_t u) { double f; memcpy(&f, &u, sizeof f); return f; }
static uint64_t d_bits(double f) { uint64_t u; memcpy(&u, &f, sizeof u); return u; }

static int s_isnan(uint32_t u) { return (u & 0x7fffffffu) > 0x7f800000u; }
static int d_isnan(uint64_t u)
{
    return (u & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
}
static int h_isnan(uint16_t u) { return (u & 0x7fff) > 0x7c00; }
static int b_isnan(uint16_t u) { return (u & 0x7fff) > 0x7f80; }

/* ---- conversions ---- */

float ref_h2f_bits(uint16_t h)
{
    int e = (h >> 10) & 0x1f;
    int m = h & 0x3ff;
    float mag;
    if (e == 0x1f)
        mag = INFINITY;
    else if (e == 0)
        mag = ldexpf((float)m, -24);
    else
        mag = ldexpf((float)(m + 1024), e - 25);
    return (h & 0x8000) ? -mag : mag;
}

/* Round |f| = M * 2^E to a multiple of the binary16 quantum 2^t, ties to even. */
uint16_t ref_f2h_bits(float f)
{
    uint32_t u = s_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    uint32_t ef = (u >> 23) & 0xff, mf = u & 0x7fffff;
    uint64_t m, q, rem, half;
    int e, lead, t, sh, be;

    if (ef == 0xff) {
        if (mf == 0)
            return (uint16_t)(sign | 0x7c00);
        return (uint16_t)(sign | 0x7e00 | (mf >> 13));
    }
    if (ef == 0) {
        m = mf;
        e = -149;
    } else {
        m = mf | 0x800000;
        e = (int)ef - 150;
    }
    if (m == 0)
        return sign;
    lead = 0;
    while ((m >> lead) > 1)
        lead++;
    t = e + lead - 10;
    if (t < -24)
        t = -24;
    sh = t - e; /* always >= 13 */
    if (sh >= 40)
        return sign; /* below 2^-40 * 2^24: far under half of 2^-24 */
    q = m >> sh;
    rem = m & ((1ull << sh) - 1);
    half = 1ull << (sh - 1);
    if (rem > half || (rem == half && (q & 1)))
        q++;
    if (q < 1024)
        return (uint16_t)(sign | q);
    if (q == 2048) {
        q = 1024;
        t++;
    }
    be = t + 25;
    if (be >= 31)
        return (uint16_t)(sign | 0x7c00);
    return (uint16_t)(sign | (be << 10) | (q - 1024));
}

#if defined(__FLT16_MANT_DIG__)
int ref_have_float16(void) { return 1; }
float ref_h2f(uint16_t h)
{
    _Float16 v;
    memcpy(&v, &h, sizeof v);
    return (float)v;
}
uint16_t ref_f2h(float f)
{
    _Float16 v = (_Float16)f;
    uint16_t h;
    memcpy(&h, &v, sizeof h);
    return h;
}
#else
int ref_have_float16(void) { return 0; }
float ref_h2f(uint16_t h) { return ref_h2f_bits(h); }
uint16_t ref_f2h(float f) { return ref_f2h_bits(f); }
#endif

float ref_b2f(uint16_t b) { return s_val((uint32_t)b << 16); }

uint16_t ref_f2b(float f)
{
    uint32_t u = s_bits(f);
    uint32_t hi = u >> 16, lo = u & 0xffff;
    if (s_isnan(u))
        return (uint16_t)(hi | 0x0040);
    if (lo > 0x8000 || (lo == 0x8000 && (hi & 1)))
        hi++;
    return (uint16_t)hi;
}

/* ---- one element ---- */

/* NaN of a float product alpha * v where v is not NaN: alpha quieted, or the
   positive default NaN. */
static uint32_t s_prodnan(float alpha)
{
    uint32_t a = s_bits(alpha);
    if (s_isnan(a))
        return a | 0x00400000u;
    return 0x7fc00000u;
}

static uint32_t s_mul(uint32_t v, float alpha)
{
    float p;
    if (s_isnan(v))
        return v | 0x00400000u;
    p = s_val(v) * alpha;
    if (isnan(p))
        return s_prodnan(alpha);
    return s_bits(p);
}

static uint64_t d_mul(uint64_t v, double alpha)
{
    double p;
    if (d_isnan(v))
        return v | 0x0008000000000000ull;
    p = d_val(v) * alpha;
    if (isnan(p)) {
        uint64_t a = d_bits(alpha);
        if (d_isnan(a))
            return a | 0x0008000000000000ull;
        return 0x7ff8000000000000ull;
    }
    return d_bits(p);
}

/* A float NaN narrowed to binary16: sign, quiet bit, top 9 payload bits. */
static uint16_t h_fromnan(uint32_t u)
{
    return (uint16_t)(((u >> 16) & 0x8000) | 0x7e00 | ((u >> 13) & 0x3ff));
}

static uint16_t h_mul(uint16_t v, float alpha)
{
    float p;
    if (h_isnan(v))
        return v | 0x0200;
    p = ref_h2f(v) * alpha;
    if (isnan(p))
        return h_fromnan(s_prodnan(alpha));
    return ref_f2h(p);
}

static uint16_t b_mul(uint16_t v, float alpha)
{
    float p;
    if (b_isnan(v))
        return v | 0x0040;
    p = ref_b2f(v) * alpha;
    if (isnan(p))
        return (uint16_t)(s_prodnan(alpha) >> 16);
    return ref_f2b(p);
}

int ref_s_pos(uint32_t x) { return !s_isnan(x) && s_val(x) > 0.0f; }
int ref_d_pos(uint64_t x) { return !d_isnan(x) && d_val(x) > 0.0; }
int ref_h_pos(uint16_t x) { return !h_isnan(x) && ref_h2f(x) > 0.0f; }
int ref_b_pos(uint16_t x) { return !b_isnan(x) && ref_b2f(x) > 0.0f; }

uint32_t ref_s_fwd(uint32_t x, int leaky, float alpha)
{
    if (ref_s_pos(x))
        return x;
    if (leaky)
        return s_mul(x, alpha);
    return s_isnan(x) ? x : 0;
}

uint64_t ref_d_fwd(uint64_t x, int leaky, double alpha)
{
    if (ref_d_pos(x))
        return x;
    if (leaky)
        return d_mul(x, alpha);
    return d_isnan(x) ? x : 0;
}

uint16_t ref_h_fwd(uint16_t x, int leaky, float alpha)
{
    if (ref_h_pos(x))
        return x;
    if (leaky)
        return h_mul(x, alpha);
    return h_isnan(x) ? x : 0;
}

uint16_t ref_b_fwd(uint16_t x, int leaky, float alpha)
{
    if (ref_b_pos(x))
        return x;
    if (leaky)
        return b_mul(x, alpha);
    return b_isnan(x) ? x : 0;
}

uint32_t ref_s_bwd(int pos, uint32_t dy, int leaky, float alpha)
{
    if (pos)
        return dy;
    return leaky ? s_mul(dy, alpha) : 0;
}

uint64_t ref_d_bwd(int pos, uint64_t dy, int leaky, double alpha)
{
    if (pos)
        return dy;
    return leaky ? d_mul(dy, alpha) : 0;
}

uint16_t ref_h_bwd(int pos, uint16_t dy, int leaky, float alpha)
{
    if (pos)
        return dy;
    return leaky ? h_mul(dy, alpha) : 0;
}

uint16_t ref_b_bwd(int pos, uint16_t dy, int leaky, float alpha)
{
    if (pos)
        return dy;
    return leaky ? b_mul(dy, alpha) : 0;
}

/* ---- whole calls ---- */

int64_t ref_index(fr_int n, fr_int inc, fr_int i)
{
    if (inc > 0)
        return i * inc;
    return (n - 1 - i) * -inc;
}

static uint64_t load(int prec, const void *p, int64_t k)
{
    switch (prec) {
    case REF_S: return ((const uint32_t *)p)[k];
    case REF_D: return ((const uint64_t *)p)[k];
    default: return ((const uint16_t *)p)[k];
    }
}

static void store(int prec, void *p, int64_t k, uint64_t v)
{
    switch (prec) {
    case REF_S: ((uint32_t *)p)[k] = (uint32_t)v; break;
    case REF_D: ((uint64_t *)p)[k] = v; break;
    default: ((uint16_t *)p)[k] = (uint16_t)v; break;
    }
}

static int pos(int prec, uint64_t x)
{
    switch (prec) {
    case REF_S: return ref_s_pos((uint32_t)x);
    case REF_D: return ref_d_pos(x);
    case REF_H: return ref_h_pos((uint16_t)x);
    default: return ref_b_pos((uint16_t)x);
    }
}

static uint64_t fwd(int prec, uint64_t x, int leaky, double alpha)
{
    switch (prec) {
    case REF_S: return ref_s_fwd((uint32_t)x, leaky, (float)alpha);
    case REF_D: return ref_d_fwd(x, leaky, alpha);
    case REF_H: return ref_h_fwd((uint16_t)x, leaky, (float)alpha);
    default: return ref_b_fwd((uint16_t)x, leaky, (float)alpha);
    }
}

static uint64_t bwd(int prec, int p, uint64_t dy, int leaky, double alpha)
{
    switch (prec) {
    case REF_S: return ref_s_bwd(p, (uint32_t)dy, leaky, (float)alpha);
    case REF_D: return ref_d_bwd(p, dy, leaky, alpha);
    case REF_H: return ref_h_bwd(p, (uint16_t)dy, leaky, (float)alpha);
    default: return ref_b_bwd(p, (uint16_t)dy, leaky, (float)alpha);
    }
}

void ref_call(int prec, int op, fr_int n, double alpha, const void *x,
              fr_int incx, const void *dy, fr_int incdy, void *y, fr_int incy,
              uint8_t *mask)
{
    int leaky = op == REF_LEAKY || op == REF_LEAKY_BWD ||
                op == REF_LEAKY_MASK || op == REF_LEAKY_BWD_MASK;
    fr_int i;

    if (op == REF_RELU_MASK || op == REF_LEAKY_MASK)
        for (i = 0; i < (n + 7) / 8; i++)
            mask[i] = 0;
    for (i = 0; i < n; i++) {
        uint64_t xv, dyv, out;
        int p;
        switch (op) {
        case REF_RELU:
        case REF_LEAKY:
        case REF_RELU_MASK:
        case REF_LEAKY_MASK:
            xv = load(prec, x, ref_index(n, incx, i));
            out = fwd(prec, xv, leaky, alpha);
            if (op == REF_RELU_MASK || op == REF_LEAKY_MASK) {
                if (pos(prec, xv))
                    mask[i / 8] |= (uint8_t)(1u << (i % 8));
                if (y == NULL)
                    continue;
            }
            break;
        case REF_RELU_BWD:
        case REF_LEAKY_BWD:
            xv = load(prec, x, ref_index(n, incx, i));
            dyv = load(prec, dy, ref_index(n, incdy, i));
            out = bwd(prec, pos(prec, xv), dyv, leaky, alpha);
            break;
        default:
            p = (mask[i / 8] >> (i % 8)) & 1;
            dyv = load(prec, dy, ref_index(n, incdy, i));
            out = bwd(prec, p, dyv, leaky, alpha);
            break;
        }
        store(prec, y, ref_index(n, incy, i), out);
    }
}
