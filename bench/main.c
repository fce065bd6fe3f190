/* Benchmark driver: every operation x precision x kernel table, the peers and the rooflines, one run. */
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "fastrelu.h"
#include "kernels.h"

#define ALPHA 0.01
/* The in-place leaky rows' alpha: with 1 every call sees the same data, where
   0.01 would shrink the negatives call after call into subnormals (slow on
   some cores) and then zeros. Every alpha in (0, 1] takes the same kernel path. */
#define INPLACE_ALPHA 1.0
#define CHECK_N 1037 /* odd, so the checks reach every kernel's tail */
#define MAX_LIST 32

enum kind {
    K_FR, K_PEER, K_COPY, K_LOOP, K_STREAM2, K_NTCOPY, K_NTSTREAM2, K_RMW, K_RMW16, K_RMW64,
    K_RMW2, K_RMW2_64
};

struct impl {
    char name[24];
    int kind, isa;
    const struct peer *peer;
};

struct row {
    int kind, op, prec, threads, wrong, real_time;
    size_t n;
    const struct impl *im;
    int inc;     /* 2 in the strided relu rows, else 1 */
    int inplace; /* y = x (forwards), dx = dy (backwards), on a copy of x or dy */
};

static struct opts {
    size_t sizes[MAX_LIST];
    int nsizes;
    unsigned all_prec, relu_prec; /* bit p: every op / relu only for precision p */
    int threads[MAX_LIST], nthreads;
    unsigned sweep_ops;
    int reps;
    double min_time;
    const char *mode;
} opt;

/* ---- the options ---- */

static unsigned parse_precs(const char *s)
{
    unsigned m = 0;
    for (; *s; s++) {
        const char *p = strchr(prec_char, *s);
        if (*s != ',' && p)
            m |= 1u << (p - prec_char);
    }
    return m;
}

static int parse_ints(const char *s, int *out)
{
    int k = 0;
    while (*s && k < MAX_LIST) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || v < 1)
            return -1;
        out[k++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return k;
}

static void preset(const char *mode)
{
    static const size_t five[] = {1 << 10, 16 << 10, 256 << 10, 4 << 20, 64 << 20};
    static const size_t nine[] = {1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10,
                                  1 << 20, 4 << 20, 16 << 20, 64 << 20};
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

    opt.mode = mode;
    opt.nthreads = 0;
    for (long t = 1; t <= ncpu && t <= MAX_LIST; t++)
        opt.threads[opt.nthreads++] = (int)t;
    opt.sweep_ops = 1u << OP_RELU;
    if (!strcmp(mode, "full")) {
        memcpy(opt.sizes, nine, sizeof nine);
        opt.nsizes = 9;
        opt.all_prec = 0xf;
        opt.relu_prec = 0;
        opt.sweep_ops |= 1u << OP_RELU_BWD;
        opt.reps = 5;
        opt.min_time = 0.1;
    } else if (!strcmp(mode, "tiny")) {
        opt.sizes[0] = 1 << 10;
        opt.nsizes = 1;
        opt.all_prec = 1u << P_S;
        opt.relu_prec = 0xe;
        opt.threads[0] = 1;
        opt.threads[1] = 2;
        opt.nthreads = 2;
        opt.reps = 1;
        opt.min_time = 0.002;
    } else {
        opt.mode = "quick";
        memcpy(opt.sizes, five, sizeof five);
        opt.nsizes = 5;
        opt.all_prec = 1u << P_S;
        opt.relu_prec = 0xe;
        opt.reps = 3;
        opt.min_time = 0.02;
    }
}

static void usage(void)
{
    fprintf(stderr,
            "usage: fastrelu_bench [--quick|--full|--tiny] [--sizes=1K,16K,...]\n"
            "  [--precisions=sdhb (every op)] [--relu-precisions=dhb (relu only)]\n"
            "  [--threads=1,2 (sweep at the largest size)] [--reps=N] [--min-time=S]\n"
            "  [Google Benchmark flags: --benchmark_filter=, --benchmark_out=, ...]\n");
}

/* Takes our options out of argv, leaving Google Benchmark's. */
static int parse_args(int *argc, char **argv)
{
    int k = 1;
    preset("quick");
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--quick") || !strcmp(a, "--full") || !strcmp(a, "--tiny"))
            preset(a + 2);
        else if (!strncmp(a, "--sizes=", 8)) {
            if ((opt.nsizes = parse_sizes(a + 8, opt.sizes, MAX_LIST)) <= 0)
                return -1;
        } else if (!strncmp(a, "--precisions=", 13))
            opt.all_prec = parse_precs(a + 13);
        else if (!strncmp(a, "--relu-precisions=", 18))
            opt.relu_prec = parse_precs(a + 18);
        else if (!strncmp(a, "--threads=", 10)) {
            if ((opt.nthreads = parse_ints(a + 10, opt.threads)) <= 0)
                return -1;
        } else if (!strncmp(a, "--reps=", 7)) {
            if ((opt.reps = atoi(a + 7)) < 1)
                return -1;
        } else if (!strncmp(a, "--min-time=", 11)) {
            if ((opt.min_time = atof(a + 11)) <= 0)
                return -1;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage();
            return -1;
        } else
            argv[k++] = argv[i];
    }
    *argc = k;
    argv[k] = NULL;
    for (int i = 1; i < opt.nsizes; i++)
        for (int j = i; j > 0 && opt.sizes[j - 1] > opt.sizes[j]; j--) {
            size_t t = opt.sizes[j];
            opt.sizes[j] = opt.sizes[j - 1];
            opt.sizes[j - 1] = t;
        }
    return 0;
}

