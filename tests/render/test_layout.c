/* test_layout.c — the pure layout of the lecture window (render/layout.c,
 * render/scene.c): everything inside the window, no two labels overlapping
 * for 2..20 hosts and up to 50 doors a building, privileged doors on the
 * privileged floor, envelopes moving monotonically from sender to receiver,
 * busy scenes aggregated, the timeline's compressed time axis. No SDL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "load.h"
#include "engine_ops.h"
#include "layout.h"
#include "scene.h"

/* A stand-in for font metrics: generous widths per character. */
static int fake_measure(void *ctx, const char *s, int px, pv_face face)
{
    (void)ctx;
    int chars = 0;
    for (; *s; s++) chars += ((unsigned char)*s & 0xC0) != 0x80;
    return chars * px * (face == PV_FACE_BOLD ? 66 : 62) / 100;
}

static pv_scene *scene_new(void)
{
    pv_scene *s = calloc(1, sizeof *s);
    assert_non_null(s);
    return s;
}

static pv_layout *layout_for(const pv_scene *s, int w, int h, double zoom)
{
    pv_layout *L = calloc(1, sizeof *L);
    assert_non_null(L);
    pv_layout_in in = { s, w, h, zoom, fake_measure, NULL, "Two tabs, one server",
                        "t = 150.000 ms  ‖ paused ×1", "Space play · ←/→ step · +/− speed · ? help",
                        "Both tabs knock on the same door, 443. The server tells them apart by the door "
                        "they came from, every time, for every segment.", false, NULL, 0, 0, false };
    pv_layout_compute(&in, L);
    return L;
}

/* n hosts with `doors` doors each: a third privileged, the rest temporary,
 * plus `hidden` unlisted ones. */
static pv_scene *street(uint32_t n, uint32_t doors, uint32_t hidden)
{
    pv_scene *s = scene_new();
    for (uint32_t h = 0; h < n; h++) {
        char name[32], addr[16];
        snprintf(name, sizeof name, "host-number-%u", h);
        snprintf(addr, sizeof addr, "198.51.%u.%u", h, 200 + h);
        assert_true(pv_scene_add_host(s, name, addr, 1024));
        for (uint32_t d = 0; d < doors; d++) {
            pv_door door = { .kind = d % 3 == 0 ? PV_DOOR_LISTEN : PV_DOOR_TEMP, .socket = d };
            door.port = (uint16_t)(d % 3 == 0 ? 20 + d : 40000 + d);
            snprintf(door.title, sizeof door.title, ":%u", door.port);
            snprintf(door.sub, sizeof door.sub, "program-%u %u", d, 1000 + d);
            snprintf(door.note, sizeof door.note, "LISTEN · %u conns", d * 100);
            pv_scene_add_door(s, h, &door);
        }
        s->hosts[h].hidden += hidden;
    }
    return s;
}

static void assert_labels_ok(const pv_layout *L)
{
    pv_rect win = { 0, 0, L->w, L->h };
    for (uint32_t i = 0; i < L->nlabels; i++) {
        if (!pv_rect_inside(L->labels[i], win))
            fail_msg("label %u (%d,%d %dx%d) leaves the %dx%d window", i, L->labels[i].x, L->labels[i].y,
                     L->labels[i].w, L->labels[i].h, L->w, L->h);
        for (uint32_t k = i + 1; k < L->nlabels; k++)
            if (pv_rect_overlap(L->labels[i], L->labels[k]))
                fail_msg("labels %u (%d,%d %dx%d) and %u (%d,%d %dx%d) overlap", i, L->labels[i].x,
                         L->labels[i].y, L->labels[i].w, L->labels[i].h, k, L->labels[k].x, L->labels[k].y,
                         L->labels[k].w, L->labels[k].h);
    }
}

static void assert_street_inside(const pv_scene *s, const pv_layout *L)
{
    for (uint32_t h = 0; h < L->nhosts; h++) {
        assert_true(pv_rect_inside(L->hosts[h].body, L->scene));
        assert_true(L->hosts[h].roof[1].y >= L->scene.y);
        const pv_host *host = &s->hosts[h];
        for (uint32_t d = 0; d < host->ndoors; d++) {
            pv_rect r = L->doors[host->first_door + d].r;
            if (r.w) assert_true(pv_rect_inside(r, L->hosts[h].body));
        }
        /* doors never overlap each other or the "+N" tiles */
        for (uint32_t d = 0; d < host->ndoors; d++)
            for (uint32_t e = d + 1; e < host->ndoors; e++)
                assert_false(pv_rect_overlap(L->doors[host->first_door + d].r, L->doors[host->first_door + e].r));
    }
    for (uint32_t i = 0; i < L->nenvs; i++) assert_true(pv_rect_inside(L->envs[i].r, L->scene));
}

