/* API front end: argument checks, overlap detection, BLAS strides, thread splits, then the kernels. */
#include <stdint.h>
#include <string.h>

#include "internal.h"

enum kind { FWD, BWD, FWD_MASK, BWD_MASK };

/* Strided vectors go through the contiguous kernels in blocks of BLOCK
   elements gathered into (and scattered from) stack buffers. */
#define BLOCK 512
/* Calls are split for threads only when each part has at least this many
   elements; part boundaries are multiples of 64 so mask bytes never straddle. */
#define MIN_PART 32768
#define GRAIN 64

struct vec {
    char *p;    /* lowest address of the vector */
    int64_t inc;
};

union kfn {
    frk_fwd fwd;
    frk_bwd bwd;
    frk_fwd_mask fwd_mask;
    frk_bwd_mask bwd_mask;
};

struct call {
    enum kind kind;
    union kfn fn;
    frk_fwd inc2; /* FWD with increment 2 on x and y, if the table has it */
    size_t n, es;
    double alpha;
    struct vec x, dy, y; /* x: x; dy: dy; y: y or dx (FWD_MASK: may be NULL) */
    uint8_t *mask;
};

static uint64_t uabs(int64_t v) { return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; }

static char *elem(const struct call *c, const struct vec *v, size_t i)
{
    uint64_t k = v->inc > 0 ? (uint64_t)i * (uint64_t)v->inc
                            : (uint64_t)(c->n - 1 - i) * uabs(v->inc);
    return v->p + k * c->es;
}

static void gather(const struct call *c, const struct vec *v, size_t i,
                   size_t m, void *buf)
{
    char *p = elem(c, v, i);
    int64_t step = v->inc * (int64_t)c->es;
    switch (c->es) {
    case 2: for (size_t k = 0; k < m; k++, p += step) memcpy((char *)buf + 2 * k, p, 2); break;
    case 4: for (size_t k = 0; k < m; k++, p += step) memcpy((char *)buf + 4 * k, p, 4); break;
    default: for (size_t k = 0; k < m; k++, p += step) memcpy((char *)buf + 8 * k, p, 8); break;
    }
}

static void scatter(const struct call *c, const struct vec *v, size_t i,
                    size_t m, const void *buf)
{
    char *p = elem(c, v, i);
    int64_t step = v->inc * (int64_t)c->es;
    switch (c->es) {
    case 2: for (size_t k = 0; k < m; k++, p += step) memcpy(p, (const char *)buf + 2 * k, 2); break;
    case 4: for (size_t k = 0; k < m; k++, p += step) memcpy(p, (const char *)buf + 4 * k, 4); break;
    default: for (size_t k = 0; k < m; k++, p += step) memcpy(p, (const char *)buf + 8 * k, 8); break;
    }
}

static void kernel(const struct call *c, size_t m, const void *x,
                   const void *dy, void *y, uint8_t *mask)
{
    switch (c->kind) {
    case FWD: c->fn.fwd(m, c->alpha, x, y); break;
    case BWD: c->fn.bwd(m, c->alpha, x, dy, y); break;
    case FWD_MASK: c->fn.fwd_mask(m, c->alpha, x, y, mask); break;
    case BWD_MASK: c->fn.bwd_mask(m, c->alpha, mask, dy, y); break;
    }
}

/* Logical elements [begin, end); begin is a multiple of 8 for the mask. */
static void run_range(void *ctx, size_t begin, size_t end)
{
    const struct call *c = ctx;
    int has_x = c->kind != BWD_MASK, has_dy = c->kind == BWD || c->kind == BWD_MASK;
    int sx = has_x && c->x.inc != 1, sdy = has_dy && c->dy.inc != 1;
    int sy = c->y.p && c->y.inc != 1;
    uint8_t *mask = c->mask ? c->mask + begin / 8 : NULL;

    if (c->inc2 && c->x.inc == 2 && c->y.inc == 2) {
        c->inc2(end - begin, c->alpha, c->x.p + 2 * begin * c->es,
                c->y.p + 2 * begin * c->es);
        return;
    }
    if (!sx && !sdy && !sy) {
        kernel(c, end - begin, has_x ? c->x.p + begin * c->es : NULL,
               has_dy ? c->dy.p + begin * c->es : NULL,
               c->y.p ? c->y.p + begin * c->es : NULL, mask);
        return;
    }
    _Alignas(64) char bx[BLOCK * 8], bdy[BLOCK * 8], by[BLOCK * 8];
    for (size_t i = begin; i < end; i += BLOCK) {
        size_t m = end - i < BLOCK ? end - i : BLOCK;
        const void *x = NULL, *dy = NULL;
        void *y = NULL;
        if (has_x) {
            if (sx)
                gather(c, &c->x, i, m, bx);
            x = sx ? (const void *)bx : c->x.p + i * c->es;
        }
        if (has_dy) {
            if (sdy)
                gather(c, &c->dy, i, m, bdy);
            dy = sdy ? (const void *)bdy : c->dy.p + i * c->es;
        }
        if (c->y.p)
            y = sy ? (void *)by : c->y.p + i * c->es;
        kernel(c, m, x, dy, y, mask ? mask + (i - begin) / 8 : NULL);
        if (sy)
            scatter(c, &c->y, i, m, by);
    }
}

