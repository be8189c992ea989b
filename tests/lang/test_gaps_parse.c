/* test_gaps_parse.c — what the language-gap statements parse to (bind,
 * SOCK listen, accept as, connect from ADDR[:PORT] with reuse options,
 * accepted-by, segments, errno A|B), and that a later listener name in a
 * --against task resolves the same way. Their errors are in tests/bad/. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"

static const char *TEXT =
    "host laptop 192.0.2.10 198.51.100.20\n"
    "host server 93.184.216.34\n"
    "link laptop server 20ms\n"
    "proc server gunicorn pid=7001 user=www\n"
    "proc laptop curl pid=5100 user=alice\n"
    "at 0ms server gunicorn bind 10.0.0.1:8080 reuseport reuseaddr as first\n"
    "at 10ms first listen reply \"hi\"\n"
    "at 20ms first accept as conn\n"
    "at 30ms laptop curl connect server:8080 from 198.51.100.20:5000 reuseaddr as req\n"
    "at 30ms laptop curl connect localhost:8080 from localhost reuseport\n"
    "at 40ms conn close\n"
    "expect req accepted-by first\n"
    "expect 1s segments syn-ack from server:8080 to laptop count 3\n"
    "expect req errno ECONNREFUSED|EADDRINUSE\n";

static void test_gap_statements_parse_to(void **state)
{
    (void)state;
    ps_diag d;
    char buf[1024];
    ps_scenario *sc = ps_scenario_parse(TEXT, strlen(TEXT), "t.scn", &d);
    if (!sc) fail_msg("%s", ps_diag_format(&d, buf, sizeof buf));
    assert_int_equal(sc->nactions, 6);
    const ps_action *bind = &sc->actions[0], *listen = &sc->actions[1], *acc = &sc->actions[2];
    const ps_action *c1 = &sc->actions[3], *c2 = &sc->actions[4], *close = &sc->actions[5];
    uint32_t first = ps_scenario_sock(sc, "first"), conn = ps_scenario_sock(sc, "conn");
    uint32_t req = ps_scenario_sock(sc, "req");
    assert_int_equal(bind->kind, PS_ACT_BIND);
    assert_int_equal(bind->addr, 0x0a000001u);
    assert_int_equal(bind->port, 8080);
    assert_true(bind->reuseaddr && bind->reuseport);
    assert_int_equal(bind->sock, first);
    assert_int_equal(listen->kind, PS_ACT_LISTEN_SOCK);
    assert_int_equal(listen->sock, first);
    assert_string_equal(listen->text, "hi");
    assert_int_equal(acc->kind, PS_ACT_ACCEPT);
    assert_int_equal(acc->listener, first);
    assert_int_equal(acc->sock, conn);
    assert_int_equal(sc->socks[conn].action, 2);
    assert_int_equal(c1->from_addr, 0xc6336414u);
    assert_int_equal(c1->from_port, 5000);
    assert_true(c1->reuseaddr && !c1->reuseport);
    assert_int_equal(c2->from_addr, PS_ADDR_LOOPBACK);
    assert_int_equal(c2->from_port, 0);
    assert_true(!c2->reuseaddr && c2->reuseport);
    assert_int_equal(close->kind, PS_ACT_CLOSE);
    assert_int_equal(close->sock, conn);
    assert_int_equal(sc->nexpects, 3);
    const ps_expect *by = &sc->expects[0], *seg = &sc->expects[1], *err = &sc->expects[2];
    assert_int_equal(by->kind, PS_EXP_ACCEPTED_BY);
    assert_int_equal(by->sock, req);
    assert_int_equal(by->rsock, first);
    assert_false(by->has_time);
    assert_int_equal(seg->kind, PS_EXP_SEGMENTS);
    assert_true(seg->has_time);
    assert_int_equal(seg->seg_class, PS_SEGC_SYN_ACK);
    assert_int_equal(seg->seg_from, ps_scenario_host(sc, "server"));
    assert_int_equal(seg->seg_sport, 8080);
    assert_int_equal(seg->seg_to, ps_scenario_host(sc, "laptop"));
    assert_int_equal(seg->seg_dport, 0);
    assert_int_equal(seg->value, 3);
    assert_string_equal(seg->text, "1s segments syn-ack from server:8080 to laptop count 3");
    assert_int_equal(err->kind, PS_EXP_ERRNO);
    assert_int_equal(err->err, PS_ECONNREFUSED);
    assert_int_equal(err->errs, (1u << PS_ECONNREFUSED) | (1u << PS_EADDRINUSE));
    ps_scenario_free(sc);
}

/* `check --against`: a task's accepted-by and segments lines resolve in the
 * student's file. */
static void test_gap_expects_against_a_task(void **state)
{
    (void)state;
    ps_diag d;
    char buf[1024];
    ps_scenario *sc = ps_scenario_parse(TEXT, strlen(TEXT), "student.scn", &d);
    assert_non_null(sc);
    const char *task = "host laptop 192.0.2.10\nhost server 93.184.216.34\n"
                       "proc server p pid=1 user=root\nproc laptop q pid=2 user=root\n"
                       "at 0ms server p listen 80 as first\nat 1ms laptop q connect server:80 as req\n"
                       "expect req accepted-by first\nexpect segments rst from server to laptop count 0\n";
    if (!ps_scenario_adopt_expects(sc, task, strlen(task), "task.scn", &d))
        fail_msg("%s", ps_diag_format(&d, buf, sizeof buf));
    assert_int_equal(sc->nexpects, 2);
    assert_int_equal(sc->expects[0].rsock, ps_scenario_sock(sc, "first"));
    assert_int_equal(sc->expects[1].seg_class, PS_SEGC_RST);
    ps_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gap_statements_parse_to),
        cmocka_unit_test(test_gap_expects_against_a_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
