/* Concurrency check (ThreadSanitizer in scripts/tsan.sh): first calls racing the lazy init, ISA and thread count flipping during calls, threaded splits from several callers, a forked child's own pool. */
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"

/* Large enough for 4 parts of at least 32768 elements each. */
#define NBIG 133000
#define NSMALL 1000
#define NCASE 8
#define NCALLER 3

struct kase {
    int prec, op;
    double alpha;
    void *x, *dy, *want;
    uint8_t *min, *mwant;
};

static struct kase cases[NCASE];
static atomic_int failures;
static atomic_int stop;
static atomic_int ncalls, nflips;

static void fail(const char *what, const struct kase *k, size_t n, int st)
{
    fprintf(stderr, "FAIL %s: %s%s n=%zu status %d\n", what,
            tu_prec_name[k->prec], tu_op_name[k->op], n, st);
    atomic_fetch_add(&failures, 1);
}

static void setup(void)
{
    uint64_t rng = 42;
    for (int c = 0; c < NCASE; c++) {
        struct kase *k = &cases[c];
        size_t es;
        k->prec = c % REF_NPREC;
        k->op = c;
        k->alpha = tu_alpha(k->prec, 2);
        es = tu_esize(k->prec);
        k->x = tu_alloc(NBIG * es);
        k->dy = tu_alloc(NBIG * es);
        k->want = tu_alloc(NBIG * es);
        k->min = tu_alloc(NBIG / 8 + 1);
        k->mwant = tu_alloc(NBIG / 8 + 1);
        tu_fill(k->prec, k->x, NBIG, &rng);
        tu_fill(k->prec, k->dy, NBIG, &rng);
        tu_fill_bytes(k->min, NBIG / 8 + 1, &rng);
        memcpy(k->mwant, k->min, NBIG / 8 + 1);
        ref_call(k->prec, k->op, NBIG, k->alpha, k->x, 1, k->dy, 1, k->want, 1,
                 k->mwant);
    }
}

/* One call of case k on its first n elements (a prefix of the big case has
   the same expected prefix), checked against the precomputed result. */
static void call(const struct kase *k, size_t n, void *y, uint8_t *m,
                 const char *what)
{
    size_t es = tu_esize(k->prec);
    int mout = tu_mask_out(k->op);
    if (tu_mask_in(k->op))
        memcpy(m, k->min, (n + 7) / 8);
    atomic_fetch_add(&ncalls, 1);
    int st = tu_api(k->prec, k->op, (fr_int)n, k->alpha, k->x, 1, k->dy, 1, y,
                    1, m);
    if (st != FR_OK) {
        fail(what, k, n, st);
        return;
    }
    if (memcmp(y, k->want, n * es))
        fail(what, k, n, -100);
    /* the last mask byte of a prefix has its high bits cleared */
    if (mout && n % 8 == 0 && memcmp(m, k->mwant, n / 8))
        fail(what, k, n, -101);
}

/* ---- 1: first calls race the lazy initialisation ---- */

static pthread_barrier_t start;

static void *first(void *arg)
{
    int id = (int)(size_t)arg;
    const struct kase *k = &cases[id % NCASE];
    void *y = tu_alloc(NSMALL * 8);
    uint8_t *m = tu_alloc(NSMALL / 8 + 1);
    pthread_barrier_wait(&start);
    switch (id % 4) {
    case 0: break;
    case 1: (void)fr_get_isa(); break;
    case 2: (void)fr_get_num_threads(); break;
    default: (void)fr_isa_supported(FR_ISA_AVX2); break;
    }
    if (strcmp(fr_isa_name((fr_isa)(FR_ISA_NEON + 1 + id)), "unknown") ||
        strcmp(fr_isa_name((fr_isa)(-1 - id)), "unknown")) {
        fprintf(stderr, "FAIL fr_isa_name out of range\n");
        atomic_fetch_add(&failures, 1);
    }
    call(k, NSMALL, y, m, "first call");
    free(y);
    free(m);
    return NULL;
}