/* One set of buffers at the largest size, reused by every row; refilled when
   the precision or the size changes (rows run grouped by size and precision). */
static struct {
    unsigned char *x, *dy, *y;
    uint8_t *mask, *mout;
    size_t bytes, masks;
    int prec;
    size_t n;
} pool = {.prec = -1};

static void *big_alloc(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 4096, bytes ? bytes : 1)) {
        fprintf(stderr, "fastrelu_bench: out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    memset(p, 0, bytes); /* touch every page before timing */
    return p;
}

static void pool_ready(int prec, size_t n)
{
    if (!pool.x) {
        pool.x = big_alloc(pool.bytes);
        pool.dy = big_alloc(pool.bytes);
        pool.y = big_alloc(pool.bytes);
        pool.mask = big_alloc(pool.masks);
        pool.mout = big_alloc(pool.masks);
    }
    if (prec != pool.prec || n != pool.n) {
        fill(prec, n, pool.x, pool.dy, pool.mask, 0x9e3779b97f4a7c15ull);
        pool.prec = prec;
        pool.n = n;
    }
}

/* ---- fastrelu seen as a peer ---- */

static int fr_supports(int op, int prec) { (void)op; (void)prec; return 1; }

static int fr_prepare(struct call *c)
{
    if (fr_set_isa((fr_isa)c->isa) != FR_OK)
        return -1;
    if (fr_set_num_threads(c->threads) != FR_OK) {
        fr_set_isa(FR_ISA_AUTO);
        return -1;
    }
    return 0;
}

static void fr_release(struct call *c)
{
    (void)c;
    fr_set_isa(FR_ISA_AUTO);
    fr_set_num_threads(1);
}

#define FR_OPS(P, T, S)                                                        \
    switch (c->op) {                                                           \
    case OP_RELU: fr_##P##relu(n, c->x, c->inc, c->y, c->inc); break;          \
    case OP_LEAKY: fr_##P##leaky_relu(n, (S)c->alpha, c->x, 1, c->y, 1); break; \
    case OP_RELU_BWD: fr_##P##relu_backward(n, c->x, 1, c->dy, 1, c->y, 1); break; \
    case OP_LEAKY_BWD:                                                         \
        fr_##P##leaky_relu_backward(n, (S)c->alpha, c->x, 1, c->dy, 1, c->y, 1); \
        break;                                                                 \
    case OP_RELU_MASK: fr_##P##relu_mask(n, c->x, 1, c->y, 1, c->mout); break; \
    case OP_LEAKY_MASK:                                                        \
        fr_##P##leaky_relu_mask(n, (S)c->alpha, c->x, 1, c->y, 1, c->mout);    \
        break;                                                                 \
    case OP_RELU_BWD_MASK:                                                     \
        fr_##P##relu_backward_mask(n, c->mask, c->dy, 1, c->y, 1);             \
        break;                                                                 \
    case OP_LEAKY_BWD_MASK:                                                    \
        fr_##P##leaky_relu_backward_mask(n, (S)c->alpha, c->mask, c->dy, 1, c->y, 1); \
        break;                                                                 \
    }

static void fr_run(struct call *c)
{
    fr_int n = (fr_int)c->n;
    switch (c->prec) {
    case P_S: FR_OPS(s, float, float) break;
    case P_D: FR_OPS(d, double, double) break;
    case P_H: FR_OPS(h, fr_f16, float) break;
    default: FR_OPS(b, fr_bf16, float) break;
    }
}

static const struct peer peer_fr = {"fastrelu", fr_supports, fr_prepare, fr_run, fr_release};

/* ---- the plain loops ---- */

static int plain_prepare(struct call *c) { (void)c; return 0; }
static void plain_release(struct call *c) { (void)c; }
static const struct peer peer_plain_base = {"plain_O3", plain_supports, plain_prepare,
                                            plain_base_call, plain_release};
#ifdef BENCH_HAVE_PLAIN_AVX2
static const struct peer peer_plain_avx2 = {"plain_O3_avx2", plain_supports, plain_prepare,
                                            plain_avx2_call, plain_release};
#endif

/* ---- rooflines: memcpy or a copy loop, and c = a + b (two streams in, one out) ---- */

static void (*copyloop)(size_t, const void *, void *, uint32_t) = plain_base_copy;
static void (*stream2)(size_t, const void *, const void *, void *) = plain_base_stream2;
static void (*rmwloop)(size_t, void *, uint32_t) = plain_base_rmw;
static void (*rmw2loop)(size_t, void *, const void *, uint32_t) = plain_base_rmw2;
static volatile uint32_t zero_key; /* 0, but not a constant the compiler may see */

/* The same loops with non-temporal stores: what memory allows once the data
   no longer fits the caches (the kernels stream there, glibc's memcpy only
   past its own threshold). */
#if defined(__SSE2__)
#include <emmintrin.h>
static void nt_loop(size_t nbytes, const unsigned char *a, const unsigned char *b,
                    unsigned char *c)
{
    size_t i = 0;
    for (; i < nbytes && ((uintptr_t)(c + i) & 15); i++)
        c[i] = (unsigned char)(a[i] + (b ? b[i] : 0));
    for (; i + 64 <= nbytes; i += 64)
        for (int k = 0; k < 64; k += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(a + i + k));
            if (b)
                v = _mm_add_epi32(v, _mm_loadu_si128((const __m128i *)(b + i + k)));
            _mm_stream_si128((__m128i *)(c + i + k), v);
        }
    for (; i < nbytes; i++)
        c[i] = (unsigned char)(a[i] + (b ? b[i] : 0));
    _mm_sfence();
}
#else
static void nt_loop(size_t nbytes, const unsigned char *a, const unsigned char *b,
                    unsigned char *c)
{
    if (b)
        stream2(nbytes, a, b, c);
    else
        memcpy(c, a, nbytes);
}
#endif

