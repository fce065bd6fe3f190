// C++ consumer: ReLU over a std::vector, in place, and errors as exceptions.
#include <cstdio>
#include <stdexcept>
#include <vector>

#include <fastrelu.h>

static void check(int rc)
{
    if (rc != FR_OK)
        throw std::runtime_error(fr_strerror(rc));
}

int main()
{
    std::vector<double> v = {-3.0, -1.0, 0.5, 2.0, -0.25, 8.0};
    check(fr_drelu(static_cast<fr_int>(v.size()), v.data(), 1, v.data(), 1));
    for (double e : v)
        std::printf("%g ", e);
    std::printf("\n");

    try {  // overlapping, not identical, input and output
        check(fr_drelu(4, v.data(), 1, v.data() + 1, 1));
    } catch (const std::runtime_error &e) {
        std::printf("error: %s\n", e.what());
    }
    return 0;
}
