/* gui.c — the window and its input loop (see gui.h): keys, timeline
 * scrubbing, building selection, the file picker, drag-and-drop,
 * screenshots, fullscreen and zoom, the live terminal's keyboard focus,
 * saving the typed session and the pcap. Everything it shows comes from
 * pv_view_draw. Which key does what is the key table's (keys.h). */
#include "gui.h"

#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit.h"
#include "gfx_sdl.h"
#include "keys.h"
#include "load.h"
#include "session.h"
#include "view.h"

typedef struct gui {
    SDL_Window *win;
    SDL_Renderer *ren;
    pv_gfx_sdl gfx;             /* the view draws on ren through it */
    pv_view *view;
    bool quit, scrubbing, shot;
    bool skip_text;             /* drop the text of the key that opened the terminal */
    Uint32 notice_until;
    int shots;
    bool fps_on;                /* Ctrl+F: count frames per second */
    Uint32 fps_since;           /* when the current count began */
    int fps_frames;             /* frames drawn since then */
    bool dirty;                 /* something changed since the last frame */
    bool video_by_name;         /* video started with SDL_VideoInit (x11, wayland) */
} gui;

static void notice(gui *g, const char *msg, bool error)
{
    size_t n = strlen(msg); /* cut to the line, never past the buffer */
    if (n >= sizeof g->view->notice) n = sizeof g->view->notice - 1;
    memcpy(g->view->notice, msg, n);
    g->view->notice[n] = '\0';
    g->view->notice_error = error;
    g->notice_until = SDL_GetTicks() + (error ? 15000u : 4000u);
}

/* Loads a file; a failure leaves the open scenario and shows the error. */
static void open_file(gui *g, const char *path)
{
    char err[700], msg[768];
    if (pv_view_load(g->view, path, err, sizeof err)) {
        snprintf(msg, sizeof msg, "Opened %s", path);
        notice(g, msg, false);
    } else {
        snprintf(msg, sizeof msg, "%s   (the previous scenario stays open)", err);
        notice(g, msg, true);
    }
}

static void save_screenshot(gui *g, int w, int h)
{
    char name[64], msg[160];
    do snprintf(name, sizeof name, "portsim-shot-%03d.png", ++g->shots);
    while (access(name, F_OK) == 0 && g->shots < 999);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    bool ok = s && SDL_RenderReadPixels(g->ren, NULL, SDL_PIXELFORMAT_RGB888, s->pixels, s->pitch) == 0 &&
              IMG_SavePNG(s, name) == 0;
    SDL_FreeSurface(s);
    if (ok) snprintf(msg, sizeof msg, "Saved screenshot %s", name);
    else snprintf(msg, sizeof msg, "Could not save %s: %s", name, SDL_GetError());
    notice(g, msg, !ok);
}

static void set_zoom(pv_view *v, double z)
{
    v->zoom = z < PV_ZOOM_MIN ? PV_ZOOM_MIN : z > PV_ZOOM_MAX ? PV_ZOOM_MAX : z;
}

static void toggle_play(pv_playback *pb)
{
    if (!pb->playing && pb->now >= pb->end) pv_playback_seek(pb, 0);
    pb->playing = !pb->playing;
    pb->carry = 0;
}

static void cycle_host(pv_view *v)
{
    uint32_t n = v->sc ? v->sc->nhosts : 0;
    if (n) v->host_sel = (pv_view_table_host(v) + 1) % n;
}

/* Ctrl+S: the typed commands as scenario lines in <name>-session.scn. */
static void save_session(gui *g)
{
    pv_view *v = g->view;
    char path[600], msg[768];
    pv_session_path(v->source, "-session.scn", path, sizeof path);
    pv_save_status st = pv_session_save(&v->pb, v->source, path, msg, sizeof msg);
    notice(g, msg, st != PV_SAVE_OK);
    if (v->term.open) pv_term_print(&v->term, msg, st == PV_SAVE_OK ? PV_TERM_NOTE : PV_TERM_ERR);
}

/* P: the session's capture (the scenario and any typed commands). */
static void write_pcap(gui *g)
{
    pv_view *v = g->view;
    char path[600], err[512], msg[768];
    pv_session_path(v->source, ".pcap", path, sizeof path);
    bool ok = pv_session_pcap(&v->pb, path, err, sizeof err);
    if (!ok) snprintf(msg, sizeof msg, "Could not write the capture: %s", err);
    else if (v->pb.ninj)
        snprintf(msg, sizeof msg, "Wrote %s (with the %zu typed command%s) — open it in Wireshark", path,
                 v->pb.ninj, v->pb.ninj == 1 ? "" : "s");
    else snprintf(msg, sizeof msg, "Wrote %s — open it in Wireshark", path);
    notice(g, msg, !ok);
}

