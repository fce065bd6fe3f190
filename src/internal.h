/* Internal interfaces between the front end, the dispatcher, CPU detection and threads. */
#ifndef FR_INTERNAL_H
#define FR_INTERNAL_H

#include <stddef.h>

#include "kernels.h"

#if defined(__GNUC__)
#define FR_HIDDEN __attribute__((visibility("hidden")))
#else
#define FR_HIDDEN
#endif

/* cpu.c: 1 if this CPU and OS can run the ISA's kernels (regardless of build). */
FR_HIDDEN int frk_cpu_supports(fr_isa isa);
FR_HIDDEN int frk_cpu_has_ext(int ext); /* an frk_ext */
FR_HIDDEN int frk_cpu_intel(void); /* a GenuineIntel x86-64 CPU */
/* cpu.c: one CPU's share of the last-level data cache in bytes (a guess if
   unknown), and the size past which streaming stores pay: the same, or on
   Intel one CPU's share of the L2 where that is smaller. */
FR_HIDDEN void frk_cache_bytes(size_t *llc, size_t *stream);

/* dispatch.c: the table in use (initialising on first use), and the
   compiled-in table for isa with empty slots filled from the scalar table,
   or NULL where this build or CPU cannot run it; the base table leaves out
   the CPU extensions (ext_ops), so that tests run both. */
FR_HIDDEN const struct frk_table *frk_active_table(void);
FR_HIDDEN const struct frk_table *frk_native_table(fr_isa isa);
FR_HIDDEN const struct frk_table *frk_base_table(fr_isa isa);

/* threads.c: run fn over [0, n) split into at most nthreads parts whose
   boundaries are multiples of grain; small n runs on the calling thread. */
typedef void (*frk_range_fn)(void *ctx, size_t begin, size_t end);
FR_HIDDEN void frk_parallel(size_t n, size_t min_part, size_t grain,
                            frk_range_fn fn, void *ctx);
FR_HIDDEN void frk_threads_init(void);

#endif
