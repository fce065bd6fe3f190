/* Kernel bodies shared by the SIMD ISA files, written over the primitives each file defines first. */
#ifndef FRK_SIMD_BODY_H
#define FRK_SIMD_BODY_H

/* Before including: vector types v<P>, lane masks m<P> and the primitives
   ld_, st_, stn_ (non-temporal, aligned to the vector), dup_, gt_, sel_,
   zsel_, vrelu_, bits_, unbits_, mul_ (with the NaN rule), mul0_ (plain),
   nan4_ (any lane of four vectors NaN) for P = s, d; INL. Then KERNELS(P, T,
   lanes, nanval, scalar mul) instantiates one precision and OPS(P) names its
   eight kernels for the table. */

/* nb mask bytes to and from the low bits of b, lowest byte first */
INL void putm(uint8_t *m, unsigned nb, uint64_t b)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(m, &b, nb);
#else
    unsigned k;
    for (k = 0; k < nb; k++)
        m[k] = (uint8_t)(b >> 8 * k);
#endif
}

INL uint64_t getm(const uint8_t *m, unsigned nb)
{
    uint64_t b = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(&b, m, nb);
#else
    unsigned k;
    for (k = 0; k < nb; k++)
        b |= (uint64_t)m[k] << 8 * k;
#endif
    return b;
}

/* A file whose ISA has no non-temporal stores defines NT_STORES 0 and an
   empty nt_fence(); the streaming forms are then never taken. */
#ifndef NT_STORES
#define NT_STORES 1
#define nt_fence() simde_mm_sfence()
#endif

/* Calls that move at least frk_nt_min_bytes (n elements of es bytes, inputs
   and output together) and are not in place write their output with
   non-temporal stores (then a fence) from its first 64-byte aligned element;
   the nthead elements before it go through the scalar code. */
INL int ntok(const void *out, const void *in, const void *in2, size_t n,
             size_t es)
{
    return NT_STORES && out && out != in && out != in2 && n * es >= frk_nt_min_bytes &&
           (uintptr_t)out % es == 0;
}

INL size_t nthead(const void *out, size_t es, size_t n)
{
    size_t h = (size_t)(-(uintptr_t)out & 63) / es;
    return h < n ? h : n;
}

#if defined(__GNUC__)
#define RARE(c) __builtin_expect(!!(c), 0)
#define PREFETCH(p) __builtin_prefetch(p)
#else
#define RARE(c) (c)
#define PREFETCH(p) ((void)(p))
#endif

/* Calls in place (y = x, or dx = dy) on an array that the L2 does not hold
   (from frk_nt_min_bytes) prefetch each line of their inputs PF_AHEAD bytes
   before its step, where the file defines PF_FWD 1 (the f32/f64 forwards)
   or PF_HALF 1 (the forwards of f16 and bf16, and their leaky backwards):
   on an Intel Xeon the hardware's prefetchers left such loops short of
   lines in flight, the more so the more instructions a line costs
   (bench/NOTES.md, entries 53 and 54). Off for AVX-512's f32/f64 (no gain;
   its in-place calls in the L3 run SSE2's loop, which lost 5 % there with
   it) and on NEON (not measured). */
#ifndef PF_FWD
#define PF_FWD 0
#endif
#ifndef PF_HALF
#define PF_HALF 0
#endif
#define PF_AHEAD 4096
INL int pfok(int on, const void *x, const void *y, size_t bytes)
{
    return on && x == y && bytes >= frk_nt_min_bytes;
}

/* A step's bytes at p, a line at a time. Callers run the steps that
   prefetch in a loop of their own, so that no other loop tests for it. */
INL void pfahead(const void *p, size_t bytes)
{
    for (size_t o = 0; o < bytes; o += 64)
        PREFETCH((const char *)p + PF_AHEAD + o);
}

/* a finite and nonzero (a - a is NaN for an infinity and for NaN): leaky
   steps with such an alpha need no NaN rule of their own */
INL int finnz(double a) { return a != 0 && a - a == 0; }

/* A vector the compiler must take as it is, unseen (an empty asm; a no-op
   for compilers without GNU asm). In a leaky step that selects by max_ or
   min_, GCC otherwise folds the load of x into the multiply and loads x
   again for the select: twice the loads, 0.9x in the L1 on Zen 4. In a
   leaky backward, clang otherwise turns dy where m, else dy * alpha, into
   dy * (1 where m, else alpha), which quiets a signalling NaN dy that
   should pass bit for bit, in native and emulated builds alike
   (bench/NOTES.md entry 39). Emulated vectors go through memory. */
#if defined(__GNUC__) && defined(SIMDE_X86_SSE2_NATIVE)
#define PIN(v) __asm__("" : "+v"(v))
#elif defined(__GNUC__) && defined(SIMDE_ARM_NEON_A64V8_NATIVE)
#define PIN(v) __asm__("" : "+w"(v))
#elif defined(__GNUC__)
#define PIN(v) __asm__("" : "+m"(v))
#else
#define PIN(v) ((void)(v))
#endif

/* Mask forwards that do not stream may step by FGRP_s or FGRP_d elements
   (a multiple of 64, at most 512; an ISA file sets them, 0: four vectors a
   step) and store the mask bits of each 64 after that step's outputs, 8
   bytes at a time: on an Intel Xeon a store of mask bits after every four
   output vectors cost up to 0.7x on data in the L2 where those are 16 bytes
   wide (bench/NOTES.md, entry 46). Calls whose x and y fit in FGRP_MIN
   bytes, a 32 KiB L1, keep four vectors a step, 1.05-1.1x faster there.
   KEEPR keeps a word in a general register (GCC otherwise packs a step's
   words into a vector for one store, 0.7x in the L1); SEQ keeps the
   four-vector blocks of a step in order (GCC otherwise hoists their loads
   and spills vectors). */