static void terminal_open(gui *g, bool open)
{
    g->view->term.open = open;
    if (open) {
        SDL_StartTextInput();
        g->skip_text = true;
    } else {
        SDL_StopTextInput();
    }
}

/* The key table's code for an SDL key: printable keys are ASCII in both;
 * the keypad's + - Enter count as the main ones. */
static int key_code(SDL_Keycode k)
{
    switch (k) {
    case SDLK_RIGHT: return PV_KEY_RIGHT;
    case SDLK_LEFT: return PV_KEY_LEFT;
    case SDLK_UP: return PV_KEY_UP;
    case SDLK_DOWN: return PV_KEY_DOWN;
    case SDLK_PAGEUP: return PV_KEY_PAGEUP;
    case SDLK_PAGEDOWN: return PV_KEY_PAGEDOWN;
    case SDLK_HOME: return PV_KEY_HOME;
    case SDLK_END: return PV_KEY_END;
    case SDLK_RETURN: case SDLK_KP_ENTER: return PV_KEY_ENTER;
    case SDLK_ESCAPE: return PV_KEY_ESCAPE;
    case SDLK_TAB: return PV_KEY_TAB;
    case SDLK_BACKSPACE: return PV_KEY_BACKSPACE;
    case SDLK_DELETE: return PV_KEY_DELETE;
    case SDLK_F5: return PV_KEY_F5;
    case SDLK_KP_PLUS: return '+';
    case SDLK_KP_MINUS: return '-';
    default: return k >= ' ' && k < 0x7f ? (int)k : PV_KEY_NONE;
    }
}

/* The terminal has the keyboard unless the help overlay is over it, and the
 * picker takes it from both. */
static pv_key_mode key_mode(const pv_view *v)
{
    if (v->picker) return PV_KEYS_PICKER;
    if (pv_quiz_current(&v->quiz) && !v->help) return PV_KEYS_QUESTION;
    return v->term.open && !v->help ? PV_KEYS_TERMINAL : PV_KEYS_WINDOW;
}

static void term_run(gui *g)
{
    if (pv_view_term_enter(g->view) != PV_INJECT_FULL) return;
    char msg[160];
    snprintf(msg, sizeof msg,
             "The terminal's session is full (%u commands): save it with Ctrl+S and open the saved file",
             PV_MAX_INJECTED);
    notice(g, msg, true);
}

