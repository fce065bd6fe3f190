/* The plain C loop peer, built twice (baseline x86-64 and -mavx2) with PLAIN_PREFIX naming the copy. */
#include <string.h>

#include "bench.h"

#ifndef PLAIN_PREFIX
#define PLAIN_PREFIX plain_base_
#endif
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define NAME(x) CAT(PLAIN_PREFIX, x)

/* What a user would write: compare and select, left to the compiler. */
#define PLAIN_FLOAT(T, S, sfx)                                                 \
    static void relu_##sfx(size_t n, const T *restrict x, T *restrict y)       \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            y[i] = x[i] > 0 ? x[i] : (T)0;                                     \
    }                                                                          \
    static void leaky_##sfx(size_t n, S a, const T *restrict x, T *restrict y) \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            y[i] = x[i] > 0 ? x[i] : x[i] * a;                                 \
    }                                                                          \
    static void relu_bwd_##sfx(size_t n, const T *restrict x,                  \
                               const T *restrict dy, T *restrict dx)           \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            dx[i] = x[i] > 0 ? dy[i] : (T)0;                                   \
    }                                                                          \
    static void leaky_bwd_##sfx(size_t n, S a, const T *restrict x,            \
                                const T *restrict dy, T *restrict dx)          \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            dx[i] = x[i] > 0 ? dy[i] : dy[i] * a;                              \
    }                                                                          \
    static void mask_##sfx(size_t n, int leaky, S a, const T *restrict x,      \
                           T *restrict y, uint8_t *restrict m)                 \
    {                                                                          \
        size_t i = 0;                                                          \
        for (; i + 8 <= n; i += 8) {                                           \
            unsigned b = 0;                                                    \
            for (int j = 0; j < 8; j++) {                                      \
                T v = x[i + j];                                                \
                b |= (unsigned)(v > 0) << j;                                   \
                y[i + j] = v > 0 ? v : leaky ? v * a : (T)0;                   \
            }                                                                  \
            m[i / 8] = (uint8_t)b;                                             \
        }                                                                      \
        if (i < n) {                                                           \
            unsigned b = 0;                                                    \
            for (int j = 0; i + j < n; j++) {                                  \
                T v = x[i + j];                                                \
                b |= (unsigned)(v > 0) << j;                                   \
                y[i + j] = v > 0 ? v : leaky ? v * a : (T)0;                   \
            }                                                                  \
            m[i / 8] = (uint8_t)b;                                             \
        }                                                                      \
    }                                                                          \
    static void bwd_mask_##sfx(size_t n, int leaky, S a,                       \
                               const uint8_t *restrict m,                      \
                               const T *restrict dy, T *restrict dx)           \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            dx[i] = (m[i >> 3] >> (i & 7)) & 1 ? dy[i]                         \
                    : leaky                    ? dy[i] * a                     \
                                               : (T)0;                         \
    }

PLAIN_FLOAT(float, float, s)
PLAIN_FLOAT(double, double, d)

/* In place, as a user would write it: one pointer. */
#define PLAIN_INPLACE(T, S, sfx)                                               \
    static void relu_ip_##sfx(size_t n, T *v)                                  \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            v[i] = v[i] > 0 ? v[i] : (T)0;                                     \
    }                                                                          \
    static void leaky_ip_##sfx(size_t n, S a, T *v)                            \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            v[i] = v[i] > 0 ? v[i] : v[i] * a;                                 \
    }                                                                          \
    static void relu_bwd_ip_##sfx(size_t n, const T *x, T *g)                  \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            g[i] = x[i] > 0 ? g[i] : (T)0;                                     \
    }                                                                          \
    static void leaky_bwd_ip_##sfx(size_t n, S a, const T *x, T *g)            \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            g[i] = x[i] > 0 ? g[i] : g[i] * a;                                 \
    }                                                                          \
    static void bwd_mask_ip_##sfx(size_t n, int leaky, S a, const uint8_t *m,  \
                                  T *g)                                        \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            g[i] = (m[i >> 3] >> (i & 7)) & 1 ? g[i] : leaky ? g[i] * a : (T)0; \
    }

PLAIN_INPLACE(float, float, s)
PLAIN_INPLACE(double, double, d)

