/* Kernel-table tests: one table (argv: isa, native|emul) against the reference, bit for bit, with guard bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        tu_fill(c->prec, x.data, c->n, rng);
    }
    if (hdy) {
        region_init(&dy, es, c->n, c->offdy);
        tu_fill(c->prec, dy.data, c->n, rng);
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

/* Every length 0..3*64+1 (kernels take n >= 1), aligned and misaligned. */
static void test_lengths(void **state)
{
    uint64_t rng = 1;
    int failures = 0, prec, op, k, pass;
    size_t n;
    (void)state;
    check_table();
    for (prec = 0; prec < REF_NPREC; prec++)
        for (op = 0; op < REF_NOPS; op++)
            for (n = 1; n <= 3 * 64 + 1; n++)
                for (k = 0; k < nalphas(op); k++)
                    for (pass = 0; pass < 2; pass++) {
                        struct kcase c = {0};
                        c.prec = prec;
                        c.op = op;
                        c.n = n;
                        c.alpha = tu_alpha(prec, tu_leaky(op) ? k : 4);
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

/* The same tests again with every output that is not in place streamed
   (non-temporal stores), whatever its size. */
static size_t saved_nt;

static int nt_on(void **state)
{
    (void)state;
    fr_init();
    saved_nt = frk_nt_min_bytes;
    frk_nt_min_bytes = 0;
    return 0;
}

static int nt_off(void **state)
{
    (void)state;
    frk_nt_min_bytes = saved_nt;
    return 0;
}

#define NT_TEST(f) {#f "_nt", f, nt_on, nt_off, NULL}

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
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_all_halves),
        cmocka_unit_test(test_long),
        NT_TEST(test_lengths),
        NT_TEST(test_inplace_ynull),
        NT_TEST(test_alignment),
        NT_TEST(test_all_halves),
        NT_TEST(test_long),
    };
    fr_isa isa;
    int emul, rc;

    if ((argc != 3 && argc != 4) || (int)(isa = tu_isa_from_name(argv[1])) <= 0 ||
        (strcmp(argv[2], "native") != 0 && strcmp(argv[2], "emul") != 0)) {
        fprintf(stderr, "usage: %s scalar|sse2|avx2|avx512|neon native|emul "
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
        table = frk_native_table(isa);
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
    if (rc == 0 && table_missing)
        return 77;
    return rc;
}
