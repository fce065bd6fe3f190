/* Reference results for the checks: the exact semantics of API.md, one element at a time. */
#include "bench.h"
#include "kernels.h"

static int pos(int prec, const void *x, size_t i)
{
    switch (prec) {
    case P_S: return ((const float *)x)[i] > 0;
    case P_D: return ((const double *)x)[i] > 0;
    case P_H: return frk_hpos(((const uint16_t *)x)[i]);
    default: return frk_bpos(((const uint16_t *)x)[i]);
    }
}

static int isnan_at(int prec, const void *x, size_t i)
{
    switch (prec) {
    case P_S: { float v = ((const float *)x)[i]; return v != v; }
    case P_D: { double v = ((const double *)x)[i]; return v != v; }
    case P_H: return frk_hnan(((const uint16_t *)x)[i]);
    default: return frk_bnan(((const uint16_t *)x)[i]);
    }
}

static void copy(int prec, const void *src, void *dst, size_t i)
{
    if (prec == P_S)
        ((float *)dst)[i] = frk_f32(frk_bits32(((const float *)src)[i]));
    else if (prec == P_D)
        ((double *)dst)[i] = frk_f64(frk_bits64(((const double *)src)[i]));
    else
        ((uint16_t *)dst)[i] = ((const uint16_t *)src)[i];
}

static void zero(int prec, void *dst, size_t i)
{
    if (prec == P_S)
        ((float *)dst)[i] = 0.0f;
    else if (prec == P_D)
        ((double *)dst)[i] = 0.0;
    else
        ((uint16_t *)dst)[i] = 0;
}

static void mul(int prec, double alpha, const void *src, void *dst, size_t i)
{
    const uint16_t *h = src;
    switch (prec) {
    case P_S:
        ((float *)dst)[i] = frk_mul32(((const float *)src)[i], (float)alpha);
        break;
    case P_D:
        ((double *)dst)[i] = frk_mul64(((const double *)src)[i], alpha);
        break;
    case P_H:
        ((uint16_t *)dst)[i] = frk_f2h(frk_mul32(frk_h2f(h[i]), (float)alpha));
        break;
    default:
        ((uint16_t *)dst)[i] = frk_f2b(frk_mul32(frk_b2f(h[i]), (float)alpha));
        break;
    }
}

void ref_call(const struct call *c)
{
    int leaky = c->op == OP_LEAKY || c->op == OP_LEAKY_BWD ||
                c->op == OP_LEAKY_MASK || c->op == OP_LEAKY_BWD_MASK;
    for (size_t i = 0; i < c->n; i++) {
        int p;
        switch (c->op) {
        case OP_RELU:
        case OP_LEAKY:
        case OP_RELU_MASK:
        case OP_LEAKY_MASK:
            p = pos(c->prec, c->x, i);
            if (c->mout) {
                if (i % 8 == 0)
                    c->mout[i / 8] = 0;
                c->mout[i / 8] |= (uint8_t)(p << (i % 8));
            }
            if (p || (!leaky && isnan_at(c->prec, c->x, i)))
                copy(c->prec, c->x, c->y, i);
            else if (leaky)
                mul(c->prec, c->alpha, c->x, c->y, i);
            else
                zero(c->prec, c->y, i);
            break;
        default:
            if (c->op == OP_RELU_BWD || c->op == OP_LEAKY_BWD)
                p = pos(c->prec, c->x, i);
            else
                p = (c->mask[i / 8] >> (i % 8)) & 1;
            if (p)
                copy(c->prec, c->dy, c->y, i);
            else if (leaky)
                mul(c->prec, c->alpha, c->dy, c->y, i);
            else
                zero(c->prec, c->y, i);
            break;
        }
    }
}
