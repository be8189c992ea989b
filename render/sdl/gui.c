/* gui.c — the window and its input loop (see gui.h): keys, timeline
 * scrubbing, building selection, the file picker, drag-and-drop,
 * screenshots, fullscreen and zoom, the live terminal's keyboard focus,
 * saving the typed session and the pcap. Everything it shows comes from
 * pv_view_draw. */
#include "gui.h"

#include <SDL.h>
#include <SDL_image.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit.h"
#include "load.h"
#include "session.h"
#include "view.h"

typedef struct gui {
    SDL_Window *win;
    SDL_Renderer *ren;
    pv_view *view;
    bool quit, scrubbing, shot;
    bool skip_text;             /* drop the text of the key that opened the terminal */
    Uint32 notice_until;
    int shots;
} gui;

static void notice(gui *g, const char *msg, bool error)
{
    snprintf(g->view->notice, sizeof g->view->notice, "%s", msg);
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
    v->zoom = z < 0.6 ? 0.6 : z > 2.5 ? 2.5 : z;
}

static void picker_key(gui *g, SDL_Keycode k)
{
    pv_view *v = g->view;
    if (k == SDLK_ESCAPE || k == SDLK_o) v->picker = false;
    else if (k == SDLK_UP && v->pick > 0) v->pick--;
    else if (k == SDLK_DOWN && v->pick + 1 < v->npicks) v->pick++;
    else if ((k == SDLK_RETURN || k == SDLK_KP_ENTER) && v->npicks > 0) {
        v->picker = false;
        open_file(g, v->picks[v->pick]);
    }
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

static void speed_or_zoom(gui *g, int dir, bool ctrl)
{
    pv_view *v = g->view;
    if (ctrl) set_zoom(v, dir > 0 ? v->zoom * 1.15 : v->zoom / 1.15);
    else pv_playback_set_speed(&v->pb, v->pb.speed + dir);
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

static void cycle_host(pv_view *v);

/* Keys while the terminal has the keyboard: editing, history, scrolling;
 * text arrives as SDL_TEXTINPUT. Only Alt+Left/Right move the playback. */
static void terminal_key(gui *g, const SDL_KeyboardEvent *e)
{
    pv_view *v = g->view;
    pv_term *t = &v->term;
    bool ctrl = (e->keysym.mod & KMOD_CTRL) != 0, alt = (e->keysym.mod & KMOD_ALT) != 0;
    int page = v->lay->term_rows > 2 ? v->lay->term_rows - 2 : 1;
    switch (e->keysym.sym) {
    case SDLK_ESCAPE: terminal_open(g, false); break;
    case SDLK_RETURN: case SDLK_KP_ENTER:
        if (pv_view_term_enter(v) == PV_INJECT_FULL) {
            char msg[160];
            snprintf(msg, sizeof msg,
                     "The terminal's session is full (%u commands): save it with Ctrl+S and open the saved file",
                     PV_MAX_INJECTED);
            notice(g, msg, true);
        }
        break;
    case SDLK_BACKSPACE: pv_term_backspace(t); break;
    case SDLK_DELETE: pv_term_delete(t); break;
    case SDLK_LEFT: if (alt) pv_playback_step(&v->pb, -1); else pv_term_move(t, -1); break;
    case SDLK_RIGHT: if (alt) pv_playback_step(&v->pb, +1); else pv_term_move(t, +1); break;
    case SDLK_HOME: pv_term_home(t); break;
    case SDLK_END: pv_term_end(t); break;
    case SDLK_UP: pv_term_history(t, -1); break;
    case SDLK_DOWN: pv_term_history(t, +1); break;
    case SDLK_PAGEUP: pv_term_scroll(t, page, v->lay->term_rows - 1); break;
    case SDLK_PAGEDOWN: pv_term_scroll(t, -page, v->lay->term_rows - 1); break;
    case SDLK_TAB: cycle_host(v); break;
    case SDLK_a: if (ctrl) pv_term_home(t); break;
    case SDLK_e: if (ctrl) pv_term_end(t); break;
    case SDLK_u: if (ctrl) pv_term_kill_line(t); break;
    case SDLK_c:
        if (ctrl) { /* like bash: abandon the line */
            char line[PV_TERM_INPUT_MAX + 4];
            snprintf(line, sizeof line, "%s^C", t->input);
            pv_term_print(t, line, PV_TERM_NOTE);
            pv_term_kill_line(t);
        }
        break;
    case SDLK_l: if (ctrl) pv_term_clear(t); break;
    case SDLK_s: if (ctrl) save_session(g); break;
    default: break;
    }
}

static void on_key(gui *g, const SDL_KeyboardEvent *e)
{
    pv_view *v = g->view;
    SDL_Keycode k = e->keysym.sym;
    bool ctrl = (e->keysym.mod & KMOD_CTRL) != 0;
    if (v->picker) {
        picker_key(g, k);
        return;
    }
    if (v->term.open && !v->help) {
        terminal_key(g, e);
        return;
    }
    switch (k) {
    case SDLK_ESCAPE: v->help = false; break;
    case SDLK_SPACE: toggle_play(&v->pb); break;
    case SDLK_RIGHT: pv_playback_step(&v->pb, +1); break;
    case SDLK_LEFT: pv_playback_step(&v->pb, -1); break;
    case SDLK_PLUS: case SDLK_EQUALS: case SDLK_KP_PLUS: speed_or_zoom(g, +1, ctrl); break;
    case SDLK_MINUS: case SDLK_KP_MINUS: speed_or_zoom(g, -1, ctrl); break;
    case SDLK_0: if (ctrl) set_zoom(v, 1.0); break;
    case SDLK_r: pv_playback_seek(&v->pb, 0); v->pb.playing = true; break;
    case SDLK_f: {
        bool full = (SDL_GetWindowFlags(g->win) & SDL_WINDOW_FULLSCREEN_DESKTOP) != 0;
        SDL_SetWindowFullscreen(g->win, full ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP);
        break;
    }
    case SDLK_s: if (ctrl) save_session(g); else g->shot = true; break;
    case SDLK_t: case SDLK_BACKQUOTE: terminal_open(g, true); break;
    case SDLK_F5: v->present = !v->present; break; /* presentation mode (P is the capture) */
    case SDLK_p: write_pcap(g); break;
    case SDLK_o: pv_view_picker_open(v, "scenarios"); break;
    case SDLK_h: case SDLK_QUESTION: case SDLK_SLASH: v->help = !v->help; break;
    case SDLK_TAB: cycle_host(v); break;
    case SDLK_q: g->quit = true; break;
    default: break;
    }
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
    if (v->picker || v->help) {
        v->help = false;
        return;
    }
    if (pv_rect_contains(L->timeline, x, y)) {
        g->scrubbing = true;
        scrub(v, x);
        return;
    }
    for (uint32_t i = 0; i < L->nhosts; i++)
        if (pv_rect_contains(L->hosts[i].body, x, y)) v->host_sel = i;
}

static void on_event(gui *g, const SDL_Event *e)
{
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
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) return false;
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
    if (g->ren) SDL_DestroyRenderer(g->ren);
    if (g->win) SDL_DestroyWindow(g->win);
    SDL_Quit();
}

static void frame(gui *g, Uint64 *last)
{
    Uint64 now = SDL_GetPerformanceCounter();
    double ms = (double)(now - *last) * 1000.0 / (double)SDL_GetPerformanceFrequency();
    *last = now;
    pv_playback_tick(&g->view->pb, ms > 100 ? 100 : ms);
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
    Uint64 spent = SDL_GetPerformanceCounter() - now;
    double spent_ms = (double)spent * 1000.0 / (double)SDL_GetPerformanceFrequency();
    if (spent_ms < 15) SDL_Delay((Uint32)(16 - spent_ms)); /* ~60 fps even without vsync */
}

int pv_gui_run(const char *file)
{
    gui g;
    memset(&g, 0, sizeof g);
    if (!open_window(&g)) {
        fprintf(stderr, "portsim: cannot open a window (%s)\n", SDL_GetError());
        close_window(&g);
        return PV_GUI_NO_WINDOW;
    }
    char err[1024];
    g.view = pv_view_new(g.ren, err, sizeof err);
    if (!g.view) {
        fprintf(stderr, "portsim: %s\n", err);
        close_window(&g);
        return PS_EXIT_FAILED;
    }
    if (!pv_view_load(g.view, file, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        close_window(&g);
        return PS_EXIT_USAGE;
    }
    SDL_SetWindowTitle(g.win, g.view->sc->title ? g.view->sc->title : "portsim");
    SDL_StopTextInput(); /* text events only while the terminal is open */
    Uint64 last = SDL_GetPerformanceCounter();
    while (!g.quit) {
        SDL_Event e;
        while (SDL_PollEvent(&e)) on_event(&g, &e);
        g.skip_text = false;
        frame(&g, &last);
    }
    close_window(&g);
    return PS_EXIT_OK;
}
