/* Kernel-table tests: one table (argv: isa, native|base|emul) against the reference, bit for bit, with guard bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "internal.h"
#include "testutil.h"

#define GUARD 64
#define MAXOFF 16
#define POISON 0xa5

static const struct frk_table *table, *fallback;
static const char *label;
static int table_missing;

/* One region: guard, up to MAXOFF elements of offset, data, guard. */
struct region {
    uint8_t *raw, *before, *expect;
    size_t bytes;
    uint8_t *data;
};

static void region_init(struct region *r, size_t esize, size_t count,
                        size_t off)
{
    r->bytes = 2 * GUARD + (MAXOFF + count) * esize;
    r->raw = tu_alloc(r->bytes);
    r->before = tu_alloc(r->bytes);
    r->expect = tu_alloc(r->bytes);
    memset(r->raw, POISON, r->bytes);
    r->data = r->raw + GUARD + off * esize;
}

static void region_free(struct region *r)
{
    free(r->raw);
    free(r->before);
    free(r->expect);
}

static void region_save(struct region *r)
{
    memcpy(r->before, r->raw, r->bytes);
    memcpy(r->expect, r->raw, r->bytes);
}

/* The same place in another copy of the region. */
static uint8_t *at(const struct region *r, uint8_t *copy)
{
    return copy + (r->data - r->raw);
}

struct kcase {
    int prec, op;
    size_t n;
    double alpha;
    size_t offx, offdy, offy, offm;
    int inplace; /* y == x (forwards) or dx == dy (backwards) */
    int ynull;   /* mask forwards with y == NULL */
    int nonan;   /* x and dy without NaNs */
};

static int region_check(const struct region *r, const char *what,
                        const struct kcase *c, size_t esize,
                        const struct region *x, const struct region *dy)
{
    size_t i;
    for (i = 0; i < r->bytes; i++)
        if (r->raw[i] != r->expect[i])
            break;
    if (i == r->bytes)
        return 0;
    {
        long long byte = (long long)i - (long long)(r->data - r->raw);
        long long el = byte < 0 ? -1 - (-byte - 1) / (long long)esize
                                : byte / (long long)esize;
        print_error("%s: %s%s n=%zu alpha=%a off x/dy/y/m=%zu/%zu/%zu/%zu "
                    "inplace=%d ynull=%d: %s differs at byte %lld "
                    "(element %lld) expected 0x%02x got 0x%02x\n",
                    label, tu_prec_name[c->prec], tu_op_name[c->op], c->n,
                    c->alpha, c->offx, c->offdy, c->offy, c->offm, c->inplace,
                    c->ynull, what, byte, el, r->expect[i], r->raw[i]);
        if (el >= 0 && (size_t)el < c->n && esize > 1) {
            if (x)
                print_error("  x[%lld] = 0x%llx\n", el,
                            (unsigned long long)tu_get(c->prec, at(x, x->before), el));
            if (dy)
                print_error("  dy[%lld] = 0x%llx\n", el,
                            (unsigned long long)tu_get(c->prec, at(dy, dy->before), el));
            print_error("  expected 0x%llx got 0x%llx\n",
                        (unsigned long long)tu_get(c->prec, at(r, r->expect), el),
                        (unsigned long long)tu_get(c->prec, r->data, el));
        }
    }
    return 1;
}

