/* test_terminal.c — the GUI's live terminal without SDL events
 * (render/terminal.c, the injected commands of render/playback.c, saving in
 * render/session.c): the port-conflict lesson taught by typing, stepping
 * back and forward over typed commands, history and bounded scrollback, the
 * session saved as scenario lines that re-load to the same trace, the
 * session's pcap, the terminal's rectangle in the layout, and one headless
 * picture with the terminal open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "load.h"
#include "headless.h"
#include "render_cmd.h"
#include "session.h"
#include "shell.h"
#include "terminal.h"
#include "units.h"

/* A lesson with nothing typed yet: alice's bash on laptop, one caption. */
static const char k_lesson[] = "title \"typed live\"\n"
                               "seed 7\n"
                               "host laptop 192.0.2.50\n"
                               "proc laptop bash pid=8400 user=alice\n"
                               "\n"
                               "say 0ms \"Type in the terminal.\"\n"
                               "say 1s \"The end.\"\n";

typedef struct fixture {
    ps_scenario *sc;
    pv_playback pb;
    pv_term term;
    char dir[64];
    char path[128];
} fixture;

static fixture *fx_new(const char *text)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/portsim-term-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/lesson.scn", f->dir);
    FILE *o = fopen(f->path, "w");
    assert_non_null(o);
    fputs(text, o);
    fclose(o);
    ps_diag d;
    f->sc = ps_scenario_load(f->path, &d);
    assert_non_null(f->sc);
    assert_true(pv_playback_open(&f->pb, f->sc));
    pv_term_reset(&f->term);
    return f;
}

static void fx_free(fixture *f)
{
    char cmd[200];
    pv_playback_close(&f->pb);
    ps_scenario_free(f->sc);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
}

/* Types a line as the keyboard would (text, then Enter) on laptop. */
static pv_inject_status type(fixture *f, const char *line)
{
    pv_term_insert(&f->term, line);
    return pv_term_enter(&f->term, &f->pb, 0);
}

/* The scrollback from line `from` on, joined with newlines. */
static char *screen(const pv_term *t, int from, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int i = from; i < t->nlines; i++) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s%s", pv_term_line(t, i, NULL), i + 1 < t->nlines ? "\n" : "");
    }
    return buf;
}

static ps_port_state port(const fixture *f, uint16_t p)
{
    return ps_engine_port_state(f->pb.eng, 0, p);
}

