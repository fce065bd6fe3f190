/* API tests: strides, in place, overlap and argument errors, mask layout, and the dispatch and version calls. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"

#define GUARD 32
#define MAXREPORT 10

/* A vector's memory: guards, then the span of its n elements, all random. */
struct vmem {
    uint8_t *raw, *before, *expect;
    size_t bytes;
    uint8_t *base; /* lowest element */
};

static fr_int span(fr_int n, fr_int inc)
{
    return n == 0 ? 0 : 1 + (n - 1) * (inc < 0 ? -inc : inc);
}

static void vmem_init(struct vmem *v, size_t bytes, size_t misalign,
                      uint64_t *rng, int prec)
{
    size_t es = prec < 0 ? 1 : tu_esize(prec);
    v->bytes = 2 * GUARD + misalign * es + bytes;
    v->raw = tu_alloc(v->bytes);
    v->before = tu_alloc(v->bytes);
    v->expect = tu_alloc(v->bytes);
    if (prec < 0)
        tu_fill_bytes(v->raw, v->bytes, rng);
    else
        tu_fill(prec, v->raw, v->bytes / es, rng);
    v->base = v->raw + GUARD + misalign * es;
    memcpy(v->before, v->raw, v->bytes);
    memcpy(v->expect, v->raw, v->bytes);
}

static void vmem_free(struct vmem *v)
{
    free(v->raw);
    free(v->before);
    free(v->expect);
}

static uint8_t *vat(const struct vmem *v, uint8_t *copy)
{
    return copy + (v->base - v->raw);
}

struct acase {
    int prec, op;
    fr_int n, incx, incdy, incy;
    double alpha;
    int inplace, ynull;
};

static void describe(const struct acase *c, const char *what)
{
    print_error("fr_%s%s n=%lld incx=%lld incdy=%lld incy=%lld alpha=%a "
                "inplace=%d ynull=%d isa=%s: %s\n",
                tu_prec_name[c->prec], tu_op_name[c->op], (long long)c->n,
                (long long)c->incx, (long long)c->incdy, (long long)c->incy,
                c->alpha, c->inplace, c->ynull, fr_isa_name(fr_get_isa()), what);
}

static int vmem_check(const struct vmem *v, const char *what,
                      const struct acase *c, size_t es)
{
    size_t i;
    char msg[160];
    for (i = 0; i < v->bytes; i++)
        if (v->raw[i] != v->expect[i])
            break;
    if (i == v->bytes)
        return 0;
    {
        long long off = (long long)i - (long long)(v->base - v->raw);
        snprintf(msg, sizeof msg,
                 "%s differs at byte %lld from the lowest element (element "
                 "offset %lld): expected 0x%02x got 0x%02x",
                 what, off, off >= 0 ? off / (long long)es : -1LL,
                 v->expect[i], v->raw[i]);
    }
    describe(c, msg);
    return 1;
}