/* In place, one 64-byte line a step (a ^= k, k = 0): four 16-byte vectors,
   or one AVX-512 vector where the CPU has it. On some cores these beat the
   compiler's loop (rmwloop) where the data sits in the L3 or beyond. */
#if defined(__SSE2__)
static void rmw_line(size_t nbytes, unsigned char *a, uint32_t k)
{
    __m128i kk = _mm_set1_epi32((int)k);
    size_t i = 0;
    for (; i < nbytes && ((uintptr_t)(a + i) & 63); i++)
        a[i] ^= (unsigned char)k;
    for (; i + 64 <= nbytes; i += 64)
        for (int j = 0; j < 64; j += 16) {
            __m128i *p = (__m128i *)(a + i + j);
            _mm_store_si128(p, _mm_xor_si128(_mm_load_si128(p), kk));
        }
    for (; i < nbytes; i++)
        a[i] ^= (unsigned char)k;
}
#define HAVE_RMW_LINE 1
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
__attribute__((target("avx512f"))) static void rmw_zmm(size_t nbytes, unsigned char *a,
                                                       uint32_t k)
{
    __m512i kk = _mm512_set1_epi32((int)k);
    size_t i = 0;
    for (; i < nbytes && ((uintptr_t)(a + i) & 63); i++)
        a[i] ^= (unsigned char)k;
    for (; i + 64 <= nbytes; i += 64) {
        void *p = a + i;
        _mm512_store_si512(p, _mm512_xor_si512(_mm512_load_si512(p), kk));
    }
    for (; i < nbytes; i++)
        a[i] ^= (unsigned char)k;
}

/* The in-place backwards' loop, a ^= b & k, one 64-byte line a step. */
__attribute__((target("avx512f"))) static void rmw2_zmm(size_t nbytes, unsigned char *a,
                                                        const unsigned char *b, uint32_t k)
{
    __m512i kk = _mm512_set1_epi32((int)k);
    size_t i = 0;
    for (; i < nbytes && ((uintptr_t)(a + i) & 63); i++)
        a[i] ^= (unsigned char)(b[i] & k);
    for (; i + 64 <= nbytes; i += 64) {
        void *p = a + i;
        __m512i v = _mm512_and_si512(_mm512_loadu_si512(b + i), kk);
        _mm512_store_si512(p, _mm512_xor_si512(_mm512_load_si512(p), v));
    }
    for (; i < nbytes; i++)
        a[i] ^= (unsigned char)(b[i] & k);
}
#define HAVE_RMW_ZMM 1
#endif

struct part {
    int kind;
    size_t len;
    const unsigned char *a, *b;
    unsigned char *c;
};

static void part_run(const struct part *p)
{
    if (p->kind == K_COPY)
        memcpy(p->c, p->a, p->len);
    else if (p->kind == K_LOOP)
        copyloop(p->len, p->a, p->c, zero_key);
    else if (p->kind == K_NTCOPY)
        nt_loop(p->len, p->a, NULL, p->c);
    else if (p->kind == K_NTSTREAM2)
        nt_loop(p->len, p->a, p->b, p->c);
    else if (p->kind == K_RMW)
        rmwloop(p->len, p->c, zero_key);
#ifdef HAVE_RMW_LINE
    else if (p->kind == K_RMW16)
        rmw_line(p->len, p->c, zero_key);
#endif
#ifdef HAVE_RMW_ZMM
    else if (p->kind == K_RMW64)
        rmw_zmm(p->len, p->c, zero_key);
    else if (p->kind == K_RMW2_64)
        rmw2_zmm(p->len, p->c, p->a, zero_key);
#endif
    else if (p->kind == K_RMW2)
        rmw2loop(p->len, p->c, p->a, zero_key);
    else
        stream2(p->len, p->a, p->b, p->c);
}

static void *part_thread(void *arg)
{
    part_run(arg);
    return NULL;
}

/* The roofline with t threads: the bytes split in t cache-line-aligned parts,
   none under 256 KiB (smaller parts gain less than a thread costs). */
