/* draw.c — SDL drawing of the street scene and the shared primitives (see
 * draw.h). Every meaning has a shape or a word as well as a colour. */
#include "draw.h"

#include <stdio.h>

static void set(SDL_Renderer *r, pv_rgba c)
{
    SDL_SetRenderDrawBlendMode(r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(r, c.r, c.g, c.b, c.a);
}

void pv_fill(SDL_Renderer *r, pv_rect a, pv_rgba c)
{
    if (a.w <= 0 || a.h <= 0) return;
    set(r, c);
    SDL_RenderFillRect(r, &(SDL_Rect){ a.x, a.y, a.w, a.h });
}

void pv_outline(SDL_Renderer *r, pv_rect a, pv_rgba c, int thick)
{
    if (a.w <= 0 || a.h <= 0) return;
    if (thick < 1) thick = 1;
    pv_fill(r, (pv_rect){ a.x, a.y, a.w, thick }, c);
    pv_fill(r, (pv_rect){ a.x, a.y + a.h - thick, a.w, thick }, c);
    pv_fill(r, (pv_rect){ a.x, a.y, thick, a.h }, c);
    pv_fill(r, (pv_rect){ a.x + a.w - thick, a.y, thick, a.h }, c);
}

/* Dashes along one edge from (x, y), horizontal or vertical. */
static void dash_edge(SDL_Renderer *r, int x, int y, int len, bool horiz, pv_rgba c, int thick, int dash)
{
    for (int d = 0; d < len; d += 2 * dash) {
        int n = d + dash > len ? len - d : dash;
        pv_rect seg = horiz ? (pv_rect){ x + d, y, n, thick } : (pv_rect){ x, y + d, thick, n };
        pv_fill(r, seg, c);
    }
}

void pv_dashed(SDL_Renderer *r, pv_rect a, pv_rgba c, int thick, int dash)
{
    if (a.w <= 0 || a.h <= 0) return;
    if (thick < 1) thick = 1;
    if (dash < 2) dash = 2;
    dash_edge(r, a.x, a.y, a.w, true, c, thick, dash);
    dash_edge(r, a.x, a.y + a.h - thick, a.w, true, c, thick, dash);
    dash_edge(r, a.x, a.y, a.h, false, c, thick, dash);
    dash_edge(r, a.x + a.w - thick, a.y, a.h, false, c, thick, dash);
}

void pv_hatch(SDL_Renderer *r, pv_rect a, pv_rgba c, int spacing)
{
    if (a.w <= 0 || a.h <= 0 || spacing < 2) return;
    SDL_RenderSetClipRect(r, &(SDL_Rect){ a.x, a.y, a.w, a.h });
    set(r, c);
    for (int d = -a.h; d < a.w; d += spacing)
        SDL_RenderDrawLine(r, a.x + d, a.y + a.h, a.x + d + a.h, a.y);
    SDL_RenderSetClipRect(r, NULL);
}

void pv_line(SDL_Renderer *r, pv_point a, pv_point b, pv_rgba c, int thick)
{
    set(r, c);
    int dx = b.x - a.x, dy = b.y - a.y;
    bool steep = (dy < 0 ? -dy : dy) > (dx < 0 ? -dx : dx);
    for (int k = 0; k < (thick < 1 ? 1 : thick); k++) {
        int o = k - thick / 2;
        if (steep) SDL_RenderDrawLine(r, a.x + o, a.y, b.x + o, b.y);
        else SDL_RenderDrawLine(r, a.x, a.y + o, b.x, b.y + o);
    }
}

void pv_triangle(SDL_Renderer *r, const pv_point p[3], pv_rgba c)
{
    SDL_Vertex v[3];
    for (int i = 0; i < 3; i++)
        v[i] = (SDL_Vertex){ { (float)p[i].x, (float)p[i].y }, { c.r, c.g, c.b, c.a }, { 0, 0 } };
    SDL_RenderGeometry(r, NULL, v, 3, NULL, 0);
}

static void curve(SDL_Renderer *r, pv_point a, pv_point m, pv_point b, pv_rgba c, int thick)
{
    pv_point prev = a;
    for (int i = 1; i <= 24; i++) {
        double t = i / 24.0, u = 1 - t;
        pv_point p = { (int)(u * u * a.x + 2 * u * t * m.x + t * t * b.x),
                       (int)(u * u * a.y + 2 * u * t * m.y + t * t * b.y) };
        pv_line(r, prev, p, c, thick);
        prev = p;
    }
}

static int th(const pv_layout *L, double v)
{
    int n = (int)(v * L->s + 0.5);
    return n < 1 ? 1 : n;
}

pv_rgba pv_door_colour(pv_door_kind kind)
{
    switch (kind) {
    case PV_DOOR_LISTEN: return PV_COL_LISTEN;
    case PV_DOOR_TEMP: return PV_COL_TEMP;
    default: return PV_COL_EMPTY;
    }
}

pv_rgba pv_text_conv(pv_text *t, const pv_scene *s, uint16_t i, pv_rgba other)
{
    const pv_conv *c = pv_scene_conv(s, i);
    pv_text_conn(t, c ? c->id : NULL, c ? pv_conv_colour(c->colour) : other);
    return c ? pv_conv_colour(c->colour) : other;
}

/* ---- the scene ---- */

static void draw_streets(SDL_Renderer *r, const pv_layout *L)
{
    for (uint32_t i = 0; i < L->nrows; i++) {
        pv_rect st = L->streets[i];
        pv_fill(r, st, PV_COL_STREET);
        dash_edge(r, st.x, st.y + st.h / 2, st.w, true, PV_COL_STREET_MID, th(L, 2), th(L, 16));
    }
}

static void draw_lock(SDL_Renderer *r, pv_rect k, pv_rgba c)
{
    if (k.w <= 0) return;
    pv_outline(r, (pv_rect){ k.x + k.w / 5, k.y, k.w - 2 * (k.w / 5), k.h / 2 }, c, 1 + k.w / 8);
    pv_fill(r, (pv_rect){ k.x, k.y + k.h * 2 / 5, k.w, k.h - k.h * 2 / 5 }, c);
}

static void draw_floor(SDL_Renderer *r, pv_text *t, const pv_layout *L, const pv_host_box *hb,
                       const pv_floor_box *f)
{
    if (f->r.w <= 0) return;
    if (f->priv) {
        pv_rect in = { f->r.x + th(L, 3), f->r.y + th(L, 3), f->r.w - 2 * th(L, 3), f->r.h - 2 * th(L, 3) };
        pv_hatch(r, in, PV_COL_PRIV_HATCH, th(L, 10));
        pv_dashed(r, in, PV_COL_PRIV, th(L, 2), th(L, 7));
        draw_lock(r, f->lock, PV_COL_PRIV);
    }
    if (f->more.w > 0) {
        char title[24];
        snprintf(title, sizeof title, "+%u", (unsigned)f->more_count);
        pv_fill(r, f->more, PV_COL_TEMP_FILL);
        pv_text_role(t, PV_ROLE_DOOR);
        pv_dashed(r, f->more, PV_COL_TEXT_DIM, th(L, 2), th(L, 5));
        pv_text_in(t, title, PV_FACE_BOLD, hb->door_title_px, PV_COL_TEXT, f->more_title, PV_ALIGN_CENTER);
        pv_text_in(t, "more doors", PV_FACE_SANS, hb->door_sub_px, PV_COL_TEXT_DIM, f->more_sub,
                   PV_ALIGN_CENTER);
    }
}

static void floor_heads(pv_text *t, const pv_layout *L, const pv_host_box *hb, uint16_t unpriv)
{
    char head[80];
    pv_text_role(t, PV_ROLE_FLOOR);
    if (hb->upper.head.h > 0) {
        snprintf(head, sizeof head, "ports %u and up", (unsigned)unpriv);
        pv_text_in(t, head, PV_FACE_SANS, L->px.floor, PV_COL_TEXT_DIM, hb->upper.head, PV_ALIGN_LEFT);
    }
    if (hb->priv.head.h > 0) {
        /* The long title where it fits, else a short one that keeps the
         * number (a narrow building would cut the long one to "below 10…"). */
        snprintf(head, sizeof head, "PRIVILEGED FLOOR: below %u (root only)", (unsigned)unpriv);
        if (pv_text_measure(t, head, L->px.floor, PV_FACE_BOLD) > hb->priv.head.w)
            snprintf(head, sizeof head, "PRIVILEGED: < %u, root", (unsigned)unpriv);
        pv_text_in(t, head, PV_FACE_BOLD, L->px.floor, PV_COL_PRIV, hb->priv.head, PV_ALIGN_LEFT);
    }
}

static void draw_door(SDL_Renderer *r, pv_text *t, const pv_layout *L, const pv_scene *s, const pv_host_box *hb,
                      const pv_door *d, const pv_door_box *b)
{
    if (b->r.w <= 0) return;
    pv_text_role(t, PV_ROLE_DOOR);
    pv_rgba edge = pv_text_conv(t, s, d->conv, pv_door_colour((pv_door_kind)d->kind));
    switch (d->kind) {
    case PV_DOOR_LISTEN:
        pv_fill(r, b->r, PV_COL_DOOR_FILL);
        pv_outline(r, b->r, edge, th(L, 3));
        break;
    case PV_DOOR_TEMP:
        pv_fill(r, b->r, PV_COL_TEMP_FILL);
        pv_dashed(r, b->r, edge, th(L, 3), th(L, 6));
        break;
    default:
        pv_dashed(r, b->r, edge, th(L, 1), th(L, 3));
        break;
    }
    pv_rgba ink = d->kind == PV_DOOR_EMPTY ? PV_COL_TEXT_DIM : PV_COL_TEXT;
    pv_face tf = d->kind == PV_DOOR_EMPTY ? PV_FACE_MONO : PV_FACE_BOLD;
    pv_text_in(t, d->title, tf, hb->door_title_px, ink, b->title, PV_ALIGN_CENTER);
    pv_text_in(t, d->sub, PV_FACE_SANS, hb->door_sub_px, PV_COL_TEXT_DIM, b->sub, PV_ALIGN_CENTER);
    pv_text_in(t, d->note, PV_FACE_SANS, hb->door_sub_px, d->kind == PV_DOOR_LISTEN ? edge : PV_COL_TEXT_DIM,
               b->note, PV_ALIGN_CENTER);
}

static void draw_building(SDL_Renderer *r, pv_text *t, const pv_layout *L, const pv_scene *s, uint32_t i)
{
    const pv_host_box *hb = &L->hosts[i];
    const pv_host *h = &s->hosts[i];
    pv_triangle(r, hb->roof, PV_COL_ROOF);
    pv_fill(r, hb->body, PV_COL_BUILDING);
    pv_outline(r, hb->body, PV_COL_BUILD_EDGE, th(L, 2));
    pv_fill(r, hb->plate, PV_COL_LABEL_BG);
    pv_text_role(t, PV_ROLE_ROOF);
    pv_text_in(t, h->addr, PV_FACE_BOLD, hb->plate.h * 7 / 10, PV_COL_TEXT_DARK, hb->plate, PV_ALIGN_CENTER);
    char name[160];
    snprintf(name, sizeof name, h->procs[0] ? "%s · %s" : "%s", h->name, h->procs);
    pv_text_role(t, PV_ROLE_NAME);
    pv_text_in(t, name, PV_FACE_SANS, hb->name.h * 4 / 5, PV_COL_TEXT, hb->name, PV_ALIGN_CENTER);
    draw_floor(r, t, L, hb, &hb->upper);
    draw_floor(r, t, L, hb, &hb->priv);
    floor_heads(t, L, hb, h->unpriv_start);
    for (uint32_t k = 0; k < h->ndoors; k++)
        draw_door(r, t, L, s, hb, &s->doors[h->first_door + k], &L->doors[h->first_door + k]);
}

static void draw_links(SDL_Renderer *r, pv_text *t, const pv_layout *L, const pv_scene *s)
{
    for (uint32_t i = 0; i < L->nlinks; i++) {
        const pv_link_box *b = &L->links[i];
        int thick = s->links[i].count > 1 ? th(L, 4) : th(L, 2);
        const pv_conv *c = pv_scene_conv(s, s->links[i].conv);
        curve(r, b->a, b->ctrl, b->b, c ? pv_conv_colour(c->colour) : PV_COL_LINK, thick);
    }
    pv_text_role(t, PV_ROLE_LINK);
    for (uint32_t i = 0; i < L->nlinks; i++) {
        const pv_link_box *b = &L->links[i];
        if (b->count.w <= 0) continue;
        char buf[32];
        snprintf(buf, sizeof buf, "%u conns", (unsigned)s->links[i].count);
        pv_fill(r, b->count, PV_COL_PANEL);
        pv_outline(r, b->count, PV_COL_LINK, 1);
        pv_text_in(t, buf, PV_FACE_MONO, L->px.small, PV_COL_TEXT, b->count, PV_ALIGN_CENTER);
    }
}

static pv_rgba envelope_colour(uint8_t flags)
{
    if (flags & PS_RST) return PV_COL_ENV_RST;
    if (flags & PS_SYN) return PV_COL_ENV_SYN;
    if (flags & PS_FIN) return PV_COL_ENV_FIN;
    return PV_COL_ENV_DATA;
}

static pv_rect grow(pv_rect r, int d) { return (pv_rect){ r.x - d, r.y - d, r.w + 2 * d, r.h + 2 * d }; }

static void draw_envelope(SDL_Renderer *r, pv_text *t, const pv_layout *L, const pv_scene *s,
                          const pv_envelope *v, const pv_env_box *b)
{
    if (b->r.w <= 0) return;
    pv_text_role(t, PV_ROLE_ENVELOPE);
    pv_rgba c = pv_text_conv(t, s, v->conv, envelope_colour(v->flags));
    if (v->conv == PV_NO_CONV) pv_text_conn(t, v->conv_id, c);
    pv_fill(r, b->r, PV_COL_ENV_FILL);
    if (!b->card) { /* an icon: the flap, and RST dashed */
        pv_point mid = { b->r.x + b->r.w / 2, b->r.y + b->r.h / 2 };
        pv_line(r, (pv_point){ b->r.x, b->r.y }, mid, c, 1);
        pv_line(r, (pv_point){ b->r.x + b->r.w - 1, b->r.y }, mid, c, 1);
        if (v->flags & PS_RST) pv_dashed(r, b->r, c, th(L, 2), th(L, 3));
        else pv_outline(r, b->r, c, th(L, 1));
        return;
    }
    /* the first column in the conversation's colour, like its door */
    int gap = (b->head[0].x - (b->name.x + b->name.w)) / 2;
    pv_fill(r, (pv_rect){ b->r.x, b->r.y, b->name.x + b->name.w + gap - b->r.x, b->flags.y + b->flags.h - b->r.y }, c);
    for (int k = 0; k < PV_SLOTS; k++)
        if (v->keys & (1u << k))
            pv_fill(r, grow((pv_rect){ b->head[k].x, b->head[k].y, b->head[k].w, b->slot[k].y + b->slot[k].h - b->head[k].y },
                            th(L, 2)), c);
    if (v->flags & PS_RST) pv_dashed(r, b->r, c, th(L, 3), th(L, 5));
    else pv_outline(r, b->r, c, th(L, 2));
    const pv_conv *conv = pv_scene_conv(s, v->conv);
    if (conv && conv->named) pv_text_in(t, conv->id, PV_FACE_BOLD, L->px.env_head, PV_COL_TEXT_DARK, b->name, PV_ALIGN_LEFT);
    pv_text_in(t, v->flags_str, PV_FACE_BOLD, L->px.env, PV_COL_TEXT_DARK, b->flags, PV_ALIGN_LEFT);
    for (int k = 0; k < PV_SLOTS; k++) {
        pv_text_in(t, pv_slot_title(k), PV_FACE_SANS, L->px.env_head, PV_RGB(0x4A, 0x4A, 0x4A), b->head[k], PV_ALIGN_LEFT);
        pv_text_in(t, v->slot[k], PV_FACE_MONO, L->px.env, PV_COL_TEXT_DARK, b->slot[k],
                   PV_ALIGN_LEFT);
    }
    pv_text_in(t, v->detail, PV_FACE_MONO, L->px.env, PV_RGB(0x4A, 0x4A, 0x4A), b->detail, PV_ALIGN_LEFT);
}

void pv_draw_lookup(SDL_Renderer *r, pv_text *t, const pv_layout *L, const pv_scene *s)
{
    const pv_lookup *q = &s->lookup;
    if (!q->active) return;
    pv_rect door = q->door < s->ndoors ? L->doors[q->door].r : (pv_rect){ 0, 0, 0, 0 };
    if (door.w > 0) pv_outline(r, grow(door, th(L, 4)), PV_COL_NOW, th(L, 3));
    if (L->lookup.w <= 0) return;
    pv_fill(r, L->lookup, PV_COL_PANEL);
    pv_outline(r, L->lookup, PV_COL_NOW, th(L, 2));
    pv_text_role(t, PV_ROLE_LOOKUP);
    pv_rgba c = pv_text_conv(t, s, s->envs[q->env].conv, PV_COL_TEXT);
    if (s->envs[q->env].conv == PV_NO_CONV) pv_text_conn(t, s->envs[q->env].conv_id, c);
    pv_text_in(t, q->head, PV_FACE_BOLD, L->lookup_px, c, L->lookup_head, PV_ALIGN_LEFT);
    pv_text_conn(t, NULL, c); /* the questions are the kernel's: their ink tells the answer */
    for (int i = 0; i < PV_ASKS; i++) {
        bool yes = i == q->answer;
        if (yes) pv_fill(r, L->lookup_ask[i], PV_COL_HILITE);
        pv_text_in(t, q->ask[i], PV_FACE_MONO, L->lookup_px, yes ? PV_COL_NOW : PV_COL_TEXT_DIM, L->lookup_ask[i],
                   PV_ALIGN_LEFT);
    }
}

void pv_draw_door_error(SDL_Renderer *r, pv_text *t, const pv_layout *L, const char *label)
{
    if (L->door_error.w <= 0) return;
    pv_fill(r, L->door_error, PV_COL_ERROR_BG);
    pv_outline(r, L->door_error, PV_COL_ERROR, th(L, 1));
    pv_text_role(t, PV_ROLE_ERROR);
    pv_text_in(t, label, PV_FACE_BOLD, L->px.small, PV_COL_TEXT, L->door_error, PV_ALIGN_CENTER);
}

void pv_draw_scene(SDL_Renderer *r, pv_text *t, const pv_layout *L, const pv_scene *s, uint32_t selected)
{
    pv_fill(r, L->scene, PV_COL_SKY_TOP);
    draw_streets(r, L);
    for (uint32_t i = 0; i < L->nhosts; i++) draw_building(r, t, L, s, i);
    if (selected < L->nhosts) pv_outline(r, grow(L->hosts[selected].body, th(L, 3)), PV_COL_NOW, th(L, 2));
    draw_links(r, t, L, s);
    /* newest first, so the oldest (arriving soonest) lies on top */
    for (uint32_t i = L->nenvs; i-- > 0;) draw_envelope(r, t, L, s, &s->envs[i], &L->envs[i]);
    if (L->env_more.w > 0) {
        char buf[48];
        snprintf(buf, sizeof buf, "+%u more envelopes", (unsigned)L->env_hidden);
        pv_text_role(t, PV_ROLE_ENVELOPE);
        pv_text_in(t, buf, PV_FACE_SANS, L->px.small, PV_COL_TEXT, L->env_more, PV_ALIGN_RIGHT);
    }
}
