/* test_check.c — expectations and golden traces: every kind of `expect`
 * line judged against a run, the trace capture's bounded memory, and the
 * comparison of a run with text and digest golden traces. */
#include "engine_fixture.h"

#include "check.h"

static const char *LESSON =
    "title \"check\"\n"
    "host a 10.0.0.1\n"
    "host b 10.0.0.2\n"
    "link a b 5ms\n"
    "proc a cli pid=1 user=u\n"
    "proc b srv pid=2 user=root\n"
    "proc b dup pid=3 user=root\n"
    "at 0ms b srv listen 80 as web\n"
    "at 0ms b dup listen 80 as dup\n"
    "at 1ms a cli connect 10.0.0.2:80 as c1\n"
    "at 1ms a cli connect 10.0.0.2:80 as c2\n"
    "at 1ms a cli connect 10.0.0.2:81 as refused\n"
    "at 50ms c1 close\n";

/* Checks a scenario text with a step limit; returns the counts, and the
 * report's text in *report_out (freed by the caller) unless it is NULL. */
static ps_check_counts check_text(const char *text, uint64_t max_steps, char **report_out)
{
    ps_scenario *sc = fixture_parse(text);
    ps_check_counts c = { 0, 0, NULL };
    ps_trace_capture cap;
    ps_sbuf report = { 0 };
    ps_check_run(sc, sc->seed, max_steps, &report, &c, &cap);
    char *rep = report.s;
    assert_non_null(cap.text);
    assert_int_equal(cap.kept, cap.bytes); /* a lesson's trace is kept whole */
    ps_trace_capture_free(&cap);
    ps_scenario_free(sc);
    if (report_out) *report_out = rep;
    else free(rep);
    return c;
}

/* Checks LESSON with extra expect lines. */
static ps_check_counts check_with(const char *expects, char **report_out)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", LESSON, expects);
    return check_text(text, PS_DEFAULT_MAX_STEPS, report_out);
}

static void test_every_kind_passes_when_true(void **state)
{
    (void)state;
    ps_check_counts c = check_with("expect 20ms c1 established\n"
                                   "expect web ok\n"
                                   "expect dup errno EADDRINUSE\n"
                                   "expect refused errno ECONNREFUSED\n"
                                   "expect c1.sport != c2.sport\n"
                                   "expect c1.tuple != c2.tuple\n"
                                   "expect c1.dport == 80\n"
                                   "expect 20ms b port 80 listening\n"
                                   "expect 20ms b port 81 free\n"
                                   "expect 20ms b established count 2\n"
                                   "expect 20ms tuples distinct\n"
                                   "expect 57ms c1 fin-wait-1\n"
                                   "expect 60ms c1 time-wait\n"
                                   "expect c1 closed\n"
                                   "expect c1.saddr == 10.0.0.1\n"
                                   "expect c1.daddr == c2.daddr\n"
                                   "expect c1.daddr != c1.saddr\n",
                                   NULL);
    assert_int_equal(c.failed, 0);
    assert_int_equal(c.passed, 17);
}

static void test_false_expectations_fail_with_what_was_found(void **state)
{
    (void)state;
    char *rep;
    ps_check_counts c = check_with("expect 2ms c1 established\n"
                                   "expect dup ok\n"
                                   "expect c1.dport == 81\n"
                                   "expect 20ms b port 80 free\n"
                                   "expect 20ms b established count 3\n"
                                   "expect c1.daddr == localhost\n"
                                   "expect c1.saddr == c2.daddr\n",
                                   &rep);
    assert_int_equal(c.passed, 0);
    assert_int_equal(c.failed, 7);
    assert_non_null(strstr(rep, "c1.daddr is 10.0.0.2)"));
    assert_non_null(strstr(rep, "c1.saddr is 10.0.0.1, c2.daddr is 10.0.0.2)"));
    assert_non_null(strstr(rep, "test.scn:14:1: expect failed: 2ms c1 established "
                                "(at 2ms: c1 is syn-sent)"));
    assert_non_null(strstr(rep, "expect failed: dup ok (at the end: dup EADDRINUSE)"));
    assert_non_null(strstr(rep, "c1.dport is 80"));
    assert_non_null(strstr(rep, "port 80 on b is listening"));
    assert_non_null(strstr(rep, "b has 2 sockets in established"));
    free(rep);
}