/* One call through the API against the reference; 1 on failure. */
static int run_acase(const struct acase *c, uint64_t *rng)
{
    int prec = c->prec, op = c->op, bad = 0, rc;
    size_t es = tu_esize(prec), nb = (size_t)(c->n + 7) / 8;
    int hx = tu_has_x(op), hdy = tu_has_dy(op);
    int hy = !c->inplace && !c->ynull;
    fr_int incy = c->inplace ? (hdy ? c->incdy : c->incx) : c->incy;
    struct vmem x, dy, y, m;
    uint8_t *xp = NULL, *dyp = NULL, *yp = NULL, *mp = NULL;
    uint8_t *xin = NULL, *dyin = NULL, *yexp = NULL, *mexp = NULL;
    size_t mis = tu_rand(rng) % 4;

    if (hx) {
        vmem_init(&x, (size_t)span(c->n, c->incx) * es, mis, rng, prec);
        xp = x.base;
        xin = vat(&x, x.before);
    }
    if (hdy) {
        vmem_init(&dy, (size_t)span(c->n, c->incdy) * es, 3 - mis, rng, prec);
        dyp = dy.base;
        dyin = vat(&dy, dy.before);
    }
    if (hy) {
        vmem_init(&y, (size_t)span(c->n, c->incy) * es, mis / 2, rng, prec);
        yp = y.base;
        yexp = vat(&y, y.expect);
    } else if (c->inplace) {
        yp = hdy ? dyp : xp;
        yexp = hdy ? vat(&dy, dy.expect) : vat(&x, x.expect);
    }
    if (tu_mask_in(op) || tu_mask_out(op)) {
        vmem_init(&m, nb, mis, rng, -1);
        mp = m.base;
        mexp = vat(&m, tu_mask_in(op) ? m.before : m.expect);
    }

    ref_call(prec, op, c->n, c->alpha, xin, c->incx, dyin, c->incdy, yexp,
             incy, mexp);
    rc = tu_api(prec, op, c->n, c->alpha, xp, c->incx, dyp, c->incdy, yp, incy,
                mp);
    if (rc != FR_OK) {
        char msg[64];
        snprintf(msg, sizeof msg, "returned %d", rc);
        describe(c, msg);
        bad = 1;
    }
    if (hx) {
        bad |= vmem_check(&x, c->inplace && !hdy ? "y (in place)" : "x", c, es);
        vmem_free(&x);
    }
    if (hdy) {
        bad |= vmem_check(&dy, c->inplace ? "dx (in place)" : "dy", c, es);
        vmem_free(&dy);
    }
    if (hy) {
        bad |= vmem_check(&y, hdy ? "dx" : "y", c, es);
        vmem_free(&y);
    }
    if (mp) {
        bad |= vmem_check(&m, "mask", c, 1);
        vmem_free(&m);
    }
    return bad;
}

static const fr_int incs[] = {1, 2, 3, -1, -2, 7};
#define NINC 6
static const fr_int lens[] = {0, 1, 7, 8, 9, 63, 64, 65, 1000, 5000};
#define NLEN 10

/* Every op and precision, every combination of increments, lengths across
   the front end's blocks. The longest length takes every fifth combination. */
static int stride_sweep(const fr_int *ns, int nn, uint64_t seed)
{
    uint64_t rng = seed;
    int failures = 0, prec, op, li, a, b, d, count = 0;
    for (prec = 0; prec < REF_NPREC; prec++)
        for (op = 0; op < REF_NOPS; op++)
            for (li = 0; li < nn; li++)
                for (a = 0; a < NINC; a++)
                    for (b = 0; b < (tu_has_dy(op) ? NINC : 1); b++)
                        for (d = 0; d < NINC + tu_mask_out(op); d++) {
                            struct acase c = {0};
                            if (ns[li] >= 5000 && count++ % 5 != 0)
                                continue;
                            c.prec = prec;
                            c.op = op;
                            c.n = ns[li];
                            c.alpha = tu_alpha(prec, (a + 2 * b + 3 * d + li) % TU_NALPHA);
                            /* mask backwards have no x: a walks dy */
                            c.incx = incs[a];
                            c.incdy = tu_has_x(op) ? incs[b] : incs[a];
                            if (d == NINC) {
                                c.ynull = 1;
                                c.incy = 1;
                            } else {
                                c.incy = incs[d];
                            }
                            if (run_acase(&c, &rng) && ++failures >= MAXREPORT)
                                return failures;
                        }
    return failures;
}

static void test_strides(void **state)
{
    int failures;
    (void)state;
    failures = stride_sweep(lens, NLEN, 11);
    if (failures)
        fail_msg("%d failing cases", failures);
}

