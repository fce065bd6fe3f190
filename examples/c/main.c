/* C consumer: leaky ReLU forward keeping a 1-bit mask, then the backward from it. */
#include <stdint.h>
#include <stdio.h>

#include <fastrelu.h>

int main(void)
{
    float x[6] = {-2.0f, -0.5f, 0.0f, 0.5f, 1.0f, 4.0f};
    float y[6], dy[6] = {1, 1, 1, 1, 1, 1}, dx[6];
    uint8_t mask[(6 + 7) / 8];

    int rc = fr_sleaky_relu_mask(6, 0.1f, x, 1, y, 1, mask);
    if (rc == FR_OK)
        rc = fr_sleaky_relu_backward_mask(6, 0.1f, mask, dy, 1, dx, 1);
    if (rc != FR_OK) {
        fprintf(stderr, "fastrelu: %s\n", fr_strerror(rc));
        return 1;
    }
    printf("isa %s, mask 0x%02x\n", fr_isa_name(fr_get_isa()), mask[0]);
    for (int i = 0; i < 6; i++)
        printf("x %5.2f  y %5.2f  dx %4.2f\n", x[i], y[i], dx[i]);
    return 0;
}
