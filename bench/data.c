/* Names, test data and size lists shared by the benchmark and the A/B driver. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "kernels.h"

const char *const op_name[OP_COUNT] = {
    "relu", "leaky_relu", "relu_backward", "leaky_relu_backward",
    "relu_mask", "leaky_relu_mask", "relu_backward_mask", "leaky_relu_backward_mask"};
const char prec_char[] = "sdhb";
const size_t prec_size[P_COUNT] = {4, 8, 2, 2};

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Uniform in [-1, 1], never zero, never tiny, never NaN: the peers agree with
   the reference on such data (they differ on NaN and -0.0, by design). */
static float rnd(uint64_t *s)
{
    float v = (float)(rng_next(s) >> 40) * (2.0f / 16777216.0f) - 1.0f;
    return fabsf(v) < 1e-3f ? 0.5f : v;
}

int64_t op_bytes(int op, int prec, size_t n)
{
    int64_t v = (int64_t)(n * prec_size[prec]), m = (int64_t)(n + 7) / 8;
    switch (op) {
    case OP_RELU:
    case OP_LEAKY: return 2 * v;
    case OP_RELU_BWD:
    case OP_LEAKY_BWD: return 3 * v;
    default: return 2 * v + m;
    }
}

void fill(int prec, size_t n, void *x, void *dy, uint8_t *mask, uint64_t seed)
{
    uint64_t s = seed;
    memset(mask, 0, (n + 7) / 8);
    for (size_t i = 0; i < n; i++) {
        float a = rnd(&s), b = rnd(&s);
        switch (prec) {
        case P_S: ((float *)x)[i] = a; ((float *)dy)[i] = b; break;
        case P_D: ((double *)x)[i] = a; ((double *)dy)[i] = b; break;
        case P_H: ((uint16_t *)x)[i] = frk_f2h(a); ((uint16_t *)dy)[i] = frk_f2h(b); break;
        default: ((uint16_t *)x)[i] = frk_f2b(a); ((uint16_t *)dy)[i] = frk_f2b(b); break;
        }
        mask[i / 8] |= (uint8_t)((a > 0) << (i % 8));
    }
}

int parse_sizes(const char *s, size_t *out, int max)
{
    int k = 0;
    while (*s && k < max) {
        char *end;
        double v = strtod(s, &end);
        if (end == s || v < 1)
            return -1;
        if (*end == 'K' || *end == 'k')
            v *= 1024, end++;
        else if (*end == 'M' || *end == 'm')
            v *= 1024 * 1024, end++;
        else if (*end == 'G' || *end == 'g')
            v *= 1024.0 * 1024 * 1024, end++;
        out[k++] = (size_t)v;
        if (*end == ',')
            end++;
        else if (*end)
            return -1;
        s = end;
    }
    return k;
}