#ifndef FGRP_s
#define FGRP_s 0
#endif
#ifndef FGRP_d
#define FGRP_d 0
#endif
#define FGRP_MIN 32768
#if defined(__GNUC__)
#define KEEPR(b) __asm__("" : "+r"(b))
#define SEQ() __asm__ __volatile__("" ::: "memory")
#else
#define KEEPR(b) ((void)(b))
#define SEQ() ((void)0)
#endif

/* Mask kernels step by UNIT(W) elements, a whole number of mask bytes, so
   the scalar tail starts at a byte boundary. */
#define UNIT(W) ((W) < 8 ? 8 : (W))

/* Four vectors' lane masks to and from 4W mask bits: bits4_ packs the
   masks m[0..3] into the low 4W bits; unbits4_ expands the low 4W bits of
   b, with full 0 only as far as sel_ reads them. A file whose ISA does one
   more cheaply than four bits_ or unbits_ defines BITS4 or UNBITS4 and that
   function, for s and d, before including this header. */
#ifdef BITS4
#define BITS4_DEF(P, W)
#else
#define BITS4_DEF(P, W)                                                        \
INL uint64_t bits4_##P(const m##P *m)                                          \
{                                                                              \
    return bits_##P(m[0]) | (uint64_t)bits_##P(m[1]) << W |                    \
           (uint64_t)bits_##P(m[2]) << 2 * W | (uint64_t)bits_##P(m[3]) << 3 * W; \
}
#endif
#ifdef UNBITS4
#define UNBITS4_DEF(P, W)
#else
#define UNBITS4_DEF(P, W)                                                      \
INL void unbits4_##P(int full, uint64_t b, m##P *g)                            \
{                                                                              \
    unsigned j;                                                                \
    (void)full;                                                                \
    for (j = 0; j < 4; j++)                                                    \
        g[j] = unbits_##P(b >> j * W);                                         \
}
#endif

/* A file whose ISA multiplies under a lane mask defines LKMUL 1 and lkmul_,
   x > 0 ? v : v * a in one masked multiply, for the leaky forwards (v = x)
   and x-based backwards (v = dy) whose alpha is finite and nonzero. */
#ifndef LKMUL
#define LKMUL 0
#define LKMUL_DEF(P)                                                           \
INL v##P lkmul_##P(v##P x, v##P v, v##P a)                                     \
{                                                                              \
    return sel_##P(gt_##P(x), v, mul0_##P(v, a));                              \
}
#else
#define LKMUL_DEF(P)
#endif

/* A file whose ISA loads mask registers from memory and loads under a mask
   defines LDBITS4 1 and ldbits4_, which reads the 4W bits at m straight to
   four lane masks; the mask backwards then use both in cache. */
#ifndef LDBITS4
#define LDBITS4 0
#define LDBITS4_DEF(P, W)                                                      \
INL void ldbits4_##P(int full, const uint8_t *m, m##P *g)                      \
{                                                                              \
    unbits4_##P(full, getm(m, W / 2), g);                                      \
}
#else
#define LDBITS4_DEF(P, W)
#endif

/* x86's max and min return their second operand where the two are equal or
   either is NaN, so in a leaky step without a NaN product x > 0 ? x : p is
   max(x, p) for alpha <= 1 and min(x, p) for alpha > 1: p = alpha * x stays
   on its side of x (rounding is monotonic; with alpha < 0 it has the other
   sign), and zeros come out as p. A file whose max_ and min_ are these
   defines MAXSEL 1 (the leaky forwards), MAXSEL_MASK 1 (the mask forwards)
   and MAX_, MIN_ before including this header. */
#ifndef MAXSEL
#define MAXSEL 0
#endif
#ifndef MAXSEL_MASK
#define MAXSEL_MASK 0
#endif
#ifndef MAX_
#define MAX_(P, x, p) sel_##P(gt_##P(x), x, p)
#define MIN_(P, x, p) sel_##P(gt_##P(x), x, p)
#endif

/* f(lk, flag, ...) with lk (1 to 4 from lkmode_, 1 or 4 for a backward) and
   flag (0, 1) constants in each call, so that each loop is compiled for one
   select and one store form; lk and flag are read more than once. */
#define LKCALL(f, lk, flag, ...)                                               \
    ((lk) == 2   ? ((flag) ? f(2, 1, __VA_ARGS__) : f(2, 0, __VA_ARGS__))      \
     : (lk) == 3 ? ((flag) ? f(3, 1, __VA_ARGS__) : f(3, 0, __VA_ARGS__))      \
     : (lk) == 4 ? ((flag) ? f(4, 1, __VA_ARGS__) : f(4, 0, __VA_ARGS__))      \
                 : ((flag) ? f(1, 1, __VA_ARGS__) : f(1, 0, __VA_ARGS__)))

/* The kernels of one precision P (s or d): element type T, W lanes, NANV and
   MUL the scalar NaN rule of kernels.h. lk selects relu (0) or leaky: 1 for
   any alpha, 2 to 4 for a finite nonzero one (see lkmode_). With such an
   alpha a product is NaN only where its operand v is, and the multiply
   itself gives v quieted, as the NaN rule says (in the default
   floating-point environment, which the contract's results assume): the
   leaky steps then skip the NaN test and the rule. */
