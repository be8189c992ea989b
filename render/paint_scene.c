/* paint_scene.c — the street scene through the painter (see paint.h).
 * Every meaning has a shape or a word as well as a colour. */
#include "paint.h"

#include <stdio.h>

pv_rgba pv_door_colour(pv_door_kind kind)
{
    switch (kind) {
    case PV_DOOR_LISTEN: return PV_COL_LISTEN;
    case PV_DOOR_TEMP: return PV_COL_TEMP;
    case PV_DOOR_UDP: return PV_COL_UDP;
    default: return PV_COL_EMPTY;
    }
}

/* ---- the scene ---- */

static void draw_streets(pv_paint *p, const pv_layout *L)
{
    for (uint32_t i = 0; i < L->nrows; i++) {
        pv_rect st = L->streets[i];
        pv_fill(p, st, PV_COL_STREET);
        int t = pv_th(L, 2), y = st.y + st.h / 2 + t / 2; /* the centre line: rows st.y + h/2 on */
        pv_line(p, (pv_point){ st.x, y }, (pv_point){ st.x + st.w, y }, PV_COL_STREET_MID, t, pv_th(L, 16));
    }
}

static void draw_lock(pv_paint *p, pv_rect k, pv_rgba c)
{
    if (k.w <= 0) return;
    pv_outline(p, (pv_rect){ k.x + k.w / 5, k.y, k.w - 2 * (k.w / 5), k.h / 2 }, c, 1 + k.w / 8);
    pv_fill(p, (pv_rect){ k.x, k.y + k.h * 2 / 5, k.w, k.h - k.h * 2 / 5 }, c);
}

static void draw_floor(pv_paint *p, const pv_layout *L, const pv_host_box *hb,
                       const pv_floor_box *f)
{
    if (f->r.w <= 0) return;
    if (f->priv) {
        pv_rect in = { f->r.x + pv_th(L, 3), f->r.y + pv_th(L, 3), f->r.w - 2 * pv_th(L, 3), f->r.h - 2 * pv_th(L, 3) };
        pv_hatch(p, in, PV_COL_PRIV_HATCH, pv_th(L, 10));
        pv_dashed(p, in, PV_COL_PRIV, pv_th(L, 2), pv_th(L, 7));
        draw_lock(p, f->lock, PV_COL_PRIV);
    }
    if (f->more.w > 0) {
        char title[24];
        snprintf(title, sizeof title, "+%u", (unsigned)f->more_count);
        pv_fill(p, f->more, PV_COL_TEMP_FILL);
        pv_paint_role(p, PV_ROLE_DOOR);
        pv_dashed(p, f->more, PV_COL_TEXT_DIM, pv_th(L, 2), pv_th(L, 5));
        pv_paint_text_in(p, title, PV_FACE_BOLD, hb->door_title_px, PV_COL_TEXT, f->more_title, PV_ALIGN_CENTER);
        pv_paint_text_in(p, "more doors", PV_FACE_SANS, hb->door_sub_px, PV_COL_TEXT_DIM, f->more_sub,
                   PV_ALIGN_CENTER);
    }
}

static void floor_heads(pv_paint *p, const pv_layout *L, const pv_host_box *hb, uint16_t unpriv)
{
    char head[80];
    pv_paint_role(p, PV_ROLE_FLOOR);
    if (hb->upper.head.h > 0) {
        snprintf(head, sizeof head, "ports %u and up", (unsigned)unpriv);
        pv_paint_text_in(p, head, PV_FACE_SANS, L->px.floor, PV_COL_TEXT_DIM, hb->upper.head, PV_ALIGN_LEFT);
    }
    if (hb->priv.head.h > 0) {
        /* The long title where it fits, else a short one that keeps the
         * number (a narrow building would cut the long one to "below 10…"). */
        snprintf(head, sizeof head, "PRIVILEGED FLOOR: below %u (root only)", (unsigned)unpriv);
        if (pv_paint_measure(p, head, L->px.floor, PV_FACE_BOLD) > hb->priv.head.w)
            snprintf(head, sizeof head, "PRIVILEGED: < %u, root", (unsigned)unpriv);
        pv_paint_text_in(p, head, PV_FACE_BOLD, L->px.floor, PV_COL_PRIV, hb->priv.head, PV_ALIGN_LEFT);
    }
}