static int run_kcase(const struct kcase *c, uint64_t *rng)
{
    size_t es = tu_esize(c->prec), nb = (c->n + 7) / 8;
    int op = c->op, bad = 0;
    int hx = tu_has_x(op), hdy = tu_has_dy(op);
    int hy = !c->inplace && !c->ynull;
    struct region x, dy, y, m;
    uint8_t *xp = NULL, *dyp = NULL, *yp = NULL, *mp = NULL;
    uint8_t *xin = NULL, *dyin = NULL, *yexp = NULL, *mexp = NULL;

    memset(&x, 0, sizeof x);
    memset(&dy, 0, sizeof dy);
    memset(&y, 0, sizeof y);
    memset(&m, 0, sizeof m);
    if (hx) {
        region_init(&x, es, c->n, c->offx);
        tu_fill_as(c->prec, x.data, c->n, rng, c->nonan);
    }
    if (hdy) {
        region_init(&dy, es, c->n, c->offdy);
        tu_fill_as(c->prec, dy.data, c->n, rng, c->nonan);
    }
    if (hy)
        region_init(&y, es, c->n, c->offy);
    if (tu_mask_in(op) || tu_mask_out(op)) {
        region_init(&m, 1, nb, c->offm);
        if (tu_mask_in(op))
            tu_fill_bytes(m.data, nb, rng);
    }
    if (hx) {
        region_save(&x);
        xp = x.data;
        xin = at(&x, x.before);
    }
    if (hdy) {
        region_save(&dy);
        dyp = dy.data;
        dyin = at(&dy, dy.before);
    }
    if (hy) {
        region_save(&y);
        yp = y.data;
        yexp = at(&y, y.expect);
    } else if (c->inplace) {
        yp = hdy ? dyp : xp;
        yexp = hdy ? at(&dy, dy.expect) : at(&x, x.expect);
    }
    if (m.raw) {
        region_save(&m);
        mp = m.data;
        mexp = at(&m, m.expect);
    }

    ref_call(c->prec, op, (fr_int)c->n, c->alpha, xin, 1, dyin, 1, yexp, 1,
             mexp);
    tu_kernel(table, fallback, c->prec, op, c->n, c->alpha, xp, dyp, yp, mp);

    if (hx)
        bad |= region_check(&x, c->inplace && !hdy ? "y (in place)" : "x", c,
                            es, &x, hdy ? &dy : NULL);
    if (hdy)
        bad |= region_check(&dy, c->inplace ? "dx (in place)" : "dy", c, es,
                            hx ? &x : NULL, &dy);
    if (hy)
        bad |= region_check(&y, hdy ? "dx" : "y", c, es, hx ? &x : NULL,
                            hdy ? &dy : NULL);
    if (m.raw)
        bad |= region_check(&m, "mask", c, 1, NULL, NULL);

    if (hx)
        region_free(&x);
    if (hdy)
        region_free(&dy);
    if (hy)
        region_free(&y);
    if (m.raw)
        region_free(&m);
    return bad;
}

static int nalphas(int op) { return tu_leaky(op) ? TU_NALPHA : 1; }

#define MAXREPORT 10

static void report(int failures)
{
    if (failures)
        fail_msg("%s: %d failing cases", label, failures);
}

static void check_table(void)
{
    if (table_missing)
        skip();
}

/* Every length 0..3*64+1 (kernels take n >= 1), aligned and misaligned;
   with nonan, data without NaNs, misaligned only. */
static void lengths(uint64_t rng, int nonan)
{
    int failures = 0, prec, op, k, pass;
    size_t n;
    check_table();
    for (prec = 0; prec < REF_NPREC; prec++)
        for (op = 0; op < REF_NOPS; op++)
            for (n = 1; n <= 3 * 64 + 1; n++)
                for (k = 0; k < nalphas(op); k++)
                    for (pass = nonan; pass < 2; pass++) {
                        struct kcase c = {0};
                        c.prec = prec;
                        c.op = op;
                        c.n = n;
                        c.alpha = tu_alpha(prec, tu_leaky(op) ? k : 4);
                        c.nonan = nonan;
                        if (pass) {
                            c.offx = (n * 7 + (size_t)k) % MAXOFF;
                            c.offdy = (n * 3 + 5) % MAXOFF;
                            c.offy = (n * 11 + 1) % MAXOFF;
                            c.offm = n % MAXOFF;
                        }
                        if (run_kcase(&c, &rng) && ++failures >= MAXREPORT)
                            goto out;
                    }
out:
    report(failures);
}

static void test_lengths(void **state)
{
    (void)state;
    lengths(1, 0);
}

/* Without NaNs most four-vector steps take the kernels' paths for steps
   without a NaN product (AVX2 and SSE2 leaky forwards select by max or min
   there), with zeros of both signs, infinities and denormals. */
static void test_nan_free(void **state)
{
    (void)state;
    lengths(6, 1);
}

