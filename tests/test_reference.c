/* Checks of the reference itself: conversions against known values and _Float16, and hand-worked cases. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "reference.h"
#include "testutil.h"

static float f32(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static uint32_t bits32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

static void test_f2h_known(void **state)
{
    static const struct { uint32_t f; uint16_t h; } k[] = {
        {0x3f800000, 0x3c00}, /* 1 */
        {0xbf800000, 0xbc00},
        {0x00000000, 0x0000},
        {0x80000000, 0x8000},
        {0x477fe000, 0x7bff}, /* 65504 */
        {0x477fefff, 0x7bff}, /* just under 65520 */
        {0x477ff000, 0x7c00}, /* 65520 rounds to inf */
        {0x7f7fffff, 0x7c00},
        {0x7f800000, 0x7c00},
        {0xff800000, 0xfc00},
        {0x33800000, 0x0001}, /* 2^-24 */
        {0x33000000, 0x0000}, /* 2^-25: tie to even 0 */
        {0x33000001, 0x0001}, /* above the tie */
        {0x33c00000, 0x0002}, /* 1.5 * 2^-24: tie to even 2 */
        {0x34200000, 0x0002}, /* 2.5 * 2^-24: tie to even 2 */
        {0x387fc000, 0x03ff}, /* largest subnormal */
        {0x387fe000, 0x0400}, /* rounds up to min normal */
        {0x38800000, 0x0400}, /* 2^-14 */
        {0x3f801000, 0x3c00}, /* 1 + 2^-11: tie to even */
        {0x3f803000, 0x3c02}, /* 1 + 3 * 2^-11: tie to even (up) */
        {0x3f801001, 0x3c01},
        {0x00000001, 0x0000}, /* float denormal */
        {0x7fc00000, 0x7e00},
        {0xff800001, 0xfe00},
        {0x7fa00000, 0x7f00},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof k / sizeof k[0]; i++) {
        uint16_t got = ref_f2h_bits(f32(k[i].f));
        if (got != k[i].h)
            fail_msg("f2h_bits(0x%08x) = 0x%04x, want 0x%04x", k[i].f, got,
                     k[i].h);
        if ((k[i].f & 0x7fffffff) <= 0x7f800000 && ref_f2h(f32(k[i].f)) != k[i].h)
            fail_msg("f2h(0x%08x) = 0x%04x, want 0x%04x", k[i].f,
                     ref_f2h(f32(k[i].f)), k[i].h);
    }
}

/* Every binary16 widens and narrows back to itself; midpoints round to even. */
static void test_f2h_roundtrip(void **state)
{
    uint32_t h;
    (void)state;
    for (h = 0; h < 0x10000; h++) {
        float f;
        if ((h & 0x7fff) > 0x7c00)
            continue;
        f = ref_h2f_bits((uint16_t)h);
        assert_int_equal(bits32(f), bits32(ref_h2f((uint16_t)h)));
        assert_int_equal(ref_f2h_bits(f), h);
        assert_int_equal(ref_f2h(f), h);
        if ((h & 0x7fff) < 0x7bff) {
            /* halfway to the next value up in magnitude, and just around it */
            uint16_t next = (uint16_t)(h + 1);
            float mid = (f + ref_h2f_bits(next)) / 2;
            uint16_t even = (h & 1) ? next : (uint16_t)h;
            assert_int_equal(ref_f2h_bits(mid), even);
            assert_int_equal(ref_f2h_bits(nextafterf(mid, 0)), h);
            assert_int_equal(ref_f2h_bits(nextafterf(mid, (h & 0x8000) ? -1e9f : 1e9f)), next);
        }
    }
}

