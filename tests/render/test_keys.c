/* test_keys.c — the lecture window's key table (render/keys.c), driven
 * without a display: what each key does in each mode, that no key means two
 * things, that every action has a key, and the printed forms that
 * `portsim --help` and the README show. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keys.h"

#define C PV_MOD_CTRL
#define S PV_MOD_SHIFT
#define A PV_MOD_ALT

typedef struct press {
    int key;
    unsigned mods;
    pv_action want;
} press;

static void expect_all(pv_key_mode mode, const press *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        pv_action got = pv_key_action(mode, p[i].key, p[i].mods);
        if (got != p[i].want) fail_msg("mode %d, key %#x mods %u: action %d, want %d", mode, p[i].key, p[i].mods, got, p[i].want);
    }
}

static void test_window_keys(void **state)
{
    (void)state;
    static const press p[] = {
        { ' ', 0, PV_ACT_PLAY_PAUSE },
        { PV_KEY_RIGHT, 0, PV_ACT_STEP_NEXT },
        { PV_KEY_LEFT, 0, PV_ACT_STEP_PREV },
        { PV_KEY_PAGEDOWN, 0, PV_ACT_STEP_NEXT },   /* a presentation clicker */
        { PV_KEY_PAGEUP, 0, PV_ACT_STEP_PREV },
        { PV_KEY_HOME, 0, PV_ACT_GO_START },
        { PV_KEY_END, 0, PV_ACT_GO_END },
        { '+', 0, PV_ACT_FASTER },
        { '=', 0, PV_ACT_FASTER },                  /* + without its Shift */
        { '-', 0, PV_ACT_SLOWER },
        { '=', C, PV_ACT_ZOOM_IN },
        { '+', C, PV_ACT_ZOOM_IN },
        { '-', C, PV_ACT_ZOOM_OUT },
        { '0', C, PV_ACT_ZOOM_RESET },
        { '0', 0, PV_ACT_NONE },
        { 'r', 0, PV_ACT_RESTART },
        { 'r', S, PV_ACT_RESTART_KEEP },            /* Shift counts for letters */
        { '?', S, PV_ACT_HELP },                    /* and only picks the character elsewhere */
        { 'f', C, PV_ACT_FRAME_COUNTER },
        { PV_KEY_TAB, 0, PV_ACT_NEXT_HOST },
        { 'o', 0, PV_ACT_OPEN },
        { 't', 0, PV_ACT_TERMINAL },
        { '`', 0, PV_ACT_TERMINAL },
        { 's', 0, PV_ACT_SCREENSHOT },
        { 's', C, PV_ACT_SAVE_SESSION },
        { 'p', 0, PV_ACT_PCAP },
        { 'f', 0, PV_ACT_FULLSCREEN },
        { '?', 0, PV_ACT_HELP },
        { '/', 0, PV_ACT_HELP },
        { 'h', 0, PV_ACT_HELP },
        { PV_KEY_ESCAPE, 0, PV_ACT_HELP_CLOSE },
        { 'q', 0, PV_ACT_QUIT },
        { ' ', A, PV_ACT_NONE },                    /* a binding names its modifiers exactly */
        { 'q', C, PV_ACT_QUIT },
        { PV_KEY_ENTER, 0, PV_ACT_NONE },
        { 'x', 0, PV_ACT_NONE },
        { PV_KEY_NONE, 0, PV_ACT_NONE },
    };
    expect_all(PV_KEYS_WINDOW, p, sizeof p / sizeof p[0]);
    /* bits other than Ctrl and Alt (a caller's Shift) do not matter */
    assert_int_equal(pv_key_action(PV_KEYS_WINDOW, '=', C | 0x80u), PV_ACT_ZOOM_IN);
}