static void test_a_run_stopped_early_fails(void **state)
{
    (void)state;
    char *rep;
    ps_check_counts c = check_text(LESSON, 3, &rep);
    assert_int_equal(c.failed, 1);
    assert_non_null(strstr(rep, "the run stopped early: too many queue steps"));
    free(rep);
}

/* A busy run: far more trace than a capture keeps. */
static void capture_busy(ps_trace_capture *cap)
{
    ps_scenario *sc = fixture_parse("host a 10.0.0.1\nhost b 10.0.0.2\nlink a b 1ms\n"
                                    "proc a c pid=1 user=u\nproc b s pid=2 user=root\n"
                                    "at 0ms b s listen 80\n"
                                    "at 1ms a c connect 10.0.0.2:80 repeat 5000 every 10us\n");
    ps_check_counts c = { 0, 0, NULL };
    ps_sbuf report = { 0 };
    ps_check_run(sc, sc->seed, PS_DEFAULT_MAX_STEPS, &report, &c, cap);
    ps_sbuf_free(&report);
    assert_int_equal(c.failed, 0);
    ps_scenario_free(sc);
}

static void test_capture_keeps_memory_bounded(void **state)
{
    (void)state;
    ps_trace_capture cap;
    capture_busy(&cap);
    assert_true(cap.bytes > 4 * PS_GOLDEN_DIGEST_OVER);
    assert_int_equal(cap.kept, PS_GOLDEN_DIGEST_OVER + 1);
    /* A long trace's golden is one digest line, and it matches itself. */
    char *golden = ps_golden_for(&cap);
    assert_non_null(strstr(golden, "# portsim trace digest fnv1a64="));
    char want[256], got[256];
    assert_int_equal(ps_golden_compare(golden, strlen(golden), &cap, want, got, sizeof want), 0);
    golden[40] ^= 1;
    assert_int_equal(ps_golden_compare(golden, strlen(golden), &cap, want, got, sizeof want), 1);
    free(golden);
    ps_trace_capture_free(&cap);
}

static void test_text_golden_first_difference(void **state)
{
    (void)state;
    ps_trace_capture cap;
    ps_scenario *sc = fixture_parse(LESSON);
    ps_check_counts c = { 0, 0, NULL };
    ps_sbuf report = { 0 };
    ps_check_run(sc, sc->seed, PS_DEFAULT_MAX_STEPS, &report, &c, &cap);
    ps_sbuf_free(&report);
    char *golden = ps_golden_for(&cap);
    size_t n = strlen(golden);
    char want[256], got[256];
    assert_int_equal(ps_golden_compare(golden, n, &cap, want, got, sizeof want), 0);
    /* Change line 3: the report names line 3 and both versions of it. */
    char *l3 = strchr(strchr(golden, '\n') + 1, '\n') + 1;
    l3[0] = '#';
    assert_int_equal(ps_golden_compare(golden, n, &cap, want, got, sizeof want), 3);
    assert_int_equal(want[0], '#');
    assert_int_not_equal(got[0], '#');
    /* A golden cut short: the first missing line shows as end of file. */
    assert_int_equal(ps_golden_compare(golden, (size_t)(l3 - golden), &cap, want, got, sizeof want), 3);
    assert_string_equal(want, "<end of file>");
    free(golden);
    ps_trace_capture_free(&cap);
    ps_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_passes_when_true),
        cmocka_unit_test(test_false_expectations_fail_with_what_was_found),
        cmocka_unit_test(test_a_run_stopped_early_fails),
        cmocka_unit_test(test_capture_keeps_memory_bounded),
        cmocka_unit_test(test_text_golden_first_difference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