/* The same under every other ISA this CPU runs, on fewer lengths. */
static void test_strides_each_isa(void **state)
{
    static const fr_int ns[] = {1, 9, 65, 1000};
    fr_isa start = fr_get_isa();
    int isa, failures = 0;
    (void)state;
    for (isa = FR_ISA_SCALAR; isa <= FR_ISA_NEON; isa++) {
        if (!fr_isa_supported((fr_isa)isa) || isa == (int)start)
            continue;
        assert_int_equal(fr_set_isa((fr_isa)isa), FR_OK);
        failures += stride_sweep(ns, 4, 100 + (uint64_t)isa);
    }
    assert_int_equal(fr_set_isa(start), FR_OK);
    if (failures)
        fail_msg("%d failing cases", failures);
}

/* Output == input: same pointer, same increment, negative ones included. */
static void test_inplace(void **state)
{
    static const fr_int ns[] = {1, 8, 65, 1000, 1500};
    uint64_t rng = 12;
    int failures = 0, prec, op, li, a;
    (void)state;
    for (prec = 0; prec < REF_NPREC; prec++)
        for (op = 0; op < REF_NOPS; op++)
            for (li = 0; li < 5; li++)
                for (a = 0; a < NINC; a++) {
                    struct acase c = {0};
                    c.prec = prec;
                    c.op = op;
                    c.n = ns[li];
                    c.alpha = tu_alpha(prec, (a + li) % TU_NALPHA);
                    c.incx = c.incdy = incs[a];
                    c.incdy = incs[(a + li) % NINC];
                    c.inplace = 1;
                    if (run_acase(&c, &rng) && ++failures >= MAXREPORT)
                        goto out;
                }
out:
    if (failures)
        fail_msg("%d failing cases", failures);
}

/* dx == x (same pointer, same increment) is in place too; inputs may overlap. */
static void test_alias_inputs(void **state)
{
    static const fr_int ns[] = {1, 17, 700};
    uint64_t rng = 13;
    int prec, leaky, li, a;
    (void)state;
    for (prec = 0; prec < REF_NPREC; prec++)
        for (leaky = 0; leaky < 2; leaky++)
            for (li = 0; li < 3; li++)
                for (a = 0; a < NINC; a++) {
                    fr_int n = ns[li], inc = incs[a], sp = span(n, inc);
                    size_t es = tu_esize(prec), bytes = (size_t)(sp + 2) * es;
                    int op = leaky ? REF_LEAKY_BWD : REF_RELU_BWD;
                    double alpha = tu_alpha(prec, 2);
                    uint8_t *buf = tu_alloc(bytes), *dyb = tu_alloc(bytes);
                    uint8_t *exp = tu_alloc(bytes), *xin = tu_alloc(bytes);
                    tu_fill(prec, buf, (size_t)sp + 2, &rng);
                    tu_fill(prec, dyb, (size_t)sp + 2, &rng);
                    memcpy(xin, buf, bytes);
                    memcpy(exp, buf, bytes);
                    /* dx == x */
                    ref_call(prec, op, n, alpha, xin, inc, dyb, inc, exp, inc, NULL);
                    assert_int_equal(tu_api(prec, op, n, alpha, buf, inc, dyb, inc,
                                            buf, inc, NULL), FR_OK);
                    if (memcmp(buf, exp, bytes) != 0)
                        fail_msg("fr_%s%s dx == x inc %lld n %lld wrong",
                                 tu_prec_name[prec], tu_op_name[op],
                                 (long long)inc, (long long)n);
                    /* dy overlapping x, shifted by one element: inputs only */
                    memcpy(buf, xin, bytes);
                    memset(exp, 0x5a, bytes);
                    memset(dyb, 0x5a, bytes);
                    ref_call(prec, op, n, alpha, xin, inc, xin + es, inc, exp, inc, NULL);
                    assert_int_equal(tu_api(prec, op, n, alpha, buf, inc, buf + es,
                                            inc, dyb, inc, NULL), FR_OK);
                    if (memcmp(dyb, exp, bytes) != 0 || memcmp(buf, xin, bytes) != 0)
                        fail_msg("fr_%s%s dy = x + 1 inc %lld n %lld wrong",
                                 tu_prec_name[prec], tu_op_name[op],
                                 (long long)inc, (long long)n);
                    free(buf);
                    free(dyb);
                    free(exp);
                    free(xin);
                }
}

