/* fastrelu_ab: two builds of libfastrelu side by side, the same calls interleaved, outputs compared bit for bit. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "fastrelu.h"

#define MAX_SIZES 16
#define MAX_SAMPLES 201

static const char usage[] =
    "usage: fastrelu_ab A.so B.so [--ops=relu,leaky_relu_mask,...|all] [--precisions=sdhb]\n"
    "  [--sizes=16K,256K] [--alpha=0.01] [--isa=auto|scalar|sse2|avx2|avx512|neon]\n"
    "  [--threads=1] [--samples=21] [--ms=2] [--offset=BYTES] [--inc=1] [--inplace]\n"
    "Each call runs in both builds, in turns (A B B A ...), about ms milliseconds a\n"
    "sample; prints median GB/s (every byte read or written counted once, as in\n"
    "fastrelu_bench), the quartiles and B/A, and whether the outputs are the same bits.\n"
    "x sits at a page boundary; y, dx and the mask start offset bytes after one.\n"
    "--inc: the increment of every strided argument (x, dy, y); the outputs are\n"
    "compared over their whole span, gaps included.\n"
    "--inplace: y = x (forwards), dx = dy (backwards), each build on its own copy;\n"
    "the timed calls see their own earlier output, so leaky ones want --alpha=1.\n"
    "Exit status 1 where any output differs. A and B must be different files.\n";

struct lib {
    const char *path;
    void *h;
    void *fn[OP_COUNT][P_COUNT];
};

/* One call of op in precision prec through lib's entry point. */
static int call(const struct lib *l, int op, int prec, fr_int n, fr_int inc, double alpha,
                const void *x, const void *dy, const uint8_t *mask, void *y, uint8_t *mout)
{
    void *f = l->fn[op][prec];
    int d = prec == P_D;
    float a = (float)alpha;
    switch (op) {
    case OP_RELU:
        return ((int (*)(fr_int, const void *, fr_int, void *, fr_int))f)(n, x, inc, y, inc);
    case OP_LEAKY:
        return d ? ((int (*)(fr_int, double, const void *, fr_int, void *, fr_int))f)(
                       n, alpha, x, inc, y, inc)
                 : ((int (*)(fr_int, float, const void *, fr_int, void *, fr_int))f)(
                       n, a, x, inc, y, inc);
    case OP_RELU_BWD:
        return ((int (*)(fr_int, const void *, fr_int, const void *, fr_int, void *, fr_int))f)(
            n, x, inc, dy, inc, y, inc);
    case OP_LEAKY_BWD:
        return d ? ((int (*)(fr_int, double, const void *, fr_int, const void *, fr_int, void *,
                             fr_int))f)(n, alpha, x, inc, dy, inc, y, inc)
                 : ((int (*)(fr_int, float, const void *, fr_int, const void *, fr_int, void *,
                             fr_int))f)(n, a, x, inc, dy, inc, y, inc);
    case OP_RELU_MASK:
        return ((int (*)(fr_int, const void *, fr_int, void *, fr_int, uint8_t *))f)(
            n, x, inc, y, inc, mout);
    case OP_LEAKY_MASK:
        return d ? ((int (*)(fr_int, double, const void *, fr_int, void *, fr_int, uint8_t *))f)(
                       n, alpha, x, inc, y, inc, mout)
                 : ((int (*)(fr_int, float, const void *, fr_int, void *, fr_int, uint8_t *))f)(
                       n, a, x, inc, y, inc, mout);
    case OP_RELU_BWD_MASK:
        return ((int (*)(fr_int, const uint8_t *, const void *, fr_int, void *, fr_int))f)(
            n, mask, dy, inc, y, inc);
    default:
        return d ? ((int (*)(fr_int, double, const uint8_t *, const void *, fr_int, void *,
                             fr_int))f)(n, alpha, mask, dy, inc, y, inc)
                 : ((int (*)(fr_int, float, const uint8_t *, const void *, fr_int, void *,
                             fr_int))f)(n, a, mask, dy, inc, y, inc);
    }
}

static int load(struct lib *l, fr_isa isa, int threads)
{
    char name[64];
    l->h = dlopen(l->path, RTLD_NOW | RTLD_LOCAL);
    if (!l->h) {
        fprintf(stderr, "fastrelu_ab: %s\n", dlerror());
        return -1;
    }
    for (int op = 0; op < OP_COUNT; op++)
        for (int p = 0; p < P_COUNT; p++) {
            snprintf(name, sizeof name, "fr_%c%s", prec_char[p], op_name[op]);
            if (!(l->fn[op][p] = dlsym(l->h, name))) {
                fprintf(stderr, "fastrelu_ab: %s has no %s\n", l->path, name);
                return -1;
            }
        }
    int (*set_isa)(fr_isa) = (int (*)(fr_isa))dlsym(l->h, "fr_set_isa");
    int (*set_threads)(int) = (int (*)(int))dlsym(l->h, "fr_set_num_threads");
    if (!set_isa || !set_threads || set_threads(threads) != FR_OK) {
        fprintf(stderr, "fastrelu_ab: %s: fr_set_num_threads(%d) failed\n", l->path, threads);
        return -1;
    }
    if (set_isa(isa) != FR_OK) {
        fprintf(stderr, "fastrelu_ab: %s: this CPU cannot run the ISA asked for\n", l->path);
        return -1;
    }
    return 0;
}