#define KERNELS(P, T, W, NANV, MUL)                                            \
                                                                               \
BITS4_DEF(P, W)                                                                \
UNBITS4_DEF(P, W)                                                              \
LDBITS4_DEF(P, W)                                                              \
LKMUL_DEF(P)                                                                   \
                                                                               \
/* alpha, in T, finite and nonzero */                                         \
INL int fin_##P(double alpha) { return finnz((T)alpha); }                      \
                                                                               \
/* lk of a leaky forward (mask: of a mask forward): for a finite nonzero       \
   alpha 2 where the file selects by max_ (alpha <= 1), 3 by min_ (alpha >    \
   1), 4 by a compare; else 1. */                                              \
INL int lkmode_##P(int mask, double alpha)                                     \
{                                                                              \
    if (!fin_##P(alpha))                                                       \
        return 1;                                                              \
    if (!(mask ? MAXSEL_MASK : MAXSEL))                                        \
        return 4;                                                              \
    return (T)alpha <= 1 ? 2 : 3;                                              \
}                                                                              \
                                                                               \
INL v##P fwd1_##P(int lk, v##P x, v##P a, v##P nan)                            \
{                                                                              \
    return lk ? sel_##P(gt_##P(x), x, mul_##P(x, a, nan)) : vrelu_##P(x);      \
}                                                                              \
                                                                               \
INL v##P bwd1_##P(int lk, m##P m, v##P dy, v##P a, v##P nan)                   \
{                                                                              \
    return lk ? sel_##P(m, dy, mul_##P(dy, a, nan)) : zsel_##P(m, dy);         \
}                                                                              \
                                                                               \
/* Leaky products v[k] * a of a four-vector step: plain multiplies, and        \
   unless fin (alpha finite and nonzero) mul_'s NaN rule (the same bits where  \
   no product is NaN) for a step with a NaN product. */                        \
INL void mul4_##P(int fin, v##P *v, v##P a, v##P nan)                          \
{                                                                              \
    v##P p0 = mul0_##P(v[0], a), p1 = mul0_##P(v[1], a);                       \
    v##P p2 = mul0_##P(v[2], a), p3 = mul0_##P(v[3], a);                       \
    if (!fin && RARE(nan4_##P(p0, p1, p2, p3))) {                              \
        p0 = mul_##P(v[0], a, nan);                                            \
        p1 = mul_##P(v[1], a, nan);                                            \
        p2 = mul_##P(v[2], a, nan);                                            \
        p3 = mul_##P(v[3], a, nan);                                            \
    }                                                                          \
    v[0] = p0;                                                                 \
    v[1] = p1;                                                                 \
    v[2] = p2;                                                                 \
    v[3] = p3;                                                                 \
}                                                                              \
                                                                               \
INL T fwd0_##P(int lk, T x, T a)                                               \
{                                                                              \
    if (lk)                                                                    \
        return x > 0 ? x : MUL(x, a);                                          \
    return x <= 0 ? (T)0 : x;                                                  \
}                                                                              \
                                                                               \
INL T bwd0_##P(int lk, int pos, T dy, T a)                                     \
{                                                                              \
    return pos ? dy : lk ? MUL(dy, a) : (T)0;                                  \
}                                                                              \
                                                                               \
INL void put_##P(int nt, T *p, v##P v)                                         \
{                                                                              \
    if (nt)                                                                    \
        stn_##P(p, v);                                                         \
    else                                                                       \
        st_##P(p, v);                                                          \
}                                                                              \
                                                                               \
/* The forward of four vectors x[k] into r[k]; lk 2 or 3 select by max_ or    \
   min_, which give a NaN x's product too (see lkmode_). g: the masks of       \
   x > 0 where the caller has them (the mask forwards), whose compare then     \
   serves the select; without them, lk 4 takes lkmul_. */                      \
INL void fwdv4_##P(int lk, const v##P *x, const m##P *g, v##P a, v##P nan,     \
                   v##P *r)                                                    \
{                                                                              \
    unsigned k;                                                                \
    if (lk == 4 && LKMUL && !g) {                                              \
        for (k = 0; k < 4; k++)                                                \
            r[k] = lkmul_##P(x[k], x[k], a);                                   \
    } else if (lk) {                                                           \
        for (k = 0; k < 4; k++)                                                \
            r[k] = x[k];                                                       \
        mul4_##P(lk >= 2, r, a, nan);                                          \
        if (lk == 1 || lk == 4)                                                \
            for (k = 0; k < 4; k++)                                            \
                r[k] = sel_##P(gt_##P(x[k]), x[k], r[k]);                      \
        else if (lk == 2)                                                      \
            for (k = 0; k < 4; k++)                                            \
                r[k] = MAX_(P, x[k], r[k]);                                    \
        else                                                                   \
            for (k = 0; k < 4; k++)                                            \
                r[k] = MIN_(P, x[k], r[k]);                                    \
    } else {                                                                   \
        for (k = 0; k < 4; k++)                                                \
            r[k] = vrelu_##P(x[k]);                                            \
    }                                                                          \
}                                                                              \
                                                                               \
/* Four vectors x[k] forward to y + k * W. */                                  \
INL void fwd4_##P(int lk, int nt, T *y, const v##P *x, const m##P *g, v##P a,  \
                  v##P nan)                                                    \
{                                                                              \
    v##P r[4];                                                                 \
    unsigned k;                                                                \
    fwdv4_##P(lk, x, g, a, nan, r);                                            \
    for (k = 0; k < 4; k++)                                                    \
        put_##P(nt, y + k * W, r[k]);                                          \
}                                                                              \
                                                                               \
/* A streaming forward from i, frk_nt_pages 4 KiB chunks at a time, a step    \
   of each in turn (see kernels.h), for calls beyond the last-level cache      \
   (in it, 0.95-1.04x); returns where it stopped. With a mask (a mask          \
   forward whose i is a multiple of 8), each step stores its mask bits too. */ \
INL size_t fwdpg_##P(int lk, size_t i, size_t n, const T *x, T *y,             \
                     uint8_t *mask, v##P a, v##P nan)                          \
{                                                                              \
    const size_t pe = 4096 / sizeof(T), np = frk_nt_pages;                     \
    size_t k, p, e;                                                            \
    unsigned j;                                                                \
    for (; np > 1 && i + np * pe <= n; i += np * pe)                           \
        for (k = 0; k < pe; k += 4 * W)                                        \
            for (p = 0; p < np; p++) {                                         \
                v##P v[4];                                                     \
                m##P g[4];                                                     \
                e = i + p * pe + k;                                            \
                for (j = 0; j < 4; j++) {                                      \
                    v[j] = ld_##P(x + e + j * W);                              \
                    if (lk == 2 || lk == 3)                                    \
                        PIN(v[j]);                                             \
                }                                                              \
                if (mask) {                                                    \
                    for (j = 0; j < 4; j++)                                    \
                        g[j] = gt_##P(v[j]);                                   \
                    putm(mask + e / 8, W / 2, bits4_##P(g));                   \
                }                                                              \
                fwd4_##P(lk, 1, y + e, v, mask ? g : NULL, a, nan);            \
            }                                                                  \
    return i;                                                                  \
}                                                                              \
                                                                               \
/* Four vectors of dy[k] under masks m[k] backward to dx + k * W. */           \
INL void bwd4_##P(int lk, int nt, T *dx, const m##P *m, v##P *dy, v##P a,      \
                  v##P nan)                                                    \
{                                                                              \
    v##P p[4];                                                                 \
    unsigned k;                                                                \
    if (lk) {                                                                  \
        for (k = 0; k < 4; k++)                                                \
            p[k] = dy[k];                                                      \
        mul4_##P(lk >= 2, p, a, nan);                                          \
        for (k = 0; k < 4; k++) {                                              \
            PIN(p[k]);                                                         \
            put_##P(nt, dx + k * W, sel_##P(m[k], dy[k], p[k]));               \
        }                                                                      \
    } else {                                                                   \
        for (k = 0; k < 4; k++)                                                \
            put_##P(nt, dx + k * W, zsel_##P(m[k], dy[k]));                    \
    }                                                                          \
}                                                                              \
                                                                               \
/* Four vectors of a mask backward at i; streaming, the bits start s into a  \
   byte. */                                                                    \
INL void bwdm4_##P(int lk, int nt, unsigned s, size_t i, const uint8_t *mask,  \
                   const T *dy, T *dx, v##P a, v##P nan)                       \
{                                                                              \
    m##P g[4];                                                                 \
    v##P d[4];                                                                 \
    unsigned j;                                                                \
    /* In cache, where issue ports bound the loop, ReLU's steps load dy        \
       under the mask. Streaming (2 % slower so at 64M) and without LDBITS4:   \
       one 64-bit load of the bits. */                                         \
    if (LDBITS4 && !nt) {                                                      \
        ldbits4_##P(!lk, mask + i / 8, g);                                     \
        for (j = 0; !lk && j < 4; j++)                                         \
            st_##P(dx + i + j * W, zsel_##P(g[j], ld_##P(dy + i + j * W)));    \
        if (!lk)                                                               \
            return;                                                            \
    } else {                                                                   \
        uint64_t b = getm(mask + i / 8, W / 2);                                \
        /* bits i .. i + 4W - 1 span one more byte when s > 0 */               \
        if (nt && s)                                                           \
            b = b >> s | (uint64_t)mask[i / 8 + W / 2] << (4 * W - s);         \
        unbits4_##P(!lk, b, g);                                                \
    }                                                                          \
    for (j = 0; j < 4; j++)                                                    \
        d[j] = ld_##P(dy + i + j * W);                                         \
    bwd4_##P(lk, nt, dx + i, g, d, a, nan);                                    \
}                                                                              \
                                                                               \
/* One step of four vectors: their loads, then fwd4 */                        \
INL void fwdld4_##P(int lk, int nt, const T *x, T *y, v##P va, v##P vn)        \
{                                                                              \
    v##P v[4];                                                                 \
    unsigned j;                                                                \
    for (j = 0; j < 4; j++) {                                                  \
        v[j] = ld_##P(x + j * W);                                              \
        if (lk == 2 || lk == 3)                                                \
            PIN(v[j]);                                                         \
    }                                                                          \
    fwd4_##P(lk, nt, y, v, NULL, va, vn);                                      \
}                                                                              \
                                                                               \
INL void fwd_##P(int lk, int nt, size_t n, double alpha, const T *x, T *y)     \
{                                                                              \
    T a = lk ? (T)alpha : 0;                                                   \
    v##P va = dup_##P(a), vn = dup_##P(NANV(a));                               \
    size_t i = 0, h = nt ? nthead(y, sizeof(T), n) : 0;                        \
    for (; i < h; i++)                                                         \
        y[i] = fwd0_##P(lk, x[i], a);                                          \
    int pf = !nt && pfok(PF_FWD, x, y, n * sizeof(T));                         \
    if (nt && 2 * n * sizeof(T) >= frk_big_min_bytes)                          \
        i = fwdpg_##P(lk, i, n, x, y, NULL, va, vn);                           \
    for (; pf && i + 4 * W <= n; i += 4 * W) {                                 \
        pfahead(x + i, 4 * W * sizeof(T));                                     \
        fwdld4_##P(lk, nt, x + i, y + i, va, vn);                              \
    }                                                                          \
    for (; i + 4 * W <= n; i += 4 * W)                                         \
        fwdld4_##P(lk, nt, x + i, y + i, va, vn);                              \
    for (; i + W <= n; i += W)                                                 \
        put_##P(nt, y + i, fwd1_##P(lk, ld_##P(x + i), va, vn));               \
    for (; i < n; i++)                                                         \
        y[i] = fwd0_##P(lk, x[i], a);                                          \
    if (nt)                                                                    \
        nt_fence();                                                            \
}                                                                              \
                                                                               \
INL void bwd_##P(int lk, int nt, size_t n, double alpha, const T *x,           \
                 const T *dy, T *dx)                                           \
{                                                                              \
    T a = lk ? (T)alpha : 0;                                                   \
    v##P va = dup_##P(a), vn = dup_##P(NANV(a));                               \
    size_t i = 0, h = nt ? nthead(dx, sizeof(T), n) : 0;                       \
    unsigned j;                                                                \
    for (; i < h; i++)                                                         \
        dx[i] = bwd0_##P(lk, x[i] > 0, dy[i], a);                              \
    /* relu: each vector stored right after its loads (1.12-1.17x at 1K-2K    \
       on AVX2, bench/NOTES.md entry 34); leaky keeps its four products.  */  \
    for (; !lk && i + 4 * W <= n; i += 4 * W)                                  \
        for (j = 0; j < 4; j++)                                                \
            put_##P(nt, dx + i + j * W, zsel_##P(gt_##P(ld_##P(x + i + j * W)), \
                                               ld_##P(dy + i + j * W)));       \
    for (; lk == 4 && LKMUL && i + 4 * W <= n; i += 4 * W)                     \
        for (j = 0; j < 4; j++)                                                \
            put_##P(nt, dx + i + j * W, lkmul_##P(ld_##P(x + i + j * W),       \
                                                  ld_##P(dy + i + j * W), va)); \
    for (; i + 4 * W <= n; i += 4 * W) {                                       \
        m##P g[4];                                                             \
        v##P d[4];                                                             \
        for (j = 0; j < 4; j++) {                                              \
            g[j] = gt_##P(ld_##P(x + i + j * W));                              \
            d[j] = ld_##P(dy + i + j * W);                                     \
        }                                                                      \
        bwd4_##P(lk, nt, dx + i, g, d, va, vn);                                \
    }                                                                          \
    for (; i + W <= n; i += W)                                                 \
        put_##P(nt, dx + i, bwd1_##P(lk, gt_##P(ld_##P(x + i)),                \
                                     ld_##P(dy + i), va, vn));                 \
    for (; i < n; i++)                                                         \
        dx[i] = bwd0_##P(lk, x[i] > 0, dy[i], a);                              \
    if (nt)                                                                    \
        nt_fence();                                                            \
}                                                                              \
                                                                               \
/* Streaming, the vector loop starts where y is aligned, s elements into a    \
   mask byte: t carries those s bits from one step to the next. */             \
INL void fwdm_##P(int lk, int nt, size_t n, double alpha, const T *x, T *y,    \
                  uint8_t *mask)                                               \
{                                                                              \
    T a = lk ? (T)alpha : 0;                                                   \
    v##P va = dup_##P(a), vn = dup_##P(NANV(a));                               \
    size_t i = 0, h = nt ? nthead(y, sizeof(T), n) : 0;                        \
    unsigned j, k, e, s = (unsigned)h & 7;                                     \
    unsigned ng = 2 * n * sizeof(T) > FGRP_MIN ? FGRP_##P / 64 : 0;            \
    uint64_t t = 0;                                                            \
    for (; i < h; i++) {                                                       \
        T v = x[i];                                                            \
        t |= (uint64_t)(v > 0) << (i & 7);                                     \
        y[i] = fwd0_##P(lk, v, a);                                             \
        if ((i & 7) == 7) {                                                    \
            mask[i / 8] = (uint8_t)t;                                          \
            t = 0;                                                             \
        }                                                                      \
    }                                                                          \
    if (!y) {                                                                  \
        for (; i + 4 * W <= n; i += 4 * W) {                                   \
            m##P g[4];                                                         \
            for (j = 0; j < 4; j++)                                            \
                g[j] = gt_##P(ld_##P(x + i + j * W));                          \
            putm(mask + i / 8, W / 2, bits4_##P(g));                           \
        }                                                                      \
        for (; i + UNIT(W) <= n; i += UNIT(W)) {                               \
            uint64_t b = 0;                                                    \
            for (j = 0; j < UNIT(W) / W; j++)                                  \
                b |= (uint64_t)bits_##P(gt_##P(ld_##P(x + i + j * W)))         \
                     << j * W;                                                 \
            putm(mask + i / 8, UNIT(W) / 8, b);                                \
        }                                                                      \
    } else {                                                                   \
        for (; ng && !nt && i + 64 * ng <= n; i += 64 * ng) {                  \
            uint64_t b[8];                                                     \
            for (k = 0; k < ng; k++)                                           \
                for (b[k] = 0, e = 0; e < 64; e += 4 * W) {                    \
                    v##P v[4];                                                 \
                    m##P g[4];                                                 \
                    for (j = 0; j < 4; j++) {                                  \
                        v[j] = ld_##P(x + i + 64 * k + e + j * W);             \
                        g[j] = gt_##P(v[j]);                                   \
                    }                                                          \
                    b[k] |= bits4_##P(g) << e;                                 \
                    fwd4_##P(lk, 0, y + i + 64 * k + e, v, g, va, vn);         \
                    SEQ();                                                     \
                }                                                              \
            for (k = 0; k < ng; k++) {                                         \
                KEEPR(b[k]);                                                   \
                putm(mask + i / 8 + 8 * k, 8, b[k]);                           \
            }                                                                  \
        }                                                                      \
        if (nt && !s && 2 * n * sizeof(T) >= frk_big_min_bytes)                \
            i = fwdpg_##P(lk, i, n, x, y, mask, va, vn);                       \
        for (; i + 4 * W <= n; i += 4 * W) {                                   \
            v##P v[4];                                                         \
            m##P g[4];                                                         \
            uint64_t b;                                                        \
            for (j = 0; j < 4; j++) {                                          \
                v[j] = ld_##P(x + i + j * W);                                  \
                g[j] = gt_##P(v[j]);                                           \
            }                                                                  \
            b = bits4_##P(g);                                                  \
            fwd4_##P(lk, nt, y + i, v, g, va, vn);                             \
            if (nt) {                                                          \
                putm(mask + i / 8, W / 2, t | b << s);                         \
                t = s ? b >> (4 * W - s) : 0;                                  \
            } else {                                                           \
                putm(mask + i / 8, W / 2, b);                                  \
            }                                                                  \
        }                                                                      \
        for (; !nt && i + UNIT(W) <= n; i += UNIT(W)) {                        \
            uint64_t b = 0;                                                    \
            for (j = 0; j < UNIT(W) / W; j++) {                                \
                v##P v = ld_##P(x + i + j * W);                                \
                b |= (uint64_t)bits_##P(gt_##P(v)) << j * W;                   \
                st_##P(y + i + j * W, fwd1_##P(lk, v, va, vn));                \
            }                                                                  \
            putm(mask + i / 8, UNIT(W) / 8, b);                                \
        }                                                                      \
    }                                                                          \
    for (; i < n; i++) {                                                       \
        T v = x[i];                                                            \
        t |= (uint64_t)(v > 0) << (i & 7);                                     \
        if (y)                                                                 \
            y[i] = fwd0_##P(lk, v, a);                                         \
        if ((i & 7) == 7) {                                                    \
            mask[i / 8] = (uint8_t)t;                                          \
            t = 0;                                                             \
        }                                                                      \
    }                                                                          \
    if (n & 7)                                                                 \
        mask[n / 8] = (uint8_t)t;                                              \
    if (nt)                                                                    \
        nt_fence();                                                            \
}                                                                              \
                                                                               \
INL void bwdm_##P(int lk, int nt, size_t n, double alpha, const uint8_t *mask, \
                  const T *dy, T *dx)                                          \
{                                                                              \
    T a = lk ? (T)alpha : 0;                                                   \
    v##P va = dup_##P(a), vn = dup_##P(NANV(a));                               \
    const size_t pe = 4096 / sizeof(T), np = frk_nt_pages;                     \
    size_t i = 0, h = nt ? nthead(dx, sizeof(T), n) : 0, k, p;                 \
    unsigned j, s = (unsigned)h & 7;                                           \
    for (; i < h; i++)                                                         \
        dx[i] = bwd0_##P(lk, mask[i / 8] >> (i & 7) & 1, dy[i], a);            \
    /* nt 2: beyond the last-level cache, the chunked walk of fwdpg (a copy   \
       of its own: in the one that streams from the L2 on, its mere presence   \
       cost the main loop 2-3 % at 1M-4M) */                                  \
    if (nt == 2)                                                               \
        for (; np > 1 && i + np * pe <= n; i += np * pe)                       \
            for (k = 0; k < pe; k += 4 * W)                                    \
                for (p = 0; p < np; p++)                                       \
                    bwdm4_##P(lk, 1, s, i + p * pe + k, mask, dy, dx, va, vn); \
    for (; i + 4 * W <= n; i += 4 * W)                                         \
        bwdm4_##P(lk, nt, s, i, mask, dy, dx, va, vn);                         \
    for (; !nt && i + UNIT(W) <= n; i += UNIT(W)) {                            \
        uint64_t b = getm(mask + i / 8, UNIT(W) / 8);                          \
        for (j = 0; j < UNIT(W) / W; j++)                                      \
            st_##P(dx + i + j * W,                                             \
                   bwd1_##P(lk, unbits_##P(b >> j * W),                        \
                            ld_##P(dy + i + j * W), va, vn));                  \
    }                                                                          \
    for (; i < n; i++)                                                         \
        dx[i] = bwd0_##P(lk, mask[i / 8] >> (i & 7) & 1, dy[i], a);            \
    if (nt)                                                                    \
        nt_fence();                                                            \
}                                                                              \
                                                                               \
static void relu_##P(size_t n, double alpha, const void *x, void *y)           \
{                                                                              \
    if (ntok(y, x, x, 2 * n, sizeof(T)))                                       \
        fwd_##P(0, 1, n, alpha, x, y);                                         \
    else                                                                       \
        fwd_##P(0, 0, n, alpha, x, y);                                         \
}                                                                              \
static void leaky_##P(size_t n, double alpha, const void *x, void *y)          \
{                                                                              \
    int lk = lkmode_##P(0, alpha), nt = ntok(y, x, x, 2 * n, sizeof(T));       \
    LKCALL(fwd_##P, lk, nt, n, alpha, x, y);                                   \
}                                                                              \
static void relu_bwd_##P(size_t n, double alpha, const void *x,                \
                         const void *dy, void *dx)                             \
{                                                                              \
    if (ntok(dx, x, dy, 3 * n, sizeof(T)))                                     \
        bwd_##P(0, 1, n, alpha, x, dy, dx);                                    \
    else                                                                       \
        bwd_##P(0, 0, n, alpha, x, dy, dx);                                    \
}                                                                              \
static void leaky_bwd_##P(size_t n, double alpha, const void *x,               \
                          const void *dy, void *dx)                            \
{                                                                              \
    int lk = fin_##P(alpha) ? 4 : 1, nt = ntok(dx, x, dy, 3 * n, sizeof(T));   \
    LKCALL(bwd_##P, lk, nt, n, alpha, x, dy, dx);                              \
}                                                                              \
static void relu_mask_##P(size_t n, double alpha, const void *x, void *y,      \
                          uint8_t *mask)                                       \
{                                                                              \
    if (ntok(y, x, x, 2 * n, sizeof(T)))                                       \
        fwdm_##P(0, 1, n, alpha, x, y, mask);                                  \
    else                                                                       \
        fwdm_##P(0, 0, n, alpha, x, y, mask);                                  \
}                                                                              \
static void leaky_mask_##P(size_t n, double alpha, const void *x, void *y,     \
                           uint8_t *mask)                                      \
{                                                                              \
    int lk = lkmode_##P(1, alpha), nt = ntok(y, x, x, 2 * n, sizeof(T));       \
    LKCALL(fwdm_##P, lk, nt, n, alpha, x, y, mask);                            \
}                                                                              \
static void relu_bwd_mask_##P(size_t n, double alpha, const uint8_t *mask,     \
                              const void *dy, void *dx)                        \
{                                                                              \
    int nt = ntok(dx, dy, dy, 2 * n, sizeof(T));                               \
    if (nt && 2 * n * sizeof(T) >= frk_big_min_bytes)                          \
        bwdm_##P(0, 2, n, alpha, mask, dy, dx);                                \
    else if (nt)                                                               \
        bwdm_##P(0, 1, n, alpha, mask, dy, dx);                                \
    else                                                                       \
        bwdm_##P(0, 0, n, alpha, mask, dy, dx);                                \
}                                                                              \
static void leaky_bwd_mask_##P(size_t n, double alpha, const uint8_t *mask,    \
                               const void *dy, void *dx)                       \
{                                                                              \
    int lk = fin_##P(alpha) ? 4 : 1, nt = ntok(dx, dy, dy, 2 * n, sizeof(T));  \
    if (nt && 2 * n * sizeof(T) >= frk_big_min_bytes)                          \
        lk == 4 ? bwdm_##P(4, 2, n, alpha, mask, dy, dx)                       \
                : bwdm_##P(1, 2, n, alpha, mask, dy, dx);                      \
    else                                                                       \
        LKCALL(bwdm_##P, lk, nt, n, alpha, mask, dy, dx);                      \
}

/* Lane 0 and 1 of a 64-bit integer, as _mm_cvtsi128_si64 packs them, to
   p and q; lanes 0-3 of 16 bits to y, y + 2, y + 4, y + 6. Stores from
   general registers beat vextractps / movss after a shuffle on Zen 4. */
INL void put2_32(void *p, void *q, uint64_t b)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    b = b >> 32 | b << 32;
#endif
    uint32_t lo = (uint32_t)b, hi = (uint32_t)(b >> 32);
    memcpy(p, &lo, 4);
    memcpy(q, &hi, 4);
}