/* Address range [lo, hi) of n elements of size es with increment inc. */
struct span {
    uintptr_t lo, hi;
    uint64_t inc;
    size_t es;
};

static struct span span_of(const void *p, size_t n, int64_t inc, size_t es)
{
    struct span s = {(uintptr_t)p, 0, uabs(inc), es};
    s.hi = s.lo + ((uint64_t)(n - 1) * s.inc + 1) * es;
    return s;
}

/* Does output o share a byte with vector v, other than being exactly v?
   Exact for contiguous vectors, and for strided ones with the same increment
   magnitude and element size (their elements interleave at a fixed offset);
   otherwise any overlap of the address ranges counts. */
static int overlap(struct span o, int64_t oinc, struct span v, int64_t vinc)
{
    if (o.hi <= v.lo || v.hi <= o.lo)
        return 0;
    if (o.lo == v.lo && oinc == vinc && o.es == v.es)
        return 0;
    if (o.inc == v.inc && o.es == v.es && o.inc > 1) {
        uint64_t period = o.inc * o.es, d;
        if (o.lo >= v.lo)
            d = (o.lo - v.lo) % period;
        else
            d = (period - (v.lo - o.lo) % period) % period;
        return d < o.es || d > period - o.es;
    }
    return 1;
}

static int overlaps(const struct call *c, const struct vec *o, const struct vec *v)
{
    if (!o->p || !v->p)
        return 0;
    return overlap(span_of(o->p, c->n, o->inc, c->es), o->inc,
                   span_of(v->p, c->n, v->inc, c->es), v->inc);
}

/* The mask as a vector of (n + 7) / 8 bytes. */
static int mask_overlaps(const struct call *c, const struct vec *v)
{
    if (!v->p)
        return 0;
    return overlap(span_of(c->mask, (c->n + 7) / 8, 1, 1), 1,
                   span_of(v->p, c->n, v->inc, c->es), v->inc);
}

static int run(struct call *c)
{
    /* Without a mask the element order does not matter: increments that are
       all negative walk the same memory as their positive counterparts. */
    if (c->kind == FWD || c->kind == BWD) {
        int64_t dinc = c->kind == BWD ? c->dy.inc : -1;
        if (c->x.inc < 0 && c->y.inc < 0 && dinc < 0 && c->x.inc != INT64_MIN &&
            c->y.inc != INT64_MIN && dinc != INT64_MIN) {
            c->x.inc = -c->x.inc;
            c->y.inc = -c->y.inc;
            c->dy.inc = -c->dy.inc;
        }
    }
    frk_parallel(c->n, MIN_PART, GRAIN, run_range, c);
    return FR_OK;
}

static const struct frk_ops *ops_for(enum frk_prec p) { return &frk_active_table()->ops[p]; }

#define BAD(cond, k) do { if (cond) return -(k); } while (0)

/* Contiguous calls too small to split skip the call record and go straight
   to the kernel. */
#define SMALL(n, inc1, inc2)                                                   \
    ((inc1) == 1 && (inc2) == 1 && (size_t)(n) < 2 * MIN_PART)

/* overlap() for two contiguous vectors of n elements. */
static int contig_overlap(const void *o, const void *v, size_t n, size_t es)
{
    return overlap(span_of(o, n, 1, es), 1, span_of(v, n, 1, es), 1);
}

/* overlap() for a mask of (n + 7) / 8 bytes and a contiguous vector. */
static int contig_mask_overlap(const uint8_t *mask, const void *v, size_t n, size_t es)
{
    return overlap(span_of(mask, (n + 7) / 8, 1, 1), 1, span_of(v, n, 1, es), 1);
}