/* ---- errors: nothing is written ---- */

enum arg { A_N, A_ALPHA, A_X, A_INCX, A_DY, A_INCDY, A_Y, A_INCY, A_MASK, A_END };

static const enum arg arglist[REF_NOPS][9] = {
    {A_N, A_X, A_INCX, A_Y, A_INCY, A_END},
    {A_N, A_ALPHA, A_X, A_INCX, A_Y, A_INCY, A_END},
    {A_N, A_X, A_INCX, A_DY, A_INCDY, A_Y, A_INCY, A_END},
    {A_N, A_ALPHA, A_X, A_INCX, A_DY, A_INCDY, A_Y, A_INCY, A_END},
    {A_N, A_X, A_INCX, A_Y, A_INCY, A_MASK, A_END},
    {A_N, A_ALPHA, A_X, A_INCX, A_Y, A_INCY, A_MASK, A_END},
    {A_N, A_MASK, A_DY, A_INCDY, A_Y, A_INCY, A_END},
    {A_N, A_ALPHA, A_MASK, A_DY, A_INCDY, A_Y, A_INCY, A_END},
};

struct args {
    fr_int n, incx, incdy, incy;
    void *x, *dy, *y;
    uint8_t *mask;
};

/* Four buffers of 64 elements (bytes for the mask), random, with copies. */
struct bufs {
    uint8_t *b[4], *copy[4];
    size_t bytes;
};

static void bufs_init(struct bufs *s, uint64_t *rng)
{
    int i;
    s->bytes = 64 * 8 + 64;
    for (i = 0; i < 4; i++) {
        s->b[i] = tu_alloc(s->bytes);
        s->copy[i] = tu_alloc(s->bytes);
        tu_fill_bytes(s->b[i], s->bytes, rng);
        memcpy(s->copy[i], s->b[i], s->bytes);
    }
}

static int bufs_same(const struct bufs *s)
{
    int i;
    for (i = 0; i < 4; i++)
        if (memcmp(s->b[i], s->copy[i], s->bytes) != 0)
            return 0;
    return 1;
}

static void bufs_free(struct bufs *s)
{
    int i;
    for (i = 0; i < 4; i++) {
        free(s->b[i]);
        free(s->copy[i]);
    }
}

static void set_invalid(struct args *a, enum arg k)
{
    switch (k) {
    case A_N: a->n = -1; break;
    case A_X: a->x = NULL; break;
    case A_INCX: a->incx = 0; break;
    case A_DY: a->dy = NULL; break;
    case A_INCDY: a->incdy = 0; break;
    case A_Y: a->y = NULL; break;
    case A_INCY: a->incy = 0; break;
    case A_MASK: a->mask = NULL; break;
    default: break;
    }
}

static int call_args(int prec, int op, const struct args *a)
{
    return tu_api(prec, op, a->n, 0.5, a->x, a->incx, a->dy, a->incdy, a->y,
                  a->incy, a->mask);
}

static void valid_args(struct args *a, struct bufs *s)
{
    a->n = 9;
    a->incx = 2;
    a->incdy = -1;
    a->incy = 3;
    a->x = s->b[0] + 8;
    a->dy = s->b[1] + 8;
    a->y = s->b[2] + 8;
    a->mask = s->b[3] + 8;
}

