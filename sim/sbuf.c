/* sbuf.c — growable text (sbuf.h). */
#include "sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static bool sbuf_reserve(ps_sbuf *b, size_t extra)
{
    if (b->failed) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) {
        if (cap > SIZE_MAX / 2) {
            b->failed = true;
            return false;
        }
        cap *= 2;
    }
    char *ns = realloc(b->s, cap);
    if (!ns) {
        b->failed = true;
        return false;
    }
    b->s = ns;
    b->cap = cap;
    return true;
}

void ps_sbuf_free(ps_sbuf *b)
{
    free(b->s);
    memset(b, 0, sizeof *b);
}

void ps_sbuf_putn(ps_sbuf *b, const char *s, size_t n)
{
    if (!sbuf_reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ps_sbuf_puts(ps_sbuf *b, const char *s) { ps_sbuf_putn(b, s, strlen(s)); }

void ps_sbuf_vprintf(ps_sbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (!sbuf_reserve(b, (size_t)n)) return;
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ps_sbuf_printf(ps_sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ps_sbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

void ps_sbuf_line(ps_sbuf *b)
{
    if (b->len) ps_sbuf_putn(b, "\n", 1);
}

void ps_sbuf_putc(ps_sbuf *b, char c) { ps_sbuf_putn(b, &c, 1); }

void ps_sbuf_clear(ps_sbuf *b)
{
    b->len = 0;
    if (b->s) b->s[0] = '\0';
}
