/* Kernel tables: the internal interface between the API front end and each ISA file. */
#ifndef FRK_KERNELS_H
#define FRK_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fastrelu.h"

/* Kernels work on n contiguous elements (n >= 1). The front end has already
   checked arguments, resolved strides and aliasing: y/dx may equal x/dy
   exactly (in place) but never overlap otherwise. A mask starts at bit 0 of
   mask[0]; forwards write (n + 7) / 8 bytes with the unused high bits 0.
   alpha is exact for every precision (a float widened to double for s/h/b);
   relu kernels ignore it. In *_mask forwards y may be NULL. */
typedef void (*frk_fwd)(size_t n, double alpha, const void *x, void *y);
typedef void (*frk_bwd)(size_t n, double alpha, const void *x, const void *dy,
                        void *dx);
typedef void (*frk_fwd_mask)(size_t n, double alpha, const void *x, void *y,
                             uint8_t *mask);
typedef void (*frk_bwd_mask)(size_t n, double alpha, const uint8_t *mask,
                             const void *dy, void *dx);

struct frk_ops {
    frk_fwd relu, leaky;
    frk_bwd relu_bwd, leaky_bwd;
    frk_fwd_mask relu_mask, leaky_mask;
    frk_bwd_mask relu_bwd_mask, leaky_bwd_mask;
};

enum frk_prec { FRK_S, FRK_D, FRK_H, FRK_B, FRK_NPREC };

/* One ISA's kernels. A NULL slot in ops[] falls back to the scalar table's. */
struct frk_table {
    fr_isa isa;
    const char *name;
    struct frk_ops ops[FRK_NPREC];
    /* Optional, per precision: the forwards over x[2i] -> y[2i], i < n
       (increment 2 on both vectors), touching no element in between. NULL:
       the front end gathers into a buffer instead. AVX-512 fills them in
       native builds only: its emulated masked forms touch the gaps. */
    frk_fwd relu_inc2[FRK_NPREC], leaky_inc2[FRK_NPREC];
    /* Optional: where the CPU also has the extension ext (an frk_ext), the
       non-NULL slots of ext_ops[] replace those of ops[]. */
    int ext;
    struct frk_ops ext_ops[FRK_NPREC];
};

/* CPU extensions beyond a table's ISA that a table may use. */
enum frk_ext { FRK_EXT_NONE, FRK_EXT_AVX512BF16 };

/* Each ISA file defines FRK_TABLE(isa). Built with FRK_EMUL (and
   SIMDE_NO_NATIVE) for the tests, the same file yields frk_table_<isa>_emul. */
#ifdef FRK_EMUL
#define FRK_TABLE(isa) frk_table_##isa##_emul
#else
#define FRK_TABLE(isa) frk_table_##isa
#endif

/* Calls that move at least this many bytes (inputs and output), not in
   place, write their output with non-temporal stores where a kernel has them:
   beyond the last-level cache (on Intel, the L2) a normal store first reads
   the line it writes. frk_big_min_bytes: calls whose data do not fit one
   CPU's share of the last-level cache. Set once at initialisation
   (src/dispatch.c); tests lower them to run those paths. */
extern size_t frk_nt_min_bytes, frk_big_min_bytes;

/* Streaming forwards, mask forwards and mask backwards of every precision
   whose data do not fit the last-level cache (frk_big_min_bytes) walk this
   many 4 KiB chunks at a time, a four-vector step of each in turn (1:
   straight through): the L2 prefetcher of Intel's cores follows one stream
   per 4 KiB page, and four in flight move 15-20 % more from DRAM on a Xeon,
   as glibc's memcpy does for large copies (bench/NOTES.md, entries 45 and
   48). Mask forwards walk so only where y's alignment puts their first
   vector at a mask byte. Set once at initialisation, 4 on Intel CPUs, else
   1 (not measured elsewhere); tests set 4. */
extern unsigned frk_nt_pages;

/* The AVX-512 table's f32 and f64 forwards whose x and y span more than
   this many bytes, that do not stream and fit the last-level cache run the
   AVX2 or SSE2 table's loop, and so do its backwards in place whose data
   the L2 does not hold and half the last-level cache does (kernels/avx512.c).
   Set once at initialisation: 48 KiB, an L1, on Intel CPUs, else SIZE_MAX,
   which turns those routes off (not measured elsewhere); tests lower it. */
extern size_t frk_mid_min_bytes;

/* Nonzero where the AVX-512 f16 leaky kernels convert 16 halves per
   instruction, not 8: Intel's cores issue a 512-bit vcvtph2ps or vcvtps2ph
   as the same two micro-ops as a 256-bit one, while Zen 4 runs the 256-bit
   forms faster (bench/NOTES.md, entry 29). Set once at initialisation on
   Intel CPUs; tests flip it to run both forms. */
extern int frk_cvt512;