/* The bit-level routine against the compiler's _Float16, where it has one. */
static void test_f2h_vs_float16(void **state)
{
    uint64_t rng = 42;
    int i;
    (void)state;
    if (!ref_have_float16())
        skip();
    for (i = 0; i < 2000000; i++) {
        uint32_t u = (uint32_t)tu_rand(&rng);
        if ((i & 1) == 0) /* concentrate on binary16's range */
            u = (u & 0x81ffffff) | (((u >> 25 & 63) + 96) << 23);
        if ((u & 0x7fffffff) > 0x7f800000)
            continue;
        if (ref_f2h_bits(f32(u)) != ref_f2h(f32(u)))
            fail_msg("0x%08x: bits 0x%04x, _Float16 0x%04x", u,
                     ref_f2h_bits(f32(u)), ref_f2h(f32(u)));
    }
}

static void test_f2b_known(void **state)
{
    static const struct { uint32_t f; uint16_t b; } k[] = {
        {0x3f800000, 0x3f80}, {0x3f808000, 0x3f80}, {0x3f818000, 0x3f82},
        {0x3f808001, 0x3f81}, {0x3f807fff, 0x3f80}, {0x7f7fffff, 0x7f80},
        {0x7f7f7fff, 0x7f7f}, {0x7f800000, 0x7f80}, {0xff800000, 0xff80},
        {0x7f800001, 0x7fc0}, {0xffc00000, 0xffc0}, {0x7fa12345, 0x7fe1},
        {0x00008000, 0x0000}, {0x00018000, 0x0002}, {0x80000000, 0x8000},
        {0x807fffff, 0x8080},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof k / sizeof k[0]; i++)
        if (ref_f2b(f32(k[i].f)) != k[i].b)
            fail_msg("f2b(0x%08x) = 0x%04x, want 0x%04x", k[i].f,
                     ref_f2b(f32(k[i].f)), k[i].b);
}

/* Hand-worked element results straight from API.md. */
static void test_semantics(void **state)
{
    float a = 0.5f, nan_a = f32(0xffa00001);
    (void)state;
    /* relu */
    assert_int_equal(ref_s_fwd(0x80000000, 0, 0), 0);          /* -0 -> +0 */
    assert_int_equal(ref_s_fwd(0xff800000, 0, 0), 0);          /* -inf -> +0 */
    assert_int_equal(ref_s_fwd(0x7f800001, 0, 0), 0x7f800001); /* sNaN kept */
    assert_int_equal(ref_s_fwd(0xffc00001, 0, 0), 0xffc00001);
    assert_int_equal(ref_s_fwd(0x00000001, 0, 0), 0x00000001);
    assert_int_equal(ref_h_fwd(0xfc01, 0, 0), 0xfc01);
    assert_int_equal(ref_b_fwd(0x8001, 0, 0), 0x0000);
    /* leaky */
    assert_int_equal(ref_s_fwd(0xc0000000, 1, a), 0xbf800000);  /* -2 -> -1 */
    assert_int_equal(ref_s_fwd(0x80000000, 1, a), 0x80000000);  /* -0 * a */
    assert_int_equal(ref_s_fwd(0x7f800001, 1, a), 0x7fc00001);  /* x quieted */
    assert_int_equal(ref_s_fwd(0xff800000, 1, 0), 0x7fc00000);  /* -inf * 0 */
    assert_int_equal(ref_s_fwd(0xbf800000, 1, nan_a), 0xffe00001);
    assert_int_equal(ref_s_fwd(0x3f800000, 1, nan_a), 0x3f800000);
    assert_int_equal(ref_s_fwd(0x80000001, 1, a), 0x80000000);  /* underflow */
    assert_int_equal(ref_s_fwd(0x80000003, 1, a), 0x80000002);  /* tie even */
    assert_true(ref_d_fwd(0xfff0000000000000ull, 1, 0.0) == 0x7ff8000000000000ull);
    assert_true(ref_d_fwd(0xfff4000000000001ull, 1, 2.0) == 0xfffc000000000001ull);
    assert_int_equal(ref_h_fwd(0xfc00, 1, 0), 0x7e00);
    assert_int_equal(ref_h_fwd(0x7c01, 1, a), 0x7e01);
    assert_int_equal(ref_h_fwd(0xbc00, 1, nan_a), 0xff00);
    assert_int_equal(ref_h_fwd(0xbc00, 1, 0.1f), 0xae66);       /* -0.1 */
    assert_int_equal(ref_h_fwd(0xfbff, 1, 1.5f), 0xfc00);       /* overflow */
    assert_int_equal(ref_h_fwd(0x8001, 1, a), 0x8000);          /* tie to even 0 */
    assert_int_equal(ref_h_fwd(0x8003, 1, a), 0x8002);
    assert_int_equal(ref_b_fwd(0xbf80, 1, 0.1f), 0xbdcd);       /* -0.1 */
    assert_int_equal(ref_b_fwd(0xff81, 1, a), 0xffc1);
    assert_int_equal(ref_b_fwd(0xbf80, 1, nan_a), 0xffe0);
    assert_int_equal(ref_b_fwd(0xff80, 1, 0), 0x7fc0);
    /* backward */
    assert_int_equal(ref_s_pos(0x7fc00000), 0);
    assert_int_equal(ref_s_pos(0x00000001), 1);
    assert_int_equal(ref_s_pos(0x80000000), 0);
    assert_int_equal(ref_h_pos(0x7c00), 1);
    assert_int_equal(ref_h_pos(0x7c01), 0);
    assert_int_equal(ref_b_pos(0x0001), 1);
    assert_int_equal(ref_s_bwd(1, 0x7f800001, 0, 0), 0x7f800001); /* copy sNaN */
    assert_int_equal(ref_s_bwd(0, 0x7f800001, 0, 0), 0);
    assert_int_equal(ref_s_bwd(0, 0xff800000, 0, 0), 0);
    assert_int_equal(ref_s_bwd(0, 0x7f800001, 1, a), 0x7fc00001);
    assert_int_equal(ref_s_bwd(0, 0x40000000, 1, -0.5f), 0xbf800000);
    assert_int_equal(ref_h_bwd(0, 0x3c00, 1, 0.2f), 0x3266);
    assert_int_equal(ref_b_bwd(1, 0xff81, 1, 0.2f), 0xff81);
}

