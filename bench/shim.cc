// Google Benchmark shim: registers benchmark functions written in C and lends them the state loop.
#include <benchmark/benchmark.h>

#include <time.h>

#include "bench.h"

struct bench_state {
    benchmark::State *st;
    bool real_time, started;
    double t0, t1;
};

static double now(bool real_time)
{
    struct timespec ts;
    clock_gettime(real_time ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

extern "C" {

void bench_register(const char *name, bench_fn fn, void *arg, double min_time,
                    int reps, int real_time)
{
    bool rt = real_time != 0;
    auto *b = benchmark::RegisterBenchmark(name, [fn, arg, rt](benchmark::State &st) {
        bench_state s{&st, rt, false, 0, 0};
        fn(&s, arg);
    });
    b->MinTime(min_time);
    if (rt)
        b->UseRealTime();
    if (reps > 1)
        b->Repetitions(reps)->DisplayAggregatesOnly(true);
}

int bench_keep_running(bench_state *s)
{
    if (!s->started) {
        s->started = true;
        s->t0 = now(s->real_time);
    }
    if (s->st->KeepRunning())
        return 1;
    s->t1 = now(s->real_time);
    return 0;
}

int64_t bench_iterations(const bench_state *s) { return s->st->iterations(); }

double bench_elapsed(const bench_state *s) { return s->t1 - s->t0; }

void bench_set_bytes(bench_state *s, int64_t bytes) { s->st->SetBytesProcessed(bytes); }
void bench_set_items(bench_state *s, int64_t items) { s->st->SetItemsProcessed(items); }

void bench_counter(bench_state *s, const char *name, double value)
{
    s->st->counters[name] = benchmark::Counter(value);
}

void bench_label(bench_state *s, const char *label) { s->st->SetLabel(label); }
void bench_skip(bench_state *s, const char *msg) { s->st->SkipWithError(msg); }

void bench_context(const char *key, const char *value)
{
    benchmark::AddCustomContext(key, value);
}

void bench_do_not_optimize(void *p) { benchmark::DoNotOptimize(p); benchmark::ClobberMemory(); }

int bench_run(int argc, char **argv)
{
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // extern "C"
