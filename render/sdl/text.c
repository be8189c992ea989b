/* text.c — font loading, text measurement, the bounded texture cache (see
 * text.h). The font files are read once into memory; sizes are opened from
 * that memory on demand and the least recently used ones are closed. */
#include "text.h"

#include <SDL_ttf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "paint.h"
#include "paths.h"

#define FONT_SLOTS 40      /* open (face, size) pairs */
#define CACHE_SLOTS 1024   /* rendered strings kept as textures */
#define CACHE_PROBE 8      /* slots searched per key */
#define KEY_MAX 192        /* longer strings are drawn but not cached */
#define WIDTH_SLOTS 2048   /* measured widths kept (layout measures every frame) */
#define WIDTH_KEY 48       /* longer strings are measured each time */

static const char *const k_files[PV_FACE_COUNT] = {
    "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf",
};

typedef struct font_slot {
    TTF_Font *font;
    int px;
    uint8_t face;
    uint64_t used;
} font_slot;

typedef struct width_slot {
    uint64_t hash;
    int px, w;
    uint8_t face;
    char key[WIDTH_KEY];
} width_slot;

typedef struct cache_slot {
    SDL_Texture *tex;
    uint64_t hash, used;
    int w, h, px, max_w;
    uint8_t face;
    pv_rgba col;
    char key[KEY_MAX];
} cache_slot;

struct pv_text {
    SDL_Renderer *ren;
    void *data[PV_FACE_COUNT];
    size_t size[PV_FACE_COUNT];
    font_slot fonts[FONT_SLOTS];
    cache_slot cache[CACHE_SLOTS];
    width_slot widths[WIDTH_SLOTS]; /* direct-mapped: a collision just measures again */
    uint64_t clock;
    bool ttf_started;
};

static void *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *data = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n)) != NULL) {
            if (fread(data, 1, (size_t)n, f) != (size_t)n) {
                free(data);
                data = NULL;
            } else {
                *size = (size_t)n;
            }
        }
    }
    fclose(f);
    return data;
}

pv_text *pv_text_new(SDL_Renderer *ren, char *err, size_t n)
{
    char dir[PS_PATH_MAX];
    if (!ps_data_dir(PS_DATA_ASSETS, dir, sizeof dir)) {
        const char *env = getenv(ps_data_env(PS_DATA_ASSETS));
        if (env && *env) snprintf(err, n, "cannot find the fonts: %s=%s holds no DejaVuSans.ttf", ps_data_env(PS_DATA_ASSETS), env);
        else snprintf(err, n, "cannot find the fonts: set %s to the folder that holds DejaVuSans.ttf",
                      ps_data_env(PS_DATA_ASSETS));
        return NULL;
    }
    pv_text *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, n, "out of memory");
        return NULL;
    }
    t->ren = ren;
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, n, "SDL_ttf: %s", TTF_GetError());
        free(t);
        return NULL;
    }
    t->ttf_started = true;
    for (int f = 0; f < PV_FACE_COUNT; f++) {
        char path[1100];
        snprintf(path, sizeof path, "%s/%s", dir, k_files[f]);
        t->data[f] = read_file(path, &t->size[f]);
        if (!t->data[f]) {
            snprintf(err, n, "cannot read font %s", path);
            pv_text_free(t);
            return NULL;
        }
    }
    return t;
}

void pv_text_free(pv_text *t)
{
    if (!t) return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (t->cache[i].tex) SDL_DestroyTexture(t->cache[i].tex);
    for (int i = 0; i < FONT_SLOTS; i++)
        if (t->fonts[i].font) TTF_CloseFont(t->fonts[i].font);
    for (int f = 0; f < PV_FACE_COUNT; f++) free(t->data[f]);
    if (t->ttf_started) TTF_Quit();
    free(t);
}

static TTF_Font *font_get(pv_text *t, pv_face face, int px)
{
    if (px < 6) px = 6;
    if (px > 160) px = 160;
    font_slot *victim = &t->fonts[0];
    for (int i = 0; i < FONT_SLOTS; i++) {
        font_slot *s = &t->fonts[i];
        if (s->font && s->px == px && s->face == face) {
            s->used = ++t->clock;
            return s->font;
        }
        if (!s->font || (victim->font && s->used < victim->used)) victim = s;
    }
    if (victim->font) TTF_CloseFont(victim->font);
    SDL_RWops *rw = SDL_RWFromConstMem(t->data[face], (int)t->size[face]);
    victim->font = rw ? TTF_OpenFontRW(rw, 1, px) : NULL;
    victim->px = px;
    victim->face = (uint8_t)face;
    victim->used = ++t->clock;
    return victim->font;
}

static uint64_t key_hash(const char *s, pv_face face, int px, pv_rgba c, int max_w);

