/* test_fetch.c — the page-load words of the language (lang/parse.c):
 * `fetch`, `listen ... serve [parts N]` and `expect PAGE ...` become the
 * scenario fields sim/http.c reads. Wrong lines: tests/bad/fetch_*,
 * serve_*, page_*. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "http.h"
#include "parse.h"

static const char k_stage[] =
    "host laptop 192.0.2.10\n"
    "host server 93.184.216.34\n"
    "link laptop server 20ms\n"
    "proc server nginx pid=812 user=root\n"
    "proc laptop firefox pid=4242 user=alice\n";

static ps_scenario *parse_ok(const char *lines)
{
    char text[2048];
    size_t n = strlen(k_stage);
    memcpy(text, k_stage, n);
    memcpy(text + n, lines, strlen(lines) + 1);
    ps_diag d;
    ps_scenario *sc = ps_scenario_parse(text, strlen(text), "t.scn", &d);
    if (!sc) fail_msg("%s", d.message);
    return sc;
}

static void test_fetch_fields(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok("at 0ms server nginx listen 80 as web serve parts 3\n"
                               "at 0ms server nginx listen 81\n"
                               "at 1ms laptop firefox fetch http://server resources 12 http1 as old\n"
                               "at 2ms laptop firefox fetch server:81 as new http2 resources 0\n"
                               "at 3ms laptop firefox fetch https://93.184.216.34 pool 2 http1 resources 64\n");
    assert_int_equal(sc->nactions, 5);
    assert_int_equal(sc->actions[0].serve_parts, 3);
    assert_int_equal(sc->actions[1].serve_parts, 0);
    const ps_action *a = &sc->actions[2];
    assert_int_equal(a->kind, PS_ACT_FETCH);
    assert_int_equal(a->addr, 0x5DB8D822u); /* 93.184.216.34 */
    assert_int_equal(a->port, 80);
    assert_int_equal(a->resources, 12);
    assert_int_equal(a->http, 1);
    assert_int_equal(a->pool, PS_HTTP_DEFAULT_POOL);
    assert_string_equal(sc->socks[a->sock].name, "old");
    a = &sc->actions[3];
    assert_int_equal(a->port, 81);
    assert_int_equal(a->resources, 0);
    assert_int_equal(a->http, 2);
    assert_string_equal(sc->socks[a->sock].name, "new");
    a = &sc->actions[4];
    assert_int_equal(a->port, 443);
    assert_int_equal(a->pool, 2);
    assert_int_equal(a->resources, PS_HTTP_MAX_RESOURCES);
    assert_int_equal(a->sock, PS_NONE);
    ps_scenario_free(sc);
}

static void test_page_expects(void **state)
{
    (void)state;
    ps_scenario *sc = parse_ok("at 1ms laptop firefox fetch http://server resources 12 http1 as old\n"
                               "expect old connections 6\n"
                               "expect 500ms old queued 6\n"
                               "expect old done before 350ms\n"
                               "expect old done\n"
                               "expect old established\n");
    assert_int_equal(sc->nexpects, 5);
    assert_int_equal(sc->expects[0].kind, PS_EXP_PAGE);
    assert_int_equal(sc->expects[0].page_field, PS_PAGE_CONNECTIONS);
    assert_int_equal(sc->expects[0].value, 6);
    assert_true(sc->expects[1].has_time);
    assert_int_equal(sc->expects[1].page_field, PS_PAGE_QUEUED);
    assert_int_equal(sc->expects[2].page_field, PS_PAGE_DONE);
    assert_int_equal(sc->expects[2].value, 350000);
    assert_int_equal(sc->expects[3].value, PS_TIME_NEVER);
    /* the page's name is its first connection, a socket like any other */
    assert_int_equal(sc->expects[4].kind, PS_EXP_STATE);
    assert_int_equal(sc->expects[4].state, PS_ESTABLISHED);
    ps_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fetch_fields),
        cmocka_unit_test(test_page_expects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
