/* test_render.c — headless pictures of the lecture window (render/): every
 * shipped scenario drawn at a few times is not blank and shows each visible
 * listening door in the door colour where the layout put it; the same
 * inputs give the same pixels; a scenario that does not load makes
 * `portsim render` fail without writing a file; the window's load keeps the
 * open scenario when a new one fails. SDL runs on its dummy video driver. */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "paint.h"
#include "headless.h"
#include "render_cmd.h"
#include "units.h"

static bool same(pv_rgba a, pv_rgba b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

static pv_headless *open_headless(int w, int h)
{
    static pv_headless hl;
    char err[512];
    if (!pv_headless_open(&hl, w, h, err, sizeof err)) fail_msg("headless open: %s", err);
    return &hl;
}

/* True when something drawn over the door's left edge (an envelope, a
 * connection count, the banner or notice) may hide it. */
static bool covered(const pv_layout *L, int x, int y)
{
    for (uint32_t i = 0; i < L->nenvs; i++)
        if (pv_rect_contains(L->envs[i].r, x, y)) return true;
    for (uint32_t i = 0; i < L->nlinks; i++)
        if (pv_rect_contains(L->links[i].count, x, y)) return true;
    return pv_rect_contains(L->banner, x, y) || pv_rect_contains(L->env_more, x, y);
}

/* Distinct colours in a coarse sample of the picture. */
static int colours(const pv_headless *hl, int w, int h)
{
    pv_rgba seen[64];
    int n = 0;
    for (int y = 0; y < h && n < 64; y += 7)
        for (int x = 0; x < w && n < 64; x += 5) {
            pv_rgba c = pv_headless_pixel(hl, x, y);
            bool known = false;
            for (int i = 0; i < n && !known; i++) known = same(seen[i], c);
            if (!known) seen[n++] = c;
        }
    return n;
}

static int check_doors(const pv_headless *hl)
{
    const pv_view *v = hl->view;
    const pv_scene *s = v->scene;
    const pv_layout *L = v->lay;
    int checked = 0;
    for (uint32_t i = 0; i < s->ndoors; i++) {
        pv_rect r = L->doors[i].r;
        if (s->doors[i].kind != PV_DOOR_LISTEN || r.w == 0) continue;
        int x = r.x + 1, y = r.y + r.h / 2;
        if (covered(L, x, y)) continue;
        pv_rgba c = pv_headless_pixel(hl, x, y), want = pv_door_colour(PV_DOOR_LISTEN);
        if (!same(c, want))
            fail_msg("door %s at (%d,%d) is #%02x%02x%02x, not the listening colour", s->doors[i].title, x, y,
                     c.r, c.g, c.b);
        checked++;
    }
    return checked;
}

static void test_shipped_scenarios(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("scenarios/*.scn", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 1);
    static const ps_time times[] = { 0, 110000, 150000, 310000, 600000 };
    static const int sizes[][2] = { { 1280, 720 }, { 1920, 1080 } };
    int doors = 0;
    for (size_t f = 0; f < g.gl_pathc; f++)
        for (int sz = 0; sz < 2; sz++) {
            pv_headless *hl = open_headless(sizes[sz][0], sizes[sz][1]);
            char err[1024];
            if (!pv_view_load(hl->view, g.gl_pathv[f], err, sizeof err)) fail_msg("%s", err);
            for (size_t t = 0; t < sizeof times / sizeof times[0]; t++) {
                pv_playback_seek(&hl->view->pb, times[t]);
                pv_view_draw(hl->view, sizes[sz][0], sizes[sz][1]);
                if (colours(hl, sizes[sz][0], sizes[sz][1]) < 8)
                    fail_msg("%s at %llu us looks blank", g.gl_pathv[f], (unsigned long long)times[t]);
                doors += check_doors(hl);
            }
            assert_true(pv_text_cached(hl->gfx.text) <= 1024);
            pv_headless_close(hl);
        }
    assert_true(doors >= 10);
    globfree(&g);
}

/* Same scenario, time and size: byte-identical pictures. */
static void test_deterministic(void **state)
{
    (void)state;
    size_t bytes = 0;
    uint8_t *first = NULL;
    for (int run = 0; run < 2; run++) {
        pv_headless *hl = open_headless(1280, 720);
        char err[1024];
        assert_true(pv_view_load(hl->view, NULL, err, sizeof err));
        pv_playback_seek(&hl->view->pb, 150000);
        pv_view_draw(hl->view, 1280, 720);
        bytes = (size_t)hl->surf->pitch * 720;
        if (run == 0) {
            first = malloc(bytes);
            assert_non_null(first);
            memcpy(first, hl->surf->pixels, bytes);
        } else {
            assert_memory_equal(first, hl->surf->pixels, bytes);
        }
        pv_headless_close(hl);
    }
    free(first);
}

static const char k_bad[] = "title \"broken\"\nhost laptop 192.0.2.10\nproc laptop firefox pid=1 user=al\n"
                            "at 10ms laptop firefx connect 192.0.2.99:443\n";

static char *write_bad(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/portsim-bad-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, k_bad, sizeof k_bad - 1), (ssize_t)(sizeof k_bad - 1));
    close(fd);
    return path;
}

