/* test_quiz_view.c — the window's questions as a view model (render/quiz_view.h):
 * the lesson stops just before each question, picks are graded and scored
 * once, open questions reveal unscored, answered questions no longer stop
 * the lesson, and questions switch off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "load.h"
#include "quiz_view.h"

static ps_scenario *load(const char *path)
{
    ps_diag d;
    ps_scenario *sc = ps_scenario_load(path, &d);
    char buf[1024];
    if (!sc) fail_msg("%s", ps_diag_format(&d, buf, sizeof buf));
    return sc;
}

static void assert_score(const pv_quiz *q, const char *want)
{
    char buf[64];
    pv_quiz_score_str(q, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_the_two_tabs_lesson_stops_at_each_question(void **state)
{
    (void)state;
    ps_scenario *sc = load("scenarios/two-tabs.scn");
    pv_quiz q;
    assert_true(pv_quiz_open(&q, sc, true));
    assert_score(&q, ""); /* no score until a question is answered */
    /* Playing from 100 ms to 1 s stops just before 150 ms: the door question. */
    assert_int_equal(pv_quiz_gate(&q, 100000, 1000000), 149999);
    assert_string_equal(pv_quiz_current(&q)->id, "door");
    assert_false(pv_quiz_revealed(&q));
    pv_quiz_dismiss(&q); /* not before it is answered */
    assert_non_null(pv_quiz_current(&q));
    assert_false(pv_quiz_pick(&q, 4)); /* three choices */
    assert_true(pv_quiz_pick(&q, 1));  /* web */
    assert_false(pv_quiz_pick(&q, 2)); /* one pick per question */
    assert_true(pv_quiz_revealed(&q));
    assert_true(pv_quiz_right(&q));
    assert_score(&q, "1/1 right");
    pv_quiz_dismiss(&q);
    assert_null(pv_quiz_current(&q));
    /* The next one is at 150 ms too: an open question, revealed unscored. */
    assert_int_equal(pv_quiz_gate(&q, 149999, 1000000), 149999);
    assert_string_equal(pv_quiz_current(&q)->id, "reply");
    assert_false(pv_quiz_pick(&q, 1));
    pv_quiz_reveal(&q);
    assert_true(pv_quiz_revealed(&q));
    assert_score(&q, "1/1 right");
    pv_quiz_dismiss(&q);
    assert_int_equal(pv_quiz_gate(&q, 149999, 1000000), 299999);
    assert_string_equal(pv_quiz_current(&q)->id, "request");
    assert_true(pv_quiz_pick(&q, 1)); /* web: the listener does not take data */
    assert_false(pv_quiz_right(&q));
    assert_score(&q, "1/2 right");
    pv_quiz_dismiss(&q);
    assert_int_equal(pv_quiz_gate(&q, 299999, 1000000), 1000000);
    /* Back to the start: answered questions no longer stop the lesson. */
    assert_int_equal(pv_quiz_gate(&q, 0, 1000000), 1000000);
    assert_null(pv_quiz_current(&q));
    pv_quiz_close(&q);
    ps_scenario_free(sc);
}

static void test_questions_switch_off(void **state)
{
    (void)state;
    ps_scenario *sc = load("scenarios/port-conflict.scn");
    pv_quiz q;
    assert_true(pv_quiz_open(&q, sc, false)); /* --no-questions */
    assert_score(&q, "questions off");
    assert_int_equal(pv_quiz_gate(&q, 0, 1000000), 1000000);
    pv_quiz_toggle(&q);
    assert_int_equal(pv_quiz_gate(&q, 0, 1000000), 99999);
    assert_string_equal(pv_quiz_current(&q)->id, "again");
    pv_quiz_toggle(&q); /* off takes the question off the screen */
    assert_null(pv_quiz_current(&q));
    assert_int_equal(pv_quiz_gate(&q, 0, 1000000), 1000000);
    pv_quiz_close(&q);
    ps_scenario_free(sc);
    /* A lesson without questions shows no score and never stops. */
    sc = load("scenarios/busy-server.scn");
    assert_true(pv_quiz_open(&q, sc, true));
    assert_score(&q, "");
    assert_int_equal(pv_quiz_gate(&q, 0, 5000), 5000);
    pv_quiz_toggle(&q);
    assert_score(&q, "");
    pv_quiz_close(&q);
    ps_scenario_free(sc);
}

/* The window opens at 0 ms: a question at 0 ms is asked on the first move. */
static void test_a_question_at_zero(void **state)
{
    (void)state;
    const char *text = "host a 10.0.0.1\nproc a srv pid=1 user=root\n"
                       "ask 0ms first which-result a listen \"?\" choices \"OK\" \"EACCES\"\n"
                       "at 0ms a srv listen 80\n";
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse(text, strlen(text), "t.scn", &d);
    assert_non_null(sc);
    pv_quiz q;
    assert_true(pv_quiz_open(&q, sc, true));
    assert_int_equal(pv_quiz_gate(&q, 0, 10), 0);
    assert_string_equal(pv_quiz_current(&q)->id, "first");
    assert_true(pv_quiz_pick(&q, 1));
    assert_true(pv_quiz_right(&q));
    pv_quiz_close(&q);
    ps_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_two_tabs_lesson_stops_at_each_question),
        cmocka_unit_test(test_questions_switch_off),
        cmocka_unit_test(test_a_question_at_zero),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
