/* render_cmd.c — `portsim render` and the headless drawing it shares with
 * the render tests (see render_cmd.h). */
#include "headless.h"
#include "png.h"
#include "render_cmd.h"

#include <SDL_image.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exit.h"
#include "file.h"
#include "load.h"
#include "suggest.h"
#include "units.h"

bool pv_headless_open(pv_headless *hl, int w, int h, char *err, size_t n)
{
    memset(hl, 0, sizeof *hl);
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "dummy");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        snprintf(err, n, "SDL: %s", SDL_GetError());
        return false;
    }
    hl->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    hl->ren = hl->surf ? SDL_CreateSoftwareRenderer(hl->surf) : NULL;
    if (!hl->ren) {
        snprintf(err, n, "SDL software renderer: %s", SDL_GetError());
        pv_headless_close(hl);
        return false;
    }
    if (!pv_gfx_sdl_open(&hl->gfx, hl->ren, err, n) || !(hl->view = pv_view_new(&hl->gfx.gfx, err, n))) {
        pv_headless_close(hl);
        return false;
    }
    return true;
}

void pv_headless_close(pv_headless *hl)
{
    pv_view_free(hl->view);
    pv_gfx_sdl_close(&hl->gfx);
    if (hl->ren) SDL_DestroyRenderer(hl->ren);
    if (hl->surf) SDL_FreeSurface(hl->surf);
    memset(hl, 0, sizeof *hl);
    SDL_Quit();
}

pv_rgba pv_headless_pixel(const pv_headless *hl, int x, int y)
{
    pv_rgba c = { 0, 0, 0, 0 };
    if (!hl->surf || x < 0 || y < 0 || x >= hl->surf->w || y >= hl->surf->h) return c;
    const uint8_t *row = (const uint8_t *)hl->surf->pixels + (size_t)y * (size_t)hl->surf->pitch;
    uint32_t px;
    memcpy(&px, row + (size_t)x * 4, 4);
    SDL_GetRGB(px, hl->surf->format, &c.r, &c.g, &c.b);
    c.a = 255;
    return c;
}

typedef struct render_opts {
    const char *file, *out, *boxes;
    const char *at_text; /* --at as typed, for the warning past the end */
    ps_time at;
    int w, h;
    double zoom;
    long frames;
    bool present;
} render_opts;

static int fail_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "portsim render: %s%s%s\nTry 'portsim render --help'.\n", msg, arg ? ": " : "", arg ? arg : "");
    return PS_EXIT_USAGE;
}

static const char *value(int argc, char **argv, int *i)
{
    return *i + 1 < argc ? argv[++*i] : NULL;
}

/* Only PNG is written: a name with another extension (x.jpg) would get PNG
 * bytes under a lying one. Names without one (/dev/full, -) are taken. */
static bool png_name(const char *out)
{
    const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
    const char *dot = strrchr(base, '.');
    return dot == NULL || dot == base || strcasecmp(dot, ".png") == 0;
}

static int parse_opts(int argc, char **argv, render_opts *o)
{
    static const char *const opts[] = { "--at",      "-o",      "--output", "--size", "--zoom",
                                        "--present", "--boxes", "--frames", "--help" };
    *o = (render_opts){ .w = 1280, .h = 720, .zoom = 1.0 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (strcmp(a, "--at") == 0) {
            if (!(v = value(argc, argv, &i))) return fail_usage("--at needs a time like 150ms or 1.5s", NULL);
            if (!ps_time_parse(v, strlen(v), &o->at)) {
                fprintf(stderr, "portsim render: bad time '%s': " PS_TIME_EXPECTED "\nTry 'portsim render --help'.\n", v);
                return PS_EXIT_USAGE;
            }
            o->at_text = v;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!(o->out = value(argc, argv, &i))) return fail_usage("-o needs a file name", NULL);
            if (!png_name(o->out)) {
                fprintf(stderr, "portsim render: cannot write '%s': only PNG pictures are written (name it NAME.png)\n",
                        o->out);
                return PS_EXIT_USAGE;
            }
        } else if (strcmp(a, "--present") == 0) {
            o->present = true;
        } else if (strcmp(a, "--boxes") == 0) {
            if (!(o->boxes = value(argc, argv, &i))) return fail_usage("--boxes needs a file name", NULL);
        } else if (strcmp(a, "--size") == 0) {
            if (!(v = value(argc, argv, &i)) || sscanf(v, "%dx%d", &o->w, &o->h) != 2 || o->w < 320 ||
                o->h < 240 || o->w > 8192 || o->h > 8192)
                return fail_usage("--size needs WxH between 320x240 and 8192x8192", v);
        } else if (strcmp(a, "--zoom") == 0) {
            char *end = NULL;
            if (!(v = value(argc, argv, &i)) || ((o->zoom = strtod(v, &end)), *end != '\0') ||
                !(o->zoom >= PV_ZOOM_MIN && o->zoom <= PV_ZOOM_MAX)) /* also false for nan */
                return fail_usage("--zoom needs a factor between 0.6 and 2.5 (the window's range)", v);
        } else if (strcmp(a, "--frames") == 0) {
            if (!(v = value(argc, argv, &i)) || (o->frames = atol(v)) < 1 || o->frames > 1000000)
                return fail_usage("--frames needs a count from 1 to 1000000", v);
        } else if (a[0] == '-' && a[1]) {
            char hint[96], what[160];
            ps_suggest_hint(a, strlen(a), opts, sizeof opts / sizeof opts[0], hint, sizeof hint);
            snprintf(what, sizeof what, "%s%s", a, hint);
            return fail_usage("unknown option", what);
        } else if (!o->file) {
            o->file = a;
        } else {
            return fail_usage("more than one scenario file", a);
        }
    }
    if (!o->out && !o->frames) return fail_usage("say where the picture goes with -o out.png", NULL);
    return PS_EXIT_OK;
}

