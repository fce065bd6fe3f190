/* C interface to the Google Benchmark shim (shim.cc) and the shared bench types. */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- shim.cc: Google Benchmark seen from C ---- */

typedef struct bench_state bench_state;
typedef void (*bench_fn)(bench_state *st, void *arg);

/* Registers fn(st, arg) under name; reps > 1 adds mean/median/stddev rows.
   Timed in this thread's CPU time (robust to other load on a shared machine),
   or in wall-clock time with real_time (needed when the library's threads work). */
void bench_register(const char *name, bench_fn fn, void *arg, double min_time,
                    int reps, int real_time);
/* The state loop: while (bench_keep_running(st)) { one call }. */
int bench_keep_running(bench_state *st);
int64_t bench_iterations(const bench_state *st);
/* Seconds between the first and the last bench_keep_running, on the row's clock. */
double bench_elapsed(const bench_state *st);
void bench_set_bytes(bench_state *st, int64_t bytes);  /* total over all iterations */
void bench_set_items(bench_state *st, int64_t items);  /* idem */
void bench_counter(bench_state *st, const char *name, double value);
void bench_label(bench_state *st, const char *label);
void bench_skip(bench_state *st, const char *msg);
void bench_context(const char *key, const char *value);
/* Runs what the command line selects; returns the process exit status. */
int bench_run(int argc, char **argv);
void bench_do_not_optimize(void *p);

/* ---- shared by the C sources ---- */

enum op {
    OP_RELU, OP_LEAKY, OP_RELU_BWD, OP_LEAKY_BWD,
    OP_RELU_MASK, OP_LEAKY_MASK, OP_RELU_BWD_MASK, OP_LEAKY_BWD_MASK,
    OP_COUNT
};
enum prec { P_S, P_D, P_H, P_B, P_COUNT };
/* The backwards, x-based and mask-based: their in-place form is dx = dy. */
#define OP_IS_BWD(op) \
    ((op) == OP_RELU_BWD || (op) == OP_LEAKY_BWD || (op) >= OP_RELU_BWD_MASK)

/* data.c */
extern const char *const op_name[OP_COUNT]; /* "relu", ... as in fr_srelu */
extern const char prec_char[];              /* "sdhb" */
extern const size_t prec_size[P_COUNT];     /* bytes per element */
/* Bytes one call of op moves, every byte read or written counted once:
   n * size per vector, (n + 7) / 8 per mask. */
int64_t op_bytes(int op, int prec, size_t n);
/* n elements of x and dy, uniform in [-1, 1] and never tiny, from seed; mask
   gets the bits of x > 0. */
void fill(int prec, size_t n, void *x, void *dy, uint8_t *mask, uint64_t seed);
/* "1K,16K,4M" into out (at most max sizes); the count, or -1 if malformed. */
int parse_sizes(const char *s, size_t *out, int max);

/* One call: the operation, its vectors and the peer's private state. */
struct call {
    int op, prec, threads, isa; /* isa and threads: fastrelu only */
    size_t n;
    double alpha;
    const void *x, *dy;
    const uint8_t *mask; /* backward_mask input */
    void *y;             /* forward output or dx; == x in the in-place rows */
    uint8_t *mout;       /* forward mask output */
    void *priv;
    ptrdiff_t inc;       /* increment of x and y: 1, or 2 in the strided relu rows */
};

/* A peer: supports() says which (op, prec) it has; prepare() readies a call
   (returns 0, or -1 when it cannot run it); run() is what gets timed. */
struct peer {
    const char *name;
    int (*supports)(int op, int prec);
    int (*prepare)(struct call *c);
    void (*run)(struct call *c);
    void (*release)(struct call *c);
};

extern const struct peer peer_eigen, peer_onednn, peer_xnnpack;

/* plain.c, built twice: plain_base_* (baseline x86-64) and plain_avx2_* (-mavx2). */
void plain_base_call(struct call *c);
void plain_avx2_call(struct call *c);
int plain_supports(int op, int prec);
/* Streaming loops for the rooflines, nbytes each vector: a copy with ordinary
   stores (k must be 0), and two inputs one output (the backward roofline). */
void plain_base_copy(size_t nbytes, const void *a, void *c, uint32_t k);
void plain_avx2_copy(size_t nbytes, const void *a, void *c, uint32_t k);
void plain_base_rmw(size_t nbytes, void *a, uint32_t k); /* a ^= k in place */
void plain_avx2_rmw(size_t nbytes, void *a, uint32_t k);
void plain_base_rmw2(size_t nbytes, void *a, const void *b, uint32_t k); /* a ^= b & k */
void plain_avx2_rmw2(size_t nbytes, void *a, const void *b, uint32_t k);
void plain_base_stream2(size_t nbytes, const void *a, const void *b, void *c);
void plain_avx2_stream2(size_t nbytes, const void *a, const void *b, void *c);

/* ref.c: the exact semantics, for the checks. */
void ref_call(const struct call *c);

#ifdef __cplusplus
}
#endif

#endif