/* binary16 and bfloat16 relu on the bits: positive means sign clear and not zero. */
static void relu_16(size_t n, const uint16_t *restrict x, uint16_t *restrict y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = (int16_t)x[i] > 0 ? x[i] : 0;
}

static void relu_ip_16(size_t n, uint16_t *v)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (int16_t)v[i] > 0 ? v[i] : 0;
}

static void relu_bwd_ip_16(size_t n, const uint16_t *x, uint16_t *g)
{
    for (size_t i = 0; i < n; i++)
        g[i] = (int16_t)x[i] > 0 ? g[i] : 0;
}

static void relu_bwd_16(size_t n, const uint16_t *restrict x,
                        const uint16_t *restrict dy, uint16_t *restrict dx)
{
    for (size_t i = 0; i < n; i++)
        dx[i] = (int16_t)x[i] > 0 ? dy[i] : 0;
}

#ifndef PLAIN_SECOND
int plain_supports(int op, int prec)
{
    if (prec == P_S || prec == P_D)
        return 1;
    return op == OP_RELU || op == OP_RELU_BWD;
}
#endif

#define DISPATCH(T, S, sfx)                                                    \
    switch (c->op) {                                                           \
    case OP_RELU: relu_##sfx(c->n, c->x, c->y); break;                         \
    case OP_LEAKY: leaky_##sfx(c->n, (S)c->alpha, c->x, c->y); break;          \
    case OP_RELU_BWD: relu_bwd_##sfx(c->n, c->x, c->dy, c->y); break;          \
    case OP_LEAKY_BWD:                                                         \
        leaky_bwd_##sfx(c->n, (S)c->alpha, c->x, c->dy, c->y);                 \
        break;                                                                 \
    case OP_RELU_MASK: mask_##sfx(c->n, 0, 0, c->x, c->y, c->mout); break;     \
    case OP_LEAKY_MASK:                                                        \
        mask_##sfx(c->n, 1, (S)c->alpha, c->x, c->y, c->mout);                 \
        break;                                                                 \
    case OP_RELU_BWD_MASK:                                                     \
        bwd_mask_##sfx(c->n, 0, 0, c->mask, c->dy, c->y);                      \
        break;                                                                 \
    case OP_LEAKY_BWD_MASK:                                                    \
        bwd_mask_##sfx(c->n, 1, (S)c->alpha, c->mask, c->dy, c->y);            \
        break;                                                                 \
    }

/* relu over every inc-th element, as a user would write it */
#define STRIDED(T, sfx, POS)                                                   \
    static void relu_strided_##sfx(size_t n, ptrdiff_t inc, const T *x, T *y)  \
    {                                                                          \
        for (size_t i = 0; i < n; i++)                                         \
            y[(ptrdiff_t)i * inc] = POS(x[(ptrdiff_t)i * inc]) ? x[(ptrdiff_t)i * inc] : 0; \
    }
#define FPOS(v) ((v) > 0)
#define IPOS(v) ((int16_t)(v) > 0)
STRIDED(float, s, FPOS)
STRIDED(double, d, FPOS)
STRIDED(uint16_t, 16, IPOS)

/* dx == dy: the in-place backwards, one pointer for the gradient */
#define DISPATCH_BWD_IP(T, S, sfx)                                             \
    switch (c->op) {                                                           \
    case OP_RELU_BWD: relu_bwd_ip_##sfx(c->n, c->x, c->y); break;              \
    case OP_LEAKY_BWD: leaky_bwd_ip_##sfx(c->n, (S)c->alpha, c->x, c->y); break; \
    case OP_RELU_BWD_MASK: bwd_mask_ip_##sfx(c->n, 0, 0, c->mask, c->y); break; \
    case OP_LEAKY_BWD_MASK:                                                    \
        bwd_mask_ip_##sfx(c->n, 1, (S)c->alpha, c->mask, c->y);                \
        break;                                                                 \
    }

/* y == x: the in-place forwards (relu, and leaky relu of f32 and f64);
   dx == dy: the backwards (every one in f32 and f64, relu_backward in halves) */
