/* Binary16 and bfloat16 kernel bodies shared by the x86 ISA files: integer-domain relu and masks, leaky through f32. */
#ifndef FRK_SIMD_HALF_H
#define FRK_SIMD_HALF_H

/* Before including (after simd_body.h, whose putm, getm, ntok, nthead and OPS
   this uses):
   the 16-bit lane vector vh, its lane mask mh, and
     ld_h, st_h        load and store (unaligned)
     stn_h             non-temporal store, aligned to the vector
     pos_h(x, inf)     lanes with 0 < x <= inf, x and inf signed 16-bit
     keep_h(x, ninf)   x where x > ninf signed, else 0 (x == 0 gives 0 too)
     sel_h, zsel_h     as sel_ and zsel_ of simd_body.h
     bits_h, unbits_h  lane mask to and from the low W bits
     bits2_h(m0, m1)   the 2W bits of two lane masks, m0's first
     mulv_h, mulv_b    (gen, v, alpha, frk_nanval32(alpha), hn_h or hn_b):
                       alpha * v lane by lane in f32 with the NaN rule of
                       kernels.h, narrowed as frk_f2h / frk_f2b do
     LKV_h, LKV_b      1 where lkv_h, lkv_b (x, alpha, hn) give the whole leaky
                       forward for a finite nonzero alpha, else 0
     LKP_h, LKP_b      1 where lkp_h, lkp_b (nt, pos, x, y, alpha) do the
                       same from memory to memory for W elements, else 0;
                       pos: alpha > 0, so that the lanes to multiply are
                       those with the sign bit set (alpha * +0 is +0)
     LKB_h, LKB_b      the same for the leaky backwards: lkb_h, lkb_b (nt,
                       lane mask x > 0, dy, dx, alpha)
   With inf the encoding of +infinity, x > 0 is 0 < x <= inf, and relu keeps
   x > 0 and NaNs of either sign: as signed 16-bit integers exactly the x
   above -infinity (ninf), zero excepted. */

#ifndef LKV_h
#define LKV_h 0
#define lkv_h(x, a, hn) ((void)(a), (void)(hn), (x))
#endif
#ifndef LKV_b
#define LKV_b 0
#define lkv_b(x, a, hn) ((void)(a), (void)(hn), (x))
#endif
#ifndef LKP_h
#define LKP_h 0
#define lkp_h(nt, pos, x, y, a) ((void)(nt), (void)(pos), (void)(x), (void)(y), (void)(a))
#endif
#ifndef LKP_b
#define LKP_b 0
#define lkp_b(nt, pos, x, y, a) ((void)(nt), (void)(pos), (void)(x), (void)(y), (void)(a))
#endif
#ifndef LKB_h
#define LKB_h 0
#define lkb_h(nt, m, dy, dx, a) ((void)(nt), (void)(m), (void)(dy), (void)(dx), (void)(a))
#endif
#ifndef LKB_b
#define LKB_b 0
#define lkb_b(nt, m, dy, dx, a) ((void)(nt), (void)(m), (void)(dy), (void)(dx), (void)(a))
#endif

/* Mask forwards of halves that stream (nt) step by 32 elements on SSE2 and
   AVX2 (a 4-byte store of mask bits) and by a vector on AVX-512 (bench/
   NOTES.md, entries 21, 25 and 30); without y by HSTEP(W, 0). The others
   step by HGRP(W, lk) elements and store the bits of each 64 after that
   step's outputs, 8 bytes at a time: on an Intel Xeon, 4 bytes of mask
   bits stored after each 64-byte vector halved the AVX-512 relu_mask's
   speed on data in the L2 (entry 46). The sizes are those measured fastest
   there; SSE2's and the leaky kernels' longer steps lose with larger ones. */
#define HSTEP(W, nt) ((W) >= 32 ? (W) : (nt) ? 32 : 64)
#define HGRP(W, lk) ((W) == 32 ? ((lk) ? 256 : 512) : (W) == 16 && !(lk) ? 256 : 64)

