/* mem.h — memory helpers every layer shares: the one growth rule for arrays,
 * and big zeroed tables that the platform may back with huge pages.
 *
 * Pure C11: the huge-page advice is a hook the program sets (the command
 * line does, with madvise); the kernel model itself makes no system call. */
#ifndef PS_MEM_H
#define PS_MEM_H

#include "base.h"

/* Makes the array at *arr_ptr (a T **, elements of elem bytes, capacity
 * *cap) hold at least `need` elements, doubling from 16. Returns false when
 * memory runs out or need exceeds UINT32_MAX; the array is then unchanged. */
bool ps_grow(void *arr_ptr, uint32_t *cap, size_t need, size_t elem);

/* Two parallel arrays with one capacity (*cap): both hold at least `need`
 * elements afterwards, or false and *cap unchanged (an array that did grow
 * keeps its larger block, which is harmless). */
bool ps_grow_pair(void *a_ptr, size_t a_elem, void *b_ptr, size_t b_elem, uint32_t *cap, size_t need);

/* A malloc'd copy of s (C11 has no strdup), or NULL. */
char *ps_strdup(const char *s);

/* A zeroed table of `bytes`, aligned to 2 MiB when it is at least that big
 * (so the hint below can give it huge pages: random probes into tens of
 * megabytes otherwise miss the TLB on almost every lookup). free() it. */
void *ps_big_calloc(size_t bytes);

/* Called with every big table ps_big_calloc() makes; NULL (the default)
 * does nothing. */
typedef void (*ps_big_alloc_hint_fn)(void *p, size_t bytes);
void ps_set_big_alloc_hint(ps_big_alloc_hint_fn fn);

#endif