static void test_terminal_keys(void **state)
{
    (void)state;
    static const press p[] = {
        { PV_KEY_ENTER, 0, PV_ACT_TERM_RUN },
        { PV_KEY_UP, 0, PV_ACT_TERM_HISTORY_PREV },
        { PV_KEY_DOWN, 0, PV_ACT_TERM_HISTORY_NEXT },
        { PV_KEY_LEFT, 0, PV_ACT_TERM_LEFT },
        { PV_KEY_RIGHT, 0, PV_ACT_TERM_RIGHT },
        { PV_KEY_RIGHT, A, PV_ACT_STEP_NEXT },      /* the playback, from the terminal */
        { PV_KEY_LEFT, A, PV_ACT_STEP_PREV },
        { PV_KEY_HOME, 0, PV_ACT_TERM_HOME },
        { 'a', C, PV_ACT_TERM_HOME },
        { PV_KEY_END, 0, PV_ACT_TERM_END },
        { 'e', C, PV_ACT_TERM_END },
        { PV_KEY_BACKSPACE, 0, PV_ACT_TERM_BACKSPACE },
        { PV_KEY_DELETE, 0, PV_ACT_TERM_DELETE },
        { 'u', C, PV_ACT_TERM_KILL_LINE },
        { 'c', C, PV_ACT_TERM_ABANDON_LINE },
        { 'l', C, PV_ACT_TERM_CLEAR },
        { PV_KEY_PAGEUP, 0, PV_ACT_TERM_SCROLL_UP },
        { PV_KEY_PAGEDOWN, 0, PV_ACT_TERM_SCROLL_DOWN },
        { PV_KEY_TAB, 0, PV_ACT_NEXT_HOST },
        { 's', C, PV_ACT_SAVE_SESSION },
        { PV_KEY_ESCAPE, 0, PV_ACT_TERM_CLOSE },
        /* window keys are text while typing */
        { ' ', 0, PV_ACT_NONE },
        { 'q', 0, PV_ACT_NONE },
        { 's', 0, PV_ACT_NONE },
        { '?', 0, PV_ACT_NONE },
    };
    expect_all(PV_KEYS_TERMINAL, p, sizeof p / sizeof p[0]);
}

static void test_picker_keys(void **state)
{
    (void)state;
    static const press p[] = {
        { PV_KEY_UP, 0, PV_ACT_PICK_PREV },       { PV_KEY_DOWN, 0, PV_ACT_PICK_NEXT },
        { PV_KEY_ENTER, 0, PV_ACT_PICK_OPEN },    { PV_KEY_ESCAPE, 0, PV_ACT_PICK_CANCEL },
        { 'o', 0, PV_ACT_PICK_CANCEL },           { 'q', 0, PV_ACT_NONE },
        { PV_KEY_RIGHT, 0, PV_ACT_NONE },
    };
    expect_all(PV_KEYS_PICKER, p, sizeof p / sizeof p[0]);
}

static void test_question_keys(void **state)
{
    (void)state;
    static const press p[] = {
        { PV_KEY_ENTER, 0, PV_ACT_QUIZ_CONTINUE }, { ' ', 0, PV_ACT_QUIZ_CONTINUE },
        { '?', 0, PV_ACT_QUIZ_HINT },              { 'h', 0, PV_ACT_QUIZ_HINT },
        { 'a', 0, PV_ACT_QUIZ_TOGGLE },            { 'q', 0, PV_ACT_QUIT },
        /* the lesson waits for the answer: no playing, stepping or seeking */
        { PV_KEY_RIGHT, 0, PV_ACT_NONE },          { PV_KEY_HOME, 0, PV_ACT_NONE },
        { 'r', 0, PV_ACT_NONE },                   { '1', 0, PV_ACT_NONE }, /* digits: the window reads them */
    };
    expect_all(PV_KEYS_QUESTION, p, sizeof p / sizeof p[0]);
    assert_int_equal(pv_key_action(PV_KEYS_WINDOW, 'a', 0), PV_ACT_QUIZ_TOGGLE);
}

/* A key reaches the first binding that matches: a second one for the same
 * key and modifiers in the same mode would never run. */
static void test_no_collisions(void **state)
{
    (void)state;
    size_t n;
    const pv_key_row *rows = pv_key_rows(&n);
    for (size_t r = 0; r < n; r++)
        for (const pv_key_bind *b = rows[r].binds; b < rows[r].binds + PV_KEY_ROW_BINDS && b->key; b++) {
            /* keys are lower case: Shift+R is 'r' with PV_MOD_SHIFT */
            if (b->key < 0x100 && (b->key < ' ' || b->key >= 0x7f || (b->key >= 'A' && b->key <= 'Z')))
                fail_msg("row '%s': key %#x is neither printable lower-case ASCII nor named", rows[r].label, b->key);
            assert_int_equal(b->mods & ~(unsigned)(PV_MOD_CTRL | PV_MOD_ALT | PV_MOD_SHIFT), 0);
            /* Shift is matched for letters only: elsewhere it could never match */
            if ((b->mods & PV_MOD_SHIFT) && !(b->key >= 'a' && b->key <= 'z'))
                fail_msg("row '%s': Shift with a key that is not a letter", rows[r].label);
            assert_int_not_equal(b->action, PV_ACT_NONE);
            for (size_t r2 = r; r2 < n; r2++)
                for (const pv_key_bind *o = r2 == r ? b + 1 : rows[r2].binds;
                     o < rows[r2].binds + PV_KEY_ROW_BINDS && o->key; o++)
                    if (rows[r2].mode == rows[r].mode && o->key == b->key && o->mods == b->mods)
                        fail_msg("'%s' and '%s' both bind key %#x mods %u", rows[r].label, rows[r2].label, b->key,
                                 b->mods);
        }
}