INL void put4_16(uint16_t *y, uint64_t b)
{
    unsigned k;
    for (k = 0; k < 4; k++) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        uint16_t h = (uint16_t)(b >> (48 - 16 * k));
#else
        uint16_t h = (uint16_t)(b >> 16 * k);
#endif
        memcpy(y + 2 * k, &h, 2);
    }
}

/* The x86 increment-2 stores: the lanes of v, in order, to every other
   element from y, each element stored on its own. */
#if defined(SIMDE_X86_SSE2_H)
INL void put4_s(float *y, simde__m128 v)
{
    put2_32(y, y + 2, (uint64_t)simde_mm_cvtsi128_si64(simde_mm_castps_si128(v)));
    put2_32(y + 4, y + 6,
            (uint64_t)simde_mm_cvtsi128_si64(simde_mm_castps_si128(simde_mm_movehl_ps(v, v))));
}

INL void put2_d(double *y, simde__m128d v)
{
    simde_mm_storel_pd(y, v);
    simde_mm_storeh_pd(y + 2, v);
}

INL void put8_16(uint16_t *y, simde__m128i v)
{
    put4_16(y, (uint64_t)simde_mm_cvtsi128_si64(v));
    put4_16(y + 8, (uint64_t)simde_mm_cvtsi128_si64(simde_mm_unpackhi_epi64(v, v)));
}
#endif
#if defined(SIMDE_X86_AVX_H)
INL void put8_s(float *y, simde__m256 v)
{
    put4_s(y, simde_mm256_castps256_ps128(v));
    put4_s(y + 8, simde_mm256_extractf128_ps(v, 1));
}