/* alpha NaN, zero or infinite */
INL int hgen(double alpha) { return !finnz(alpha); }

/* The eight kernels of P (h or b): W lanes, INF the +infinity encoding, POS0
   NAN0 MUL0 the scalar forms of kernels.h, HN(gen, alpha) the constant vh
   handed to mulv_ and lkv_. gen: alpha is NaN, zero or
   infinite, so a product can be NaN where v is not; else only NaN v gives a
   NaN product and mulv_ may take a shorter way. nt: non-temporal stores as
   in simd_body.h; the mask bits then start s = nthead % 8 into a byte, and t
   carries them from one vector to the next. */
#define HKERNELS(P, W, INF, POS0, NAN0, HN, MUL0)                              \
                                                                               \
INL vh hfwd1_##P(int lk, int gen, vh x, vs a, vs nan, vh hn)                   \
{                                                                              \
    if (lk && !gen && LKV_##P)                                                 \
        return lkv_##P(x, a, hn);                                              \
    return lk ? sel_h(pos_h(x, INF), x, mulv_##P(gen, x, a, nan, hn))          \
              : keep_h(x, (int16_t)(INF | 0x8000));                            \
}                                                                              \
                                                                               \
INL vh hbwd1_##P(int lk, int gen, mh m, vh dy, vs a, vs nan, vh hn)            \
{                                                                              \
    return lk ? sel_h(m, dy, mulv_##P(gen, dy, a, nan, hn)) : zsel_h(m, dy);   \
}                                                                              \
                                                                               \
INL uint16_t hfwd0_##P(int lk, uint16_t x, float a)                            \
{                                                                              \
    if (lk)                                                                    \
        return POS0(x) ? x : MUL0(x, a);                                       \
    return POS0(x) || NAN0(x) ? x : 0;                                         \
}                                                                              \
                                                                               \
INL uint16_t hbwd0_##P(int lk, int pos, uint16_t dy, float a)                  \
{                                                                              \
    return pos ? dy : lk ? MUL0(dy, a) : 0;                                    \
}                                                                              \
                                                                               \
INL void hput_##P(int nt, uint16_t *p, vh v)                                   \
{                                                                              \
    if (nt)                                                                    \
        stn_h(p, v);                                                           \
    else                                                                       \
        st_h(p, v);                                                            \
}                                                                              \
                                                                               \
/* One step of four vectors: their loads, then their outputs */               \
INL void hfwd4_##P(int lk, int gen, int nt, const uint16_t *x, uint16_t *y,    \
                   vs va, vs vn, vh hn)                                        \
{                                                                              \
    vh v[4];                                                                   \
    unsigned j;                                                                \
    for (j = 0; j < 4; j++)                                                    \
        v[j] = ld_h(x + j * W);                                                \
    for (j = 0; j < 4; j++)                                                    \
        hput_##P(nt, y + j * W, hfwd1_##P(lk, gen, v[j], va, vn, hn));         \
}                                                                              \
                                                                               \
/* hfwd streaming beyond the last-level cache, frk_nt_pages 4 KiB chunks at  \
   a time (fwdpg of simd_body.h); pos: lkp's, for alpha > 0. With a mask (a  \
   mask forward whose i is a multiple of 8), each step stores its bits too. */ \
INL size_t hfwdpg_##P(int lk, int gen, int pos, size_t i, size_t n,           \
                      const uint16_t *x, uint16_t *y, uint8_t *mask, vs va,    \
                      vs vn, vh hn)                                            \
{                                                                              \
    const size_t pe = 2048, np = frk_nt_pages;                                 \
    size_t k, p, e;                                                            \
    unsigned j;                                                                \
    for (; np > 1 && i + np * pe <= n; i += np * pe)                           \
        for (k = 0; k < pe; k += 4 * W)                                        \
            for (p = 0; p < np; p++) {                                         \
                e = i + p * pe + k;                                            \
                if (mask)                                                      \
                    for (j = 0; j < 4; j += 2)                                 \
                        putm(mask + (e + j * W) / 8, W / 4,                    \
                             bits2_h(pos_h(ld_h(x + e + j * W), INF),          \
                                     pos_h(ld_h(x + e + j * W + W), INF)));    \
                if (lk && !gen && LKP_##P) {                                   \
                    for (j = 0; j < 4; j++)                                    \
                        lkp_##P(1, pos, x + e + j * W, y + e + j * W, va);     \
                    continue;                                                  \
                }                                                              \
                hfwd4_##P(lk, gen, 1, x + e, y + e, va, vn, hn);               \
            }                                                                  \
    return i;                                                                  \
}                                                                              \
                                                                               \
INL void hfwd_##P(int lk, int gen, int nt, size_t n, double alpha,             \
                  const uint16_t *x, uint16_t *y)                              \
{                                                                              \
    float a = lk ? (float)alpha : 0;                                           \
    vs va = dup_s(a), vn = dup_s(frk_nanval32(a));                             \
    vh hn = HN(gen, a);                                                        \
    size_t i = 0, h = nt ? nthead(y, 2, n) : 0;                                \
    int pf = !nt && pfok(PF_HALF, x, y, 2 * n);                                \
    for (; i < h; i++)                                                         \
        y[i] = hfwd0_##P(lk, x[i], a);                                         \
    if (nt && 2 * n * sizeof(uint16_t) >= frk_big_min_bytes)                   \
        i = lk && !gen && LKP_##P && a > 0                                     \
                ? hfwdpg_##P(lk, gen, 1, i, n, x, y, NULL, va, vn, hn)         \
                : hfwdpg_##P(lk, gen, 0, i, n, x, y, NULL, va, vn, hn);        \
    for (; pf && lk && !gen && LKP_##P && i + W <= n; i += W) {                \
        pfahead(x + i, 2 * W);                                                 \
        lkp_##P(nt, a > 0, x + i, y + i, va);                                  \
    }                                                                          \
    if (lk && !gen && LKP_##P && a > 0)                                        \
        for (; i + W <= n; i += W)                                             \
            lkp_##P(nt, 1, x + i, y + i, va);                                  \
    else if (lk && !gen && LKP_##P)                                            \
        for (; i + W <= n; i += W)                                             \
            lkp_##P(nt, 0, x + i, y + i, va);                                  \
    for (; pf && i + 4 * W <= n; i += 4 * W) {                                 \
        pfahead(x + i, 8 * W);                                                 \
        hfwd4_##P(lk, gen, nt, x + i, y + i, va, vn, hn);                      \
    }                                                                          \
    for (; i + 4 * W <= n; i += 4 * W)                                         \
        hfwd4_##P(lk, gen, nt, x + i, y + i, va, vn, hn);                      \
    for (; i + W <= n; i += W)                                                 \
        hput_##P(nt, y + i, hfwd1_##P(lk, gen, ld_h(x + i), va, vn, hn));      \
    for (; i < n; i++)                                                         \
        y[i] = hfwd0_##P(lk, x[i], a);                                         \
    if (nt)                                                                    \
        nt_fence();                                                            \
}                                                                              \
                                                                               \
INL void hbwd4_##P(int lk, int gen, int nt, const uint16_t *x,                 \
                   const uint16_t *dy, uint16_t *dx, vs va, vs vn, vh hn)      \
{                                                                              \
    mh g[4];                                                                   \
    vh d[4];                                                                   \
    unsigned j;                                                                \
    for (j = 0; j < 4; j++) {                                                  \
        g[j] = pos_h(ld_h(x + j * W), INF);                                    \
        d[j] = ld_h(dy + j * W);                                               \
    }                                                                          \
    for (j = 0; j < 4; j++)                                                    \
        hput_##P(nt, dx + j * W, hbwd1_##P(lk, gen, g[j], d[j], va, vn, hn));  \
}                                                                              \
                                                                               \
INL void hbwd_##P(int lk, int gen, int nt, size_t n, double alpha,             \
                  const uint16_t *x, const uint16_t *dy, uint16_t *dx)         \
{                                                                              \
    float a = lk ? (float)alpha : 0;                                           \
    vs va = dup_s(a), vn = dup_s(frk_nanval32(a));                             \
    vh hn = HN(gen, a);                                                        \
    size_t i = 0, h = nt ? nthead(dx, 2, n) : 0;                               \
    int pf = lk && !nt && pfok(PF_HALF, dy, dx, 2 * n);                        \
    for (; i < h; i++)                                                         \
        dx[i] = hbwd0_##P(lk, POS0(x[i]), dy[i], a);                           \
    for (; pf && !gen && LKB_##P && i + W <= n; i += W) {                      \
        pfahead(x + i, 2 * W);                                                 \
        pfahead(dy + i, 2 * W);                                                \
        lkb_##P(nt, pos_h(ld_h(x + i), INF), dy + i, dx + i, va);              \
    }                                                                          \
    if (lk && !gen && LKB_##P)                                                 \
        for (; i + W <= n; i += W)                                             \
            lkb_##P(nt, pos_h(ld_h(x + i), INF), dy + i, dx + i, va);          \
    for (; pf && i + 4 * W <= n; i += 4 * W) {                                 \
        pfahead(x + i, 8 * W);                                                 \
        pfahead(dy + i, 8 * W);                                                \
        hbwd4_##P(lk, gen, nt, x + i, dy + i, dx + i, va, vn, hn);             \
    }                                                                          \
    for (; i + 4 * W <= n; i += 4 * W)                                         \
        hbwd4_##P(lk, gen, nt, x + i, dy + i, dx + i, va, vn, hn);             \
    for (; i + W <= n; i += W)                                                 \
        hput_##P(nt, dx + i, hbwd1_##P(lk, gen, pos_h(ld_h(x + i), INF),       \
                                       ld_h(dy + i), va, vn, hn));             \
    for (; i < n; i++)                                                         \
        dx[i] = hbwd0_##P(lk, POS0(x[i]), dy[i], a);                           \
    if (nt)                                                                    \
        nt_fence();                                                            \
}                                                                              \
                                                                               \
