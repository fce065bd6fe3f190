/* Fuzz target: one decoded call through the API on every ISA and through every kernel table, checked bit for bit against tests/reference.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "testutil.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FZ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(FZ_ASAN)
#define FZ_ASAN 1
#endif
#ifdef FZ_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) __asan_poison_memory_region((p), (n))
#define UNPOISON(p, n) __asan_unpoison_memory_region((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* Input layout (bytes; missing bytes come from a generator seeded by the input):
   0      op (bits 0-2), precision (3-4), in place (5), y NULL for mask
          forwards (6), overlap mode: all vectors in one buffer (7)
   1-2    n: b1 % 80, or if b2 & 0x80: (b1 | (b2 & 0x7f) << 8) % 1101
   3      threads 1-4 (bits 0-1); bits 2-6 all set: n += 65536 + 32768 * bit 7
   4      >= 0xf0: argument (low bits) made invalid; else bit 0: backward
          in place on x instead of dy
   5-7    increments of x, dy, y: magnitude {1,1,1,1,2,3,5,16}[b & 7], sign b & 8
   8-11   offsets of x, dy, y, mask (elements; bytes for the mask), < 24
          apart, < 64 in overlap mode
   12     alpha: < 0x80 one of tu_alpha's, else 8 bytes of bits follow
   then   buffer contents: per element a selector byte, raw bits if >= 0x80 */

enum { VX, VDY, VY, VM, NV };

struct rd {
    const uint8_t *p;
    size_t n;
    uint64_t st, buf;
    unsigned left;
};

static unsigned next(struct rd *r)
{
    if (r->n) {
        r->n--;
        return *r->p++;
    }
    if (!r->left) {
        r->buf = tu_rand(&r->st);
        r->left = 8;
    }
    r->left--;
    return (unsigned)(r->buf >> (8 * r->left)) & 0xff;
}

struct vecd {
    int used;
    int arena;
    size_t off; /* bytes from the arena start to the lowest element */
    int64_t inc;
    size_t es, count;
};

struct fcase {
    int prec, op, inplace, inplace_x, ynull, overlap, threads, large, bad;
    size_t n, es;
    double alpha;
    int64_t inc[3];
    size_t off[NV];
};

/* Arenas: one per vector, or one for all in overlap mode. */
struct range {
    size_t off, len;
};

struct layout {
    struct vecd v[NV];
    size_t size[NV];
    uint8_t *src[NV], *work[NV], *exp[NV];
    struct range *hole[NV]; /* bytes no element covers, to poison */
    size_t nhole[NV];
};

static size_t span(const struct vecd *v)
{
    uint64_t m = (uint64_t)(v->inc < 0 ? -v->inc : v->inc);
    return v->count ? (size_t)(((uint64_t)(v->count - 1) * m + 1) * v->es) : 0;
}

static size_t vlo(const struct vecd *v) { return v->off; }
static size_t vhi(const struct vecd *v) { return v->off + span(v); }

/* Does byte b of the arena belong to an element of v? */
static int covers(const struct vecd *v, size_t b)
{
    if (!v->used || b < vlo(v) || b >= vhi(v))
        return 0;
    uint64_t m = (uint64_t)(v->inc < 0 ? -v->inc : v->inc);
    return (b - v->off) % (m * v->es) < v->es;
}

static void *xalloc(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!p)
        abort();
    return p;
}

static uint64_t value(struct rd *r, int prec)
{
    unsigned s = next(r);
    uint64_t v = 0;
    if (s & 0x80) {
        for (size_t k = 0; k < tu_esize(prec); k++)
            v |= (uint64_t)next(r) << (8 * k);
        return v;
    }
    uint64_t st = ((uint64_t)prec << 8 | s) * 0x9e3779b97f4a7c15ull;
    return tu_value(prec, &st);
}

/* Gaps get one byte value; elements get values, mask bytes raw bytes. */
static void fill(struct rd *r, const struct fcase *c, struct layout *L, int a)
{
    memset(L->src[a], (int)next(r), L->size[a]);
    for (int k = 0; k < NV; k++) {
        const struct vecd *v = &L->v[k];
        if (!v->used || v->arena != a || (k == VY && c->inplace))
            continue;
        uint64_t m = (uint64_t)(v->inc < 0 ? -v->inc : v->inc);
        for (size_t i = 0; i < v->count; i++) {
            uint64_t bits = k == VM ? next(r) : value(r, c->prec);
            memcpy(L->src[a] + v->off + i * m * v->es, &bits, v->es); /* little endian */
        }
    }
}

