/* Shared test helpers: random data with special values, op metadata, calls through the API and the kernel tables. */
#ifndef FR_TESTUTIL_H
#define FR_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "fastrelu.h"
#include "kernels.h"
#include "reference.h"

extern const char *const tu_prec_name[REF_NPREC];
extern const char *const tu_op_name[REF_NOPS];

size_t tu_esize(int prec);
int tu_leaky(int op);
int tu_has_x(int op);  /* reads x */
int tu_has_dy(int op); /* reads dy */
int tu_mask_out(int op);
int tu_mask_in(int op);

uint64_t tu_rand(uint64_t *state);
/* Random element bits: a mix of specials (+-0, +-inf, NaNs of both kinds and
   signs with payloads, denormals, +-max, +-min normal) and random values. */
uint64_t tu_value(int prec, uint64_t *state);
void tu_fill(int prec, void *p, size_t count, uint64_t *state);
/* As tu_fill; with nonan, every NaN is replaced by the zero of its sign, so
   that the kernels' steps without a NaN product meet zeros, infinities and
   denormals. */
void tu_fill_as(int prec, void *p, size_t count, uint64_t *state, int nonan);
void tu_fill_bytes(void *p, size_t count, uint64_t *state);

/* Alphas to sweep: float values for s/h/b, double values for d (bits). */
#define TU_NALPHA 12
double tu_alpha(int prec, int k);

/* The public entry point for (prec, op). alpha is narrowed for s/h/b. */
int tu_api(int prec, int op, fr_int n, double alpha, const void *x,
           fr_int incx, const void *dy, fr_int incdy, void *y, fr_int incy,
           uint8_t *mask);

/* A table's kernel for (prec, op), the fallback table's where the slot is NULL. */
void tu_kernel(const struct frk_table *t, const struct frk_table *fallback,
               int prec, int op, size_t n, double alpha, const void *x,
               const void *dy, void *y, uint8_t *mask);

/* Whether this CPU (by its own cpuid/xgetbv check) can run isa. */
int tu_cpu_has(fr_isa isa);
fr_isa tu_isa_from_name(const char *name);

/* Bits of element k of p, for messages. */
uint64_t tu_get(int prec, const void *p, int64_t k);

/* Aligned allocation that never returns NULL (aborts). */
void *tu_alloc(size_t bytes);

#endif
