/* suggest.c — edit distance and nearest-word suggestions (see suggest.h). */
#include "suggest.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ASCII only: names and keywords are ASCII, and the locale must not matter. */
static char fold(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

size_t ps_edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen > PS_SUGGEST_MAX_LEN || blen > PS_SUGGEST_MAX_LEN) return PS_SUGGEST_FAR;
    /* Three rows of the usual table: i-2, i-1 and i. */
    size_t rows[3][PS_SUGGEST_MAX_LEN + 1];
    for (size_t j = 0; j <= blen; j++) rows[1][j] = j;
    for (size_t i = 1; i <= alen; i++) {
        size_t *cur = rows[(i + 1) % 3], *up = rows[i % 3], *up2 = rows[(i + 2) % 3];
        cur[0] = i;
        for (size_t j = 1; j <= blen; j++) {
            size_t best = up[j - 1] + (fold(a[i - 1]) != fold(b[j - 1]));
            if (up[j] + 1 < best) best = up[j] + 1;
            if (cur[j - 1] + 1 < best) best = cur[j - 1] + 1;
            bool swap = i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1]);
            if (swap && up2[j - 2] + 1 < best) best = up2[j - 2] + 1;
            cur[j] = best;
        }
    }
    return rows[(alen + 1) % 3][blen];
}

void ps_suggest_init(ps_suggest *sg, const char *word, size_t len)
{
    sg->word = word;
    sg->len = len;
    sg->best = NULL;
    sg->best_dist = PS_SUGGEST_FAR;
}

void ps_suggest_add(ps_suggest *sg, const char *candidate)
{
    size_t d = ps_edit_distance(sg->word, sg->len, candidate, strlen(candidate));
    if (d < sg->best_dist) {
        sg->best = candidate;
        sg->best_dist = d;
    }
}

const char *ps_suggest_hint(const char *word, size_t len, const char *const *cands, size_t n, char *buf,
                            size_t size)
{
    ps_suggest sg;
    ps_suggest_init(&sg, word, len);
    for (size_t i = 0; i < n; i++) ps_suggest_add(&sg, cands[i]);
    const char *near = ps_suggest_best(&sg);
    if (near) snprintf(buf, size, " (did you mean '%s'?)", near);
    else if (size) buf[0] = '\0';
    return buf;
}

const char *ps_suggest_best(const ps_suggest *sg)
{
    size_t limit = sg->len / 3 > 1 ? sg->len / 3 : 1;
    if (sg->best == NULL || sg->best_dist > limit) return NULL;
    /* Only the word itself is no suggestion; the same word in other case is. */
    if (strlen(sg->best) == sg->len && memcmp(sg->best, sg->word, sg->len) == 0) return NULL;
    return sg->best;
}
