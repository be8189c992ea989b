/* shell_text.c — the shell's output plumbing: a growable string and the one
 * column-layout helper every table-printing tool (ss, netstat, lsof, ps)
 * uses, so all of them widen columns to their content the same way. */
#include "shell_internal.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- column layout ---- */

void ps_grid_init(ps_grid *t, const ps_col *cols, int ncols)
{
    memset(t, 0, sizeof *t);
    t->cols = cols;
    t->ncols = ncols;
}

void ps_grid_free(ps_grid *t)
{
    ps_sbuf_free(&t->pool);
    free(t->off);
    memset(t, 0, sizeof *t);
}

void ps_grid_cell(ps_grid *t, const char *fmt, ...)
{
    if (t->failed) return;
    if (!ps_grow(&t->off, &t->cap, t->ncells + 1, sizeof *t->off)) {
        t->failed = true;
        return;
    }
    t->off[t->ncells++] = t->pool.len;
    va_list ap;
    va_start(ap, fmt);
    ps_sbuf_vprintf(&t->pool, fmt, ap);
    va_end(ap);
    ps_sbuf_putn(&t->pool, "", 1); /* keep the terminator inside the pool */
    if (t->pool.failed) t->failed = true;
}

size_t ps_grid_rows(const ps_grid *t) { return t->ncells / (size_t)t->ncols; }

static const char *cell(const ps_grid *t, size_t row, int col)
{
    return t->pool.s + t->off[row * (size_t)t->ncols + (size_t)col];
}

void ps_grid_render(ps_grid *t, ps_sbuf *out)
{
    if (t->failed) {
        out->failed = true;
        return;
    }
    size_t rows = ps_grid_rows(t);
    size_t *w = calloc((size_t)t->ncols, sizeof *w);
    if (!w) {
        out->failed = true;
        return;
    }
    for (int c = 0; c < t->ncols; c++) w[c] = (size_t)t->cols[c].min_width;
    for (size_t r = 0; r < rows; r++)
        for (int c = 0; c < t->ncols; c++) {
            size_t n = strlen(cell(t, r, c));
            if (n > w[c]) w[c] = n;
        }
    for (size_t r = 0; r < rows; r++) {
        ps_sbuf_line(out);
        size_t start = out->len;
        for (int c = 0; c < t->ncols; c++) {
            const char *s = cell(t, r, c);
            if (c > 0) ps_sbuf_puts(out, t->cols[c].sep);
            if (t->cols[c].right) ps_sbuf_printf(out, "%*s", (int)w[c], s);
            else ps_sbuf_printf(out, "%-*s", (int)w[c], s);
        }
        /* Trim the padding of the last columns. */
        while (!out->failed && out->len > start && out->s[out->len - 1] == ' ')
            out->s[--out->len] = '\0';
    }
    free(w);
}