static void roof_run(int kind, int t, size_t nbytes)
{
    struct part parts[MAX_LIST];
    pthread_t tid[MAX_LIST];
    size_t chunk, off = 0;
    int k = 0;

    if ((size_t)t > nbytes / (256 << 10))
        t = (int)(nbytes / (256 << 10));
    if (t < 1)
        t = 1;
    chunk = (nbytes / (size_t)t + 63) & ~(size_t)63;
    for (; k < t && off < nbytes; k++, off += chunk) {
        size_t len = nbytes - off < chunk ? nbytes - off : chunk;
        parts[k] = (struct part){kind, len, pool.x + off, pool.dy + off, pool.y + off};
    }
    for (int i = 1; i < k; i++)
        if (pthread_create(&tid[i], NULL, part_thread, &parts[i]))
            part_run(&parts[i]), tid[i] = 0;
    part_run(&parts[0]);
    for (int i = 1; i < k; i++)
        if (tid[i])
            pthread_join(tid[i], NULL);
}

/* The measured rooflines, one set of repetitions per (kind, prec, n, threads). */
struct roof {
    int kind, prec, threads;
    size_t n;
    double v[64];
    int nv;
};
static struct roof *roofs;
static int nroofs;

static struct roof *roof_find(int kind, int prec, size_t n, int threads, int create)
{
    for (int i = 0; i < nroofs; i++)
        if (roofs[i].kind == kind && roofs[i].prec == prec && roofs[i].n == n &&
            roofs[i].threads == threads)
            return &roofs[i];
    if (!create)
        return NULL;
    roofs = realloc(roofs, (size_t)(nroofs + 1) * sizeof *roofs);
    if (!roofs)
        exit(1);
    roofs[nroofs] = (struct roof){kind, prec, threads, n, {0}, 0};
    return &roofs[nroofs++];
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double roof_median(const struct roof *r)
{
    double v[64];
    memcpy(v, r->v, sizeof v);
    qsort(v, (size_t)r->nv, sizeof *v, cmp_double);
    return r->nv % 2 ? v[r->nv / 2] : (v[r->nv / 2 - 1] + v[r->nv / 2]) / 2;
}

static int is_roof(int kind) { return kind >= K_COPY; }

/* The roofline kind for a row: whichever roofline row of its family won, a
   copy for forwards (memcpy, the copy loop with ordinary stores, the copy
   with non-temporal stores), c = a + b for backwards (ordinary or
   non-temporal stores); an in-place loop for the in-place rows (the
   compiler's, or one line a step in 16- or 64-byte vectors), reading a
   second vector (b) for the in-place x-based backwards. */
static int roof_pick(const struct row *r)
{
    static const int fwd[] = {K_COPY, K_LOOP, K_NTCOPY, -1}, bwd[] = {K_STREAM2, K_NTSTREAM2, -1},
                     inp[] = {K_RMW, K_RMW16, K_RMW64, -1}, inp2[] = {K_RMW2, K_RMW2_64, -1};
    int back = r->op == OP_RELU_BWD || r->op == OP_LEAKY_BWD;
    const int *k = r->inplace ? (back ? inp2 : inp) : back ? bwd : fwd;
    int best = k[0];
    double mbest = -1;
    for (int i = 0; k[i] >= 0; i++) {
        struct roof *f = roof_find(k[i], r->prec, r->n, r->threads, 0);
        double m = f && f->nv ? roof_median(f) : 0;
        if (m > mbest)
            best = k[i], mbest = m;
    }
    return best;
}

static double now(int real_time)
{
    struct timespec ts;
    clock_gettime(real_time ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Vectors a roofline loop reads or writes: two in, one out, or one in and
   one out (in place: the same one read and written). */
static int roof_vectors(int kind)
{
    return kind == K_STREAM2 || kind == K_NTSTREAM2 || kind == K_RMW2 || kind == K_RMW2_64 ? 3
                                                                                           : 2;
}

/* The roofline measured right after the row, on the same buffers and clock,
   so that other load on a shared machine moves both alike: batches of 1, 2,
   4... calls, up to the row's iteration count or a fifth of min_time. */
static double roof_paired(const struct row *r, int64_t it)
{
    int kind = roof_pick(r);
    size_t nbytes = r->n * prec_size[r->prec];
    double per = (double)roof_vectors(kind) * (double)nbytes, t = 0;
    int64_t done = 0, batch = 1;

    while (done < it && t < 0.2 * opt.min_time) {
        double t0 = now(r->real_time);
        if (batch > it - done)
            batch = it - done;
        for (int64_t i = 0; i < batch; i++) {
            roof_run(kind, r->threads, nbytes);
            __asm__ volatile("" : : "r"(pool.y) : "memory");
        }
        t += now(r->real_time) - t0;
        done += batch;
        batch *= 2;
    }
    return t > 0 ? per * (double)done / t : 0;
}

static int roof_kind(int op)
{
    return op == OP_RELU_BWD || op == OP_LEAKY_BWD ? K_STREAM2 : K_COPY;
}

/* Bytes each call moves, every byte read or written counted once. */
static int64_t row_bytes(const struct row *r)
{
    if (is_roof(r->kind))
        return roof_vectors(r->kind) * (int64_t)(r->n * prec_size[r->prec]);
    return op_bytes(r->op, r->prec, r->n);
}

/* In place: the forwards' x, or the backwards' dy, copied to y and made y. */
static void make_inplace(struct call *c, size_t bytes)
{
    if (OP_IS_BWD(c->op)) {
        memcpy(c->y, c->dy, bytes);
        c->dy = c->y;
    } else {
        memcpy(c->y, c->x, bytes);
        c->x = c->y;
    }
}

/* ---- the benchmark body ---- */

static void run_row(bench_state *st, void *arg)
{
    const struct row *r = arg;
    int64_t it, bytes = row_bytes(r);
    double rate;

    if (r->wrong) {
        bench_skip(st, "wrong output: failed the check against the reference");
        return;
    }
    pool_ready(r->prec, r->n);
    if (is_roof(r->kind)) {
        size_t nbytes = r->n * prec_size[r->prec];
        while (bench_keep_running(st)) {
            roof_run(r->kind, r->threads, nbytes);
            __asm__ volatile("" : : "r"(pool.y) : "memory");
        }
    } else {
        struct call c = {r->op, r->prec, r->threads, r->im->isa, r->n, ALPHA,
                         pool.x, pool.dy, pool.mask, pool.y, pool.mout, NULL, r->inc};
        if (r->inplace) {
            make_inplace(&c, r->n * prec_size[r->prec]);
            c.alpha = INPLACE_ALPHA;
        }
        if (r->im->peer->prepare(&c)) {
            bench_skip(st, "unsupported");
            return;
        }
        while (bench_keep_running(st))
            r->im->peer->run(&c);
        r->im->peer->release(&c);
    }
    it = bench_iterations(st);
    bench_set_bytes(st, bytes * it);
    bench_set_items(st, (int64_t)r->n * it);
    rate = (double)(bytes * it) / bench_elapsed(st);
    if (is_roof(r->kind)) {
        struct roof *rf = roof_find(r->kind, r->prec, r->n, r->threads, 1);
        /* only the calls long enough to count (Google Benchmark's own final ones) */
        if (bench_elapsed(st) >= 0.5 * opt.min_time && rf->nv < 64)
            rf->v[rf->nv++] = rate;
    } else {
        double m = roof_paired(r, it);
        if (m > 0) {
            bench_counter(st, "roofline_Bps", m);
            bench_counter(st, "pct_roofline", 100.0 * rate / m);
        }
    }
}

/* ---- the checks, once per (implementation, op, precision) ---- */

static double value(int prec, const void *p, size_t i)
{
    switch (prec) {
    case P_S: return ((const float *)p)[i];
    case P_D: return ((const double *)p)[i];
    case P_H: return frk_h2f(((const uint16_t *)p)[i]);
    default: return frk_b2f(((const uint16_t *)p)[i]);
    }
}

/* 1: agrees with the reference; 0: wrong; -1: cannot run it. fastrelu must
   match bit for bit; a peer must match in value within its precision's
   rounding (-0.0 and +0.0 equal: the data holds no zero and no NaN).
   inplace: the call's y is x (forwards) or dy (backwards). */
static int check(const struct impl *im, int op, int prec, int inplace, double alpha)
{
    static const double rel[P_COUNT] = {1e-6, 1e-14, 2e-3, 1e-2};
    static const double abs_tol[P_COUNT] = {1e-37, 1e-300, 1.2e-7, 1e-37};
    static unsigned char *x, *dy, *y, *ref;
    static uint8_t *mask, *mout, *mref;
    size_t n = CHECK_N, nb = (CHECK_N + 7) / 8, es = prec_size[prec];
    int mfwd = op == OP_RELU_MASK || op == OP_LEAKY_MASK, res = 1;

    if (!x) {
        x = big_alloc(8 * n), dy = big_alloc(8 * n), y = big_alloc(8 * n), ref = big_alloc(8 * n);
        mask = big_alloc(nb), mout = big_alloc(nb), mref = big_alloc(nb);
    }
    fill(prec, n, x, dy, mask, 0x2545f4914f6cdd1dull + (uint64_t)prec);
    struct call rc = {op, prec, 1, FR_ISA_SCALAR, n, alpha, x, dy, mask, ref,
                      mfwd ? mref : NULL, NULL, 1};
    struct call c = {op, prec, 1, im->isa, n, alpha, x, dy, mask, y, mout, NULL, 1};
    ref_call(&rc);
    memset(y, 0xa5, 8 * n);
    if (inplace)
        make_inplace(&c, n * es);
    memset(mout, 0xa5, nb);
    if (im->peer->prepare(&c))
        return -1;
    im->peer->run(&c);
    im->peer->release(&c);

    if (mfwd && memcmp(mout, mref, nb))
        res = 0;
    if (im->kind == K_FR) {
        if (memcmp(y, ref, n * es))
            res = 0;
    } else {
        for (size_t i = 0; i < n && res; i++) {
            double a = value(prec, y, i), b = value(prec, ref, i);
            double tol = fmax(rel[prec] * fabs(b), abs_tol[prec]);
            if (!(fabs(a - b) <= tol)) {
                fprintf(stderr, "check %s %s%s/%c: element %zu is %g, expected %g\n",
                        im->name, op_name[op], inplace ? " in place" : "", prec_char[prec], i,
                        a, b);
                res = 0;
            }
        }
    }
    if (!res)
        fprintf(stderr,
                "fastrelu_bench: %s %s%s/%c (alpha %g) FAILED its check: reported as wrong, "
                "not timed\n",
                im->name, op_name[op], inplace ? " in place" : "", prec_char[prec], alpha);
    return res;
}

/* ---- registration ---- */

static struct impl impls[16];
static int nimpls;
/* [in place][impl][op][prec]: 0 not yet, 1 ok, 2 wrong, 3 unsupported */
static signed char checked[2][16][OP_COUNT][P_COUNT];
static struct impl roof_impl[10] = {
    {"memcpy", K_COPY, 0, NULL},      {"copyloop", K_LOOP, 0, NULL},
    {"stream2", K_STREAM2, 0, NULL},  {"ntcopy", K_NTCOPY, 0, NULL},
    {"ntstream2", K_NTSTREAM2, 0, NULL}, {"rmw", K_RMW, 0, NULL},
    {"rmw16", K_RMW16, 0, NULL},      {"rmw64", K_RMW64, 0, NULL},
    {"rmw2", K_RMW2, 0, NULL},        {"rmw2_64", K_RMW2_64, 0, NULL}};
static size_t max_bytes, max_n;
static int nrows;

static void add_impl(const char *name, int kind, int isa, const struct peer *p)
{
    struct impl *im = &impls[nimpls++];
    snprintf(im->name, sizeof im->name, "%s", name);
    im->kind = kind;
    im->isa = isa;
    im->peer = p;
}

/* round < 0: the row's repetitions run back to back (rooflines, the thread
   sweep); round k >= 0: its k-th repetition, registered on its own so that
   the implementations of one operation, precision and size take turns. */
static void add_row(int kind, int op, int prec, size_t n, int threads, const struct impl *im,
                    int sweep, int wrong, int inc, int inplace, int round)
{
    struct row *r = malloc(sizeof *r);
    char name[128];
    if (!r)
        exit(1);
    *r = (struct row){kind, op, prec, threads, wrong, sweep, n, im, inc, inplace};
    if (is_roof(kind))
        snprintf(name, sizeof name, "roofline/%c/%.20s/%zu", prec_char[prec], im->name, n);
    else if (inplace)
        snprintf(name, sizeof name, "%s_inplace/%c/%.20s/%zu", op_name[op], prec_char[prec],
                 im->name, n);
    else if (inc != 1)
        snprintf(name, sizeof name, "%s_inc%d/%c/%.20s/%zu", op_name[op], inc, prec_char[prec],
                 im->name, n);
    else
        snprintf(name, sizeof name, "%s/%c/%.20s/%zu", op_name[op], prec_char[prec], im->name, n);
    if (sweep)
        snprintf(name + strlen(name), sizeof name - strlen(name), "/threads:%d", threads);
    if (round >= 0 && opt.reps > 1)
        snprintf(name + strlen(name), sizeof name - strlen(name), "/round:%d", round + 1);
    bench_register(name, run_row, r, opt.min_time, round < 0 ? opt.reps : 1, sweep);
    if (n * prec_size[prec] * (size_t)inc > max_bytes)
        max_bytes = n * prec_size[prec] * (size_t)inc;
    if (n > max_n)
        max_n = n;
    nrows += round <= 0;
}

static unsigned ops_for(int prec)
{
    if (opt.all_prec >> prec & 1)
        return (1u << OP_COUNT) - 1;
    return opt.relu_prec >> prec & 1 ? 1u << OP_RELU : 0;
}

/* Checks on first use; returns the verdict (1 ok, 2 wrong, 3 unsupported).
   In place, with the timed alpha as well as ALPHA (1 alone would pass a
   leaky relu that copies). */
static int verdict(int i, int op, int prec, int inplace)
{
    signed char *v = &checked[inplace][i][op][prec];
    if (!impls[i].peer->supports(op, prec))
        return 3;
    if (!*v) {
        int c = check(&impls[i], op, prec, inplace, ALPHA);
        if (c == 1 && inplace && (op == OP_LEAKY || op == OP_LEAKY_BWD || op == OP_LEAKY_BWD_MASK))
            c = check(&impls[i], op, prec, inplace, INPLACE_ALPHA);
        *v = (signed char)(c == 1 ? 1 : c == 0 ? 2 : 3);
    }
    return *v;
}

/* The rows of one operation, precision and size, every implementation in
   turn, opt.reps rounds (odd rounds in reverse order): a slow spell of a
   shared machine then falls on all of them, not on one implementation's
   repetitions. inc 2: fastrelu's tables and the plain loops only. */
static void add_group(int op, int prec, size_t n, int inc, int inplace)
{
    for (int k = 0; k < opt.reps; k++)
        for (int j = 0; j < nimpls; j++) {
            int i = k % 2 ? nimpls - 1 - j : j, v;
            if (inc != 1 && !(impls[i].kind == K_FR || impls[i].peer == &peer_plain_base
#ifdef BENCH_HAVE_PLAIN_AVX2
                              || impls[i].peer == &peer_plain_avx2
#endif
                              ))
                continue;
            v = verdict(i, op, prec, inplace);
            if (v != 3)
                add_row(impls[i].kind, op, prec, n, 1, &impls[i], 0, v == 2, inc, inplace, k);
        }
}

static void register_all(void)
{
    for (int s = 0; s < opt.nsizes; s++) {
        size_t n = opt.sizes[s];
        for (int p = 0; p < P_COUNT; p++) {
            unsigned ops = ops_for(p), need = 0;
            for (int op = 0; op < OP_COUNT; op++)
                if (ops >> op & 1)
                    need |= 1u << roof_kind(op);
            if (need >> K_COPY & 1) {
                add_row(K_COPY, 0, p, n, 1, &roof_impl[0], 0, 0, 1, 0, -1);
                add_row(K_LOOP, 0, p, n, 1, &roof_impl[1], 0, 0, 1, 0, -1);
                add_row(K_NTCOPY, 0, p, n, 1, &roof_impl[3], 0, 0, 1, 0, -1);
            }
            if (need >> K_STREAM2 & 1) {
                add_row(K_STREAM2, 0, p, n, 1, &roof_impl[2], 0, 0, 1, 0, -1);
                add_row(K_NTSTREAM2, 0, p, n, 1, &roof_impl[4], 0, 0, 1, 0, -1);
            }
            for (int op = 0; op < OP_COUNT; op++)
                if (ops >> op & 1)
                    add_group(op, p, n, 1, 0);
            /* relu with increment 2 on x and y: every table against the
               plain loops (the same n elements, so the same bytes) */
            if (ops >> OP_RELU & 1)
                add_group(OP_RELU, p, n, 2, 0);
            /* in place, against the in-place streaming loops: the forwards
               and the mask backwards a ^= 0, the x-based backwards a ^= b & 0 */
            if (ops & (1u << OP_RELU | 1u << OP_LEAKY | 1u << OP_RELU_BWD_MASK |
                       1u << OP_LEAKY_BWD_MASK)) {
                add_row(K_RMW, 0, p, n, 1, &roof_impl[5], 0, 0, 1, 0, -1);
#ifdef HAVE_RMW_LINE
                add_row(K_RMW16, 0, p, n, 1, &roof_impl[6], 0, 0, 1, 0, -1);
#endif
#ifdef HAVE_RMW_ZMM
                if (__builtin_cpu_supports("avx512f"))
                    add_row(K_RMW64, 0, p, n, 1, &roof_impl[7], 0, 0, 1, 0, -1);
#endif
            }
            if (ops & (1u << OP_RELU_BWD | 1u << OP_LEAKY_BWD)) {
                add_row(K_RMW2, 0, p, n, 1, &roof_impl[8], 0, 0, 1, 0, -1);
#ifdef HAVE_RMW_ZMM
                if (__builtin_cpu_supports("avx512f"))
                    add_row(K_RMW2_64, 0, p, n, 1, &roof_impl[9], 0, 0, 1, 0, -1);
#endif
            }
            for (int op = 0; op < OP_COUNT; op++)
                if (ops >> op & 1 && op != OP_RELU_MASK && op != OP_LEAKY_MASK)
                    add_group(op, p, n, 1, 1);
        }
    }
    /* the thread sweep: fastrelu's automatic choice at the largest size, f32 */
    size_t n = opt.sizes[opt.nsizes - 1];
    const struct impl *fa = NULL;
    for (int i = 0; i < nimpls; i++)
        if (impls[i].kind == K_FR && impls[i].isa == FR_ISA_AUTO)
            fa = &impls[i];
    for (int t = 0; t < opt.nthreads; t++) {
        int th = opt.threads[t], need = 0;
        if (th < 2)
            continue; /* the single-threaded rows are the sweep's first point */
        for (int op = 0; op < OP_COUNT; op++)
            if (opt.sweep_ops >> op & 1)
                need |= 1 << roof_kind(op);
        if (need >> K_COPY & 1) {
            add_row(K_COPY, 0, P_S, n, th, &roof_impl[0], 1, 0, 1, 0, -1);
            add_row(K_LOOP, 0, P_S, n, th, &roof_impl[1], 1, 0, 1, 0, -1);
            add_row(K_NTCOPY, 0, P_S, n, th, &roof_impl[3], 1, 0, 1, 0, -1);
        }
        if (need >> K_STREAM2 & 1) {
            add_row(K_STREAM2, 0, P_S, n, th, &roof_impl[2], 1, 0, 1, 0, -1);
            add_row(K_NTSTREAM2, 0, P_S, n, th, &roof_impl[4], 1, 0, 1, 0, -1);
        }
        for (int op = 0; op < OP_COUNT; op++)
            if (opt.sweep_ops >> op & 1)
                add_row(K_FR, op, P_S, n, th, fa, 1,
                        verdict((int)(fa - impls), op, P_S, 0) == 2, 1, 0, -1);
    }
}

static void cpu_model(char *out, size_t len)
{
    char line[512], name[256] = "unknown", fam[32] = "", model[32] = "";
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        char *c = strchr(line, ':');
        if (line[0] == '\n')
            break; /* the first processor is enough */
        if (!c)
            continue;
        c++;
        c += strspn(c, " \t");
        c[strcspn(c, "\n")] = 0;
        if (!strncmp(line, "model name", 10))
            snprintf(name, sizeof name, "%s", c);
        else if (!strncmp(line, "cpu family", 10))
            snprintf(fam, sizeof fam, "%.20s", c);
        else if (!strncmp(line, "model\t", 6))
            snprintf(model, sizeof model, "%.20s", c);
    }
    if (f)
        fclose(f);
    if (fam[0] && model[0])
        snprintf(out, len, "%s (family %s model %s)", name, fam, model);
    else
        snprintf(out, len, "%s", name);
}

int main(int argc, char **argv)
{
    char buf[512], missing[256] = "", list[1024] = "";
    int first = 1, fr_wrong = 0, status;

    if (parse_args(&argc, argv)) {
        usage();
        return 2;
    }
    fr_init();
#if defined(BENCH_HAVE_PLAIN_AVX2)
    if (__builtin_cpu_supports("avx2")) {
        copyloop = plain_avx2_copy;
        stream2 = plain_avx2_stream2;
        rmwloop = plain_avx2_rmw;
        rmw2loop = plain_avx2_rmw2;
    }
#endif

    for (int isa = FR_ISA_SCALAR; isa <= FR_ISA_NEON; isa++)
        if (fr_isa_supported((fr_isa)isa)) {
            snprintf(buf, sizeof buf, "fr_%s", fr_isa_name((fr_isa)isa));
            add_impl(buf, K_FR, isa, &peer_fr);
        }
    add_impl("fr_auto", K_FR, FR_ISA_AUTO, &peer_fr);
    add_impl("plain_O3", K_PEER, 0, &peer_plain_base);
#if defined(BENCH_HAVE_PLAIN_AVX2)
    if (__builtin_cpu_supports("avx2"))
        add_impl("plain_O3_avx2", K_PEER, 0, &peer_plain_avx2);
#endif
#ifdef BENCH_HAVE_ONEDNN
    add_impl("onednn", K_PEER, 0, &peer_onednn);
#else
    strcat(missing, " onednn");
#endif
#ifdef BENCH_HAVE_XNNPACK
    add_impl("xnnpack", K_PEER, 0, &peer_xnnpack);
#else
    strcat(missing, " xnnpack");
#endif
#ifdef BENCH_HAVE_EIGEN
    add_impl("eigen", K_PEER, 0, &peer_eigen);
#else
    strcat(missing, " eigen");
#endif

    register_all();
    pool.bytes = max_bytes;
    pool.masks = (max_n + 7) / 8;

    cpu_model(buf, sizeof buf);
    bench_context("cpu_model", buf);
    bench_context("fastrelu_version", fr_version());
    bench_context("fastrelu_auto_isa", fr_isa_name(fr_get_isa()));
    bench_context("bench_mode", opt.mode);
    bench_context("peers_missing", missing[0] ? missing + 1 : "none");
    for (int i = 0; i < nimpls; i++)
        for (int op = 0; op < OP_COUNT; op++)
            for (int p = 0; p < P_COUNT; p++)
                for (int ip = 0; ip < 2; ip++) {
                    char one[80];
                    if (checked[ip][i][op][p] != 2)
                        continue;
                    fr_wrong |= impls[i].kind == K_FR;
                    snprintf(one, sizeof one, "%s%.24s%s/%c/%.20s", first ? "" : " ",
                             op_name[op], ip ? "_inplace" : "", prec_char[p], impls[i].name);
                    if (strlen(list) + strlen(one) < sizeof list)
                        strcat(list, one);
                    first = 0;
                }
    bench_context("checks_failed", list[0] ? list : "none");
    snprintf(buf, sizeof buf, "%g", ALPHA);
    bench_context("alpha", buf);
    bench_context("data", "uniform in [-1,1], no zero, no NaN; peers checked on it in value, "
                          "fastrelu bit for bit, once before timing");
    bench_context("inplace", "*_inplace rows: y = x (forwards), dx = dy (backwards), on a copy "
                             "of x or dy made before each row; the leaky ops with alpha 1 (so "
                             "every call sees the same data); roofline: the fastest in-place "
                             "loop, a ^= 0 (forwards, mask backwards: the compiler's rmw, one "
                             "line a step in 16-byte rmw16 or 64-byte vectors rmw64) or "
                             "a ^= b & 0 (x-based backwards: rmw2, rmw2_64)");
    fprintf(stderr, "fastrelu_bench: %s mode, %d rows, auto ISA %s, peers missing: %s\n",
            opt.mode, nrows, fr_isa_name(fr_get_isa()), missing[0] ? missing + 1 : "none");
    status = bench_run(argc, argv);
    if (fr_wrong)
        fprintf(stderr, "fastrelu_bench: a fastrelu kernel failed its check: %s\n", list);
    /* a wrong peer is reported in the table; a wrong fastrelu kernel fails the run */
    return status ? status : fr_wrong ? 3 : 0;
}