int pv_text_measure(void *ctx, const char *s, int px, pv_face face)
{
    pv_text *t = ctx;
    if (!s || !*s) return 0;
    size_t len = strlen(s);
    uint64_t h = key_hash(s, face, px, (pv_rgba){ 0, 0, 0, 0 }, 0);
    width_slot *c = len < WIDTH_KEY ? &t->widths[h % WIDTH_SLOTS] : NULL;
    if (c && c->hash == h && c->px == px && c->face == face && strcmp(c->key, s) == 0) return c->w;
    TTF_Font *f = font_get(t, face, px);
    int w = 0, ht = 0;
    if (!f || TTF_SizeUTF8(f, s, &w, &ht) != 0) return 0;
    if (c) {
        *c = (width_slot){ .hash = h, .px = px, .w = w, .face = (uint8_t)face };
        memcpy(c->key, s, len + 1);
    }
    return w;
}

static uint64_t key_hash(const char *s, pv_face face, int px, pv_rgba c, int max_w)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    uint64_t extra[4] = { (uint64_t)face, (uint64_t)px, ((uint64_t)c.r << 24) | ((uint64_t)c.g << 16) |
                                                          ((uint64_t)c.b << 8) | c.a,
                          (uint64_t)(uint32_t)max_w };
    for (int i = 0; i < 4; i++) h = (h ^ extra[i]) * 1099511628211ull;
    return h;
}

static SDL_Texture *render_texture(pv_text *t, const char *s, pv_face face, int px, pv_rgba col,
                                   int max_w, int *w, int *h)
{
    TTF_Font *f = font_get(t, face, px);
    if (!f) return NULL;
    char fitted[512];
    if (max_w > 0 && pv_text_measure(t, s, px, face) > max_w) {
        pv_ellipsize(pv_text_measure, t, s, face, px, max_w, fitted, sizeof fitted);
        s = fitted;
    }
    SDL_Surface *surf = TTF_RenderUTF8_Blended(f, s, (SDL_Color){ col.r, col.g, col.b, col.a });
    if (!surf) return NULL;
    SDL_Texture *tex = SDL_CreateTextureFromSurface(t->ren, surf);
    *w = surf->w;
    *h = surf->h;
    SDL_FreeSurface(surf);
    return tex;
}

static cache_slot *cache_find(pv_text *t, const char *s, pv_face face, int px, pv_rgba col, int max_w)
{
    uint64_t h = key_hash(s, face, px, col, max_w);
    cache_slot *victim = NULL;
    for (int i = 0; i < CACHE_PROBE; i++) {
        cache_slot *c = &t->cache[(h + (uint64_t)i) % CACHE_SLOTS];
        if (c->tex && c->hash == h && c->px == px && c->face == face && c->max_w == max_w &&
            memcmp(&c->col, &col, sizeof col) == 0 && strcmp(c->key, s) == 0) {
            c->used = ++t->clock;
            return c;
        }
        if (!victim || !c->tex || (victim->tex && c->used < victim->used)) victim = c;
    }
    if (victim->tex) SDL_DestroyTexture(victim->tex);
    memset(victim, 0, sizeof *victim);
    victim->tex = render_texture(t, s, face, px, col, max_w, &victim->w, &victim->h);
    if (!victim->tex) return NULL;
    victim->hash = h;
    victim->px = px;
    victim->face = (uint8_t)face;
    victim->col = col;
    victim->max_w = max_w;
    victim->used = ++t->clock;
    snprintf(victim->key, sizeof victim->key, "%s", s);
    return victim;
}

static int place(int x, int w, int max_w, int align)
{
    if (max_w <= 0 || align == PV_ALIGN_LEFT) return x;
    return align == PV_ALIGN_CENTER ? x + (max_w - w) / 2 : x + max_w - w;
}

int pv_text_draw(pv_text *t, const char *s, pv_face face, int px, pv_rgba col, pv_rect box, int align,
                 pv_rect *drawn)
{
    if (!s || !*s || px < 4) return 0;
    int x = box.x, y = box.y, max_w = box.w;
    if (box.h > 0) {
        TTF_Font *f = font_get(t, face, px);
        y += (box.h - (f ? TTF_FontHeight(f) : px)) / 2;
    }
    SDL_Rect dst;
    if (strlen(s) < KEY_MAX) {
        cache_slot *c = cache_find(t, s, face, px, col, max_w);
        if (!c) return 0;
        dst = (SDL_Rect){ place(x, c->w, max_w, align), y, c->w, c->h };
        SDL_RenderCopy(t->ren, c->tex, NULL, &dst);
    } else {
        int w = 0, h = 0;
        SDL_Texture *tex = render_texture(t, s, face, px, col, max_w, &w, &h);
        if (!tex) return 0;
        dst = (SDL_Rect){ place(x, w, max_w, align), y, w, h };
        SDL_RenderCopy(t->ren, tex, NULL, &dst);
        SDL_DestroyTexture(tex);
    }
    if (drawn) *drawn = (pv_rect){ dst.x, dst.y, dst.w, dst.h };
    return dst.w;
}

size_t pv_text_cached(const pv_text *t)
{
    size_t n = 0;
    for (int i = 0; i < CACHE_SLOTS; i++) n += t->cache[i].tex != NULL;
    return n;
}
