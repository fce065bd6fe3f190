/* oneDNN peer: eltwise relu (alpha = 0 or the leaky slope) forward and backward through the C API. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <stdlib.h>

#include <dnnl.h>

#include "bench.h"

struct dn {
    dnnl_primitive_t prim;
    dnnl_memory_t mem[3];
    dnnl_exec_arg_t args[3];
    int nargs;
};

static dnnl_engine_t engine;
static dnnl_stream_t stream;

/* Single-threaded like the other rows: oneDNN here runs on OpenMP. */
static void one_thread(void)
{
    void (*set)(int) = (void (*)(int))(uintptr_t)dlsym(RTLD_DEFAULT, "omp_set_num_threads");
    if (set)
        set(1);
}

static int init(void)
{
    static int state;
    if (!state) {
        one_thread();
        state = dnnl_engine_create(&engine, dnnl_cpu, 0) == dnnl_success &&
                dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) ==
                    dnnl_success ? 1 : -1;
    }
    return state;
}

static dnnl_data_type_t dtype(int prec)
{
    switch (prec) {
    case P_S: return dnnl_f32;
    case P_H: return dnnl_f16;
    case P_B: return dnnl_bf16;
    default: return dnnl_data_type_undef;
    }
}

static int supports(int op, int prec)
{
    return op <= OP_LEAKY_BWD && dtype(prec) != dnnl_data_type_undef;
}

static int add_mem(struct dn *d, const dnnl_memory_desc_t *md, int arg, const void *p)
{
    dnnl_memory_t m;
    if (dnnl_memory_create(&m, md, engine, (void *)(uintptr_t)p) != dnnl_success)
        return -1;
    d->mem[d->nargs] = m;
    d->args[d->nargs].arg = arg;
    d->args[d->nargs].memory = m;
    d->nargs++;
    return 0;
}

static void release(struct call *c)
{
    struct dn *d = c->priv;
    if (!d)
        return;
    for (int i = 0; i < d->nargs; i++)
        dnnl_memory_destroy(d->mem[i]);
    if (d->prim)
        dnnl_primitive_destroy(d->prim);
    free(d);
    c->priv = NULL;
}

static int prepare(struct call *c)
{
    dnnl_memory_desc_t md;
    dnnl_dims_t dims = {(dnnl_dim_t)c->n};
    dnnl_eltwise_desc_t ed;
    dnnl_primitive_desc_t pd = NULL, hint = NULL;
    float alpha = c->op == OP_LEAKY || c->op == OP_LEAKY_BWD ? (float)c->alpha : 0.0f;
    int bwd = c->op == OP_RELU_BWD || c->op == OP_LEAKY_BWD, ok;
    struct dn *d;

    if (init() < 0 || !supports(c->op, c->prec))
        return -1;
    if (dnnl_memory_desc_init_by_tag(&md, 1, dims, dtype(c->prec), dnnl_a) != dnnl_success)
        return -1;
    if (dnnl_eltwise_forward_desc_init(&ed, bwd ? dnnl_forward_training : dnnl_forward_inference,
                                       dnnl_eltwise_relu, &md, alpha, 0.0f) != dnnl_success ||
        dnnl_primitive_desc_create(&pd, &ed, NULL, engine, NULL) != dnnl_success)
        return -1;
    if (bwd) {
        hint = pd;
        pd = NULL;
        ok = dnnl_eltwise_backward_desc_init(&ed, dnnl_eltwise_relu, &md, &md, alpha, 0.0f) ==
                 dnnl_success &&
             dnnl_primitive_desc_create(&pd, &ed, NULL, engine, hint) == dnnl_success;
        dnnl_primitive_desc_destroy(hint);
        if (!ok)
            return -1;
    }
    d = calloc(1, sizeof *d);
    c->priv = d;
    ok = d && dnnl_primitive_create(&d->prim, pd) == dnnl_success;
    dnnl_primitive_desc_destroy(pd);
    if (ok && bwd)
        ok = !add_mem(d, &md, DNNL_ARG_SRC, c->x) && !add_mem(d, &md, DNNL_ARG_DIFF_DST, c->dy) &&
             !add_mem(d, &md, DNNL_ARG_DIFF_SRC, c->y);
    else if (ok)
        ok = !add_mem(d, &md, DNNL_ARG_SRC, c->x) && !add_mem(d, &md, DNNL_ARG_DST, c->y);
    if (!ok) {
        release(c);
        return -1;
    }
    return 0;
}

static void run(struct call *c)
{
    struct dn *d = c->priv;
    dnnl_primitive_execute(d->prim, stream, d->nargs, d->args);
    dnnl_stream_wait(stream);
}

const struct peer peer_onednn = {"onednn", supports, prepare, run, release};