/* ASan can make only a suffix of each 8-byte granule unaddressable: find,
   per granule, the bytes after the last one an element covers, and merge
   them with the following wholly uncovered granules. */
static void holes(struct layout *L, int a)
{
    size_t size = L->size[a];
    uint8_t *cov = calloc(size, 1);
    L->hole[a] = malloc((size / 8 + 2) * sizeof(struct range));
    if (!cov || !L->hole[a])
        abort();
    for (int k = 0; k < NV; k++) {
        const struct vecd *v = &L->v[k];
        if (!v->used || v->arena != a)
            continue;
        uint64_t m = (uint64_t)(v->inc < 0 ? -v->inc : v->inc);
        for (size_t i = 0; i < v->count; i++)
            memset(cov + v->off + i * m * v->es, 1, v->es);
    }
    size_t nh = 0;
    for (size_t g = 0; g < size; g += 8) {
        size_t last = 0;
        for (size_t b = 0; b < 8; b++)
            if (cov[g + b])
                last = b + 1;
        if (last == 8)
            continue;
        if (nh && last == 0 && L->hole[a][nh - 1].off + L->hole[a][nh - 1].len == g)
            L->hole[a][nh - 1].len += 8;
        else
            L->hole[a][nh++] = (struct range){g + last, 8 - last};
    }
    /* and the rest of the allocation (xalloc rounds up to 64) */
    size_t alloc = (size + 63) / 64 * 64;
    if (alloc > size) {
        if (nh && L->hole[a][nh - 1].off + L->hole[a][nh - 1].len == size)
            L->hole[a][nh - 1].len += alloc - size;
        else
            L->hole[a][nh++] = (struct range){size, alloc - size};
    }
    L->nhole[a] = nh;
    free(cov);
}

/* Place the vectors; contiguous forces increments of 1 and disjoint arenas. */
static void layout_make(struct layout *L, const struct fcase *c, int contiguous,
                        struct rd *r)
{
    int op = c->op;
    memset(L, 0, sizeof *L);
    for (int k = 0; k < NV; k++) {
        struct vecd *v = &L->v[k];
        v->es = k == VM ? 1 : c->es;
        v->count = k == VM ? (c->n + 7) / 8 : c->n;
        v->inc = k == VM || contiguous ? 1 : c->inc[k];
        v->off = k == VM ? c->off[k] : c->off[k] * c->es;
        v->arena = c->overlap && !contiguous ? 0 : k;
    }
    L->v[VX].used = tu_has_x(op);
    L->v[VDY].used = tu_has_dy(op);
    L->v[VY].used = !(tu_mask_out(op) && c->ynull);
    L->v[VM].used = tu_mask_in(op) || tu_mask_out(op);
    if (c->inplace && L->v[VY].used) {
        int from = tu_has_x(op) && (!tu_has_dy(op) || c->inplace_x) ? VX : VDY;
        L->v[VY] = L->v[from];
    }
    for (int k = 0; k < NV; k++) {
        const struct vecd *v = &L->v[k];
        if (!v->used)
            continue;
        size_t hi = (vhi(v) + 7) / 8 * 8;
        if (hi < 8)
            hi = 8; /* n == 0: a real pointer to bytes nothing may touch */
        if (hi > L->size[v->arena])
            L->size[v->arena] = hi;
    }
    for (int a = 0; a < NV; a++) {
        if (!L->size[a])
            continue;
        L->src[a] = xalloc(L->size[a]);
        L->work[a] = xalloc(L->size[a]);
        L->exp[a] = xalloc(L->size[a]);
        fill(r, c, L, a);
        memcpy(L->exp[a], L->src[a], L->size[a]);
        holes(L, a);
    }
}

static void layout_free(struct layout *L)
{
    for (int a = 0; a < NV; a++) {
        free(L->src[a]);
        free(L->work[a]);
        free(L->exp[a]);
        free(L->hole[a]);
    }
}

static uint8_t *at(const struct layout *L, uint8_t *const *base, int k)
{
    const struct vecd *v = &L->v[k];
    return v->used ? base[v->arena] + v->off : NULL;
}

