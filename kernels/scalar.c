/* Scalar kernel table: plain C for every operation and precision; also the fallback for empty slots. */
#include "kernels.h"

/* One set of eight kernels for element type T. POS(v): v > 0. KEEP(v): relu
   keeps v (v > 0 or NaN). MUL(v): alpha * v with the NaN rule and rounding of
   the precision; A_T is the type alpha is used in. EAGER: the leaky loops
   compute the product for every element and then select, so that the sign
   of x is no branch (at 256K with random signs: f32 16 GB/s against 1.4
   branching). Not for f16, whose branchy product costs more than the
   mispredictions (0.56 GB/s branching, 0.34 eager). */
#define SCALAR_OPS(P, T, A_T, POS, KEEP, MUL, ZERO, EAGER)                     \
    static void P##_relu(size_t n, double alpha, const void *vx, void *vy)     \
    {                                                                          \
        const T *x = vx;                                                       \
        T *y = vy;                                                             \
        (void)alpha;                                                           \
        for (size_t i = 0; i < n; i++)                                         \
            y[i] = KEEP(x[i]) ? x[i] : ZERO;                                   \
    }                                                                          \
    static void P##_leaky(size_t n, double alpha, const void *vx, void *vy)    \
    {                                                                          \
        const T *x = vx;                                                       \
        T *y = vy;                                                             \
        A_T a = (A_T)alpha;                                                    \
        for (size_t i = 0; i < n; i++) {                                       \
            T p = EAGER ? MUL(x[i], a) : 0;                                    \
            y[i] = POS(x[i]) ? x[i] : EAGER ? p : MUL(x[i], a);                \
        }                                                                      \
    }                                                                          \
    static void P##_relu_bwd(size_t n, double alpha, const void *vx,           \
                             const void *vdy, void *vdx)                       \
    {                                                                          \
        const T *x = vx, *dy = vdy;                                            \
        T *dx = vdx;                                                           \
        (void)alpha;                                                           \
        for (size_t i = 0; i < n; i++)                                         \
            dx[i] = POS(x[i]) ? dy[i] : ZERO;                                  \
    }                                                                          \
    static void P##_leaky_bwd(size_t n, double alpha, const void *vx,          \
                              const void *vdy, void *vdx)                      \
    {                                                                          \
        const T *x = vx, *dy = vdy;                                            \
        T *dx = vdx;                                                           \
        A_T a = (A_T)alpha;                                                    \
        for (size_t i = 0; i < n; i++) {                                       \
            T p = EAGER ? MUL(dy[i], a) : 0;                                   \
            dx[i] = POS(x[i]) ? dy[i] : EAGER ? p : MUL(dy[i], a);             \
        }                                                                      \
    }                                                                          \
    static void P##_mask_fwd(size_t n, int leaky, A_T a, const T *x, T *y,     \
                             uint8_t *mask)                                    \
    {                                                                          \
        for (size_t i = 0; i < n; i += 8) {                                    \
            size_t m = n - i < 8 ? n - i : 8;                                  \
            unsigned bits = 0;                                                 \
            for (size_t j = 0; j < m; j++) {                                   \
                T v = x[i + j];                                                \
                int pos = POS(v);                                              \
                bits |= (unsigned)pos << j;                                    \
                if (y)                                                         \
                    y[i + j] = pos ? v : leaky ? MUL(v, a) : KEEP(v) ? v : ZERO; \
            }                                                                  \
            mask[i / 8] = (uint8_t)bits;                                       \
        }                                                                      \
    }                                                                          \
    static void P##_relu_mask(size_t n, double alpha, const void *x, void *y,  \
                              uint8_t *mask)                                   \
    {                                                                          \
        (void)alpha;                                                           \
        P##_mask_fwd(n, 0, 0, x, y, mask);                                     \
    }                                                                          \
    static void P##_leaky_mask(size_t n, double alpha, const void *x, void *y, \
                               uint8_t *mask)                                  \
    {                                                                          \
        P##_mask_fwd(n, 1, (A_T)alpha, x, y, mask);                            \
    }                                                                          \
    static void P##_relu_bwd_mask(size_t n, double alpha, const uint8_t *mask, \
                                  const void *vdy, void *vdx)                  \
    {                                                                          \
        const T *dy = vdy;                                                     \
        T *dx = vdx;                                                           \
        (void)alpha;                                                           \
        for (size_t i = 0; i < n; i++)                                         \
            dx[i] = (mask[i / 8] >> (i % 8)) & 1 ? dy[i] : ZERO;               \
    }                                                                          \
    static void P##_leaky_bwd_mask(size_t n, double alpha,                     \
                                   const uint8_t *mask, const void *vdy,       \
                                   void *vdx)                                  \
    {                                                                          \
        const T *dy = vdy;                                                     \
        T *dx = vdx;                                                           \
        A_T a = (A_T)alpha;                                                    \
        for (size_t i = 0; i < n; i++) {                                       \
            T p = EAGER ? MUL(dy[i], a) : 0;                                   \
            dx[i] = (mask[i / 8] >> (i % 8)) & 1 ? dy[i] : EAGER ? p : MUL(dy[i], a); \
        }                                                                      \
    }

#define F_POS(v) ((v) > 0)
#define F_KEEP(v) (!((v) <= 0))
#define H_MUL(v, a) frk_f2h(frk_mul32(frk_h2f(v), a))
#define B_MUL(v, a) frk_f2b(frk_mul32(frk_b2f(v), a))
#define H_KEEP(v) (frk_hpos(v) || frk_hnan(v))
#define B_KEEP(v) (frk_bpos(v) || frk_bnan(v))

SCALAR_OPS(s, float, float, F_POS, F_KEEP, frk_mul32, 0.0f, 1)
SCALAR_OPS(d, double, double, F_POS, F_KEEP, frk_mul64, 0.0, 1)
SCALAR_OPS(h, uint16_t, float, frk_hpos, H_KEEP, H_MUL, 0, 0)
SCALAR_OPS(b, uint16_t, float, frk_bpos, B_KEEP, B_MUL, 0, 1)

#define OPS(P)                                                                 \
    {P##_relu, P##_leaky, P##_relu_bwd, P##_leaky_bwd, P##_relu_mask,          \
     P##_leaky_mask, P##_relu_bwd_mask, P##_leaky_bwd_mask}

const struct frk_table FRK_TABLE(scalar) = {
    .isa = FR_ISA_SCALAR,
#ifdef FRK_EMUL
    .name = "scalar (emulated)",
#else
    .name = "scalar",
#endif
    .ops = {OPS(s), OPS(d), OPS(h), OPS(b)},
};