/* Long random lengths, deterministic. */
static void test_long(void **state)
{
    uint64_t rng = 2;
    int failures = 0, prec, op, i;
    static const int alphas[] = {1, 5, 7, 2};
    (void)state;
    check_table();
    for (i = 0; i < 4; i++) {
        size_t n = 1 + (size_t)(tu_rand(&rng) % 100000);
        for (prec = 0; prec < REF_NPREC; prec++)
            for (op = 0; op < REF_NOPS; op++) {
                {
                    struct kcase c = {0};
                    c.prec = prec;
                    c.op = op;
                    c.n = n;
                    c.alpha = tu_alpha(prec, alphas[(op + i) % 4]);
                    c.offx = tu_rand(&rng) % MAXOFF;
                    c.offdy = tu_rand(&rng) % MAXOFF;
                    c.offy = tu_rand(&rng) % MAXOFF;
                    c.offm = tu_rand(&rng) % MAXOFF;
                    if (run_kcase(&c, &rng) && ++failures >= MAXREPORT)
                        goto out;
                }
            }
    }
out:
    report(failures);
}

/* Long enough for more than one block of four 4 KiB chunks (the streaming
   walk of kernels.h's frk_nt_pages), with y or dx at every offset 0..15
   elements, so that the walk starts at every bit of a mask byte. */
static void test_walk(void **state)
{
    uint64_t rng = 7;
    int failures = 0, prec, op;
    size_t oy;
    (void)state;
    check_table();
    for (prec = 0; prec < REF_NPREC; prec++)
        for (op = 0; op < REF_NOPS; op++)
            for (oy = 0; oy < MAXOFF; oy++) {
                struct kcase c = {0};
                c.prec = prec;
                c.op = op;
                c.n = 5 * 4096 / tu_esize(prec) + 3 * 64 + 5 + oy;
                c.alpha = tu_alpha(prec, tu_leaky(op) ? (int)oy % TU_NALPHA : 0);
                c.offx = tu_rand(&rng) % MAXOFF;
                c.offdy = tu_rand(&rng) % MAXOFF;
                c.offy = oy;
                c.offm = tu_rand(&rng) % MAXOFF;
                if (run_kcase(&c, &rng) && ++failures >= MAXREPORT)
                    goto out;
            }
out:
    report(failures);
}

/* Every offset 0..15 elements of each buffer (bytes for the mask) on a few lengths. */
static void test_alignment(void **state)
{
    static const size_t lens[] = {1, 3, 8, 31, 77, 193};
    uint64_t rng = 3;
    int failures = 0, prec, op;
    size_t li, ox, oy;
    (void)state;
    check_table();
    for (li = 0; li < sizeof lens / sizeof lens[0]; li++)
        for (prec = 0; prec < REF_NPREC; prec++)
            for (op = 0; op < REF_NOPS; op++)
                for (ox = 0; ox < MAXOFF; ox++)
                    for (oy = 0; oy < MAXOFF; oy++) {
                        struct kcase c = {0};
                        c.prec = prec;
                        c.op = op;
                        c.n = lens[li];
                        c.alpha = tu_alpha(prec, (int)((ox + oy) % TU_NALPHA));
                        c.offx = ox;
                        c.offy = oy;
                        c.offdy = (ox + 3 * oy) % MAXOFF;
                        c.offm = tu_mask_in(op) ? ox : (5 * ox + oy) % MAXOFF;
                        if (run_kcase(&c, &rng) && ++failures >= MAXREPORT)
                            goto out;
                    }
out:
    report(failures);
}

/* y == x, dx == dy; and y == NULL in mask forwards. */
static void test_inplace_ynull(void **state)
{
    uint64_t rng = 4;
    int failures = 0, prec, op, k;
    size_t n;
    (void)state;
    check_table();
    for (prec = 0; prec < REF_NPREC; prec++)
        for (op = 0; op < REF_NOPS; op++)
            for (n = 1; n <= 3 * 64 + 1; n += (n < 70 ? 1 : 13))
                for (k = 0; k < nalphas(op); k += 3) {
                    struct kcase c = {0};
                    c.prec = prec;
                    c.op = op;
                    c.n = n;
                    c.alpha = tu_alpha(prec, tu_leaky(op) ? k : 0);
                    c.offx = c.offdy = n % MAXOFF;
                    c.offm = (n * 3) % MAXOFF;
                    c.inplace = 1;
                    if (run_kcase(&c, &rng) && ++failures >= MAXREPORT)
                        goto out;
                    if (tu_mask_out(op)) {
                        c.inplace = 0;
                        c.ynull = 1;
                        if (run_kcase(&c, &rng) && ++failures >= MAXREPORT)
                            goto out;
                    }
                }
out:
    report(failures);
}