/* Draws frames playing forward at x1 and 60 frames per second of lecture
 * time, and reports how many frames per second the machine drew. */
static void benchmark(pv_headless *hl, const render_opts *o)
{
    pv_view *v = hl->view;
    Uint64 t0 = SDL_GetPerformanceCounter();
    for (long i = 0; i < o->frames; i++) {
        pv_playback_seek(&v->pb, o->at + (ps_time)(i * PV_BASE_RATE * 1000.0 / 60.0));
        pv_view_draw(v, o->w, o->h);
    }
    double secs = (double)(SDL_GetPerformanceCounter() - t0) / (double)SDL_GetPerformanceFrequency();
    printf("%ld frames at %dx%d in %.3f s: %.1f frames per second (software renderer, from %s ms at ×1)\n",
           o->frames, o->w, o->h, secs, secs > 0 ? (double)o->frames / secs : 0.0,
           ps_time_ms(o->at, 0, (char[32]){ 0 }));
}

/* t in seconds, as short as exact: 60560000 us -> "60.56". */
static const char *seconds(ps_time t, char *buf, size_t n)
{
    int len = snprintf(buf, n, "%llu.%06llu", (unsigned long long)(t / 1000000), (unsigned long long)(t % 1000000));
    while (len > 0 && buf[len - 1] == '0') buf[--len] = '\0';
    if (len > 0 && buf[len - 1] == '.') buf[--len] = '\0';
    return buf;
}

/* The texts of the last frame drawn, as JSON (boxes.h), written atomically. */
static int write_boxes(const pv_boxes *b, const char *path)
{
    ps_sbuf json = { 0 };
    pv_boxes_json(b, &json);
    int err = json.failed || b->dropped ? ENOMEM : ps_file_write(path, json.s, json.len);
    ps_sbuf_free(&json);
    return err;
}

static int render_with(const render_opts *o)
{
    pv_headless hl;
    char err[1024];
    if (!pv_headless_open(&hl, o->w, o->h, err, sizeof err)) {
        fprintf(stderr, "portsim render: %s\n", err);
        return PS_EXIT_FAILED;
    }
    if (!pv_view_load(hl.view, o->file, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        pv_headless_close(&hl);
        return PS_EXIT_USAGE;
    }
    hl.view->zoom = o->zoom;
    if (o->at_text && o->at > hl.view->pb.end) { /* a picture of nothing new: likely a typo */
        char end[40];
        fprintf(stderr, "portsim render: warning: %s is after the lesson's last event at %s s\n", o->at_text,
                seconds(hl.view->pb.end, end, sizeof end));
    }
    hl.view->present = o->present;
    pv_boxes boxes = { 0 };
    if (o->boxes) hl.view->boxes = &boxes;
    int rc = PS_EXIT_OK;
    if (o->frames) {
        benchmark(&hl, o);
    } else {
        pv_playback_seek(&hl.view->pb, o->at);
        pv_view_draw(hl.view, o->w, o->h);
    }
    const char *why = NULL;
    int werr = o->out ? pv_png_save(hl.surf, o->out, &why) : 0;
    if (werr) {
        fprintf(stderr, "portsim: cannot write %s: %s\n", o->out, why ? why : ps_file_strerror(werr));
        rc = PS_EXIT_OUTPUT;
    }
    if (o->boxes && (werr = write_boxes(&boxes, o->boxes)) != 0) {
        fprintf(stderr, "portsim: cannot write %s: %s\n", o->boxes, ps_file_strerror(werr));
        rc = PS_EXIT_OUTPUT;
    }
    pv_boxes_free(&boxes);
    pv_headless_close(&hl);
    return rc;
}

int pv_render_png(const char *file, ps_time at, int w, int h, const char *out_png)
{
    render_opts o = { .file = file, .out = out_png, .at = at, .w = w, .h = h, .zoom = 1.0 };
    return render_with(&o);
}

int pv_cmd_render(int argc, char **argv)
{
    render_opts o;
    int rc = parse_opts(argc, argv, &o);
    return rc != PS_EXIT_OK ? rc : render_with(&o);
}
