/* Reference semantics of every operation, element by element: the specification the tests check against. */
#ifndef FR_REFERENCE_H
#define FR_REFERENCE_H

#include <stdint.h>

#include "fastrelu.h"

enum ref_prec { REF_S, REF_D, REF_H, REF_B, REF_NPREC };

/* Same order as struct frk_ops. */
enum ref_op {
    REF_RELU,
    REF_LEAKY,
    REF_RELU_BWD,
    REF_LEAKY_BWD,
    REF_RELU_MASK,
    REF_LEAKY_MASK,
    REF_RELU_BWD_MASK,
    REF_LEAKY_BWD_MASK,
    REF_NOPS
};

/* Conversions used by the reference: binary16 through _Float16 where the
   compiler has it, else through ref_f2h_bits / ref_h2f_bits. Only called on
   non-NaN values. */
float ref_h2f(uint16_t h);
uint16_t ref_f2h(float f);
float ref_h2f_bits(uint16_t h);
uint16_t ref_f2h_bits(float f);
float ref_b2f(uint16_t b);
uint16_t ref_f2b(float f);
int ref_have_float16(void);

/* One element. pos: whether x > 0 (or the mask bit). Values are bit patterns. */
int ref_s_pos(uint32_t x);
int ref_d_pos(uint64_t x);
int ref_h_pos(uint16_t x);
int ref_b_pos(uint16_t x);
uint32_t ref_s_fwd(uint32_t x, int leaky, float alpha);
uint64_t ref_d_fwd(uint64_t x, int leaky, double alpha);
uint16_t ref_h_fwd(uint16_t x, int leaky, float alpha);
uint16_t ref_b_fwd(uint16_t x, int leaky, float alpha);
uint32_t ref_s_bwd(int pos, uint32_t dy, int leaky, float alpha);
uint64_t ref_d_bwd(int pos, uint64_t dy, int leaky, double alpha);
uint16_t ref_h_bwd(int pos, uint16_t dy, int leaky, float alpha);
uint16_t ref_b_bwd(int pos, uint16_t dy, int leaky, float alpha);

/* A whole call with BLAS increments. alpha is narrowed to float for s/h/b.
   y is the output (y or dx; may be NULL for mask forwards), mask is written
   by mask forwards and read by mask backwards. */
void ref_call(int prec, int op, fr_int n, double alpha, const void *x,
              fr_int incx, const void *dy, fr_int incdy, void *y, fr_int incy,
              uint8_t *mask);

/* Offset in elements of logical element i of a vector of n with increment inc. */
int64_t ref_index(fr_int n, fr_int inc, fr_int i);

#endif
