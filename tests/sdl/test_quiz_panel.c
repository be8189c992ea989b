/* test_quiz_panel.c — a question in the window (render/quiz_panel.c),
 * drawn headless: playing into the two-tabs lesson stops just before its
 * first question, paused, with one clickable row per choice inside the
 * street; a click on a choice picks it, the right one is then highlighted,
 * and the score reaches the top bar's clock; --no-questions plays through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "paint.h"
#include "headless.h"

enum { W = 1280, H = 720 };

static bool near(pv_rgba a, pv_rgba b)
{
    return abs(a.r - b.r) + abs(a.g - b.g) + abs(a.b - b.b) < 24;
}

/* Does rectangle r hold a pixel of colour col? */
static bool has_colour(const pv_headless *hl, pv_rect r, pv_rgba col)
{
    for (int y = r.y; y < r.y + r.h; y++)
        for (int x = r.x; x < r.x + r.w; x++)
            if (near(pv_headless_pixel(hl, x, y), col)) return true;
    return false;
}

static pv_headless *open_lesson(bool questions)
{
    static pv_headless hl;
    char err[512];
    if (!pv_headless_open(&hl, W, H, err, sizeof err)) fail_msg("headless open: %s", err);
    hl.view->no_questions = !questions;
    assert_true(pv_view_load(hl.view, NULL, err, sizeof err));
    return &hl;
}

/* Plays from the current time to t, as a frame's tick would. */
static void play_to(pv_view *v, ps_time t)
{
    ps_time before = v->pb.now;
    v->pb.playing = true;
    pv_playback_seek(&v->pb, t);
    pv_view_quiz_gate(v, before);
}

static void test_the_lesson_stops_and_a_click_answers(void **state)
{
    (void)state;
    pv_headless *hl = open_lesson(true);
    pv_view *v = hl->view;
    play_to(v, 1000000);
    assert_int_equal(v->pb.now, 149999); /* just before tab 2's connect at 150 ms */
    assert_false(v->pb.playing);
    assert_string_equal(pv_quiz_current(&v->quiz)->id, "door");
    pv_view_draw(v, W, H);
    assert_int_equal(v->quiz_nrows, 3);
    pv_rect street = v->lay->scene, web = v->quiz_rows[0], rst = v->quiz_rows[2];
    for (int i = 0; i < 3; i++) {
        assert_true(v->quiz_rows[i].y >= street.y);
        assert_true(v->quiz_rows[i].y + v->quiz_rows[i].h <= street.y + street.h);
    }
    assert_false(has_colour(hl, web, PV_COL_HILITE)); /* nothing revealed yet */
    /* A click beside the choices is the question's too, and picks nothing. */
    assert_true(pv_view_quiz_click(v, street.x + 1, street.y + 1));
    assert_false(pv_quiz_revealed(&v->quiz));
    assert_true(pv_view_quiz_click(v, rst.x + rst.w / 2, rst.y + rst.h / 2)); /* RST: wrong */
    assert_true(pv_quiz_revealed(&v->quiz));
    assert_false(pv_quiz_right(&v->quiz));
    pv_view_draw(v, W, H); /* the box grows by the verdict and the explanation */
    web = v->quiz_rows[0];
    rst = v->quiz_rows[2];
    assert_true(has_colour(hl, web, PV_COL_HILITE));  /* the answer, web, is marked */
    assert_false(has_colour(hl, rst, PV_COL_HILITE));
    char score[48];
    pv_quiz_score_str(&v->quiz, score, sizeof score);
    assert_string_equal(score, "0/1 right");
    pv_quiz_dismiss(&v->quiz);
    assert_false(pv_view_quiz_click(v, web.x + 1, web.y + 1)); /* no question: the click is the window's */
    pv_headless_close(hl);
}

static void test_no_questions_plays_through(void **state)
{
    (void)state;
    pv_headless *hl = open_lesson(false);
    pv_view *v = hl->view;
    play_to(v, 1000000);
    assert_int_equal(v->pb.now, 1000000);
    assert_null(pv_quiz_current(&v->quiz));
    pv_view_draw(v, W, H);
    assert_int_equal(v->quiz_nrows, 0);
    pv_headless_close(hl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_lesson_stops_and_a_click_answers),
        cmocka_unit_test(test_no_questions_plays_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