static void test_strides_and_mask(void **state)
{
    float x[9] = {1, -1, 2, -2, 3, -3, 4, -4, 5};
    float y[9];
    uint8_t m[2] = {0xff, 0xff};
    (void)state;
    memset(y, 0, sizeof y);
    /* x with inc 2: logical 1, 2, 3, 4, 5; y with inc -1: reversed */
    ref_call(REF_S, REF_RELU_MASK, 5, 0, x, 2, NULL, 1, y, -1, m);
    assert_true(y[0] == 5 && y[1] == 4 && y[2] == 3 && y[3] == 2 && y[4] == 1);
    assert_int_equal(m[0], 0x1f);
    assert_int_equal(m[1], 0xff);
    ref_call(REF_S, REF_RELU_MASK, 5, 0, x, -2, NULL, 1, NULL, 1, m);
    assert_int_equal(m[0], 0x1f);
    ref_call(REF_S, REF_RELU_MASK, 9, 0, x, 1, NULL, 1, y, 1, m);
    assert_int_equal(m[0], 0x55);
    assert_int_equal(m[1], 0x01);
    assert_int_equal(ref_index(5, -2, 0), 8);
    assert_int_equal(ref_index(5, -2, 4), 0);
    assert_int_equal(ref_index(5, 3, 4), 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f2h_known),
        cmocka_unit_test(test_f2h_roundtrip),
        cmocka_unit_test(test_f2h_vs_float16),
        cmocka_unit_test(test_f2b_known),
        cmocka_unit_test(test_semantics),
        cmocka_unit_test(test_strides_and_mask),
    };
    return cmocka_run_group_tests_name("reference", tests, NULL, NULL);
}
