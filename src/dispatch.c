/* Runtime dispatch: picks the best kernel table at first use, honours FASTRELU_ISA, swaps atomically. */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Compiled-in tables, best first; FR_HAVE_<ISA> comes from the build. */
static const struct frk_table *const compiled[] = {
#ifdef FR_HAVE_AVX512
    &frk_table_avx512,
#endif
#ifdef FR_HAVE_AVX2
    &frk_table_avx2,
#endif
#ifdef FR_HAVE_SSE2
    &frk_table_sse2,
#endif
#ifdef FR_HAVE_NEON
    &frk_table_neon,
#endif
    &frk_table_scalar,
};
#define NCOMPILED (sizeof compiled / sizeof compiled[0])

/* Each usable table with its empty slots taken from the scalar table;
   indexed by fr_isa, NULL where unusable. Written once, under init_once. */
static struct frk_table merged[FR_ISA_NEON + 1], base[FR_ISA_NEON + 1];
static const struct frk_table *usable[FR_ISA_NEON + 1];
static fr_isa best = FR_ISA_SCALAR;

static _Atomic(const struct frk_table *) active;
size_t frk_nt_min_bytes = SIZE_MAX, frk_big_min_bytes = SIZE_MAX;
int frk_cvt512;
unsigned frk_nt_pages = 1;
size_t frk_mid_min_bytes = SIZE_MAX;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static const char *const names[] = {"auto", "scalar", "sse2", "avx2", "avx512", "neon"};

static void fill_ops(struct frk_ops *o, const struct frk_ops *s)
{
#define FILL(f) if (!o->f) o->f = s->f
    FILL(relu); FILL(leaky); FILL(relu_bwd); FILL(leaky_bwd);
    FILL(relu_mask); FILL(leaky_mask); FILL(relu_bwd_mask); FILL(leaky_bwd_mask);
#undef FILL
}

/* src's kernels, its extension's first where ext and the CPU has it, then
   the scalar ones. */
static void fill(struct frk_table *t, const struct frk_table *src, int ext)
{
    *t = *src;
    for (int p = 0; p < FRK_NPREC; p++) {
        if (ext && src->ext && frk_cpu_has_ext(src->ext)) {
            t->ops[p] = src->ext_ops[p];
            fill_ops(&t->ops[p], &src->ops[p]);
        }
        fill_ops(&t->ops[p], &frk_table_scalar.ops[p]);
    }
}

static fr_isa isa_from_env(void)
{
    const char *v = getenv("FASTRELU_ISA");
    if (!v || !*v)
        return FR_ISA_AUTO;
    for (int i = FR_ISA_AUTO; i <= FR_ISA_NEON; i++) {
        const char *a = v, *b = names[i];
        while (*a && *b && tolower((unsigned char)*a) == *b)
            a++, b++;
        if (!*a && !*b) {
            if (i == FR_ISA_AUTO || usable[i])
                return (fr_isa)i;
            fprintf(stderr, "libfastrelu: FASTRELU_ISA=%s is not available on this "
                    "CPU or build; using %s\n", v, names[best]);
            return FR_ISA_AUTO;
        }
    }
    fprintf(stderr, "libfastrelu: FASTRELU_ISA=%s is not a known ISA "
            "(auto, scalar, sse2, avx2, avx512, neon); using %s\n", v, names[best]);
    return FR_ISA_AUTO;
}

static void init(void)
{
    for (size_t i = NCOMPILED; i-- > 0;) {
        fr_isa isa = compiled[i]->isa;
        if (!frk_cpu_supports(isa))
            continue;
        fill(&merged[isa], compiled[i], 1);
        fill(&base[isa], compiled[i], 0);
        usable[isa] = &merged[isa];
    }
    for (size_t i = 0; i < NCOMPILED; i++)
        if (usable[compiled[i]->isa]) {
            best = compiled[i]->isa;
            break;
        }
    /* streaming wins once a call's data no longer fits its CPU's share of
       the last-level cache, on Intel its L2 (measured in bench/NOTES.md) */
    size_t llc, stream;
    frk_cache_bytes(&llc, &stream);
    frk_nt_min_bytes = stream / 4 * 5;
    frk_big_min_bytes = llc / 4 * 5;
    int intel = frk_cpu_intel();
    frk_cvt512 = intel;
    frk_nt_pages = intel ? 4 : 1;
    frk_mid_min_bytes = intel ? 48 * 1024 : SIZE_MAX;
    fr_isa isa = isa_from_env();
    atomic_store(&active, usable[isa == FR_ISA_AUTO ? best : isa]);
    frk_threads_init();
}

static void ensure_init(void) { pthread_once(&init_once, init); }

const struct frk_table *frk_active_table(void)
{
    const struct frk_table *t = atomic_load_explicit(&active, memory_order_acquire);
    if (t)
        return t;
    ensure_init();
    return atomic_load_explicit(&active, memory_order_acquire);
}

const struct frk_table *frk_native_table(fr_isa isa)
{
    ensure_init();
    return isa >= FR_ISA_SCALAR && isa <= FR_ISA_NEON ? usable[isa] : NULL;
}

const struct frk_table *frk_base_table(fr_isa isa)
{
    return frk_native_table(isa) ? &base[isa] : NULL;
}

int fr_init(void)
{
    ensure_init();
    return FR_OK;
}

fr_isa fr_get_isa(void) { return frk_active_table()->isa; }

int fr_isa_supported(fr_isa isa)
{
    if (isa == FR_ISA_AUTO)
        return 1;
    return frk_native_table(isa) != NULL;
}

int fr_set_isa(fr_isa isa)
{
    if ((int)isa < FR_ISA_AUTO || (int)isa > FR_ISA_NEON)
        return -1;
    ensure_init();
    if (isa == FR_ISA_AUTO)
        isa = best;
    if (!usable[isa])
        return FR_EUNSUPPORTED;
    atomic_store_explicit(&active, usable[isa], memory_order_release);
    return FR_OK;
}

const char *fr_isa_name(fr_isa isa)
{
    if ((int)isa < FR_ISA_AUTO || (int)isa > FR_ISA_NEON)
        return "unknown";
    return names[isa];
}
