/* libfastrelu: SIMD ReLU and leaky ReLU kernels with a BLAS-style C API. */
#ifndef FASTRELU_H
#define FASTRELU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define FR_API
#elif defined(__GNUC__)
#define FR_API __attribute__((visibility("default")))
#else
#define FR_API
#endif

#define FASTRELU_VERSION_MAJOR 1
#define FASTRELU_VERSION_MINOR 0
#define FASTRELU_VERSION_PATCH 0

typedef int64_t fr_int;   /* element counts and strides */
typedef uint16_t fr_f16;  /* IEEE 754 binary16, as bits */
typedef uint16_t fr_bf16; /* bfloat16, as bits */

typedef enum fr_isa {
    FR_ISA_AUTO = 0,
    FR_ISA_SCALAR = 1,
    FR_ISA_SSE2 = 2,
    FR_ISA_AVX2 = 3,
    FR_ISA_AVX512 = 4,
    FR_ISA_NEON = 5
} fr_isa;

/* Status codes; -k (k >= 1) names the invalid argument k. */
#define FR_OK 0
#define FR_EOVERLAP 1
#define FR_EUNSUPPORTED 2

FR_API const char *fr_strerror(int status);
FR_API const char *fr_version(void);

FR_API int fr_init(void);
FR_API fr_isa fr_get_isa(void);
FR_API int fr_set_isa(fr_isa isa);
FR_API int fr_isa_supported(fr_isa isa);
FR_API const char *fr_isa_name(fr_isa isa);

FR_API int fr_set_num_threads(int nthreads);
FR_API int fr_get_num_threads(void);

/* Operations, BLAS style: n elements, each vector with its increment (a
   negative one walks the vector backwards, as in saxpy). relu: y = x > 0 ? x : +0,
   NaN kept; leaky: y = x > 0 ? x : alpha * x. Backward: dx = x > 0 ? dy : +0
   (or alpha * dy). *_mask forwards also write a dense bit mask (bit i of byte
   i / 8, 1 where x > 0; y may be NULL), which *_backward_mask reads instead of x.
   Semantics in full: README.md. */
/* float */
FR_API int fr_srelu(fr_int n, const float *x, fr_int incx, float *y, fr_int incy);
FR_API int fr_sleaky_relu(fr_int n, float alpha, const float *x, fr_int incx,
                          float *y, fr_int incy);
FR_API int fr_srelu_backward(fr_int n, const float *x, fr_int incx,
                             const float *dy, fr_int incdy, float *dx,
                             fr_int incdx);
FR_API int fr_sleaky_relu_backward(fr_int n, float alpha, const float *x,
                                   fr_int incx, const float *dy, fr_int incdy,
                                   float *dx, fr_int incdx);
FR_API int fr_srelu_mask(fr_int n, const float *x, fr_int incx, float *y,
                         fr_int incy, uint8_t *mask);
FR_API int fr_sleaky_relu_mask(fr_int n, float alpha, const float *x,
                               fr_int incx, float *y, fr_int incy,
                               uint8_t *mask);
FR_API int fr_srelu_backward_mask(fr_int n, const uint8_t *mask,
                                  const float *dy, fr_int incdy, float *dx,
                                  fr_int incdx);
FR_API int fr_sleaky_relu_backward_mask(fr_int n, float alpha,
                                        const uint8_t *mask, const float *dy,
                                        fr_int incdy, float *dx, fr_int incdx);

/* double */
FR_API int fr_drelu(fr_int n, const double *x, fr_int incx, double *y, fr_int incy);
FR_API int fr_dleaky_relu(fr_int n, double alpha, const double *x, fr_int incx,
                          double *y, fr_int incy);
FR_API int fr_drelu_backward(fr_int n, const double *x, fr_int incx,
                             const double *dy, fr_int incdy, double *dx,
                             fr_int incdx);
FR_API int fr_dleaky_relu_backward(fr_int n, double alpha, const double *x,
                                   fr_int incx, const double *dy, fr_int incdy,
                                   double *dx, fr_int incdx);
