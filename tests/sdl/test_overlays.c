/* test_overlays.c — the help and file-picker overlays (render/panels.c)
 * drawn headless: the help shows one highlighted key label per window row of
 * the key table (render/keys.c), inside the overlay box; the picker covers
 * the help and highlights the chosen file. SDL's dummy video driver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "paint.h"
#include "keys.h"
#include "headless.h"
#include "render_cmd.h"

enum { W = 1280, H = 720 };

static bool near(pv_rgba a, pv_rgba b)
{
    return abs(a.r - b.r) + abs(a.g - b.g) + abs(a.b - b.b) < 24;
}

static bool row_has(const pv_headless *hl, int y, int x0, int x1, pv_rgba col)
{
    for (int x = x0; x < x1; x++)
        if (near(pv_headless_pixel(hl, x, y), col)) return true;
    return false;
}

/* Bands of pixel rows of r holding colour col in its columns x0..x1, gaps
 * of a few rows (thin antialiased strokes) bridged: one per line of text in
 * that colour. */
static int bands(const pv_headless *hl, pv_rect r, int x0, int x1, pv_rgba col)
{
    int n = 0, last = -100;
    for (int y = r.y; y < r.y + r.h; y++) {
        if (!row_has(hl, y, x0, x1, col)) continue;
        n += y - last > 4;
        last = y;
    }
    return n;
}

static pv_headless *open_lesson(void)
{
    static pv_headless hl;
    char err[512];
    if (!pv_headless_open(&hl, W, H, err, sizeof err)) fail_msg("headless open: %s", err);
    assert_true(pv_view_load(hl.view, NULL, err, sizeof err));
    return &hl;
}

static void test_help_lists_the_window_keys(void **state)
{
    (void)state;
    pv_headless *hl = open_lesson();
    pv_view *v = hl->view;
    v->help = true;
    pv_view_draw(v, W, H);
    pv_rect o = v->lay->overlay;
    size_t n;
    const pv_key_row *rows = pv_key_rows(&n);
    int want = 0;
    for (size_t i = 0; i < n; i++) want += rows[i].mode == PV_KEYS_WINDOW;
    /* labels are drawn in the "now" colour in the left two fifths */
    assert_int_equal(bands(hl, o, o.x, o.x + o.w * 2 / 5, PV_COL_NOW), want);
    /* and nothing of it spills out of the box: outside is the dimmed window */
    pv_rect above = { 0, 0, W, o.y };
    assert_int_equal(bands(hl, above, 0, W, PV_COL_NOW), 0);
    pv_headless_close(hl);
}

static void test_picker_covers_the_help(void **state)
{
    (void)state;
    pv_headless *hl = open_lesson();
    pv_view *v = hl->view;
    v->help = true;
    pv_view_picker_open(v, "scenarios");
    assert_true(v->picker);
    assert_true(v->npicks > 1);
    v->pick = 1;
    pv_view_draw(v, W, H);
    pv_rect o = v->lay->overlay;
    /* the chosen file is highlighted, and its name is the one line in the
     * "now" colour: no key label of the help shows through */
    assert_true(bands(hl, o, o.x + o.w / 4, o.x + o.w * 3 / 4, PV_COL_HILITE) > 0);
    assert_int_equal(bands(hl, o, o.x, o.x + o.w * 2 / 5, PV_COL_NOW), 1);
    pv_headless_close(hl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_lists_the_window_keys),
        cmocka_unit_test(test_picker_covers_the_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