/* a is 1 when the entry point has alpha as argument 2, shifting the rest. */
static int fwd(enum frk_prec p, size_t es, int a, fr_int n, double alpha,
               const void *x, fr_int incx, void *y, fr_int incy)
{
    BAD(n < 0, 1);
    if (n == 0)
        return FR_OK;
    BAD(!x, 2 + a); BAD(incx == 0, 3 + a);
    BAD(!y, 4 + a); BAD(incy == 0, 5 + a);
    if (SMALL(n, incx, incy)) {
        size_t m = (size_t)n;
        if (contig_overlap(y, x, m, es))
            return FR_EOVERLAP;
        (a ? ops_for(p)->leaky : ops_for(p)->relu)(m, alpha, x, y);
        return FR_OK;
    }
    struct call c = {.kind = FWD, .n = (size_t)n, .es = es, .alpha = alpha,
                     .x = {(char *)x, incx}, .y = {y, incy}};
    if (overlaps(&c, &c.y, &c.x))
        return FR_EOVERLAP;
    const struct frk_table *t = frk_active_table();
    c.fn.fwd = a ? t->ops[p].leaky : t->ops[p].relu;
    c.inc2 = a ? t->leaky_inc2[p] : t->relu_inc2[p];
    return run(&c);
}

static int bwd(enum frk_prec p, size_t es, int a, fr_int n, double alpha,
               const void *x, fr_int incx, const void *dy, fr_int incdy,
               void *dx, fr_int incdx)
{
    BAD(n < 0, 1);
    if (n == 0)
        return FR_OK;
    BAD(!x, 2 + a); BAD(incx == 0, 3 + a);
    BAD(!dy, 4 + a); BAD(incdy == 0, 5 + a);
    BAD(!dx, 6 + a); BAD(incdx == 0, 7 + a);
    if (SMALL(n, incx, incdy) && incdx == 1) {
        size_t m = (size_t)n;
        if (contig_overlap(dx, x, m, es) || contig_overlap(dx, dy, m, es))
            return FR_EOVERLAP;
        (a ? ops_for(p)->leaky_bwd : ops_for(p)->relu_bwd)(m, alpha, x, dy, dx);
        return FR_OK;
    }
    struct call c = {.kind = BWD, .n = (size_t)n, .es = es, .alpha = alpha,
                     .x = {(char *)x, incx}, .dy = {(char *)dy, incdy},
                     .y = {dx, incdx}};
    if (overlaps(&c, &c.y, &c.x) || overlaps(&c, &c.y, &c.dy))
        return FR_EOVERLAP;
    c.fn.bwd = a ? ops_for(p)->leaky_bwd : ops_for(p)->relu_bwd;
    return run(&c);
}

/* y may be NULL; its increment is then ignored. */
static int fwd_mask(enum frk_prec p, size_t es, int a, fr_int n, double alpha,
                    const void *x, fr_int incx, void *y, fr_int incy,
                    uint8_t *mask)
{
    BAD(n < 0, 1);
    if (n == 0)
        return FR_OK;
    BAD(!x, 2 + a); BAD(incx == 0, 3 + a);
    BAD(y && incy == 0, 5 + a);
    BAD(!mask, 6 + a);
    if (SMALL(n, incx, y ? incy : 1)) {
        size_t m = (size_t)n;
        if ((y && contig_overlap(y, x, m, es)) || contig_mask_overlap(mask, x, m, es) ||
            (y && contig_mask_overlap(mask, y, m, es)))
            return FR_EOVERLAP;
        (a ? ops_for(p)->leaky_mask : ops_for(p)->relu_mask)(m, alpha, x, y, mask);
        return FR_OK;
    }
    struct call c = {.kind = FWD_MASK, .n = (size_t)n, .es = es, .alpha = alpha,
                     .x = {(char *)x, incx}, .y = {y, y ? incy : 1}, .mask = mask};
    if (overlaps(&c, &c.y, &c.x) || mask_overlaps(&c, &c.x) || mask_overlaps(&c, &c.y))
        return FR_EOVERLAP;
    c.fn.fwd_mask = a ? ops_for(p)->leaky_mask : ops_for(p)->relu_mask;
    return run(&c);
}

static int bwd_mask(enum frk_prec p, size_t es, int a, fr_int n, double alpha,
                    const uint8_t *mask, const void *dy, fr_int incdy,
                    void *dx, fr_int incdx)
{
    BAD(n < 0, 1);
    if (n == 0)
        return FR_OK;
    BAD(!mask, 2 + a);
    BAD(!dy, 3 + a); BAD(incdy == 0, 4 + a);
    BAD(!dx, 5 + a); BAD(incdx == 0, 6 + a);
    if (SMALL(n, incdy, incdx)) {
        size_t m = (size_t)n;
        if (contig_overlap(dx, dy, m, es) || contig_mask_overlap(mask, dx, m, es))
            return FR_EOVERLAP;
        (a ? ops_for(p)->leaky_bwd_mask : ops_for(p)->relu_bwd_mask)(m, alpha, mask, dy, dx);
        return FR_OK;
    }
    struct call c = {.kind = BWD_MASK, .n = (size_t)n, .es = es, .alpha = alpha,
                     .dy = {(char *)dy, incdy}, .y = {dx, incdx},
                     .mask = (uint8_t *)mask};
    if (overlaps(&c, &c.y, &c.dy) || mask_overlaps(&c, &c.y))
        return FR_EOVERLAP;
    c.fn.bwd_mask = a ? ops_for(p)->leaky_bwd_mask : ops_for(p)->relu_bwd_mask;
    return run(&c);
}