/* Every action is reachable, so the window performs none in vain. */
static void test_every_action_has_a_key(void **state)
{
    (void)state;
    size_t n;
    const pv_key_row *rows = pv_key_rows(&n);
    bool seen[PV_ACT_LAST + 1] = { false };
    for (size_t r = 0; r < n; r++)
        for (const pv_key_bind *b = rows[r].binds; b < rows[r].binds + PV_KEY_ROW_BINDS && b->key; b++)
            seen[b->action] = true;
    for (int a = PV_ACT_NONE + 1; a <= PV_ACT_LAST; a++)
        if (!seen[a]) fail_msg("action %d has no key", a);
}

static int columns(const char *s)
{
    int n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* What the help overlay, --help and the README need of a row. */
static void test_rows_printable(void **state)
{
    (void)state;
    size_t n;
    const pv_key_row *rows = pv_key_rows(&n);
    int per_mode[PV_KEYS_NMODES] = { 0 };
    for (size_t r = 0; r < n; r++) {
        assert_true(rows[r].mode < PV_KEYS_NMODES);
        per_mode[rows[r].mode]++;
        assert_true(rows[r].label[0] && rows[r].help[0]);
        assert_null(strstr(rows[r].label, "  "));   /* --help's column break */
        assert_true(columns(rows[r].label) <= 26);  /* fits --help's key column */
        /* the help overlay's text column holds about 48 characters at 1280x720 */
        if (rows[r].mode == PV_KEYS_WINDOW && columns(rows[r].help) > 48)
            fail_msg("'%s' is too long for the help overlay", rows[r].help);
    }
    for (int m = 0; m < PV_KEYS_NMODES; m++) assert_true(per_mode[m] > 0);
    assert_string_equal(pv_key_mode_title(PV_KEYS_WINDOW), "Keys in the window");
    assert_string_equal(pv_key_mode_title(PV_KEYS_NMODES), "");
}

/* What pv_keys_print writes, read back through a temporary file. */
static char *printed(bool markdown)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    pv_keys_print(f, markdown);
    long len = ftell(f);
    assert_true(len > 0);
    rewind(f);
    char *buf = calloc(1, (size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    return buf;
}

static int count_lines_starting(const char *s, const char *prefix)
{
    int n = 0;
    for (const char *l = s; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        n += strncmp(l, prefix, strlen(prefix)) == 0;
    return n;
}

static void test_printed_forms(void **state)
{
    (void)state;
    size_t n;
    pv_key_rows(&n);
    char *text = printed(false), *md = printed(true);
    assert_non_null(strstr(text, "Keys in the window:\n  Space "));
    assert_non_null(strstr(text, "\n  → / ←, PgDn / PgUp          next / previous event\n"));
    assert_non_null(strstr(text, "\n\nKeys in the terminal (T):\n"));
    assert_int_equal(count_lines_starting(text, "  "), (int)n);
    assert_non_null(strstr(md, "**Keys in the window**\n\n| key | does |\n|---|---|\n| Space | play / pause |\n"));
    assert_non_null(strstr(md, "| T or `` ` `` | "));   /* a lone backtick would open a code span */
    assert_int_equal(count_lines_starting(md, "| "), (int)n + PV_KEYS_NMODES);
    free(text);
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_keys),     cmocka_unit_test(test_terminal_keys),
        cmocka_unit_test(test_picker_keys),     cmocka_unit_test(test_question_keys),
        cmocka_unit_test(test_no_collisions),
        cmocka_unit_test(test_every_action_has_a_key), cmocka_unit_test(test_rows_printable),
        cmocka_unit_test(test_printed_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
