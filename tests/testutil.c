/* Shared test helpers: random data with special values, op metadata, calls through the API and the kernel tables. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

const char *const tu_prec_name[REF_NPREC] = {"s", "d", "h", "b"};
const char *const tu_op_name[REF_NOPS] = {
    "relu", "leaky_relu", "relu_backward", "leaky_relu_backward",
    "relu_mask", "leaky_relu_mask", "relu_backward_mask",
    "leaky_relu_backward_mask"};

size_t tu_esize(int prec)
{
    static const size_t sz[REF_NPREC] = {4, 8, 2, 2};
    return sz[prec];
}

int tu_leaky(int op)
{
    return op == REF_LEAKY || op == REF_LEAKY_BWD || op == REF_LEAKY_MASK ||
           op == REF_LEAKY_BWD_MASK;
}
int tu_has_x(int op) { return op <= REF_LEAKY_MASK; }
int tu_has_dy(int op)
{
    return op == REF_RELU_BWD || op == REF_LEAKY_BWD ||
           op == REF_RELU_BWD_MASK || op == REF_LEAKY_BWD_MASK;
}
int tu_mask_out(int op) { return op == REF_RELU_MASK || op == REF_LEAKY_MASK; }
int tu_mask_in(int op)
{
    return op == REF_RELU_BWD_MASK || op == REF_LEAKY_BWD_MASK;
}

uint64_t tu_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const uint32_t s_special[] = {
    0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
    0x7fc12345, 0xffd54321, 0x7f800001, 0xff800001, 0x7fa5a5a5, 0xffb00000,
    0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00400000, 0x7f7fffff,
    0xff7fffff, 0x00800000, 0x80800000, 0x3f800000, 0xbf800000};
static const uint64_t d_special[] = {
    0x0000000000000000ull, 0x8000000000000000ull, 0x7ff0000000000000ull,
    0xfff0000000000000ull, 0x7ff8000000000000ull, 0xfff8000000000000ull,
    0x7ff8000123456789ull, 0xfffcba9876543210ull, 0x7ff0000000000001ull,
    0xfff0000000000001ull, 0x7ff5a5a5a5a5a5a5ull, 0xfff4000000000000ull,
    0x0000000000000001ull, 0x8000000000000001ull, 0x000fffffffffffffull,
    0x800fffffffffffffull, 0x0008000000000000ull, 0x7fefffffffffffffull,
    0xffefffffffffffffull, 0x0010000000000000ull, 0x8010000000000000ull,
    0x3ff0000000000000ull, 0xbff0000000000000ull};
static const uint16_t h_special[] = {
    0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x7e55, 0xfe2a, 0x7c01,
    0xfc01, 0x7d5a, 0xfd00, 0x0001, 0x8001, 0x03ff, 0x83ff, 0x0200, 0x7bff,
    0xfbff, 0x0400, 0x8400, 0x3c00, 0xbc00};
static const uint16_t b_special[] = {
    0x0000, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0xffc0, 0x7fd5, 0xffea, 0x7f81,
    0xff81, 0x7fa5, 0xffb0, 0x0001, 0x8001, 0x007f, 0x807f, 0x0040, 0x7f7f,
    0xff7f, 0x0080, 0x8080, 0x3f80, 0xbf80};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

uint64_t tu_value(int prec, uint64_t *state)
{
    uint64_t r = tu_rand(state);
    unsigned kind = (unsigned)(r & 7);
    uint64_t bits = tu_rand(state);

    if (kind < 2) {
        size_t k = (size_t)(bits % COUNT(s_special));
        switch (prec) {
        case REF_S: return s_special[k];
        case REF_D: return d_special[k];
        case REF_H: return h_special[k];
        default: return b_special[k];
        }
    }
    if (kind < 5) { /* any bit pattern */
        switch (prec) {
        case REF_S: return (uint32_t)bits;
        case REF_D: return bits;
        default: return (uint16_t)bits;
        }
    }
    /* moderate magnitudes around 1, either sign: where leaky products round */
    switch (prec) {
    case REF_S: {
        uint32_t e = 100 + (uint32_t)((bits >> 40) % 50);
        return (uint32_t)(bits & 0x807fffffu) | (e << 23);
    }
    case REF_D: {
        uint64_t e = 990 + (bits >> 56) % 60;
        return (bits & 0x800fffffffffffffull) | (e << 52);
    }
    case REF_H: {
        uint32_t e = 1 + (uint32_t)((bits >> 40) % 30);
        return (uint16_t)((bits & 0x83ff) | (e << 10));
    }
    default: {
        uint32_t e = 100 + (uint32_t)((bits >> 40) % 50);
        return (uint16_t)((bits & 0x807f) | (e << 7));
    }
    }
}