static void test_invalid_args(void **state)
{
    uint64_t rng = 21;
    int prec, op, i, j;
    (void)state;
    for (prec = 0; prec < REF_NPREC; prec++)
        for (op = 0; op < REF_NOPS; op++) {
            const enum arg *l = arglist[op];
            for (i = 0; l[i] != A_END; i++) {
                struct bufs s;
                struct args a;
                int want = -(i + 1), rc;
                if (l[i] == A_ALPHA)
                    continue;
                /* in mask forwards y may be NULL */
                if (tu_mask_out(op) && l[i] == A_Y)
                    continue;
                for (j = i; l[j] != A_END; j++) {
                    bufs_init(&s, &rng);
                    valid_args(&a, &s);
                    set_invalid(&a, l[i]);
                    if (j > i)
                        set_invalid(&a, l[j]); /* the first one is reported */
                    rc = call_args(prec, op, &a);
                    if (rc != want)
                        fail_msg("fr_%s%s: argument %d (and %d) invalid: got "
                                 "%d, want %d", tu_prec_name[prec],
                                 tu_op_name[op], i + 1, j + 1, rc, want);
                    if (!bufs_same(&s))
                        fail_msg("fr_%s%s: argument %d invalid: memory written",
                                 tu_prec_name[prec], tu_op_name[op], i + 1);
                    bufs_free(&s);
                }
                if (l[i] != A_N) { /* n < 0 is reported before a later one */
                    bufs_init(&s, &rng);
                    valid_args(&a, &s);
                    set_invalid(&a, l[i]);
                    a.n = -5;
                    assert_int_equal(call_args(prec, op, &a), -1);
                    assert_true(bufs_same(&s));
                    bufs_free(&s);
                }
            }
        }
}

/* n == 0 succeeds whatever the rest; INT64_MIN n fails. */
static void test_n_zero(void **state)
{
    uint64_t rng = 22;
    int prec, op;
    (void)state;
    for (prec = 0; prec < REF_NPREC; prec++)
        for (op = 0; op < REF_NOPS; op++) {
            struct bufs s;
            struct args a;
            memset(&a, 0, sizeof a);
            assert_int_equal(call_args(prec, op, &a), FR_OK);
            bufs_init(&s, &rng);
            valid_args(&a, &s);
            a.n = 0;
            a.y = a.x; /* overlapping: still nothing to do */
            a.mask = a.x;
            assert_int_equal(call_args(prec, op, &a), FR_OK);
            a.n = INT64_MIN;
            assert_int_equal(call_args(prec, op, &a), -1);
            assert_true(bufs_same(&s));
            bufs_free(&s);
        }
}

/* Overlaps other than exactly the same vector: FR_EOVERLAP, nothing written. */
struct ov {
    const char *what;
    int ops; /* bit per op it applies to */
    int xo, dyo, yo, mo; /* element offsets (mask: bytes) into the buffer used */
    int xb, dyb, yb, mb; /* which buffer each lives in */
    fr_int incx, incdy, incy;
};

#define FWDS ((1 << REF_RELU) | (1 << REF_LEAKY) | (1 << REF_RELU_MASK) | (1 << REF_LEAKY_MASK))
#define BWDS ((1 << REF_RELU_BWD) | (1 << REF_LEAKY_BWD))
#define MFWDS ((1 << REF_RELU_MASK) | (1 << REF_LEAKY_MASK))
#define MBWDS ((1 << REF_RELU_BWD_MASK) | (1 << REF_LEAKY_BWD_MASK))
#define DYOPS (BWDS | MBWDS)
#define LASTX -1    /* mask offset: the last byte of x's 16 elements */
#define FIRSTEND -2 /* mask offset: the last byte of element 0 */

