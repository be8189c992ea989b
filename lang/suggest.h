/* suggest.h — "did you mean ...?": the nearest known word to a misspelt one,
 * by edit distance: Levenshtein's, where swapping two neighbouring bytes
 * also counts as one edit ("ngnix" is one edit from "nginx") and case is
 * ignored ("ESTABLISHED" is zero edits from "established"). Used by the
 * parser and by the command line (commands, options). Pure; never
 * allocates. */
#ifndef PS_SUGGEST_H
#define PS_SUGGEST_H

#include <stddef.h>

/* Words longer than this are never compared (no suggestion is offered). */
#define PS_SUGGEST_MAX_LEN 64

/* The fewest single-byte insertions, deletions, substitutions and swaps of
 * neighbours that turn a into b, ASCII letters compared without case (each substring edited once); PS_SUGGEST_FAR when either is longer
 * than PS_SUGGEST_MAX_LEN. */
#define PS_SUGGEST_FAR ((size_t)-1)
size_t ps_edit_distance(const char *a, size_t alen, const char *b, size_t blen);

/* Collects candidates for one misspelt word and keeps the nearest. */
typedef struct ps_suggest {
    const char *word; /* what was typed (not NUL-terminated) */
    size_t len;
    const char *best; /* nearest candidate so far, or NULL */
    size_t best_dist;
} ps_suggest;

/* Starts a search for the nearest candidate to word[0..len). */
void ps_suggest_init(ps_suggest *sg, const char *word, size_t len);
/* Offers one NUL-terminated candidate; the first of equally near ones wins. */
void ps_suggest_add(ps_suggest *sg, const char *candidate);
/* The nearest candidate if it is close enough to be a likely typo (edit
 * distance at most max(1, len/3), and not the word itself byte for byte),
 * else NULL. */
const char *ps_suggest_best(const ps_suggest *sg);

/* " (did you mean 'NEAREST'?)" in buf when one of the n candidates is near
 * word[0..len) by ps_suggest_best()'s rule,
 * else "": the tail of every "unknown ..." message. Returns buf. */
const char *ps_suggest_hint(const char *word, size_t len, const char *const *cands, size_t n, char *buf,
                            size_t size);

#endif