/* Copy src to work and make the bytes no element covers unaddressable. */
static void arm(const struct layout *L)
{
    for (int a = 0; a < NV; a++) {
        if (!L->size[a])
            continue;
        UNPOISON(L->work[a], L->size[a]);
        memcpy(L->work[a], L->src[a], L->size[a]);
        for (size_t h = 0; h < L->nhole[a]; h++)
            POISON(L->work[a] + L->hole[a][h].off, L->hole[a][h].len);
    }
}

static void disarm(const struct layout *L)
{
    for (int a = 0; a < NV; a++)
        if (L->size[a])
            UNPOISON(L->work[a], L->size[a]);
}

static const char *const vname[NV] = {"x", "dy", "y", "mask"};

static int verbose = -1;

static void describe(const struct fcase *c, const struct layout *L,
                     const char *who)
{
    fprintf(stderr, "%s: %s%s n=%zu alpha=%a threads=%d inplace=%d%s "
            "ynull=%d overlap=%d bad=%d\n", who, tu_prec_name[c->prec],
            tu_op_name[c->op], c->n, c->alpha, c->threads, c->inplace,
            c->inplace && c->inplace_x ? "(x)" : "", c->ynull, c->overlap, c->bad);
    for (int k = 0; k < NV; k++)
        if (L->v[k].used)
            fprintf(stderr, "  %-4s arena %d offset %zu bytes inc %lld\n",
                    vname[k], L->v[k].arena, L->v[k].off,
                    (long long)L->v[k].inc);
}

/* Compare work with want; on a difference, say where and abort. */
static void check(const struct fcase *c, const struct layout *L,
                  uint8_t *const *want, const char *who)
{
    for (int a = 0; a < NV; a++) {
        if (!L->size[a] || !memcmp(L->work[a], want[a], L->size[a]))
            continue;
        size_t b = 0;
        while (L->work[a][b] == want[a][b])
            b++;
        fprintf(stderr, "FAIL ");
        describe(c, L, who);
        fprintf(stderr, "  arena %d byte %zu: expected 0x%02x got 0x%02x", a, b,
                want[a][b], L->work[a][b]);
        for (int k = 0; k < NV; k++) {
            const struct vecd *v = &L->v[k];
            if (v->arena != a || !covers(v, b))
                continue;
            uint64_t m = (uint64_t)(v->inc < 0 ? -v->inc : v->inc);
            uint64_t slot = (b - v->off) / (m * v->es);
            int64_t i = v->inc > 0 ? (int64_t)slot : (int64_t)(v->count - 1 - slot);
            fprintf(stderr, "; %s[%lld]", vname[k], (long long)i);
            if (k != VM && k != VY) {
                uint64_t bits = tu_get(c->prec, L->src[a] + v->off, (int64_t)slot);
                fprintf(stderr, " = 0x%llx", (unsigned long long)bits);
            }
            if (k == VM && L->v[VX].used && tu_mask_out(c->op)) {
                const struct vecd *x = &L->v[VX];
                for (size_t e = (size_t)i * 8; e < (size_t)i * 8 + 8 && e < c->n; e++)
                    fprintf(stderr, " x[%zu]=0x%llx", e, (unsigned long long)tu_get(
                            c->prec, L->src[x->arena] + x->off,
                            ref_index((fr_int)c->n, x->inc, (fr_int)e)));
            }
            if (k == VY)
                fprintf(stderr, " expected 0x%llx got 0x%llx",
                        (unsigned long long)tu_get(c->prec, want[a] + v->off, (int64_t)slot),
                        (unsigned long long)tu_get(c->prec, L->work[a] + v->off, (int64_t)slot));
        }
        fprintf(stderr, "\n");
        abort();
    }
}

/* The status the API must return: 0 OK, 1 FR_EOVERLAP, -1 either (ranges
   meet but no byte is shared and a strided vector is involved). */
static int overlap_expect(const struct fcase *c, const struct layout *L)
{
    int must = 0, can = 0;
    const int outs[2] = {VY, VM};
    for (int oi = 0; oi < 2; oi++) {
        int o = outs[oi];
        const struct vecd *ov = &L->v[o];
        if (!ov->used || (o == VM && !tu_mask_out(c->op)))
            continue;
        for (int k = 0; k < NV; k++) {
            const struct vecd *v = &L->v[k];
            if (k == o || !v->used || v->arena != ov->arena)
                continue;
            if (v->off == ov->off && v->inc == ov->inc && v->es == ov->es)
                continue;
            if (vhi(v) <= vlo(ov) || vhi(ov) <= vlo(v))
                continue;
            can = 1;
            for (size_t b = vlo(ov); b < vhi(ov) && !must; b++)
                must = covers(ov, b) && covers(v, b);
        }
    }
    return must ? 1 : can ? -1 : 0;
}