INL void put4_d(double *y, simde__m256d v)
{
    put2_d(y, simde_mm256_castpd256_pd128(v));
    put2_d(y + 4, simde_mm256_extractf128_pd(v, 1));
}

INL void put16_16(uint16_t *y, simde__m256i v)
{
    put8_16(y, simde_mm256_castsi256_si128(v));
    put8_16(y + 16, simde_mm256_extractf128_si256(v, 1));
}
#endif

/* One element of a strided vector, loaded on its own: a volatile access is
   never merged with its neighbours into one vector load, which would read the
   gaps between them (GCC -O3 turns x[0], x[2], x[4], x[6] into movups and
   shufps). */
INL float ld1_s(const float *p) { return *(const volatile float *)p; }
INL double ld1_d(const double *p) { return *(const volatile double *)p; }
INL uint16_t ld1_16(const uint16_t *p) { return *(const volatile uint16_t *)p; }

/* p[0], p[2], p[4], p[6] as the four 16-bit quarters of a 64-bit lane, in
   lane order: 16-bit vectors are built from these, one 64-bit insert for
   four elements. */
INL int64_t ld4_16(const uint16_t *p)
{
    uint64_t a = ld1_16(p), b = ld1_16(p + 2), c = ld1_16(p + 4), d = ld1_16(p + 6);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint64_t q = a << 48 | b << 32 | c << 16 | d;
#else
    uint64_t q = a | b << 16 | c << 32 | d << 48;
#endif
#if defined(__GNUC__)
    /* finished here: otherwise GCC interleaves the four lanes' loads and
       spills them */
    __asm__("" : "+r"(q));
#endif
    return (int64_t)q;
}

