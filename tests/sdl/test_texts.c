/* test_texts.c — the lecture window's texts as drawn, read from the record
 * that `portsim render --boxes` writes (boxes.h): one colour per
 * conversation. SDL's dummy driver. */
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

int main(void)
{
    setenv("SDL_VIDEODRIVER", "dummy", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_colour_per_conversation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