static void test_bad_scenario_writes_nothing(void **state)
{
    (void)state;
    char *bad = write_bad();
    const char *out = "/tmp/portsim-test-render-should-not-exist.png";
    unlink(out);
    assert_int_equal(pv_render_png(bad, 0, 1280, 720, out), 2);
    assert_int_not_equal(access(out, F_OK), 0);
    const char *good = "/tmp/portsim-test-render-ok.png";
    unlink(good);
    assert_int_equal(pv_render_png(NULL, 150000, 640, 360, good), 0);
    assert_int_equal(access(good, F_OK), 0);
    unlink(good);
    unlink(bad);
}

static void test_load_failure_keeps_scenario(void **state)
{
    (void)state;
    pv_headless *hl = open_headless(1280, 720);
    char err[1024];
    assert_true(pv_view_load(hl->view, "scenarios/two-tabs.scn", err, sizeof err));
    pv_playback_seek(&hl->view->pb, 150000);
    const ps_scenario *before = hl->view->sc;
    size_t events = hl->view->pb.nev;
    char *bad = write_bad();
    assert_false(pv_view_load(hl->view, bad, err, sizeof err));
    assert_non_null(strstr(err, bad));
    assert_non_null(strstr(err, ":4:"));
    assert_non_null(strstr(err, "error"));
    assert_ptr_equal(hl->view->sc, before);
    assert_int_equal(hl->view->pb.nev, events);
    assert_true(hl->view->pb.now == 150000);
    assert_false(pv_view_load(hl->view, "/nonexistent/nothing.scn", err, sizeof err));
    assert_ptr_equal(hl->view->sc, before);
    pv_view_draw(hl->view, 1280, 720);
    assert_true(check_doors(hl) >= 1);
    unlink(bad);
    pv_headless_close(hl);
}

/* Stepping forward and back lands on event times; back re-runs. */
static void test_stepping(void **state)
{
    (void)state;
    pv_headless *hl = open_headless(640, 360);
    char err[1024];
    assert_true(pv_view_load(hl->view, NULL, err, sizeof err));
    pv_playback *pb = &hl->view->pb;
    pv_playback_seek(pb, 0);
    pv_playback_step(pb, +1);
    assert_true(pb->now == 100000);
    pv_playback_step(pb, +1);
    assert_true(pb->now == 120000);
    pv_playback_step(pb, -1);
    assert_true(pb->now == 100000);
    assert_true(ps_engine_now(pb->eng) == 100000);
    pv_playback_step(pb, -1);
    assert_true(pb->now == 0);
    assert_non_null(pv_playback_caption(pb));
    pb->playing = true;
    pv_playback_tick(pb, 1000.0); /* one real second at x1 = 25 ms */
    assert_true(pb->now == 25000);
    pv_headless_close(hl);
}

int main(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_scenarios),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bad_scenario_writes_nothing),
        cmocka_unit_test(test_load_failure_keeps_scenario),
        cmocka_unit_test(test_stepping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
