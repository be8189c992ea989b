/* mem.c — array growth and big tables (mem.h). */
#include "mem.h"

#include <stdlib.h>
#include <string.h>

bool ps_grow(void *arr_ptr, uint32_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    if (need > UINT32_MAX) return false;
    size_t n = *cap ? *cap : 16;
    while (n < need) n *= 2;
    if (n > UINT32_MAX) n = UINT32_MAX;
    if (elem && n > SIZE_MAX / elem) return false;
    void *old;
    memcpy(&old, arr_ptr, sizeof old); /* arr_ptr is a T **: read it as bytes */
    void *grown = realloc(old, n * elem);
    if (grown == NULL) return false;
    memcpy(arr_ptr, &grown, sizeof grown);
    *cap = (uint32_t)n;
    PS_ASSERT(*cap >= need);
    return true;
}

bool ps_grow_pair(void *a_ptr, size_t a_elem, void *b_ptr, size_t b_elem, uint32_t *cap, size_t need)
{
    uint32_t ca = *cap, cb = *cap;
    if (!ps_grow(a_ptr, &ca, need, a_elem) || !ps_grow(b_ptr, &cb, need, b_elem)) return false;
    PS_ASSERT(ca == cb); /* the same rule from the same start */
    *cap = ca;
    return true;
}

char *ps_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static ps_big_alloc_hint_fn big_hint;

void ps_set_big_alloc_hint(ps_big_alloc_hint_fn fn) { big_hint = fn; }

void *ps_big_calloc(size_t bytes)
{
    enum { HUGE = 2u << 20 };
    if (bytes < HUGE) return calloc(1, bytes ? bytes : 1);
    /* C11 wants the size a multiple of the alignment (ASan enforces it). */
    size_t rounded = (bytes + HUGE - 1) / HUGE * HUGE;
    if (rounded < bytes) return NULL;
    void *p = aligned_alloc(HUGE, rounded);
    if (p == NULL) return NULL;
    if (big_hint) big_hint(p, rounded);
    memset(p, 0, bytes);
    return p;
}