static void draw_door(pv_paint *p, const pv_layout *L, const pv_scene *s, const pv_host_box *hb,
                      const pv_door *d, const pv_door_box *b)
{
    if (b->r.w <= 0) return;
    pv_paint_role(p, PV_ROLE_DOOR);
    pv_rgba edge = pv_paint_conv(p, s, d->conv, pv_door_colour((pv_door_kind)d->kind));
    switch (d->kind) {
    case PV_DOOR_LISTEN:
    case PV_DOOR_UDP:
        pv_fill(p, b->r, PV_COL_DOOR_FILL);
        pv_outline(p, b->r, edge, pv_th(L, 3));
        break;
    case PV_DOOR_TEMP:
        pv_fill(p, b->r, PV_COL_TEMP_FILL);
        pv_dashed(p, b->r, edge, pv_th(L, 3), pv_th(L, 6));
        break;
    default:
        pv_dashed(p, b->r, edge, pv_th(L, 1), pv_th(L, 3));
        break;
    }
    pv_rgba ink = d->kind == PV_DOOR_EMPTY ? PV_COL_TEXT_DIM : PV_COL_TEXT;
    pv_face tf = d->kind == PV_DOOR_EMPTY ? PV_FACE_MONO : PV_FACE_BOLD;
    pv_paint_text_in(p, d->title, tf, hb->door_title_px, ink, b->title, PV_ALIGN_CENTER);
    pv_paint_text_in(p, d->sub, PV_FACE_SANS, hb->door_sub_px, PV_COL_TEXT_DIM, b->sub, PV_ALIGN_CENTER);
    bool server = d->kind == PV_DOOR_LISTEN || d->kind == PV_DOOR_UDP;
    pv_paint_text_in(p, d->note, PV_FACE_SANS, hb->door_sub_px, server ? edge : PV_COL_TEXT_DIM,
               b->note, PV_ALIGN_CENTER);
}

/* A router's translation table: each entry in its conversation's colour,
 * the inside end over the public one. */
static void draw_nat(pv_paint *p, const pv_layout *L, const pv_scene *s, const pv_host *h, const pv_host_box *hb)
{
    if (hb->nat.w <= 0) return;
    pv_fill(p, hb->nat, PV_COL_PANEL);
    pv_outline(p, hb->nat, PV_COL_BUILD_EDGE, pv_th(L, 1));
    pv_paint_role(p, PV_ROLE_NAT);
    char text[80];
    snprintf(text, sizeof text, "translation table");
    pv_paint_text_in(p, text, PV_FACE_BOLD, hb->nat_px, PV_COL_TEXT_DIM, hb->nat_head, PV_ALIGN_LEFT);
    for (uint32_t k = 0; k < hb->nat_shown; k++) {
        const pv_nat_row *r = &s->nats[h->first_nat + k];
        pv_rgba c = pv_paint_conv(p, s, r->conv, PV_COL_TEXT);
        char second[80];
        pv_nat_row_text(r, (pv_nat_form)hb->nat_form, text, second, sizeof text);
        pv_rect top = hb->nat_row[k], bottom = top;
        if (second[0]) {
            top.h /= 2;
            bottom.y += top.h;
            bottom.h -= top.h;
            pv_paint_text_in(p, second, PV_FACE_MONO, hb->nat_px, c, bottom, PV_ALIGN_LEFT);
        }
        pv_paint_text_in(p, text, PV_FACE_MONO, hb->nat_px, c, top, PV_ALIGN_LEFT);
        pv_paint_conn(p, NULL, PV_COL_TEXT);
    }
    if (hb->nat_inside.h > 0) {
        snprintf(text, sizeof text, "inside %s", h->inside);
        pv_paint_text_in(p, text, PV_FACE_SANS, hb->nat_px, PV_COL_TEXT_DIM, hb->nat_inside, PV_ALIGN_LEFT);
    }
    if (hb->nat_more.h > 0) {
        snprintf(text, sizeof text, "+%u more entries", (unsigned)hb->nat_more_count);
        pv_paint_text_in(p, text, PV_FACE_SANS, hb->nat_px, PV_COL_TEXT_DIM, hb->nat_more, PV_ALIGN_LEFT);
    }
}

static void draw_building(pv_paint *p, const pv_layout *L, const pv_scene *s, uint32_t i)
{
    const pv_host_box *hb = &L->hosts[i];
    const pv_host *h = &s->hosts[i];
    pv_triangle(p, hb->roof, PV_COL_ROOF);
    pv_fill(p, hb->body, PV_COL_BUILDING);
    pv_outline(p, hb->body, PV_COL_BUILD_EDGE, pv_th(L, 2));
    pv_fill(p, hb->plate, PV_COL_LABEL_BG);
    pv_paint_role(p, PV_ROLE_ROOF);
    pv_paint_text_in(p, h->addr, PV_FACE_BOLD, hb->plate.h * 7 / 10, PV_COL_TEXT_DARK, hb->plate, PV_ALIGN_CENTER);
    char name[160];
    if (h->router) snprintf(name, sizeof name, h->procs[0] ? "%s · router · %s" : "%s · router", h->name, h->procs);
    else snprintf(name, sizeof name, h->procs[0] ? "%s · %s" : "%s", h->name, h->procs);
    pv_paint_role(p, PV_ROLE_NAME);
    pv_paint_text_in(p, name, PV_FACE_SANS, hb->name.h * 4 / 5, PV_COL_TEXT, hb->name, PV_ALIGN_CENTER);
    draw_floor(p, L, hb, &hb->upper);
    draw_floor(p, L, hb, &hb->priv);
    floor_heads(p, L, hb, h->unpriv_start);
    for (uint32_t k = 0; k < h->ndoors; k++)
        draw_door(p, L, s, hb, &s->doors[h->first_door + k], &L->doors[h->first_door + k]);
    draw_nat(p, L, s, h, hb);
}