/* One element of a mask forward; t holds the bits of the byte so far. */    \
INL uint64_t hfwdm0_##P(int lk, size_t i, const uint16_t *x, uint16_t *y,      \
                        uint8_t *mask, uint64_t t, float a)                    \
{                                                                              \
    t |= (uint64_t)POS0(x[i]) << (i & 7);                                      \
    if (y)                                                                     \
        y[i] = hfwd0_##P(lk, x[i], a);                                         \
    if ((i & 7) == 7) {                                                        \
        mask[i / 8] = (uint8_t)t;                                              \
        t = 0;                                                                 \
    }                                                                          \
    return t;                                                                  \
}                                                                              \
                                                                               \
/* One vector of a mask forward's output: v holds x[0 .. W-1]. */             \
INL void hfwdv_##P(int lk, int gen, int nt, float a, const uint16_t *x,        \
                   uint16_t *y, vh v, vs va, vs vn, vh hn)                     \
{                                                                              \
    if (lk && !gen && LKP_##P)                                                 \
        lkp_##P(nt, a > 0, x, y, va);                                          \
    else                                                                       \
        hput_##P(nt, y, hfwd1_##P(lk, gen, v, va, vn, hn));                    \
}                                                                              \
                                                                               \
/* The bits of x > 0 for st elements, two vectors' at a time. */              \
INL uint64_t hbits_##P(const uint16_t *x, unsigned st)                         \
{                                                                              \
    uint64_t b = 0;                                                            \
    unsigned j;                                                                \
    for (j = 0; j + 2 * W <= st; j += 2 * W)                                   \
        b |= bits2_h(pos_h(ld_h(x + j), INF),                                  \
                     pos_h(ld_h(x + j + W), INF)) << j;                        \
    return b;                                                                  \
}                                                                              \
                                                                               \
INL void hfwdm_##P(int lk, int gen, int nt, size_t n, double alpha,            \
                   const uint16_t *x, uint16_t *y, uint8_t *mask)              \
{                                                                              \
    float a = lk ? (float)alpha : 0;                                           \
    vs va = dup_s(a), vn = dup_s(frk_nanval32(a));                             \
    vh hn = HN(gen, a);                                                        \
    size_t i = 0, h = nt ? nthead(y, 2, n) : 0;                                \
    unsigned g, j, s = (unsigned)h & 7, st = HSTEP(W, nt);                     \
    uint64_t t = 0;                                                            \
    for (; i < h; i++)                                                         \
        t = hfwdm0_##P(lk, i, x, y, mask, t, a);                               \
    if (!y) {                                                                  \
        for (; W < st && i + st <= n; i += st) /* nt is 0 */                   \
            putm(mask + i / 8, st / 8, hbits_##P(x + i, st));                  \
        for (; i + W <= n; i += W)                                             \
            putm(mask + i / 8, W / 8, bits_h(pos_h(ld_h(x + i), INF)));        \
    } else {                                                                   \
        for (; !nt && i + HGRP(W, lk) <= n; i += HGRP(W, lk)) {                \
            uint64_t b[8]; /* HGRP / 64 used */                                \
            for (g = 0; g < HGRP(W, lk) / 64; g++)                             \
                for (b[g] = 0, j = 0; j < 64; j += 2 * W) {                    \
                    const uint16_t *xj = x + i + 64 * g + j;                   \
                    uint16_t *yj = y + i + 64 * g + j;                         \
                    vh v0 = ld_h(xj), v1 = ld_h(xj + W);                       \
                    b[g] |= bits2_h(pos_h(v0, INF), pos_h(v1, INF)) << j;      \
                    hfwdv_##P(lk, gen, 0, a, xj, yj, v0, va, vn, hn);          \
                    hfwdv_##P(lk, gen, 0, a, xj + W, yj + W, v1, va, vn, hn);  \
                }                                                              \
            for (g = 0; g < HGRP(W, lk) / 64; g++) {                           \
                KEEPR(b[g]);                                                   \
                putm(mask + i / 8 + 8 * g, 8, b[g]);                           \
            }                                                                  \
        }                                                                      \
        if (nt && !s && 2 * n * sizeof(uint16_t) >= frk_big_min_bytes)        \
            i = lk && !gen && LKP_##P && a > 0                                 \
                    ? hfwdpg_##P(lk, gen, 1, i, n, x, y, mask, va, vn, hn)     \
                    : hfwdpg_##P(lk, gen, 0, i, n, x, y, mask, va, vn, hn);    \
        for (; nt && W < st && i + st <= n; i += st) {                         \
            uint64_t b = hbits_##P(x + i, st);                                 \
            putm(mask + i / 8, st / 8, t | b << s);                            \
            t = (t | b << s) >> st;                                            \
            for (j = 0; j < st; j += W)                                        \
                hfwdv_##P(lk, gen, nt, a, x + i + j, y + i + j,                \
                          ld_h(x + i + j), va, vn, hn);                        \
        }                                                                      \
        for (; i + W <= n; i += W) {                                           \
            vh v = ld_h(x + i);                                                \
            t |= (uint64_t)bits_h(pos_h(v, INF)) << s;                         \
            putm(mask + i / 8, W / 8, t);                                      \
            t >>= W;                                                           \
            hfwdv_##P(lk, gen, nt, a, x + i, y + i, v, va, vn, hn);            \
        }                                                                      \
    }                                                                          \
    for (; i < n; i++)                                                         \
        t = hfwdm0_##P(lk, i, x, y, mask, t, a);                               \
    if (n & 7)                                                                 \
        mask[n / 8] = (uint8_t)t;                                              \
    if (nt)                                                                    \
        nt_fence();                                                            \
}                                                                              \
                                                                               \
