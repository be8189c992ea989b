/* boxes.c — the record of drawn texts and its JSON form (see boxes.h). */
#include "boxes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"

static const char *const k_roles[PV_ROLE_COUNT] = {
    "title", "clock", "hint", "caption", "roof", "name", "floor", "door", "envelope", "link", "table",
    "log", "terminal", "banner", "notice", "lookup", "timeline", "help", "picker", "error", "button",
    "nat",
};

const char *pv_role_name(pv_role r) { return r < PV_ROLE_COUNT ? k_roles[r] : "other"; }

void pv_boxes_clear(pv_boxes *b)
{
    b->n = b->dropped = 0;
    ps_sbuf_clear(&b->words);
}

void pv_boxes_free(pv_boxes *b)
{
    free(b->v);
    ps_sbuf_free(&b->words);
    memset(b, 0, sizeof *b);
}

bool pv_boxes_add(pv_boxes *b, const char *text, bool cut, pv_rect r, int px, pv_role role, const char *conn,
                  pv_rgba color)
{
    if (b->n >= PV_BOXES_MAX || !ps_grow(&b->v, &b->cap, b->n + 1, sizeof *b->v)) {
        b->dropped++;
        return false;
    }
    pv_box *x = &b->v[b->n];
    memset(x, 0, sizeof *x);
    x->r = r;
    x->px = px;
    x->role = (uint8_t)role;
    x->cut = cut;
    x->color = color;
    snprintf(x->conn, sizeof x->conn, "%s", conn ? conn : "");
    x->text = (uint32_t)b->words.len;
    ps_sbuf_puts(&b->words, text);
    ps_sbuf_putc(&b->words, '\0');
    if (b->words.failed) {
        b->dropped++;
        return false;
    }
    b->n++;
    return true;
}

const char *pv_boxes_text(const pv_boxes *b, uint32_t i) { return b->words.s + b->v[i].text; }

/* A JSON string: quotes, backslashes and control bytes escaped; UTF-8 as is. */
static void json_str(ps_sbuf *out, const char *s)
{
    ps_sbuf_putc(out, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            ps_sbuf_putc(out, '\\');
            ps_sbuf_putc(out, (char)c);
        } else if (c < 0x20) {
            ps_sbuf_printf(out, "\\u%04x", c);
        } else {
            ps_sbuf_putc(out, (char)c);
        }
    }
    ps_sbuf_putc(out, '"');
}

void pv_boxes_json(const pv_boxes *b, ps_sbuf *out)
{
    ps_sbuf_puts(out, "[");
    for (uint32_t i = 0; i < b->n; i++) {
        const pv_box *x = &b->v[i];
        ps_sbuf_puts(out, i ? ",\n{\"text\":" : "\n{\"text\":");
        json_str(out, pv_boxes_text(b, i));
        ps_sbuf_printf(out, ",\"x\":%d,\"y\":%d,\"w\":%d,\"h\":%d,\"px\":%d,\"role\":\"%s\",\"color\":\"#%02x%02x%02x\"",
                       x->r.x, x->r.y, x->r.w, x->r.h, x->px, pv_role_name((pv_role)x->role), x->color.r,
                       x->color.g, x->color.b);
        if (x->conn[0]) {
            ps_sbuf_puts(out, ",\"conn\":");
            json_str(out, x->conn);
        }
        if (x->cut) ps_sbuf_puts(out, ",\"cut\":true");
        ps_sbuf_puts(out, "}");
    }
    ps_sbuf_puts(out, "\n]\n");
}

static int span(int a0, int a1, int b0, int b1)
{
    int lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
    return hi > lo ? hi - lo : 0;
}

int pv_rect_overlap_x(pv_rect a, pv_rect b) { return span(a.x, a.x + a.w, b.x, b.x + b.w); }
int pv_rect_overlap_y(pv_rect a, pv_rect b) { return span(a.y, a.y + a.h, b.y, b.y + b.h); }
