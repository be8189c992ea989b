/* test_fuzz_replay.c — the fuzz corpus without libFuzzer: every file under
 * tests/fuzz/corpus and tests/fuzz/regressions goes through the fuzz target
 * (tests/fuzz/fuzz_scenario.c, compiled into this test), so any input that
 * once crashed, leaked or hung stays fixed in every `make check`, including
 * `make check SANITIZE=1`. Runs from the repository root. */
#include "fuzz/fuzz_scenario.c"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <time.h>

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Feeds every regular file of dir to the fuzz target, in name order. Returns
 * how many it fed. A missing folder fails the test: a replay of nothing
 * would pass while proving nothing. */
static size_t replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) fail_msg("%s: cannot open the folder (run from the repository root)", dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.') continue; /* ., .., .gitkeep */
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            names = realloc(names, cap * sizeof *names);
            assert_non_null(names);
        }
        names[n] = strdup(ent->d_name);
        assert_non_null(names[n++]);
    }
    closedir(d);
    if (n > 1) qsort(names, n, sizeof *names, cmp_names);
    size_t fed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        assert_true(size >= 0);
        /* An exact-size heap copy, so ASan sees any read past the end. */
        uint8_t *buf = malloc(size ? (size_t)size : 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
        fclose(f);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(LLVMFuzzerTestOneInput(buf, (size_t)size), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        /* libFuzzer's -timeout is 5 s; a slow input is a bug too. */
        if (secs > 5.0) fail_msg("%s took %.1f s (the limit is 5 s)", path, secs);
        free(buf);
        free(names[i]);
        fed++;
    }
    free(names);
    return fed;
}

static void test_corpus(void **state)
{
    (void)state;
    size_t fed = replay_dir("tests/fuzz/corpus");
    print_message("replayed %zu corpus inputs\n", fed);
    assert_true(fed >= 10); /* the shipped scenarios at least: a missing corpus is an error */
}

static void test_regressions(void **state)
{
    (void)state;
    size_t fed = replay_dir("tests/fuzz/regressions");
    print_message("replayed %zu regression inputs\n", fed);
    assert_true(fed >= 4); /* the committed regressions: an empty folder is an error */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_regressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
