/* A small persistent thread pool that splits large calls; the calling thread does one part. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, sysconf */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define MAX_THREADS 256

/* A sleeping thread takes tens of microseconds to wake on a virtual
   machine (about 70 us a call on the 2-vCPU development VM, where a split
   call of 64K floats ran 12x slower than one thread): workers poll for the
   next job this long before they sleep, as OpenMP runtimes do. Not where
   the parts outnumber the CPUs: a polling thread would hold a CPU that
   another part needs. */
#define SPIN_NS 200000
/* The caller polls for the end of its call only about as long as a wake-up
   takes: beyond that, sleeping costs no more, and leaves the CPU (maybe a
   hyperthread's sibling) to the workers. */
#define DONE_SPIN_NS 30000

/* Waking a sleeping thread costs the caller too: 14-17 us in the futex
   call on that VM. A call of fewer parts than this that comes more than
   SPIN_NS after the previous one runs on the workers still polling (and
   the caller), waking and starting none. */
#define WAKE_PARTS 32

#if defined(__x86_64__) || defined(__i386__)
#define relax() __builtin_ia32_pause()
#elif defined(__aarch64__) || defined(__arm__)
#define relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define relax() ((void)0)
#endif

static atomic_int configured = 1; /* set by fr_set_num_threads */
static int env_default = 1;       /* from FASTRELU_NUM_THREADS */

/* One job at a time: a call that finds the pool busy runs on its own thread. */
static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t go = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int nworkers;           /* threads started */
static atomic_llong generation;
static atomic_llong pending;   /* parts not finished */
static int nparts, spin;       /* spin: poll before sleeping (parts <= CPUs) */
static atomic_int awake;       /* workers started and not waiting on go */
static long ncpus = 1;
static atomic_llong last_end;  /* when the last call through frk_parallel ended, ns */
static size_t bounds[MAX_THREADS + 1];
static char claimed[MAX_THREADS];
static frk_range_fn job_fn;
static void *job_ctx;

static long long ns_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Polls for at most ns until (*v == x) == equal. */
static void poll_until(atomic_llong *v, long long x, int equal, long long ns)
{
    long long end = ns_now() + ns;
    for (unsigned i = 1;; i++) {
        if ((atomic_load_explicit(v, memory_order_relaxed) == x) == equal)
            return;
        relax();
        if (!(i & 63) && ns_now() > end)
            return;
    }
}

/* With the lock held: runs the parts of the current job that no thread has
   claimed, part `own` first, until none is left. A worker that wakes late
   finds its part done by the caller, so a split call never waits for a
   thread that is still waking. */
static void run_parts(int own)
{
    for (;;) {
        int k = own < nparts && !claimed[own] ? own : 0;
        while (k < nparts && claimed[k])
            k++;
        if (k == nparts)
            return;
        claimed[k] = 1;
        frk_range_fn fn = job_fn;
        void *ctx = job_ctx;
        size_t b = bounds[k], e = bounds[k + 1];
        pthread_mutex_unlock(&lock);
        fn(ctx, b, e);
        pthread_mutex_lock(&lock);
        if (--pending == 0)
            pthread_cond_signal(&done);
    }
}

static void *worker(void *arg)
{
    int part = (int)(size_t)arg; /* this worker's own part (>= 1) */
    long long seen = 0;
    pthread_mutex_lock(&lock);
    for (;;) {
        if (generation == seen && spin) {
            pthread_mutex_unlock(&lock);
            poll_until(&generation, seen, 0, SPIN_NS);
            pthread_mutex_lock(&lock);
        }
        while (generation == seen) {
            awake--;
            pthread_cond_wait(&go, &lock);
            awake++;
        }
        seen = generation;
        run_parts(part);
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
    pending = 0;
    awake = 0;
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
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    ncpus = c > 0 ? c : 1;
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
    if (parts <= 1) {
        fn(ctx, 0, n);
        return;
    }
    int small = n < WAKE_PARTS * min_part &&
                ns_now() - atomic_load_explicit(&last_end, memory_order_relaxed) >= SPIN_NS;
    if ((small && atomic_load_explicit(&awake, memory_order_relaxed) == 0) ||
        pthread_mutex_trylock(&busy) != 0) {
        fn(ctx, 0, n);
        atomic_store_explicit(&last_end, ns_now(), memory_order_relaxed);
        return;
    }
    pthread_mutex_lock(&lock);
    size_t polling = (size_t)awake;
    if (small && parts > polling + 1)
        parts = polling + 1;
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
        awake++;
    }
    if ((size_t)nworkers < parts - 1)
        parts = (size_t)nworkers + 1;
    for (size_t k = 0; k <= parts; k++)
        bounds[k] = k == parts ? n : n / parts * k / grain * grain;
    nparts = (int)parts;
    spin = (long)parts <= ncpus;
    pending = (long long)parts;
    for (size_t k = 0; k < parts; k++)
        claimed[k] = 0;
    job_fn = fn;
    job_ctx = ctx;
    generation++;
    if (parts - 1 > polling)
        pthread_cond_broadcast(&go);

    run_parts(0);
    pthread_mutex_unlock(&lock);
    if (spin)
        poll_until(&pending, 0, 1, DONE_SPIN_NS);
    pthread_mutex_lock(&lock);
    while (pending > 0)
        pthread_cond_wait(&done, &lock);
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&busy);
    atomic_store_explicit(&last_end, ns_now(), memory_order_relaxed);
}