static void draw_links(pv_paint *p, const pv_layout *L, const pv_scene *s)
{
    for (uint32_t i = 0; i < L->nlinks; i++) {
        const pv_link_box *b = &L->links[i];
        int thick = s->links[i].count > 1 ? pv_th(L, 4) : pv_th(L, 2);
        const pv_conv *c = pv_scene_conv(s, s->links[i].conv);
        pv_curve(p, b->a, b->ctrl, b->b, c ? pv_conv_colour(c->colour) : PV_COL_LINK, thick);
    }
    pv_paint_role(p, PV_ROLE_LINK);
    for (uint32_t i = 0; i < L->nlinks; i++) {
        const pv_link_box *b = &L->links[i];
        if (b->count.w <= 0) continue;
        char buf[32];
        snprintf(buf, sizeof buf, "%u conns", (unsigned)s->links[i].count);
        pv_fill(p, b->count, PV_COL_PANEL);
        pv_outline(p, b->count, PV_COL_LINK, 1);
        pv_paint_text_in(p, buf, PV_FACE_MONO, L->px.small, PV_COL_TEXT, b->count, PV_ALIGN_CENTER);
    }
}

static pv_rgba envelope_colour(uint8_t flags)
{
    if (flags & (PS_RST | PS_SEG_ICMP)) return PV_COL_ENV_RST;
    if (flags & PS_SEG_UDP) return PV_COL_UDP;
    if (flags & PS_SYN) return PV_COL_ENV_SYN;
    if (flags & PS_FIN) return PV_COL_ENV_FIN;
    return PV_COL_ENV_DATA;
}

static pv_rect grow(pv_rect r, int d) { return (pv_rect){ r.x - d, r.y - d, r.w + 2 * d, r.h + 2 * d }; }

static void draw_envelope(pv_paint *p, const pv_layout *L, const pv_scene *s,
                          const pv_envelope *v, const pv_env_box *b)
{
    if (b->r.w <= 0) return;
    pv_paint_role(p, PV_ROLE_ENVELOPE);
    pv_rgba c = pv_paint_conv(p, s, v->conv, envelope_colour(v->flags));
    if (v->conv == PV_NO_CONV) pv_paint_conn(p, v->conv_id, c);
    pv_fill(p, b->r, PV_COL_ENV_FILL);
    if (!b->card) { /* an icon: the flap, and RST dashed */
        pv_point mid = { b->r.x + b->r.w / 2, b->r.y + b->r.h / 2 };
        pv_line(p, (pv_point){ b->r.x, b->r.y }, mid, c, 1, 0);
        pv_line(p, (pv_point){ b->r.x + b->r.w - 1, b->r.y }, mid, c, 1, 0);
        if (v->flags & (PS_RST | PS_SEG_ICMP)) pv_dashed(p, b->r, c, pv_th(L, 2), pv_th(L, 3));
        else pv_outline(p, b->r, c, pv_th(L, 1));
        return;
    }
    /* the first column in the conversation's colour, like its door */
    int gap = (b->head[0].x - (b->name.x + b->name.w)) / 2;
    pv_fill(p, (pv_rect){ b->r.x, b->r.y, b->name.x + b->name.w + gap - b->r.x, b->flags.y + b->flags.h - b->r.y }, c);
    for (int k = 0; k < PV_SLOTS; k++)
        if (v->keys & (1u << k))
            pv_fill(p, grow((pv_rect){ b->head[k].x, b->head[k].y, b->head[k].w, b->slot[k].y + b->slot[k].h - b->head[k].y },
                            pv_th(L, 2)), c);
    /* slots a router just rewrote: ringed, and the detail says what they were */
    for (int k = 0; k < PV_SLOTS; k++)
        if (v->rewritten & (1u << k))
            pv_outline(p, grow((pv_rect){ b->head[k].x, b->head[k].y, b->head[k].w, b->slot[k].y + b->slot[k].h - b->head[k].y },
                               pv_th(L, 2)), PV_COL_REWRITE, pv_th(L, 3));
    if (v->flags & (PS_RST | PS_SEG_ICMP)) pv_dashed(p, b->r, c, pv_th(L, 3), pv_th(L, 5));
    else pv_outline(p, b->r, c, pv_th(L, 2));
    const pv_conv *conv = pv_scene_conv(s, v->conv);
    if (conv && conv->named) pv_paint_text_in(p, conv->id, PV_FACE_BOLD, L->px.env_head, PV_COL_TEXT_DARK, b->name, PV_ALIGN_LEFT);
    pv_paint_text_in(p, v->flags_str, PV_FACE_BOLD, L->px.env, PV_COL_TEXT_DARK, b->flags, PV_ALIGN_LEFT);
    for (int k = 0; k < PV_SLOTS; k++) {
        pv_paint_text_in(p, pv_slot_title(k), PV_FACE_SANS, L->px.env_head, PV_RGB(0x4A, 0x4A, 0x4A), b->head[k], PV_ALIGN_LEFT);
        pv_paint_text_in(p, v->slot[k], PV_FACE_MONO, L->px.env, PV_COL_TEXT_DARK, b->slot[k],
                   PV_ALIGN_LEFT);
    }
    pv_paint_text_in(p, v->detail, PV_FACE_MONO, L->px.env, PV_RGB(0x4A, 0x4A, 0x4A), b->detail, PV_ALIGN_LEFT);
    if (b->tag.w > 0) pv_paint_text_in(p, v->tag, PV_FACE_BOLD, L->px.env, PV_COL_TEXT_DARK, b->tag, PV_ALIGN_LEFT);
}