static int api_call(const struct fcase *c, const struct layout *L, fr_int n,
                    int bad_slot, int *expect_bad)
{
    const void *x = at(L, L->work, VX), *dy = at(L, L->work, VDY);
    void *y = at(L, L->work, VY);
    uint8_t *m = at(L, L->work, VM);
    int64_t incx = L->v[VX].inc, incdy = L->v[VDY].inc, incy = L->v[VY].inc;
    int a = tu_leaky(c->op);
    int op = c->op;

    /* The breakable arguments of each form, in order: 0 n, then pointers and
       increments by their argument number without alpha. */
    *expect_bad = 0;
    if (bad_slot >= 0) {
        int pos = 0;
        if (op == REF_RELU || op == REF_LEAKY) {
            static const int k[] = {1, 2, 3, 4, 5};
            pos = k[bad_slot % 5];
            switch (pos) {
            case 2: x = NULL; break;
            case 3: incx = 0; break;
            case 4: y = NULL; break;
            case 5: incy = 0; break;
            }
        } else if (tu_mask_out(op)) {
            static const int k[] = {1, 2, 3, 5, 6};
            pos = k[bad_slot % 5];
            switch (pos) {
            case 2: x = NULL; break;
            case 3: incx = 0; break;
            case 5: incy = 0; if (!y) pos = 0; break; /* ignored without y */
            case 6: m = NULL; break;
            }
        } else if (tu_has_x(op)) {
            static const int k[] = {1, 2, 3, 4, 5, 6, 7};
            pos = k[bad_slot % 7];
            switch (pos) {
            case 2: x = NULL; break;
            case 3: incx = 0; break;
            case 4: dy = NULL; break;
            case 5: incdy = 0; break;
            case 6: y = NULL; break;
            case 7: incy = 0; break;
            }
        } else {
            static const int k[] = {1, 2, 3, 4, 5, 6};
            pos = k[bad_slot % 6];
            switch (pos) {
            case 2: m = NULL; break;
            case 3: dy = NULL; break;
            case 4: incdy = 0; break;
            case 5: y = NULL; break;
            case 6: incy = 0; break;
            }
        }
        if (pos == 1)
            n = -1 - n;
        else if (pos && n > 0)
            *expect_bad = -(pos + (pos > 1 ? a : 0));
        if (pos == 1)
            *expect_bad = -1;
    }
    return tu_api(c->prec, op, n, c->alpha, x, incx, dy, incdy, y, incy, m);
}

static void expected(const struct fcase *c, struct layout *L)
{
    if (!c->n)
        return;
    ref_call(c->prec, c->op, (fr_int)c->n, c->alpha, at(L, L->src, VX),
             L->v[VX].inc, at(L, L->src, VDY), L->v[VDY].inc,
             at(L, L->exp, VY), L->v[VY].inc,
             tu_mask_out(c->op) ? at(L, L->exp, VM) : at(L, L->src, VM));
}

static void run_api(const struct fcase *c, struct rd *r)
{
    struct layout L;
    layout_make(&L, c, 0, r);
    int want = overlap_expect(c, &L);
    if (want != 1)
        expected(c, &L);
    for (int isa = FR_ISA_SCALAR; isa <= FR_ISA_NEON; isa++) {
        if (!fr_isa_supported((fr_isa)isa))
            continue;
        char who[64];
        snprintf(who, sizeof who, "API on %s", fr_isa_name((fr_isa)isa));
        if (fr_set_isa((fr_isa)isa) != FR_OK || fr_set_num_threads(c->threads) != FR_OK) {
            fprintf(stderr, "FAIL: fr_set_isa(%s) or fr_set_num_threads(%d)\n",
                    fr_isa_name((fr_isa)isa), c->threads);
            abort();
        }
        int bad, ok;
        arm(&L);
        int st = api_call(c, &L, (fr_int)c->n, c->bad, &bad);
        disarm(&L);
        if (bad)
            ok = st == bad;
        else if (want == 1)
            ok = st == FR_EOVERLAP;
        else if (want == 0)
            ok = st == FR_OK;
        else
            ok = st == FR_OK || st == FR_EOVERLAP;
        if (!ok) {
            fprintf(stderr, "FAIL ");
            describe(c, &L, who);
            fprintf(stderr, "  status %d (%s), expected %d\n", st, fr_strerror(st),
                    bad ? bad : want == 1 ? FR_EOVERLAP : FR_OK);
            abort();
        }
        check(c, &L, st == FR_OK ? L.exp : L.src, who);
    }
    fr_set_isa(FR_ISA_AUTO);
    fr_set_num_threads(1);
    layout_free(&L);
}

