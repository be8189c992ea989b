/* test_scenario_oom.c — the parser under allocation failure: for every
 * allocation it makes, failing exactly that one must give "out of memory"
 * and leak nothing (run under valgrind to see the "nothing").
 *
 * It compiles lang/parse.c into itself with malloc and calloc (the ones it
 * calls; its arrays grow through sim/mem.c) replaced by versions that fail
 * on demand; the library's own parse.o is then not linked, since every
 * symbol it defines is already here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Allocations left before one fails; negative: never fail. */
static long budget = -1;

static bool spend(void)
{
    if (budget == 0) return false;
    if (budget > 0) budget--;
    return true;
}

static void *failing_malloc(size_t n)
{
    return spend() ? malloc(n) : NULL;
}

static void *failing_calloc(size_t n, size_t size)
{
    return spend() ? calloc(n, size) : NULL;
}

#define malloc(n)       failing_malloc(n)
#define calloc(n, size) failing_calloc(n, size)
#include "parse.c"
#include "load.h"
#undef malloc
#undef calloc

/* Uses every kind of allocation, and grows every array past its first size. */
static const char rich[] =
    "title \"all of it\"\n"
    "host h0 10.0.0.1\nhost h1 10.0.0.2\nhost h2 10.0.0.3\nhost h3 10.0.0.4\nhost h4 10.0.0.5\n"
    "host h5 10.0.0.6\nhost h6 10.0.0.7\nhost h7 10.0.0.8\nhost h8 10.0.0.9\n"
    "link h0 h1 1ms\nlink h0 h2 1ms\nlink h0 h3 1ms\nlink h0 h4 1ms\nlink h0 h5 1ms\n"
    "link h0 h6 1ms\nlink h0 h7 1ms\nlink h0 h8 1ms\nlink h1 h2 1ms\n"
    "proc h0 a pid=1 user=u\nproc h0 b pid=2 user=u\nproc h0 c pid=3 user=u\nproc h0 d pid=4 user=u\n"
    "proc h0 e pid=5 user=u\nproc h0 f pid=6 user=u\nproc h0 g pid=7 user=u\nproc h0 h pid=8 user=u\n"
    "proc h1 srv pid=9 user=root\n"
    "at 0ms h1 srv listen 80 as s0 reply \"hello\"\n"
    "at 1ms h0 a connect h1:80 as s1\nat 1ms h0 a connect http://h1 as s2\n"
    "at 1ms h0 a connect 10.0.0.2:80 as s3\nat 1ms h0 a connect h1:80 as s4\n"
    "at 1ms h0 a connect h1:80 as s5\nat 1ms h0 a connect h1:80 as s6\n"
    "at 1ms h0 a connect h1:80 as s7\nat 1ms h0 a connect h1:80 as s8\n"
    "at 2ms s1 send \"x\"\nat 2ms s1 close\nat 3ms h0 shell \"ss\"\nsay 3ms \"done\"\nat 3ms h0 kill 5\n"
    "expect s1 ok\nexpect s1 established\nexpect s1.sport != s2.sport\nexpect h1 port 80 listening\n"
    "expect h1 established count 8\nexpect tuples distinct\nexpect s2 ok\nexpect s3 ok\n"
    "expect s4 ok\nexpect s5 ok\n";

static void test_every_failing_allocation(void **state)
{
    (void)state;
    long failures = 0;
    for (long n = 0;; n++) {
        ps_diag d;
        budget = n;
        ps_scenario *sc = ps_scenario_parse(rich, sizeof rich - 1, "rich.scn", &d);
        budget = -1;
        if (sc != NULL) {
            assert_int_equal(sc->nexpects, 10);
            ps_scenario_free(sc);
            break;
        }
        char buf[1024];
        assert_string_equal(ps_diag_format(&d, buf, sizeof buf), "rich.scn: error: out of memory");
        failures++;
    }
    /* file, title, 9 hosts, ..., so many allocations: all were tried. */
    assert_true(failures > 60);
}

static void test_load_out_of_memory(void **state)
{
    (void)state;
    char path[] = "/tmp/portsim-oom-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, rich, sizeof rich - 1), (ssize_t)(sizeof rich - 1));
    close(fd);
    ps_diag d;
    budget = 0;
    ps_scenario *sc = ps_scenario_load(path, &d);
    budget = -1;
    unlink(path);
    assert_null(sc);
    assert_int_equal(d.pos.line, 0);
    assert_string_equal(d.message, "out of memory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_failing_allocation),
        cmocka_unit_test(test_load_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