/* Every finite-or-not binary16 / bfloat16 value through every op once. */
static void test_all_halves(void **state)
{
    static const uint32_t alphas[] = {0x3c23d70a, 0xbf000000, 0x3fc00000,
                                      0x33800000, 0x7f800000, 0x7fa00001};
    int failures = 0, prec, op;
    size_t ai, i, n = 65536;
    (void)state;
    check_table(); /* may skip: allocate after it */
    uint16_t *x = tu_alloc(n * 2), *dy = tu_alloc(n * 2), *y = tu_alloc(n * 2);
    uint16_t *ye = tu_alloc(n * 2);
    uint8_t *mask = tu_alloc(n / 8), *me = tu_alloc(n / 8);
    for (i = 0; i < n; i++) {
        x[i] = (uint16_t)i;
        dy[i] = (uint16_t)(i * 40503u + 7);
    }
    for (i = 0; i < n / 8; i++)
        mask[i] = (uint8_t)(i * 37);
    for (prec = REF_H; prec <= REF_B; prec++)
        for (op = 0; op < REF_NOPS; op++)
            for (ai = 0; ai < sizeof alphas / sizeof alphas[0]; ai++) {
                float af;
                double alpha;
                const uint16_t *in = tu_mask_in(op) ? dy : x;
                memcpy(&af, &alphas[ai], 4);
                alpha = af;
                if (tu_mask_in(op))
                    memcpy(me, mask, n / 8);
                ref_call(prec, op, (fr_int)n, alpha, x, 1, dy, 1, ye, 1, me);
                if (!tu_mask_in(op))
                    memset(mask, 0, n / 8);
                tu_kernel(table, fallback, prec, op, n, alpha, x, dy, y, mask);
                for (i = 0; i < n; i++)
                    if (y[i] != ye[i]) {
                        print_error("%s: %s%s alpha=%a: x/dy 0x%04x expected "
                                    "0x%04x got 0x%04x\n",
                                    label, tu_prec_name[prec], tu_op_name[op],
                                    alpha, in[i], ye[i], y[i]);
                        if (++failures >= MAXREPORT)
                            goto out;
                        break;
                    }
                if (tu_mask_out(op) && memcmp(mask, me, n / 8) != 0) {
                    print_error("%s: %s%s: mask differs\n", label,
                                tu_prec_name[prec], tu_op_name[op]);
                    if (++failures >= MAXREPORT)
                        goto out;
                }
                if (!tu_mask_in(op))
                    memset(me, 0, n / 8);
            }
out:
    free(x);
    free(dy);
    free(y);
    free(ye);
    free(mask);
    free(me);
    report(failures);
}

/* ---- Increment 2: the optional relu_inc2 / leaky_inc2 slots ---- */

/* bytes of memory flush against an inaccessible page: after it (start) or
   before it. A kernel that reads past either end of x faults. */
struct fence {
    uint8_t *map, *p;
    size_t len;
};