static void inplace(struct call *c)
{
    int leaky = c->op == OP_LEAKY;
    if (c->y == c->dy && c->prec == P_S)
        DISPATCH_BWD_IP(float, float, s)
    else if (c->y == c->dy && c->prec == P_D)
        DISPATCH_BWD_IP(double, double, d)
    else if (c->y == c->dy)
        relu_bwd_ip_16(c->n, c->x, c->y);
    else if (c->prec == P_S && leaky)
        leaky_ip_s(c->n, (float)c->alpha, c->y);
    else if (c->prec == P_S)
        relu_ip_s(c->n, c->y);
    else if (c->prec == P_D && leaky)
        leaky_ip_d(c->n, c->alpha, c->y);
    else if (c->prec == P_D)
        relu_ip_d(c->n, c->y);
    else if (!leaky)
        relu_ip_16(c->n, c->y);
}

void NAME(call)(struct call *c)
{
    if (c->inc == 1 && ((c->y == c->x && (c->op == OP_RELU || c->op == OP_LEAKY)) ||
                        (c->y == c->dy && OP_IS_BWD(c->op)))) {
        inplace(c);
    } else if (c->inc != 1 && c->prec == P_S) {
        relu_strided_s(c->n, c->inc, c->x, c->y);
    } else if (c->inc != 1 && c->prec == P_D) {
        relu_strided_d(c->n, c->inc, c->x, c->y);
    } else if (c->inc != 1) {
        relu_strided_16(c->n, c->inc, c->x, c->y);
    } else if (c->prec == P_S) {
        DISPATCH(float, float, s)
    } else if (c->prec == P_D) {
        DISPATCH(double, double, d)
    } else if (c->op == OP_RELU) {
        relu_16(c->n, c->x, c->y);
    } else if (c->op == OP_RELU_BWD) {
        relu_bwd_16(c->n, c->x, c->dy, c->y);
    }
}

/* c = a ^ k on 32-bit words (k = 0 at run time, unknown here, so the compiler
   cannot make it a memcpy call): a copy with ordinary stores. */
void NAME(copy)(size_t nbytes, const void *a, void *c, uint32_t k)
{
    const uint32_t *restrict pa = a;
    uint32_t *restrict pc = c;
    size_t w = nbytes / 4;
    for (size_t i = 0; i < w; i++)
        pc[i] = pa[i] ^ k;
    memcpy(pc + w, pa + w, nbytes % 4);
}

/* a ^= k on 32-bit words (k = 0 at run time): the in-place streaming loop,
   each line read and written back. */
void NAME(rmw)(size_t nbytes, void *a, uint32_t k)
{
    uint32_t *pa = a;
    uint8_t *t = a;
    size_t w = nbytes / 4;
    for (size_t i = 0; i < w; i++)
        pa[i] ^= k;
    for (size_t i = w * 4; i < nbytes; i++)
        t[i] ^= (uint8_t)k;
}

/* a ^= b & k on 32-bit words (k = 0 at run time): the in-place loop of the
   backwards, b read and a read and written back. */
void NAME(rmw2)(size_t nbytes, void *a, const void *b, uint32_t k)
{
    uint32_t *pa = a;
    const uint32_t *pb = b;
    uint8_t *t = a;
    const uint8_t *tb = b;
    size_t w = nbytes / 4;
    for (size_t i = 0; i < w; i++)
        pa[i] ^= pb[i] & k;
    for (size_t i = w * 4; i < nbytes; i++)
        t[i] ^= (uint8_t)(tb[i] & k);
}

/* c = a + b on 32-bit words: two streams in, one out, no floating point. */
void NAME(stream2)(size_t nbytes, const void *a, const void *b, void *c)
{
    const uint32_t *restrict pa = a, *restrict pb = b;
    uint32_t *restrict pc = c;
    size_t w = nbytes / 4;
    for (size_t i = 0; i < w; i++)
        pc[i] = pa[i] + pb[i];
    const uint8_t *ta = (const uint8_t *)a, *tb = (const uint8_t *)b;
    uint8_t *tc = (uint8_t *)c;
    for (size_t i = w * 4; i < nbytes; i++)
        tc[i] = (uint8_t)(ta[i] + tb[i]);
}