/* NaN bits become the zero of their sign */
static uint64_t no_nan(int prec, uint64_t v)
{
    switch (prec) {
    case REF_S: return frk_f32((uint32_t)v) != frk_f32((uint32_t)v) ? v & 0x80000000u : v;
    case REF_D: return frk_f64(v) != frk_f64(v) ? v & 0x8000000000000000ull : v;
    case REF_H: return frk_hnan((uint16_t)v) ? v & 0x8000 : v;
    default: return frk_bnan((uint16_t)v) ? v & 0x8000 : v;
    }
}

void tu_fill(int prec, void *p, size_t count, uint64_t *state)
{
    tu_fill_as(prec, p, count, state, 0);
}

void tu_fill_as(int prec, void *p, size_t count, uint64_t *state, int nonan)
{
    size_t i;
    for (i = 0; i < count; i++) {
        uint64_t v = tu_value(prec, state);
        if (nonan)
            v = no_nan(prec, v);
        switch (prec) {
        case REF_S: ((uint32_t *)p)[i] = (uint32_t)v; break;
        case REF_D: ((uint64_t *)p)[i] = v; break;
        default: ((uint16_t *)p)[i] = (uint16_t)v; break;
        }
    }
}

void tu_fill_bytes(void *p, size_t count, uint64_t *state)
{
    size_t i;
    for (i = 0; i < count; i++)
        ((uint8_t *)p)[i] = (uint8_t)tu_rand(state);
}

uint64_t tu_get(int prec, const void *p, int64_t k)
{
    switch (prec) {
    case REF_S: return ((const uint32_t *)p)[k];
    case REF_D: return ((const uint64_t *)p)[k];
    default: return ((const uint16_t *)p)[k];
    }
}

static const uint32_t s_alpha[TU_NALPHA] = {
    0x00000000, /* 0 */
    0x3c23d70a, /* 0.01 */
    0x3e4ccccd, /* 0.2 */
    0x3f800000, /* 1 */
    0x3fc00000, /* 1.5 */
    0xbf000000, /* -0.5 */
    0x7f800000, /* inf */
    0x7fc00000, /* NaN */
    0x80000000, /* -0 */
    0xff800000, /* -inf */
    0xffa12345, /* negative signalling NaN with payload */
    0x7fc00abc, /* quiet NaN with payload */
};
static const uint64_t d_alpha[TU_NALPHA] = {
    0x0000000000000000ull, 0x3f847ae147ae147bull, 0x3fc999999999999aull,
    0x3ff0000000000000ull, 0x3ff8000000000000ull, 0xbfe0000000000000ull,
    0x7ff0000000000000ull, 0x7ff8000000000000ull, 0x8000000000000000ull,
    0xfff0000000000000ull, 0xfff4123456789abcull, 0x7ff8000000000abcull};

double tu_alpha(int prec, int k)
{
    if (prec == REF_D) {
        double d;
        memcpy(&d, &d_alpha[k], sizeof d);
        return d;
    } else {
        float f;
        memcpy(&f, &s_alpha[k], sizeof f);
        return (double)f;
    }
}

#define API_CASES(P, T, S)                                                      \
    switch (op) {                                                               \
    case REF_RELU:                                                              \
        return fr_##P##relu(n, (const T *)x, incx, (T *)y, incy);               \
    case REF_LEAKY:                                                             \
        return fr_##P##leaky_relu(n, (S)alpha, (const T *)x, incx, (T *)y,      \
                                  incy);                                        \
    case REF_RELU_BWD:                                                          \
        return fr_##P##relu_backward(n, (const T *)x, incx, (const T *)dy,      \
                                     incdy, (T *)y, incy);                      \
    case REF_LEAKY_BWD:                                                         \
        return fr_##P##leaky_relu_backward(n, (S)alpha, (const T *)x, incx,     \
                                           (const T *)dy, incdy, (T *)y, incy); \
    case REF_RELU_MASK:                                                         \
        return fr_##P##relu_mask(n, (const T *)x, incx, (T *)y, incy, mask);    \
    case REF_LEAKY_MASK:                                                        \
        return fr_##P##leaky_relu_mask(n, (S)alpha, (const T *)x, incx,         \
                                       (T *)y, incy, mask);                     \
    case REF_RELU_BWD_MASK:                                                     \
        return fr_##P##relu_backward_mask(n, mask, (const T *)dy, incdy,        \
                                          (T *)y, incy);                        \
    default:                                                                    \
        return fr_##P##leaky_relu_backward_mask(n, (S)alpha, mask,              \
                                                (const T *)dy, incdy, (T *)y,   \
                                                incy);                          \
    }

