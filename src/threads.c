/* A small persistent thread pool that splits large calls; the calling thread does one part. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

#define MAX_THREADS 256

static atomic_int configured = 1; /* set by fr_set_num_threads */
static int env_default = 1;       /* from FASTRELU_NUM_THREADS */

/* One job at a time: a call that finds the pool busy runs on its own thread. */
static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int nworkers;           /* threads started */
static unsigned long long generation;
static int nparts, pending;
static size_t bounds[MAX_THREADS + 1];
static frk_range_fn job_fn;
static void *job_ctx;

static void *worker(void *arg)
{
    int part = (int)(size_t)arg; /* this worker runs part `part` (>= 1) */
    unsigned long long seen = 0;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (generation == seen)
            pthread_cond_wait(&go, &lock);
        seen = generation;
        if (part >= nparts)
            continue;
        frk_range_fn fn = job_fn;
        void *ctx = job_ctx;
        size_t b = bounds[part], e = bounds[part + 1];
        pthread_mutex_unlock(&lock);
        fn(ctx, b, e);
        pthread_mutex_lock(&lock);
        if (--pending == 0)
            pthread_cond_signal(&done);
    }
    return NULL;
}

/* Workers do not survive fork(): the child starts with an empty pool. */
static void after_fork_child(void)
{
    pthread_mutex_init(&busy, NULL);
    pthread_mutex_init(&lock, NULL);
    pthread_cond_init(&go, NULL);
    pthread_cond_init(&done, NULL);
    nworkers = 0;
    generation = 0;
}

void frk_threads_init(void)
{
    const char *v = getenv("FASTRELU_NUM_THREADS");
    if (v && *v) {
        char *end;
        errno = 0;
        long t = strtol(v, &end, 10);
        if (errno || *end || t < 1 || t > MAX_THREADS)
            fprintf(stderr, "libfastrelu: FASTRELU_NUM_THREADS=%s is not a thread "
                    "count from 1 to %d; using 1\n", v, MAX_THREADS);
        else
            env_default = (int)t;
    }
    atomic_store(&configured, env_default);
    pthread_atfork(NULL, NULL, after_fork_child);
}

int fr_set_num_threads(int nthreads)
{
    if (nthreads < 0)
        return -1;
    fr_init();
    atomic_store(&configured, nthreads == 0 ? env_default
                                            : nthreads > MAX_THREADS ? MAX_THREADS
                                                                     : nthreads);
    return FR_OK;
}

int fr_get_num_threads(void)
{
    fr_init();
    return atomic_load(&configured);
}

void frk_parallel(size_t n, size_t min_part, size_t grain, frk_range_fn fn,
                  void *ctx)
{
    size_t parts = (size_t)atomic_load_explicit(&configured, memory_order_relaxed);
    if (parts > n / min_part)
        parts = n / min_part;
    if (parts <= 1 || pthread_mutex_trylock(&busy) != 0) {
        fn(ctx, 0, n);
        return;
    }
    pthread_mutex_lock(&lock);
    while ((size_t)nworkers < parts - 1) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int err = pthread_create(&t, &attr, worker, (void *)(size_t)(nworkers + 1));
        pthread_attr_destroy(&attr);
        if (err)
            break;
        nworkers++;
    }
    if ((size_t)nworkers < parts - 1)
        parts = (size_t)nworkers + 1;
    for (size_t k = 0; k <= parts; k++)
        bounds[k] = k == parts ? n : n / parts * k / grain * grain;
    nparts = (int)parts;
    pending = (int)parts - 1;
    job_fn = fn;
    job_ctx = ctx;
    generation++;
    pthread_cond_broadcast(&go);
    pthread_mutex_unlock(&lock);

    fn(ctx, bounds[0], bounds[1]);

    pthread_mutex_lock(&lock);
    while (pending > 0)
        pthread_cond_wait(&done, &lock);
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&busy);
}
