/* test_picker.c — the lesson picker (O, portsim --lessons) lists the
 * lessons folder io/paths.h finds: PORTSIM_LESSONS when set, so an
 * installed portsim lists the installed lessons and a teacher's own folder
 * can replace them; only .scn files, sorted. SDL's dummy video driver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "headless.h"

static void touch(const char *dir, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static void test_picker_lists_the_lessons_folder(void **state)
{
    (void)state;
    char dir[] = "/tmp/ps-picker-XXXXXX", want[64];
    assert_non_null(mkdtemp(dir));
    touch(dir, "zebra.scn");
    touch(dir, "apple.scn");
    touch(dir, "apple.trace");
    setenv("PORTSIM_LESSONS", dir, 1);
    pv_headless hl;
    char err[512];
    if (!pv_headless_open(&hl, 640, 400, err, sizeof err)) fail_msg("headless open: %s", err);
    pv_view_picker_open(hl.view, NULL);
    assert_true(hl.view->picker);
    assert_int_equal(hl.view->npicks, 2);
    snprintf(want, sizeof want, "%s/apple.scn", dir);
    assert_string_equal(hl.view->picks[0], want);
    snprintf(want, sizeof want, "%s/zebra.scn", dir);
    assert_string_equal(hl.view->picks[1], want);
    /* Unset: the checkout's scenarios/ (the tests run from its root). */
    unsetenv("PORTSIM_LESSONS");
    pv_view_picker_open(hl.view, NULL);
    assert_true(hl.view->npicks >= 10);
    assert_string_equal(hl.view->picks[0], "scenarios/apartment-building.scn");
    pv_headless_close(&hl);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_picker_lists_the_lessons_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