extern const struct frk_table frk_table_scalar;
extern const struct frk_table frk_table_sse2;
extern const struct frk_table frk_table_avx2;
extern const struct frk_table frk_table_avx512;
extern const struct frk_table frk_table_neon;
extern const struct frk_table frk_table_scalar_emul;
extern const struct frk_table frk_table_sse2_emul;
extern const struct frk_table frk_table_avx2_emul;
extern const struct frk_table frk_table_avx512_emul;
extern const struct frk_table frk_table_neon_emul;

/* ---- Scalar building blocks shared by the scalar table and SIMD tails ----

   NaN rule for a product alpha * v (v = x forward, dy backward): the IEEE
   result, except that a NaN result is v quieted if v is NaN, else alpha
   quieted if alpha is NaN, else the positive default NaN. Hardware differs
   here (x86 returns the first operand's NaN and a negative default NaN, Arm
   prefers signalling NaNs and a positive default), so every kernel applies
   this rule explicitly. SIMD form: p = v * alpha; fix = isnan(v) ? (v | quiet
   bit) : frk_nanval*(alpha); result = isnan(p) ? fix : p. */

#define FRK_QUIET32 0x00400000u
#define FRK_QUIET64 0x0008000000000000ull
#define FRK_DEFNAN32 0x7fc00000u
#define FRK_DEFNAN64 0x7ff8000000000000ull

static inline uint32_t frk_bits32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float frk_f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint64_t frk_bits64(double f) { uint64_t u; memcpy(&u, &f, 8); return u; }
static inline double frk_f64(uint64_t u) { double f; memcpy(&f, &u, 8); return f; }

/* What alpha * v gives when v is not NaN but the product is. */
static inline float frk_nanval32(float alpha)
{
    return frk_f32(alpha != alpha ? frk_bits32(alpha) | FRK_QUIET32 : FRK_DEFNAN32);
}
static inline double frk_nanval64(double alpha)
{
    return frk_f64(alpha != alpha ? frk_bits64(alpha) | FRK_QUIET64 : FRK_DEFNAN64);
}

static inline float frk_mul32(float v, float alpha)
{
    float p = v * alpha;
    if (p != p)
        p = v != v ? frk_f32(frk_bits32(v) | FRK_QUIET32) : frk_nanval32(alpha);
    return p;
}
static inline double frk_mul64(double v, double alpha)
{
    double p = v * alpha;
    if (p != p)
        p = v != v ? frk_f64(frk_bits64(v) | FRK_QUIET64) : frk_nanval64(alpha);
    return p;
}

/* binary16 and bfloat16: widening is exact; narrowing rounds to nearest even,
   and a NaN keeps its sign and top payload bits with the quiet bit set. */
static inline float frk_h2f(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0x1f)
        return frk_f32(sign | 0x7f800000u | (m << 13));
    if (e == 0) {
        /* zero or subnormal: m * 2^-24, exact in float */
        float f = (float)m * (1.0f / 16777216.0f);
        return frk_f32(frk_bits32(f) | sign);
    }
    return frk_f32(sign | ((e + 112) << 23) | (m << 13));
}

static inline uint16_t frk_f2h(float f)
{
    uint32_t u = frk_bits32(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u)
        return (uint16_t)(sign | 0x7e00 | ((a >> 13) & 0x3ff));
    if (a >= 0x477ff000u) /* rounds to >= 65520: infinity */
        return (uint16_t)(sign | 0x7c00);
    if (a < 0x38800000u) { /* below 2^-14: subnormal or zero in binary16 */
        /* a * 2^24 rounded to an integer, exact RNE through the float adder */
        float r = frk_f32(a) * 16777216.0f; /* exact: power-of-two scaling */
        uint32_t q = (uint32_t)r, rem_is_half;
        float frac = r - (float)q;
        rem_is_half = frac == 0.5f;
        if (frac > 0.5f || (rem_is_half && (q & 1)))
            q++;
        return (uint16_t)(sign | q);
    }
    uint32_t mant = a >> 13, rest = a & 0x1fff;
    uint32_t h = mant - (112u << 10);
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
        h++;
    return (uint16_t)(sign | h);
}

static inline float frk_b2f(uint16_t b) { return frk_f32((uint32_t)b << 16); }

static inline uint16_t frk_f2b(float f)
{
    uint32_t u = frk_bits32(f);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x0040);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
}

/* In the integer domain: x > 0 and x is NaN, for binary16 and bfloat16. */
static inline int frk_hpos(uint16_t h) { return h >= 1 && h <= 0x7c00; }
static inline int frk_hnan(uint16_t h) { return (h & 0x7fff) > 0x7c00; }
static inline int frk_bpos(uint16_t b) { return b >= 1 && b <= 0x7f80; }
static inline int frk_bnan(uint16_t b) { return (b & 0x7fff) > 0x7f80; }

#endif