/* The whole lesson, typed: start, conflict, find, kill, go back, go on. */
static void test_port_conflict_by_typing(void **state)
{
    (void)state;
    fixture *f = fx_new(k_lesson);
    char buf[8192];
    assert_true(port(f, 3000) == PS_PORT_FREE);

    pv_playback_seek(&f->pb, 100000);
    int mark = f->term.nlines;
    assert_int_equal(type(f, "node server.js"), PV_INJECT_OK);
    assert_true(f->pb.now == 100000);
    assert_true(port(f, 3000) == PS_PORT_LISTENING);
    screen(&f->term, mark, buf, sizeof buf);
    assert_non_null(strstr(buf, "alice@laptop:~$ node server.js"));

    pv_playback_seek(&f->pb, 200000);
    mark = f->term.nlines;
    assert_int_equal(type(f, "node server.js"), PV_INJECT_OK);
    screen(&f->term, mark, buf, sizeof buf);
    assert_non_null(strstr(buf, "Error: listen EADDRINUSE: address already in use :::3000"));

    pv_playback_seek(&f->pb, 300000);
    mark = f->term.nlines;
    assert_int_equal(type(f, "lsof -i :3000"), PV_INJECT_OK);
    screen(&f->term, mark, buf, sizeof buf);
    assert_non_null(strstr(buf, "COMMAND"));
    assert_non_null(strstr(buf, "node    8401 alice"));
    assert_non_null(strstr(buf, "(LISTEN)"));

    pv_playback_seek(&f->pb, 400000);
    assert_int_equal(type(f, "kill 8401"), PV_INJECT_OK);
    assert_true(port(f, 3000) == PS_PORT_FREE);
    mark = f->term.nlines;
    assert_int_equal(type(f, "ss -tlnp"), PV_INJECT_OK);
    screen(&f->term, mark, buf, sizeof buf);
    assert_null(strstr(buf, ":3000"));

    /* back before the kill: listening again; forward: free again */
    pv_playback_seek(&f->pb, 350000);
    assert_true(port(f, 3000) == PS_PORT_LISTENING);
    pv_playback_step(&f->pb, +1);
    assert_true(f->pb.now == 400000);
    assert_true(port(f, 3000) == PS_PORT_FREE);
    /* before the first command: nothing listens */
    pv_playback_seek(&f->pb, 50000);
    assert_true(port(f, 3000) == PS_PORT_FREE);
    pv_playback_seek(&f->pb, 400000);
    assert_true(port(f, 3000) == PS_PORT_FREE);

    /* the second server starts now */
    pv_playback_seek(&f->pb, 500000);
    assert_int_equal(type(f, "node server.js"), PV_INJECT_OK);
    assert_true(port(f, 3000) == PS_PORT_LISTENING);
    assert_int_equal((int)f->pb.ninj, 6);

    /* the typed commands are in the event log as shell events */
    assert_non_null(strstr(f->pb.log, "kill 8401"));

    /* saved as scenario lines: it loads and replays the same trace */
    char out[200], msg[800];
    pv_session_path(f->path, "-session.scn", out, sizeof out);
    assert_non_null(strstr(out, "lesson-session.scn"));
    assert_int_equal(pv_session_save(&f->pb, f->path, out, msg, sizeof msg), PV_SAVE_OK);
    ps_diag d;
    ps_scenario *back = ps_scenario_load(out, &d);
    assert_non_null(back);
    char *want = pv_session_trace(&f->pb), *got = pv_scenario_trace(back);
    assert_non_null(want);
    assert_non_null(got);
    assert_string_equal(want, got);
    assert_non_null(strstr(got, "EADDRINUSE"));
    /* and the lines read as written by hand */
    FILE *in = fopen(out, "r");
    assert_non_null(in);
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    fclose(in);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "at 100ms laptop shell \"node server.js\"\n"));
    assert_non_null(strstr(buf, "at 400ms laptop shell \"kill 8401\"\n"));
    assert_non_null(strstr(buf, "say 1s \"The end.\"\n"));
    /* merged in time order: the 1s caption stays last */
    assert_true(strstr(buf, "at 500ms") < strstr(buf, "say 1s"));
    ps_scenario_free(back);
    free(want);
    free(got);

    /* the pcap of a session (no segments here, but a valid file) */
    pv_session_path(f->path, ".pcap", out, sizeof out);
    char err[300];
    assert_true(pv_session_pcap(&f->pb, out, err, sizeof err));
    assert_int_equal(access(out, R_OK), 0);
    fx_free(f);
}

/* The shipped lesson, typed before its own lines: insert in time order. */
static void test_shipped_lesson_merge(void **state)
{
    (void)state;
    ps_diag d;
    ps_scenario *sc = ps_scenario_load("scenarios/port-conflict.scn", &d);
    assert_non_null(sc);
    pv_playback pb;
    assert_true(pv_playback_open(&pb, sc));
    pv_playback_seek(&pb, 50000); /* between its 0ms and 100ms lines */
    char *out = NULL;
    assert_int_equal(pv_playback_inject(&pb, 0, "ss -tlnp", &out), PV_INJECT_OK);
    assert_non_null(strstr(out, "node"));
    assert_non_null(strstr(out, ":3000"));
    free(out);
    pv_playback_seek(&pb, 600000); /* the end: after every line */
    assert_int_equal(pv_playback_inject(&pb, 0, "echo \"quoted\" \\ back", &out), PV_INJECT_OK);
    free(out);
    char tmpl[] = "/tmp/portsim-merge-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char path[128], msg[800];
    snprintf(path, sizeof path, "%s/pc-session.scn", tmpl);
    assert_int_equal(pv_session_save(&pb, "scenarios/port-conflict.scn", path, msg, sizeof msg), PV_SAVE_OK);
    ps_scenario *back = ps_scenario_load(path, &d);
    assert_non_null(back);
    assert_int_equal(back->nactions, sc->nactions + 2);
    /* the 50ms line sits after the 0ms ones, before the 100ms one */
    for (uint32_t i = 0; i < back->nactions; i++)
        if (back->actions[i].kind == PS_ACT_SHELL && strcmp(back->actions[i].text, "ss -tlnp") == 0 &&
            back->actions[i].t == 50000) {
            assert_true(back->actions[i - 1].t == 0);
            assert_true(back->actions[i + 1].t == 100000);
        }
    assert_string_equal(back->actions[back->nactions - 1].text, "echo \"quoted\" \\ back");
    ps_scenario_free(back);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
    pv_playback_close(&pb);
    ps_scenario_free(sc);
}