FR_API int fr_drelu_mask(fr_int n, const double *x, fr_int incx, double *y,
                         fr_int incy, uint8_t *mask);
FR_API int fr_dleaky_relu_mask(fr_int n, double alpha, const double *x,
                               fr_int incx, double *y, fr_int incy,
                               uint8_t *mask);
FR_API int fr_drelu_backward_mask(fr_int n, const uint8_t *mask,
                                  const double *dy, fr_int incdy, double *dx,
                                  fr_int incdx);
FR_API int fr_dleaky_relu_backward_mask(fr_int n, double alpha,
                                        const uint8_t *mask, const double *dy,
                                        fr_int incdy, double *dx, fr_int incdx);

/* binary16 (alpha and products in float, rounded to nearest even) */
FR_API int fr_hrelu(fr_int n, const fr_f16 *x, fr_int incx, fr_f16 *y, fr_int incy);
FR_API int fr_hleaky_relu(fr_int n, float alpha, const fr_f16 *x, fr_int incx,
                          fr_f16 *y, fr_int incy);
FR_API int fr_hrelu_backward(fr_int n, const fr_f16 *x, fr_int incx,
                             const fr_f16 *dy, fr_int incdy, fr_f16 *dx,
                             fr_int incdx);
FR_API int fr_hleaky_relu_backward(fr_int n, float alpha, const fr_f16 *x,
                                   fr_int incx, const fr_f16 *dy, fr_int incdy,
                                   fr_f16 *dx, fr_int incdx);
FR_API int fr_hrelu_mask(fr_int n, const fr_f16 *x, fr_int incx, fr_f16 *y,
                         fr_int incy, uint8_t *mask);
FR_API int fr_hleaky_relu_mask(fr_int n, float alpha, const fr_f16 *x,
                               fr_int incx, fr_f16 *y, fr_int incy,
                               uint8_t *mask);
FR_API int fr_hrelu_backward_mask(fr_int n, const uint8_t *mask,
                                  const fr_f16 *dy, fr_int incdy, fr_f16 *dx,
                                  fr_int incdx);
FR_API int fr_hleaky_relu_backward_mask(fr_int n, float alpha,
                                        const uint8_t *mask, const fr_f16 *dy,
                                        fr_int incdy, fr_f16 *dx, fr_int incdx);

/* bfloat16 (alpha and products in float, rounded to nearest even) */
FR_API int fr_brelu(fr_int n, const fr_bf16 *x, fr_int incx, fr_bf16 *y, fr_int incy);
FR_API int fr_bleaky_relu(fr_int n, float alpha, const fr_bf16 *x, fr_int incx,
                          fr_bf16 *y, fr_int incy);
FR_API int fr_brelu_backward(fr_int n, const fr_bf16 *x, fr_int incx,
                             const fr_bf16 *dy, fr_int incdy, fr_bf16 *dx,
                             fr_int incdx);
FR_API int fr_bleaky_relu_backward(fr_int n, float alpha, const fr_bf16 *x,
                                   fr_int incx, const fr_bf16 *dy, fr_int incdy,
                                   fr_bf16 *dx, fr_int incdx);
FR_API int fr_brelu_mask(fr_int n, const fr_bf16 *x, fr_int incx, fr_bf16 *y,
                         fr_int incy, uint8_t *mask);
FR_API int fr_bleaky_relu_mask(fr_int n, float alpha, const fr_bf16 *x,
                               fr_int incx, fr_bf16 *y, fr_int incy,
                               uint8_t *mask);
FR_API int fr_brelu_backward_mask(fr_int n, const uint8_t *mask,
                                  const fr_bf16 *dy, fr_int incdy, fr_bf16 *dx,
                                  fr_int incdx);
FR_API int fr_bleaky_relu_backward_mask(fr_int n, float alpha,
                                        const uint8_t *mask, const fr_bf16 *dy,
                                        fr_int incdy, fr_bf16 *dx,
                                        fr_int incdx);

#ifdef __cplusplus
}
#endif

#endif
