/* test_texts.c — the lecture window's texts as drawn, read from the record
 * that `portsim render --boxes` writes (boxes.h). For every shipped lesson,
 * at every event time and halfway between events (at most MAX_MOMENTS a
 * lesson, evenly spread), at 1280x720 and 1920x1080: no two texts overlap by
 * more than 1 px, none leaves the window, every listening door shows its
 * port. One colour per conversation; the demux card while a SYN arrives; the
 * failing program at its door; notices in the top bar. SDL's dummy driver. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "headless.h"
#include "units.h"

#define MAX_MOMENTS 200
#define SLACK 1 /* pixels two boxes may share (antialiased edges) */

typedef struct tally {
    long frames, overlaps, outside, missing, cut, small, ports_cut, lines_dropped;
} tally;

static pv_headless *open_lesson(const char *file, int w, int h, pv_boxes *boxes)
{
    static pv_headless hl;
    char err[1024];
    if (!pv_headless_open(&hl, w, h, err, sizeof err)) fail_msg("headless open: %s", err);
    if (!pv_view_load(hl.view, file, err, sizeof err)) fail_msg("%s", err);
    hl.view->boxes = boxes;
    return &hl;
}

static bool same(pv_rgba a, pv_rgba b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

/* two-tabs: everything of tab1 has one colour, everything of tab2 another,
 * and every envelope has its conversation's colour. */
static void test_one_colour_per_conversation(void **state)
{
    (void)state;
    pv_boxes boxes = { 0 };
    pv_headless *hl = open_lesson("scenarios/two-tabs.scn", 1280, 720, &boxes);
    pv_rgba col[2];
    int seen[2] = { 0, 0 }, envelopes[2] = { 0, 0 };
    for (ps_time t = 0; t <= 400000; t += 5000) {
        pv_playback_seek(&hl->view->pb, t);
        pv_view_draw(hl->view, 1280, 720);
        for (uint32_t i = 0; i < boxes.n; i++) {
            const pv_box *b = &boxes.v[i];
            if (b->role == PV_ROLE_ENVELOPE && !b->conn[0])
                fail_msg("envelope text \"%s\" at %llu us has no connection", pv_boxes_text(&boxes, i),
                         (unsigned long long)t);
            int c = strcmp(b->conn, "tab1") == 0 ? 0 : strcmp(b->conn, "tab2") == 0 ? 1 : -1;
            if (c < 0) continue;
            if (seen[c]++ == 0) col[c] = b->color;
            else if (!same(col[c], b->color))
                fail_msg("\"%s\" at %llu us: tab%d's texts have two colours", pv_boxes_text(&boxes, i),
                         (unsigned long long)t, c + 1);
            envelopes[c] += b->role == PV_ROLE_ENVELOPE;
        }
    }
    assert_true(seen[0] > 0 && seen[1] > 0);
    assert_true(envelopes[0] > 0 && envelopes[1] > 0);
    assert_false(same(col[0], col[1]));
    pv_headless_close(hl);
    pv_boxes_free(&boxes);
}

/* Event times and the midpoints between them, increasing, spread evenly
 * over at most MAX_MOMENTS. Returns how many were written to out. */
static size_t moments(const pv_playback *pb, ps_time *out)
{
    size_t distinct = 0;
    for (size_t i = 0; i < pb->nev; i++) distinct += i == 0 || pb->ev[i].t != pb->ev[i - 1].t;
    size_t all = 2 * distinct - (distinct > 0), n = 0, k = 0;
    ps_time prev = 0;
    for (size_t i = 0; i < pb->nev; i++) {
        if (i > 0 && pb->ev[i].t == pb->ev[i - 1].t) continue;
        ps_time t = pb->ev[i].t;
        ps_time pair[2] = { prev + (t - prev) / 2, t };
        for (int j = i == 0; j < 2; j++, k++)
            if (all <= MAX_MOMENTS || k * MAX_MOMENTS / all != (k + 1) * MAX_MOMENTS / all)
                out[n++] = pair[j];
        prev = t;
    }
    return n;
}

static void report(const char *what, const char *file, ps_time t, int w, const pv_boxes *b, uint32_t i,
                   uint32_t k)
{
    const pv_box *x = &b->v[i];
    print_message("%s %s at %llu us, %dpx wide: %s \"%s\" (%d,%d %dx%d)", what, file, (unsigned long long)t, w,
                  pv_role_name((pv_role)x->role), pv_boxes_text(b, i), x->r.x, x->r.y, x->r.w, x->r.h);
    if (k != UINT32_MAX)
        print_message(" and %s \"%s\" (%d,%d %dx%d)", pv_role_name((pv_role)b->v[k].role), pv_boxes_text(b, k),
                      b->v[k].r.x, b->v[k].r.y, b->v[k].r.w, b->v[k].r.h);
    print_message("\n");
}

static bool has_door_text(const pv_boxes *b, const char *title)
{
    for (uint32_t i = 0; i < b->n; i++)
        if (b->v[i].role == PV_ROLE_DOOR && strcmp(pv_boxes_text(b, i), title) == 0) return true;
    return false;
}

/* Every door drawn shows its port whole; its program and state too when the
 * building has room (counted: a crowded or very zoomed building drops them). */
static void check_doors(const pv_view *v, const char *file, int w, tally *n)
{
    const pv_boxes *b = v->boxes;
    for (uint32_t i = 0; i < v->scene->ndoors; i++) {
        const pv_door *d = &v->scene->doors[i];
        if (v->lay->doors[i].r.w <= 0) continue;
        const char *want[3] = { d->title, d->sub, d->note };
        for (int k = 0; k < 3; k++) {
            bool whole = !want[k][0];
            for (uint32_t j = 0; j < b->n && !whole; j++)
                whole = b->v[j].role == PV_ROLE_DOOR && !b->v[j].cut && strcmp(pv_boxes_text(b, j), want[k]) == 0;
            if (whole) continue;
            if (k > 0) n->lines_dropped++;
            else if (n->ports_cut++ < 5)
                print_message("door %s at %llu us, %dpx wide, zoom %.1f: \"%s\" not shown whole\n", file,
                              (unsigned long long)v->pb.now, w, v->zoom, want[k]);
        }
    }
}

/* Checks one drawn frame; prints the first few problems of each kind. */
static void check_frame(const pv_view *v, const char *file, int w, int h, tally *n)
{
    const pv_boxes *b = v->boxes;
    assert_int_equal(b->dropped, 0);
    for (uint32_t i = 0; i < b->n; i++) {
        pv_rect r = b->v[i].r;
        if (b->v[i].px < v->lay->min_px && n->small++ < 5) report("small", file, v->pb.now, w, b, i, UINT32_MAX);
        if (r.x < 0 || r.y < 0 || r.x + r.w > w || r.y + r.h > h) {
            if (n->outside++ < 5) report("outside", file, v->pb.now, w, b, i, UINT32_MAX);
        }
        /* these are never cut: "demux: ..." stays whole, titles wrap */
        pv_role role = (pv_role)b->v[i].role;
        bool whole = role == PV_ROLE_ENVELOPE || role == PV_ROLE_TITLE || role == PV_ROLE_CAPTION ||
                     role == PV_ROLE_LOOKUP || role == PV_ROLE_ERROR;
        if (whole && b->v[i].cut && n->cut++ < 5)
            report("cut", file, v->pb.now, w, b, i, UINT32_MAX);
        for (uint32_t k = i + 1; k < b->n; k++)
            if (pv_rect_overlap_x(r, b->v[k].r) > SLACK && pv_rect_overlap_y(r, b->v[k].r) > SLACK &&
                n->overlaps++ < 12)
                report("overlap", file, v->pb.now, w, b, i, k);
    }
    for (uint32_t i = 0; i < v->scene->ndoors; i++) {
        const pv_door *d = &v->scene->doors[i];
        if (d->kind == PV_DOOR_LISTEN && !has_door_text(b, d->title) && n->missing++ < 5)
            print_message("missing %s at %llu us, %dpx wide: door %s\n", file, (unsigned long long)v->pb.now, w,
                          d->title);
    }
    n->frames++;
}

static void test_no_text_overlaps(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("scenarios/*.scn", 0, NULL, &g), 0);
    static const int sizes[][2] = { { 1280, 720 }, { 1920, 1080 } };
    tally n = { 0 };
    pv_boxes boxes = { 0 };
    ps_time *at = NULL;
    for (size_t f = 0; f < g.gl_pathc; f++)
        for (int sz = 0; sz < 2; sz++) {
            int w = sizes[sz][0], h = sizes[sz][1];
            pv_headless *hl = open_lesson(g.gl_pathv[f], w, h, &boxes);
            at = realloc(at, (2 * hl->view->pb.nev + 1) * sizeof *at);
            assert_non_null(at);
            size_t count = moments(&hl->view->pb, at);
            assert_true(count >= 1 && count <= MAX_MOMENTS);
            for (size_t i = 0; i < count; i++) {
                pv_playback_seek(&hl->view->pb, at[i]);
                pv_view_draw(hl->view, w, h);
                check_frame(hl->view, g.gl_pathv[f], w, h, &n);
            }
            pv_headless_close(hl);
        }
    print_message("%ld frames (%zu lessons x 2 sizes): %ld overlaps, %ld outside, %ld listening doors missing, "
                  "%ld texts cut that must stay whole\n", n.frames, g.gl_pathc, n.overlaps, n.outside, n.missing, n.cut);
    free(at);
    pv_boxes_free(&boxes);
    globfree(&g);
    assert_int_equal(n.overlaps, 0);
    assert_int_equal(n.outside, 0);
    assert_int_equal(n.missing, 0);
    assert_int_equal(n.cut, 0);
}

