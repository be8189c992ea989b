/* sbuf.h — growable text: the one string builder the trace formatter, the
 * userland's tools and the view model write into. Pure C11 (vsnprintf). */
#ifndef PS_SBUF_H
#define PS_SBUF_H

#include <stdarg.h>

#include "base.h"

/* A NUL-terminated string that grows as needed. `failed` is set once memory
 * ran out; later appends are ignored, so callers check it once at the end. */
typedef struct ps_sbuf {
    char *s;
    size_t len, cap;
    bool failed;
} ps_sbuf;

void ps_sbuf_free(ps_sbuf *b);
void ps_sbuf_putn(ps_sbuf *b, const char *s, size_t n);
void ps_sbuf_puts(ps_sbuf *b, const char *s);
void ps_sbuf_putc(ps_sbuf *b, char c);
/* Empties the text, keeping its memory (and `failed`). */
void ps_sbuf_clear(ps_sbuf *b);
void ps_sbuf_printf(ps_sbuf *b, const char *fmt, ...) PS_PRINTF(2, 3);
void ps_sbuf_vprintf(ps_sbuf *b, const char *fmt, va_list ap);
/* Starts a new output line: a "\n" unless the buffer is empty. */
void ps_sbuf_line(ps_sbuf *b);

#endif