/* One vector of a mask backward at i; streaming, the bits start s into a   \
   byte. */                                                                    \
INL void hbwdmv_##P(int lk, int gen, int nt, unsigned s, size_t i,             \
                    const uint8_t *mask, const uint16_t *dy, uint16_t *dx,     \
                    vs va, vs vn, vh hn)                                       \
{                                                                              \
    uint64_t b = getm(mask + i / 8, W / 8);                                    \
    if (nt && s)                                                               \
        b = b >> s | (uint64_t)mask[i / 8 + W / 8] << (W - s);                 \
    if (lk && !gen && LKB_##P)                                                 \
        lkb_##P(nt, unbits_h(b), dy + i, dx + i, va);                          \
    else                                                                       \
        hput_##P(nt, dx + i,                                                   \
                 hbwd1_##P(lk, gen, unbits_h(b), ld_h(dy + i), va, vn, hn));   \
}                                                                              \
                                                                               \
INL void hbwdm_##P(int lk, int gen, int nt, size_t n, double alpha,            \
                   const uint8_t *mask, const uint16_t *dy, uint16_t *dx)      \
{                                                                              \
    float a = lk ? (float)alpha : 0;                                           \
    vs va = dup_s(a), vn = dup_s(frk_nanval32(a));                             \
    vh hn = HN(gen, a);                                                        \
    const size_t pe = 2048, np = frk_nt_pages;                                 \
    size_t i = 0, h = nt ? nthead(dx, 2, n) : 0, k, p;                         \
    unsigned j, s = (unsigned)h & 7;                                           \
    int pf = lk && !nt && pfok(PF_HALF, dy, dx, 2 * n);                        \
    for (; i < h; i++)                                                         \
        dx[i] = hbwd0_##P(lk, mask[i / 8] >> (i & 7) & 1, dy[i], a);           \
    /* beyond the last-level cache, the chunked walk of hfwdpg */             \
    if (nt && 2 * n * sizeof(uint16_t) >= frk_big_min_bytes)                   \
        for (; np > 1 && i + np * pe <= n; i += np * pe)                       \
            for (k = 0; k < pe; k += 4 * W)                                    \
                for (p = 0; p < np; p++)                                       \
                    for (j = 0; j < 4; j++)                                    \
                        hbwdmv_##P(lk, gen, 1, s, i + p * pe + k + j * W,      \
                                   mask, dy, dx, va, vn, hn);                  \
    for (; pf && i + W <= n; i += W) {                                         \
        pfahead(dy + i, 2 * W);                                                \
        hbwdmv_##P(lk, gen, nt, s, i, mask, dy, dx, va, vn, hn);               \
    }                                                                          \
    for (; i + W <= n; i += W)                                                 \
        hbwdmv_##P(lk, gen, nt, s, i, mask, dy, dx, va, vn, hn);               \
    for (; i < n; i++)                                                         \
        dx[i] = hbwd0_##P(lk, mask[i / 8] >> (i & 7) & 1, dy[i], a);           \
    if (nt)                                                                    \
        nt_fence();                                                            \
}                                                                              \
                                                                               \