static const pv_box *find(const pv_boxes *b, pv_role role, const char *prefix)
{
    for (uint32_t i = 0; i < b->n; i++)
        if (b->v[i].role == role && strncmp(pv_boxes_text(b, i), prefix, strlen(prefix)) == 0) return &b->v[i];
    return NULL;
}

/* two-tabs: while tab1's SYN (sent at 100 ms, delivered at 120 ms) arrives,
 * the demux card answers "a listener", and the listener's row is lit. */
static void test_lookup_while_syn_arrives(void **state)
{
    (void)state;
    pv_boxes boxes = { 0 };
    pv_headless *hl = open_lesson("scenarios/two-tabs.scn", 1280, 720, &boxes);
    for (ps_time t = 111000; t < 120000; t += 2000) {
        pv_playback_seek(&hl->view->pb, t);
        pv_view_draw(hl->view, 1280, 720);
        const pv_box *head = find(&boxes, PV_ROLE_LOOKUP, "demux on server: SYN from tab1");
        const pv_box *ask = find(&boxes, PV_ROLE_LOOKUP, "2. a listener on 93.184.216.34:443");
        const pv_box *row = find(&boxes, PV_ROLE_TABLE, "LISTEN");
        if (!head || !ask || !row) fail_msg("no demux card at %llu us", (unsigned long long)t);
        assert_true(same(ask->color, PV_COL_NOW)); /* the answer, highlighted */
        assert_true(same(row->color, PV_COL_NOW));
    }
    pv_playback_seek(&hl->view->pb, 105000); /* not yet halfway: no card */
    pv_view_draw(hl->view, 1280, 720);
    assert_null(find(&boxes, PV_ROLE_LOOKUP, ""));
    pv_headless_close(hl);
    pv_boxes_free(&boxes);
}