/* ---- 2: ISA and thread count flip while calls run ---- */

static void *flipper(void *arg)
{
    (void)arg;
    unsigned i = 0;
    while (!atomic_load(&stop)) {
        fr_isa isa = (fr_isa)(i % (FR_ISA_NEON + 1));
        if (fr_isa_supported(isa) && fr_set_isa(isa) != FR_OK) {
            fprintf(stderr, "FAIL fr_set_isa(%s)\n", fr_isa_name(isa));
            atomic_fetch_add(&failures, 1);
        }
        if (fr_set_num_threads((int)(i % 5)) != FR_OK) {
            fprintf(stderr, "FAIL fr_set_num_threads(%u)\n", i % 5);
            atomic_fetch_add(&failures, 1);
        }
        i++;
        atomic_fetch_add(&nflips, 1);
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void *caller(void *arg)
{
    int id = (int)(size_t)arg;
    void *y = tu_alloc(NBIG * 8);
    uint8_t *m = tu_alloc(NBIG / 8 + 1);
    for (int r = 0; !atomic_load(&stop) || r < NCASE; r++) {
        const struct kase *k = &cases[(r + id) % NCASE];
        call(k, r % 2 ? NBIG : NSMALL + (size_t)r % 8, y, m, "call while flipping");
    }
    free(y);
    free(m);
    return NULL;
}

/* ---- 3: several callers split large calls at once ---- */

static void *splitter(void *arg)
{
    int id = (int)(size_t)arg;
    void *y = tu_alloc(NBIG * 8);
    uint8_t *m = tu_alloc(NBIG / 8 + 1);
    for (int r = 0; r < 2 * NCASE; r++)
        call(&cases[(r + id) % NCASE], NBIG - (size_t)(r % 3) * 8, y, m,
             "threaded split");
    free(y);
    free(m);
    return NULL;
}

/* ---- 4: a child forked after the pool started gets a pool of its own ---- */

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NO_FORK_THREADS 1 /* TSan dies when a forked child starts threads */
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define NO_FORK_THREADS 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define QUICK_EXIT 1 /* LeakSanitizer in a forked child of a threaded parent only warns */
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define QUICK_EXIT 1
#endif

static void forked(void)
{
#ifndef NO_FORK_THREADS
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        fr_set_num_threads(4);
        splitter((void *)(size_t)0);
#ifdef QUICK_EXIT
        _exit(atomic_load(&failures) != 0);
#else
        exit(atomic_load(&failures) != 0); /* not _exit: gcov writes its data at exit */
#endif
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "FAIL threaded calls in a forked child (status 0x%x)\n", status);
        atomic_fetch_add(&failures, 1);
    }
#endif
}

static void run(void *(*fn)(void *), int nthreads)
{
    pthread_t t[16];
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&t[i], NULL, fn, (void *)(size_t)i)) {
            perror("pthread_create");
            exit(2);
        }
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;

    setup(); /* the reference only: the library is not initialised yet */
    pthread_barrier_init(&start, NULL, 8);
    run(first, 8);
    pthread_barrier_destroy(&start);

    pthread_t flip;
    pthread_create(&flip, NULL, flipper, NULL);
    pthread_t callers[NCALLER];
    for (int i = 0; i < NCALLER; i++)
        pthread_create(&callers[i], NULL, caller, (void *)(size_t)i);
    struct timespec ts = {(time_t)seconds,
                          (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
    atomic_store(&stop, 1);
    for (int i = 0; i < NCALLER; i++)
        pthread_join(callers[i], NULL);
    pthread_join(flip, NULL);

    fr_set_isa(FR_ISA_AUTO);
    fr_set_num_threads(4);
    run(splitter, NCALLER);
    forked();
    fr_set_num_threads(1);

    int f = atomic_load(&failures);
    printf("race: %s, %d calls, %d flips, %d failures\n", f ? "FAILED" : "ok",
           atomic_load(&ncalls), atomic_load(&nflips), f);
    return f != 0;
}