static const struct ov overlaps[] = {
    /* y over x, shifted by one element either way */
    {"y = x + 1", FWDS, 0, 0, 1, 0, 0, 1, 0, 3, 1, 1, 1},
    {"y = x - 1", FWDS, 1, 0, 0, 0, 0, 1, 0, 3, 1, 1, 1},
    {"y = x + 1, inc -1", FWDS, 0, 0, 1, 0, 0, 1, 0, 3, -1, 1, -1},
    {"y = x + 5", FWDS, 0, 0, 5, 0, 0, 1, 0, 3, 1, 1, 1},
    {"y = x, incy 2", FWDS, 0, 0, 0, 0, 0, 1, 0, 3, 1, 1, 2},
    {"y = x, incx 2", FWDS, 0, 0, 0, 0, 0, 1, 0, 3, 2, 1, 1},
    {"y = x, incy -1", FWDS, 0, 0, 0, 0, 0, 1, 0, 3, 1, 1, -1},
    {"y = x, incx -1", FWDS, 0, 0, 0, 0, 0, 1, 0, 3, -1, 1, 1},
    /* the mask over y, over x */
    {"mask in y", MFWDS, 0, 0, 0, 3, 0, 1, 2, 2, 1, 1, 1},
    {"mask = y", MFWDS, 0, 0, 0, 0, 0, 1, 2, 2, 1, 1, 1},
    {"mask in x", MFWDS, 0, 0, 0, 5, 0, 1, 2, 0, 1, 1, 1},
    {"mask = x", MFWDS, 0, 0, 0, 0, 0, 1, 2, 0, 1, 1, 1},
    {"mask at x end", MFWDS, 0, 0, 0, LASTX, 0, 1, 2, 0, 1, 1, 1},
    /* strided: past the contiguous calls' shortcut */
    {"mask in y, incy 2", MFWDS, 0, 0, 0, 3, 0, 1, 2, 2, 1, 1, 2},
    {"mask in x, incx 2", MFWDS, 0, 0, 0, 5, 0, 1, 2, 0, 2, 1, 1},
    /* dx over dy, over x */
    {"dx = dy + 1", DYOPS, 0, 0, 1, 0, 0, 1, 1, 3, 1, 1, 1},
    {"dx = dy - 1", DYOPS, 0, 1, 0, 0, 0, 1, 1, 3, 1, 1, 1},
    {"dx = dy, incdx -1", DYOPS, 0, 0, 0, 0, 0, 1, 1, 3, 1, 1, -1},
    {"dx = dy, incdx 3", DYOPS, 0, 0, 0, 0, 0, 1, 1, 3, 1, 1, 3},
    {"dx = x + 1", BWDS, 0, 0, 1, 0, 0, 1, 0, 3, 1, 1, 1},
    {"dx = x - 1", BWDS, 1, 0, 0, 0, 0, 1, 0, 3, 1, 1, 1},
    {"dx = x, incdx 2", BWDS, 0, 0, 0, 0, 0, 1, 0, 3, 1, 1, 2},
    /* dx over the mask */
    {"mask in dx", MBWDS, 0, 0, 0, 2, 0, 1, 2, 2, 1, 1, 1},
    {"dx in mask", MBWDS, 0, 0, 1, FIRSTEND, 0, 1, 3, 3, 1, 1, 1},
    {"mask in dx, incdx 2", MBWDS, 0, 0, 0, 2, 0, 1, 2, 2, 1, 1, 2},
};

static void test_overlap(void **state)
{
    uint64_t rng = 23;
    int prec, op;
    size_t k;
    (void)state;
    for (prec = 0; prec < REF_NPREC; prec++)
        for (op = 0; op < REF_NOPS; op++)
            for (k = 0; k < sizeof overlaps / sizeof overlaps[0]; k++) {
                const struct ov *o = &overlaps[k];
                size_t es = tu_esize(prec);
                struct bufs s;
                struct args a;
                int rc, ynull;
                if (!(o->ops & (1 << op)))
                    continue;
                for (ynull = 0; ynull < 1 + tu_mask_out(op); ynull++) {
                    if (ynull && o->mb != o->xb)
                        continue; /* without y, only the mask over x overlaps */
                    bufs_init(&s, &rng);
                    a.n = 16;
                    a.x = s.b[o->xb] + o->xo * es;
                    a.dy = s.b[o->dyb] + o->dyo * es;
                    a.y = ynull ? NULL : s.b[o->yb] + o->yo * es;
                    a.mask = s.b[o->mb] + (o->mo == LASTX ? 16 * (int)es - 1
                                           : o->mo == FIRSTEND ? (int)es - 1
                                                               : o->mo);
                    a.incx = o->incx;
                    a.incdy = o->incdy;
                    a.incy = o->incy;
                    rc = call_args(prec, op, &a);
                    if (rc != FR_EOVERLAP)
                        fail_msg("fr_%s%s %s%s: got %d, want FR_EOVERLAP",
                                 tu_prec_name[prec], tu_op_name[op], o->what,
                                 ynull ? " (y NULL)" : "", rc);
                    if (!bufs_same(&s))
                        fail_msg("fr_%s%s %s: memory written", tu_prec_name[prec],
                                 tu_op_name[op], o->what);
                    bufs_free(&s);
                }
            }
}