static void test_inside_window(void **state)
{
    (void)state;
    static const int sizes[][2] = { { 1280, 720 }, { 1920, 1080 } };
    for (int z = 0; z < 2; z++)
        for (int i = 0; i < 2; i++) {
            pv_scene *s = street(2, 3, 0);
            pv_layout *L = layout_for(s, sizes[i][0], sizes[i][1], z ? 1.5 : 1.0);
            pv_rect win = { 0, 0, L->w, L->h };
            pv_rect bands[] = { L->top, L->scene, L->table, L->log, L->caption, L->timeline, L->track, L->banner };
            for (size_t b = 0; b < sizeof bands / sizeof bands[0]; b++) assert_true(pv_rect_inside(bands[b], win));
            assert_true(L->table_rows >= 4);
            assert_true(L->log_rows >= 4);
            assert_street_inside(s, L);
            assert_labels_ok(L);
            free(L);
            free(s);
        }
}

static void test_no_overlap_many_hosts_and_doors(void **state)
{
    (void)state;
    static const int sizes[][2] = { { 1280, 720 }, { 1920, 1080 } };
    static const uint32_t doors[] = { 0, 1, 4, 12, 50 };
    static const double zooms[] = { 1.0, 1.6 };
    for (uint32_t n = 2; n <= 20; n++)
        for (size_t d = 0; d < sizeof doors / sizeof doors[0]; d++)
            for (int i = 0; i < 2; i++)
                for (int z = 0; z < 2; z++) {
                    pv_scene *s = street(n, doors[d], d == 4 ? 500 : 0);
                    pv_layout *L = layout_for(s, sizes[i][0], sizes[i][1], zooms[z]);
                    assert_int_equal(L->nhosts, n);
                    assert_street_inside(s, L);
                    assert_labels_ok(L);
                    free(L);
                    free(s);
                }
}

static void test_privileged_floor(void **state)
{
    (void)state;
    pv_scene *s = street(3, 12, 0);
    pv_layout *L = layout_for(s, 1280, 720, 1.0);
    uint32_t priv_seen = 0;
    for (uint32_t h = 0; h < s->nhosts; h++) {
        const pv_host *host = &s->hosts[h];
        assert_true(host->priv_floor);
        assert_true(L->hosts[h].priv.r.w > 0);
        assert_false(pv_rect_overlap(L->hosts[h].priv.r, L->hosts[h].upper.r));
        for (uint32_t d = 0; d < host->ndoors; d++) {
            const pv_door *door = &s->doors[host->first_door + d];
            pv_rect r = L->doors[host->first_door + d].r;
            assert_int_equal(door->privileged, door->port < 1024);
            if (!r.w) continue;
            if (door->privileged) {
                assert_true(pv_rect_inside(r, L->hosts[h].priv.r));
                priv_seen++;
            } else {
                assert_true(pv_rect_inside(r, L->hosts[h].upper.r));
            }
        }
    }
    assert_true(priv_seen >= 3);
    free(L);
    free(s);
}

static void test_path_monotonic(void **state)
{
    (void)state;
    pv_point a = { 100, 300 }, b = { 900, 250 };
    pv_point prev = pv_layout_path(a, b.x > a.x ? 400 : 400, b, 400, 1000, 21000, 1000);
    assert_int_equal(prev.x, a.x);
    assert_int_equal(prev.y, a.y);
    double left_prev = 1e18;
    for (ps_time t = 1000; t <= 21000; t += 250) {
        pv_point p = pv_layout_path(a, 400, b, 400, 1000, 21000, t);
        assert_true(p.x >= prev.x);
        /* remaining path length never grows */
        double left = (p.x < b.x ? (400 - p.y) + (b.x - p.x) + (400 - b.y) : (p.y - b.y));
        if (p.x == a.x) left = (400 - p.y) + (b.x - a.x) + (400 - b.y);
        assert_true(left <= left_prev + 1.0);
        left_prev = left;
        prev = p;
    }
    assert_int_equal(prev.x, b.x);
    assert_int_equal(prev.y, b.y);
    pv_point late = pv_layout_path(a, 400, b, 400, 1000, 21000, 99999);
    assert_int_equal(late.x, b.x);
}

/* An envelope in a real layout goes from the sender's door to the
 * receiver's, and its box's centre never moves back. */
