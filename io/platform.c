/* platform.c — the machine's side of sim/mem.h (platform.h). */
#include "platform.h"

#include <sys/mman.h>

#include "mem.h"

/* Random probes into tens of megabytes miss the TLB on almost every lookup
 * with 4 KiB pages; transparent huge pages are often given only on request. */
static void advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE); /* a hint: without it, plain pages */
#else
    (void)p;
    (void)bytes;
#endif
}

void ps_platform_init(void) { ps_set_big_alloc_hint(advise_huge); }