/* The mask's layout from first principles: bit i of byte i / 8, LSB first. */
static void test_mask_layout(void **state)
{
    uint64_t rng = 24;
    int prec, leaky;
    fr_int n, i;
    (void)state;
    for (prec = 0; prec < REF_NPREC; prec++)
        for (leaky = 0; leaky < 2; leaky++)
            for (n = 1; n <= 70; n++) {
                size_t es = tu_esize(prec);
                uint8_t *x = tu_alloc((size_t)n * es), *y = tu_alloc((size_t)n * es);
                uint8_t mask[16], want[16];
                int pos[70];
                memset(mask, 0xff, sizeof mask);
                memset(want, 0xff, sizeof want);
                for (i = 0; i < n; i++) {
                    /* +-1 or +-0 */
                    uint64_t r = tu_rand(&rng);
                    pos[i] = (r & 3) == 0;
                    switch (prec) {
                    case REF_S: ((uint32_t *)x)[i] = pos[i] ? 0x3f800000 : (r & 2) ? 0xbf800000 : 0x80000000; break;
                    case REF_D: ((uint64_t *)x)[i] = pos[i] ? 0x3ff0000000000000ull : (r & 2) ? 0xbff0000000000000ull : 0; break;
                    case REF_H: ((uint16_t *)x)[i] = pos[i] ? 0x3c00 : (r & 2) ? 0xbc00 : 0x8000; break;
                    default: ((uint16_t *)x)[i] = pos[i] ? 0x3f80 : (r & 2) ? 0xbf80 : 0; break;
                    }
                }
                for (i = 0; i < (n + 7) / 8; i++)
                    want[i] = 0;
                for (i = 0; i < n; i++)
                    if (pos[i])
                        want[i / 8] |= (uint8_t)(1 << (i % 8));
                assert_int_equal(tu_api(prec, leaky ? REF_LEAKY_MASK : REF_RELU_MASK,
                                        n, 0.25, x, 1, NULL, 1, y, 1, mask), FR_OK);
                assert_memory_equal(mask, want, sizeof mask);
                memset(mask, 0xff, sizeof mask);
                assert_int_equal(tu_api(prec, leaky ? REF_LEAKY_MASK : REF_RELU_MASK,
                                        n, 0.25, x, 1, NULL, 1, NULL, 1, mask), FR_OK);
                assert_memory_equal(mask, want, sizeof mask);
                /* and read back: the set bits pick dy */
                assert_int_equal(tu_api(prec, REF_RELU_BWD_MASK, n, 0, NULL, 1, x, 1,
                                        y, 1, mask), FR_OK);
                for (i = 0; i < n; i++)
                    assert_true(tu_get(prec, y, i) == (pos[i] ? tu_get(prec, x, i) : 0));
                free(x);
                free(y);
            }
}

static void test_strerror(void **state)
{
    static const int codes[] = {FR_OK, FR_EOVERLAP, FR_EUNSUPPORTED, -1, -2,
                                -3, -4, -5, -6, -7, -8, -9, 3, 4, 77, -100,
                                INT_MAX, INT_MIN, INT_MIN + 1};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *s = fr_strerror(codes[i]);
        if (s == NULL || s[0] == '\0' || strchr(s, '\n') != NULL)
            fail_msg("fr_strerror(%d) is not a one-line message", codes[i]);
    }
    assert_string_not_equal(fr_strerror(FR_OK), fr_strerror(FR_EOVERLAP));
    assert_string_not_equal(fr_strerror(FR_EOVERLAP), fr_strerror(FR_EUNSUPPORTED));
}