/* A file whose increment-2 stores change form once a call outgrows the
   last-level cache defines INC2_BIG 1 and ST2(P, big, y, v) before including
   this header; big is inc2big's answer. Elsewhere ST2 is st2_. */
#ifndef INC2_BIG
#define INC2_BIG 0
#define ST2(P, big, y, v) ((void)(big), st2_##P(y, v))
#endif

/* x and y together span 4n elements of es bytes: at least frk_big_min_bytes */
INL int inc2big(size_t n, size_t es) { return INC2_BIG && n >= frk_big_min_bytes / (4 * es); }

/* Increment 2, x[2i] -> y[2i] for i < n, in files that define ld2_ (W
   elements loaded from 2W) and st2_ (W elements written 2 apart), both
   touching the addressed elements alone: the contract forbids reading or
   writing the gaps, which another thread may own. */
#define INC2(P, T, W, NANV)                                                    \
INL void inc2_##P(int lk, int big, size_t n, double alpha, const T *x, T *y)   \
{                                                                              \
    T a = lk ? (T)alpha : 0;                                                   \
    v##P va = dup_##P(a), vn = dup_##P(NANV(a));                               \
    size_t i = 0;                                                              \
    unsigned k;                                                                \
    for (; i + 4 * W <= n; i += 4 * W) {                                       \
        v##P v[4], r[4];                                                       \
        for (k = 0; k < 4; k++)                                                \
            v[k] = ld2_##P(x + 2 * (i + k * W));                               \
        fwdv4_##P(lk, v, NULL, va, vn, r);                                     \
        for (k = 0; k < 4; k++)                                                \
            ST2(P, big, y + 2 * (i + k * W), r[k]);                            \
    }                                                                          \
    for (; i + W <= n; i += W)                                                 \
        ST2(P, big, y + 2 * i, fwd1_##P(lk, ld2_##P(x + 2 * i), va, vn));      \
    for (; i < n; i++)                                                         \
        y[2 * i] = fwd0_##P(lk, ld1_##P(x + 2 * i), a);                        \
}                                                                              \
static void relu_inc2_##P(size_t n, double alpha, const void *x, void *y)     \
{                                                                              \
    if (inc2big(n, sizeof(T)))                                                 \
        inc2_##P(0, 1, n, alpha, x, y);                                        \
    else                                                                       \
        inc2_##P(0, 0, n, alpha, x, y);                                        \
}                                                                              \
static void leaky_inc2_##P(size_t n, double alpha, const void *x, void *y)    \
{                                                                              \
    int lk = lkmode_##P(0, alpha), big = inc2big(n, sizeof(T));                \
    LKCALL(inc2_##P, lk, big, n, alpha, x, y);                                 \
}

#define OPS(P)                                                                 \
    {                                                                          \
        .relu = relu_##P, .leaky = leaky_##P, .relu_bwd = relu_bwd_##P,        \
        .leaky_bwd = leaky_bwd_##P, .relu_mask = relu_mask_##P,                \
        .leaky_mask = leaky_mask_##P, .relu_bwd_mask = relu_bwd_mask_##P,      \
        .leaky_bwd_mask = leaky_bwd_mask_##P                                   \
    }

#endif
