/* Out-of-bounds tests: every buffer against a PROT_NONE page, at either end, through the tables and the API. */
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

#define MAXN 300

/* Two pages, one of them inaccessible: the data page sits before (END) or
   after (START) the guard page. */
struct fence {
    uint8_t *map, *page;
};

static size_t pagesz;

static void fence_init(struct fence *f, int start)
{
    f->map = mmap(NULL, 2 * pagesz, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (f->map == MAP_FAILED) {
        perror("mmap");
        abort();
    }
    if (start) {
        if (mprotect(f->map, pagesz, PROT_NONE) != 0)
            abort();
        f->page = f->map + pagesz;
    } else {
        if (mprotect(f->map + pagesz, pagesz, PROT_NONE) != 0)
            abort();
        f->page = f->map;
    }
}

static void fence_free(struct fence *f) { munmap(f->map, 2 * pagesz); }

/* Where a buffer of the given bytes goes: flush against the guard page. */
static uint8_t *place(const struct fence *f, int start, size_t bytes)
{
    return start ? f->page : f->page + pagesz - bytes;
}

enum { BX, BDY, BY, BM, NBUF };

/* All ops, precisions and n = 1..300 through one table, both placements. */
static int table_pass(const struct frk_table *t, uint64_t *rng)
{
    int failures = 0, start, prec, op, b;
    size_t n;
    uint8_t *want = tu_alloc(MAXN * 8), *wmask = tu_alloc(MAXN);
    for (start = 0; start < 2; start++) {
        struct fence f[NBUF];
        for (b = 0; b < NBUF; b++)
            fence_init(&f[b], start);
        for (prec = 0; prec < REF_NPREC; prec++) {
            size_t es = tu_esize(prec);
            /* fill whole data pages once: inputs take their last/first n */
            tu_fill(prec, f[BX].page, pagesz / es, rng);
            tu_fill(prec, f[BDY].page, pagesz / es, rng);
            tu_fill_bytes(f[BM].page, pagesz, rng);
            for (op = 0; op < REF_NOPS; op++)
                for (n = 1; n <= MAXN; n++) {
                    size_t nb = (n + 7) / 8;
                    uint8_t *x = place(&f[BX], start, n * es);
                    uint8_t *dy = place(&f[BDY], start, n * es);
                    uint8_t *y = place(&f[BY], start, n * es);
                    uint8_t *m = place(&f[BM], start, nb);
                    double alpha = tu_alpha(prec, (int)(n % TU_NALPHA));
                    int ynull = tu_mask_out(op) && n % 3 == 0;
                    if (tu_mask_in(op))
                        memcpy(wmask, m, nb);
                    ref_call(prec, op, (fr_int)n, alpha, x, 1, dy, 1, want, 1,
                             wmask);
                    tu_kernel(t, &frk_table_scalar, prec, op, n, alpha, x, dy,
                              ynull ? NULL : y, m);
                    if ((!ynull && memcmp(y, want, n * es) != 0) ||
                        (tu_mask_out(op) && memcmp(m, wmask, nb) != 0)) {
                        print_error("%s %s%s n=%zu %s: wrong result\n", t->name,
                                    tu_prec_name[prec], tu_op_name[op], n,
                                    start ? "after a guard" : "before a guard");
                        if (++failures >= 10)
                            goto out;
                    }
                }
        }
    out:
        for (b = 0; b < NBUF; b++)
            fence_free(&f[b]);
        if (failures >= 10)
            break;
    }
    free(want);
    free(wmask);
    return failures;
}

static void test_tables(void **state)
{
    uint64_t rng = 31;
    int isa, failures = 0, ran = 0;
    (void)state;
    for (isa = FR_ISA_SCALAR; isa <= FR_ISA_NEON; isa++) {
        const struct frk_table *t = frk_native_table((fr_isa)isa);
        if (!t)
            continue;
        ran++;
        failures += table_pass(t, &rng);
        if (failures >= 10)
            break;
    }
    assert_true(ran >= 1);
    if (failures)
        fail_msg("%d failing cases", failures);
}

/* The API with increments 1, -1, 2 and -2 (where tables have kernels of
   their own), n = 0..300, under every ISA this CPU runs. */
static int api_pass(uint64_t *rng)
{
    static const fr_int incs[] = {1, -1, 2, -2};
    int failures = 0, start, prec, op, b, k;
    fr_int n;
    uint8_t *want = tu_alloc(MAXN * 16), *wmask = tu_alloc(MAXN);
    for (start = 0; start < 2; start++) {
        struct fence f[NBUF];
        for (b = 0; b < NBUF; b++)
            fence_init(&f[b], start);
        for (prec = 0; prec < REF_NPREC; prec++) {
            size_t es = tu_esize(prec);
            tu_fill(prec, f[BX].page, pagesz / es, rng);
            tu_fill(prec, f[BDY].page, pagesz / es, rng);
            tu_fill_bytes(f[BM].page, pagesz, rng);
            for (op = 0; op < REF_NOPS; op++)
                for (n = 0; n <= MAXN; n++)
                    for (k = 0; k < 4; k++) {
                        fr_int inc = incs[k], step = inc < 0 ? -inc : inc;
                        size_t nb = (size_t)(n + 7) / 8;
                        size_t bytes = n ? (size_t)((n - 1) * step + 1) * es : 0;
                        if (bytes > pagesz)
                            continue;
                        uint8_t *x = place(&f[BX], start, bytes);
                        uint8_t *dy = place(&f[BDY], start, bytes);
                        uint8_t *y = place(&f[BY], start, bytes);
                        uint8_t *m = place(&f[BM], start, nb);
                        double alpha = tu_alpha(prec, (int)((n + k) % TU_NALPHA));
                        int rc;
                        if (tu_mask_in(op))
                            memcpy(wmask, m, nb);
                        memcpy(want, y, bytes); /* the gaps stay as they are */
                        ref_call(prec, op, n, alpha, x, inc, dy, -inc, want, inc,
                                 wmask);
                        rc = tu_api(prec, op, n, alpha, x, inc, dy, -inc, y, inc, m);
                        if (rc != FR_OK || memcmp(y, want, bytes) != 0 ||
                            (tu_mask_out(op) && memcmp(m, wmask, nb) != 0)) {
                            print_error("fr_%s%s isa %s n=%lld inc=%lld %s: "
                                        "status %d or wrong result\n",
                                        tu_prec_name[prec], tu_op_name[op],
                                        fr_isa_name(fr_get_isa()), (long long)n,
                                        (long long)inc,
                                        start ? "after a guard" : "before a guard",
                                        rc);
                            if (++failures >= 10)
                                goto out;
                        }
                    }
        }
    out:
        for (b = 0; b < NBUF; b++)
            fence_free(&f[b]);
        if (failures >= 10)
            break;
    }
    free(want);
    free(wmask);
    return failures;
}

static void test_api(void **state)
{
    uint64_t rng = 32;
    int isa, failures = 0;
    fr_isa startisa = fr_get_isa();
    (void)state;
    for (isa = FR_ISA_SCALAR; isa <= FR_ISA_NEON; isa++) {
        if (!fr_isa_supported((fr_isa)isa))
            continue;
        assert_int_equal(fr_set_isa((fr_isa)isa), FR_OK);
        failures += api_pass(&rng);
    }
    fr_set_isa(startisa);
    if (failures)
        fail_msg("%d failing cases", failures);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_api),
    };
    pagesz = (size_t)sysconf(_SC_PAGESIZE);
    return cmocka_run_group_tests_name("oob", tests, NULL, NULL);
}