/* Each entry point picks one of the forms above. */                           \
static void relu_##P(size_t n, double alpha, const void *x, void *y)           \
{                                                                              \
    if (ntok(y, x, x, 2 * n, 2))                                               \
        hfwd_##P(0, 0, 1, n, alpha, x, y);                                     \
    else                                                                       \
        hfwd_##P(0, 0, 0, n, alpha, x, y);                                     \
}                                                                              \
static void leaky_##P(size_t n, double alpha, const void *x, void *y)          \
{                                                                              \
    int nt = ntok(y, x, x, 2 * n, 2);                                          \
    if (hgen(alpha))                                                           \
        hfwd_##P(1, 1, nt, n, alpha, x, y);                                    \
    else if (nt)                                                               \
        hfwd_##P(1, 0, 1, n, alpha, x, y);                                     \
    else                                                                       \
        hfwd_##P(1, 0, 0, n, alpha, x, y);                                     \
}                                                                              \
static void relu_bwd_##P(size_t n, double alpha, const void *x,                \
                         const void *dy, void *dx)                             \
{                                                                              \
    if (ntok(dx, x, dy, 3 * n, 2))                                             \
        hbwd_##P(0, 0, 1, n, alpha, x, dy, dx);                                \
    else                                                                       \
        hbwd_##P(0, 0, 0, n, alpha, x, dy, dx);                                \
}                                                                              \
static void leaky_bwd_##P(size_t n, double alpha, const void *x,               \
                          const void *dy, void *dx)                            \
{                                                                              \
    int nt = ntok(dx, x, dy, 3 * n, 2);                                        \
    if (hgen(alpha))                                                           \
        hbwd_##P(1, 1, nt, n, alpha, x, dy, dx);                               \
    else if (nt)                                                               \
        hbwd_##P(1, 0, 1, n, alpha, x, dy, dx);                                \
    else                                                                       \
        hbwd_##P(1, 0, 0, n, alpha, x, dy, dx);                                \
}                                                                              \
static void relu_mask_##P(size_t n, double alpha, const void *x, void *y,      \
                          uint8_t *mask)                                       \
{                                                                              \
    if (ntok(y, x, x, 2 * n, 2))                                               \
        hfwdm_##P(0, 0, 1, n, alpha, x, y, mask);                              \
    else                                                                       \
        hfwdm_##P(0, 0, 0, n, alpha, x, y, mask);                              \
}                                                                              \
static void leaky_mask_##P(size_t n, double alpha, const void *x, void *y,     \
                           uint8_t *mask)                                      \
{                                                                              \
    int nt = ntok(y, x, x, 2 * n, 2);                                          \
    if (hgen(alpha))                                                           \
        hfwdm_##P(1, 1, nt, n, alpha, x, y, mask);                             \
    else if (nt)                                                               \
        hfwdm_##P(1, 0, 1, n, alpha, x, y, mask);                              \
    else                                                                       \
        hfwdm_##P(1, 0, 0, n, alpha, x, y, mask);                              \
}                                                                              \
static void relu_bwd_mask_##P(size_t n, double alpha, const uint8_t *mask,     \
                              const void *dy, void *dx)                        \
{                                                                              \
    if (ntok(dx, dy, dy, 2 * n, 2))                                            \
        hbwdm_##P(0, 0, 1, n, alpha, mask, dy, dx);                            \
    else                                                                       \
        hbwdm_##P(0, 0, 0, n, alpha, mask, dy, dx);                            \
}                                                                              \
static void leaky_bwd_mask_##P(size_t n, double alpha, const uint8_t *mask,    \
                               const void *dy, void *dx)                       \
{                                                                              \
    int nt = ntok(dx, dy, dy, 2 * n, 2);                                       \
    if (hgen(alpha))                                                           \
        hbwdm_##P(1, 1, nt, n, alpha, mask, dy, dx);                           \
    else if (nt)                                                               \
        hbwdm_##P(1, 0, 1, n, alpha, mask, dy, dx);                            \
    else                                                                       \
        hbwdm_##P(1, 0, 0, n, alpha, mask, dy, dx);                            \
}