/* "A = path (version, ISA in use)" */
static void describe(const char *name, const struct lib *l)
{
    const char *(*version)(void) = (const char *(*)(void))dlsym(l->h, "fr_version");
    fr_isa (*get_isa)(void) = (fr_isa(*)(void))dlsym(l->h, "fr_get_isa");
    const char *(*isa_name)(fr_isa) = (const char *(*)(fr_isa))dlsym(l->h, "fr_isa_name");
    printf("%s = %s (%s, %s)\n", name, l->path, version ? version() : "?",
           get_isa && isa_name ? isa_name(get_isa()) : "?");
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *page_alloc(size_t bytes)
{
    void *p = NULL;
    if (posix_memalign(&p, 4096, bytes)) {
        fprintf(stderr, "fastrelu_ab: out of memory (%zu bytes)\n", bytes);
        exit(2);
    }
    memset(p, 0, bytes);
    return p;
}

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

static int parse_isa(const char *s, fr_isa *isa)
{
    static const char *const names[] = {"auto", "scalar", "sse2", "avx2", "avx512", "neon"};
    for (int k = 0; k < 6; k++)
        if (!strcmp(s, names[k])) {
            *isa = (fr_isa)k;
            return 0;
        }
    return -1;
}

static int parse_ops(const char *s, int *on)
{
    if (!strcmp(s, "all")) {
        for (int op = 0; op < OP_COUNT; op++)
            on[op] = 1;
        return 0;
    }
    while (*s) {
        size_t len = strcspn(s, ",");
        int op = 0;
        while (op < OP_COUNT && (strlen(op_name[op]) != len || strncmp(s, op_name[op], len)))
            op++;
        if (op == OP_COUNT)
            return -1;
        on[op] = 1;
        s += len + (s[len] == ',');
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct lib lib[2] = {{0}, {0}};
    int on[OP_COUNT] = {0}, inc = 1, threads = 1, samples = 21, nsizes = 2, differ = 0, any = 0,
        inplace = 0;
    size_t sizes[MAX_SIZES] = {16384, 262144}, offset = 0, nmax = 0;
    double alpha = 0.01, ms = 2;
    const char *precs = "sdhb";
    fr_isa isa = FR_ISA_AUTO;

    for (int k = 1; k < argc; k++) {
        const char *a = argv[k];
        int bad = 0;
        if (!strncmp(a, "--ops=", 6))
            bad = parse_ops(a + 6, on);
        else if (!strncmp(a, "--precisions=", 13))
            bad = !*(precs = a + 13) || strspn(precs, "sdhb") != strlen(precs);
        else if (!strncmp(a, "--sizes=", 8))
            bad = (nsizes = parse_sizes(a + 8, sizes, MAX_SIZES)) <= 0;
        else if (!strncmp(a, "--alpha=", 8))
            alpha = atof(a + 8);
        else if (!strncmp(a, "--isa=", 6))
            bad = parse_isa(a + 6, &isa);
        else if (!strncmp(a, "--threads=", 10))
            bad = (threads = atoi(a + 10)) < 1;
        else if (!strncmp(a, "--samples=", 10))
            bad = (samples = atoi(a + 10)) < 1 || samples > MAX_SAMPLES;
        else if (!strncmp(a, "--ms=", 5))
            bad = !((ms = atof(a + 5)) > 0);
        else if (!strncmp(a, "--inc=", 6))
            bad = (inc = atoi(a + 6)) < 1 || inc > 64;
        else if (!strcmp(a, "--inplace"))
            inplace = 1;
        else if (!strncmp(a, "--offset=", 9))
            offset = (size_t)strtoul(a + 9, NULL, 0) % 4096;
        else if (a[0] != '-' && !lib[1].path)
            lib[lib[0].path != NULL].path = a;
        else
            bad = 1;
        if (bad) {
            fprintf(stderr, "fastrelu_ab: bad argument %s\n%s", a, usage);
            return 2;
        }
    }
    if (!lib[1].path) {
        fputs(usage, stderr);
        return 2;
    }
    for (int op = 0; op < OP_COUNT; op++)
        any |= on[op];
    if (!any)
        parse_ops("relu,leaky_relu,relu_mask,leaky_relu_mask", on);
    if (load(&lib[0], isa, threads) || load(&lib[1], isa, threads))
        return 2;
    if (lib[0].h == lib[1].h) {
        fprintf(stderr, "fastrelu_ab: %s and %s are one library to the loader: copy one\n",
                lib[0].path, lib[1].path);
        return 2;
    }
    for (int k = 0; k < nsizes; k++)
        nmax = sizes[k] > nmax ? sizes[k] : nmax;

    size_t vb = 8 * nmax * (size_t)inc + offset, mb = nmax * (size_t)inc / 8 + 1 + offset;
    unsigned char *x = page_alloc(vb), *dy = page_alloc(vb), *mask = page_alloc(mb);
    unsigned char *y[2] = {page_alloc(vb), page_alloc(vb)};
    unsigned char *mout[2] = {page_alloc(mb), page_alloc(mb)};

    describe("A", &lib[0]);
    describe("B", &lib[1]);
    printf("%d thread(s), alpha %g, increment %d, offset %zu,%s %d samples of about %g ms, "
           "A and B in turns; GB/s: median (quartiles)\n",
           threads, alpha, inc, offset, inplace ? " in place," : "", samples, ms);
    printf("%-25s %c %9s %22s %22s %6s  %s\n", "op", 'p', "n", "A GB/s", "B GB/s", "B/A",
           "outputs");

    for (int si = 0; si < nsizes; si++)
        for (const char *pc = precs; *pc; pc++) {
            int prec = (int)(strchr(prec_char, *pc) - prec_char);
            size_t n = sizes[si], yb = n * (size_t)inc * prec_size[prec];
            fill(prec, n * (size_t)inc, x, dy, mask, 0x9e3779b97f4a7c15ull);
            for (int op = 0; op < OP_COUNT; op++) {
                double t[2][MAX_SAMPLES], med[2], q1[2], q3[2];
                double bytes = (double)op_bytes(op, prec, n);
                long reps = 1;
                int same, rc[2], back = op == OP_RELU_BWD || op == OP_LEAKY_BWD ||
                                        op == OP_RELU_BWD_MASK || op == OP_LEAKY_BWD_MASK;
                /* the inputs each build's calls read: in place, its own y */
                const void *xs[2] = {x, x}, *dys[2] = {dy, dy};
                if (!on[op])
                    continue;
                for (int k = 0; k < 2; k++) {
                    if (inplace) {
                        memcpy(y[k] + offset, back ? dy : x, yb);
                        *(back ? &dys[k] : &xs[k]) = y[k] + offset;
                    } else
                        memset(y[k] + offset, 0x5a, yb);
                    memset(mout[k] + offset, 0x5a, (n + 7) / 8);
                    rc[k] = call(&lib[k], op, prec, (fr_int)n, inc, alpha, xs[k], dys[k], mask,
                                 y[k] + offset, mout[k] + offset);
                }
                same = rc[0] == rc[1] && !memcmp(y[0] + offset, y[1] + offset, yb) &&
                       !memcmp(mout[0] + offset, mout[1] + offset, (n + 7) / 8);
                differ |= !same;
                /* reps so that one sample of A takes about ms */
                for (;;) {
                    double t0 = now();
                    for (long r = 0; r < reps; r++)
                        call(&lib[0], op, prec, (fr_int)n, inc, alpha, xs[0], dys[0], mask,
                             y[0] + offset, mout[0] + offset);
                    if (now() - t0 > ms * 1e-3 || reps > (1L << 30))
                        break;
                    reps *= 2;
                }
                for (int s = 0; s < samples; s++)
                    for (int j = 0; j < 2; j++) {
                        int k = j ^ (s & 1);
                        double t0 = now();
                        for (long r = 0; r < reps; r++)
                            call(&lib[k], op, prec, (fr_int)n, inc, alpha, xs[k], dys[k], mask,
                                 y[k] + offset, mout[k] + offset);
                        t[k][s] = bytes * (double)reps / (now() - t0) * 1e-9;
                    }
                for (int k = 0; k < 2; k++) {
                    qsort(t[k], (size_t)samples, sizeof t[k][0], cmp_double);
                    med[k] = t[k][samples / 2];
                    q1[k] = t[k][samples / 4];
                    q3[k] = t[k][(3 * samples) / 4];
                }
                printf("%-25s %c %9zu %8.1f (%5.1f-%5.1f) %8.1f (%5.1f-%5.1f) %5.2fx  %s\n",
                       op_name[op], *pc, n, med[0], q1[0], q3[0], med[1], q1[1], q3[1],
                       med[1] / med[0], same ? "same" : "DIFFER");
                fflush(stdout);
            }
        }
    return differ;
}