static void test_envelope_moves_sender_to_receiver(void **state)
{
    (void)state;
    for (int dir = 0; dir < 2; dir++) {
        pv_scene *s = street(2, 2, 0);
        pv_envelope *v = &s->envs[0];
        s->nenvs = 1;
        *v = (pv_envelope){ .host_from = (uint32_t)dir, .door_from = s->hosts[dir].first_door + 1,
                            .host_to = (uint32_t)!dir, .door_to = s->hosts[!dir].first_door,
                            .sent = 100000, .arrives = 120000, .flags = PS_SYN };
        *v = (pv_envelope){ .host_from = v->host_from, .door_from = v->door_from, .host_to = v->host_to,
                            .door_to = v->door_to, .sent = v->sent, .arrives = v->arrives, .flags = PS_SYN,
                            .conv = PV_NO_CONV, .flags_str = "SYN",
                            .slot = { "192.0.2.10", "52114", "93.184.216.34", "443" } };
        int prev_x = dir ? 1 << 30 : -(1 << 30);
        for (ps_time t = 100000; t <= 120000; t += 500) {
            s->now = t;
            pv_layout *L = layout_for(s, 1280, 720, 1.0);
            pv_point from = pv_layout_anchor(L, s, v->host_from, v->door_from);
            pv_point to = pv_layout_anchor(L, s, v->host_to, v->door_to);
            pv_point at = L->envs[0].at;
            int cx = L->envs[0].r.x + L->envs[0].r.w / 2;
            if (t == 100000) assert_true(at.x == from.x && at.y == from.y);
            if (t == 120000) assert_true(at.x == to.x && at.y == to.y);
            if (dir == 0) assert_true(cx >= prev_x);
            else assert_true(cx <= prev_x);
            prev_x = cx;
            free(L);
        }
        free(s);
    }
}

static void test_axis(void **state)
{
    (void)state;
    pv_axis a;
    pv_axis_init(&a);
    ps_time times[] = { 0, 100000, 120000, 580000, 60540000, 60560000 };
    for (size_t i = 0; i < 6; i++) pv_axis_add(&a, times[i]);
    assert_true(pv_axis_frac(&a, 0) == 0.0);
    assert_true(pv_axis_frac(&a, 60560000) == 1.0);
    /* the busy first 600 ms take more than half the track */
    assert_true(pv_axis_frac(&a, 580000) > 0.5);
    double prev = -1;
    for (ps_time t = 0; t <= 60560000; t += 10000) {
        double f = pv_axis_frac(&a, t);
        assert_true(f >= prev);
        prev = f;
        ps_time back = pv_axis_time(&a, f);
        ps_time diff = back > t ? back - t : t - back;
        assert_true(diff <= 2);
    }
    ps_time gap = 0;
    assert_true(pv_axis_in_gap(&a, 30000000, &gap));
    assert_true(gap == 60540000 - 580000);
    assert_false(pv_axis_in_gap(&a, 110000, NULL));
}

static ps_engine *engine_at(const char *file, ps_scenario **sc, ps_time t)
{
    *sc = ps_scenario_load_or_report(file);
    assert_non_null(*sc);
    ps_engine *e = ps_engine_new(*sc, (*sc)->seed);
    assert_non_null(e);
    ps_engine_run_until(e, t);
    return e;
}

/* The built-in lesson at 250 ms: two temporary doors on the laptop, one
 * listening door with 2 conns on the server, two connection lines. */
static void test_two_tabs_scene(void **state)
{
    (void)state;
    ps_scenario *sc;
    ps_engine *e = engine_at(NULL, &sc, 250000);
    pv_scene *s = scene_new();
    pv_scene_build(s, e, NULL, NULL);
    assert_int_equal(s->nhosts, 2);
    uint32_t temp = 0, listen = 0;
    for (uint32_t i = 0; i < s->ndoors; i++) {
        temp += s->doors[i].kind == PV_DOOR_TEMP;
        if (s->doors[i].kind == PV_DOOR_LISTEN) {
            listen++;
            assert_int_equal(s->doors[i].port, 443);
            assert_int_equal(s->doors[i].conns, 2);
            assert_true(s->doors[i].privileged);
            assert_string_equal(s->doors[i].sub, "nginx 812");
        }
    }
    assert_int_equal(temp, 2);
    assert_int_equal(listen, 1);
    assert_int_equal(s->nlinks, 2);
    /* two conversations, named after the scenario's sockets; what tells
     * their envelopes apart is the client's port */
    assert_int_equal(s->nconvs, 2);
    assert_string_equal(s->convs[0].id, "tab1");
    assert_string_equal(s->convs[1].id, "tab2");
    assert_int_not_equal(s->convs[0].colour, s->convs[1].colour);
    ps_engine_free(e);
    ps_scenario_free(sc);
    e = engine_at(NULL, &sc, 155000); /* tab1's ACK and tab2's SYN on the way */
    pv_scene_build(s, e, NULL, NULL);
    assert_int_equal(s->nenvs, 2);
    for (uint32_t i = 0; i < s->nenvs; i++) {
        const pv_envelope *v = &s->envs[i];
        assert_true(v->conv < 2);
        bool from_client = v->src_port == s->convs[v->conv].cport;
        assert_int_equal(v->keys, 1u << (from_client ? PV_SLOT_SRC_PORT : PV_SLOT_DST_PORT));
    }
    pv_layout *L = layout_for(s, 1280, 720, 1.0);
    assert_labels_ok(L);
    assert_street_inside(s, L);
    free(L);
    free(s);
    ps_engine_free(e);
    ps_scenario_free(sc);
}

