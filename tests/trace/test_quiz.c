/* test_quiz.c — `ask` lines answered by a run (trace/quiz.h): every kind of
 * question, the moment a question is asked, grading replies, the checks
 * `portsim check` makes, and a file of 65,536 questions in one run. */
#include "engine_fixture.h"

#include "quiz.h"
#include "trace.h"

static const char *LESSON =
    "host a 10.0.0.1\n"
    "host b 10.0.0.2\n"
    "link a b 5ms\n"
    "proc a cli pid=1 user=u\n"
    "proc b srv pid=2 user=root\n"
    "ask 0ms door which-socket syn b:80 \"Who takes c1's SYN?\" choices \"web\" \"c1\" \"RST\"\n"
    "ask 0ms refused which-socket syn 10.0.0.2:81 \"And the SYN to port 81?\"\n"
    "ask 0ms data which-socket data 10.0.0.2:80 \"Who takes c1's data?\" hint \"h\" explain \"e\"\n"
    "ask 0ms first which-result b listen \"What does the first listen return?\"\n"
    "at 0ms b srv listen 80 as web\n"
    "ask 1ms again which-result b listen \"And the next listen on b?\"\n"
    "ask 1ms c1ok which-result c1 \"What does c1's connect return?\"\n"
    "ask 1ms sport which-port c1.sport \"Which source port does c1 get?\"\n"
    "ask 1ms dport which-port c1.dport \"Which port does c1 knock on?\"\n"
    "at 1ms a cli connect 10.0.0.2:80 as c1\n"
    "at 1ms a cli connect 10.0.0.2:81 as c2\n"
    "ask 3ms dup which-result web2 \"What does a second listen on 80 return?\"\n"
    "at 5ms b srv listen 80 as web2\n"
    "ask 7ms late which-socket syn 10.0.0.2:80 \"Who takes the next SYN?\"\n"
    "ask 7ms pick choice \"Which frees port 80?\" choices \"ss -tlnp\" \"kill 2\" answer \"kill 2\"\n"
    "at 20ms c1 send \"x\"\n";

typedef struct quiz_run {
    ps_scenario *sc;
    ps_quiz quiz;
} quiz_run;

/* Runs text to the end with a quiz watching, in front of a trace into out
 * (may be NULL). */
static quiz_run run_quiz(const char *text, ps_sbuf *out)
{
    quiz_run r = { fixture_parse(text), { 0 } };
    ps_engine *e = ps_engine_new(r.sc, r.sc->seed);
    ps_trace tr;
    assert_non_null(e);
    assert_true(ps_quiz_init(&r.quiz, r.sc));
    ps_trace_init(&tr, out ? PS_TRACE_TEXT : PS_TRACE_NONE, r.sc, r.sc->seed, ps_trace_to_sbuf, out);
    ps_quiz_watch(&r.quiz, e, out ? ps_trace_event : NULL, &tr);
    ps_engine_run(e);
    ps_quiz_finish(&r.quiz, e);
    ps_trace_free(&tr);
    ps_engine_free(e);
    return r;
}

static void free_run(quiz_run *r)
{
    ps_quiz_free(&r->quiz);
    ps_scenario_free(r->sc);
}

static const ps_quiz_answer *answer_of(const quiz_run *r, const char *id)
{
    for (uint32_t i = 0; i < r->sc->nquestions; i++)
        if (strcmp(r->sc->questions[i].id, id) == 0) return &r->quiz.answers[i];
    fail_msg("no question %s", id);
    return NULL;
}

static void assert_answer(const quiz_run *r, const char *id, const char *text, const char *alt)
{
    const ps_quiz_answer *a = answer_of(r, id);
    assert_true(a->known);
    assert_string_equal(a->text, text);
    assert_string_equal(a->alt, alt);
}

static void test_the_run_answers_every_kind(void **state)
{
    (void)state;
    quiz_run r = run_quiz(LESSON, NULL);
    assert_answer(&r, "door", "web", "listener");   /* the demux picked the named listener */
    assert_answer(&r, "refused", "RST", "");        /* nobody on 81: the host resets */
    assert_answer(&r, "data", "connection", "connection"); /* the accepted, unnamed socket */
    assert_answer(&r, "first", "OK", "");
    assert_answer(&r, "again", "EADDRINUSE", "");   /* web2's listen at 5ms */
    assert_answer(&r, "c1ok", "OK", "");
    assert_answer(&r, "dup", "EADDRINUSE", "");
    assert_answer(&r, "dport", "80", "");
    assert_answer(&r, "pick", "kill 2", "");
    const ps_quiz_answer *sport = answer_of(&r, "sport");
    assert_true(sport->known);
    assert_in_range(strtoul(sport->text, NULL, 10), 32768, 60999); /* linux's ephemeral range */
    free_run(&r);
}

/* A question is about what happens from its moment on: the SYNs arrived at
 * 6 ms, so a question asked at 7 ms about the next SYN finds none. */
static void test_a_question_looks_forward_from_its_time(void **state)
{
    (void)state;
    quiz_run r = run_quiz(LESSON, NULL);
    const ps_quiz_answer *a = answer_of(&r, "late");
    assert_false(a->known);
    assert_string_equal(a->why, "no SYN reached 10.0.0.2:80 from 7ms on");
    free_run(&r);
    /* At exactly the arrival time the question comes first: it is answered. */
    r = run_quiz("host a 10.0.0.1\nhost b 10.0.0.2\nlink a b 5ms\nproc a cli pid=1 user=u\n"
                 "at 0ms a cli connect b:80\n"
                 "ask 5ms q which-socket syn b:80 \"?\"\n",
                 NULL);
    assert_answer(&r, "q", "RST", "");
    free_run(&r);
}

