/* Dispatch tests: FASTRELU_ISA / FASTRELU_NUM_THREADS in child processes, ISA switches under load, thread-count determinism. */
#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

/* The probe command: argv tail of this program (an emulator may come first). */
static char **probe;

struct result {
    char out[256], err[1024];
    int nerrlines;
};

static void read_all(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    ssize_t r;
    while (len + 1 < cap && (r = read(fd, buf + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    buf[len] = '\0';
    /* drain anything beyond the buffer */
    {
        char sink[256];
        while (read(fd, sink, sizeof sink) > 0)
            ;
    }
}

/* Run the probe with FASTRELU_ISA / FASTRELU_NUM_THREADS set to the given
   values (NULL: unset). */
static void run_probe(const char *isa, const char *threads, struct result *r)
{
    int out[2], err[2], status;
    pid_t pid;
    const char *p;

    assert_int_equal(pipe(out), 0);
    assert_int_equal(pipe(err), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        close(out[1]);
        close(err[1]);
        if (isa)
            setenv("FASTRELU_ISA", isa, 1);
        else
            unsetenv("FASTRELU_ISA");
        if (threads)
            setenv("FASTRELU_NUM_THREADS", threads, 1);
        else
            unsetenv("FASTRELU_NUM_THREADS");
        execvp(probe[0], probe);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    /* outputs are a line or two: well under a pipe's capacity */
    read_all(out[0], r->out, sizeof r->out);
    read_all(err[0], r->err, sizeof r->err);
    close(out[0]);
    close(err[0]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("probe (FASTRELU_ISA=%s FASTRELU_NUM_THREADS=%s) failed: "
                 "status 0x%x, stderr: %s", isa ? isa : "(unset)",
                 threads ? threads : "(unset)", status, r->err);
    r->nerrlines = 0;
    for (p = r->err; *p; p++)
        if (*p == '\n')
            r->nerrlines++;
    if (r->err[0] && r->err[strlen(r->err) - 1] != '\n')
        r->nerrlines++;
}

/* "name threads" as the probe prints it */
static void expect(const char *isa, const char *threads, const char *want_isa,
                   int want_threads, int want_warnings)
{
    struct result r;
    char want[64];
    run_probe(isa, threads, &r);
    snprintf(want, sizeof want, "%s %d\n", want_isa, want_threads);
    if (strcmp(r.out, want) != 0)
        fail_msg("FASTRELU_ISA=%s FASTRELU_NUM_THREADS=%s: printed \"%s\", "
                 "want \"%s\"", isa ? isa : "(unset)",
                 threads ? threads : "(unset)", r.out, want);
    if (r.nerrlines != want_warnings)
        fail_msg("FASTRELU_ISA=%s FASTRELU_NUM_THREADS=%s: %d lines on "
                 "stderr, want %d: \"%s\"", isa ? isa : "(unset)",
                 threads ? threads : "(unset)", r.nerrlines, want_warnings,
                 r.err);
}

static const char *auto_isa(void)
{
    static char name[256];
    struct result r;
    char *sp;
    run_probe(NULL, NULL, &r);
    assert_int_equal(r.nerrlines, 0);
    memcpy(name, r.out, sizeof name);
    sp = strchr(name, ' ');
    assert_non_null(sp);
    *sp = '\0';
    return name;
}

static void test_env_isa(void **state)
{
    static const char *const names[] = {"scalar", "sse2", "avx2", "avx512",
                                        "neon"};
    const char *best = auto_isa();
    int i, best_i = FR_ISA_SCALAR;
    (void)state;
    for (i = 0; i < 5; i++) {
        fr_isa isa = (fr_isa)(i + 1);
        char upper[16], mixed[16];
        size_t k;
        if (fr_isa_supported(isa))
            best_i = (int)isa;
        for (k = 0; names[i][k]; k++) {
            upper[k] = (char)toupper((unsigned char)names[i][k]);
            mixed[k] = k % 2 ? upper[k] : names[i][k];
        }
        upper[k] = mixed[k] = '\0';
        if (fr_isa_supported(isa)) {
            expect(names[i], NULL, names[i], 1, 0);
            expect(upper, NULL, names[i], 1, 0);
            expect(mixed, NULL, names[i], 1, 0);
        } else {
            expect(names[i], NULL, best, 1, 1);
            expect(upper, NULL, best, 1, 1);
        }
    }
    /* the automatic choice is the best this CPU runs */
    assert_string_equal(best, names[best_i - 1]);
    expect("", NULL, best, 1, 0);
    expect("bogus", NULL, best, 1, 1);
    expect("auto", NULL, best, 1, 0);
    expect("AUTO", NULL, best, 1, 0);
    expect("avx", NULL, best, 1, 1);
    expect("sse2 ", NULL, best, 1, 1);
    expect("avx2x", NULL, best, 1, 1);
#if defined(__x86_64__)
    expect("neon", NULL, best, 1, 1);
#endif
}

static void test_env_threads(void **state)
{
    const char *best = auto_isa();
    (void)state;
    expect(NULL, "1", best, 1, 0);
    expect(NULL, "2", best, 2, 0);
    expect(NULL, "4", best, 4, 0);
    expect(NULL, "0", best, 1, 1);
    expect(NULL, "-3", best, 1, 1);
    expect(NULL, "abc", best, 1, 1);
    expect(NULL, "3x", best, 1, 1);
    expect("bogus", "abc", best, 1, 2);
    expect("scalar", "3", "scalar", 3, 0);
}

/* ---- ISA switches while other threads compute ---- */

#define FLIP_N 200000
#define FLIP_ITERS 12

struct work {
    const float *x;
    const uint32_t *want_relu, *want_leaky;
    float alpha;
    int id, failures;
    atomic_int done;
};

static void *worker(void *arg)
{
    struct work *w = arg;
    float *y = tu_alloc(FLIP_N * sizeof(float));
    int it;
    for (it = 0; it < FLIP_ITERS; it++) {
        int leaky = (it + w->id) % 2;
        int rc = leaky ? fr_sleaky_relu(FLIP_N, w->alpha, w->x, 1, y, 1)
                       : fr_srelu(FLIP_N, w->x, 1, y, 1);
        if (rc != FR_OK ||
            memcmp(y, leaky ? w->want_leaky : w->want_relu,
                   FLIP_N * sizeof(float)) != 0)
            w->failures++;
    }
    free(y);
    atomic_store(&w->done, 1);
    return NULL;
}

static void test_flip_isa(void **state)
{
    uint64_t rng = 41;
    float *x = tu_alloc(FLIP_N * sizeof(float));
    uint32_t *wr = tu_alloc(FLIP_N * 4), *wl = tu_alloc(FLIP_N * 4);
    float alpha = 0.01f;
    pthread_t th[4];
    struct work w[4];
    fr_isa start = fr_get_isa();
    int i, flips = 0, failures = 0;
    (void)state;
    tu_fill(REF_S, x, FLIP_N, &rng);
    ref_call(REF_S, REF_RELU, FLIP_N, 0, x, 1, NULL, 1, wr, 1, NULL);
    ref_call(REF_S, REF_LEAKY, FLIP_N, alpha, x, 1, NULL, 1, wl, 1, NULL);
    for (i = 0; i < 4; i++) {
        w[i].x = x;
        w[i].want_relu = wr;
        w[i].want_leaky = wl;
        w[i].alpha = alpha;
        w[i].id = i;
        w[i].failures = 0;
        atomic_init(&w[i].done, 0);
        assert_int_equal(pthread_create(&th[i], NULL, worker, &w[i]), 0);
    }
    /* flip until the workers are done; join in order */
    for (i = 0; i < 4; i++) {
        for (;;) {
            int isa;
            for (isa = FR_ISA_AUTO; isa <= FR_ISA_NEON; isa++)
                if (fr_isa_supported((fr_isa)isa)) {
                    assert_int_equal(fr_set_isa((fr_isa)isa), FR_OK);
                    flips++;
                }
            assert_int_equal(fr_set_num_threads(1 + flips % 3), FR_OK);
            if (atomic_load(&w[i].done))
                break;
            usleep(100);
        }
        pthread_join(th[i], NULL);
        failures += w[i].failures;
    }
    fr_set_isa(start);
    fr_set_num_threads(0);
    free(x);
    free(wr);
    free(wl);
    if (failures)
        fail_msg("%d wrong results while switching ISAs", failures);
}

/* ---- threads: identical bits for 1..4 threads ---- */

static void test_thread_counts(void **state)
{
    static const struct { int prec; fr_int n, inc; } shapes[] = {
        {REF_S, 1 << 20, 1},   /* 4 MB */
        {REF_D, 600000, 1},    /* 4.8 MB */
        {REF_H, 1 << 20, 1},   /* 2 MB */
        {REF_B, 300000, 1},
        {REF_S, 200000, -2},   /* strided: blocks and threads together */
        {REF_H, 150000, 3},
    };
    uint64_t rng = 42;
    size_t si;
    int op, t;
    (void)state;
    for (si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        int prec = shapes[si].prec;
        fr_int n = shapes[si].n, inc = shapes[si].inc;
        fr_int sp = 1 + (n - 1) * (inc < 0 ? -inc : inc);
        size_t es = tu_esize(prec), bytes = (size_t)sp * es, nb = (size_t)(n + 7) / 8;
        uint8_t *x = tu_alloc(bytes), *dy = tu_alloc(bytes), *y = tu_alloc(bytes);
        uint8_t *want = tu_alloc(bytes), *m = tu_alloc(nb), *wm = tu_alloc(nb);
        uint8_t *min = tu_alloc(nb);
        tu_fill(prec, x, (size_t)sp, &rng);
        tu_fill(prec, dy, (size_t)sp, &rng);
        tu_fill_bytes(min, nb, &rng);
        for (op = 0; op < REF_NOPS; op++) {
            /* the longest runs take every op only once */
            double alpha = tu_alpha(prec, 1 + op % 5);
            if (n >= 1 << 20 && op != REF_LEAKY && op != REF_LEAKY_MASK &&
                op != REF_LEAKY_BWD && op != REF_RELU)
                continue;
            memset(want, 0x3c, bytes);
            memcpy(wm, min, nb);
            ref_call(prec, op, n, alpha, x, inc, dy, inc, want, inc, wm);
            for (t = 1; t <= 4; t++) {
                assert_int_equal(fr_set_num_threads(t), FR_OK);
                memset(y, 0x3c, bytes);
                memcpy(m, min, nb);
                /* every other shape after a pause longer than the pool
                   polls (threads.c: SPIN_NS), so that calls also find the
                   workers asleep and run on fewer parts */
                if (si % 2)
                    usleep(1000);
                assert_int_equal(tu_api(prec, op, n, alpha, x, inc, dy, inc, y,
                                        inc, m), FR_OK);
                if (memcmp(y, want, bytes) != 0 || memcmp(m, wm, nb) != 0)
                    fail_msg("fr_%s%s n=%lld inc=%lld threads=%d differs from "
                             "the reference", tu_prec_name[prec],
                             tu_op_name[op], (long long)n, (long long)inc, t);
            }
        }
        free(x);
        free(dy);
        free(y);
        free(want);
        free(m);
        free(wm);
        free(min);
    }
    fr_set_num_threads(0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_env_isa),
        cmocka_unit_test(test_env_threads),
        cmocka_unit_test(test_flip_isa),
        cmocka_unit_test(test_thread_counts),
    };
    if (argc < 2) {
        fprintf(stderr, "usage: %s [emulator...] probe\n", argv[0]);
        return 2;
    }
    probe = argv + 1;
    return cmocka_run_group_tests_name("dispatch", tests, NULL, NULL);
}