static void run_tables(const struct fcase *c, struct rd *r)
{
    static const struct frk_table *const emul[] = {
        &frk_table_scalar_emul, &frk_table_sse2_emul, &frk_table_avx2_emul,
        &frk_table_avx512_emul, &frk_table_neon_emul};
    struct layout L;
    layout_make(&L, c, 1, r);
    expected(c, &L);
    for (int t = 0; t < 10; t++) {
        const struct frk_table *tab, *fb;
        if (t < 5) {
            tab = frk_native_table((fr_isa)(FR_ISA_SCALAR + t));
            fb = &frk_table_scalar;
        } else {
            tab = emul[t - 5];
            fb = &frk_table_scalar_emul;
        }
        if (!tab)
            continue;
        char who[64];
        snprintf(who, sizeof who, "table %s", tab->name);
        arm(&L);
        tu_kernel(tab, fb, c->prec, c->op, c->n, c->alpha, at(&L, L.work, VX),
                  at(&L, L.work, VDY), at(&L, L.work, VY), at(&L, L.work, VM));
        disarm(&L);
        check(c, &L, L.exp, who);
    }
    layout_free(&L);
}

static int64_t inc_of(unsigned b)
{
    static const int64_t mag[8] = {1, 1, 1, 1, 2, 3, 5, 16};
    return b & 8 ? -mag[b & 7] : mag[b & 7];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct rd r = {data, size, 0xcbf29ce484222325ull, 0, 0};
    struct fcase c;
    for (size_t i = 0; i < size; i++)
        r.st = (r.st ^ data[i]) * 0x100000001b3ull;
    memset(&c, 0, sizeof c);

    unsigned b0 = next(&r);
    c.op = b0 & 7;
    c.prec = (b0 >> 3) & 3;
    c.inplace = (b0 >> 5) & 1;
    c.ynull = (b0 >> 6) & 1;
    c.overlap = (b0 >> 7) & 1;
    c.es = tu_esize(c.prec);
    unsigned b1 = next(&r), b2 = next(&r);
    c.n = b2 & 0x80 ? (b1 | (b2 & 0x7f) << 8) % 1101 : b1 % 80;
    unsigned b3 = next(&r), b4 = next(&r);
    c.threads = 1 + (b3 & 3);
    c.large = ((b3 >> 2) & 31) == 31;
    c.bad = b4 >= 0xf0 ? (int)(b4 & 15) : -1;
    c.inplace_x = b4 & 1;
    for (int k = 0; k < 3; k++)
        c.inc[k] = inc_of(next(&r));
    for (int k = 0; k < NV; k++) {
        unsigned b = next(&r);
        c.off[k] = c.overlap ? (k == VM ? b % (64 * c.es) : b % 64) : b % 24;
    }
    unsigned ab = next(&r);
    if (ab < 0x80) {
        c.alpha = tu_alpha(c.prec, (int)(ab % TU_NALPHA));
    } else {
        uint64_t bits = 0;
        for (int k = 0; k < 8; k++)
            bits |= (uint64_t)next(&r) << (8 * k);
        c.alpha = c.prec == REF_D ? frk_f64(bits) : (double)frk_f32((uint32_t)bits);
    }
    /* Thread splits need at least 2 x 32768 elements; only the API runs then. */
    if (c.large) {
        c.n += 65536 + (size_t)(b3 >> 7) * 32768;
        for (int k = 0; k < 3; k++)
            if (c.inc[k] > 2 || c.inc[k] < -2)
                c.inc[k] = c.inc[k] < 0 ? -2 : 2;
    }

    if (verbose < 0)
        verbose = getenv("FR_FUZZ_VERBOSE") != NULL;
    if (verbose) {
        struct rd saved = r;
        struct layout L;
        layout_make(&L, &c, 0, &r);
        describe(&c, &L, "case");
        layout_free(&L);
        r = saved;
    }
    run_api(&c, &r);
    if (c.n && c.bad < 0 && !c.large)
        run_tables(&c, &r);
    return 0;
}