void pv_draw_lookup(pv_paint *p, const pv_layout *L, const pv_scene *s)
{
    const pv_lookup *q = &s->lookup;
    if (!q->active) return;
    pv_rect door = q->door < s->ndoors ? L->doors[q->door].r : (pv_rect){ 0, 0, 0, 0 };
    if (door.w > 0) pv_outline(p, grow(door, pv_th(L, 4)), PV_COL_NOW, pv_th(L, 3));
    if (L->lookup.w <= 0) return;
    pv_fill(p, L->lookup, PV_COL_PANEL);
    pv_outline(p, L->lookup, PV_COL_NOW, pv_th(L, 2));
    pv_paint_role(p, PV_ROLE_LOOKUP);
    pv_rgba c = pv_paint_conv(p, s, s->envs[q->env].conv, PV_COL_TEXT);
    if (s->envs[q->env].conv == PV_NO_CONV) pv_paint_conn(p, s->envs[q->env].conv_id, c);
    pv_paint_text_in(p, q->head, PV_FACE_BOLD, L->lookup_px, c, L->lookup_head, PV_ALIGN_LEFT);
    pv_paint_conn(p, NULL, c); /* the questions are the kernel's: their ink tells the answer */
    for (int i = 0; i < PV_ASKS; i++) {
        bool yes = i == q->answer;
        if (yes) pv_fill(p, L->lookup_ask[i], PV_COL_HILITE);
        pv_paint_text_in(p, q->ask[i], PV_FACE_MONO, L->lookup_px, yes ? PV_COL_NOW : PV_COL_TEXT_DIM, L->lookup_ask[i],
                   PV_ALIGN_LEFT);
    }
}

void pv_draw_door_error(pv_paint *p, const pv_layout *L, const char *label)
{
    if (L->door_error.w <= 0) return;
    pv_fill(p, L->door_error, PV_COL_ERROR_BG);
    pv_outline(p, L->door_error, PV_COL_ERROR, pv_th(L, 1));
    pv_paint_role(p, PV_ROLE_ERROR);
    pv_paint_text_in(p, label, PV_FACE_BOLD, L->px.small, PV_COL_TEXT, L->door_error, PV_ALIGN_CENTER);
}

void pv_draw_scene(pv_paint *p, const pv_layout *L, const pv_scene *s, uint32_t selected)
{
    pv_fill(p, L->scene, PV_COL_SKY_TOP);
    draw_streets(p, L);
    for (uint32_t i = 0; i < L->nhosts; i++) draw_building(p, L, s, i);
    if (selected < L->nhosts) pv_outline(p, grow(L->hosts[selected].body, pv_th(L, 3)), PV_COL_NOW, pv_th(L, 2));
    draw_links(p, L, s);
    /* newest first, so the oldest (arriving soonest) lies on top */
    for (uint32_t i = L->nenvs; i-- > 0;) draw_envelope(p, L, s, &s->envs[i], &L->envs[i]);
    if (L->env_more.w > 0) {
        char buf[48];
        snprintf(buf, sizeof buf, "+%u more envelopes", (unsigned)L->env_hidden);
        pv_paint_role(p, PV_ROLE_ENVELOPE);
        pv_paint_text_in(p, buf, PV_FACE_SANS, L->px.small, PV_COL_TEXT, L->env_more, PV_ALIGN_RIGHT);
    }
}