static void fence_init(struct fence *f, size_t bytes, int start)
{
    size_t pg = (size_t)sysconf(_SC_PAGESIZE), data = (bytes + pg - 1) / pg * pg;
    f->len = data + pg;
    f->map = mmap(NULL, f->len, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (f->map == MAP_FAILED || mprotect(start ? f->map : f->map + data, pg, PROT_NONE) != 0) {
        perror("mmap");
        abort();
    }
    f->p = start ? f->map + pg : f->map + data - bytes;
}

static void fence_free(struct fence *f) { munmap(f->map, f->len); }

/* y apart from x (guard bytes and every gap of y the sentinel POISON), in
   place (x's gaps must stay), and x flush against an inaccessible page
   after its last element or before its first. */
enum { INC2_APART, INC2_INPLACE, INC2_XEND, INC2_XSTART, INC2_NMODES };
static const char *const inc2_mode[] = {"apart", "in place", "x before a guard page",
                                        "x after a guard page"};
/* x as tu_fill makes it (about one element in ten NaN); or without NaNs at
   the even places but one, which the vector code must find in any lane;
   or without any NaN element. The gaps always keep tu_fill's values. */
enum { INC2_RAW, INC2_ONENAN, INC2_NONAN, INC2_NDATA };

struct inc2case {
    int prec, lk, mode, data;
    size_t n;
    double alpha;
};

static int isnan_bits(int prec, uint64_t v)
{
    switch (prec) {
    case REF_S: return (v & 0x7fffffffu) > 0x7f800000u;
    case REF_D: return (v & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
    case REF_H: return frk_hnan((uint16_t)v);
    default: return frk_bnan((uint16_t)v);
    }
}

static void put_bits(int prec, void *p, size_t k, uint64_t v)
{
    switch (prec) {
    case REF_S: ((uint32_t *)p)[k] = (uint32_t)v; break;
    case REF_D: ((uint64_t *)p)[k] = v; break;
    default: ((uint16_t *)p)[k] = (uint16_t)v; break;
    }
}

/* got against want, len bytes each, the data at byte d0 of both; the first
   difference reported as a guard byte, a gap or a logical element. */
static int inc2_diff(const struct inc2case *c, const char *what, const uint8_t *got,
                     const uint8_t *want, size_t len, size_t d0, const uint8_t *xin)
{
    size_t i, es = tu_esize(c->prec);
    long long b, e;
    for (i = 0; i < len && got[i] == want[i]; i++)
        ;
    if (i == len)
        return 0;
    b = (long long)i - (long long)d0;
    e = b < 0 ? -1 : b / (long long)es;
    print_error("%s: %s%s_inc2 n=%zu alpha=%a %s data %d: %s differs at byte %lld, ",
                label, tu_prec_name[c->prec], c->lk ? "leaky" : "relu", c->n, c->alpha,
                inc2_mode[c->mode], c->data, what, b);
    if (b < 0 || e >= 2 * (long long)c->n - 1)
        print_error("a guard byte: expected 0x%02x got 0x%02x\n", want[i], got[i]);
    else if (e % 2)
        print_error("in the gap after element %lld: expected 0x%02x got 0x%02x\n", e / 2,
                    want[i], got[i]);
    else
        print_error("element %lld: x 0x%llx expected 0x%llx got 0x%llx\n", e / 2,
                    (unsigned long long)tu_get(c->prec, xin, e),
                    (unsigned long long)tu_get(c->prec, want + d0, e),
                    (unsigned long long)tu_get(c->prec, got + d0, e));
    return 1;
}

/* While the kernel runs the gaps of x and y are marked inaccessible, so that
   reading one is caught too: under AddressSanitizer where it can mark them
   (a gap that ends an 8-byte granule), under valgrind memcheck byte by byte
   (scripts/valgrind.sh runs it with --partial-loads-ok=no, so that an
   aligned vector load over a gap is reported too). */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INC2_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define INC2_ASAN 1
#endif
#ifdef INC2_ASAN
#include <sanitizer/asan_interface.h>
#endif
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define INC2_VG 1
#endif
#endif

static void gaps(uint8_t *p, size_t n, size_t es, int poison)
{
    for (size_t i = 0; i + 1 < n; i++) {
        uint8_t *g = p + (2 * i + 1) * es;
        (void)g;
#ifdef INC2_ASAN
        if (poison)
            ASAN_POISON_MEMORY_REGION(g, es);
        else
            ASAN_UNPOISON_MEMORY_REGION(g, es);
#endif
#ifdef INC2_VG
        if (poison)
            (void)VALGRIND_MAKE_MEM_NOACCESS(g, es);
        else
            (void)VALGRIND_MAKE_MEM_DEFINED(g, es);
#endif
    }
    (void)poison;
}

static int run_inc2(frk_fwd f, const struct inc2case *c, uint64_t *rng)
{
    size_t es = tu_esize(c->prec), n = c->n, span = n ? 2 * n - 1 : 0;
    size_t bytes = span * es, i;
    int op = c->lk ? REF_LEAKY : REF_RELU, bad = 0;
    int inplace = c->mode == INC2_INPLACE, fenced = c->mode >= INC2_XEND;
    struct region x, y;
    struct fence fx;
    uint8_t *xp, *xin = tu_alloc(bytes);

    memset(&x, 0, sizeof x);
    memset(&fx, 0, sizeof fx);
    if (fenced) {
        fence_init(&fx, bytes, c->mode == INC2_XSTART);
        xp = fx.p;
    } else {
        region_init(&x, es, span, n % MAXOFF);
        xp = x.data;
    }
    tu_fill(c->prec, xp, span, rng);
    if (c->data != INC2_RAW) {
        for (i = 0; i < n; i++)
            if (isnan_bits(c->prec, tu_get(c->prec, xp, (int64_t)(2 * i))))
                put_bits(c->prec, xp, 2 * i, tu_get(c->prec, xp, (int64_t)(2 * i)) & 0x1);
        if (c->data == INC2_ONENAN && n)
            put_bits(c->prec, xp, 2 * (tu_rand(rng) % n),
                     c->prec == REF_D ? 0xfff4000000000123ull
                     : c->prec == REF_S ? 0x7fa00042u : c->prec == REF_H ? 0xfd11u : 0x7f91u);
    }
    memcpy(xin, xp, bytes);
    if (!fenced)
        region_save(&x);
    if (!inplace) {
        region_init(&y, es, span, (3 * n + 5) % MAXOFF);
        region_save(&y);
    }

    if (inplace) {
        ref_call(c->prec, op, (fr_int)n, c->alpha, xin, 2, NULL, 2, at(&x, x.expect), 2, NULL);
        f(n, c->alpha, xp, xp);
        bad |= inc2_diff(c, "y (in place)", x.raw, x.expect, x.bytes,
                         (size_t)(x.data - x.raw), xin);
    } else {
        ref_call(c->prec, op, (fr_int)n, c->alpha, xin, 2, NULL, 2, at(&y, y.expect), 2, NULL);
        gaps(xp, n, es, 1);
        gaps(y.data, n, es, 1);
        f(n, c->alpha, xp, y.data);
        gaps(xp, n, es, 0);
        gaps(y.data, n, es, 0);
        bad |= inc2_diff(c, "y", y.raw, y.expect, y.bytes, (size_t)(y.data - y.raw), xin);
        if (fenced)
            bad |= inc2_diff(c, "x", xp, xin, bytes, 0, xin);
        else
            bad |= inc2_diff(c, "x", x.raw, x.expect, x.bytes, (size_t)(x.data - x.raw), xin);
        region_free(&y);
    }
    if (fenced)
        fence_free(&fx);
    else
        region_free(&x);
    free(xin);
    return bad;
}

/* Every n up to 70, a few long ones; alphas 0.01, 1, the smallest
   subnormal, 1.5, -2, 0, -0, inf, a quiet and a signalling NaN; each layout
   and data kind above. */
static void test_inc2(void **state)
{
    static const uint32_t s_alphas[] = {0x3c23d70a, 0x3f800000, 0x00000001, 0x3fc00000,
                                        0xc0000000, 0x00000000, 0x80000000, 0x7f800000,
                                        0x7fc00000, 0xffa12345};
    static const uint64_t d_alphas[] = {0x3f847ae147ae147bull, 0x3ff0000000000000ull, 1,
                                        0x3ff8000000000000ull, 0xc000000000000000ull, 0,
                                        0x8000000000000000ull, 0x7ff0000000000000ull,
                                        0x7ff8000000000000ull, 0xfff4000000abcdefull};
    static const size_t longs[] = {127, 128, 129, 255, 1000, 4099, 65539};
    const size_t nshort = 71, nlen = nshort + sizeof longs / sizeof longs[0];
    enum { NALPHA2 = sizeof s_alphas / sizeof s_alphas[0] };
    uint64_t rng = 5;
    int failures = 0, prec, lk, k, mode, data, ran = 0;
    size_t li;
    (void)state;
    check_table();
    for (prec = 0; prec < REF_NPREC; prec++)
        for (lk = 0; lk < 2; lk++) {
            frk_fwd f = lk ? table->leaky_inc2[prec] : table->relu_inc2[prec];
            if (!f)
                continue;
            ran++;
            for (li = 0; li < nlen; li++)
                for (k = 0; k < (lk ? NALPHA2 : 1); k++)
                    for (mode = 0; mode < INC2_NMODES; mode++)
                        for (data = 0; data < INC2_NDATA; data++) {
                            struct inc2case c = {0};
                            c.prec = prec;
                            c.lk = lk;
                            c.mode = mode;
                            c.data = data;
                            c.n = li < nshort ? li : longs[li - nshort];
                            if (prec == REF_D) {
                                memcpy(&c.alpha, &d_alphas[k], 8);
                            } else {
                                float a;
                                memcpy(&a, &s_alphas[k], 4);
                                c.alpha = a;
                            }
                            if (run_inc2(f, &c, &rng) && ++failures >= MAXREPORT)
                                goto out;
                        }
        }
    if (!ran)
        skip();
out:
    report(failures);
}

/* The same tests again with every output that is not in place streamed
   (non-temporal stores), whatever its size, four 4 KiB chunks at a time
   where a forward has them, and the increment-2 kernels in the form they
   take beyond the last-level cache. */
static size_t saved_nt, saved_big, saved_mid;
static unsigned saved_pages;

/* The size thresholds and the chunk count as initialisation set them. */
static void knobs_save(void)
{
    fr_init();
    saved_nt = frk_nt_min_bytes;
    saved_big = frk_big_min_bytes;
    saved_mid = frk_mid_min_bytes;
    saved_pages = frk_nt_pages;
}

static int knobs_restore(void **state)
{
    (void)state;
    frk_nt_min_bytes = saved_nt;
    frk_big_min_bytes = saved_big;
    frk_mid_min_bytes = saved_mid;
    frk_nt_pages = saved_pages;
    return 0;
}

static int nt_on(void **state)
{
    (void)state;
    knobs_save();
    frk_nt_min_bytes = frk_big_min_bytes = 0;
    frk_nt_pages = 4;
    return 0;
}

#define NT_TEST(f) {#f "_nt", f, nt_on, knobs_restore, NULL}

/* Streamed again, but walking straight through, as between the L2 and the
   end of the last-level cache. */
static int ntlin_on(void **state)
{
    nt_on(state);
    frk_big_min_bytes = SIZE_MAX;
    return 0;
}

#define NTLIN_TEST(f) {#f "_ntlin", f, ntlin_on, knobs_restore, NULL}

/* The AVX-512 f16 leaky kernels in their other conversion width
   (frk_cvt512 flipped), ordinary and streamed. */
static int saved_cvt;

static int cvt_on(void **state)
{
    (void)state;
    fr_init();
    saved_cvt = frk_cvt512;
    frk_cvt512 = !saved_cvt;
    return 0;
}

static int cvt_off(void **state)
{
    (void)state;
    frk_cvt512 = saved_cvt;
    return 0;
}

static int nt_cvt_on(void **state) { return nt_on(state) || cvt_on(state); }
static int nt_cvt_off(void **state) { return cvt_off(state) || knobs_restore(state); }

#define CVT_TEST(f) {#f "_cvt", f, cvt_on, cvt_off, NULL}
#define NT_CVT_TEST(f) {#f "_nt_cvt", f, nt_cvt_on, nt_cvt_off, NULL}

/* The AVX-512 table's f32 and f64 forwards handing calls to the AVX2 and
   SSE2 tables' loops (kernels/avx512.c) at every length: in place from an
   array of 512 bytes on SSE2's, below that AVX2's; out of place streaming
   from 512 bytes moved on, AVX2's below. Its mask backwards in place: from
   512 bytes on AVX2's, below that its own. 512, so that the in-place test's
   lengths (to 193) reach the routes in f32 as well as f64. */
static int mid_on(void **state)
{
    (void)state;
    knobs_save();
    frk_mid_min_bytes = 0;
    frk_nt_min_bytes = 512;
    frk_big_min_bytes = SIZE_MAX;
    return 0;
}

#define MID_TEST(f) {#f "_mid", f, mid_on, knobs_restore, NULL}

static const struct frk_table *emul_table(fr_isa isa)
{
    switch (isa) {
    case FR_ISA_SCALAR: return &frk_table_scalar_emul;
    case FR_ISA_SSE2: return &frk_table_sse2_emul;
    case FR_ISA_AVX2: return &frk_table_avx2_emul;
    case FR_ISA_AVX512: return &frk_table_avx512_emul;
    case FR_ISA_NEON: return &frk_table_neon_emul;
    default: return NULL;
    }
}

int main(int argc, char **argv)
{
    static char buf[64];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths),
        cmocka_unit_test(test_inplace_ynull),
        cmocka_unit_test(test_nan_free),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_all_halves),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_inc2),
        NT_TEST(test_lengths),
        NT_TEST(test_inplace_ynull),
        NT_TEST(test_alignment),
        NT_TEST(test_all_halves),
        NT_TEST(test_long),
        NT_TEST(test_inc2),
        NT_TEST(test_walk),
        NTLIN_TEST(test_long),
        NTLIN_TEST(test_walk),
    };
    const struct CMUnitTest cvt_tests[] = {
        CVT_TEST(test_lengths),
        CVT_TEST(test_inplace_ynull),
        CVT_TEST(test_alignment),
        CVT_TEST(test_all_halves),
        NT_CVT_TEST(test_lengths),
        NT_CVT_TEST(test_alignment),
        NT_CVT_TEST(test_all_halves),
    };
    const struct CMUnitTest mid_tests[] = {
        MID_TEST(test_lengths),
        MID_TEST(test_inplace_ynull),
        MID_TEST(test_nan_free),
        MID_TEST(test_alignment),
        MID_TEST(test_long),
    };
    fr_isa isa;
    int emul, rc;

    if ((argc != 3 && argc != 4) || (int)(isa = tu_isa_from_name(argv[1])) <= 0 ||
        (strcmp(argv[2], "native") != 0 && strcmp(argv[2], "emul") != 0 &&
         strcmp(argv[2], "base") != 0)) {
        fprintf(stderr, "usage: %s scalar|sse2|avx2|avx512|neon native|base|emul "
                        "[test name pattern]\n", argv[0]);
        return 2;
    }
    emul = strcmp(argv[2], "emul") == 0;
    snprintf(buf, sizeof buf, "%s.%s", argv[1], argv[2]);
    label = buf;
    if (emul) {
        table = emul_table(isa);
        fallback = &frk_table_scalar_emul;
    } else {
        /* base: the native table without the CPU extensions it may use */
        table = strcmp(argv[2], "base") == 0 ? frk_base_table(isa) : frk_native_table(isa);
        fallback = &frk_table_scalar;
        if (table == NULL && tu_cpu_has(isa)) {
            fprintf(stderr, "%s: this CPU runs %s but frk_native_table gives "
                            "NULL\n", label, argv[1]);
            return 1;
        }
        if (table != NULL && !tu_cpu_has(isa)) {
            fprintf(stderr, "%s: frk_native_table gives a table this CPU "
                            "cannot run\n", label);
            return 1;
        }
        table_missing = table == NULL;
    }
    if (table && table->isa != isa) {
        fprintf(stderr, "%s: table reports isa %d\n", label, (int)table->isa);
        return 1;
    }
    if (argc == 4)
        cmocka_set_test_filter(argv[3]);
    rc = cmocka_run_group_tests_name(label, tests, NULL, NULL);
    if (rc == 0 && table && isa == FR_ISA_AVX512 && !emul)
        rc = cmocka_run_group_tests_name(label, cvt_tests, NULL, NULL);
    if (rc == 0 && table && isa == FR_ISA_AVX512)
        rc = cmocka_run_group_tests_name(label, mid_tests, NULL, NULL);
    if (rc == 0 && table_missing)
        return 77;
    return rc;
}
