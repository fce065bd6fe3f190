/* Prints the ISA libfastrelu chose and runs each operation once on a few values. */
#include <stdio.h>

#include "fastrelu.h"

#define N 8

static void show(const char *what, const float *v, int n)
{
    printf("%-28s", what);
    for (int i = 0; i < n; i++)
        printf(" %6.3g", v[i]);
    printf("\n");
}

int main(void)
{
    const float x[N] = {-2.0f, -0.5f, -0.0f, 0.0f, 0.25f, 1.0f, 3.5f, -1e30f};
    const float dy[N] = {1, 1, 1, 1, 1, 1, 1, 1};
    float y[N], dx[N];
    uint8_t mask[(N + 7) / 8];
    int rc = 0;

    printf("libfastrelu %s, ISA %s (", fr_version(), fr_isa_name(fr_get_isa()));
    for (int i = FR_ISA_SCALAR; i <= FR_ISA_NEON; i++)
        if (fr_isa_supported((fr_isa)i))
            printf(" %s", fr_isa_name((fr_isa)i));
    printf(" available), %d thread(s)\n", fr_get_num_threads());

    show("x", x, N);
    rc |= fr_srelu(N, x, 1, y, 1);
    show("relu", y, N);
    rc |= fr_sleaky_relu(N, 0.1f, x, 1, y, 1);
    show("leaky_relu 0.1", y, N);
    rc |= fr_srelu_backward(N, x, 1, dy, 1, dx, 1);
    show("relu_backward (dy = 1)", dx, N);
    rc |= fr_sleaky_relu_backward(N, 0.1f, x, 1, dy, 1, dx, 1);
    show("leaky_relu_backward 0.1", dx, N);
    rc |= fr_srelu_mask(N, x, 1, y, 1, mask);
    printf("%-28s 0x%02x\n", "relu_mask: mask", mask[0]);
    rc |= fr_srelu_backward_mask(N, mask, dy, 1, dx, 1);
    show("relu_backward_mask", dx, N);
    rc |= fr_sleaky_relu_mask(N, 0.1f, x, 1, NULL, 0, mask);
    rc |= fr_sleaky_relu_backward_mask(N, 0.1f, mask, dy, 1, dx, 1);
    show("leaky_relu_backward_mask", dx, N);
    rc |= fr_srelu(N / 2, x, 2, y, -1);
    show("relu, n 4, incx 2, incy -1", y, N / 2);

    int bad = fr_srelu(N, NULL, 1, y, 1);
    printf("fr_srelu(x = NULL): %d, %s\n", bad, fr_strerror(bad));
    if (rc != FR_OK || bad != -2) {
        fprintf(stderr, "unexpected status\n");
        return 1;
    }
    return 0;
}