/* The program that failed is named at the door it wanted. */
static void test_failing_program_at_its_door(void **state)
{
    (void)state;
    static const struct {
        const char *file, *label;
        ps_time at;
    } cases[] = {
        { "scenarios/port-conflict.scn", "✗ node 8402: EADDRINUSE", 100000 },
        { "scenarios/privileged-ports.scn", "✗ node 5001: EACCES", 100000 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pv_boxes boxes = { 0 };
        pv_headless *hl = open_lesson(cases[i].file, 1280, 720, &boxes);
        pv_playback_seek(&hl->view->pb, cases[i].at);
        pv_view_draw(hl->view, 1280, 720);
        if (!find(&boxes, PV_ROLE_ERROR, cases[i].label)) fail_msg("%s: no \"%s\"", cases[i].file, cases[i].label);
        pv_headless_close(hl);
        pv_boxes_free(&boxes);
    }
}

/* port-conflict at 250 ms: the lesson's own terminal shows lsof's answer
 * (its header and node's line), where the socket table was; once the live
 * terminal opens, it gives way. */
static void test_lessons_own_terminal(void **state)
{
    (void)state;
    pv_boxes boxes = { 0 };
    pv_headless *hl = open_lesson("scenarios/port-conflict.scn", 1280, 720, &boxes);
    pv_playback_seek(&hl->view->pb, 250000);
    pv_view_draw(hl->view, 1280, 720);
    assert_non_null(find(&boxes, PV_ROLE_TERMINAL, "alice@laptop:~$ lsof -i :3000"));
    assert_non_null(find(&boxes, PV_ROLE_TERMINAL, "COMMAND  PID  USER   FD   TYPE DEVICE SIZE/OFF NODE NAME"));
    assert_non_null(find(&boxes, PV_ROLE_TERMINAL, "node    8401 alice"));
    assert_null(find(&boxes, PV_ROLE_TABLE, "LISTEN")); /* the table gave it its place */
    pv_playback_seek(&hl->view->pb, 50000); /* before any command's output: the table */
    pv_view_draw(hl->view, 1280, 720);
    assert_null(find(&boxes, PV_ROLE_TERMINAL, "COMMAND"));
    hl->view->term.open = true;
    pv_playback_seek(&hl->view->pb, 250000);
    pv_view_draw(hl->view, 1280, 720);
    assert_null(find(&boxes, PV_ROLE_TERMINAL, "alice@laptop:~$ lsof"));
    pv_headless_close(hl);
    pv_boxes_free(&boxes);
}

/* At the largest zoom the window allows, two-tabs' :443 door still says its
 * port and its program, at both lecture sizes, all through the lesson. */
static void test_max_zoom_keeps_the_443_door(void **state)
{
    (void)state;
    static const int sizes[][2] = { { 1280, 720 }, { 1920, 1080 } };
    for (size_t k = 0; k < 2; k++) {
        pv_boxes boxes = { 0 };
        pv_headless *hl = open_lesson("scenarios/two-tabs.scn", sizes[k][0], sizes[k][1], &boxes);
        hl->view->zoom = PV_ZOOM_MAX;
        for (ps_time t = 0; t <= 400000; t += 50000) {
            pv_playback_seek(&hl->view->pb, t);
            pv_view_draw(hl->view, sizes[k][0], sizes[k][1]);
            if (!find(&boxes, PV_ROLE_DOOR, ":443") || !find(&boxes, PV_ROLE_DOOR, "nginx 812"))
                fail_msg("%dx%d at %llu us, zoom %.1f: the :443 door lost its port or program", sizes[k][0],
                         sizes[k][1], (unsigned long long)t, PV_ZOOM_MAX);
        }
        pv_headless_close(hl);
        pv_boxes_free(&boxes);
    }
}

/* Clicks: a log row names its event (the window jumps there); a door says
 * what is behind it. */
static void test_click_targets(void **state)
{
    (void)state;
    pv_boxes boxes = { 0 };
    pv_headless *hl = open_lesson("scenarios/two-tabs.scn", 1280, 720, &boxes);
    pv_view *v = hl->view;
    pv_playback_seek(&v->pb, 150000);
    pv_view_draw(v, 1280, 720);
    size_t n = pv_playback_count(&v->pb);
    const pv_box *last = NULL;
    for (uint32_t i = 0; i < boxes.n; i++)
        if (boxes.v[i].role == PV_ROLE_LOG && strstr(pv_boxes_text(&boxes, i), "ms  -  ")) last = &boxes.v[i];
    assert_non_null(last); /* the caption's row, the latest event */
    assert_int_equal(pv_log_event_at(v, last->r.x + 5, last->r.y + last->r.h / 2), n - 1);
    assert_int_equal(pv_log_event_at(v, 5, 5), SIZE_MAX); /* the top bar */
    char what[200];
    bool found = false;
    for (uint32_t i = 0; i < v->scene->ndoors && !found; i++) {
        pv_rect r = v->lay->doors[i].r;
        if (strcmp(v->scene->doors[i].title, ":443") != 0 || r.w == 0) continue;
        assert_true(pv_view_door_at(v, r.x + r.w / 2, r.y + r.h / 2, what, sizeof what));
        assert_non_null(strstr(what, ":443"));
        assert_non_null(strstr(what, "nginx 812"));
        assert_non_null(strstr(what, "LISTEN"));
        found = true;
    }
    assert_true(found);
    assert_false(pv_view_door_at(v, 5, 5, what, sizeof what));
    /* the top bar's buttons: each drawn as a `button` text, each its action */
    static const struct {
        const char *label;
        pv_action act;
    } buttons[] = { { "◀ step", PV_ACT_STEP_PREV }, { "▶ play", PV_ACT_PLAY_PAUSE }, { "step ▶", PV_ACT_STEP_NEXT },
                    { "T terminal", PV_ACT_TERMINAL }, { "? help", PV_ACT_HELP } };
    for (size_t i = 0; i < sizeof buttons / sizeof buttons[0]; i++) {
        const pv_box *b = find(&boxes, PV_ROLE_BUTTON, buttons[i].label);
        if (!b) fail_msg("no '%s' button", buttons[i].label);
        assert_int_equal(pv_button_at(v, b->r.x + b->r.w / 2, b->r.y + b->r.h / 2), buttons[i].act);
    }
    assert_int_equal(pv_button_at(v, 5, 5), PV_ACT_NONE);
    /* a socket-table row: the server's listener, in words */
    const pv_box *row = find(&boxes, PV_ROLE_TABLE, "LISTEN");
    assert_non_null(row);
    uint32_t sock = pv_table_socket_at(v, row->r.x + 2, row->r.y + row->r.h / 2);
    assert_int_not_equal(sock, PS_NONE);
    pv_view_describe_socket(v, sock, what, sizeof what);
    assert_non_null(strstr(what, ":443 · nginx 812 · LISTEN"));
    assert_int_equal(pv_table_socket_at(v, 5, 5), PS_NONE);
    pv_headless_close(hl);
    pv_boxes_free(&boxes);
}

/* Notices sit in the top bar (errors above the caption), never over the
 * street, and screenshots leave them out. */
static void test_notices(void **state)
{
    (void)state;
    pv_boxes boxes = { 0 };
    pv_headless *hl = open_lesson("scenarios/two-tabs.scn", 1280, 720, &boxes);
    pv_view *v = hl->view;
    pv_playback_seek(&v->pb, 150000);
    snprintf(v->notice, sizeof v->notice, "Saved screenshot portsim-shot-001.png");
    pv_view_draw(v, 1280, 720);
    const pv_box *n = find(&boxes, PV_ROLE_NOTICE, "Saved screenshot");
    assert_non_null(n);
    assert_true(n->r.y >= 0 && n->r.y + n->r.h <= v->lay->top.h);
    v->notice_error = true;
    pv_view_draw(v, 1280, 720);
    n = find(&boxes, PV_ROLE_NOTICE, "Saved screenshot");
    assert_non_null(n);
    assert_true(pv_rect_inside(n->r, v->lay->banner));
    v->hide_notice = true;
    pv_view_draw(v, 1280, 720);
    assert_null(find(&boxes, PV_ROLE_NOTICE, ""));
    pv_headless_close(hl);
    pv_boxes_free(&boxes);
}

/* Presenting (1920x1080: no text under 32 px; 1280x720: 22 px) and zoomed
 * (PV_ZOOM_MIN to PV_ZOOM_MAX): still no overlaps, nothing outside, every listening door and
 * every drawn door's port shown. Every lesson at up to 40 moments (every
 * fifth of test_no_text_overlaps'). */
static void test_presentation_and_zoom(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("scenarios/*.scn", 0, NULL, &g), 0);
    static const struct {
        int w, h;
        double zoom;
        bool present;
    } views[] = { { 1920, 1080, 1.0, true },         { 1280, 720, 1.0, true },
                  { 1280, 720, PV_ZOOM_MIN, false }, { 1280, 720, 1.5, false },
                  { 1920, 1080, 2.0, false },        { 1280, 720, PV_ZOOM_MAX, false } };
    tally n = { 0 };
    pv_boxes boxes = { 0 };
    ps_time *at = NULL;
    for (size_t f = 0; f < g.gl_pathc; f++)
        for (size_t k = 0; k < sizeof views / sizeof views[0]; k++) {
            pv_headless *hl = open_lesson(g.gl_pathv[f], views[k].w, views[k].h, &boxes);
            hl->view->zoom = views[k].zoom;
            hl->view->present = views[k].present;
            at = realloc(at, (2 * hl->view->pb.nev + 1) * sizeof *at);
            assert_non_null(at);
            size_t count = moments(&hl->view->pb, at);
            for (size_t i = 0; i < count; i += 5) {
                pv_playback_seek(&hl->view->pb, at[i]);
                pv_view_draw(hl->view, views[k].w, views[k].h);
                if (views[k].present && views[k].h == 1080) assert_int_equal(hl->view->lay->min_px, 32);
                check_frame(hl->view, g.gl_pathv[f], views[k].w, views[k].h, &n);
                check_doors(hl->view, g.gl_pathv[f], views[k].w, &n);
            }
            pv_headless_close(hl);
        }
    print_message("%ld frames presenting and zoomed: %ld overlaps, %ld outside, %ld under the minimum size, "
                  "%ld listening doors missing, %ld cut, %ld door ports cut (%ld program/state lines dropped)\n",
                  n.frames, n.overlaps, n.outside, n.small, n.missing, n.cut, n.ports_cut, n.lines_dropped);
    free(at);
    pv_boxes_free(&boxes);
    globfree(&g);
    assert_int_equal(n.overlaps + n.outside + n.small + n.missing + n.cut + n.ports_cut, 0);
}

int main(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_text_overlaps),
        cmocka_unit_test(test_one_colour_per_conversation),
        cmocka_unit_test(test_lookup_while_syn_arrives),
        cmocka_unit_test(test_failing_program_at_its_door),
        cmocka_unit_test(test_notices),
        cmocka_unit_test(test_lessons_own_terminal),
        cmocka_unit_test(test_max_zoom_keeps_the_443_door),
        cmocka_unit_test(test_click_targets),
        cmocka_unit_test(test_presentation_and_zoom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