/* A page load's envelopes name their HTTP/2 stream or HTTP/1.1 request,
 * in a box of their own before the payload, inside the card. */
static void check_tags(const char *file, ps_time t, const char *prefix)
{
    ps_scenario *sc;
    ps_engine *e = engine_at(file, &sc, t);
    pv_scene *s = scene_new();
    pv_scene_build(s, e, NULL, NULL);
    uint32_t tagged = 0;
    for (uint32_t i = 0; i < s->nenvs; i++) {
        const pv_envelope *v = &s->envs[i];
        if (prefix == NULL) assert_string_equal(v->tag, "");
        else if (v->tag[0]) {
            assert_memory_equal(v->tag, prefix, strlen(prefix));
            /* in words: the request, or which piece of which answer */
            assert_true(strncmp(v->detail, "GET /", 5) == 0 || strstr(v->detail, ", piece ") != NULL);
            tagged++;
        }
    }
    if (prefix) assert_true(tagged >= 2);
    static const int sizes[][2] = { { 1280, 720 }, { 1920, 1080 } };
    for (int k = 0; k < 2; k++) {
        pv_layout *L = layout_for(s, sizes[k][0], sizes[k][1], 1.0);
        assert_labels_ok(L);
        for (uint32_t i = 0; i < s->nenvs; i++) {
            const pv_env_box *b = &L->envs[i];
            if (!b->card || b->tag.w == 0) continue;
            assert_true(pv_rect_inside(b->tag, b->r));
            assert_false(pv_rect_overlap(b->tag, b->detail));
            assert_false(pv_rect_overlap(b->tag, b->flags));
        }
        free(L);
    }
    free(s);
    ps_engine_free(e);
    ps_scenario_free(sc);
}

static void test_http_envelope_tags(void **state)
{
    (void)state;
    check_tags("scenarios/http1-vs-http2.scn", 1110000, "stream "); /* HTTP/2 frames */
    check_tags("scenarios/http1-vs-http2.scn", 250000, "request "); /* HTTP/1.1 responses */
    check_tags("scenarios/two-tabs.scn", 310000, NULL);             /* "GET /" on a plain connection */
}

/* 10,000 connections: a handful of doors and bundles, counted labels. */
static void test_busy_scene_aggregates(void **state)
{
    (void)state;
    ps_scenario *sc;
    ps_engine *e = engine_at("scenarios/busy-server.scn", &sc, 100000);
    pv_scene *s = scene_new();
    pv_scene_build(s, e, NULL, NULL);
    assert_int_equal(s->conns, 10000);
    bool found = false;
    for (uint32_t i = 0; i < s->ndoors; i++)
        if (s->doors[i].kind == PV_DOOR_LISTEN && s->doors[i].conns == 10000) {
            found = true;
            assert_string_equal(s->doors[i].note, "LISTEN · 10000 conns");
        }
    assert_true(found);
    assert_true(s->nlinks <= 4 * (PV_MAX_DOORS + 1));
    uint32_t total = 0;
    for (uint32_t i = 0; i < s->nlinks; i++) total += s->links[i].count;
    assert_int_equal(total, 10000);
    assert_true(s->nenvs <= PV_MAX_ENVELOPES);
    pv_layout *L = layout_for(s, 1280, 720, 1.0);
    assert_labels_ok(L);
    assert_street_inside(s, L);
    uint32_t tiles = 0;
    for (uint32_t h = 0; h < L->nhosts; h++) tiles += L->hosts[h].upper.more_count > 0;
    assert_int_equal(tiles, 4);
    free(L);
    free(s);
    ps_engine_free(e);
    ps_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inside_window),
        cmocka_unit_test(test_no_overlap_many_hosts_and_doors),
        cmocka_unit_test(test_privileged_floor),
        cmocka_unit_test(test_path_monotonic),
        cmocka_unit_test(test_envelope_moves_sender_to_receiver),
        cmocka_unit_test(test_axis),
        cmocka_unit_test(test_two_tabs_scene),
        cmocka_unit_test(test_busy_scene_aggregates),
        cmocka_unit_test(test_http_envelope_tags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