static void toggle_fullscreen(SDL_Window *win)
{
    bool full = (SDL_GetWindowFlags(win) & SDL_WINDOW_FULLSCREEN_DESKTOP) != 0;
    SDL_SetWindowFullscreen(win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
}

/* Moving to a moment pauses, as scrubbing the timeline does. */
static void go_to(pv_playback *pb, ps_time t)
{
    pb->playing = false;
    pv_playback_seek(pb, t);
}

/* R: the lesson as written (typed commands go, and the notice says how
 * many); Shift+R: from 0 ms with them. */
static void restart(gui *g, bool keep_typed)
{
    pv_playback *pb = &g->view->pb;
    size_t typed = pb->ninj;
    if (!keep_typed && typed > 0) {
        if (!pv_playback_clear_injected(pb)) {
            notice(g, "Could not restart: out of memory", true);
            return;
        }
        char msg[128];
        snprintf(msg, sizeof msg, "Restarted as written: %zu typed command%s dropped (Shift+R keeps them)", typed,
                 typed == 1 ? "" : "s");
        notice(g, msg, false);
    }
    pv_playback_seek(pb, 0);
    pb->playing = true;
}

static void perform(gui *g, pv_action a)
{
    pv_view *v = g->view;
    if (pv_term_perform(&v->term, a, v->lay->term_rows - 1)) return; /* the line editor's keys */
    switch (a) {
    case PV_ACT_NONE: break;
    case PV_ACT_PLAY_PAUSE: toggle_play(&v->pb); break;
    case PV_ACT_STEP_NEXT: {
        ps_time before = v->pb.now;
        pv_playback_step(&v->pb, +1);
        pv_view_quiz_gate(v, before);
        break;
    }
    case PV_ACT_STEP_PREV: pv_playback_step(&v->pb, -1); break;
    case PV_ACT_GO_START: go_to(&v->pb, 0); break;
    case PV_ACT_GO_END: go_to(&v->pb, v->pb.end); break;
    case PV_ACT_FASTER: pv_playback_set_speed(&v->pb, v->pb.speed + 1); break;
    case PV_ACT_SLOWER: pv_playback_set_speed(&v->pb, v->pb.speed - 1); break;
    case PV_ACT_ZOOM_IN: set_zoom(v, v->zoom * 1.15); break;
    case PV_ACT_ZOOM_OUT: set_zoom(v, v->zoom / 1.15); break;
    case PV_ACT_ZOOM_RESET: set_zoom(v, 1.0); break;
    case PV_ACT_RESTART: restart(g, false); break;
    case PV_ACT_RESTART_KEEP: restart(g, true); break;
    case PV_ACT_PRESENT: v->present = !v->present; break;
    case PV_ACT_FRAME_COUNTER:
        g->fps_on = !g->fps_on;
        notice(g, g->fps_on ? "Frame counter on: frames per second in the title bar and on stderr"
                            : "Frame counter off", false);
        if (!g->fps_on) SDL_SetWindowTitle(g->win, g->view->sc->title ? g->view->sc->title : "portsim");
        break;
    case PV_ACT_NEXT_HOST: cycle_host(v); break;
    case PV_ACT_OPEN: pv_view_picker_open(v, NULL); break;
    case PV_ACT_TERMINAL: terminal_open(g, true); break;
    case PV_ACT_SAVE_SESSION: save_session(g); break;
    case PV_ACT_PCAP: write_pcap(g); break;
    case PV_ACT_SCREENSHOT: g->shot = true; break;
    case PV_ACT_FULLSCREEN: toggle_fullscreen(g->win); break;
    case PV_ACT_HELP: v->help = !v->help; break;
    case PV_ACT_HELP_CLOSE: v->help = false; break;
    case PV_ACT_QUIT: g->quit = true; break;
    case PV_ACT_TERM_RUN: term_run(g); break;
    case PV_ACT_TERM_CLOSE: terminal_open(g, false); break;
    case PV_ACT_PICK_PREV: if (v->pick > 0) v->pick--; break;
    case PV_ACT_PICK_NEXT: if (v->pick + 1 < v->npicks) v->pick++; break;
    case PV_ACT_PICK_OPEN:
        if (v->npicks > 0) {
            v->picker = false;
            open_file(g, v->picks[v->pick]);
        }
        break;
    case PV_ACT_PICK_CANCEL: v->picker = false; break;
    case PV_ACT_QUIZ_TOGGLE: pv_quiz_toggle(&v->quiz); break;
    case PV_ACT_QUIZ_CONTINUE:
        if (pv_quiz_revealed(&v->quiz)) pv_quiz_dismiss(&v->quiz);
        else pv_quiz_reveal(&v->quiz); /* an open question: its answer first */
        break;
    case PV_ACT_QUIZ_HINT: v->quiz.hint = !v->quiz.hint; break;
    default: break; /* the line editor's keys, done by pv_term_perform above */
    }
}

static void on_key(gui *g, const SDL_KeyboardEvent *e)
{
    SDL_Keycode k = e->keysym.sym;
    if (key_mode(g->view) == PV_KEYS_QUESTION && k >= SDLK_1 && k <= SDLK_9) {
        pv_quiz_pick(&g->view->quiz, (unsigned)(k - SDLK_0)); /* the table's "1 … 9" row */
        return;
    }
    unsigned mods = ((e->keysym.mod & KMOD_CTRL) ? PV_MOD_CTRL : 0u) | ((e->keysym.mod & KMOD_ALT) ? PV_MOD_ALT : 0u) |
                    ((e->keysym.mod & KMOD_SHIFT) ? PV_MOD_SHIFT : 0u);
    perform(g, pv_key_action(key_mode(g->view), key_code(e->keysym.sym), mods));
}

static void scrub(pv_view *v, int x)
{
    const pv_rect t = v->lay->track;
    double f = t.w > 1 ? (double)(x - t.x) / (t.w - 1) : 0;
    v->pb.playing = false;
    pv_playback_seek(&v->pb, pv_axis_time(&v->pb.axis, f < 0 ? 0 : f > 1 ? 1 : f));
}

static void on_click(gui *g, int x, int y)
{
    pv_view *v = g->view;
    const pv_layout *L = v->lay;
    if (v->picker) { /* a click on a lesson opens it; elsewhere keeps the list */
        int i = pv_picker_at(v, x, y);
        if (i >= 0) {
            v->pick = i;
            perform(g, PV_ACT_PICK_OPEN);
        }
        return;
    }
    if (v->help) {
        v->help = false;
        return;
    }
    if (pv_view_quiz_click(v, x, y)) return;
    pv_action button = pv_button_at(v, x, y);
    if (button != PV_ACT_NONE) {
        perform(g, button);
        return;
    }
    if (pv_rect_contains(L->timeline, x, y)) {
        g->scrubbing = true;
        scrub(v, x);
        return;
    }
    size_t ev = pv_log_event_at(v, x, y);
    if (ev != SIZE_MAX) { /* a log row: back (or on) to that moment */
        go_to(&v->pb, v->pb.ev[ev].t);
        return;
    }
    char what[200];
    uint32_t row = pv_table_socket_at(v, x, y);
    if (row != PS_NONE) { /* a table row: that socket in words */
        pv_view_describe_socket(v, row, what, sizeof what);
        notice(g, what, false);
    } else if (pv_view_door_at(v, x, y, what, sizeof what)) {
        notice(g, what, false); /* a door: what is behind it */
    }
    for (uint32_t i = 0; i < L->nhosts; i++)
        if (pv_rect_contains(L->hosts[i].body, x, y)) v->host_sel = i;
}

static void on_event(gui *g, const SDL_Event *e)
{
    g->dirty = true;
    switch (e->type) {
    case SDL_QUIT: g->quit = true; break;
    case SDL_KEYDOWN: on_key(g, &e->key); break;
    case SDL_TEXTINPUT:
        if (g->skip_text) g->skip_text = false; /* the T that opened the terminal */
        else if (g->view->term.open && !g->view->picker && !g->view->help) pv_term_insert(&g->view->term, e->text.text);
        break;
    case SDL_MOUSEBUTTONDOWN:
        if (e->button.button == SDL_BUTTON_LEFT) on_click(g, e->button.x, e->button.y);
        break;
    case SDL_MOUSEBUTTONUP: g->scrubbing = false; break;
    case SDL_MOUSEMOTION:
        if (g->scrubbing) scrub(g->view, e->motion.x);
        break;
    case SDL_MOUSEWHEEL:
        if (g->view->picker) {
            int p = g->view->pick - e->wheel.y;
            g->view->pick = p < 0 ? 0 : p >= g->view->npicks ? g->view->npicks - 1 : p;
        } else if (g->view->term.open) { /* the wheel scrolls the terminal back and forth */
            pv_term_scroll(&g->view->term, 3 * e->wheel.y, g->view->lay->term_rows - 1);
        }
        break;
    case SDL_DROPFILE:
        open_file(g, e->drop.file);
        SDL_free(e->drop.file);
        break;
    default: break;
    }
}

/* SDL drivers that draw nowhere a person can see. When DISPLAY names no
 * running server, SDL falls back to one of these and the window would be
 * invisible: that is "no display", unless the user asked for it by name. */
static bool invisible_driver(const char *drv)
{
    static const char *const names[] = { "offscreen", "dummy", "evdev" };
    const char *asked = getenv("SDL_VIDEODRIVER");
    if (drv == NULL) return true;
    if (asked && *asked) return false;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(drv, names[i]) == 0) return true;
    return false;
}

