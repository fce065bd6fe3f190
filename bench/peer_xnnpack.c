/* XNNPACK peer: clamp to [0, inf) as relu and leaky relu, forward only, single-threaded. */
#include <math.h>

#include <xnnpack.h>

#include "bench.h"

static int init(void)
{
    static int state;
    if (!state)
        state = xnn_initialize(NULL) == xnn_status_success ? 1 : -1;
    return state;
}

static int supports(int op, int prec)
{
    return (op == OP_RELU || op == OP_LEAKY) && (prec == P_S || prec == P_H);
}

static int prepare(struct call *c)
{
    xnn_operator_t op = NULL;
    enum xnn_status s;

    if (init() < 0 || !supports(c->op, c->prec))
        return -1;
    /* one channel, n rows: contiguous, so XNNPACK runs it as one flat vector */
    if (c->prec == P_S) {
        s = c->op == OP_RELU
                ? xnn_create_clamp_nc_f32(1, 1, 1, 0.0f, INFINITY, 0, &op)
                : xnn_create_leaky_relu_nc_f32(1, 1, 1, (float)c->alpha, 0, &op);
        if (s == xnn_status_success)
            s = c->op == OP_RELU ? xnn_setup_clamp_nc_f32(op, c->n, c->x, c->y, NULL)
                                 : xnn_setup_leaky_relu_nc_f32(op, c->n, c->x, c->y, NULL);
    } else {
        s = c->op == OP_RELU
                ? xnn_create_clamp_nc_f16(1, 1, 1, 0.0f, INFINITY, 0, &op)
                : xnn_create_leaky_relu_nc_f16(1, 1, 1, (float)c->alpha, 0, &op);
        if (s == xnn_status_success)
            s = c->op == OP_RELU ? xnn_setup_clamp_nc_f16(op, c->n, c->x, c->y, NULL)
                                 : xnn_setup_leaky_relu_nc_f16(op, c->n, c->x, c->y, NULL);
    }
    if (s != xnn_status_success) {
        if (op)
            xnn_delete_operator(op);
        return -1;
    }
    c->priv = op;
    return 0;
}

static void run(struct call *c) { xnn_run_operator(c->priv, NULL); }

static void release(struct call *c)
{
    if (c->priv)
        xnn_delete_operator(c->priv);
    c->priv = NULL;
}

const struct peer peer_xnnpack = {"xnnpack", supports, prepare, run, release};
