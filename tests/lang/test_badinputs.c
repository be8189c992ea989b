/* test_badinputs.c — the bad-input corpus: every tests/bad/NAME.scn must be
 * rejected with exactly the one-line diagnostic in tests/bad/NAME.err.
 * Runs from the repository root (as `make check` does). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

#define BAD_DIR "tests/bad"

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of the .scn files in BAD_DIR; *n gets their number. */
static char **list_scn(size_t *n)
{
    DIR *d = opendir(BAD_DIR);
    assert_non_null(d);
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".scn") != 0) continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[count] = malloc(len + 1);
        assert_non_null(names[count]);
        memcpy(names[count++], e->d_name, len + 1);
    }
    closedir(d);
    qsort(names, count, sizeof *names, cmp_names);
    *n = count;
    return names;
}

/* The first line of path (without its line end), or "" when it is missing. */
static void read_first_line(const char *path, char *buf, size_t size)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f == NULL) return;
    if (fgets(buf, (int)size, f) == NULL) buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\r\n")] = '\0';
}

/* Checks one case; prints what differs and returns false on a mismatch. */
static bool check_case(const char *name)
{
    char scn[512], err[512], want[1024], got[1024];
    size_t stem = strlen(name) - 4;
    snprintf(scn, sizeof scn, "%s/%s", BAD_DIR, name);
    snprintf(err, sizeof err, "%s/%.*s.err", BAD_DIR, (int)stem, name);
    read_first_line(err, want, sizeof want);
    if (want[0] == '\0') {
        print_error("%s: missing or empty %s\n", scn, err);
        return false;
    }
    ps_diag d;
    ps_scenario *sc = ps_scenario_load(scn, &d);
    if (sc != NULL) {
        ps_scenario_free(sc);
        print_error("%s: parsed without an error; expected\n  %s\n", scn, want);
        return false;
    }
    ps_diag_format(&d, got, sizeof got);
    if (strcmp(got, want) != 0) {
        print_error("%s:\n  want %s\n  got  %s\n", scn, want, got);
        return false;
    }
    return true;
}

static void test_every_bad_file_gives_its_diagnostic(void **state)
{
    (void)state;
    size_t n, failed = 0;
    char **names = list_scn(&n);
    /* The corpus has one file per grammar rule and semantic error. */
    assert_true(n >= 40);
    for (size_t i = 0; i < n; i++) {
        if (!check_case(names[i])) failed++;
        free(names[i]);
    }
    free(names);
    assert_int_equal(failed, 0);
}

/* Every .err names its own .scn, so a copied pair cannot pass by accident. */
static void test_every_err_names_its_file(void **state)
{
    (void)state;
    size_t n;
    char **names = list_scn(&n);
    for (size_t i = 0; i < n; i++) {
        char err[512], line[1024], prefix[512];
        size_t stem = strlen(names[i]) - 4;
        snprintf(err, sizeof err, "%s/%.*s.err", BAD_DIR, (int)stem, names[i]);
        snprintf(prefix, sizeof prefix, "%s/%s:", BAD_DIR, names[i]);
        read_first_line(err, line, sizeof line);
        if (strncmp(line, prefix, strlen(prefix)) != 0) print_error("%s: %s\n", err, line);
        assert_memory_equal(line, prefix, strlen(prefix));
        free(names[i]);
    }
    free(names);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_bad_file_gives_its_diagnostic),
        cmocka_unit_test(test_every_err_names_its_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
