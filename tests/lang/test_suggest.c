/* test_suggest.c — edit distance and "did you mean" suggestions (suggest.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "suggest.h"

static size_t dist(const char *a, const char *b)
{
    return ps_edit_distance(a, strlen(a), b, strlen(b));
}

static const char *nearest(const char *word, const char *const *cands, size_t n)
{
    ps_suggest sg;
    ps_suggest_init(&sg, word, strlen(word));
    for (size_t i = 0; i < n; i++) ps_suggest_add(&sg, cands[i]);
    return ps_suggest_best(&sg);
}

static void test_edit_distance(void **state)
{
    (void)state;
    assert_int_equal(dist("", ""), 0);
    assert_int_equal(dist("", "abc"), 3);
    assert_int_equal(dist("abc", ""), 3);
    assert_int_equal(dist("listen", "listen"), 0);
    assert_int_equal(dist("lisen", "listen"), 1);   /* deletion */
    assert_int_equal(dist("listenn", "listen"), 1); /* insertion */
    assert_int_equal(dist("lusten", "listen"), 1);  /* substitution */
    assert_int_equal(dist("ngnix", "nginx"), 1);    /* swap of neighbours */
    assert_int_equal(dist("hots", "host"), 1);
    assert_int_equal(dist("kitten", "sitting"), 3);
    assert_int_equal(dist("ca", "abc"), 3); /* each substring edited once */
    assert_int_equal(dist("lisen", "link"), 3);
}

static void test_edit_distance_long_words(void **state)
{
    (void)state;
    char a[PS_SUGGEST_MAX_LEN + 2], b[PS_SUGGEST_MAX_LEN + 2];
    memset(a, 'a', sizeof a);
    memset(b, 'a', sizeof b);
    b[0] = 'b';
    assert_int_equal(ps_edit_distance(a, PS_SUGGEST_MAX_LEN, b, PS_SUGGEST_MAX_LEN), 1);
    assert_int_equal(ps_edit_distance(a, PS_SUGGEST_MAX_LEN + 1, b, 3), PS_SUGGEST_FAR);
    assert_int_equal(ps_edit_distance(a, 3, b, PS_SUGGEST_MAX_LEN + 1), PS_SUGGEST_FAR);
}

static void test_suggestion_threshold(void **state)
{
    (void)state;
    static const char *const stmts[] = { "title", "seed", "host", "link",
                                         "proc",  "at",   "say",  "expect" };
    size_t n = sizeof stmts / sizeof stmts[0];
    assert_string_equal(nearest("hots", stmts, n), "host");
    assert_string_equal(nearest("expct", stmts, n), "expect");
    assert_null(nearest("lisen", stmts, n));           /* 3 edits from link: too far */
    assert_string_equal(nearest("a", stmts, n), "at"); /* short words allow one edit */
    assert_null(nearest("xy", stmts, n));
    static const char *const hosts[] = { "laptop", "server", "database" };
    assert_string_equal(nearest("lpatop", hosts, 3), "laptop");
    assert_null(nearest("lptp", hosts, 3)); /* 2 edits, but 4/3 = 1 allows one */
    assert_string_equal(nearest("dtabse", hosts, 3), "database"); /* 6/3 = 2 edits allowed */
    assert_null(nearest("serverfarm", hosts, 3));
}

static void test_exact_match_and_ties(void **state)
{
    (void)state;
    static const char *const words[] = { "tab1", "tab2", "tab" };
    assert_null(nearest("tab1", words, 3));                 /* the word itself is no suggestion */
    assert_string_equal(nearest("tab3", words, 3), "tab1"); /* first of the equally near */
    assert_null(nearest("x", NULL, 0));
}

/* Keywords are lowercase; a word typed in capitals still finds its match. */
static void test_case_is_ignored(void **state)
{
    (void)state;
    static const char *const states[] = { "listen", "established", "time-wait" };
    assert_string_equal(nearest("ESTABLISHED", states, 3), "established");
    assert_string_equal(nearest("Time-Wiat", states, 3), "time-wait");
    assert_int_equal(dist("LISTEN", "listen"), 0);
    char hint[64];
    assert_string_equal(ps_suggest_hint("Listen", 6, states, 3, hint, sizeof hint), " (did you mean 'listen'?)");
    assert_string_equal(ps_suggest_hint("listen", 6, states, 3, hint, sizeof hint), "");
    assert_string_equal(ps_suggest_hint("chek", 4, (const char *const[]){ "run", "check" }, 2, hint, sizeof hint),
                        " (did you mean 'check'?)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edit_distance),
        cmocka_unit_test(test_edit_distance_long_words),
        cmocka_unit_test(test_suggestion_threshold),
        cmocka_unit_test(test_exact_match_and_ties),
        cmocka_unit_test(test_case_is_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
