/* test_lexer.c — the scenario lexer (lexer.h): the text check, line
 * splitting with CRLF and BOM, and tokens with their columns. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "lexer.h"

static void test_lines_crlf_bom(void **state)
{
    (void)state;
    const char text[] = "\xEF\xBB\xBF"
                        "a\r\n\nb c\nlast";
    ps_lexer lx;
    const char *s;
    size_t len;
    ps_diag d;
    ps_lexer_init(&lx, text, sizeof text - 1);
    assert_true(ps_lexer_check(&lx, &d));
    assert_true(ps_lexer_line(&lx, &s, &len));
    assert_int_equal(lx.line, 1);
    assert_int_equal(len, 1);
    assert_memory_equal(s, "a", 1);
    assert_true(ps_lexer_line(&lx, &s, &len));
    assert_int_equal(len, 0);
    assert_true(ps_lexer_line(&lx, &s, &len));
    assert_int_equal(len, 3);
    assert_true(ps_lexer_line(&lx, &s, &len));
    assert_int_equal(lx.line, 4);
    assert_memory_equal(s, "last", 4);
    assert_false(ps_lexer_line(&lx, &s, &len));
}

static void test_empty_text_has_no_lines(void **state)
{
    (void)state;
    ps_lexer lx;
    const char *s;
    size_t len;
    ps_lexer_init(&lx, "\xEF\xBB\xBF", 3);
    assert_false(ps_lexer_line(&lx, &s, &len));
}

static void test_check_reports_first_problem(void **state)
{
    (void)state;
    ps_lexer lx;
    ps_diag d;
    const char text[] = "ok\n\tfine \xC3\xA9\nx\x7f\n";
    ps_lexer_init(&lx, text, sizeof text - 1);
    assert_false(ps_lexer_check(&lx, &d));
    assert_int_equal(d.pos.line, 3);
    assert_int_equal(d.pos.col, 2);
    assert_string_equal(d.message, "file is not text (byte 0x7f at this position)");
    ps_lexer_init(&lx, "a\xF5\x80\x80\x80", 5); /* beyond U+10FFFF */
    assert_false(ps_lexer_check(&lx, &d));
    assert_int_equal(d.pos.col, 2);
    assert_string_equal(d.message, "file is not text (byte 0xf5 at this position)");
}

/* Reads every token of one line into kinds/cols; returns their number. */
static int tokens(const char *line, ps_token *out, int max)
{
    ps_cursor c;
    ps_diag d;
    int n = 0;
    ps_cursor_init(&c, line, strlen(line), 1);
    while (n < max) {
        assert_true(ps_cursor_next(&c, &out[n], &d));
        if (out[n++].kind == PS_TOK_END) break;
    }
    return n;
}

static void test_tokens_and_columns(void **state)
{
    (void)state;
    ps_token t[8];
    int n = tokens("  at\t1s \"a b\"x#c \"#\"", t, 8);
    assert_int_equal(n, 5);
    assert_int_equal(t[0].kind, PS_TOK_WORD);
    assert_int_equal(t[0].col, 3);
    assert_int_equal(t[0].len, 2);
    assert_int_equal(t[1].col, 6);
    assert_int_equal(t[2].kind, PS_TOK_STRING);
    assert_int_equal(t[2].col, 9);
    assert_int_equal(t[2].len, 5);
    assert_int_equal(t[3].kind, PS_TOK_WORD); /* a word may follow a string directly */
    assert_memory_equal(t[3].s, "x", 1);
    assert_int_equal(t[4].kind, PS_TOK_END); /* '#' starts the comment */
    assert_int_equal(t[4].col, 15);
    n = tokens("", t, 8);
    assert_int_equal(n, 1);
    assert_int_equal(t[0].col, 1);
}

static void test_string_value(void **state)
{
    (void)state;
    ps_token t[2];
    char out[32];
    tokens("\"q\\\"b\\\\n\\n#\"", t, 2);
    assert_int_equal(t[0].kind, PS_TOK_STRING);
    assert_int_equal(ps_token_string(&t[0], out), 7);
    assert_string_equal(out, "q\"b\\n\n#");
    tokens("\"\"", t, 2);
    assert_int_equal(ps_token_string(&t[0], out), 0);
    assert_string_equal(out, "");
}

static void test_string_errors(void **state)
{
    (void)state;
    ps_cursor c;
    ps_token t;
    ps_diag d;
    ps_cursor_init(&c, "say \"abc", 8, 7);
    assert_true(ps_cursor_next(&c, &t, &d));
    assert_false(ps_cursor_next(&c, &t, &d));
    assert_int_equal(d.pos.line, 7);
    assert_int_equal(d.pos.col, 5);
    assert_string_equal(d.message, "unterminated string: expected a closing '\"' on the same line");
    ps_cursor_init(&c, "\"a\\x\"", 5, 2);
    assert_false(ps_cursor_next(&c, &t, &d));
    assert_int_equal(d.pos.col, 3);
    assert_string_equal(d.message, "unknown escape '\\x' in a string; expected \\\", \\\\ or \\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_crlf_bom),
        cmocka_unit_test(test_empty_text_has_no_lines),
        cmocka_unit_test(test_check_reports_first_problem),
        cmocka_unit_test(test_tokens_and_columns),
        cmocka_unit_test(test_string_value),
        cmocka_unit_test(test_string_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