static void test_questions_leave_the_trace_alone(void **state)
{
    (void)state;
    ps_sbuf with = { 0 }, without = { 0 };
    quiz_run r = run_quiz(LESSON, &with);
    free_run(&r);
    /* The same lesson without its ask lines. */
    char plain[4096];
    size_t n = 0;
    for (const char *l = LESSON; *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = (size_t)(nl - l) + 1;
        if (strncmp(l, "ask ", 4) != 0) memcpy(plain + n, l, len), n += len;
        l += len;
    }
    plain[n] = '\0';
    r = run_quiz(plain, &without);
    free_run(&r);
    assert_true(with.len > 0);
    assert_string_equal(with.s, without.s);
    ps_sbuf_free(&with);
    ps_sbuf_free(&without);
}

static bool grade(const quiz_run *r, const char *id, const char *reply)
{
    for (uint32_t i = 0; i < r->sc->nquestions; i++)
        if (strcmp(r->sc->questions[i].id, id) == 0)
            return ps_quiz_grade(&r->sc->questions[i], &r->quiz.answers[i], reply, strlen(reply));
    fail_msg("no question %s", id);
    return false;
}

static void test_replies_are_graded(void **state)
{
    (void)state;
    quiz_run r = run_quiz(LESSON, NULL);
    assert_true(grade(&r, "door", "web"));
    assert_true(grade(&r, "door", " Listener\t"));  /* the kind counts too; case and blanks do not */
    assert_true(grade(&r, "door", "1"));            /* choice 1 is "web" */
    assert_false(grade(&r, "door", "2"));
    assert_false(grade(&r, "door", "4"));           /* no such choice, and not the answer */
    assert_false(grade(&r, "door", "connection"));
    assert_false(grade(&r, "door", ""));
    assert_true(grade(&r, "refused", "rst"));
    assert_true(grade(&r, "dup", "eaddrinuse"));
    assert_true(grade(&r, "dport", "80"));
    assert_false(grade(&r, "dport", "8"));
    assert_true(grade(&r, "pick", "2"));
    assert_true(grade(&r, "pick", "KILL 2"));
    assert_false(grade(&r, "pick", "1"));
    assert_false(grade(&r, "late", "web"));         /* no answer: nothing is right */
    free_run(&r);
}

static bool check(const quiz_run *r, const char *id, char *got, size_t n)
{
    for (uint32_t i = 0; i < r->sc->nquestions; i++)
        if (strcmp(r->sc->questions[i].id, id) == 0)
            return ps_quiz_check(&r->sc->questions[i], &r->quiz.answers[i], got, n);
    fail_msg("no question %s", id);
    return false;
}

static void test_check_wants_an_answer_among_the_choices(void **state)
{
    (void)state;
    char got[256];
    quiz_run r = run_quiz(LESSON, NULL);
    assert_true(check(&r, "door", got, sizeof got));
    assert_string_equal(got, "the answer is web, choice 1");
    assert_true(check(&r, "dport", got, sizeof got));
    assert_string_equal(got, "the answer is 80");
    assert_false(check(&r, "late", got, sizeof got));
    assert_string_equal(got, "no answer: no SYN reached 10.0.0.2:80 from 7ms on");
    free_run(&r);
    r = run_quiz("host b 10.0.0.2\nproc b srv pid=2 user=root\n"
                 "at 0ms b srv listen 80 as web\n"
                 "ask 0ms none which-result web \"?\" choices \"EACCES\" \"EADDRINUSE\"\n"
                 "ask 0ms both which-socket syn b:81 \"?\" choices \"RST\" \"rst\"\n"
                 "at 1ms b srv connect b:81\n",
                 NULL);
    assert_false(check(&r, "none", got, sizeof got));
    assert_string_equal(got, "the answer OK is none of the choices");
    assert_false(check(&r, "both", got, sizeof got));
    assert_string_equal(got, "the answer RST matches 2 of the choices");
    free_run(&r);
}

/* 65,536 questions, all about the same door: one run answers them all, each
 * event paying a binary search, not a walk over every question. */
static void test_many_questions_one_run(void **state)
{
    (void)state;
    enum { N = 65536 };
    ps_sbuf text = { 0 };
    ps_sbuf_printf(&text, "host a 10.0.0.1\nhost b 10.0.0.2\nlink a b 5ms\n"
                          "proc a cli pid=1 user=u\nproc b srv pid=2 user=root\n"
                          "at 0ms b srv listen 80 as web\n");
    for (unsigned i = 0; i < N; i++)
        ps_sbuf_printf(&text, "ask %uus q%u which-socket %s b:80 \"?\"\n", i, i,
                       i % 2 ? "syn" : "data");
    ps_sbuf_printf(&text, "at 1s a cli connect b:80 as c\nat 2s c send \"x\"\n");
    quiz_run r = run_quiz(text.s, NULL);
    assert_int_equal(r.sc->nquestions, N);
    for (uint32_t i = 0; i < N; i++) {
        assert_true(r.quiz.answers[i].known);
        assert_string_equal(r.quiz.answers[i].text, i % 2 ? "web" : "connection");
    }
    free_run(&r);
    ps_sbuf_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_run_answers_every_kind),
        cmocka_unit_test(test_a_question_looks_forward_from_its_time),
        cmocka_unit_test(test_questions_leave_the_trace_alone),
        cmocka_unit_test(test_replies_are_graded),
        cmocka_unit_test(test_check_wants_an_answer_among_the_choices),
        cmocka_unit_test(test_many_questions_one_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