/* Typed at a time when a segment arrives: the command runs after it, 1 us
 * later, and the saved file still replays the same. */
static void test_typed_after_arrivals(void **state)
{
    (void)state;
    fixture *f = fx_new("title \"busy\"\n"
                        "host laptop 192.0.2.10\n"
                        "host server 93.184.216.34\n"
                        "link laptop server 20ms\n"
                        "proc server nginx pid=812 user=root\n"
                        "proc laptop firefox pid=4242 user=alice\n"
                        "at 0ms server nginx listen 443 as web\n"
                        "at 100ms laptop firefox connect https://93.184.216.34 as tab1\n"
                        "at 300ms tab1 close\n");
    pv_playback_seek(&f->pb, 0);
    pv_playback_step(&f->pb, +1); /* 100 ms: the SYN leaves */
    pv_playback_step(&f->pb, +1); /* 120 ms: the SYN arrives */
    ps_time t = f->pb.now;
    assert_true(t == 120000);
    assert_true(pv_playback_inject_time(&f->pb, t) == 120001);
    int mark = f->term.nlines;
    assert_int_equal(type(f, "ss -tn"), PV_INJECT_OK);
    assert_true(f->pb.now == 120001);
    char buf[4096];
    screen(&f->term, mark, buf, sizeof buf);
    assert_non_null(strstr(buf, "SYN-SENT"));  /* what the picture shows at 120 ms */
    assert_non_null(strstr(buf, "ran at 120.001 ms"));
    /* a curl from the laptop, typed at the end */
    pv_playback_seek(&f->pb, f->pb.end);
    assert_int_equal(type(f, "curl http://93.184.216.34:443/"), PV_INJECT_OK);
    char out[200], msg[800];
    pv_session_path(f->path, "-session.scn", out, sizeof out);
    assert_int_equal(pv_session_save(&f->pb, f->path, out, msg, sizeof msg), PV_SAVE_OK);
    fx_free(f);
}

