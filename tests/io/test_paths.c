/* test_paths.c — the data folders are found in paths.h's order: the
 * environment, next to the executable, ../share/portsim beside it, then the
 * working folder; a folder without its marker is passed over. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"

static char root[64];

static void mkdirs(const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *s = path + strlen(root) + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    mkdir(path, 0755);
}

static void touch(const char *rel)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/ps-paths-XXXXXX");
    if (!mkdtemp(root)) return -1;
    unsetenv("PORTSIM_ASSETS");
    unsetenv("PORTSIM_LESSONS");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_installed_tree_beside_the_binary(void **state)
{
    (void)state;
    char exe[128], want[160], got[PS_PATH_MAX];
    snprintf(exe, sizeof exe, "%s/usr/bin/portsim", root);
    mkdirs("usr/bin");
    mkdirs("usr/share/portsim/assets");
    mkdirs("usr/share/portsim/scenarios");
    /* Without the marker files nothing is found yet. */
    assert_false(ps_data_find(PS_DATA_ASSETS, exe, got, sizeof got) &&
                 strstr(got, root) != NULL);
    touch("usr/share/portsim/assets/DejaVuSans.ttf");
    touch("usr/share/portsim/scenarios/two-tabs.scn");
    assert_true(ps_data_find(PS_DATA_ASSETS, exe, got, sizeof got));
    snprintf(want, sizeof want, "%s/usr/bin/../share/portsim/assets", root);
    assert_string_equal(got, want);
    assert_true(ps_data_find(PS_DATA_LESSONS, exe, got, sizeof got));
    snprintf(want, sizeof want, "%s/usr/bin/../share/portsim/scenarios", root);
    assert_string_equal(got, want);
    /* A checkout's folders next to the binary come first. */
    mkdirs("usr/bin/assets");
    touch("usr/bin/assets/DejaVuSans.ttf");
    assert_true(ps_data_find(PS_DATA_ASSETS, exe, got, sizeof got));
    snprintf(want, sizeof want, "%s/usr/bin/assets", root);
    assert_string_equal(got, want);
}

static void test_environment_wins_as_given(void **state)
{
    (void)state;
    char exe[128], got[PS_PATH_MAX];
    snprintf(exe, sizeof exe, "%s/usr/bin/portsim", root);
    mkdirs("mine");
    setenv("PORTSIM_LESSONS", root, 1);
    assert_true(ps_data_find(PS_DATA_LESSONS, exe, got, sizeof got)); /* holds "mine" */
    assert_string_equal(got, root);
    setenv("PORTSIM_ASSETS", "/nonexistent/fonts", 1);
    assert_false(ps_data_find(PS_DATA_ASSETS, exe, got, sizeof got));
    assert_string_equal(got, "/nonexistent/fonts");
    assert_string_equal(ps_data_env(PS_DATA_ASSETS), "PORTSIM_ASSETS");
    assert_string_equal(ps_data_env(PS_DATA_LESSONS), "PORTSIM_LESSONS");
    unsetenv("PORTSIM_ASSETS");
    unsetenv("PORTSIM_LESSONS");
}

/* An empty lessons folder is not one; the working folder is the last try. */
static void test_last_resort_is_the_working_folder(void **state)
{
    (void)state;
    char got[PS_PATH_MAX], cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    mkdirs("work/scenarios");
    char work[128];
    snprintf(work, sizeof work, "%s/work", root);
    assert_int_equal(chdir(work), 0);
    assert_false(ps_data_find(PS_DATA_LESSONS, NULL, got, sizeof got));
    assert_string_equal(got, "scenarios");
    touch("work/scenarios/a.scn");
    assert_true(ps_data_find(PS_DATA_LESSONS, NULL, got, sizeof got));
    assert_string_equal(got, "scenarios");
    assert_int_equal(chdir(cwd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_installed_tree_beside_the_binary),
        cmocka_unit_test(test_environment_wins_as_given),
        cmocka_unit_test(test_last_resort_is_the_working_folder),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