int tu_api(int prec, int op, fr_int n, double alpha, const void *x,
           fr_int incx, const void *dy, fr_int incdy, void *y, fr_int incy,
           uint8_t *mask)
{
    switch (prec) {
    case REF_S: API_CASES(s, float, float)
    case REF_D: API_CASES(d, double, double)
    case REF_H: API_CASES(h, fr_f16, float)
    default: API_CASES(b, fr_bf16, float)
    }
}

void tu_kernel(const struct frk_table *t, const struct frk_table *fallback,
               int prec, int op, size_t n, double alpha, const void *x,
               const void *dy, void *y, uint8_t *mask)
{
    const struct frk_ops *o = &t->ops[prec], *f = &fallback->ops[prec];
#define PICK(slot) (o->slot ? o->slot : f->slot)
    switch (op) {
    case REF_RELU: PICK(relu)(n, alpha, x, y); break;
    case REF_LEAKY: PICK(leaky)(n, alpha, x, y); break;
    case REF_RELU_BWD: PICK(relu_bwd)(n, alpha, x, dy, y); break;
    case REF_LEAKY_BWD: PICK(leaky_bwd)(n, alpha, x, dy, y); break;
    case REF_RELU_MASK: PICK(relu_mask)(n, alpha, x, y, mask); break;
    case REF_LEAKY_MASK: PICK(leaky_mask)(n, alpha, x, y, mask); break;
    case REF_RELU_BWD_MASK: PICK(relu_bwd_mask)(n, alpha, mask, dy, y); break;
    default: PICK(leaky_bwd_mask)(n, alpha, mask, dy, y); break;
    }
#undef PICK
}

#if defined(__x86_64__) || defined(__i386__)
static uint64_t xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
#endif

int tu_cpu_has(fr_isa isa)
{
    if (isa == FR_ISA_SCALAR || isa == FR_ISA_AUTO)
        return 1;
#if defined(__x86_64__) || defined(__i386__)
    {
        unsigned a, b, c, d, b7 = 0;
        int avx_os, avx512_os;
        if (!__get_cpuid(1, &a, &b, &c, &d))
            return 0;
        if (isa == FR_ISA_SSE2)
            return (d >> 26) & 1;
        if (!((c >> 27) & 1)) /* OSXSAVE */
            return 0;
        avx_os = (xcr0() & 0x6) == 0x6;
        avx512_os = (xcr0() & 0xe6) == 0xe6;
        {
            unsigned a7, c7, d7;
            if (__get_cpuid_count(7, 0, &a7, &b7, &c7, &d7) == 0)
                b7 = 0;
        }
        if (isa == FR_ISA_AVX2)
            return avx_os && ((c >> 28) & 1) && ((c >> 12) & 1) &&
                   ((c >> 29) & 1) && ((b7 >> 5) & 1);
        if (isa == FR_ISA_AVX512)
            return avx512_os && ((b7 >> 16) & 1) && ((b7 >> 17) & 1) &&
                   ((b7 >> 30) & 1) && ((b7 >> 31) & 1);
        return 0;
    }
#elif defined(__aarch64__)
    return isa == FR_ISA_NEON;
#else
    return 0;
#endif
}

fr_isa tu_isa_from_name(const char *name)
{
    static const char *const names[] = {"auto", "scalar", "sse2", "avx2",
                                        "avx512", "neon"};
    int i;
    for (i = 0; i < 6; i++)
        if (strcasecmp(name, names[i]) == 0)
            return (fr_isa)i;
    return (fr_isa)-1;
}

void *tu_alloc(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64 + 64);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
        abort();
    }
    return p;
}