static void test_history_and_editing(void **state)
{
    (void)state;
    fixture *f = fx_new(k_lesson);
    pv_term *t = &f->term;
    type(f, "ps");
    type(f, "ss -tlnp");
    type(f, "ss -tlnp"); /* a repeat is kept once */
    pv_term_insert(t, "lso");
    pv_term_history(t, -1);
    assert_string_equal(t->input, "ss -tlnp");
    pv_term_history(t, -1);
    assert_string_equal(t->input, "ps");
    pv_term_history(t, -1); /* the oldest stays */
    assert_string_equal(t->input, "ps");
    pv_term_history(t, +1);
    assert_string_equal(t->input, "ss -tlnp");
    pv_term_history(t, +1); /* back to the draft */
    assert_string_equal(t->input, "lso");
    pv_term_insert(t, "f");
    pv_term_move(t, -1);
    pv_term_move(t, -1);
    pv_term_backspace(t);
    assert_string_equal(t->input, "lof");
    pv_term_insert(t, "s\t\x1b");       /* control characters are dropped */
    assert_string_equal(t->input, "lsof");
    pv_term_end(t);
    pv_term_insert(t, " -i :3000 é");
    pv_term_backspace(t);                /* a whole UTF-8 character */
    assert_string_equal(t->input, "lsof -i :3000 ");
    pv_term_kill_line(t);
    assert_int_equal((int)t->len, 0);
    /* a blank line only echoes the prompt, records nothing */
    size_t before = f->pb.ninj;
    assert_int_equal(type(f, "   "), PV_INJECT_EMPTY);
    assert_int_equal(f->pb.ninj, before);
    /* the line is bounded */
    char big[2 * PV_TERM_INPUT_MAX];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    pv_term_insert(t, big);
    assert_int_equal((int)t->len, PV_TERM_INPUT_MAX - 1);
    pv_term_kill_line(t);
    /* history is bounded */
    for (int i = 0; i < PV_TERM_HISTORY + 10; i++) {
        char line[32];
        snprintf(line, sizeof line, "echo %d", i);
        pv_term_insert(t, line);
        pv_term_enter(t, &f->pb, 0);
    }
    assert_int_equal(t->nhist, PV_TERM_HISTORY);
    pv_term_history(t, -1);
    char last[32];
    snprintf(last, sizeof last, "echo %d", PV_TERM_HISTORY + 9);
    assert_string_equal(t->input, last);
    fx_free(f);
}

/* clear and exit are the terminal's own: not typed commands, nothing runs. */
static void test_clear_exit_and_prompt(void **state)
{
    (void)state;
    fixture *f = fx_new(k_lesson);
    pv_term *t = &f->term;
    t->open = true;
    assert_int_equal(type(f, "ps"), PV_INJECT_OK);
    assert_true(t->nlines > 0);
    assert_int_equal(type(f, "clear"), PV_INJECT_EMPTY);
    assert_int_equal(t->nlines, 0);
    assert_int_equal((int)f->pb.ninj, 1); /* only ps was recorded */
    assert_int_equal(type(f, "  exit "), PV_INJECT_EMPTY);
    assert_false(t->open);
    assert_int_equal((int)f->pb.ninj, 1);
    char p[64];
    assert_string_equal(pv_term_prompt(p, sizeof p, "alice", "laptop"), "alice@laptop:~$ ");
    assert_string_equal(pv_term_prompt(p, sizeof p, "root", "server"), "root@server:~# ");
    fx_free(f);
}

static void test_bounds(void **state)
{
    (void)state;
    fixture *f = fx_new(k_lesson);
    pv_term *t = &f->term;
    for (int i = 0; i < PV_TERM_LINES + 50; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %d", i);
        pv_term_print(t, line, PV_TERM_OUT);
    }
    assert_int_equal(t->nlines, PV_TERM_LINES);
    assert_string_equal(pv_term_line(t, 0, NULL), "line 50");
    pv_term_scroll(t, 1000, 10);
    assert_int_equal(t->scroll, PV_TERM_LINES - 10);
    pv_term_scroll(t, -1000, 10);
    assert_int_equal(t->scroll, 0);
    /* the injected list is bounded, and says so */
    for (unsigned i = 0; i < PV_MAX_INJECTED; i++) {
        char *out = NULL;
        assert_int_equal(pv_playback_inject(&f->pb, 0, "ps", &out), PV_INJECT_OK);
        free(out);
    }
    assert_int_equal(type(f, "ps"), PV_INJECT_FULL);
    assert_non_null(strstr(pv_term_line(t, t->nlines - 1, NULL), "limit"));
    assert_int_equal(f->pb.ninj, PV_MAX_INJECTED);
    assert_int_equal(pv_playback_inject(&f->pb, 0, "ps", NULL), PV_INJECT_FULL);
    assert_true(pv_playback_clear_injected(&f->pb));
    assert_int_equal(pv_playback_inject(&f->pb, 7, "ps", NULL), PV_INJECT_BAD_HOST);
    fx_free(f);
}

/* ---- layout ---- */