#define H_MUL0(v, a) frk_f2h(frk_mul32(frk_h2f(v), a))
#define B_MUL0(v, a) frk_f2b(frk_mul32(frk_b2f(v), a))

/* a where a > ninf, else 0, by a compare and cmov on x86: GCC turns one of
   eight ternaries into a branch even with a probability hint, and random
   signs mispredict it (2x slower beyond L2 on Zen 4); a mask from a shift
   takes three more instructions. */
INL uint16_t relu1_16(uint16_t a, int16_t ninf)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    int32_t v = (int16_t)a, z = 0;
    __asm__("cmpl %2, %0\n\tcmovle %1, %0"
            : "+r"(v)
            : "r"(z), "ri"((int32_t)ninf)
            : "cc");
    return (uint16_t)v;
#else
    return (uint16_t)(a & (uint32_t)(((int32_t)ninf - (int16_t)a) >> 31));
#endif
}

INL void relu8_16(int16_t ninf, const uint16_t *x, uint16_t *y)
{
    for (size_t j = 0; j < 8; j++)
        y[2 * j] = relu1_16(ld1_16(x + 2 * j), ninf);
}

/* relu with increment 2 on elements loaded one by one (INC2_RELU1 below):
   a load, compare, cmov and store per element, close to a copy of the
   elements, beat building a vector from them. relu keeps x > ninf as
   signed 16-bit integers, as keep_h. At four operations an element the
   loop's own three weigh: 32 elements a step, as four unrolled blocks of
   eight, run 1.08-1.16x eight a step (bench/NOTES.md, entry 41). */