static bool open_window(gui *g)
{
    /* Only drivers that show a window to a person, unless the user chose one
     * by name: SDL would otherwise fall back to its offscreen driver. */
    const char *asked = getenv("SDL_VIDEODRIVER");
    if (asked && *asked) {
        if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) return false;
    } else {
        const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
        if (SDL_Init(SDL_INIT_EVENTS) != 0) return false;
        bool up = (x && *x && SDL_VideoInit("x11") == 0) || (w && *w && SDL_VideoInit("wayland") == 0);
        if (!up) return false;
        g->video_by_name = true;
    }
    if (invisible_driver(SDL_GetCurrentVideoDriver())) {
        SDL_SetError("no display answers (SDL found only its '%s' driver)",
                     SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "none");
        return false;
    }
    g->win = SDL_CreateWindow("portsim", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, 1280, 720,
                              SDL_WINDOW_RESIZABLE);
    if (!g->win) return false;
    g->ren = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!g->ren) g->ren = SDL_CreateRenderer(g->win, -1, SDL_RENDERER_SOFTWARE);
    if (g->ren) SDL_SetWindowMinimumSize(g->win, 640, 400);
    return g->ren != NULL;
}

static void close_window(gui *g)
{
    pv_view_free(g->view);
    pv_gfx_sdl_close(&g->gfx);
    if (g->ren) SDL_DestroyRenderer(g->ren);
    if (g->win) SDL_DestroyWindow(g->win);
    if (g->video_by_name) SDL_VideoQuit(); /* SDL_VideoInit's pair (SDL_Quit does not) */
    SDL_Quit();
}

