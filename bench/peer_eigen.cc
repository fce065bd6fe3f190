// Eigen peer: relu, leaky relu and their backwards as array expressions (max and select).
#include <Eigen/Core>

#include "bench.h"

namespace {

template <class T>
void run_t(struct call *c)
{
    using A = Eigen::Array<T, Eigen::Dynamic, 1>;
    Eigen::Map<const A> x(static_cast<const T *>(c->x), (Eigen::Index)c->n);
    Eigen::Map<A> y(static_cast<T *>(c->y), (Eigen::Index)c->n);
    const T a = static_cast<T>(c->alpha);
    switch (c->op) {
    case OP_RELU:
        y = x.max(T(0));
        break;
    case OP_LEAKY:
        y = (x > T(0)).select(x, x * a);
        break;
    case OP_RELU_BWD: {
        Eigen::Map<const A> dy(static_cast<const T *>(c->dy), (Eigen::Index)c->n);
        y = (x > T(0)).select(dy, T(0));
        break;
    }
    case OP_LEAKY_BWD: {
        Eigen::Map<const A> dy(static_cast<const T *>(c->dy), (Eigen::Index)c->n);
        y = (x > T(0)).select(dy, dy * a);
        break;
    }
    }
}

int supports(int op, int prec)
{
    return (prec == P_S || prec == P_D) && op <= OP_LEAKY_BWD;
}

int prepare(struct call *) { return 0; }

void run(struct call *c)
{
    if (c->prec == P_S)
        run_t<float>(c);
    else
        run_t<double>(c);
}

void release(struct call *) {}

}  // namespace

extern "C" const struct peer peer_eigen = {"eigen", supports, prepare, run, release};