static int fake_measure(void *ctx, const char *s, int px, pv_face face)
{
    (void)ctx;
    (void)face;
    int chars = 0;
    for (; *s; s++) chars += ((unsigned char)*s & 0xC0) != 0x80;
    return chars * px * 62 / 100;
}

static void test_layout(void **state)
{
    (void)state;
    static const int sizes[][2] = { { 1280, 720 }, { 1920, 1080 }, { 1024, 768 }, { 640, 400 }, { 2560, 1440 } };
    pv_scene *s = calloc(1, sizeof *s);
    pv_layout *L = calloc(1, sizeof *L);
    assert_non_null(s);
    assert_non_null(L);
    static const double zooms[] = { 0.6, 1.0, 1.5, 2.5 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t k = 0; k < sizeof zooms / sizeof zooms[0]; k++) {
            double z = zooms[k];
            pv_layout_in in = { s, sizes[i][0], sizes[i][1], z, fake_measure, NULL, "t", "t = 0 ms", "hint", "cap", false, NULL, 0, 0, false };
            pv_layout_compute(&in, L);
            pv_rect win = { 0, 0, L->w, L->h };
            assert_true(pv_rect_inside(L->term, win));
            assert_true(pv_rect_inside(L->term_head, L->term));
            assert_false(pv_rect_overlap(L->term, L->caption));
            assert_false(pv_rect_overlap(L->term, L->timeline));
            assert_false(pv_rect_overlap(L->term, L->top));
            assert_true(L->term_rows >= 1);
            int bottom = L->term_head.y + L->term_head.h + L->term_rows * L->term_row_h;
            assert_true(bottom <= L->term.y + L->term.h);
            if (z == 1.0 && (sizes[i][0] == 1280 || sizes[i][0] == 1920)) {
                /* readable: 8 rows or so, text at least 12 px, ~120 columns */
                assert_true(L->term_rows >= 6);
                assert_true(L->px.term >= 12);
                assert_true(fake_measure(NULL, "0", L->px.term, PV_FACE_MONO) * 120 <= L->term.w);
            }
        }
    free(s);
    free(L);
}

/* ---- a picture ---- */

static void test_picture(void **state)
{
    (void)state;
    pv_headless hl;
    char err[512];
    if (!pv_headless_open(&hl, 1280, 720, err, sizeof err)) fail_msg("headless: %s", err);
    pv_view *v = hl.view;
    assert_true(pv_view_load(v, "scenarios/port-conflict.scn", err, sizeof err));
    pv_playback_seek(&v->pb, 600000);
    v->term.open = true;
    pv_term_insert(&v->term, "ss -tlnp");
    assert_int_equal(pv_view_term_enter(v), PV_INJECT_OK);
    pv_view_draw(v, 1280, 720);
    const pv_layout *L = v->lay;
    /* the terminal's background covers the band; the prompt's green shows */
    pv_rgba c = pv_headless_pixel(&hl, L->term.x + L->term.w - 3, L->term.y + L->term.h - 3);
    assert_true(c.r == 0x0A && c.g == 0x0D && c.b == 0x13);
    int green = 0;
    int py = L->term_head.y + L->term_head.h + (L->term_rows - 1) * L->term_row_h;
    for (int x = L->term.x; x < L->term.x + 400; x++)
        for (int y = py; y < py + L->term_row_h; y++) {
            pv_rgba p = pv_headless_pixel(&hl, x, y);
            green += p.g > 0x70 && p.r < 0x40;
        }
    assert_true(green > 20);
    assert_true(ps_engine_port_state(v->pb.eng, 0, 3000) == PS_PORT_LISTENING);
    assert_true(ps_engine_port_state(v->pb.eng, 0, 3001) == PS_PORT_LISTENING);
    pv_headless_close(&hl);
}

int main(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_port_conflict_by_typing),
        cmocka_unit_test(test_shipped_lesson_merge),
        cmocka_unit_test(test_typed_after_arrivals),
        cmocka_unit_test(test_history_and_editing),
        cmocka_unit_test(test_clear_exit_and_prompt),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_picture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