static void test_version(void **state)
{
    char want[64];
    (void)state;
    snprintf(want, sizeof want, "%d.%d.%d", FASTRELU_VERSION_MAJOR,
             FASTRELU_VERSION_MINOR, FASTRELU_VERSION_PATCH);
    assert_non_null(fr_version());
    assert_string_equal(fr_version(), want);
}

static void test_isa_calls(void **state)
{
    static const char *const names[] = {"auto", "scalar", "sse2", "avx2",
                                        "avx512", "neon"};
    fr_isa start, best = FR_ISA_SCALAR;
    int i, unsupported = -1;
    (void)state;
    assert_int_equal(fr_init(), FR_OK);
    start = fr_get_isa();
    for (i = 0; i < 6; i++)
        assert_string_equal(fr_isa_name((fr_isa)i), names[i]);
    assert_int_equal(fr_isa_supported(FR_ISA_AUTO), 1);
    assert_int_equal(fr_isa_supported(FR_ISA_SCALAR), 1);
    assert_true(start != FR_ISA_AUTO);
    assert_int_equal(fr_isa_supported(start), 1);
    for (i = FR_ISA_SCALAR; i <= FR_ISA_NEON; i++) {
        int sup = fr_isa_supported((fr_isa)i);
        assert_true(sup == 0 || sup == 1);
        /* the library never claims an ISA this CPU lacks */
        if (sup && !tu_cpu_has((fr_isa)i))
            fail_msg("%s claimed supported", names[i]);
        if (sup) {
            assert_int_equal(fr_set_isa((fr_isa)i), FR_OK);
            assert_int_equal(fr_get_isa(), i);
            best = (fr_isa)i;
        } else {
            unsupported = i;
        }
    }
#if defined(__x86_64__) || defined(__aarch64__)
    assert_true(unsupported > 0); /* neon on x86, the x86 ones on Arm */
#endif
    if (unsupported > 0) {
        fr_isa before = fr_get_isa();
        assert_int_equal(fr_set_isa((fr_isa)unsupported), FR_EUNSUPPORTED);
        assert_int_equal(fr_get_isa(), before);
    }
    assert_int_equal(fr_set_isa((fr_isa)99), -1);
    assert_int_equal(fr_set_isa((fr_isa)-1), -1);
    assert_int_equal(fr_set_isa(FR_ISA_AUTO), FR_OK);
    assert_int_equal(fr_get_isa(), best); /* the best this CPU runs */
    assert_int_equal(fr_set_isa(start), FR_OK);
}

static void test_threads_calls(void **state)
{
    int def;
    (void)state;
    assert_int_equal(fr_set_num_threads(0), FR_OK);
    def = fr_get_num_threads();
    assert_true(def >= 1);
    assert_int_equal(fr_set_num_threads(-1), -1);
    assert_int_equal(fr_set_num_threads(INT_MIN), -1);
    assert_int_equal(fr_get_num_threads(), def);
    assert_int_equal(fr_set_num_threads(3), FR_OK);
    assert_int_equal(fr_get_num_threads(), 3);
    assert_int_equal(fr_set_num_threads(1), FR_OK);
    assert_int_equal(fr_get_num_threads(), 1);
    assert_int_equal(fr_set_num_threads(0), FR_OK);
    assert_int_equal(fr_get_num_threads(), def);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_isa_calls),
        cmocka_unit_test(test_threads_calls),
        cmocka_unit_test(test_invalid_args),
        cmocka_unit_test(test_n_zero),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_mask_layout),
        cmocka_unit_test(test_alias_inputs),
        cmocka_unit_test(test_inplace),
        cmocka_unit_test(test_strides),
        cmocka_unit_test(test_strides_each_isa),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