/* The 32 entry points. */
#define ENTRY_POINTS(P, T, S, PREC)                                            \
    int fr_##P##relu(fr_int n, const T *x, fr_int incx, T *y, fr_int incy)    \
    {                                                                          \
        return fwd(PREC, sizeof(T), 0, n, 0, x, incx, y, incy);                \
    }                                                                          \
    int fr_##P##leaky_relu(fr_int n, S alpha, const T *x, fr_int incx, T *y,  \
                           fr_int incy)                                        \
    {                                                                          \
        return fwd(PREC, sizeof(T), 1, n, alpha, x, incx, y, incy);            \
    }                                                                          \
    int fr_##P##relu_backward(fr_int n, const T *x, fr_int incx, const T *dy, \
                              fr_int incdy, T *dx, fr_int incdx)               \
    {                                                                          \
        return bwd(PREC, sizeof(T), 0, n, 0, x, incx, dy, incdy, dx, incdx);   \
    }                                                                          \
    int fr_##P##leaky_relu_backward(fr_int n, S alpha, const T *x,            \
                                    fr_int incx, const T *dy, fr_int incdy,    \
                                    T *dx, fr_int incdx)                       \
    {                                                                          \
        return bwd(PREC, sizeof(T), 1, n, alpha, x, incx, dy, incdy, dx,       \
                   incdx);                                                     \
    }                                                                          \
    int fr_##P##relu_mask(fr_int n, const T *x, fr_int incx, T *y,            \
                          fr_int incy, uint8_t *mask)                          \
    {                                                                          \
        return fwd_mask(PREC, sizeof(T), 0, n, 0, x, incx, y, incy, mask);     \
    }                                                                          \
    int fr_##P##leaky_relu_mask(fr_int n, S alpha, const T *x, fr_int incx,   \
                                T *y, fr_int incy, uint8_t *mask)              \
    {                                                                          \
        return fwd_mask(PREC, sizeof(T), 1, n, alpha, x, incx, y, incy, mask); \
    }                                                                          \
    int fr_##P##relu_backward_mask(fr_int n, const uint8_t *mask,             \
                                   const T *dy, fr_int incdy, T *dx,           \
                                   fr_int incdx)                               \
    {                                                                          \
        return bwd_mask(PREC, sizeof(T), 0, n, 0, mask, dy, incdy, dx, incdx); \
    }                                                                          \
    int fr_##P##leaky_relu_backward_mask(fr_int n, S alpha,                   \
                                         const uint8_t *mask, const T *dy,     \
                                         fr_int incdy, T *dx, fr_int incdx)    \
    {                                                                          \
        return bwd_mask(PREC, sizeof(T), 1, n, alpha, mask, dy, incdy, dx,     \
                        incdx);                                                \
    }

ENTRY_POINTS(s, float, float, FRK_S)
ENTRY_POINTS(d, double, double, FRK_D)
ENTRY_POINTS(h, fr_f16, float, FRK_H)
ENTRY_POINTS(b, fr_bf16, float, FRK_B)

const char *fr_strerror(int status)
{
    static const char *const args[] = {
        "argument 1 is invalid (n < 0)",
        "argument 2 is invalid (a NULL pointer or an increment of 0)",
        "argument 3 is invalid (a NULL pointer or an increment of 0)",
        "argument 4 is invalid (a NULL pointer or an increment of 0)",
        "argument 5 is invalid (a NULL pointer or an increment of 0)",
        "argument 6 is invalid (a NULL pointer or an increment of 0)",
        "argument 7 is invalid (a NULL pointer or an increment of 0)",
        "argument 8 is invalid (a NULL pointer or an increment of 0)",
    };
    switch (status) {
    case FR_OK: return "success";
    case FR_EOVERLAP: return "an output overlaps an input or another output";
    case FR_EUNSUPPORTED: return "the ISA is not available on this CPU or in this build";
    }
    if (status < 0 && status >= -8)
        return args[-status - 1];
    return status < 0 ? "an argument is invalid" : "unknown status";
}

#define STR_(x) #x
#define STR(x) STR_(x)

const char *fr_version(void)
{
    return STR(FASTRELU_VERSION_MAJOR) "." STR(FASTRELU_VERSION_MINOR) "." STR(
        FASTRELU_VERSION_PATCH);
}