INL void relu2_16(size_t n, int16_t ninf, const uint16_t *x, uint16_t *y)
{
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (size_t j = 0; j < 32; j += 8)
            relu8_16(ninf, x + 2 * (i + j), y + 2 * (i + j));
    for (; i + 8 <= n; i += 8)
        relu8_16(ninf, x + 2 * i, y + 2 * i);
    for (; i < n; i++)
        y[2 * i] = relu1_16(ld1_16(x + 2 * i), ninf);
}

/* Increment 2 as INC2 of simd_body.h, over ld2_h and st2_h, one vector a
   step; relu through relu2_16 where the file defines INC2_RELU1 1 (its
   ld2_h loads element by element). */
#ifndef INC2_RELU1
#define INC2_RELU1 0
#endif
#define INC2H(P, W, INF)                                                       \
INL void inc2_##P(int lk, int gen, int big, size_t n, double alpha,           \
                  const uint16_t *x, uint16_t *y)                              \
{                                                                              \
    float a = lk ? (float)alpha : 0;                                           \
    vs va = dup_s(a), vn = dup_s(frk_nanval32(a));                             \
    vh hn = hn_##P(gen, a);                                                    \
    size_t i = 0;                                                              \
    for (; i + W <= n; i += W)                                                 \
        ST2(h, big, y + 2 * i, hfwd1_##P(lk, gen, ld2_h(x + 2 * i), va, vn, hn)); \
    for (; i < n; i++)                                                         \
        y[2 * i] = hfwd0_##P(lk, ld1_16(x + 2 * i), a);                        \
}                                                                              \
static void relu_inc2_##P(size_t n, double alpha, const void *x, void *y)     \
{                                                                              \
    if (INC2_RELU1)                                                            \
        relu2_16(n, (int16_t)(INF | 0x8000), x, y);                            \
    else if (inc2big(n, 2))                                                    \
        inc2_##P(0, 0, 1, n, alpha, x, y);                                     \
    else                                                                       \
        inc2_##P(0, 0, 0, n, alpha, x, y);                                     \
}                                                                              \
static void leaky_inc2_##P(size_t n, double alpha, const void *x, void *y)    \
{                                                                              \
    int gen = hgen(alpha), big = inc2big(n, 2);                                \
    if (gen)                                                                   \
        inc2_##P(1, 1, big, n, alpha, x, y);                                   \
    else if (big)                                                              \
        inc2_##P(1, 0, 1, n, alpha, x, y);                                     \
    else                                                                       \
        inc2_##P(1, 0, 0, n, alpha, x, y);                                     \
}

/* frk_nanval32(alpha) narrowed */
INL vh hn_h(int gen, float a) { (void)gen; return dup_h(frk_f2h(frk_nanval32(a))); }
INL vh hn_b(int gen, float a) { (void)gen; return dup_h(frk_f2b(frk_nanval32(a))); }

#define HALF_KERNELS(W)                                                        \
    HKERNELS(h, W, 0x7c00, frk_hpos, frk_hnan, hn_h, H_MUL0)                   \
    HKERNELS(b, W, 0x7f80, frk_bpos, frk_bnan, hn_b, B_MUL0)

#endif