/* The frame counter: once a second, frames per second in the title bar and
 * on stderr, so the window's own rate can be measured (make bench measures
 * the headless renderer). */
static void count_frame(gui *g)
{
    if (!g->fps_on) return;
    Uint32 now = SDL_GetTicks();
    if (g->fps_frames++ == 0) g->fps_since = now;
    if (now - g->fps_since < 1000) return;
    double fps = (g->fps_frames - 1) * 1000.0 / (double)(now - g->fps_since);
    char title[160];
    snprintf(title, sizeof title, "%s — %.1f frames/s", g->view->sc->title ? g->view->sc->title : "portsim", fps);
    SDL_SetWindowTitle(g->win, title);
    fprintf(stderr, "portsim: %.1f frames/s\n", fps);
    g->fps_frames = 0;
}

static void frame(gui *g, Uint64 *last)
{
    Uint64 now = SDL_GetPerformanceCounter();
    double ms = (double)(now - *last) * 1000.0 / (double)SDL_GetPerformanceFrequency();
    *last = now;
    ps_time before = g->view->pb.now;
    pv_playback_tick(&g->view->pb, ms > 100 ? 100 : ms);
    pv_view_quiz_gate(g->view, before);
    if (g->view->notice[0] && SDL_TICKS_PASSED(SDL_GetTicks(), g->notice_until)) g->view->notice[0] = '\0';
    int w, h;
    SDL_GetRendererOutputSize(g->ren, &w, &h);
    if (g->shot) { /* the picture without transient notices */
        g->shot = false;
        g->view->hide_notice = true;
        pv_view_draw(g->view, w, h);
        save_screenshot(g, w, h);
        g->view->hide_notice = false;
    }
    pv_view_draw(g->view, w, h);
    SDL_RenderPresent(g->ren);
    count_frame(g);
    Uint64 spent = SDL_GetPerformanceCounter() - now;
    double spent_ms = (double)spent * 1000.0 / (double)SDL_GetPerformanceFrequency();
    if (spent_ms < 15) SDL_Delay((Uint32)(16 - spent_ms)); /* ~60 fps even without vsync */
}

int pv_gui_run(const char *file, const pv_gui_opts *o)
{
    gui g;
    memset(&g, 0, sizeof g);
    if (!open_window(&g)) {
        fprintf(stderr, "portsim: cannot open a window (%s)\n", SDL_GetError());
        close_window(&g);
        return PV_GUI_NO_WINDOW;
    }
    char err[1024];
    if (!pv_gfx_sdl_open(&g.gfx, g.ren, err, sizeof err) || !(g.view = pv_view_new(&g.gfx.gfx, err, sizeof err))) {
        fprintf(stderr, "portsim: %s\n", err);
        close_window(&g);
        return PS_EXIT_FAILED;
    }
    g.view->no_questions = !o->questions;
    if (!pv_view_load(g.view, file, err, sizeof err)) {
        /* A lecturer who mistyped a path gets the window all the same, with
         * the built-in lesson and the error in sight (and on stderr). */
        fprintf(stderr, "%s\n", err);
        char first[1024];
        if (!pv_view_load(g.view, NULL, first, sizeof first)) {
            fprintf(stderr, "%s\n", first);
            close_window(&g);
            return PS_EXIT_USAGE;
        }
        notice(&g, err, true);
    }
    SDL_SetWindowTitle(g.win, g.view->sc->title ? g.view->sc->title : "portsim");
    if (o->picker) pv_view_picker_open(g.view, NULL);
    SDL_StopTextInput(); /* text events only while the terminal is open */
    Uint64 last = SDL_GetPerformanceCounter();
    g.dirty = true;
    while (!g.quit) {
        SDL_Event e;
        /* Idle means idle: paused, with nothing on a timer and nothing new,
         * the window sleeps until an event instead of redrawing 60 times a
         * second (a lecture PC's fan stays quiet). */
        bool timed = g.view->pb.playing || g.scrubbing || g.view->notice[0] || g.fps_on;
        if (!timed && !g.dirty && SDL_WaitEvent(&e)) {
            on_event(&g, &e);
            last = SDL_GetPerformanceCounter(); /* no time passed for the lesson */
        }
        while (SDL_PollEvent(&e)) on_event(&g, &e);
        g.skip_text = false;
        frame(&g, &last);
        g.dirty = false;
    }
    close_window(&g);
    return PS_EXIT_OK;
}
